using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Two <see cref="WebRtcSession"/>s (session core v2) in virtual time, driven only through <see cref="WebRtcSession.PollOutput"/>:
/// offer/answer with audio and video in one BUNDLE group, ICE + DTLS + SRTP, audio packets and VP8 frames both ways,
/// NACK and RTX repair of lost video packets, a PLI answered with a key frame request event.
/// </summary>
public class WebRtcSessionTests
{
    private static readonly byte[] KeyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];

    [Fact]
    public void AnsweringAnIceLiteOfferTakesTheControllingRoleAndNominates()
    {
        // RFC 8445 §6.1.1: a full agent talking to a lite one is controlling, whichever side offered. B is lite and
        // offers; A answers, checks and nominates; B never sends a check of its own (a lite agent only answers).
        using var net = new Pair(91, b: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1), IceLite = true },
        });
        int checksFromB = 0;
        net.Sent = (from, data) => checksFromB += from == net.B && data.Length >= 20 && data[0] == 0x00 && data[1] == 0x01 ? 1 : 0;
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.B.Session.CreateOffer(net.Now);
        Assert.Contains("a=ice-lite", offer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryAnswer(offer, MediaDirection.SendRecv, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.B.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.Equal(Ice.IceRole.Controlling, net.A.Session.Transport.IceAgent!.Role);
        Assert.Equal(Ice.IceRole.Controlled, net.B.Session.Transport.IceAgent!.Role);
        Assert.Equal(0, checksFromB);

        Transceiver aAudio = net.A.Session.Jsep.Transceivers.Single();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i], (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, [0x78, (byte)i], (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(10, net.A.Media.Count(m => !m.Media.IsVideo));
        Assert.Equal(10, net.B.Media.Count(m => !m.Media.IsVideo));
    }

    [Theory]
    [InlineData("SendHistorySize", 3)]
    [InlineData("SendHistorySize", 8)]
    [InlineData("SendHistorySize", 1000)]
    [InlineData("MediaQueueCapacity", 0)]
    [InlineData("RtcpInterval", 0)]
    [InlineData("DataChannelMaxBurst", -1)]
    [InlineData("DataChannelMaxBurst", 65536)]
    public void OptionsOutOfRangeAreRefusedWhenTheSessionIsMadeNamingTheOption(string option, int value)
    {
        // They used to fail only once a section was negotiated (the send stream's history is made then).
        WebRtcSessionOptions options = option switch
        {
            "SendHistorySize" => new WebRtcSessionOptions { SendHistorySize = value },
            "MediaQueueCapacity" => new WebRtcSessionOptions { MediaQueueCapacity = value },
            "DataChannelMaxBurst" => new WebRtcSessionOptions { DataChannelMaxBurst = value },
            _ => new WebRtcSessionOptions { RtcpInterval = TimeSpan.FromMilliseconds(value) },
        };
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new WebRtcSession(options));
        Assert.Equal(option, e.ParamName);
        using var ok = new WebRtcSession(new WebRtcSessionOptions { SendHistorySize = 16, MediaQueueCapacity = 1 });
    }

    [Fact]
    public void AudioAndVideoFlowBothWaysInOneBundle()
    {
        using var net = new Pair(seed: 1);
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // One BUNDLE group, two sections, each with a send stream on both sides.
        Assert.Equal(2, net.A.Session.Sections.Count);
        Assert.Equal([MediaKind.Audio, MediaKind.Video], net.B.Session.Sections.Select(s => s.Kind));
        Assert.All(net.A.Session.Sections, s => Assert.Equal(MediaDirection.SendRecv, s.Direction));

        for (int i = 0; i < 50; i++)
        {
            byte[] opus = [0x78, (byte)i, (byte)(i * 3), 0x55];
            Assert.True(net.A.Session.SendAudio(aAudio, opus, (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, opus, (uint)(960 * i), net.Now));
            if (i % 5 == 0)
            {
                byte[] frame = VideoFrame(i / 5, key: i == 0, size: 3000);
                Assert.True(net.A.Session.SendVideoFrame(aVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
                Assert.True(net.B.Session.SendVideoFrame(bVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(200));
        foreach (Peer p in new[] { net.A, net.B })
        {
            string audioMid = p.Session.Sections[0].Mid;
            string videoMid = p.Session.Sections[1].Mid;
            List<(ReceivedMedia Media, byte[] Data)> audio = p.Media.Where(m => !m.Media.IsVideo).ToList();
            List<(ReceivedMedia Media, byte[] Data)> video = p.Media.Where(m => m.Media.IsVideo).ToList();
            Assert.Equal(50, audio.Count);
            Assert.All(audio, m => Assert.Equal(audioMid, m.Media.Mid));
            Assert.Equal([0x78, 7, 21, 0x55], audio[7].Data);
            Assert.Equal(10, video.Count);
            Assert.All(video, m => Assert.Equal(videoMid, m.Media.Mid));
            Assert.True(video[0].Media.KeyFrame);
            Assert.False(video[1].Media.KeyFrame);
            for (int f = 0; f < 10; f++)
            {
                Assert.Equal(VideoFrame(f, key: f == 0, size: 3000), video[f].Data);
                Assert.Equal((uint)(15000 * f), video[f].Media.Timestamp);
            }
        }

        // Each side's periodic RTCP reached the other: report blocks about our streams came back.
        Assert.True(net.A.Session.Sections[1].RemoteInbound!.Value.ReportsReceived > 0, "no receiver report about A's video");
    }

    /// <summary>
    /// A host that drives the session with <see cref="WebRtcSession.HandleDatagram"/>, <see cref="WebRtcSession.TryPollTransmit"/>
    /// and <see cref="WebRtcSession.TryPollMedia(Span{byte}, out ReceivedMedia)"/> alone, never asking for events, still
    /// gets every frame.
    /// </summary>
    [Fact]
    public void MediaReachesAHostThatPollsMediaButNeverEvents()
    {
        using var net = new Pair(seed: 5);
        (Transceiver aAudio, _, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        byte[] datagram = new byte[4096], frame = new byte[WebRtcSession.MaxDatagramSize];
        var received = new List<byte>();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2], (uint)(960 * i), net.Now));
            while (net.A.Session.TryPollTransmit(datagram, out DatagramTransmit t))
            {
                net.B.Session.HandleDatagram(t.Destination, t.Source, datagram.AsSpan(0, t.Length), net.Now);
            }

            while (net.B.Session.TryPollMedia(frame, out ReceivedMedia m))
            {
                received.Add(frame[1]);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), received);
    }

    [Fact]
    public void LostVideoPacketsAreNackedAndRepairedOverRtxSoEveryFrameArrivesInOrder()
    {
        using var net = new Pair(seed: 2, a: NoProbing);
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // Drop every 7th SRTP datagram from A to B for a while (media only: the first byte of RTP is 0x80-0xBF).
        int seen = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 0x80 and <= 0xBF && data[1] is < 200 or > 206 && ++seen % 7 == 0;
        for (int i = 0; i < 30; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 4000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.Drop = null;
        net.RunFor(TimeSpan.FromMilliseconds(500));
        Assert.True(net.Dropped > 5, $"only {net.Dropped} dropped");
        List<(ReceivedMedia Media, byte[] Data)> video = net.B.Media.Where(m => m.Media.IsVideo).ToList();
        Assert.Equal(30, video.Count);
        for (int f = 0; f < 30; f++)
        {
            Assert.Equal(VideoFrame(f, key: f == 0, size: 4000), video[f].Data);
        }

        ReceiveStreamStats inbound = net.B.Session.Sections[1].Inbound.Single();
        Assert.True(inbound.NackCount > 0, "B sent no NACK");
        Assert.True(inbound.RetransmittedPacketsReceived >= net.Dropped - 1, $"{inbound.RetransmittedPacketsReceived} repaired of {net.Dropped} lost");
        Assert.Equal(0, inbound.PliCount);
    }

    [Fact]
    public void AKeyFrameRequestReachesTheSenderAsAnEvent()
    {
        using var net = new Pair(seed: 3);
        (_, Transceiver aVideo, _, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 2000), 0, keyFrame: true, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(100));

        Assert.True(net.B.Session.RequestKeyframe(bVideo, net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(100));
        SessionKeyframeRequestedEvent e = Assert.Single(net.A.Events.OfType<SessionKeyframeRequestedEvent>());
        Assert.Equal(net.A.Session.Sections[1].Mid, e.Mid);
        Assert.Equal(KeyframeRequestKind.Pli, e.Request.Kind);
    }

    [Fact]
    public void PollOutputSaysWhyItWaits()
    {
        using var net = new Pair(seed: 4);
        net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        net.RunFor(TimeSpan.FromSeconds(3));
        var reasons = new HashSet<SessionTimerReason>();
        for (int i = 0; i < 200; i++)
        {
            SessionOutput o = net.A.Session.PollOutput(new byte[WebRtcSession.MinOutputBuffer]);
            Assert.Equal(SessionOutputKind.Timeout, o.Kind);
            reasons.Add(o.Timeout!.Value.Reason);
            net.RunFor(TimeSpan.FromMilliseconds(50));
        }

        Assert.Contains(SessionTimerReason.Transport, reasons);
        Assert.Contains(SessionTimerReason.RtcpReport, reasons);
    }

    [Fact]
    public void ClosingSendsByeAndTheOtherSideHearsIt()
    {
        using var net = new Pair(seed: 5);
        (Transceiver aAudio, _, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        net.A.Session.SendAudio(aAudio, [1, 2, 3], 0, net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(100));
        net.A.Session.Close(net.Now);
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(PeerConnectionState.Closed, net.A.Session.State);
        Assert.Contains(net.B.Events, e => e is SessionRemoteGoodbyeEvent);
        Assert.Equal(PeerConnectionState.Closed, net.B.Session.State);
        Assert.Equal(SessionOutputKind.None, net.A.Session.PollOutput(new byte[WebRtcSession.MinOutputBuffer]).Kind);
    }

    /// <summary>
    /// Firefox 153's offer for camera and microphone with max-bundle: the video section is bundle-only with port 0
    /// (RFC 8843 §7.2). Captured on this machine from av-echo.html (Firefox ESR 153, fake devices, loopback).
    /// </summary>
    [Fact]
    public void FirefoxBundleOnlyOfferIsAnsweredWithBothSections()
    {
        string offer = File.ReadAllText(Path.Combine(RtcStack.TestSupport.RepoPaths.Root, "tests", "RtcStack.WebRtc.Tests", "Session", "Fixtures", "firefox-av-bundle-only-offer.sdp"));
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(9), Transport = new WebRtcTransportOptions { Random = new Random(10) } });
        session.AddLocalAddress(new TransportAddress(System.Net.IPAddress.Loopback, 40000));
        Assert.True(session.TrySetRemoteOffer(offer, TimeSpan.FromSeconds(1), out var error), error?.ToString());
        foreach (Transceiver t in session.Jsep.Transceivers)
        {
            t.Direction = MediaDirection.SendRecv;
        }

        SessionDescription answer = SessionDescription.Parse(session.CreateAnswer(TimeSpan.FromSeconds(1)));
        Assert.Equal(2, answer.MediaDescriptions.Count);
        Assert.All(answer.MediaDescriptions, m => Assert.False(m.IsRejected));

        // Every bundled section carries the ICE and DTLS attributes (Firefox 153 crashed on an answer without them in
        // its video section), the same values as the first.
        foreach (string name in new[] { "ice-ufrag", "ice-pwd", "fingerprint", "setup" })
        {
            Assert.Equal(answer.MediaDescriptions[0].GetAttribute(name), answer.MediaDescriptions[1].GetAttribute(name));
            Assert.NotNull(answer.MediaDescriptions[1].GetAttribute(name));
        }
        Assert.Equal([MediaKind.Audio, MediaKind.Video], session.Sections.Select(s => s.Kind));
        Assert.Equal("VP8", session.Sections[1].SendCodec!.Name, ignoreCase: true);
    }

    /// <summary>RFC 8843 §9.1: after answering Firefox (Opus on 109), our own offer gives no other codec payload type 109.</summary>
    [Fact]
    public void OurSubsequentOfferKeepsEachPayloadTypeToOneCodecAcrossTheBundle()
    {
        string offer = File.ReadAllText(Path.Combine(RtcStack.TestSupport.RepoPaths.Root, "tests", "RtcStack.WebRtc.Tests", "Session", "Fixtures", "firefox-av-bundle-only-offer.sdp"));
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(11), Transport = new WebRtcTransportOptions { Random = new Random(12) } });
        Assert.True(session.TrySetRemoteOffer(offer, TimeSpan.FromSeconds(1), out var error), error?.ToString());
        session.CreateAnswer(TimeSpan.FromSeconds(1));
        session.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
        session.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly);
        SessionDescription ours = SessionDescription.Parse(session.CreateOffer(TimeSpan.FromSeconds(2)));
        var codecOf = new Dictionary<int, string>();
        foreach (MediaDescription m in ours.MediaDescriptions)
        {
            if (m.IsRejected)
            {
                continue;
            }

            foreach (RtpMap map in m.GetRtpMaps())
            {
                string codec = $"{map.EncodingName}/{map.ClockRate}".ToUpperInvariant();
                Assert.True(!codecOf.TryGetValue(map.PayloadType, out string? earlier) || earlier == codec, $"payload type {map.PayloadType} is {earlier} and {codec}");
                codecOf[map.PayloadType] = codec;
            }
        }

        Assert.Equal("OPUS/48000", codecOf[109]);
    }

    /// <summary>
    /// The default options with GCC's probing off (initial and ALR probes), for tests written before the session probed:
    /// their drop filters count every RTP datagram from a side, and probe padding on the RTX SSRC would take the losses
    /// meant for media (and count in the outbound stream's packetsSent). The randomness is the default's.
    /// </summary>
    internal static WebRtcSessionOptions NoProbing(int seed) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        Gcc = new RtcStack.Congestion.Gcc.GccOptions { InitialProbing = false, AlrProbing = false },
    };

    internal static byte[] VideoFrame(int index, bool key, int size)
    {
        var frame = new byte[size];
        for (int i = 0; i < size; i++)
        {
            frame[i] = (byte)((i * 31) + index);
        }

        if (key)
        {
            KeyFrameHeader.CopyTo(frame, 0);
        }
        else
        {
            frame[0] = 0x01; // VP8 frame tag: P bit set, an inter frame (RFC 6386 §9.1)
        }

        return frame;
    }

    /// <summary>
    /// The load test's steady path (<c>rtcstack bench sessions</c>) without sockets: two audio-only sessions driven the way
    /// <c>UdpSessionHost</c> drives an endpoint (a datagram in, then its activity callback draining events and media with
    /// <see cref="WebRtcSession.TryPollEvent"/> and the two-argument <see cref="WebRtcSession.TryPollMedia(Span{byte}, out ReceivedMedia)"/>,
    /// then every <see cref="WebRtcSession.TryPollTransmit"/> and a due <see cref="WebRtcSession.HandleTimeout"/>), an
    /// 80-byte Opus payload each way every 20 ms. Measured over 2 s chunks (AllocationProbe), so RTCP reports, transport
    /// feedback and ICE consent checks are inside every chunk or most of them: at least one chunk allocates nothing.
    /// </summary>
    [Fact]
    public void HostDrivenAudioAllocatesNothingPerPacket()
    {
        using var net = new Pair(seed: 31);
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.B.Session.CreateOffer(net.Now);
        Assert.True(net.A.Session.TryAcceptOffer(offer, net.Now, out string? answer, out var error), error?.ToString());
        Assert.True(net.B.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        WebRtcSession a = net.A.Session, b = net.B.Session;
        byte[] bufferA = new byte[WebRtcSession.MinOutputBuffer], bufferB = new byte[WebRtcSession.MinOutputBuffer];
        byte[] media = new byte[WebRtcSession.MaxDatagramSize];
        byte[] opus = new byte[80];
        opus[0] = 15 << 3;
        TimeSpan now = net.Now;
        long receivedByA = 0, receivedByB = 0, sent = 0;

        // What the host's activity callback does (the bench's BenchSession.Drain), then what the host does after it.
        long Activity(WebRtcSession s)
        {
            long n = 0;
            while (s.TryPollEvent(out _))
            {
            }

            while (s.TryPollMedia(media, out _))
            {
                n++;
            }

            return n;
        }

        bool Transmit(WebRtcSession from, WebRtcSession to, byte[] buffer)
        {
            bool any = false;
            while (from.TryPollTransmit(buffer, out DatagramTransmit t))
            {
                to.HandleDatagram(t.Destination, t.Source, buffer.AsSpan(0, t.Length), now);
                any = true;
            }

            return any;
        }

        void Settle()
        {
            for (bool any = true; any;)
            {
                receivedByA += Activity(a);
                receivedByB += Activity(b);
                any = Transmit(a, b, bufferA) | Transmit(b, a, bufferB);
            }
        }

        void Round(int i)
        {
            now += TimeSpan.FromMilliseconds(20);
            foreach (WebRtcSession s in (ReadOnlySpan<WebRtcSession>)[a, b])
            {
                if (s.PollTimeout() is TimeSpan due && due <= now)
                {
                    s.HandleTimeout(now);
                }
            }

            Settle();
            opus[1] = (byte)i;
            sent += (a.SendAudio(aAudio, opus, (uint)(960 * i), now) ? 1 : 0) + (b.SendAudio(bAudio, opus, (uint)(960 * i), now) ? 1 : 0);
            Settle();
        }

        for (int i = 0; i < 500; i++)
        {
            Round(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(500, 3500, 30, Round));

        // Every packet sent arrived, and the chunks did carry RTCP both ways.
        Assert.Equal(7000, sent);
        Assert.Equal(sent, receivedByA + receivedByB);
        Assert.True(a.RtcpCounters.SenderReportsReceived > 50 && b.RtcpCounters.SenderReportsReceived > 50, $"{a.RtcpCounters.SenderReportsReceived} and {b.RtcpCounters.SenderReportsReceived} SRs");
    }

    internal sealed class Peer(WebRtcSession session, TransportAddress address)
    {
        public WebRtcSession Session { get; } = session;

        public TransportAddress Address { get; } = address;

        public List<SessionEvent> Events { get; } = [];

        public List<(ReceivedMedia Media, byte[] Data)> Media { get; } = [];
    }

    /// <summary>
    /// Two sessions on a lossless (or filtered) virtual link with 5 ms delay (or <see cref="Delay"/>), driven only by
    /// PollOutput; datagrams sent at one instant arrive in the order they were sent when their delays are equal.
    /// </summary>
    internal sealed class Pair : IDisposable
    {
        private readonly List<(TimeSpan At, Peer To, TransportAddress From, byte[] Data)> _inFlight = [];
        private readonly byte[] _buffer = new byte[1 << 20];

        /// <param name="seed">The seed of each side's randomness.</param>
        /// <param name="a">A's options, given its seed (null: the defaults with that seed).</param>
        /// <param name="b">B's options, given its seed.</param>
        public Pair(int seed, Func<int, WebRtcSessionOptions>? a = null, Func<int, WebRtcSessionOptions>? b = null)
        {
            A = new Peer(NewSession(seed, a), new TransportAddress(System.Net.IPAddress.Parse("10.0.0.1"), 5000));
            B = new Peer(NewSession(seed + 100, b), new TransportAddress(System.Net.IPAddress.Parse("10.0.0.2"), 6000));
            A.Session.AddLocalAddress(A.Address);
            B.Session.AddLocalAddress(B.Address);
        }

        public Peer A { get; }

        public Peer B { get; }

        public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

        public Func<Peer, byte[], bool>? Drop { get; set; }

        /// <summary>Gets or sets the one-way delay of a datagram from a peer, sent now (5 ms when null).</summary>
        public Func<Peer, byte[], TimeSpan>? Delay { get; set; }

        /// <summary>Gets or sets what sees every datagram a peer sends, when it is sent (dropped ones too).</summary>
        public Action<Peer, byte[]>? Sent { get; set; }

        public long Dropped { get; private set; }

        /// <summary>Gets or sets a value indicating whether each side's candidate events are trickled to the other at once (the default).</summary>
        public bool ForwardCandidates { get; set; } = true;

        public (Transceiver AAudio, Transceiver AVideo, Transceiver BAudio, Transceiver BVideo) NegotiateAudioAndVideo()
        {
            Transceiver aAudio = A.Session.AddTransceiver(MediaKind.Audio);
            Transceiver aVideo = A.Session.AddTransceiver(MediaKind.Video);
            Transceiver bAudio = B.Session.AddTransceiver(MediaKind.Audio);
            Transceiver bVideo = B.Session.AddTransceiver(MediaKind.Video);
            string offer = A.Session.CreateOffer(Now);
            Assert.True(B.Session.TryAcceptOffer(offer, Now, out string? answer, out var error), error?.ToString());
            Assert.True(A.Session.TryApplyAnswer(answer, Now, out error), error?.ToString());
            Pump(A);
            Pump(B);
            return (aAudio, aVideo, bAudio, bVideo);
        }

        public void RunFor(TimeSpan duration) => RunUntil(() => false, duration);

        public bool RunUntil(Func<bool> condition, TimeSpan limit)
        {
            TimeSpan end = Now + limit;
            while (true)
            {
                Pump(A);
                Pump(B);
                if (condition())
                {
                    return true;
                }

                TimeSpan next = end;
                foreach ((TimeSpan at, _, _, _) in _inFlight)
                {
                    next = at < next ? at : next;
                }

                foreach (Peer p in new[] { A, B })
                {
                    if (p.Session.PollTimeout() is TimeSpan t && t < next)
                    {
                        next = t;
                    }
                }

                if (next >= end)
                {
                    Now = end;
                    return condition();
                }

                Now = next > Now ? next : Now;
                for (int i = 0; i < _inFlight.Count; i++)
                {
                    (TimeSpan at, Peer to, TransportAddress from, byte[] data) = _inFlight[i];
                    if (at <= Now)
                    {
                        _inFlight.RemoveAt(i--);
                        to.Session.HandleDatagram(to.Address, from, data, Now);
                    }
                }

                foreach (Peer p in new[] { A, B })
                {
                    if (p.Session.PollTimeout() is TimeSpan t && t <= Now)
                    {
                        p.Session.HandleTimeout(Now);
                    }
                }
            }
        }

        public void Dispose()
        {
            A.Session.Dispose();
            B.Session.Dispose();
        }

        private static WebRtcSession NewSession(int seed, Func<int, WebRtcSessionOptions>? options) => new(options?.Invoke(seed) ?? new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        });

        private void Pump(Peer p)
        {
            Peer other = p == A ? B : A;
            while (true)
            {
                SessionOutput o = p.Session.PollOutput(_buffer);
                switch (o.Kind)
                {
                    case SessionOutputKind.Transmit:
                        byte[] data = _buffer.AsSpan(0, o.Transmit.Length).ToArray();
                        Sent?.Invoke(p, data);
                        if (Drop?.Invoke(p, data) == true)
                        {
                            Dropped++;
                        }
                        else
                        {
                            _inFlight.Add((Now + (Delay?.Invoke(p, data) ?? TimeSpan.FromMilliseconds(5)), other, o.Transmit.Source, data));
                        }

                        continue;
                    case SessionOutputKind.Event:
                        p.Events.Add(o.Event!);
                        if (o.Event is SessionCandidateEvent c && ForwardCandidates)
                        {
                            other.Session.AddRemoteCandidate(c.Candidate.ToString(), Now);
                        }

                        continue;
                    case SessionOutputKind.Media:
                        p.Media.Add((o.Media, _buffer.AsSpan(0, o.Media.Length).ToArray()));
                        continue;
                    default:
                        return;
                }
            }
        }
    }
}
