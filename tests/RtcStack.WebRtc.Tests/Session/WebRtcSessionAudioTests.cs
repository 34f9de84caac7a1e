using RtcStack.Opus;
using RtcStack.Opus.Jitter;
using RtcStack.Rtp.Dtmf;
using RtcStack.Rtp.Red;
using RtcStack.Sdp.Jsep;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// The audio receive pipeline of two <see cref="WebRtcSession"/>s in virtual time (issue 17): RFC 2198 RED negotiated
/// and used by <see cref="OpusAudioSender"/> with lost packets recovered before the application sees them, a peer
/// without RED getting plain Opus, RFC 4733 digits sent with <see cref="WebRtcSession.InsertDtmf"/> and received as
/// <see cref="SessionDtmfEvent"/>s, and the opt-in playout path through the adaptive jitter buffer.
/// </summary>
public sealed class WebRtcSessionAudioTests
{
    [Theory]
    [InlineData(1, 1)] // every 10th packet lost, isolated: distance 1 recovers each from the next packet
    [InlineData(2, 2)] // two consecutive packets lost in every 10: distance 2 recovers both from the packet after them
    public void RedRecoversEveryLostFrameBeforeTheApplicationSeesIt(int distance, int burst)
    {
        LibOpusReference.Require();
        using var net = new WebRtcSessionTests.Pair(seed: 51, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents), b: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        (Transceiver aAudio, _) = NegotiateAudio(net, aOffers: true);
        Assert.True(net.A.Session.TryGetAudioSendFormat(aAudio, out AudioSendFormat format));
        Assert.Equal(111, format.PayloadType);
        Assert.Equal((byte?)63, format.RedPayloadType);

        // Loss only from A to B, only RTP (DTLS, STUN and RTCP pass): packets 5 (and 6) of every 10.
        int rtp = 0;
        net.Drop = (p, data) => p == net.A && IsRtp(data) && (++rtp % 10) is var k && k >= 5 && k < 5 + burst;

        using var sender = new OpusAudioSender(net.A.Session, aAudio, initialTimestamp: 1000) { RedDistance = distance };
        short[] frame = new short[sender.FrameSamples];
        const int Frames = 100;
        for (int i = 0; i < Frames; i++)
        {
            Goertzel.Tone(frame, 440, 48000, (long)i * frame.Length);
            Assert.True(sender.Send(frame, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal(Frames, sender.RedPacketsSent);
        Assert.Equal(10 * burst, net.Dropped);

        // Every frame reaches the application, in order, as Opus (the RED framing is gone), the lost ones marked recovered.
        List<(ReceivedMedia Media, byte[] Data)> audio = net.B.Media;
        Assert.Equal(Enumerable.Range(0, Frames).Select(i => 1000u + (uint)(960 * i)), audio.Select(m => m.Media.Timestamp));
        Assert.All(audio, m => Assert.Equal(111, m.Media.PayloadType));
        Assert.Equal(10 * burst, audio.Count(m => m.Media.Recovered));
        Assert.Equal(10 * burst, net.B.Session.MediaCounters.RedRecoveredFrames);
        Assert.Equal(0, net.B.Session.MediaCounters.MalformedRed);
        Assert.Equal(Frames - (10 * burst), net.B.Session.MediaCounters.RedPayloadsReceived);
        Assert.Equal(1, net.B.Session.MediaCounters.RedPayloadsWithoutRedundancy); // the first: nothing before it

        // The recovered frames carry the sequence numbers of the packets lost, so the Opus receiver sees no gap at all:
        // nothing concealed, nothing rebuilt from in-band FEC, the tone intact.
        using var receiver = new OpusAudioReceiver();
        var pcm = new List<short>();
        short[] buffer = new short[receiver.MaxOutputSamples];
        foreach ((ReceivedMedia m, byte[] data) in audio)
        {
            pcm.AddRange(buffer.AsSpan(0, receiver.Decode(data, m, buffer)).ToArray());
        }

        Assert.Equal(Frames, receiver.FramesDecoded);
        Assert.Equal(0, receiver.FramesRefused);
        Assert.Equal(0, receiver.ConcealedSamples + receiver.FecSamples);
        Assert.Equal(Frames * 960, pcm.Count);
        (double f, double ratio) = Goertzel.Strongest(pcm.ToArray().AsSpan(9600), 48000, 440, 660, 550, 880);
        Assert.Equal(440, f);
        Assert.True(ratio > 100, $"tone ratio {ratio:0.#}");

        RtcInboundRtpStreamStats inbound = Assert.Single(net.B.Session.GetStats(net.Now).All<RtcInboundRtpStreamStats>());
        Assert.Equal(10 * burst, inbound.RedRecoveredPackets);
        Assert.Equal(10 * burst, inbound.PacketsLost);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void APeerWithoutRedGetsPlainOpus(bool redSideOffers)
    {
        LibOpusReference.Require();
        using var net = new WebRtcSessionTests.Pair(seed: 53, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        net.B.Session.AddTransceiver(MediaKind.Audio);
        WebRtcSession offerer = redSideOffers ? net.A.Session : net.B.Session;
        WebRtcSession answerer = redSideOffers ? net.B.Session : net.A.Session;
        string offer = offerer.CreateOffer(net.Now);
        Assert.True(answerer.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(offerer.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        if (redSideOffers)
        {
            // Offered as Chromium does (RFC 2198 §5: the fmtp names Opus's payload type), and not answered.
            Assert.Contains("a=rtpmap:63 red/48000/2", offer, StringComparison.Ordinal);
            Assert.Contains("a=fmtp:63 111/111", offer, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("red/48000", answer, StringComparison.Ordinal);
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.CanSendMedia, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.TryGetAudioSendFormat(aAudio, out AudioSendFormat format));
        Assert.Null(format.RedPayloadType);
        Assert.Null(format.TelephoneEventPayloadType);
        Assert.False(net.A.Session.SendAudioPayload(aAudio, 63, [0x6F, 0xF8], 0, net.Now));

        using var sender = new OpusAudioSender(net.A.Session, aAudio, initialTimestamp: 7);
        short[] frame = new short[sender.FrameSamples];
        for (int i = 0; i < 20; i++)
        {
            Goertzel.Tone(frame, 440, 48000, (long)i * frame.Length);
            Assert.True(sender.Send(frame, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, sender.RedPacketsSent);
        Assert.Equal(20, net.B.Media.Count);
        using var receiver = new OpusAudioReceiver();
        short[] pcm = new short[receiver.MaxOutputSamples];
        foreach ((ReceivedMedia m, byte[] data) in net.B.Media)
        {
            Assert.Equal(111, m.PayloadType);
            Assert.False(m.Recovered);
            Assert.Equal(960, receiver.Decode(data, m, pcm));
        }
    }

    [Fact]
    public void AnsweringChromiumsOfferKeepsRedOverOpusAndBothTelephoneEvents()
    {
        string offer = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.WebRtc.Tests", "Jsep", "Fixtures", JsepTestKitNames.ChromiumAudio));
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(5), AudioCodecs = JsepOptions.AudioCodecsWithRedAndTelephoneEvents });
        Assert.True(session.TryAcceptOffer(offer, TimeSpan.Zero, out string? answer, out JsepError? error), error?.ToString());
        Assert.Equal("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 110 126", AudioLine(answer));
        Assert.Contains("a=rtpmap:63 red/48000/2", answer, StringComparison.Ordinal);
        Assert.Contains("a=fmtp:63 111/111", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:110 telephone-event/48000", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:126 telephone-event/8000", answer, StringComparison.Ordinal);

        // With the default codecs the answer is Opus alone, as before.
        using var plain = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(5) });
        Assert.True(plain.TryAcceptOffer(offer, TimeSpan.Zero, out answer, out error), error?.ToString());
        Assert.Equal("m=audio 9 UDP/TLS/RTP/SAVPF 111", AudioLine(answer));
    }

    [Fact]
    public void RedNamingACodecNotAnsweredIsLeftOut()
    {
        // RFC 2198 §5: RED over PCMU (0), which we do not have, cannot be decoded: only Opus is answered.
        string offer = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.WebRtc.Tests", "Jsep", "Fixtures", JsepTestKitNames.ChromiumAudio))
            .Replace("a=fmtp:63 111/111", "a=fmtp:63 0/0", StringComparison.Ordinal);
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(5), AudioCodecs = JsepOptions.AudioCodecsWithRedAndTelephoneEvents });
        Assert.True(session.TryAcceptOffer(offer, TimeSpan.Zero, out string? answer, out JsepError? error), error?.ToString());
        Assert.DoesNotContain("red/48000", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:111 opus/48000/2", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void DtmfDigitsArriveAsSessionEventsWithTheirDurations()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 57, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents), b: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        (Transceiver aAudio, _) = NegotiateAudio(net, aOffers: false);
        Assert.True(net.A.Session.TryGetAudioSendFormat(aAudio, out AudioSendFormat format));
        Assert.Equal((byte?)110, format.TelephoneEventPayloadType);
        Assert.Throws<ArgumentException>(() => net.A.Session.InsertDtmf(aAudio, "12x", net.Now));

        TimeSpan start = net.Now;
        Assert.True(net.A.Session.InsertDtmf(aAudio, "1#d", net.Now, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(70)));
        Assert.Equal("#D", net.A.Session.GetDtmfToneBuffer(aAudio));
        net.RunFor(TimeSpan.FromSeconds(2));
        Assert.Equal(string.Empty, net.A.Session.GetDtmfToneBuffer(aAudio));

        // RFC 4733 §2.5.1: per 200 ms digit, updates at 50, 100 and 150 ms, then the final report three times (§2.5.1.4),
        // 50 ms apart: six packets.
        RtcInboundRtpStreamStats inbound = Assert.Single(net.B.Session.GetStats(net.Now).All<RtcInboundRtpStreamStats>());
        Assert.Equal(18, inbound.PacketsReceived);

        // §2.5.2: each digit is reported once when it starts and once when it ends, with its whole duration, despite
        // the three end packets.
        List<SessionDtmfEvent> events = net.B.Events.OfType<SessionDtmfEvent>().ToList();
        Assert.Equal(6, events.Count);
        Assert.Equal([DtmfReportKind.Started, DtmfReportKind.Ended, DtmfReportKind.Started, DtmfReportKind.Ended, DtmfReportKind.Started, DtmfReportKind.Ended], events.Select(e => e.Kind));
        Assert.Equal("11##DD", new string(events.Select(e => e.Digit ?? '?').ToArray()));
        Assert.Equal([1, 1, 11, 11, 15, 15], events.Select(e => (int)e.Event));
        foreach (SessionDtmfEvent ended in events.Where(e => e.Kind == DtmfReportKind.Ended))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(200), ended.Duration);
            Assert.True(ended.EndReceived);
            Assert.Equal("0", ended.Mid);
        }

        // The first report goes one update interval after the tone starts (plus the link's 5 ms), the end 200 ms after
        // it; the next tone waits for the gap and the end's repetitions (100 ms after the end, longer than the 70 ms gap).
        Assert.Equal(start + TimeSpan.FromMilliseconds(55), events[0].At);
        Assert.Equal(start + TimeSpan.FromMilliseconds(205), events[1].At);
        Assert.Equal(TimeSpan.FromMilliseconds(300), events[2].At - events[0].At);

        List<SessionDtmfToneChangeEvent> tones = net.A.Events.OfType<SessionDtmfToneChangeEvent>().ToList();
        Assert.Equal(["1", "#", "D", string.Empty], tones.Select(t => t.Tone));
    }

    [Fact]
    public void AnEventWhoseEndPacketsAreLostEndsAfterHalfASecondOfSilence()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 59, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents), b: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        (Transceiver aAudio, _) = NegotiateAudio(net, aOffers: true);

        // A 1 s digit: only its first two updates (50 and 100 ms) get through.
        int rtp = 0;
        net.Drop = (p, data) => p == net.A && IsRtp(data) && ++rtp > 2;
        TimeSpan start = net.Now;
        Assert.True(net.A.Session.InsertDtmf(aAudio, "7", net.Now, TimeSpan.FromSeconds(1)));
        net.RunFor(TimeSpan.FromSeconds(3));

        List<SessionDtmfEvent> events = net.B.Events.OfType<SessionDtmfEvent>().ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal(DtmfReportKind.Started, events[0].Kind);
        SessionDtmfEvent ended = events[1];
        Assert.Equal(DtmfReportKind.Ended, ended.Kind);
        Assert.Equal('7', ended.Digit);
        Assert.False(ended.EndReceived);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ended.Duration);
        Assert.Equal(start + TimeSpan.FromMilliseconds(105 + 500), ended.At);
    }

