using System.Text.RegularExpressions;
using RtcStack.Dtls;
using RtcStack.Opus;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Stun;
using RtcStack.TestSupport;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Tests;

public sealed partial class PeerSessionTests
{
    // A structurally valid Opus packet (TOC: CELT fullband 20 ms, one frame; RFC 6716 §3.1) and some bytes.
    private static readonly byte[] s_opusPacket = [0xF8, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];

    private static readonly Lazy<DtlsCertificate> s_certA = new(() => DtlsCertificate.Generate(DateTimeOffset.UtcNow));
    private static readonly Lazy<DtlsCertificate> s_certB = new(() => DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    internal static PeerSessionOptions Options(int seed, DtlsCertificate? certificate = null)
    {
        var o = new PeerSessionOptions
        {
            Certificate = certificate ?? (seed % 2 == 1 ? s_certA.Value : s_certB.Value),
            Random = new Random(seed),
        };
        return o;
    }

    internal static (VirtualNetwork Net, VirtualNetwork.Node A, VirtualNetwork.Node B) Connect(PeerSessionOptions a, PeerSessionOptions b, bool connect = true)
    {
        var net = new VirtualNetwork();
        VirtualNetwork.Node na = net.Add(new PeerSession(a), "127.0.0.1:10000");
        VirtualNetwork.Node nb = net.Add(new PeerSession(b), "127.0.0.1:20000");
        string offer = na.Session.CreateOffer(net.Now);
        Assert.True(nb.Session.TryAcceptOffer(offer, net.Now, out string? answer, out string? error), error);
        Assert.True(na.Session.TryApplyAnswer(answer, net.Now, out error), error);
        if (connect)
        {
            Assert.True(net.RunUntil(() => na.Session.State == PeerConnectionState.Connected && nb.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)),
                $"not connected: A {na.Session.State}, B {nb.Session.State}");
        }

        return (net, na, nb);
    }

    /// <summary>Sends one packet each way every 20 ms (50 packets/s) with 960-sample timestamps.</summary>
    internal static Action<TimeSpan> Talk(params PeerSession[] sessions)
    {
        uint ts = 1000;
        return now =>
        {
            foreach (PeerSession s in sessions)
            {
                s.SendRtp(s_opusPacket, ts, marker: false, now, audioLevel: 30, voiceActivity: true);
            }

            ts += 960;
        };
    }

    [Fact]
    public void OfferAndAnswerConnectAndCarryRtpBothWays()
    {
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = Connect(Options(1), Options(2));
        Assert.Equal(Dtls.DtlsRole.Server, a.Session.LocalDtlsRole);
        Assert.Equal(Dtls.DtlsRole.Client, b.Session.LocalDtlsRole);
        Assert.Equal(111, a.Session.PayloadType);

        net.RunFor(TimeSpan.FromSeconds(2), Talk(a.Session, b.Session));

        foreach ((VirtualNetwork.Node from, VirtualNetwork.Node to) in new[] { (a, b), (b, a) })
        {
            Assert.InRange(to.Media.Count, 95, 101);
            Assert.All(to.Media, m =>
            {
                Assert.Equal(from.Session.Ssrc, m.Frame.Ssrc);
                Assert.Equal(OpusRtpReceiveStatus.Accepted, m.Frame.Status);
                Assert.Equal(s_opusPacket, m.Payload);
                Assert.Equal(960, m.Frame.SampleCount);
                Assert.Equal(30, m.Frame.AudioLevel);
                Assert.Equal(0, m.Frame.LostPackets);
            });
            Assert.Contains(to.Events, e => e is RemoteSourceStartedEvent r && r.Ssrc == from.Session.Ssrc);
            Assert.Equal(0, to.Session.SrtpAuthenticationFailures);
        }

        // Consecutive sequence numbers and timestamps 960 apart.
        for (int i = 1; i < b.Media.Count; i++)
        {
            Assert.Equal(b.Media[i - 1].Frame.ExtendedSequenceNumber + 1, b.Media[i].Frame.ExtendedSequenceNumber);
            Assert.Equal(b.Media[i - 1].Frame.RtpTimestamp + 960, b.Media[i].Frame.RtpTimestamp);
        }

        Assert.Contains(a.Events, e => e is PeerConnectionStateChangedEvent { State: PeerConnectionState.Connected });
        Assert.Contains(a.Events, e => e is DtlsConnectedSessionEvent);
    }

