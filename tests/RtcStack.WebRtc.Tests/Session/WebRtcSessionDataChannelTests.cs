using System.Text;
using RtcStack.Dtls;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using JsepError = RtcStack.Sdp.Jsep.JsepError;
using Pair = RtcStack.WebRtc.Tests.Session.WebRtcSessionTests.Pair;
using Peer = RtcStack.WebRtc.Tests.Session.WebRtcSessionTests.Peer;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Data channels through two <see cref="WebRtcSession"/>s in virtual time: the m=application section in the BUNDLE
/// group (RFC 8841), SCTP in DTLS application data (RFC 8261), DCEP (RFC 8832) and negotiated channels, ordered and
/// unordered delivery, a message larger than the congestion window, close by stream reset and the id reused
/// (RFC 8831 §6.7), and the association's timers through PollOutput.
/// </summary>
public class WebRtcSessionDataChannelTests
{
    [Fact]
    public void MessagesFlowBothWaysOnSeveralChannelsBesideAudio()
    {
        using var net = new Pair(seed: 40);
        net.A.Session.AddTransceiver(MediaKind.Audio);
        net.A.Session.AddDataChannels();
        net.B.Session.AddTransceiver(MediaKind.Audio);
        Negotiate(net);
        WaitForAssociation(net);

        // The offerer is the DTLS server (it offered actpass; the answerer takes active): odd ids; the answerer even (RFC 8832 §6).
        DataChannel chat = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "chat", Protocol = "text" }, net.Now);
        DataChannel fast = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "fast", Ordered = false, MaxRetransmits = 0 }, net.Now);
        DataChannel back = net.B.Session.CreateDataChannel(new DataChannelOptions { Label = "back" }, net.Now);
        DataChannel aAgreed = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "agreed", Negotiated = true, Id = 10 }, net.Now);
        DataChannel bAgreed = net.B.Session.CreateDataChannel(new DataChannelOptions { Label = "agreed", Negotiated = true, Id = 10 }, net.Now);
        Assert.Equal([1, 3], new[] { (int)chat.Id, fast.Id });
        Assert.Equal(0, back.Id);
        net.RunFor(TimeSpan.FromMilliseconds(100));

        // The peer's in-band channels open on the other side with their label, protocol and reliability.
        DataChannel bChat = OpenedRemotely(net.B, "chat");
        Assert.Equal(("text", true, 1), (bChat.Protocol, bChat.Ordered, (int)bChat.Id));
        DataChannel bFast = OpenedRemotely(net.B, "fast");
        Assert.Equal((false, (int?)0), (bFast.Ordered, bFast.MaxRetransmits));
        DataChannel aBack = OpenedRemotely(net.A, "back");
        Assert.Equal(0, aBack.Id);

        for (int i = 0; i < 20; i++)
        {
            net.A.Session.SendDataChannelText(chat, $"hello {i}", net.Now);
            net.A.Session.SendDataChannelMessage(fast, [(byte)i, 1, 2, 3], net.Now);
            net.B.Session.SendDataChannelMessage(back, Encoding.ASCII.GetBytes($"back {i}"), net.Now);
            net.B.Session.SendDataChannelText(bAgreed, $"agreed {i}", net.Now);
            net.RunFor(TimeSpan.FromMilliseconds(3));
        }

        net.A.Session.SendDataChannelText(chat, string.Empty, net.Now);
        net.A.Session.SendDataChannelMessage(chat, [], net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(500));

        List<DataChannelMessageEvent> onChat = Messages(net.B, bChat.Id);
        Assert.Equal(22, onChat.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"hello {i}"), onChat.Take(20).Select(m => Encoding.UTF8.GetString(m.Data)));
        Assert.All(onChat.Take(20), m => Assert.True(m.IsString));
        Assert.Equal((0, true), (onChat[20].Data.Length, onChat[20].IsString));
        Assert.Equal((0, false), (onChat[21].Data.Length, onChat[21].IsString));

        // Unordered: all arrive (no loss here), in whatever order.
        List<DataChannelMessageEvent> onFast = Messages(net.B, bFast.Id);
        Assert.Equal(Enumerable.Range(0, 20), onFast.Select(m => (int)m.Data[0]).Order());
        Assert.All(onFast, m => Assert.False(m.IsString));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"back {i}"), Messages(net.A, 0).Select(m => Encoding.ASCII.GetString(m.Data)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"agreed {i}"), Messages(net.A, 10).Select(m => Encoding.UTF8.GetString(m.Data)));
        Assert.Same(aAgreed, Messages(net.A, 10)[0].Channel);
    }

    [Fact]
    public void AMessageOf200KiBArrivesWholeBothWays()
    {
        using var net = new Pair(seed: 41);
        net.A.Session.AddDataChannels();
        Negotiate(net);
        WaitForAssociation(net);
        DataChannel a = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "bulk" }, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        DataChannel b = OpenedRemotely(net.B, "bulk");

        byte[] big = new byte[200 * 1024];
        new Random(7).NextBytes(big);
        net.A.Session.SendDataChannelMessage(a, big, net.Now);
        Assert.True(net.A.Session.GetDataChannelBufferedAmount(a) > 0);
        Assert.True(net.RunUntil(() => Messages(net.B, b.Id).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(big, Messages(net.B, b.Id)[0].Data);

        byte[] reply = big.Reverse().ToArray();
        net.B.Session.SendDataChannelMessage(b, reply, net.Now);
        Assert.True(net.RunUntil(() => Messages(net.A, a.Id).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(reply, Messages(net.A, a.Id)[0].Data);
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(0, net.A.Session.GetDataChannelBufferedAmount(a));
    }

    /// <summary>
    /// RFC 9653 §6 through the session, SCTP inside our DTLS: with <see cref="WebRtcSessionOptions.DataChannelZeroChecksum"/>
    /// on both sides the association agrees on zero checksums and a 200 KiB message crosses each way in packets whose
    /// checksum field is zero (counted by each association, sent and accepted); with it on one side only, every packet
    /// keeps its CRC32c. <see cref="WebRtcSessionOptions.DataChannelScheduler"/> reaches the association, and a channel's
    /// priority its stream on both ends (RFC 8831 §6.4).
    /// </summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void ZeroChecksumAndScheduler_Options_ReachTheAssociation(bool a, bool b)
    {
        WebRtcSessionOptions Options(int seed, bool zero) => new()
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            DataChannelZeroChecksum = zero,
            DataChannelScheduler = RtcStack.Sctp.SctpStreamSchedulerKind.WeightedFairQueueing,
        };
        using var net = new Pair(seed: 48, a: seed => Options(seed, a), b: seed => Options(seed, b));
        net.A.Session.AddDataChannels();
        Negotiate(net);
        WaitForAssociation(net);
        DataChannel ch = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "zc", Priority = 1024 }, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        DataChannel atB = OpenedRemotely(net.B, "zc");

        byte[] big = new byte[200 * 1024];
        new Random(8).NextBytes(big);
        net.A.Session.SendDataChannelMessage(ch, big, net.Now);
        Assert.True(net.RunUntil(() => Messages(net.B, atB.Id).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(big, Messages(net.B, atB.Id)[0].Data);
        net.B.Session.SendDataChannelMessage(atB, big, net.Now);
        Assert.True(net.RunUntil(() => Messages(net.A, ch.Id).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(big, Messages(net.A, ch.Id)[0].Data);

        RtcStack.Sctp.SctpAssociation sa = net.A.Session.DataChannelTransport!.Association;
        RtcStack.Sctp.SctpAssociation sb = net.B.Session.DataChannelTransport!.Association;
        Assert.Equal(RtcStack.Sctp.SctpStreamSchedulerKind.WeightedFairQueueing, sa.Options.StreamScheduler);
        Assert.Equal((ushort)1024, sa.GetStreamPriority(ch.Id));
        Assert.Equal((ushort)1024, sb.GetStreamPriority(atB.Id));
        bool both = a && b;
        Assert.Equal(both, sa.ZeroChecksum);
        Assert.Equal(both, sb.ZeroChecksum);
        if (both)
        {
            // 200 KiB is about 180 packets of DATA each way, plus SACKs.
            Assert.True(sa.Statistics.ZeroChecksumPacketsSent > 150 && sb.Statistics.ZeroChecksumPacketsSent > 150);
            Assert.True(sa.Statistics.ZeroChecksumPacketsReceived > 150 && sb.Statistics.ZeroChecksumPacketsReceived > 150);
        }
        else
        {
            Assert.Equal(0, sa.Statistics.ZeroChecksumPacketsSent + sb.Statistics.ZeroChecksumPacketsSent);
            Assert.Equal(0, sa.Statistics.ZeroChecksumPacketsReceived + sb.Statistics.ZeroChecksumPacketsReceived);
        }

        Assert.Equal(0, sa.Statistics.PacketsDropped + sb.Statistics.PacketsDropped);
    }

    [Fact]
    public void AClosedChannelClosesOnBothSidesAndItsIdIsReused()
    {
        using var net = new Pair(seed: 42);
        net.A.Session.AddDataChannels();
        Negotiate(net);
        WaitForAssociation(net);
        DataChannel first = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "first" }, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        DataChannel remoteFirst = OpenedRemotely(net.B, "first");
        net.A.Session.SendDataChannelText(first, "before close", net.Now);
        net.A.Session.CloseDataChannel(first, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(500));

        // RFC 8831 §6.7: data sent before the reset is delivered; then both directions are reset and both sides close.
        Assert.Equal("before close", Encoding.UTF8.GetString(Assert.Single(Messages(net.B, first.Id)).Data));
        Assert.Equal(DataChannelState.Closed, first.State);
        Assert.Equal(DataChannelState.Closed, remoteFirst.State);
        Assert.Contains(ChannelEvents<DataChannelClosedEvent>(net.A), e => e.Channel == first);
        Assert.Contains(ChannelEvents<DataChannelClosedEvent>(net.B), e => e.Channel == remoteFirst);
        Assert.Empty(net.A.Session.DataChannels);
        Assert.Throws<InvalidOperationException>(() => net.A.Session.SendDataChannelText(first, "after close", net.Now));

        DataChannel second = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "second" }, net.Now);
        Assert.Equal(first.Id, second.Id);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        DataChannel remoteSecond = OpenedRemotely(net.B, "second");
        Assert.Equal(first.Id, remoteSecond.Id);
        net.A.Session.SendDataChannelText(second, "after reuse", net.Now);
        net.B.Session.SendDataChannelText(remoteSecond, "reply", net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(300));
        Assert.Equal(["before close", "after reuse"], Messages(net.B, first.Id).Select(m => Encoding.UTF8.GetString(m.Data)));
        Assert.Equal("reply", Encoding.UTF8.GetString(Assert.Single(Messages(net.A, second.Id)).Data));
    }

    [Fact]
    public void ALostSctpPacketIsRetransmittedOnTheDataChannelTimer()
    {
        using var net = new Pair(seed: 43);
        net.A.Session.AddDataChannels();
        Negotiate(net);
        WaitForAssociation(net);
        DataChannel a = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "lossy" }, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(100));
        DataChannel b = OpenedRemotely(net.B, "lossy");

        // Drop A's next DTLS application data record: the one carrying the message. The sessions negotiate DTLS 1.3 by
        // default, so it is a unified-header ciphertext record (first byte 001CSLEE, RFC 9147 §4); nothing else A sends
        // once connected starts with 32-63 (with DTLS 1.2 it would be content type 23, RFC 6347 §4.1).
        Assert.Equal(RtcStack.Dtls.DtlsVersion.Dtls13, net.A.Session.Transport.NegotiatedDtlsVersion);
        int dropped = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 32 and <= 63 && dropped++ == 0;
        net.A.Session.SendDataChannelText(a, "once lost", net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(20));
        Assert.Equal(1, dropped);
        Assert.Empty(Messages(net.B, b.Id));

        // Until the retransmission (T3-rtx, RFC 9260 §6.3.2: RTO.Initial 1 s) the session says it waits for the data channel timer.
        var reasons = new HashSet<SessionTimerReason>();
        while (Messages(net.B, b.Id).Count == 0 && net.Now < TimeSpan.FromSeconds(30))
        {
            SessionOutput o = net.A.Session.PollOutput(new byte[WebRtcSession.MinOutputBuffer]);
            if (o.Kind == SessionOutputKind.Timeout)
            {
                reasons.Add(o.Timeout!.Value.Reason);
            }

            net.RunFor(TimeSpan.FromMilliseconds(10));
        }

        Assert.Contains(SessionTimerReason.DataChannel, reasons);
        Assert.Single(Messages(net.B, b.Id));
        Assert.Equal("once lost", Encoding.UTF8.GetString(Messages(net.B, b.Id)[0].Data));
    }

    [Fact]
    public void MessagesLargerThanThePeersMaxMessageSizeAreRefused()
    {
        using var net = new Pair(
            seed: 44,
            b: seed => new WebRtcSessionOptions
            {
                Random = new Random(seed),
                Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
                MaxMessageSize = 1000,
            });
        net.A.Session.AddDataChannels();
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.Contains("a=max-message-size:1000", answer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        WaitForAssociation(net);
        Assert.Equal(1000, net.A.Session.MaxDataChannelMessageSize);
        // Our own limit bounds what we send as well: the association has one maximum for both directions.
        Assert.Equal(1000, net.B.Session.MaxDataChannelMessageSize);
        DataChannel a = net.A.Session.CreateDataChannel(new DataChannelOptions { Label = "small" }, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.A.Session.SendDataChannelMessage(a, new byte[1001], net.Now));
        net.A.Session.SendDataChannelMessage(a, new byte[1000], net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1000, Assert.Single(Messages(net.B, a.Id)).Data.Length);
    }

    [Theory]
    [InlineData(JsepTestKit.ChromiumAudioVideoData, DtlsRole.Client)]
    [InlineData(JsepTestKit.FirefoxAudioVideoData, DtlsRole.Server)]
    public void ABrowsersOfferWithDataIsAnsweredInOneBundleAndSetsUpTheAssociation(string fixture, DtlsRole role)
    {
        using var session = new WebRtcSession(new WebRtcSessionOptions
        {
            Random = new Random(45),
            Transport = new WebRtcTransportOptions { Random = new Random(46) },
            AnswerSetup = role == DtlsRole.Client ? SetupRole.Active : SetupRole.Passive,
        });
        string offer = JsepTestKit.Fixture(fixture).ToString();
        Assert.True(session.TryAcceptOffer(offer, TimeSpan.FromSeconds(1), out string? answerText, out JsepError? error), error?.ToString());
        Assert.True(SessionDescription.TryParse(answerText, out SessionDescription? answer, out _));

        MediaDescription data = answer!.MediaDescriptions.Single(m => m.Media == "application");
        Assert.False(data.IsRejected);
        Assert.Equal(("UDP/DTLS/SCTP", "webrtc-datachannel"), (data.MediaLine.Protocol, data.MediaLine.Formats.Single()));
        Assert.Equal("5000", data.GetAttribute("sctp-port"));
        Assert.Equal("262144", data.GetAttribute("max-message-size"));
        Assert.Contains(data.Mid!, answer.GetBundleGroups().Single().Mids);
        Assert.Equal(3, answer.GetBundleGroups().Single().Mids.Count);

        // The association exists (stream parity from the DTLS role) and waits for DTLS; the peer's 64 KiB default does
        // not apply since both browsers say what they accept (262144 and 1073741823), and ours is the smaller.
        Assert.NotNull(session.DataChannelTransport);
        Assert.Equal(256 * 1024, session.MaxDataChannelMessageSize);
        using var unnegotiated = new WebRtcSession();
        Assert.Throws<InvalidOperationException>(() => unnegotiated.CreateDataChannel(new DataChannelOptions(), TimeSpan.Zero));
        DataChannel early = session.CreateDataChannel(new DataChannelOptions { Label = "early" }, TimeSpan.FromSeconds(1));
        Assert.Equal(role == DtlsRole.Client ? 0 : 1, early.Id);
        Assert.Equal(DataChannelState.Connecting, early.State);
    }

    [Fact]
    public void AnApplicationSectionThatIsNotWebRtcDataChannelIsRejectedAndStartsNoAssociation()
    {
        // The pre-RFC 8841 form ("DTLS/SCTP 5000" with a=sctpmap) is not a data channel section we run (RFC 8841 §4).
        string offer = JsepTestKit.Fixture(JsepTestKit.ChromiumAudioVideoData).ToString()
            .Replace("m=application 39604 UDP/DTLS/SCTP webrtc-datachannel", "m=application 39604 DTLS/SCTP 5000", StringComparison.Ordinal);
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(48) });
        Assert.True(session.TryAcceptOffer(offer, TimeSpan.FromSeconds(1), out string? answerText, out JsepError? error), error?.ToString());
        Assert.True(SessionDescription.TryParse(answerText, out SessionDescription? answer, out _));
        Assert.Equal(0, answer!.MediaDescriptions.Single(m => m.Media == "application").MediaLine.Port);
        Assert.Contains(session.Jsep.AnswerRejections, r => r.Code == RtcStack.Sdp.Jsep.JsepErrorCode.UnsupportedProtocol && r.Mid == "2");
        Assert.DoesNotContain("2", answer.GetBundleGroups().Single().Mids);
        Assert.Null(session.DataChannelTransport);
    }

    [Fact]
    public void ADataOnlyOfferHasOneApplicationSectionInItsBundleGroup()
    {
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(47), SctpPort = 5001, MaxMessageSize = 100_000 });
        session.AddDataChannels();
        Assert.True(SessionDescription.TryParse(session.CreateOffer(TimeSpan.FromSeconds(1)), out SessionDescription? offer, out _));
        MediaDescription m = Assert.Single(offer!.MediaDescriptions);
        Assert.Equal(("application", 9, "UDP/DTLS/SCTP"), (m.Media, m.MediaLine.Port, m.MediaLine.Protocol));
        Assert.Equal(("5001", "100000"), (m.GetAttribute("sctp-port"), m.GetAttribute("max-message-size")));
        Assert.Equal([m.Mid!], offer.GetBundleGroups().Single().Mids);
        Assert.Equal(SetupRole.ActPass, m.Setup);
    }

    internal static void Negotiate(Pair net)
    {
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
    }

    internal static void WaitForAssociation(Pair net) =>
        Assert.True(
            net.RunUntil(() => ChannelEvents<DataChannelTransportConnectedEvent>(net.A).Any() && ChannelEvents<DataChannelTransportConnectedEvent>(net.B).Any(), TimeSpan.FromSeconds(10)),
            "the SCTP association did not come up");

    internal static IEnumerable<T> ChannelEvents<T>(Peer p)
        where T : DataChannelEvent =>
        p.Events.OfType<SessionDataChannelEvent>().Select(e => e.Event).OfType<T>();

    internal static List<DataChannelMessageEvent> Messages(Peer p, ushort id) =>
        ChannelEvents<DataChannelMessageEvent>(p).Where(m => m.Channel.Id == id).ToList();

    private static DataChannel OpenedRemotely(Peer p, string label) =>
        ChannelEvents<DataChannelOpenEvent>(p).Select(e => e.Channel).Single(c => c.Remote && c.Label == label);
}
