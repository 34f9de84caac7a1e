using Microsoft.Extensions.Time.Testing;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionConnectionTests;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Safe defaults (issue 12): a <see cref="WebRtcSession"/> made without options has a certificate valid from a day
/// ago, as browsers date theirs, and its sender reports carry the wall-clock time (RFC 3550 §6.4.1), never a time
/// counted from the Unix epoch. The v1 PeerSession once dated both from 1970.
/// </summary>
public sealed class WebRtcSessionDefaultsTests
{
    private static readonly byte[] Opus = [0x78, 0x01, 0x02, 0x03];

    [Fact]
    public void ASessionWithoutOptionsHasACertificateValidFromADayAgo()
    {
        DateTime before = DateTime.UtcNow;
        using var session = new WebRtcSession();
        DateTime after = DateTime.UtcNow;
        System.Security.Cryptography.X509Certificates.X509Certificate2 cert = session.Transport.LocalCertificate;

        // X.509 validity is in whole seconds.
        DateTime notBefore = cert.NotBefore.ToUniversalTime();
        Assert.InRange(notBefore, before.AddDays(-1).AddSeconds(-2), after.AddDays(-1).AddSeconds(1));
        Assert.True(cert.NotAfter.ToUniversalTime() > after.AddDays(1), $"the certificate expires at {cert.NotAfter:O}");
    }

    [Fact]
    public void TheTransportsWallClockDatesTheCertificate()
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        using var session = new WebRtcSession(new WebRtcSessionOptions { Transport = new WebRtcTransportOptions { WallClock = wall } });
        Assert.Equal(new DateTime(2031, 5, 5, 7, 8, 9, DateTimeKind.Utc), session.Transport.LocalCertificate.NotBefore.ToUniversalTime());
    }

    [Fact]
    public void SenderReportsOfDefaultSessionsCarryTheWallClockNotTheEpoch()
    {
        // Both sides with the default options: what B's stats say A's SR carried (remoteTimestamp, the SR's NTP time
        // in ms since 1970) is the real time now, give or take the few seconds of virtual time the pair ran.
        using var net = new Pair(seed: 71, a: _ => new WebRtcSessionOptions(), b: _ => new WebRtcSessionOptions());
        (Transceiver aAudio, _) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 150; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, Opus, (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        RtcRemoteOutboundRtpStreamStats ro = Assert.Single(net.B.Session.GetStats(net.Now).All<RtcRemoteOutboundRtpStreamStats>());
        Assert.True(ro.ReportsSent > 0);
        DateTime sr = DateTime.UnixEpoch.AddMilliseconds(ro.RemoteTimestamp);
        DateTime now = DateTime.UtcNow;
        Assert.InRange(sr, now.AddMinutes(-2), now.AddMinutes(2));
    }

    [Fact]
    public void AGivenWallClockAtZeroDatesEverySenderReportOfTheSession()
    {
        // A host gives its sessions its own mapping (UdpSessionHost.WallClockAtZero): every send stream of the session,
        // the audio one and the video one made with it, dates its SRs as that time plus now.
        var zero = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var wall = new FakeTimeProvider(new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero)); // must not be read for NTP
        using var net = new Pair(seed: 73, a: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1), WallClock = wall },
            WallClockAtZero = zero,
        });
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        TimeSpan first = net.Now;
        for (int i = 0; i < 150; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, Opus, (uint)(960 * i), net.Now));
            if (i % 10 == 0)
            {
                Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i / 10, key: i == 0, size: 800), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        RtcRemoteOutboundRtpStreamStats[] reports = [.. net.B.Session.GetStats(net.Now).All<RtcRemoteOutboundRtpStreamStats>()];
        Assert.Equal(["audio", "video"], reports.Select(r => r.Kind).Order());
        foreach (RtcRemoteOutboundRtpStreamStats ro in reports)
        {
            Assert.True(ro.ReportsSent > 0, ro.Kind);
            DateTime sr = DateTime.UnixEpoch.AddMilliseconds(ro.RemoteTimestamp);
            Assert.InRange(sr, (zero + first).UtcDateTime, (zero + net.Now).UtcDateTime);
        }
    }
}
