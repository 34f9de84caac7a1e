using System.Buffers.Binary;
using RtcStack.Rtp;
using RtcStack.TestSupport;
using RtcStack.Video;
using RtcStack.WebRtc.Forwarding;
using Xunit;

namespace RtcStack.WebRtc.Tests.Forwarding;

/// <summary>
/// <see cref="SimulcastForwarder"/> in virtual time against a simulated publisher: three VP8 (or H.264) layers at about
/// 80 kbit/s, 400 kbit/s and 1 Mbit/s, 30 frames a second, each layer with its own SSRC, sequence and timestamp bases
/// and PictureIDs (the lowest layer's in 7 bits), that sends a key frame of a layer when the forwarder asks for one.
/// </summary>
public class SimulcastForwarderTests
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(33);

    [Fact]
    public void LayersFollowTheEstimateSwitchingOnlyAtKeyFramesWithOneContinuousOutputStream()
    {
        var run = new Run(SimulcastCodec.Vp8);
        int sub = run.Forwarder.AddSubscriber(0xAAAA, firstSequenceNumber: 65530, firstTimestamp: 0xFFFFF000);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(60);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        long high = run.Forwarder.GetLayerBitrate(2, run.Now), mid = run.Forwarder.GetLayerBitrate(1, run.Now), low = run.Forwarder.GetLayerBitrate(0, run.Now);
        Assert.InRange(low, 60_000, 110_000);
        Assert.InRange(mid, 300_000, 500_000);
        Assert.InRange(high, 800_000, 1_200_000);

        // Down to the middle layer: it is the target at once, taken at its next key frame (asked for with a request).
        run.Forwarder.SetTargetBitrate(sub, (mid + high) / 2, run.Now);
        Assert.Equal(1, run.Forwarder.GetTargetLayer(sub));
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        run.Frames(30);
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));

        // Down to the lowest, then back up to the highest.
        run.Forwarder.SetTargetBitrate(sub, (low + mid) / 2, run.Now);
        run.Frames(30);
        Assert.Equal(0, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.SetTargetBitrate(sub, 3 * high, run.Now);
        run.Frames(30);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));

        List<Out> output = run.Output[sub];
        AssertContinuous(output, expectedGaps: 0, vp8: true);

        // Every change of layer in the output happens at a key frame's first packet, and each was asked for.
        int switches = 0;
        for (int i = 1; i < output.Count; i++)
        {
            if (output[i].Layer != output[i - 1].Layer)
            {
                switches++;
                Assert.True(output[i].KeyFrameStart, $"switch to layer {output[i].Layer} at a packet that starts no key frame");
            }
        }

        // It starts on the lowest layer (the only one seen at its first packet), moves up at the first review.
        Assert.Equal([0, 2, 1, 0, 2], LayerRuns(output));
        Assert.Equal(4, switches);
        Assert.True(run.KeyframeRequests.Count(l => l == 1) >= 1 && run.KeyframeRequests.Count(l => l == 0) >= 1);

        // Layer 1 was asked for a key frame for the switch; the first key frame it sent after that is where the switch happened.
        Assert.True(output.First(o => o.Layer == 1).KeyFrameStart);

        // The output keeps the subscriber's SSRC and starts at its first sequence number and timestamp (then wraps).
        Assert.All(output, o => Assert.Equal(0xAAAAu, o.Ssrc));
        Assert.Equal((ushort)65530, output[0].Sequence);
        Assert.Equal(0xFFFFF000u, output[0].Timestamp);
    }

    [Fact]
    public void HysteresisKeepsTheLayerBetweenItsBitrateAndTheHeadroomAboveTheNext()
    {
        var run = new Run(SimulcastCodec.Vp8);
        int sub = run.Forwarder.AddSubscriber(1, 0, 0);
        run.Forwarder.SetTargetBitrate(sub, 450_000, run.Now);
        run.Frames(60);
        long mid = run.Forwarder.GetLayerBitrate(1, run.Now), high = run.Forwarder.GetLayerBitrate(2, run.Now);
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));

        // Covering the high layer but not by the 20 % headroom: stays.
        run.Forwarder.SetTargetBitrate(sub, (long)(high * 1.1), run.Now);
        run.Frames(20);
        Assert.Equal(1, run.Forwarder.GetTargetLayer(sub));
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));

        // On the middle layer, an estimate just above its bitrate keeps it (no headroom needed to stay).
        run.Forwarder.SetTargetBitrate(sub, (long)(mid * 1.08), run.Now);
        run.Frames(20);
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));

        // With the headroom: up.
        run.Forwarder.SetTargetBitrate(sub, (long)(run.Forwarder.GetLayerBitrate(2, run.Now) * 1.3), run.Now);
        run.Frames(30);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        AssertContinuous(run.Output[sub], 0, vp8: true);
    }

    [Fact]
    public void LostPublisherPacketsLeaveGapsOnlyWhereTheyWereLostAndNacksMapBackToTheLayer()
    {
        var run = new Run(SimulcastCodec.Vp8);
        int a = run.Forwarder.AddSubscriber(10, 1000, 0);
        int b = run.Forwarder.AddSubscriber(20, 50000, 0);
        run.Forwarder.SetTargetBitrate(a, 5_000_000, run.Now);
        run.Forwarder.SetTargetBitrate(b, 50_000, run.Now);
        run.Frames(40);

        // Two packets of the high layer and one of the low one lost on the way from the publisher.
        ushort high = run.NextSequence(2), low = run.NextSequence(0);
        run.Lose = (layer, seq) => (layer == 2 && (seq == (ushort)(high + 5) || seq == (ushort)(high + 9))) || (layer == 0 && seq == (ushort)(low + 3));
        run.Frames(10);
        run.Lose = null;
        run.Frames(10);
        AssertContinuous(run.Output[a], expectedGaps: 2, vp8: true);
        AssertContinuous(run.Output[b], expectedGaps: 1, vp8: true);

        // Both subscribers' NACKs name their own numbers; each maps to its layer's original packet.
        foreach ((int sub, int layer) in new[] { (a, 2), (b, 0) })
        {
            foreach (Out o in run.Output[sub].TakeLast(100))
            {
                Assert.True(run.Forwarder.TryMapNack(sub, o.Sequence, out int l, out ushort original));
                Assert.Equal((layer, o.SourceSequence), (l, original));
            }
        }

        // A number never forwarded (beyond the last one sent) maps to nothing.
        Assert.False(run.Forwarder.TryMapNack(a, (ushort)(run.Output[a][^1].Sequence + 1), out _, out _));
    }

    [Fact]
    public void NacksAcrossASwitchMapToTheLayerEachPacketCameFrom()
    {
        var run = new Run(SimulcastCodec.Vp8);
        int sub = run.Forwarder.AddSubscriber(7, 0, 0);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(40);
        run.Forwarder.SetTargetBitrate(sub, 50_000, run.Now);
        run.Frames(30);
        List<Out> output = run.Output[sub];
        int at = Enumerable.Range(1, output.Count - 1).First(i => output[i].Layer == 0 && output[i - 1].Layer == 2);
        Assert.True(at > 20 && output[at - 1].Layer == 2, $"switch from 2 to 0 at {at}");
        foreach (Out o in output.Skip(at - 20).Take(40))
        {
            Assert.True(run.Forwarder.TryMapNack(sub, o.Sequence, out int layer, out ushort original));
            Assert.Equal((o.Layer, o.SourceSequence), (layer, original));
        }
    }

    [Fact]
    public void ASubscribersPliAsksForAKeyFrameOfItsLayerAtMostOncePerInterval()
    {
        var run = new Run(SimulcastCodec.Vp8) { AnswerRequests = false };
        int sub = run.Forwarder.AddSubscriber(7, 0, 0);
        run.Forwarder.SetTargetBitrate(sub, 50_000, run.Now);
        run.Frames(40);
        while (run.Forwarder.TryPollKeyframeRequest(out _))
        {
        }

        Assert.Equal(0, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.RequestKeyframe(sub, run.Now);
        Assert.True(run.Forwarder.TryPollKeyframeRequest(out int layer));
        Assert.Equal(0, layer);
        run.Forwarder.RequestKeyframe(sub, run.Now + TimeSpan.FromMilliseconds(100));
        Assert.False(run.Forwarder.TryPollKeyframeRequest(out _));
        run.Forwarder.RequestKeyframe(sub, run.Now + TimeSpan.FromMilliseconds(600));
        Assert.True(run.Forwarder.TryPollKeyframeRequest(out layer));
        Assert.Equal(0, layer);
    }

    [Fact]
    public void H264LayersSwitchAtIdrFramesWithContinuousSequenceNumbersAndTimestamps()
    {
        var run = new Run(SimulcastCodec.H264);
        int sub = run.Forwarder.AddSubscriber(0xB0B, 100, 1000);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(60);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.SetTargetBitrate(sub, 50_000, run.Now);
        run.Frames(30);
        Assert.Equal(0, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(30);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        List<Out> output = run.Output[sub];
        AssertContinuous(output, 0, vp8: false);
        for (int i = 1; i < output.Count; i++)
        {
            if (output[i].Layer != output[i - 1].Layer)
            {
                // The switch packet is the key frame's STAP-A with the SPS.
                Assert.True(output[i].KeyFrameStart);
                Assert.Equal(24, output[i].Payload[0] & 0x1F);
            }
        }

        Assert.Equal([0, 2, 0, 2], LayerRuns(output));
    }

    [Fact]
    public void AStoppedLayerIsLeftForTheNextOneDownAtItsKeyFrame()
    {
        var run = new Run(SimulcastCodec.Vp8);
        int sub = run.Forwarder.AddSubscriber(3, 0, 0);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(40);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        run.Silent = 2; // the publisher stops its high layer (bandwidth, CPU, or paused "~f")
        run.Frames(60);
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));
        AssertContinuous(run.Output[sub], 0, vp8: true);
    }

    [Fact]
    public void ForwardingAllocatesNothingPerPacket()
    {
        var run = new Run(SimulcastCodec.Vp8);
        for (int i = 0; i < 4; i++)
        {
            int sub = run.Forwarder.AddSubscriber((uint)(100 + i), (ushort)(i * 1000), 0);
            run.Forwarder.SetTargetBitrate(sub, i switch { 0 => 50_000, 1 => 500_000, _ => 5_000_000 }, run.Now);
        }

        run.Frames(60);

        // The packets of the next 300 frames, made beforehand; then only Ingest, Forward to four subscribers and the polls.
        List<(int Layer, byte[] Packet, TimeSpan At)> packets = [];
        for (int f = 0; f < 300; f++)
        {
            TimeSpan at = run.Now + (f * FrameInterval);
            foreach ((int layer, byte[] packet) in run.Publisher.Frame())
            {
                packets.Add((layer, packet, at));
            }
        }

        byte[] destination = new byte[1600];
        long forwarded = 0;
        void Step(int i)
        {
            (int layer, byte[] packet, TimeSpan at) = packets[i];
            SimulcastPacket p = run.Forwarder.Ingest(layer, packet, at);
            for (int s = 0; s < 4; s++)
            {
                if (run.Forwarder.Forward(s, p, packet, destination, out _) == SimulcastForwardStatus.Forwarded)
                {
                    forwarded++;
                }
            }

            while (run.Forwarder.TryPollKeyframeRequest(out _))
            {
            }

            // A NACK lookup per packet too (of the last packet written, whoever it went to).
            _ = run.Forwarder.TryMapNack(3, BinaryPrimitives.ReadUInt16BigEndian(destination.AsSpan(2)), out _, out _);
        }

        for (int i = 0; i < 200; i++)
        {
            Step(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(200, packets.Count, 10, Step));
        Assert.True(forwarded > packets.Count, $"{forwarded} forwarded of {packets.Count} packets to four subscribers");
    }

    [Fact]
    public void PacketsFromBeforeASwitchAreStaleButALongRunOnOneLayerIsNot()
    {
        // One layer, 1-packet frames: a key frame at 65000, a late packet from before it, then 70,000 packets (the
        // layer's sequence numbers wrap, and move more than half their range past the switch).
        var forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { LayerCount = 1 });
        int sub = forwarder.AddSubscriber(9, 0, 0);
        byte[] packet = new byte[40], destination = new byte[64];
        int forwarded = 0;
        SimulcastForwardStatus Send(ushort seq, bool key, TimeSpan at)
        {
            packet.AsSpan().Clear();
            int n = RtpPacketWriter.Write(packet, new RtpHeader(96, seq, (uint)seq * 3000, 5, true), [0x10, key ? (byte)0x00 : (byte)0x01, 0, 0, 0x9D, 0x01, 0x2A, 0, 0, 0, 0]);
            SimulcastPacket p = forwarder.Ingest(0, packet.AsSpan(0, n), at);
            SimulcastForwardStatus status = forwarder.Forward(sub, p, packet.AsSpan(0, n), destination, out _);
            forwarded += status == SimulcastForwardStatus.Forwarded ? 1 : 0;
            return status;
        }

        Assert.Equal(SimulcastForwardStatus.WaitingForKeyframe, Send(64999, key: false, TimeSpan.Zero));
        Assert.Equal(SimulcastForwardStatus.Forwarded, Send(65000, key: true, TimeSpan.Zero));
        Assert.Equal(SimulcastForwardStatus.Stale, Send(64998, key: false, TimeSpan.Zero));
        for (int i = 1; i <= 70000; i++)
        {
            Assert.Equal(SimulcastForwardStatus.Forwarded, Send((ushort)(65000 + i), key: false, TimeSpan.FromMilliseconds(i)));
        }

        Assert.Equal(70001, forwarded);
        Assert.Equal(unchecked((ushort)70000), BinaryPrimitives.ReadUInt16BigEndian(destination.AsSpan(2))); // output started at 0
    }

    [Fact]
    public void HostileInputIsRefusedWithAStatus()
    {
        var vp8 = new SimulcastForwarder();
        int sub = vp8.AddSubscriber(1, 0, 0);
        byte[] destination = new byte[64];
        Assert.Equal(SimulcastIngestStatus.UnknownLayer, vp8.Ingest(3, new byte[20], TimeSpan.Zero).Status);
        Assert.Equal(SimulcastIngestStatus.UnknownLayer, vp8.Ingest(-1, new byte[20], TimeSpan.Zero).Status);
        Assert.Equal(SimulcastIngestStatus.Malformed, vp8.Ingest(0, [0x80, 96, 0], TimeSpan.Zero).Status);

        // An extended VP8 descriptor cut short.
        byte[] cut = new byte[14];
        RtpPacketWriter.Write(cut, new RtpHeader(96, 1, 1, 5), [0x90, 0x80]);
        SimulcastPacket p = vp8.Ingest(0, cut, TimeSpan.Zero);
        Assert.Equal(SimulcastIngestStatus.Malformed, p.Status);
        Assert.Equal(SimulcastForwardStatus.Refused, vp8.Forward(sub, p, cut, destination, out _));
        Assert.Equal(SimulcastForwardStatus.Refused, vp8.Forward(5, p, cut, destination, out _));

        // H.264: a STAP-A whose unit runs past the end, an FU-A with no FU header, a reserved NAL type.
        var h264 = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = SimulcastCodec.H264 });
        foreach (byte[] payload in new byte[][] { [24, 0, 9, 0x67], [28], [30, 1, 2] })
        {
            byte[] packet = new byte[12 + payload.Length];
            RtpPacketWriter.Write(packet, new RtpHeader(102, 1, 1, 5), payload);
            Assert.Equal(SimulcastIngestStatus.Malformed, h264.Ingest(0, packet, TimeSpan.Zero).Status);
        }

        // A key frame that does not fit the destination is not half-written.
        var run = new Run(SimulcastCodec.Vp8);
        int s = run.Forwarder.AddSubscriber(1, 0, 0);
        (int layer, byte[] key) = run.Publisher.Frame().First();
        SimulcastPacket first = run.Forwarder.Ingest(layer, key, TimeSpan.Zero);
        Assert.Equal(SimulcastForwardStatus.DestinationTooSmall, run.Forwarder.Forward(s, first, key, new byte[key.Length - 1], out int written));
        Assert.Equal(0, written);
        Assert.Equal(-1, run.Forwarder.GetCurrentLayer(s));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulcastForwarder(new SimulcastForwarderOptions { LayerCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulcastForwarder(new SimulcastForwarderOptions { NackHistorySize = 1000 }));
    }

    /// <summary>The layers of the output in the order the subscriber received them, runs collapsed.</summary>
    private static int[] LayerRuns(List<Out> output)
    {
        var runs = new List<int>();
        foreach (Out o in output)
        {
            if (runs.Count == 0 || runs[^1] != o.Layer)
            {
                runs.Add(o.Layer);
            }
        }

        return [.. runs];
    }

    /// <summary>
    /// One continuous stream: sequence numbers step by one except <paramref name="expectedGaps"/> single-packet gaps (the
    /// publisher's losses), timestamps never go back and move on at each new frame, and (VP8) the PictureID, always 15
    /// bits, and TL0PICIDX step by one per frame, at switches too.
    /// </summary>
    private static void AssertContinuous(List<Out> output, int expectedGaps, bool vp8)
    {
        Assert.NotEmpty(output);
        int gaps = 0;
        for (int i = 1; i < output.Count; i++)
        {
            Out prev = output[i - 1], cur = output[i];
            int step = (ushort)(cur.Sequence - prev.Sequence);
            Assert.True(step is 1 or 2, $"sequence {prev.Sequence} -> {cur.Sequence} at {i}");
            gaps += step - 1;
            bool newFrame = cur.Timestamp != prev.Timestamp;
            Assert.True((int)(cur.Timestamp - prev.Timestamp) >= 0, $"timestamp {prev.Timestamp} -> {cur.Timestamp} at {i}");
            if (vp8)
            {
                Assert.True(Vp8PayloadDescriptor.TryParse(cur.Payload, out Vp8PayloadDescriptor d, out _));
                Assert.True(Vp8PayloadDescriptor.TryParse(prev.Payload, out Vp8PayloadDescriptor pd, out _));
                Assert.True(d.LongPictureId);
                int expected = newFrame ? (pd.PictureId + 1) & 0x7FFF : pd.PictureId;
                Assert.True(d.PictureId == expected || (step == 2 && d.PictureId == ((expected + 1) & 0x7FFF)), $"PictureID {pd.PictureId} -> {d.PictureId} at {i} (layer {prev.Layer} -> {cur.Layer})");
                Assert.Equal(newFrame ? (pd.Tl0PicIndex + (d.PictureId - pd.PictureId & 0x7FFF)) & 0xFF : pd.Tl0PicIndex, d.Tl0PicIndex);
            }
        }

        Assert.Equal(expectedGaps, gaps);
    }

    private readonly record struct Out(int Layer, ushort SourceSequence, bool KeyFrameStart, uint Ssrc, ushort Sequence, uint Timestamp, bool Marker, byte[] Payload);

    /// <summary>The simulated publisher, a forwarder, and every subscriber's output, in virtual time.</summary>
    private sealed class Run
    {
        private readonly byte[] _destination = new byte[1600];

        public Run(SimulcastCodec codec)
        {
            Forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = codec });
            Publisher = new Publisher(codec);
        }

        public SimulcastForwarder Forwarder { get; }

        public Publisher Publisher { get; }

        public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(10);

        public Dictionary<int, List<Out>> Output { get; } = [];

        public List<int> KeyframeRequests { get; } = [];

        public bool AnswerRequests { get; init; } = true;

        public Func<int, ushort, bool>? Lose { get; set; }

        public int Silent { get; set; } = -1;

        public ushort NextSequence(int layer) => Publisher.Sequences[layer];

        public void Frames(int count)
        {
            for (int f = 0; f < count; f++)
            {
                foreach ((int layer, byte[] packet) in Publisher.Frame())
                {
                    ushort seq = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
                    if (layer == Silent || Lose?.Invoke(layer, seq) == true)
                    {
                        continue;
                    }

                    SimulcastPacket p = Forwarder.Ingest(layer, packet, Now);
                    Assert.Equal(SimulcastIngestStatus.Accepted, p.Status);
                    for (int s = 0; s < 8; s++)
                    {
                        SimulcastForwardStatus status = Forwarder.Forward(s, p, packet, _destination, out int written);
                        if (status != SimulcastForwardStatus.Forwarded)
                        {
                            continue;
                        }

                        Assert.True(RtpPacket.TryParse(_destination.AsSpan(0, written), out RtpPacket o));
                        Assert.Equal(0, o.CsrcCount);
                        Assert.False(o.HasExtension);
                        if (!Output.TryGetValue(s, out List<Out>? list))
                        {
                            Output[s] = list = [];
                        }

                        list.Add(new Out(layer, p.SequenceNumber, p.KeyFrameStart, o.Ssrc, o.SequenceNumber, o.Timestamp, o.Marker, o.Payload.ToArray()));
                    }
                }

                while (Forwarder.TryPollKeyframeRequest(out int layer))
                {
                    KeyframeRequests.Add(layer);
                    if (AnswerRequests)
                    {
                        Publisher.KeyNext[layer] = true;
                    }
                }

                Now += FrameInterval;
            }
        }
    }

    /// <summary>Three layers of one source; a key frame every 3 s on its own, or the next frame when asked.</summary>
    private sealed class Publisher(SimulcastCodec codec)
    {
        private static readonly (uint Ssrc, int Packets, int Size, bool ShortPictureId)[] Layers =
        [
            (0x51, 1, 280, true),
            (0x52, 2, 720, false),
            (0x53, 4, 960, false),
        ];

        private readonly uint[] _timestamps = [0x10000000, 0x7FFFFFF0, 0xFFFFFF00];
        private readonly int[] _pictureIds = [120, 32760, 5];
        private readonly int[] _tl0 = [250, 0, 77];
        private int _frame;

        public ushort[] Sequences { get; } = [65500, 100, 30000];

        public bool[] KeyNext { get; } = new bool[3];

        public List<(int Layer, byte[] Packet)> Frame()
        {
            var packets = new List<(int, byte[])>();
            for (int l = 0; l < 3; l++)
            {
                bool key = _frame % 90 == 0 || KeyNext[l];
                KeyNext[l] = false;
                (uint ssrc, int count, int size, bool shortId) = Layers[l];
                for (int i = 0; i < count; i++)
                {
                    byte[] payload = codec == SimulcastCodec.Vp8 ? Vp8(l, i, size, key, shortId) : H264(i, count, size, key);
                    byte[] packet = new byte[12 + payload.Length];
                    RtpPacketWriter.Write(packet, new RtpHeader(codec == SimulcastCodec.Vp8 ? (byte)96 : (byte)102, Sequences[l]++, _timestamps[l], ssrc, i == count - 1), payload);
                    packets.Add((l, packet));
                }

                _timestamps[l] += 3000;
                _pictureIds[l] = (_pictureIds[l] + 1) & (shortId ? 0x7F : 0x7FFF);
                _tl0[l] = (_tl0[l] + 1) & 0xFF;
            }

            _frame++;
            return packets;
        }

        private byte[] Vp8(int layer, int index, int size, bool key, bool shortId)
        {
            var d = new Vp8PayloadDescriptor(false, index == 0, 0, _pictureIds[layer], !shortId, _tl0[layer]);
            byte[] payload = new byte[size];
            int n = d.Write(payload);
            if (index == 0)
            {
                payload[n] = key ? (byte)0x00 : (byte)0x01; // RFC 6386 §9.1 frame tag: P bit
                if (key)
                {
                    payload[n + 3] = 0x9D;
                    payload[n + 4] = 0x01;
                    payload[n + 5] = 0x2A;
                }
            }

            return payload;
        }

        private static byte[] H264(int index, int count, int size, bool key)
        {
            if (key && index == 0)
            {
                // RFC 6184 §5.7.1 STAP-A: SPS and PPS ahead of the IDR slice, which follows in FU-As.
                return [24, 0, 4, 0x67, 0x42, 0xC0, 0x1F, 0, 2, 0x68, 0xCE];
            }

            byte[] payload = new byte[size];
            int nalType = key ? 5 : 1;
            payload[0] = 28 | 0x60;
            payload[1] = (byte)(nalType | ((key ? index == 1 : index == 0) ? 0x80 : 0) | (index == count - 1 ? 0x40 : 0));
            return payload;
        }
    }
}