    /// <summary>
    /// RFC 8445 §6.1.1 at session level: a PeerSession answering an ice-lite offer (Janus and mediasoup offer like
    /// this in their server-offer flows) takes the controlling role although it answered, sends the checks and
    /// nominates; the lite offerer never sends a check, and media flows both ways.
    /// </summary>
    [Fact]
    public void AnsweringAnIceLiteOffer_TakesTheControllingRole_AndNominates()
    {
        PeerSessionOptions liteOptions = Options(31);
        liteOptions.IceLite = true;
        var net = new VirtualNetwork();
        VirtualNetwork.Node lite = net.Add(new PeerSession(liteOptions), "127.0.0.1:10000");
        VirtualNetwork.Node full = net.Add(new PeerSession(Options(32)), "127.0.0.1:20000");
        var requestsFrom = new Dictionary<TransportAddress, int>();
        var useCandidateFrom = new HashSet<TransportAddress>();
        net.Drop = (from, _, data) =>
        {
            if (StunMessageReader.TryParse(data, out StunMessageReader m) == StunParseStatus.Ok && m.Class == StunClass.Request)
            {
                requestsFrom[from] = requestsFrom.GetValueOrDefault(from) + 1;
                if (m.HasAttribute(StunAttributeType.UseCandidate))
                {
                    useCandidateFrom.Add(from);
                }
            }

            return false;
        };

        string offer = lite.Session.CreateOffer(net.Now);
        Assert.Contains("a=ice-lite\r\n", offer, StringComparison.Ordinal);
        Assert.True(full.Session.TryAcceptOffer(offer, net.Now, out string? answer, out string? error), error);
        Assert.DoesNotContain("a=ice-lite", answer, StringComparison.Ordinal);
        Assert.Equal(Ice.IceRole.Controlling, full.Session.IceAgent!.Role);
        Assert.Equal(Ice.IceMode.Lite, full.Session.IceAgent.RemoteMode);
        Assert.True(lite.Session.TryApplyAnswer(answer, net.Now, out error), error);
        Assert.Equal(Ice.IceRole.Controlled, lite.Session.IceAgent!.Role);

        Assert.True(net.RunUntil(() => lite.Session.State == PeerConnectionState.Connected && full.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)),
            $"not connected: lite {lite.Session.State}, full {full.Session.State}");
        Assert.True(full.Session.IceAgent.GetSelectedPair()!.Nominated);
        Assert.True(lite.Session.IceAgent.GetSelectedPair()!.Nominated);
        Assert.False(requestsFrom.ContainsKey(lite.Address), "the lite offerer sent a connectivity check");
        Assert.True(requestsFrom.GetValueOrDefault(full.Address) > 0);
        Assert.Contains(full.Address, useCandidateFrom);
        Assert.Equal("controlling", full.Session.GetStats(net.Now).Get<RtcTransportStats>()!.IceRole);

