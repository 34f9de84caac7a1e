using RtcStack.Dtls;
using RtcStack.Srtp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Which DTLS version two <see cref="WebRtcSession"/>s negotiate (<see cref="WebRtcTransportOptions.DtlsMaxVersion"/>), in
/// virtual time: DTLS 1.3 (RFC 9147) with X25519MLKEM768 by default, DTLS 1.2 (RFC 6347) when either side pins it, SRTP
/// keyed from the 1.3 exporter (RFC 5764 §4.2 through RFC 8446 §7.5) for both browser profiles, and what stats say.
/// </summary>
public class WebRtcSessionDtlsVersionTests
{
    [Fact]
    public void DefaultSessionsNegotiateDtls13WithTheHybridGroupAndMediaFlowsBothWays()
    {
        var unifiedHeaders = new int[2];
        using var net = new WebRtcSessionTests.Pair(seed: 41);
        net.Sent = (from, data) => unifiedHeaders[from == net.A ? 0 : 1] += data[0] is >= 32 and <= 63 ? 1 : 0;
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));

        foreach (WebRtcSessionTests.Peer p in new[] { net.A, net.B })
        {
            TransportDtlsConnectedEvent d = Assert.Single(p.Events.OfType<SessionDtlsConnectedEvent>()).Details;
            Assert.Equal(DtlsVersion.Dtls13, d.Version);
            Assert.Equal(DtlsNamedGroup.X25519MlKem768, d.Group);
            Assert.Equal(DtlsCipherSuite.Tls13Aes128GcmSha256, d.CipherSuite);
            Assert.Equal(SrtpProfile.AeadAes128Gcm, d.SrtpProfile);
            Assert.Equal(DtlsVersion.Dtls13, p.Session.Transport.NegotiatedDtlsVersion);
            Assert.Equal(DtlsNamedGroup.X25519MlKem768, p.Session.Transport.NegotiatedDtlsGroup);
        }

        // RFC 9147 §4: after the ClientHello/ServerHello, both sides' records carry the unified header (first byte
        // 001CSLEE, 32-63), which RFC 7983 §7 classifies as DTLS; the 1.2 handshake never sends one.
        Assert.True(unifiedHeaders[0] > 0 && unifiedHeaders[1] > 0, $"unified headers sent: A {unifiedHeaders[0]}, B {unifiedHeaders[1]}");

        SendBothWays(net, aAudio, bAudio, aVideo, bVideo);
        foreach (WebRtcSessionTests.Peer p in new[] { net.A, net.B })
        {
            Assert.Equal(30, p.Media.Count(m => !m.Media.IsVideo));
            Assert.Equal(6, p.Media.Count(m => m.Media.IsVideo));
            RtcTransportStats t = p.Session.GetStats(net.Now).Get<RtcTransportStats>()!;
            Assert.Equal("FEFC", t.TlsVersion);
            Assert.Equal("X25519MLKEM768", t.TlsGroup);
            Assert.Equal("TLS_AES_128_GCM_SHA256", t.DtlsCipher);
            Assert.Equal("SRTP_AEAD_AES_128_GCM", t.SrtpCipher);
            Assert.Equal(0, t.SrtpAuthenticationFailures);
            Assert.Equal(0, t.SrtcpFailures);
        }
    }

    [Theory]
    [InlineData("offerer (DTLS server)")]
    [InlineData("answerer (DTLS client)")]
    public void OneSidePinnedToDtls12Negotiates12AndMediaFlows(string pinned)
    {
        bool pinA = pinned.StartsWith("offerer", StringComparison.Ordinal);
        using var net = new WebRtcSessionTests.Pair(
            seed: 43,
            a: seed => Options(seed, pinA ? DtlsVersion.Dtls12 : DtlsVersion.Dtls13),
            b: seed => Options(seed, pinA ? DtlsVersion.Dtls13 : DtlsVersion.Dtls12));
        var unifiedHeaders = 0;
        net.Sent = (_, data) => unifiedHeaders += data[0] is >= 32 and <= 63 ? 1 : 0;
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));

        // The answerer takes setup:active (RFC 8842 §5), so it is the DTLS client.
        Assert.Equal("server", net.A.Session.GetStats(net.Now).Get<RtcTransportStats>()!.DtlsRole);
        Assert.Equal(0, unifiedHeaders);
        SendBothWays(net, aAudio, bAudio, aVideo, bVideo);
        foreach (WebRtcSessionTests.Peer p in new[] { net.A, net.B })
        {
            TransportDtlsConnectedEvent d = Assert.Single(p.Events.OfType<SessionDtlsConnectedEvent>()).Details;
            Assert.Equal(DtlsVersion.Dtls12, d.Version);
            Assert.Equal(DtlsNamedGroup.X25519, d.Group);
            Assert.Equal(30, p.Media.Count(m => !m.Media.IsVideo));
            Assert.Equal(6, p.Media.Count(m => m.Media.IsVideo));
            RtcTransportStats t = p.Session.GetStats(net.Now).Get<RtcTransportStats>()!;
            Assert.Equal("FEFD", t.TlsVersion);
            Assert.Equal("x25519", t.TlsGroup);
            Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", t.DtlsCipher);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm, "SRTP_AEAD_AES_128_GCM")]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, "SRTP_AES128_CM_HMAC_SHA1_80")]
    public void EachBrowserSrtpProfileIsKeyedFromTheDtls13Exporter(SrtpProfile profile, string name)
    {
        // Only one profile offered and accepted: use_srtp travels in the 1.3 ClientHello and EncryptedExtensions
        // (RFC 9147 §5.3's extension table via RFC 5764 §4.1.1), the keys come from the 1.3 exporter with the
        // "EXTRACTOR-dtls_srtp" label (RFC 5764 §4.2, RFC 8446 §7.5). Media both ways authenticates only when both
        // sides derived the same four keys and salts.
        using var net = new WebRtcSessionTests.Pair(
            seed: 47,
            a: seed => Options(seed, DtlsVersion.Dtls13, profile),
            b: seed => Options(seed, DtlsVersion.Dtls13, profile));
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        SendBothWays(net, aAudio, bAudio, aVideo, bVideo);
        foreach (WebRtcSessionTests.Peer p in new[] { net.A, net.B })
        {
            TransportDtlsConnectedEvent d = Assert.Single(p.Events.OfType<SessionDtlsConnectedEvent>()).Details;
            Assert.Equal(DtlsVersion.Dtls13, d.Version);
            Assert.Equal(profile, d.SrtpProfile);
            Assert.Equal(30, p.Media.Count(m => !m.Media.IsVideo));
            Assert.Equal(6, p.Media.Count(m => m.Media.IsVideo));
            RtcTransportStats t = p.Session.GetStats(net.Now).Get<RtcTransportStats>()!;
            Assert.Equal("FEFC", t.TlsVersion);
            Assert.Equal(name, t.SrtpCipher);
            Assert.Equal(0, t.SrtpAuthenticationFailures);
            Assert.True(t.SenderReportsReceived > 0, "no SRTCP sender report arrived");
        }
    }

    [Fact]
    public void StatsHaveNoVersionOrGroupBeforeDtlsConnects()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 53);
        net.NegotiateAudioAndVideo();
        RtcTransportStats t = net.A.Session.GetStats(net.Now).Get<RtcTransportStats>()!;
        Assert.Null(t.TlsVersion);
        Assert.Null(t.TlsGroup);
        Assert.Null(net.A.Session.Transport.NegotiatedDtlsVersion);
    }

    [Theory]
    [InlineData("DtlsMaxVersion")]
    [InlineData("Dtls13Groups")]
    [InlineData("Dtls13Groups unknown")]
    [InlineData("DtlsMinVersion")]
    [InlineData("DtlsMinVersion above DtlsMaxVersion")]
    public void ABadDtlsVersionSettingIsRefusedWhenTheSessionIsMadeNamingTheOption(string what)
    {
        var transport = new WebRtcTransportOptions();
        switch (what)
        {
            case "DtlsMaxVersion":
                transport.DtlsMaxVersion = (DtlsVersion)7;
                break;
            case "Dtls13Groups":
                transport.Dtls13Groups.Clear();
                break;
            case "DtlsMinVersion":
                transport.DtlsMinVersion = (DtlsVersion)7;
                break;
            case "DtlsMinVersion above DtlsMaxVersion":
                transport.DtlsMinVersion = DtlsVersion.Dtls13;
                transport.DtlsMaxVersion = DtlsVersion.Dtls12;
                break;
            default:
                transport.Dtls13Groups.Add((DtlsNamedGroup)24); // secp384r1: browsers offer it, we do not implement it
                break;
        }

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new WebRtcSession(new WebRtcSessionOptions { Transport = transport }));
        Assert.Equal(what.Split(' ')[0], e.ParamName);

        // Pinned to 1.2, no 1.3 group is needed.
        var pinned = new WebRtcTransportOptions { DtlsMaxVersion = DtlsVersion.Dtls12 };
        pinned.Dtls13Groups.Clear();
        using var ok = new WebRtcSession(new WebRtcSessionOptions { Transport = pinned });
    }

    private static Func<bool> BothConnected(WebRtcSessionTests.Pair net) =>
        () => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected;

    private static WebRtcSessionOptions Options(int seed, DtlsVersion max, SrtpProfile? only = null)
    {
        var transport = new WebRtcTransportOptions { Random = new Random(seed + 1), DtlsMaxVersion = max };
        if (only is SrtpProfile p)
        {
            transport.SrtpProfiles.Clear();
            transport.SrtpProfiles.Add(p);
        }

        return new WebRtcSessionOptions { Random = new Random(seed), Transport = transport };
    }

    private static void SendBothWays(WebRtcSessionTests.Pair net, Transceiver aAudio, Transceiver bAudio, Transceiver aVideo, Transceiver bVideo)
    {
        for (int i = 0; i < 30; i++)
        {
            byte[] opus = [0x78, (byte)i, 9, 9];
            Assert.True(net.A.Session.SendAudio(aAudio, opus, (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, opus, (uint)(960 * i), net.Now));
            if (i % 5 == 0)
            {
                byte[] frame = WebRtcSessionTests.VideoFrame(i / 5, key: i == 0, size: 2500);
                Assert.True(net.A.Session.SendVideoFrame(aVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
                Assert.True(net.B.Session.SendVideoFrame(bVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        // Long enough for the periodic RTCP (1 s interval, randomised) to cross both ways.
        net.RunFor(TimeSpan.FromSeconds(2));
    }
}