    [Fact]
    public void DtmfNeedsTelephoneEventNegotiated()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 61, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        (Transceiver aAudio, _) = NegotiateAudio(net, aOffers: true);
        Assert.True(net.A.Session.TryGetAudioSendFormat(aAudio, out AudioSendFormat format));
        Assert.Null(format.TelephoneEventPayloadType);
        Assert.False(net.A.Session.InsertDtmf(aAudio, "1", net.Now));
    }

    [Theory]
    [InlineData(OpusImplementationPreference.Auto, 10)]
    [InlineData(OpusImplementationPreference.Concentus, 20)]
    public void PlayoutPathRunsOpusThroughTheJitterBufferAndReportsW3CStats(OpusImplementationPreference preference, int frameMs)
    {
        LibOpusReference.Require();
        var codecs = new OpusCodecProvider(preference);
        using var net = new WebRtcSessionTests.Pair(seed: 63, b: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            AudioPlayout = new AudioPlayoutOptions { Codecs = codecs, JitterBuffer = new JitterBufferOptions { FrameMilliseconds = frameMs } },
        });
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net, aOffers: true);
        short[] pcm = new short[48 * frameMs];
        Assert.False(net.B.Session.TryGetPlayoutAudio(bAudio, net.Now, pcm, out _));

        // 5-35 ms of one-way delay on A's packets (reordering some), and every 17th of them lost.
        var jitter = new Random(7);
        int rtp = 0;
        net.Delay = (p, data) => p == net.A && IsRtp(data) ? TimeSpan.FromMilliseconds(5 + jitter.Next(31)) : TimeSpan.FromMilliseconds(5);
        net.Drop = (p, data) => p == net.A && IsRtp(data) && ++rtp % 17 == 0;

        using var sender = new OpusAudioSender(net.A.Session, aAudio, initialTimestamp: 99);
        short[] frame = new short[sender.FrameSamples];
        var played = new List<short>();
        long nonSilent = 0;
        int polls = 0;
        for (int i = 0; i < 150; i++)
        {
            Goertzel.Tone(frame, 440, 48000, (long)i * frame.Length);
            Assert.True(sender.Send(frame, net.Now));
            for (int t = 0; t < 20; t += frameMs)
            {
                net.RunFor(TimeSpan.FromMilliseconds(frameMs));
                if (!net.B.Session.TryGetPlayoutAudio(bAudio, net.Now, pcm, out AudioPlayoutFrame played1))
                {
                    // Only until the first packet has arrived (5-35 ms after the first send).
                    Assert.Equal(0, polls);
                    continue;
                }

                Assert.Equal(48 * frameMs, played1.Samples);
                Assert.Equal(1, played1.Channels);
                Assert.Equal("0", played1.Mid);
                polls++;
                if (played1.Decision != JitterBufferDecision.Silence)
                {
                    nonSilent++;
                    played.AddRange(pcm);
                }
            }
        }

        // The payloads went to the jitter buffer, not to the application.
        Assert.Empty(net.B.Media);
        Assert.InRange(polls, (150 * 20 / frameMs) - (40 / frameMs), 150 * 20 / frameMs);
        (double f, double ratio) = Goertzel.Strongest(played.ToArray().AsSpan(48000), 48000, 440, 660, 550, 880);
        Assert.Equal(440, f);
        Assert.True(ratio > 20, $"tone ratio {ratio:0.#}");

        RtcInboundRtpStreamStats inbound = Assert.Single(net.B.Session.GetStats(net.Now).All<RtcInboundRtpStreamStats>());
        Assert.Equal(codecs.ImplementationName, inbound.DecoderImplementation);
        Assert.Equal(preference == OpusImplementationPreference.Concentus ? "Concentus" : "libopus", inbound.DecoderImplementation);
        Assert.Equal(nonSilent * 48 * frameMs, inbound.TotalSamplesReceived);
        Assert.True(inbound.JitterBufferEmittedCount > 100 * 960, $"{inbound.JitterBufferEmittedCount} samples emitted");
        Assert.True(inbound.JitterBufferDelay > 0 && inbound.JitterBufferTargetDelay > 0);

        // The mean delay per emitted sample covers part of the 30 ms jitter and stays under a second.
        double meanDelay = inbound.JitterBufferDelay!.Value / inbound.JitterBufferEmittedCount!.Value;
        Assert.InRange(meanDelay, 0.005, 1.0);
        Assert.NotNull(inbound.ConcealedSamples);
        Assert.NotNull(inbound.InsertedSamplesForDeceleration);
        Assert.NotNull(inbound.RemovedSamplesForAcceleration);
        Assert.True(inbound.InsertedSamplesForDeceleration + inbound.RemovedSamplesForAcceleration > 0, "the delay adapted by time-stretching");
        Assert.Contains("\"jitterBufferTargetDelay\"", net.B.Session.GetStats(net.Now).ToJson(), StringComparison.Ordinal);
    }

    /// <summary>
    /// RED in front of the jitter buffer: 1 packet in 10 lost, each recovered from the next packet, which arrives 20 ms
    /// later, inside the 40 ms the buffer holds: nothing is concealed.
    /// </summary>
    [Fact]
    public void RedRecoveredFramesReachTheJitterBufferInTimeAndNothingIsConcealed()
    {
        LibOpusReference.Require();
        using var net = new WebRtcSessionTests.Pair(seed: 69, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents), b: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            AudioCodecs = JsepOptions.AudioCodecsWithRedAndTelephoneEvents,
            AudioPlayout = new AudioPlayoutOptions
            {
                JitterBuffer = new JitterBufferOptions { FrameMilliseconds = 20, InitialDelay = TimeSpan.FromMilliseconds(60), MinimumDelay = TimeSpan.FromMilliseconds(40) },
            },
        });
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net, aOffers: true);
        int rtp = 0;
        net.Drop = (p, data) => p == net.A && IsRtp(data) && ++rtp % 10 == 5;
        using var sender = new OpusAudioSender(net.A.Session, aAudio, initialTimestamp: 5);
        short[] frame = new short[sender.FrameSamples];
        short[] pcm = new short[960];
        long played = 0;
        for (int i = 0; i < 150; i++)
        {
            Goertzel.Tone(frame, 440, 48000, (long)i * frame.Length);
            Assert.True(sender.Send(frame, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
            if (net.B.Session.TryGetPlayoutAudio(bAudio, net.Now, pcm, out AudioPlayoutFrame f) && f.Decision != JitterBufferDecision.Silence)
            {
                played++;
            }
        }

        Assert.Equal(15, net.Dropped);
        RtcInboundRtpStreamStats inbound = Assert.Single(net.B.Session.GetStats(net.Now).All<RtcInboundRtpStreamStats>());
        Assert.Equal(15, inbound.RedRecoveredPackets);
        Assert.True(played > 140, $"{played} frames played");
        Assert.Equal(played * 960, inbound.TotalSamplesReceived);
        Assert.Equal(0, inbound.ConcealedSamples);
        Assert.Equal(0, inbound.PacketsDiscarded);
    }

    /// <summary>
    /// The host-driven loop of <see cref="WebRtcSessionTests.HostDrivenAudioAllocatesNothingPerPacket"/>, with RED
    /// negotiated: A sends RED payloads (distance 1) over 80-byte Opus frames, 1 in 10 of them lost on the way, and B
    /// unwraps them and recovers the lost ones. At least one 2 s chunk allocates nothing.
    /// </summary>
    [Fact]
    public void RedReceivePathAllocatesNothingPerPacket()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 67, a: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents), b: WithCodecs(JsepOptions.AudioCodecsWithRedAndTelephoneEvents));
        (Transceiver aAudio, _) = NegotiateAudio(net, aOffers: true);
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.TryGetAudioSendFormat(aAudio, out AudioSendFormat format));
        byte redPt = format.RedPayloadType!.Value;
        WebRtcSession a = net.A.Session, b = net.B.Session;
        byte[] bufferA = new byte[WebRtcSession.MinOutputBuffer], bufferB = new byte[WebRtcSession.MinOutputBuffer];
        byte[] media = new byte[WebRtcSession.MaxDatagramSize];
        byte[] opus = new byte[80];
        opus[0] = 15 << 3;
        byte[] red = new byte[400];
        var encoder = new RedEncoder(1);
        TimeSpan now = net.Now;
        long received = 0, recovered = 0, sent = 0, datagrams = 0;

        void Drain(WebRtcSession s)
        {
            while (s.TryPollEvent(out _))
            {
            }

            while (s.TryPollMedia(media, out ReceivedMedia m))
            {
                received++;
                recovered += m.Recovered ? 1 : 0;
            }
        }

        bool Transmit(WebRtcSession from, WebRtcSession to, byte[] buffer, bool lossy)
        {
            bool any = false;
            while (from.TryPollTransmit(buffer, out DatagramTransmit t))
            {
                // One RTP datagram in ten from A is lost (never two in a row).
                bool drop = lossy && IsRtp(buffer.AsSpan(0, t.Length)) && ++datagrams % 10 == 3;
                if (!drop)
                {
                    to.HandleDatagram(t.Destination, t.Source, buffer.AsSpan(0, t.Length), now);
                }

                any = true;
            }

            return any;
        }

        void Settle()
        {
            for (bool any = true; any;)
            {
                Drain(a);
                Drain(b);
                any = Transmit(a, b, bufferA, lossy: true) | Transmit(b, a, bufferB, lossy: false);
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
            uint ts = (uint)(960 * i);
            int length = encoder.Encode(format.PayloadType, ts, opus, red);
            sent += a.SendAudioPayload(aAudio, redPt, red.AsSpan(0, length), ts, now) ? 1 : 0;
            Settle();
        }

        for (int i = 0; i < 500; i++)
        {
            Round(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(500, 3500, 30, Round));
        Assert.Equal(3500, sent);
        Assert.Equal(sent, received);
        Assert.Equal(350, recovered);
    }

    /// <summary>
    /// The same host-driven loop with the playout path on B (libopus): real 20 ms Opus packets from A go into B's jitter
    /// buffer and B takes 20 ms of PCM after each. At least one 2 s chunk allocates nothing.
    /// </summary>
    [Fact]
    public void PlayoutPathAllocatesNothingPerPacket()
    {
        LibOpusReference.Require();
        using var net = new WebRtcSessionTests.Pair(seed: 71, b: seed => new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            AudioPlayout = new AudioPlayoutOptions { Codecs = new OpusCodecProvider(OpusImplementationPreference.LibOpus), JitterBuffer = new JitterBufferOptions { FrameMilliseconds = 20 } },
        });
        (Transceiver aAudio, Transceiver bAudio) = NegotiateAudio(net, aOffers: true);
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // 50 different packets of a 440 Hz tone, sent in a loop (their timestamps keep going).
        byte[][] packets = new byte[50][];
        using (var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip) { Bitrate = 32000 })
        {
            short[] tone = new short[960];
            byte[] packet = new byte[1275];
            for (int i = 0; i < packets.Length; i++)
            {
                Goertzel.Tone(tone, 440, 48000, (long)i * 960);
                packets[i] = packet.AsSpan(0, encoder.Encode(tone, packet)).ToArray();
            }
        }

        WebRtcSession a = net.A.Session, b = net.B.Session;
        byte[] bufferA = new byte[WebRtcSession.MinOutputBuffer], bufferB = new byte[WebRtcSession.MinOutputBuffer];
        byte[] media = new byte[WebRtcSession.MaxDatagramSize];
        short[] pcm = new short[960];
        TimeSpan now = net.Now;
        long played = 0, sent = 0;

        void Drain(WebRtcSession s)
        {
            while (s.TryPollEvent(out _))
            {
            }

            while (s.TryPollMedia(media, out _))
            {
            }
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
                Drain(a);
                Drain(b);
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
            sent += a.SendAudio(aAudio, packets[i % packets.Length], (uint)(960 * i), now) ? 1 : 0;
            Settle();
            if (b.TryGetPlayoutAudio(bAudio, now, pcm, out AudioPlayoutFrame frame) && frame.Decision != JitterBufferDecision.Silence)
            {
                played++;
            }
        }

        for (int i = 0; i < 500; i++)
        {
            Round(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(500, 3500, 30, Round));
        Assert.Equal(3500, sent);
        Assert.True(played > 3400, $"{played} frames played");
        RtcInboundRtpStreamStats inbound = Assert.Single(b.GetStats(now).All<RtcInboundRtpStreamStats>());
        Assert.Equal("libopus", inbound.DecoderImplementation);
        Assert.Equal(0, inbound.ConcealedSamples);
    }

    private static Func<int, WebRtcSessionOptions> WithCodecs(IReadOnlyList<CodecCapability> audio) => seed => new WebRtcSessionOptions
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        AudioCodecs = audio,
    };

    private static (Transceiver A, Transceiver B) NegotiateAudio(WebRtcSessionTests.Pair net, bool aOffers)
    {
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        WebRtcSession offerer = aOffers ? net.A.Session : net.B.Session;
        WebRtcSession answerer = aOffers ? net.B.Session : net.A.Session;
        string offer = offerer.CreateOffer(net.Now);
        Assert.True(answerer.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(offerer.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.CanSendMedia, TimeSpan.FromSeconds(10)));
        return (aAudio, bAudio);
    }

    private static string AudioLine(string sdp) => sdp.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("m=audio ", StringComparison.Ordinal));

    /// <summary>An SRTP packet (RFC 7983: first byte 128-191) that is not RTCP (payload types 192-223 with the marker bit, RFC 5761 §4).</summary>
    private static bool IsRtp(ReadOnlySpan<byte> data) => data.Length > 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223;

    private static class JsepTestKitNames
    {
        public const string ChromiumAudio = "chromium-156-offer.sdp";
    }
}