        net.RunFor(TimeSpan.FromSeconds(1), Talk(lite.Session, full.Session));
        Assert.InRange(lite.Media.Count, 45, 51);
        Assert.InRange(full.Media.Count, 45, 51);
    }

    [Theory]
    [InlineData(SetupRole.ActPass, SetupRole.Active, Dtls.DtlsRole.Server)]
    [InlineData(SetupRole.ActPass, SetupRole.Passive, Dtls.DtlsRole.Client)]
    [InlineData(SetupRole.Active, SetupRole.Active, Dtls.DtlsRole.Client)]
    [InlineData(SetupRole.Passive, SetupRole.Active, Dtls.DtlsRole.Server)]
    public void DtlsRoleFollowsSetup(SetupRole offerSetup, SetupRole answerSetup, Dtls.DtlsRole offererRole)
    {
        PeerSessionOptions a = Options(3);
        a.OfferSetup = offerSetup;
        PeerSessionOptions b = Options(4);
        b.AnswerSetup = answerSetup;
        (VirtualNetwork net, VirtualNetwork.Node na, VirtualNetwork.Node nb) = Connect(a, b);
        Assert.Equal(offererRole, na.Session.LocalDtlsRole);
        Assert.NotEqual(offererRole, nb.Session.LocalDtlsRole);
        net.RunFor(TimeSpan.FromMilliseconds(500), Talk(na.Session, nb.Session));
        Assert.True(na.Media.Count > 10 && nb.Media.Count > 10);
    }

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_32)]
    [InlineData(SrtpProfile.AeadAes256Gcm)]
    public void SrtpProfileIsTheOneBothSupport(SrtpProfile profile)
    {
        PeerSessionOptions a = Options(5);
        a.SrtpProfiles.Clear();
        a.SrtpProfiles.Add(SrtpProfile.AeadAes128Gcm);
        a.SrtpProfiles.Add(SrtpProfile.AeadAes256Gcm);
        a.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
        a.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_32);
        PeerSessionOptions b = Options(6);
        b.SrtpProfiles.Clear();
        b.SrtpProfiles.Add(profile);
        (VirtualNetwork net, VirtualNetwork.Node na, VirtualNetwork.Node nb) = Connect(a, b);
        Assert.Equal(profile, na.Session.NegotiatedSrtpProfile);
        Assert.Equal(profile, nb.Session.NegotiatedSrtpProfile);
        net.RunFor(TimeSpan.FromMilliseconds(500), Talk(na.Session, nb.Session));
        Assert.True(na.Media.Count > 10 && nb.Media.Count > 10);
        RtcTransportStats t = na.Session.GetStats(net.Now).Get<RtcTransportStats>()!;
        Assert.Equal(PeerSession.SrtpName(profile), t.SrtpCipher);
        Assert.Equal("FEFD", t.TlsVersion);
        Assert.StartsWith("TLS_ECDHE_ECDSA_WITH_", t.DtlsCipher, StringComparison.Ordinal);
    }

    [Fact]
    public void RtcpReportsFeedbackAndRttFlowBothWays()
    {
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = Connect(Options(7), Options(8));
        net.Delay = TimeSpan.FromMilliseconds(25);
        net.RunFor(TimeSpan.FromSeconds(6), Talk(a.Session, b.Session));
        foreach ((VirtualNetwork.Node me, VirtualNetwork.Node peer) in new[] { (a, b), (b, a) })
        {
            RtcStatsReport r = me.Session.GetStats(net.Now);
            RtcTransportStats t = r.Get<RtcTransportStats>()!;
            Assert.InRange(t.SenderReportsReceived, 3, 12);
            Assert.InRange(t.SenderReportsSent, 3, 12);
            Assert.True(t.TransportFeedbackSent >= 40, $"TWCC sent {t.TransportFeedbackSent}");
            Assert.True(t.TransportFeedbackReceived >= 40, $"TWCC received {t.TransportFeedbackReceived}");
            Assert.True(t.XrReceived >= 3);
            Assert.Equal(0, t.SrtpAuthenticationFailures);
            Assert.Equal(0, t.SrtcpFailures);

            RtcRemoteInboundRtpStreamStats ri = r.Get<RtcRemoteInboundRtpStreamStats>()!;
            Assert.Equal(me.Session.Ssrc, ri.Ssrc);
            Assert.Equal(0, ri.PacketsLost);
            // Two one-way delays of 25 ms; the DLSR/compact-NTP arithmetic has 1/65536 s resolution.
            Assert.InRange(ri.RoundTripTime!.Value, 0.049, 0.051);
            Assert.True(ri.RoundTripTimeMeasurements >= 2);

            RtcRemoteOutboundRtpStreamStats ro = r.Get<RtcRemoteOutboundRtpStreamStats>()!;
            Assert.Equal(peer.Session.Ssrc, ro.Ssrc);
            Assert.True(ro.PacketsSent > 200);
            // XR DLRR (RFC 3611 §4.5) gives the same RTT from the other direction.
            Assert.InRange(ro.RoundTripTime!.Value, 0.049, 0.051);

            RtcInboundRtpStreamStats ib = r.Get<RtcInboundRtpStreamStats>()!;
            Assert.Equal(peer.Session.Ssrc, ib.Ssrc);
            Assert.InRange(ib.PacketsReceived, 295, 301);
            Assert.Equal(0, ib.PacketsLost);
            Assert.True(ib.TotalAudioEnergy > 0);

            RtcOutboundRtpStreamStats ob = r.Get<RtcOutboundRtpStreamStats>()!;
            Assert.InRange(ob.PacketsSent, 295, 301);
            Assert.Equal(ob.PacketsSent * s_opusPacket.Length, ob.BytesSent);
            Assert.NotNull(r.Get<RtcIceCandidatePairStats>());
            Assert.Equal("audio/opus", r.Get<RtcCodecStats>()!.MimeType);
            string json = r.ToJson();
            Assert.Contains("\"type\":\"remote-inbound-rtp\"", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LostPacketsAreNackedAndRetransmitted()
    {
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = Connect(Options(9), Options(10));
        Assert.Contains("nack", a.Session.GetLocalDescription(), StringComparison.Ordinal);
        var droppedOnce = new HashSet<ushort>();
        int rtp = 0;
        // Drop every 10th RTP packet from A to B the first time it is sent.
        net.Drop = (from, to, data) =>
        {
            if (from != a.Address || data.Length < 12 || (data[0] & 0xC0) != 0x80 || data[1] is >= 192 and <= 223)
            {
                return false;
            }

            ushort seq = (ushort)((data[2] << 8) | data[3]);
            return ++rtp % 10 == 0 && droppedOnce.Add(seq);
        };
        net.Delay = TimeSpan.FromMilliseconds(10);
        net.RunFor(TimeSpan.FromSeconds(3), Talk(a.Session));
        net.Drop = null;
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.InRange(droppedOnce.Count, 13, 16);
        RtcStatsReport rb = b.Session.GetStats(net.Now);
        RtcInboundRtpStreamStats ib = rb.Get<RtcInboundRtpStreamStats>()!;
        Assert.Equal(0, ib.PacketsLost);
        Assert.Equal(droppedOnce.Count, ib.RetransmittedPacketsReceived);
        Assert.True(ib.NackCount >= droppedOnce.Count);
        RtcOutboundRtpStreamStats oa = a.Session.GetStats(net.Now).Get<RtcOutboundRtpStreamStats>()!;
        Assert.Equal(droppedOnce.Count, oa.RetransmittedPacketsSent);
        Assert.True(oa.NackCount >= droppedOnce.Count);
        Assert.Equal(droppedOnce.Count, b.Media.Count(m => m.Frame.IsRetransmission && m.Frame.Status == OpusRtpReceiveStatus.Late));
        Assert.Equal(droppedOnce.Count, b.Media.Count(m => m.Frame.LostPackets == 1));
    }

    [Fact]
    public void CloseSendsByeAndCloseNotify()
    {
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = Connect(Options(11), Options(12));
        net.RunFor(TimeSpan.FromMilliseconds(300), Talk(a.Session, b.Session));
        a.Session.Close(net.Now);
        Assert.Equal(PeerConnectionState.Closed, a.Session.State);
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Contains(b.Events, e => e is RemoteGoodbyeEvent g && g.Ssrc == a.Session.Ssrc);
        Assert.Equal(PeerConnectionState.Closed, b.Session.State);
        Assert.Equal(1, b.Session.GetStats(net.Now).Get<RtcTransportStats>()!.GoodbyesReceived);
        Assert.Null(a.Session.PollTimeout());
        a.Session.Dispose();
        b.Session.Dispose();
    }

    [Fact]
    public void WrongFingerprintFailsTheHandshake()
    {
        var net = new VirtualNetwork();
        VirtualNetwork.Node a = net.Add(new PeerSession(Options(13)), "127.0.0.1:10000");
        VirtualNetwork.Node b = net.Add(new PeerSession(Options(14)), "127.0.0.1:20000");
        string offer = a.Session.CreateOffer(net.Now);
        // Flip one hex digit of the offer's fingerprint: B must refuse A's certificate (RFC 8122 §5).
        string tampered = FingerprintRegex().Replace(offer, m => m.Value[..^1] + (m.Value[^1] == '0' ? '1' : '0'), 1);
        Assert.NotEqual(offer, tampered);
        Assert.True(b.Session.TryAcceptOffer(tampered, net.Now, out string? answer, out string? error), error);
        Assert.True(a.Session.TryApplyAnswer(answer, net.Now, out error), error);
        net.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(PeerConnectionState.Failed, b.Session.State);
        Assert.Contains(b.Events, e => e is DtlsFailedSessionEvent f && f.Error == DtlsError.FingerprintMismatch);
        Assert.NotEqual(PeerConnectionState.Connected, a.Session.State);
        Assert.False(b.Session.SendRtp(s_opusPacket, 0, false, net.Now));
    }

    [Fact]
    public void TrickledCandidatesConnect()
    {
        var net = new VirtualNetwork();
        VirtualNetwork.Node a = net.Add(new PeerSession(Options(15)), "127.0.0.1:10000");
        VirtualNetwork.Node b = net.Add(new PeerSession(Options(16)), "127.0.0.1:20000");
        string offer = StripCandidates(a.Session.CreateOffer(net.Now));
        Assert.DoesNotContain("a=candidate", offer, StringComparison.Ordinal);
        Assert.True(b.Session.TryAcceptOffer(offer, net.Now, out string? answer, out string? error), error);
        Assert.True(a.Session.TryApplyAnswer(StripCandidates(answer), net.Now, out error), error);
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.NotEqual(PeerConnectionState.Connected, a.Session.State);

        // RFC 8838: the candidates arrive later, through signalling.
        foreach (string c in a.Session.LocalCandidateValues())
        {
            Assert.True(b.Session.AddRemoteCandidate("a=candidate:" + c, net.Now));
        }

        foreach (string c in b.Session.LocalCandidateValues())
        {
            Assert.True(a.Session.AddRemoteCandidate(c, net.Now));
        }

        Assert.False(a.Session.AddRemoteCandidate("candidate:1 2 udp 2122260223 127.0.0.1 20001 typ host", net.Now));
        a.Session.AddRemoteEndOfCandidates(net.Now);
        b.Session.AddRemoteEndOfCandidates(net.Now);
        Assert.True(net.RunUntil(() => a.Session.State == PeerConnectionState.Connected && b.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void IceRestartKeepsMediaFlowingWithNewCredentials()
    {
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = Connect(Options(17), Options(18));
        Action<TimeSpan> talk = Talk(a.Session, b.Session);
        net.RunFor(TimeSpan.FromMilliseconds(500), talk);
        string oldUfrag = a.Session.LocalIceUfrag;
        int before = b.Media.Count;

        // A restarts (a new offer in JSEP terms; a WHIP PATCH in WHIP terms); B answers with its own new credentials.
        Ice.IceCredentials ca = a.Session.RestartIce(net.Now);
        b.Session.SetRemoteIceCredentials(ca.Ufrag, ca.Password, net.Now);
        Ice.IceCredentials cb = b.Session.RestartIce(net.Now);
        b.Session.SetRemoteIceCredentials(ca.Ufrag, ca.Password, net.Now);
        a.Session.SetRemoteIceCredentials(cb.Ufrag, cb.Password, net.Now);
        foreach (string c in a.Session.LocalCandidateValues())
        {
            b.Session.AddRemoteCandidate(c, net.Now);
        }

        foreach (string c in b.Session.LocalCandidateValues())
        {
            a.Session.AddRemoteCandidate(c, net.Now);
        }

        net.RunFor(TimeSpan.FromSeconds(2), talk);
        Assert.NotEqual(oldUfrag, a.Session.LocalIceUfrag);
        Assert.Equal(ca.Ufrag, a.Session.LocalIceUfrag);
        Assert.Equal(PeerConnectionState.Connected, a.Session.State);
        Assert.Equal(PeerConnectionState.Connected, b.Session.State);
        Assert.InRange(b.Media.Count - before, 95, 101);
        Assert.Equal(0, b.Session.GetStats(net.Now).Get<RtcInboundRtpStreamStats>()!.PacketsLost);
        Assert.Contains(ca.Ufrag, a.Session.GetLocalDescription(), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerOfferWithEarlyDtlsFromTheAnswerer()
    {
        // The answerer (B, DTLS client by default) starts DTLS as soon as its ICE connects, which can be
        // before the offerer has applied the answer: A must keep the early ClientHello and use it.
        var net = new VirtualNetwork();
        VirtualNetwork.Node a = net.Add(new PeerSession(Options(19)), "127.0.0.1:10000");
        VirtualNetwork.Node b = net.Add(new PeerSession(Options(20)), "127.0.0.1:20000");
        string offer = a.Session.CreateOffer(net.Now);
        Assert.True(b.Session.TryAcceptOffer(offer, net.Now, out string? answer, out string? error), error);
        net.RunFor(TimeSpan.FromMilliseconds(300));
        Assert.True(a.Session.TryApplyAnswer(answer, net.Now, out error), error);
        Assert.True(net.RunUntil(() => a.Session.State == PeerConnectionState.Connected && b.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AnswerRejectsOffersItCannotUse()
    {
        var s = new PeerSession(Options(21));
        s.AddLocalAddress(TransportAddress.Parse("127.0.0.1:10000"));
        Assert.False(s.TryAcceptOffer("v=0\r\n", TimeSpan.Zero, out _, out string? error));
        Assert.Contains("SDP", error, StringComparison.Ordinal);
        string noOpus = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", "chromium-156-offer.sdp"))
            .Replace("opus/48000/2", "PCMU/8000", StringComparison.Ordinal);
        Assert.False(s.TryAcceptOffer(noOpus, TimeSpan.Zero, out _, out error));
        // A refused offer leaves the session unused: a good one still works.
        string chromium = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", "chromium-156-offer.sdp"));
        Assert.True(s.TryAcceptOffer(chromium, TimeSpan.Zero, out string? answer, out error), error);
        Assert.Contains("a=rtcp-xr:rcvr-rtt=all", answer, StringComparison.Ordinal);
        Assert.Contains("a=setup:active", answer, StringComparison.Ordinal);
        Assert.Contains("a=candidate:", answer, StringComparison.Ordinal);
        Assert.Contains("transport-cc", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswersFirefoxOffer()
    {
        var s = new PeerSession(Options(22));
        s.AddLocalAddress(TransportAddress.Parse("127.0.0.1:10000"));
        string firefox = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", "firefox-153esr-offer.sdp"));
        Assert.True(s.TryAcceptOffer(firefox, TimeSpan.Zero, out string? answer, out string? error), error);
        Assert.Contains("a=rtpmap:109 opus/48000/2", answer, StringComparison.Ordinal);
        Assert.Equal(109, s.PayloadType);
        Assert.DoesNotContain("rtcp-xr", answer, StringComparison.Ordinal);
    }

    internal static string StripCandidates(string sdp) => CandidateLineRegex().Replace(sdp, "");

    [GeneratedRegex(@"a=fingerprint:sha-256 [0-9A-F:]+")]
    private static partial Regex FingerprintRegex();

    [GeneratedRegex(@"a=(candidate:[^\r\n]*|end-of-candidates)\r\n")]
    private static partial Regex CandidateLineRegex();
}
