using Microsoft.Extensions.Time.Testing;
using RtcStack.Dtls;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Tests;

/// <summary>What a session does when the caller sets nothing: safe defaults, never the Unix epoch as wall-clock time.</summary>
public sealed class PeerSessionDefaultsTests
{
    [Fact]
    public void GeneratedCertificateIsValidFromADayBeforeTheWallClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        using var session = new PeerSession(new PeerSessionOptions { WallClock = clock });
        Assert.Equal(new DateTime(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc), session.LocalCertificate.NotBefore.ToUniversalTime());
        Assert.Equal(new DateTime(2027, 1, 5, 12, 0, 0, DateTimeKind.Utc), session.LocalCertificate.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void SessionWithoutOptionsHasACertificateValidNow()
    {
        // The regression: WallClockAtZero defaulted to the Unix epoch, so the certificate was valid in January 1970.
        DateTime before = DateTime.UtcNow;
        using var session = new PeerSession();
        DateTime after = DateTime.UtcNow;
        DateTime notBefore = session.LocalCertificate.NotBefore.ToUniversalTime();
        Assert.InRange(notBefore, before.AddDays(-1).AddSeconds(-1), after.AddDays(-1));
        Assert.True(session.LocalCertificate.NotAfter.ToUniversalTime() > after.AddDays(29));
    }

    [Fact]
    public void ExplicitWallClockAtZeroWinsOverTheClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var session = new PeerSession(new PeerSessionOptions { WallClock = clock, WallClockAtZero = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal(new DateTime(2026, 5, 31, 0, 0, 0, DateTimeKind.Utc), session.LocalCertificate.NotBefore.ToUniversalTime());
    }

    [Fact]
    public void AeadAes128GcmIsTheFirstSrtpProfileWeOfferOrChoose()
    {
        // Both browsers offer it; libwebrtc prefers it. As DTLS server we choose by this order (a Chromium
        // ClientHello lists SHA1_80 first and gets GCM: BrowserClientHelloTests).
        Assert.Equal(SrtpProfile.AeadAes128Gcm, new PeerSessionOptions().SrtpProfiles[0]);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, new DtlsOptions().SrtpProfiles[0]);
    }
}
