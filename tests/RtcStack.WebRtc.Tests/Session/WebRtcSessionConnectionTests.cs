using System.Text.RegularExpressions;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Srtp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Signalling;
using RtcStack.WebRtc.Transport;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// How a <see cref="WebRtcSession"/> (session core v2) puts signalling and its transport together, checked end to end on
/// two sessions in virtual time (specs/webrtc-session.md, "Transport composition" and "RTP and RTCP"): close with BYE
/// and close_notify, the DTLS role from a=setup, the SRTP profile both sides support, DTLS from the answerer before the
/// answer is applied, a wrong fingerprint, trickled candidates, the per-packet NACK limit, and SR/RR timing and RTT. These rules were checked on the v1 PeerSession
/// before it was deleted.
/// </summary>
public partial class WebRtcSessionConnectionTests
{
    private static readonly byte[] Opus = [0x78, 0x01, 0x02, 0x03];

    /// <summary>RFC 3550 §6.6 and RFC 5246 §7.2.1: closing sends one BYE naming every SSRC we sent on, then close_notify.</summary>
    [Fact]
    public void ClosingSendsAByeForEverySendSsrcThenCloseNotifyAndThePeerSeesItClosed()
    {
        using var net = new Pair(seed: 41);
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.SendAudio(aAudio, Opus, 0, net.Now));
        Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 1500), 0, keyFrame: true, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(100));
        uint[] sendSsrcs = [.. net.A.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().Select(o => o.Ssrc).Order()];
        Assert.Equal(2, sendSsrcs.Length);

        var sentAfterClose = new List<byte[]>();
        net.Sent = (from, data) =>
        {
            if (from == net.A)
            {
                sentAfterClose.Add(data);
            }
        };
        net.A.Session.Close(net.Now);
        Assert.Equal(PeerConnectionState.Closed, net.A.Session.State);
        net.RunFor(TimeSpan.FromMilliseconds(200));

        // On the wire: one SRTCP compound (RFC 5761 §4: second byte 200-204), then one DTLS alert record, and nothing
        // after them. The sessions run DTLS 1.3 by default, so the alert is encrypted in a unified-header record (first
        // byte 001CSLEE, RFC 9147 §4; with DTLS 1.2 it would be content type 21, RFC 6347 §4.1).
        Assert.Equal(2, sentAfterClose.Count);
        Assert.InRange(sentAfterClose[0][0], 0x80, 0xBF);
        Assert.InRange(sentAfterClose[0][1], 200, 204);
        Assert.Equal(DtlsVersion.Dtls13, net.A.Session.Transport.NegotiatedDtlsVersion);
        Assert.InRange(sentAfterClose[1][0], 32, 63);

        // B heard a BYE for each of A's send SSRCs, in one compound, and closed on the close_notify.
        Assert.Equal(sendSsrcs, net.B.Events.OfType<SessionRemoteGoodbyeEvent>().Select(e => e.Ssrc).Order());
        Assert.Equal(1, net.B.Session.RtcpCounters.GoodbyesReceived);
        Assert.True(net.B.Session.Transport.ClosedByPeer);
        Assert.False(net.A.Session.Transport.ClosedByPeer);
        Assert.Equal(PeerConnectionState.Closed, net.B.Session.State);
        Assert.Contains(net.B.Events, e => e is SessionStateChangedEvent { State: PeerConnectionState.Closed });
        Assert.Null(net.A.Session.PollTimeout());
        Assert.Null(net.B.Session.PollTimeout());
        Assert.False(net.B.Session.CanSendMedia);
    }

    /// <summary>
    /// RFC 8842 §5: the DTLS role follows a=setup (active is the client); an answer to actpass says active unless told
    /// passive (§5.3), and an offerer that insists on active or passive gets the other role. Either way media flows.
    /// </summary>
    [Theory]
    [InlineData(SetupRole.ActPass, SetupRole.Active, DtlsRole.Server)]
    [InlineData(SetupRole.ActPass, SetupRole.Passive, DtlsRole.Client)]
    [InlineData(SetupRole.Active, SetupRole.Active, DtlsRole.Client)]
    [InlineData(SetupRole.Passive, SetupRole.Active, DtlsRole.Server)]
    public void TheDtlsRoleFollowsSetupAndEitherRoleCarriesMedia(SetupRole offerSetup, SetupRole answerSetup, DtlsRole offererRole)
    {
        using var net = new Pair(seed: 57,
            a: seed => new WebRtcSessionOptions { Random = new Random(seed), Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) }, OfferSetup = offerSetup },
            b: seed => new WebRtcSessionOptions { Random = new Random(seed), Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) }, AnswerSetup = answerSetup });
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)), $"A {net.A.Session.State}, B {net.B.Session.State}");
        Assert.Equal(offererRole, Assert.Single(net.A.Events.OfType<SessionDtlsConnectedEvent>()).Details.Role);
        Assert.NotEqual(offererRole, Assert.Single(net.B.Events.OfType<SessionDtlsConnectedEvent>()).Details.Role);
        Assert.True(net.A.Session.SendAudio(aAudio, Opus, 0, net.Now));
        Assert.True(net.B.Session.SendAudio(bAudio, Opus, 0, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Single(net.A.Media);
        Assert.Single(net.B.Media);
    }

    /// <summary>RFC 5764 §4.1.1-4.1.2: the profile used is one the offerer and the answerer both listed.</summary>
    [Theory]
    [InlineData("AeadAes128Gcm", "AeadAes128Gcm,Aes128CmHmacSha1_80", SrtpProfile.AeadAes128Gcm)]
    [InlineData("AeadAes128Gcm,Aes128CmHmacSha1_80", "AeadAes128Gcm", SrtpProfile.AeadAes128Gcm)]
    [InlineData("AeadAes128Gcm,Aes128CmHmacSha1_80", "Aes128CmHmacSha1_80", SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData("Aes128CmHmacSha1_32,AeadAes256Gcm", "AeadAes256Gcm,Aes128CmHmacSha1_80", SrtpProfile.AeadAes256Gcm)]
    [InlineData("AeadAes128Gcm,AeadAes256Gcm,Aes128CmHmacSha1_80,Aes128CmHmacSha1_32", "Aes128CmHmacSha1_32", SrtpProfile.Aes128CmHmacSha1_32)]
    public void TheSrtpProfileIsOneBothSidesSupport(string offerer, string answerer, SrtpProfile expected)
    {
        using var net = new Pair(seed: 43, a: seed => WithProfiles(seed, offerer), b: seed => WithProfiles(seed, answerer));
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)), $"A {net.A.Session.State}, B {net.B.Session.State}");

        foreach (Peer p in new[] { net.A, net.B })
        {
            Assert.Equal(expected, p.Session.Transport.SrtpProfile);
            Assert.Equal(expected, Assert.Single(p.Events.OfType<SessionDtlsConnectedEvent>()).Details.SrtpProfile);
            Assert.Equal(RtcStatsNames.SrtpName(expected), p.Session.GetStats(net.Now).Get<RtcTransportStats>()!.SrtpCipher);
        }

        // And the keys from that profile protect media both ways (RFC 5764 §4.2).
        for (int i = 0; i < 10; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, Opus, (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, Opus, (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(10, net.A.Media.Count);
        Assert.Equal(10, net.B.Media.Count);
    }

    /// <summary>RFC 5764 §4.1.2: with no profile in common the DTLS server fails the handshake, typed, and both sessions fail.</summary>
    [Fact]
    public void NoSrtpProfileInCommonFailsBothSessionsAndSaysWhy()
    {
        using var net = new Pair(seed: 45, a: seed => WithProfiles(seed, "Aes128CmHmacSha1_80"), b: seed => WithProfiles(seed, "AeadAes128Gcm"));
        (Transceiver aAudio, _) = NegotiateAudio(net);
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Failed && net.B.Session.State == PeerConnectionState.Failed, TimeSpan.FromSeconds(10)),
            $"A {net.A.Session.State}, B {net.B.Session.State}");

        // A offered actpass and B answered active: A is the DTLS server, the side that finds no profile in common.
        TransportFailedEvent server = Assert.Single(net.A.Events.OfType<SessionTransportFailedEvent>()).Details;
        Assert.Equal(TransportFailure.NoCommonSrtpProfile, server.Failure);
        Assert.Equal(DtlsError.NoCommonSrtpProfile, server.DtlsError);
        TransportFailedEvent client = Assert.Single(net.B.Events.OfType<SessionTransportFailedEvent>()).Details;
        Assert.Equal(TransportFailure.DtlsFailed, client.Failure);
        Assert.Equal(DtlsError.PeerAlert, client.DtlsError);
        Assert.DoesNotContain(net.A.Events, e => e is SessionDtlsConnectedEvent);
        Assert.False(net.A.Session.CanSendMedia);
        Assert.False(net.A.Session.SendAudio(aAudio, Opus, 0, net.Now));
    }

    /// <summary>
    /// We offer; the answerer (DTLS client) sends its ClientHello as soon as its ICE has a pair, before our side has
    /// applied its answer. We offer as an ICE lite agent (RFC 8445 §6.1.1: the full answerer controls and nominates at
    /// once, as when Janus or mediasoup offer), so the answerer's ICE completes without our answer, as a browser's does when
    /// it uses a valid pair before nomination. The hello is held and used once the answer is applied: the call connects
    /// without the client repeating it (its first retransmission would only come after 20 s).
    /// </summary>
    [Fact]
    public void DtlsFromTheAnswererBeforeTheAnswerIsAppliedIsHeldAndTheCallConnects()
    {
        using var net = new Pair(seed: 47, a: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1), IceLite = true },
        }, b: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1), DtlsInitialRetransmitTimeout = TimeSpan.FromSeconds(20) },
        });
        int clientHellos = 0;
        net.Sent = (from, data) => clientHellos += from == net.B && IsClientHello(data) ? 1 : 0;
        net.A.Session.AddTransceiver(MediaKind.Audio);
        net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());

        // The answer is "on its way": A has not applied it when B's ClientHello arrives.
        Assert.True(net.RunUntil(() => net.A.Session.Transport.Counters.DtlsDatagramsReceived > 0, TimeSpan.FromSeconds(5)), "no DTLS from the answerer before the answer");
        Assert.Equal(1, clientHellos);
        Assert.Equal(DtlsState.New, net.A.Session.Transport.DtlsState);
        Assert.Equal(0, net.A.Session.Transport.Counters.DroppedTotal);
        TimeSpan answerAppliedAt = net.Now;
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());

        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)), $"A {net.A.Session.State}, B {net.B.Session.State}");
        Assert.True(net.Now - answerAppliedAt < TimeSpan.FromSeconds(20), $"connected {net.Now - answerAppliedAt} after the answer");
        Assert.Equal(1, clientHellos);
        Assert.Equal(DtlsRole.Server, Assert.Single(net.A.Events.OfType<SessionDtlsConnectedEvent>()).Details.Role);
        Assert.Equal(DtlsRole.Client, Assert.Single(net.B.Events.OfType<SessionDtlsConnectedEvent>()).Details.Role);
    }

    /// <summary>RFC 8122 §5, RFC 8827 §6.5: the peer's certificate must match the fingerprint in its description.</summary>
    [Fact]
    public void AWrongFingerprintFailsTheHandshake()
    {
        using var net = new Pair(seed: 49);
        net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.A.Session.CreateOffer(net.Now);

        // One hex digit of A's fingerprint changed on the way: B must refuse A's certificate.
        string tampered = LastFingerprintDigit().Replace(offer, m => m.Groups[1].Value + (m.Groups[2].Value == "0" ? "1" : "0"));
        Assert.NotEqual(offer, tampered);
        Assert.True(net.B.Session.TryAcceptOffer(tampered, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.B.Session.State == PeerConnectionState.Failed, TimeSpan.FromSeconds(10)), $"B {net.B.Session.State}");
        net.RunFor(TimeSpan.FromSeconds(2));

        TransportFailedEvent failed = Assert.Single(net.B.Events.OfType<SessionTransportFailedEvent>()).Details;
        Assert.Equal(TransportFailure.DtlsFailed, failed.Failure);
        Assert.Equal(DtlsError.FingerprintMismatch, failed.DtlsError);
        Assert.DoesNotContain(net.B.Events, e => e is SessionDtlsConnectedEvent);
        Assert.NotEqual(PeerConnectionState.Connected, net.A.Session.State);
        Assert.False(net.B.Session.CanSendMedia);
        Assert.False(net.B.Session.SendAudio(bAudio, Opus, 0, net.Now));
    }

    /// <summary>
    /// RFC 8838: descriptions without candidates, the candidates trickled afterwards, connect. RFC 8843 with rtcp-mux
    /// (RFC 8858) uses one component: a component-2 candidate (Firefox trickles them) is refused.
    /// </summary>
    [Fact]
    public void TrickledCandidatesConnectAndAComponentTwoCandidateIsRefused()
    {
        using var net = new Pair(seed: 51) { ForwardCandidates = false };
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = SessionWhipHandlerTests.StripCandidates(net.A.Session.CreateOffer(net.Now));
        Assert.DoesNotContain("a=candidate", offer, StringComparison.Ordinal);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(SessionWhipHandlerTests.StripCandidates(answer!), net.Now, out error), error?.ToString());
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.NotEqual(PeerConnectionState.Connected, net.A.Session.State);
        Assert.NotEqual(PeerConnectionState.Connected, net.B.Session.State);

        Assert.False(net.A.Session.AddRemoteCandidate("candidate:1 2 udp 2122260223 10.0.0.2 6001 typ host", net.Now));
        foreach (string c in net.A.Session.LocalCandidateValues())
        {
            Assert.True(net.B.Session.AddRemoteCandidate("candidate:" + c, net.Now));
        }

        foreach (string c in net.B.Session.LocalCandidateValues())
        {
            Assert.True(net.A.Session.AddRemoteCandidate(c, net.Now));
        }

        net.A.Session.AddRemoteEndOfCandidates(net.Now);
        net.B.Session.AddRemoteEndOfCandidates(net.Now);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)), $"A {net.A.Session.State}, B {net.B.Session.State}");
        Assert.Equal(6000, net.A.Session.Transport.SelectedPair!.Remote.Port);
        Assert.True(net.A.Session.SendAudio(aAudio, Opus, 0, net.Now));
        Assert.True(net.B.Session.SendAudio(bAudio, Opus, 0, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Single(net.A.Media);
        Assert.Single(net.B.Media);
    }

    /// <summary>
    /// RFC 4585 §6.2.1 and the receive stream's limit of 10 tries per lost packet, at session level: a host at full load
    /// refuses every retransmission (shared budget at 0), so B never gets the five lost packets and keeps asking; it asks
    /// for each at most 10 times, and then stops for good however long the call goes on.
    /// </summary>
    [Fact]
    public void ALostPacketIsAskedForAtMostTenTimesWhenEveryResendIsRefused()
    {
        var shared = new RetransmissionBudget(1) { Fraction = 0 };
        using var net = new Pair(seed: 53, a: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            SharedRetransmissionBudget = shared,
        });
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));

        // Every 20th of A's first 100 RTP datagrams is lost: five packets.
        int rtp = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 0x80 and <= 0xBF && data[1] is < 192 or > 223 && ++rtp % 20 == 0 && rtp <= 100;
        for (int i = 0; i < 60; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 3000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromSeconds(2));
        Assert.Equal(5, net.Dropped);
        RtcOutboundRtpStreamStats refused = VideoOut(net);
        Assert.Equal(0, refused.RetransmittedPacketsSent);
        Assert.InRange(refused.RetransmissionsDropped, 5, 5 * 10);
        Assert.Equal(shared.Dropped, refused.RetransmissionsDropped);

        // Nothing more is asked for later.
        net.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(refused.RetransmissionsDropped, VideoOut(net).RetransmissionsDropped);
        Assert.Equal(refused.NackCount, VideoOut(net).NackCount);
    }

    /// <summary>
    /// RFC 4585 §4.2 allows feedback types nobody registered, and RFC 8839 §5.1 extra candidate extensions (an
    /// implementation "MUST ignore any name/value pairs it doesn't understand"): an offer with both is answered, the
    /// answer names only the feedback both sides know, and the call connects over the candidate with the extensions.
    /// </summary>
    [Fact]
    public void AnOfferWithUnknownFeedbackTypesAndCandidateExtensionsIsAnsweredAndConnects()
    {
        using var net = new Pair(seed: 57) { ForwardCandidates = false };
        Transceiver a = net.A.Session.AddTransceiver(MediaKind.Audio);
        net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.A.Session.CreateOffer(net.Now);
        Match opus = Regex.Match(offer, @"a=rtpmap:(\d+) opus/48000/2\r\n");
        Assert.True(opus.Success, offer);
        string pt = opus.Groups[1].Value;
        offer = offer.Insert(opus.Index + opus.Length, $"a=rtcp-fb:{pt} x-unknown-fb\r\na=rtcp-fb:* goog-lntf\r\na=rtcp-fb:{pt} nack x-new-kind\r\n");

        // A's candidate reaches B only in the offer (nothing is trickled), with Chrome's extensions and a vendor's;
        // without a candidate of A's, B could not connect (TrickledCandidatesConnect...).
        string candidate = new Ice.IceCandidate("1", 1, Ice.IceTransportProtocol.Udp, 2130706431, net.A.Address, Ice.IceCandidateType.Host).ToString();
        offer = SessionWhipHandlerTests.StripCandidates(offer) + "a=" + candidate + " generation 0 network-id 1 network-cost 10 x-vendor some-value\r\n";
        Assert.Single(Regex.Matches(offer, "a=candidate:"));
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.DoesNotContain("x-unknown-fb", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("goog-lntf", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("x-new-kind", answer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.SendAudio(a, Opus, 0, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Single(net.B.Media);
    }

    /// <summary>
    /// RFC 6464 §3 both ways through the session: the level and V flag A's sender gives each packet come out of B's
    /// ReceivedMedia (what an SFU reads to find the active speaker); a packet sent without a level has none.
    /// </summary>
    [Fact]
    public void TheSendersAudioLevelReachesTheReceivedMedia()
    {
        using var net = new Pair(seed: 55);
        (Transceiver a, _) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        int[] levels = [0, 127, 30, -1, 64];
        for (int i = 0; i < levels.Length; i++)
        {
            Assert.True(net.A.Session.SendAudio(a, Opus, (uint)(960 * i), net.Now, audioLevel: levels[i], voiceActivity: i % 2 == 0));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(100));
        ReceivedMedia[] got = [.. net.B.Media.Select(m => m.Media)];
        Assert.Equal(levels, got.Select(m => m.AudioLevel));
        Assert.Equal(levels.Select((l, i) => l >= 0 && i % 2 == 0), got.Select(m => m.VoiceActivity));
    }

    /// <summary>
    /// RFC 3550 §6.1: every compound RTCP packet carries SDES CNAME, the feedback ones too (RFC 4585 §3.1: RR, SDES, then
    /// the feedback). B loses some of A's video, so it sends NACKs and a key frame request besides its TWCC feedback and
    /// reports; A counts every compound it gets and how many lacked SDES.
    /// </summary>
    [Fact]
    public void EveryCompoundIncludingFeedbackCarriesSdesCname()
    {
        using var net = new Pair(seed: 54, a: NoProbing);
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        int rtp = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 0x80 and <= 0xBF && data[1] is < 192 or > 223 && ++rtp % 15 == 0 && rtp <= 120;
        for (int i = 0; i < 60; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 3000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromSeconds(2));
        SessionRtcpCounters received = net.A.Session.RtcpCounters;
        Assert.True(VideoOut(net).NackCount >= 1, "B sent no NACK");
        Assert.True(received.TransportFeedbackReceived >= 10, $"{received.TransportFeedbackReceived} transport-layer feedback packets");
        Assert.True(received.ReceiverReportsReceived >= 20, $"{received.ReceiverReportsReceived} receiver reports");
        Assert.Equal(0, received.CompoundsWithoutSdes);
    }

    /// <summary>
    /// RFC 3550 §6.4 with §6.3.1's randomised interval: each side sends an SR every <see cref="WebRtcSessionOptions.RtcpInterval"/>
    /// (1 s) × [0.5, 1.5], so 3 to 12 in 6 s; RFC 3550 §6.4.1: the RTT from report blocks about our stream (A − LSR −
    /// DLSR) is the link's 2 × 25 ms, to the 1/65536 s of the compact NTP fields.
    /// </summary>
    [Fact]
    public void SenderReportsFlowBothWaysOncePerIntervalAndGiveTheRoundTripTime()
    {
        using var net = new Pair(seed: 55) { Delay = (_, _) => TimeSpan.FromMilliseconds(25) };
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net);
        Assert.True(net.RunUntil(BothConnected(net), TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 300; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, Opus, (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, Opus, (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        foreach ((Peer me, Peer peer) in new[] { (net.A, net.B), (net.B, net.A) })
        {
            Assert.InRange(me.Session.RtcpCounters.SenderReportsSent, 3, 12);
            Assert.InRange(me.Session.RtcpCounters.SenderReportsReceived, 3, 12);
            RtcStatsReport r = me.Session.GetStats(net.Now);
            uint mine = Assert.Single(r.All<RtcOutboundRtpStreamStats>()).Ssrc;
            uint theirs = Assert.Single(peer.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>()).Ssrc;
            RtcRemoteInboundRtpStreamStats ri = Assert.Single(r.All<RtcRemoteInboundRtpStreamStats>());
            Assert.Equal(mine, ri.Ssrc);
            Assert.Equal(0, ri.PacketsLost);
            Assert.True(ri.RoundTripTimeMeasurements >= 2, $"{ri.RoundTripTimeMeasurements} RTTs");
            Assert.InRange(ri.RoundTripTime!.Value, 0.049, 0.051);
            RtcRemoteOutboundRtpStreamStats ro = Assert.Single(r.All<RtcRemoteOutboundRtpStreamStats>());
            Assert.Equal(theirs, ro.Ssrc);
            Assert.True(ro.PacketsSent > 200, $"the peer's SR says {ro.PacketsSent} sent");
        }
    }

    private static RtcOutboundRtpStreamStats VideoOut(Pair net) =>
        net.A.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "video");

    internal static Func<bool> BothConnected(Pair net) =>
        () => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected;

    internal static (Transceiver A, Transceiver B) NegotiateAudio(Pair net)
    {
        Transceiver a = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver b = net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        return (a, b);
    }

    private static WebRtcSessionOptions WithProfiles(int seed, string profiles)
    {
        var transport = new WebRtcTransportOptions { Random = new Random(seed + 1) };
        transport.SrtpProfiles.Clear();
        foreach (string name in profiles.Split(','))
        {
            transport.SrtpProfiles.Add(Enum.Parse<SrtpProfile>(name));
        }

        return new WebRtcSessionOptions { Random = new Random(seed), Transport = transport };
    }

    /// <summary>
    /// A DTLS handshake record (content type 22, RFC 6347 §4.1) whose first message is a ClientHello (type 1, §4.2.2)
    /// starting at fragment_offset 0: one per ClientHello sent, though the default DTLS 1.3 ClientHello with its
    /// X25519MLKEM768 share is fragmented over two datagrams (RFC 9147 §5.5).
    /// </summary>
    private static bool IsClientHello(byte[] datagram) =>
        datagram.Length > 25 && datagram[0] == 22 && datagram[13] == 1 && datagram[19] == 0 && datagram[20] == 0 && datagram[21] == 0;

    [GeneratedRegex(@"(a=fingerprint:sha-256 [0-9A-Fa-f:]*)([0-9A-Fa-f])(?=\r\n)")]
    private static partial Regex LastFingerprintDigit();
}
