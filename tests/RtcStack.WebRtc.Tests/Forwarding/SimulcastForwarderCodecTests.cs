using System.Buffers.Binary;
using RtcStack.Rtp;
using RtcStack.TestSupport;
using RtcStack.Video;
using RtcStack.WebRtc.Forwarding;
using Xunit;

namespace RtcStack.WebRtc.Tests.Forwarding;

/// <summary>
/// <see cref="SimulcastForwarder"/> with VP9 (RFC 9628) and AV1 (AOMedia AV1 RTP payload format) layers made by our own
/// <see cref="Vp9Packetizer"/> and <see cref="Av1Packetizer"/>: three layers of about 70 kbit/s, 360 kbit/s and 1 Mbit/s
/// at 30 frames a second, each with its own SSRC, sequence, timestamp and picture ID bases (VP9: the lowest layer's
/// picture ID rewritten to 7 bits, two temporal layers), a key frame of a layer when the forwarder asks for one. Each
/// subscriber's output is checked packet by packet and put back together with <see cref="VideoFrameAssembler"/>.
/// </summary>
public class SimulcastForwarderCodecTests
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(33);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Vp9LayersSwitchAtKeyFramesWithContinuousPictureIdsAndAssembleIntoThePublishersFrames(bool flexible)
    {
        var run = new Run(SimulcastCodec.Vp9, flexible);
        int sub = SwitchUpDownUp(run);
        List<Out> output = run.Output[sub];
        AssertSwitchesAtPublisherKeyFrames(run, output, [0, 2, 1, 0, 2]);
        AssertContinuousSequenceAndTimestamps(output);

        // Picture ID: always 15 bits (M=1), one step per picture, at switches too; TL0PICIDX (non-flexible) one step per
        // TID 0 picture and kept by the TID 1 ones; the layer indices are as sent.
        for (int i = 1; i < output.Count; i++)
        {
            Out prev = output[i - 1], cur = output[i];
            Assert.True(Vp9PayloadDescriptor.TryParse(cur.Payload, out Vp9PayloadDescriptor d));
            Assert.True(Vp9PayloadDescriptor.TryParse(prev.Payload, out Vp9PayloadDescriptor pd));
            Assert.True(d.PictureIdIs15Bits, $"7-bit picture ID at {i}");
            Assert.Equal(flexible, d.FlexibleMode);
            bool newPicture = cur.Timestamp != prev.Timestamp;
            Assert.True(d.PictureId == (newPicture ? (pd.PictureId + 1) & 0x7FFF : pd.PictureId), $"picture ID {pd.PictureId} -> {d.PictureId} at {i} (layer {prev.Layer} -> {cur.Layer})");
            Assert.Equal(cur.SourceTemporalId, d.TemporalId);
            if (!flexible)
            {
                int expected = newPicture && d.TemporalId == 0 ? (pd.Tl0PicIndex + 1) & 0xFF : pd.Tl0PicIndex;
                Assert.True(d.Tl0PicIndex == expected, $"TL0PICIDX {pd.Tl0PicIndex} -> {d.Tl0PicIndex} at {i} (TID {d.TemporalId}, layer {prev.Layer} -> {cur.Layer})");
            }
            else
            {
                Assert.Equal(-1, d.Tl0PicIndex);
            }
        }

        int references = AssertReferencesNameTheSamePictures(output);
        Assert.True(flexible ? references > 100 : references == 0, $"{references} references");

        // Every key frame forwarded carries the scalability structure of its layer: the subscriber learns the resolution at the switch.
        foreach (Out o in output.Where(o => o.KeyFrameStart))
        {
            Assert.True(Vp9PayloadDescriptor.TryParse(o.Payload, out Vp9PayloadDescriptor d));
            Assert.True(d.HasScalabilityStructure && !d.InterPicturePredicted && d.StartOfFrame);
            Assert.True(Vp9ScalabilityStructure.TryParse(o.Payload.AsSpan(d.ScalabilityStructureOffset, d.ScalabilityStructureLength), out Vp9ScalabilityStructure ss));
            Assert.Equal(Publisher.Widths[o.Layer], ss.GetWidth(0));
        }

        AssertAssemblesIntoThePublishersFrames(run, output, new Vp9Depacketizer());
    }

    [Fact]
    public void AVp9PictureLostBeforeTheForwarderLeavesItsGapInThePictureIdsSoReferencesStayValid()
    {
        var run = new Run(SimulcastCodec.Vp9, flexible: true);
        int sub = run.Forwarder.AddSubscriber(0xC, 0, 0);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(40);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));

        // The whole of one TID 1 picture of the top layer is lost on the publisher's leg (its next picture, TID 0, refers
        // to the one before it); then the subscriber moves down to the lowest layer.
        uint lost = run.Publisher.NextTimestamp(2) + (3000u * (uint)(run.Publisher.SinceKey(2) % 2));
        run.LoseFrame = (layer, timestamp) => layer == 2 && timestamp == lost;
        run.Frames(10);
        run.LoseFrame = null;
        run.Forwarder.SetTargetBitrate(sub, 50_000, run.Now);
        run.Frames(30);
        Assert.Equal(0, run.Forwarder.GetCurrentLayer(sub));
        List<Out> output = run.Output[sub];
        Assert.DoesNotContain(output, o => o.Layer == 2 && o.SourceTimestamp == lost);
        int gaps = 0;
        for (int i = 1; i < output.Count; i++)
        {
            Assert.True(Vp9PayloadDescriptor.TryParse(output[i - 1].Payload, out Vp9PayloadDescriptor pd));
            Assert.True(Vp9PayloadDescriptor.TryParse(output[i].Payload, out Vp9PayloadDescriptor d));
            int step = (d.PictureId - pd.PictureId) & 0x7FFF;
            if (output[i].Timestamp != output[i - 1].Timestamp)
            {
                Assert.True(step is 1 or 2, $"picture ID {pd.PictureId} -> {d.PictureId} at {i}");
                gaps += step - 1;
            }
        }

        Assert.Equal(1, gaps);
        Assert.True(AssertReferencesNameTheSamePictures(output) > 30);
        Assert.Equal([0, 2, 0], output.Where((o, i) => i == 0 || output[i - 1].Layer != o.Layer).Select(o => o.Layer));
    }

    [Fact]
    public void Av1LayersSwitchAtNewCodedVideoSequencesAndAssembleIntoThePublishersTemporalUnits()
    {
        var run = new Run(SimulcastCodec.Av1, flexible: false);
        int sub = SwitchUpDownUp(run);
        List<Out> output = run.Output[sub];
        AssertSwitchesAtPublisherKeyFrames(run, output, [0, 2, 1, 0, 2]);
        AssertContinuousSequenceAndTimestamps(output);

        // The payload is forwarded as sent; N=1 (a new coded video sequence, AV1 RTP §4.4) exactly where a switch may happen.
        foreach (Out o in output)
        {
            Assert.Equal(run.Sent[(o.Layer, o.SourceSequence)], o.Payload);
            Assert.Equal(o.KeyFrameStart, (o.Payload[0] & 0x08) != 0);
        }

        AssertAssemblesIntoThePublishersFrames(run, output, new Av1Depacketizer());
    }

    [Theory]
    [InlineData(SimulcastCodec.Vp9)]
    [InlineData(SimulcastCodec.Av1)]
    public void TwoSubscribersOnDifferentLayersEachGetTheirOwnContinuousStream(SimulcastCodec codec)
    {
        var run = new Run(codec, flexible: false);
        int low = run.Forwarder.AddSubscriber(0x10, 40000, 7);
        int high = run.Forwarder.AddSubscriber(0x20, 1, 0x80000000);
        run.Forwarder.SetTargetBitrate(low, 50_000, run.Now);
        run.Forwarder.SetTargetBitrate(high, 5_000_000, run.Now);
        run.Frames(60);
        Assert.Equal(0, run.Forwarder.GetCurrentLayer(low));
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(high));
        foreach (int sub in new[] { low, high })
        {
            AssertContinuousSequenceAndTimestamps(run.Output[sub]);
            IVideoDepacketizer depacketizer = codec == SimulcastCodec.Vp9 ? new Vp9Depacketizer() : new Av1Depacketizer();
            AssertAssemblesIntoThePublishersFrames(run, run.Output[sub], depacketizer);
        }

        Assert.All(run.Output[low], o => Assert.Equal(0x10u, o.Ssrc));
        Assert.All(run.Output[high], o => Assert.Equal(0x20u, o.Ssrc));
    }

    [Theory]
    [InlineData(SimulcastCodec.Vp9)]
    [InlineData(SimulcastCodec.Av1)]
    public void ForwardingAllocatesNothingPerPacket(SimulcastCodec codec)
    {
        var run = new Run(codec, flexible: codec == SimulcastCodec.Vp9);
        for (int i = 0; i < 3; i++)
        {
            int sub = run.Forwarder.AddSubscriber((uint)(100 + i), (ushort)(i * 1000), 0);
            run.Forwarder.SetTargetBitrate(sub, i switch { 0 => 50_000, 1 => 500_000, _ => 5_000_000 }, run.Now);
        }

        run.Frames(40);
        List<(int Layer, byte[] Packet, TimeSpan At)> packets = [];
        for (int f = 0; f < 200; f++)
        {
            TimeSpan at = run.Now + (f * FrameInterval);
            foreach ((int layer, byte[] packet, _) in run.Publisher.Frame())
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
            for (int s = 0; s < 3; s++)
            {
                if (run.Forwarder.Forward(s, p, packet, destination, out _) == SimulcastForwardStatus.Forwarded)
                {
                    forwarded++;
                }
            }

            while (run.Forwarder.TryPollKeyframeRequest(out _))
            {
            }
        }

        for (int i = 0; i < 100; i++)
        {
            Step(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(100, packets.Count, 10, Step));
        Assert.True(forwarded > packets.Count - 100, $"{forwarded} forwarded of {packets.Count} packets to three subscribers");
    }

    [Fact]
    public void HostileVp9AndAv1PayloadsAreRefusedWithAStatus()
    {
        // VP9 (RFC 9628 §4.2): picture ID cut (M=1, one byte), layer indices cut, TL0PICIDX cut, a P_DIFF of 0, a fourth
        // P_DIFF announced, D=1 in spatial layer 0, a scalability structure cut, a descriptor with no frame data.
        byte[][] vp9 =
        [
            [0x88, 0x80],
            [0xA8, 0x05],
            [0xA8, 0x05, 0x00],
            [0xF8, 0x05, 0x00, 0x00, 0xAA],
            [0xD8, 0x05, 0x03, 0x05, 0x07, 0x09, 0xAA],
            [0xA8, 0x05, 0x01, 0x00, 0xAA],
            [0x8A, 0x05, 0x18, 0x00, 0x00],
            [0x88, 0x05],
        ];
        AssertRefused(SimulcastCodec.Vp9, vp9);

        // AV1 (§4.4, §4.5): N=1 with Z=1, only the aggregation header, W=2 with one element, a length past the end, a
        // zero length, an OBU with the forbidden bit.
        byte[][] av1 =
        [
            [0x98, 0x32, 0x00],
            [0x10],
            [0x20, 0x05, 0x32, 1, 2, 3, 4],
            [0x00, 0x09, 0x32, 1, 2],
            [0x00, 0x00, 0x32, 1, 2],
            [0x10, 0xB2, 0x00],
        ];
        AssertRefused(SimulcastCodec.Av1, av1);

        // Every truncation and many random byte flips of real packets: a status, never an exception, and a forwarded
        // packet never longer than its input plus one byte.
        var random = new Random(9628);
        foreach (SimulcastCodec codec in new[] { SimulcastCodec.Vp9, SimulcastCodec.Av1 })
        {
            foreach (bool flexible in new[] { false, true })
            {
                var run = new Run(codec, flexible);
                var forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = codec, LayerCount = 3 });
                int sub = forwarder.AddSubscriber(1, 0, 0);
                byte[] destination = new byte[1600];
                for (int f = 0; f < 40; f++)
                {
                    foreach ((int layer, byte[] packet, _) in run.Publisher.Frame())
                    {
                        for (int cut = 0; cut <= Math.Min(packet.Length, 40); cut++)
                        {
                            Feed(forwarder, sub, layer, packet.AsSpan(0, cut), destination);
                        }

                        byte[] mutated = (byte[])packet.Clone();
                        for (int k = 0; k < 20; k++)
                        {
                            mutated[12 + random.Next(Math.Min(24, mutated.Length - 12))] ^= (byte)(1 << random.Next(8));
                            Feed(forwarder, sub, layer, mutated, destination);
                        }
                    }
                }
            }
        }

        static void Feed(SimulcastForwarder forwarder, int sub, int layer, ReadOnlySpan<byte> packet, Span<byte> destination)
        {
            SimulcastPacket p = forwarder.Ingest(layer, packet, TimeSpan.Zero);
            SimulcastForwardStatus status = forwarder.Forward(sub, p, packet, destination, out int written);
            Assert.True(status == SimulcastForwardStatus.Forwarded ? written <= packet.Length + 1 && written >= 12 : written == 0);
        }
    }

    private static void AssertRefused(SimulcastCodec codec, byte[][] payloads)
    {
        var forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = codec });
        int sub = forwarder.AddSubscriber(1, 0, 0);
        foreach (byte[] payload in payloads)
        {
            byte[] packet = new byte[12 + payload.Length];
            RtpPacketWriter.Write(packet, new RtpHeader(98, 1, 1, 5, true), payload);
            SimulcastPacket p = forwarder.Ingest(0, packet, TimeSpan.Zero);
            Assert.True(p.Status == SimulcastIngestStatus.Malformed, $"{codec} payload {Convert.ToHexString(payload)}: {p.Status}");
            Assert.Equal(SimulcastForwardStatus.Refused, forwarder.Forward(sub, p, packet, new byte[64], out int written));
            Assert.Equal(0, written);
        }
    }

    /// <summary>A subscriber on the top layer, then the middle, the lowest, and the top again.</summary>
    private static int SwitchUpDownUp(Run run)
    {
        int sub = run.Forwarder.AddSubscriber(0xAAAA, firstSequenceNumber: 65530, firstTimestamp: 0xFFFFF000);
        run.Forwarder.SetTargetBitrate(sub, 5_000_000, run.Now);
        run.Frames(60);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        long low = run.Forwarder.GetLayerBitrate(0, run.Now), mid = run.Forwarder.GetLayerBitrate(1, run.Now), high = run.Forwarder.GetLayerBitrate(2, run.Now);
        Assert.True(low < mid && mid < high, $"{low} {mid} {high}");
        run.Forwarder.SetTargetBitrate(sub, (mid + high) / 2, run.Now);
        run.Frames(30);
        Assert.Equal(1, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.SetTargetBitrate(sub, (low + mid) / 2, run.Now);
        run.Frames(30);
        Assert.Equal(0, run.Forwarder.GetCurrentLayer(sub));
        run.Forwarder.SetTargetBitrate(sub, 3 * high, run.Now);
        run.Frames(30);
        Assert.Equal(2, run.Forwarder.GetCurrentLayer(sub));
        return sub;
    }

    /// <summary>
    /// The output's layers run as <paramref name="expectedRuns"/>, and each change of layer is at the first packet of a
    /// frame the publisher made as a key frame (its own record, not the forwarder's judgement), which the forwarder
    /// asked for; before that packet the new layer had sent delta frames the subscriber did not get.
    /// </summary>
    private static void AssertSwitchesAtPublisherKeyFrames(Run run, List<Out> output, int[] expectedRuns)
    {
        List<int> runs = [output[0].Layer];
        Assert.True(run.KeyFrameStarts.Contains((output[0].Layer, output[0].SourceSequence)), "the output starts at no key frame");
        for (int i = 1; i < output.Count; i++)
        {
            if (output[i].Layer != output[i - 1].Layer)
            {
                runs.Add(output[i].Layer);
                Assert.True(run.KeyFrameStarts.Contains((output[i].Layer, output[i].SourceSequence)), $"switch to layer {output[i].Layer} at packet {output[i].SourceSequence}, no key frame start");
                Assert.True(output[i].KeyFrameStart);
            }
            else
            {
                Assert.Equal((ushort)(output[i - 1].SourceSequence + 1), output[i].SourceSequence);
            }
        }

        Assert.Equal(expectedRuns, runs);
        Assert.Contains(1, run.KeyframeRequests);
        Assert.Contains(0, run.KeyframeRequests);
    }

    /// <summary>
    /// Flexible mode: every P_DIFF of the output names, in the output's picture IDs, the picture it named in the
    /// publisher's, whenever that picture was forwarded. Returns the number of references checked.
    /// </summary>
    private static int AssertReferencesNameTheSamePictures(List<Out> output)
    {
        var outputIdOf = new Dictionary<(int Layer, int SourceId), int>();
        int references = 0;
        foreach (Out o in output)
        {
            Assert.True(Vp9PayloadDescriptor.TryParse(o.Payload, out Vp9PayloadDescriptor d));
            outputIdOf[(o.Layer, o.SourcePictureId)] = d.PictureId;
            int modulus = o.Layer == 0 ? 0x80 : 0x8000;
            for (int r = 0; r < d.ReferenceCount; r++)
            {
                int diff = r switch { 0 => d.Reference1, 1 => d.Reference2, _ => d.Reference3 };
                if (outputIdOf.TryGetValue((o.Layer, (o.SourcePictureId - diff) & (modulus - 1)), out int target))
                {
                    Assert.True(((d.PictureId - diff) & 0x7FFF) == target, $"P_DIFF {diff} of output picture {d.PictureId} (layer {o.Layer}, source {o.SourcePictureId}) names {(d.PictureId - diff) & 0x7FFF}, not {target}");
                    references++;
                }
            }
        }

        return references;
    }

    /// <summary>Sequence numbers step by one, timestamps never go back and move on at each new frame only.</summary>
    private static void AssertContinuousSequenceAndTimestamps(List<Out> output)
    {
        Assert.NotEmpty(output);
        for (int i = 1; i < output.Count; i++)
        {
            Out prev = output[i - 1], cur = output[i];
            Assert.True((ushort)(cur.Sequence - prev.Sequence) == 1, $"sequence {prev.Sequence} -> {cur.Sequence} at {i}");
            int step = (int)(cur.Timestamp - prev.Timestamp);
            bool sameFrame = cur.Layer == prev.Layer && cur.SourceTimestamp == prev.SourceTimestamp;
            Assert.True(sameFrame ? step == 0 : step > 0, $"timestamp {prev.Timestamp} -> {cur.Timestamp} at {i}");
        }
    }

    /// <summary>
    /// The output through <see cref="VideoFrameAssembler"/> gives every frame the subscriber got, complete, in order,
    /// byte for byte the frame the publisher pushed (AV1: a temporal delimiter ahead, as our depacketizer writes), the
    /// first frame of each layer a key frame, and nothing dropped or malformed.
    /// </summary>
    private static void AssertAssemblesIntoThePublishersFrames(Run run, List<Out> output, IVideoDepacketizer depacketizer)
    {
        var assembler = new VideoFrameAssembler(depacketizer, windowSize: 256, maxPayloadSize: 1500);
        var sourceOf = new Dictionary<uint, (int Layer, uint Timestamp)>();
        int frames = 0, keyFrames = 0;
        foreach (Out o in output)
        {
            sourceOf[o.Timestamp] = (o.Layer, o.SourceTimestamp);
            assembler.Insert(o.Sequence, o.Timestamp, o.Marker, o.Payload);
            while (assembler.TryPollEvent(out VideoAssemblerEvent e))
            {
                Assert.True(e.Kind == VideoAssemblerEventKind.FrameCompleted, $"{e.Kind} at {e.FirstSequenceNumber}");
                (int layer, uint timestamp) = sourceOf[e.Timestamp];
                byte[] expected = run.Publisher.Frames[(layer, timestamp)];
                if (depacketizer.Codec == VideoCodec.Av1)
                {
                    expected = [0x12, 0x00, .. expected];
                }

                Assert.Equal(expected, assembler.GetFrame(e).ToArray());
                Assert.Equal(run.KeyFrameStarts.Contains((layer, (ushort)(output.First(x => x.Timestamp == e.Timestamp).SourceSequence))), e.KeyFrame);
                Assert.True(frames == 0 || e.Continuous, $"frame at {e.FirstSequenceNumber} not continuous");
                frames++;
                keyFrames += e.KeyFrame ? 1 : 0;
            }
        }

        Assert.Equal(output.Select(o => o.Timestamp).Distinct().Count(), frames);
        Assert.Equal(0, assembler.FramesDropped);
        Assert.True(keyFrames >= output.Where(o => o.KeyFrameStart).Count() && keyFrames >= 1);
    }

    private readonly record struct Out(int Layer, ushort SourceSequence, uint SourceTimestamp, int SourcePictureId, int SourceTemporalId, bool KeyFrameStart, uint Ssrc, ushort Sequence, uint Timestamp, bool Marker, byte[] Payload);

    /// <summary>The simulated publisher, a forwarder, and every subscriber's output, in virtual time.</summary>
    private sealed class Run
    {
        private readonly byte[] _destination = new byte[1600];
        private readonly SimulcastCodec _codec;

        public Run(SimulcastCodec codec, bool flexible)
        {
            _codec = codec;
            Forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = codec });
            Publisher = new Publisher(codec, flexible);
        }

        public SimulcastForwarder Forwarder { get; }

        public Publisher Publisher { get; }

        public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(10);

        public Dictionary<int, List<Out>> Output { get; } = [];

        public List<int> KeyframeRequests { get; } = [];

        /// <summary>Gets the first packets of the key frames the publisher sent, by layer and sequence number.</summary>
        public HashSet<(int Layer, ushort Sequence)> KeyFrameStarts { get; } = [];

        /// <summary>Gets every payload the publisher sent, by layer and sequence number.</summary>
        public Dictionary<(int Layer, ushort Sequence), byte[]> Sent { get; } = [];

        /// <summary>Gets or sets which frames (layer, RTP timestamp) are lost on the way from the publisher.</summary>
        public Func<int, uint, bool>? LoseFrame { get; set; }

        public void Frames(int count)
        {
            for (int f = 0; f < count; f++)
            {
                foreach ((int layer, byte[] packet, bool keyStart) in Publisher.Frame())
                {
                    Assert.True(RtpPacket.TryParse(packet, out RtpPacket sent));
                    if (LoseFrame?.Invoke(layer, sent.Timestamp) == true)
                    {
                        continue;
                    }

                    Sent[(layer, sent.SequenceNumber)] = sent.Payload.ToArray();
                    if (keyStart)
                    {
                        KeyFrameStarts.Add((layer, sent.SequenceNumber));
                    }

                    int pictureId = -1, temporalId = -1;
                    if (_codec == SimulcastCodec.Vp9)
                    {
                        Assert.True(Vp9PayloadDescriptor.TryParse(sent.Payload, out Vp9PayloadDescriptor d));
                        (pictureId, temporalId) = (d.PictureId, d.TemporalId);
                    }

                    SimulcastPacket p = Forwarder.Ingest(layer, packet, Now);
                    Assert.Equal(SimulcastIngestStatus.Accepted, p.Status);
                    Assert.Equal(keyStart, p.KeyFrameStart);
                    for (int s = 0; s < 4; s++)
                    {
                        if (Forwarder.Forward(s, p, packet, _destination, out int written) != SimulcastForwardStatus.Forwarded)
                        {
                            continue;
                        }

                        Assert.True(RtpPacket.TryParse(_destination.AsSpan(0, written), out RtpPacket o));
                        Assert.False(o.HasExtension);
                        Assert.Equal(sent.Marker, o.Marker);
                        if (!Output.TryGetValue(s, out List<Out>? list))
                        {
                            Output[s] = list = [];
                        }

                        list.Add(new Out(layer, p.SequenceNumber, p.Timestamp, pictureId, temporalId, p.KeyFrameStart, o.Ssrc, o.SequenceNumber, o.Timestamp, o.Marker, o.Payload.ToArray()));
                    }
                }

                while (Forwarder.TryPollKeyframeRequest(out int layer))
                {
                    KeyframeRequests.Add(layer);
                    Publisher.KeyNext[layer] = true;
                }

                Now += FrameInterval;
            }
        }
    }

    /// <summary>
    /// Three layers of one source, each through its own packetizer; a key frame every 3 s on its own, or the next frame
    /// when asked. VP9: two temporal layers (TID 0, 1, 0, 1, ... from each key frame); in flexible mode a TID 0 picture
    /// refers to the TID 0 one before it (and, every third, also to the picture just before), a TID 1 picture to the
    /// one before it. AV1: a key temporal unit is a sequence header and a frame OBU, others a frame OBU.
    /// </summary>
    private sealed class Publisher
    {
        public static readonly int[] Widths = [320, 640, 1280];

        private static readonly (uint Ssrc, int Size)[] Layers = [(0x51, 280), (0x52, 1500), (0x53, 4000)];

        private readonly SimulcastCodec _codec;
        private readonly IVideoPacketizer[] _packetizers = new IVideoPacketizer[3];
        private readonly uint[] _timestamps = [0x10000000, 0x7FFFFFF0, 0xFFFFFF00];
        private readonly int[] _sinceKey = new int[3];
        private readonly Random _random = new(42);
        private readonly byte[] _payload = new byte[1200];
        private int _frame;

        public Publisher(SimulcastCodec codec, bool flexible)
        {
            _codec = codec;
            int[] pictureIds = [120, 32760, 5];
            int[] tl0 = [250, 0, 77];
            for (int l = 0; l < 3; l++)
            {
                _packetizers[l] = codec == SimulcastCodec.Vp9
                    ? new Vp9Packetizer { FlexibleMode = flexible, PictureId = pictureIds[l], Tl0PicIndex = tl0[l], Width = Widths[l], Height = Widths[l] * 9 / 16, MaxPayloadSize = 1200 }
                    : new Av1Packetizer { MaxPayloadSize = 1200 };
            }
        }

        public ushort[] Sequences { get; } = [65500, 100, 30000];

        public bool[] KeyNext { get; } = new bool[3];

        public uint NextTimestamp(int layer) => _timestamps[layer];

        public int SinceKey(int layer) => _sinceKey[layer];

        /// <summary>Gets every frame pushed (AV1: the temporal unit) by layer and RTP timestamp.</summary>
        public Dictionary<(int Layer, uint Timestamp), byte[]> Frames { get; } = [];

        public List<(int Layer, byte[] Packet, bool KeyFrameStart)> Frame()
        {
            var packets = new List<(int, byte[], bool)>();
            for (int l = 0; l < 3; l++)
            {
                bool key = _frame % 90 == 0 || KeyNext[l];
                KeyNext[l] = false;
                _sinceKey[l] = key ? 0 : _sinceKey[l] + 1;
                byte[] frame = MakeFrame(l, key);
                Frames[(l, _timestamps[l])] = frame;
                VideoPacketizeStatus status;
                if (_packetizers[l] is Vp9Packetizer vp9)
                {
                    int tid = _sinceKey[l] % 2;
                    byte[] refs = tid == 1 ? [1] : _sinceKey[l] % 3 == 2 ? [2, 1] : [2];
                    status = vp9.Push(frame, key, tid, switchingUpPoint: tid == 1, key ? [] : refs);
                }
                else
                {
                    status = _packetizers[l].Push(frame, key);
                }

                Assert.Equal(VideoPacketizeStatus.Ok, status);
                bool first = true;
                while (_packetizers[l].TryPoll(_payload, out VideoRtpPayload payload))
                {
                    ReadOnlySpan<byte> bytes = _payload.AsSpan(0, payload.Length);
                    byte[] rewritten = bytes.ToArray();
                    if (_codec == SimulcastCodec.Vp9 && l == 0)
                    {
                        // The lowest layer's picture ID in 7 bits (M=0): the packetizer writes 15.
                        rewritten = [bytes[0], (byte)(bytes[2] & 0x7F), .. bytes[3..]];
                    }

                    byte[] packet = new byte[12 + rewritten.Length];
                    RtpPacketWriter.Write(packet, new RtpHeader(98, Sequences[l]++, _timestamps[l], Layers[l].Ssrc, payload.Marker), rewritten);
                    packets.Add((l, packet, key && first));
                    first = false;
                }

                _timestamps[l] += 3000;
            }

            _frame++;
            return packets;
        }

        private byte[] MakeFrame(int layer, bool key)
        {
            int size = Layers[layer].Size;
            byte[] body = new byte[size];
            _random.NextBytes(body);
            BinaryPrimitives.WriteInt32BigEndian(body, (layer << 24) | _frame);
            if (_codec == SimulcastCodec.Vp9)
            {
                return body;
            }

            // AV1 low-overhead format (AV1 §5.2), each OBU with obu_size: [sequence header] frame.
            var unit = new List<byte>();
            if (key)
            {
                unit.AddRange([0x0A, 12, 0x00, 0x00, 0x00, 0x02, 0xAF, 0xFF, 0x9F, 0xFF, 0xC0, 0x80, 0x40, 0x10]);
            }

            unit.Add(0x32); // frame OBU, obu_has_size_field
            for (uint v = (uint)size; ; v >>= 7)
            {
                if (v < 0x80)
                {
                    unit.Add((byte)v);
                    break;
                }

                unit.Add((byte)(0x80 | (v & 0x7F)));
            }

            unit.AddRange(body);
            return [.. unit];
        }
    }
}
