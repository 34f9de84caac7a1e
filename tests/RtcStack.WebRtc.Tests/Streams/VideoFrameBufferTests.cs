using RtcStack.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Video;
using RtcStack.WebRtc.Streams;
using Xunit;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>The receive-side video frame buffer: waiting for retransmissions within a deadline, decode order, key frames after loss.</summary>
public sealed class VideoFrameBufferTests
{
    private static readonly TimeSpan s_ms = TimeSpan.FromMilliseconds(1);

    // Raw VP8 payloads: descriptor S=1 PID=0, then the frame tag (P = 0 for a key frame); continuations have S=0.
    private static byte[] Key(byte id) => [0x10, 0x00, id];

    private static byte[] Delta(byte id) => [0x10, 0x01, id];

    private static byte[] More(byte id) => [0x00, id];

    private static VideoFrameBuffer Buffer(TimeSpan? rtt = null) =>
        new(new Vp8Depacketizer(), new VideoFrameBufferOptions { WindowSize = 256 }) { RoundTripTime = rtt };

    private static List<(uint Timestamp, bool Key, byte[] Data)> Poll(VideoFrameBuffer buffer)
    {
        var frames = new List<(uint, bool, byte[])>();
        while (buffer.TryPollFrame(out VideoFrame frame))
        {
            frames.Add((frame.Timestamp, frame.KeyFrame, buffer.GetFrameData(frame).ToArray()));
        }

        return frames;
    }

    private static List<uint> Timestamps(VideoFrameBuffer buffer) => Poll(buffer).Select(f => f.Timestamp).ToList();

    [Fact]
    public void ARetransmissionWithinTheDeadlineReleasesBothFramesInOrder()
    {
        VideoFrameBuffer buffer = Buffer();
        buffer.Insert(10, 1000, true, Key(1), TimeSpan.Zero);
        Assert.Equal([1000u], Timestamps(buffer));

        buffer.Insert(11, 2000, false, Delta(2), 33 * s_ms);  // 12, the end of frame 2000, is lost
        buffer.Insert(13, 3000, true, Delta(3), 66 * s_ms);   // frame 3000 is complete but must wait
        Assert.Empty(Timestamps(buffer));
        Assert.True(buffer.IsWaiting);
        Assert.Equal(new StreamTimeout(166 * s_ms, StreamTimeoutReason.FrameDeadline), buffer.PollTimeout());

        buffer.HandleTimeout(120 * s_ms);                     // before the deadline: nothing changes
        Assert.True(buffer.IsWaiting);
        buffer.Insert(12, 2000, true, More(4), 130 * s_ms);   // the retransmission
        List<(uint Timestamp, bool Key, byte[] Data)> frames = Poll(buffer);
        Assert.Equal([2000u, 3000u], frames.Select(f => f.Timestamp));
        Assert.Equal([0x01, 2, 4], frames[0].Data);
        Assert.Null(buffer.PollTimeout());
        Assert.False(buffer.TryTakeKeyframeRequest());
        Assert.Equal((3L, 0L, 0L), (buffer.FramesReleased, buffer.FramesDropped, buffer.GiveUps));
    }

    [Fact]
    public void PastTheDeadlineNothingUndecodableIsReleasedAndAKeyFrameResumesOutput()
    {
        VideoFrameBuffer buffer = Buffer();
        buffer.Insert(10, 1000, true, Key(1), TimeSpan.Zero);
        Poll(buffer);
        buffer.Insert(11, 2000, false, Delta(2), 33 * s_ms);  // 12 lost for good
        buffer.Insert(13, 3000, true, Delta(3), 66 * s_ms);
        buffer.Insert(14, 4000, true, Delta(4), 99 * s_ms);
        Assert.Empty(Poll(buffer));
        Assert.Equal(166 * s_ms, buffer.PollTimeout()!.Value.At);

        buffer.HandleTimeout(166 * s_ms);
        Assert.Empty(Poll(buffer));                           // 3000 and 4000 may refer to 2000
        Assert.True(buffer.TryTakeKeyframeRequest());
        Assert.False(buffer.TryTakeKeyframeRequest());
        Assert.True(buffer.WaitingForKeyframe);
        Assert.Equal((1L, 1L, 3L), (buffer.FramesReleased, buffer.GiveUps, buffer.FramesDropped));
        Assert.Null(buffer.PollTimeout());
        Assert.Equal(VideoInsertStatus.Late, buffer.Insert(12, 2000, true, More(5), 170 * s_ms));

        buffer.Insert(15, 5000, true, Delta(6), 180 * s_ms);  // still not decodable: asks again
        Assert.Empty(Poll(buffer));
        Assert.True(buffer.TryTakeKeyframeRequest());

        buffer.Insert(16, 6000, false, Key(7), 200 * s_ms);
        buffer.Insert(17, 6000, true, More(8), 200 * s_ms);
        List<(uint Timestamp, bool Key, byte[] Data)> frames = Poll(buffer);
        buffer.Insert(18, 7000, true, Delta(9), 233 * s_ms);
        frames.AddRange(Poll(buffer));
        Assert.Equal([(6000u, true), (7000u, false)], frames.Select(f => (f.Timestamp, f.Key)));
        Assert.False(buffer.WaitingForKeyframe);
        Assert.False(buffer.TryTakeKeyframeRequest());
    }

    [Fact]
    public void AFrameForcedOutByTheWindowAfterAWholeLostFrameIsNotDecodable()
    {
        VideoFrameBuffer buffer = new(new Vp8Depacketizer(), new VideoFrameBufferOptions { WindowSize = 16 });
        buffer.Insert(1, 1, true, Key(1), TimeSpan.Zero);
        Assert.Equal([1u], Timestamps(buffer));
        buffer.Insert(3, 3, true, Delta(3), s_ms);            // frame 2 (one packet, seq 2) lost without a trace
        Assert.True(buffer.IsWaiting);
        buffer.Insert(19, 19, false, Delta(19), 2 * s_ms);    // pushes 3 out of the window before any deadline

        // No packet of frame 2 was seen, so nothing was "dropped": only the gap before frame 3 tells.
        Assert.Empty(Timestamps(buffer));
        Assert.True(buffer.TryTakeKeyframeRequest());
        Assert.Equal((0L, 1L), (buffer.GiveUps, buffer.FramesDropped));
    }

    [Fact]
    public void NothingIsReleasedBeforeTheFirstKeyFrame()
    {
        VideoFrameBuffer buffer = Buffer();
        buffer.Insert(500, 1, true, Delta(1), TimeSpan.Zero);
        Assert.Empty(Poll(buffer));
        Assert.True(buffer.TryTakeKeyframeRequest());
        buffer.Insert(501, 2, true, Key(2), s_ms);
        Assert.Equal([2u], Timestamps(buffer));
    }

    [Fact]
    public void PaddingBetweenFramesIsNotALoss()
    {
        VideoFrameBuffer buffer = Buffer();
        buffer.Insert(65534, 1, true, Key(1), TimeSpan.Zero);
        List<uint> released = Timestamps(buffer);
        buffer.InsertPadding(0, s_ms);                        // arrives before the frame it follows
        buffer.Insert(65535, 2, true, Delta(2), 2 * s_ms);
        released.AddRange(Timestamps(buffer));
        buffer.Insert(1, 3, true, Delta(3), 3 * s_ms);
        released.AddRange(Timestamps(buffer));
        Assert.Equal([1u, 2u, 3u], released);
        Assert.Equal(0, buffer.FramesNotPolled);

        // Frames not polled before the next packet are gone (their bytes are overwritten), and counted.
        buffer.Insert(2, 4, true, Delta(4), 4 * s_ms);
        buffer.Insert(3, 5, true, Delta(5), 5 * s_ms);
        Assert.Equal([5u], Timestamps(buffer));
        Assert.Equal(1, buffer.FramesNotPolled);
        Assert.False(buffer.TryTakeKeyframeRequest());
        Assert.Null(buffer.PollTimeout());
    }

    [Fact]
    public void TheDeadlineScalesWithTheRtt()
    {
        VideoFrameBuffer buffer = Buffer(rtt: TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.FromMilliseconds(150), buffer.Wait);
        buffer.RoundTripTime = TimeSpan.FromMilliseconds(10);
        Assert.Equal(TimeSpan.FromMilliseconds(100), buffer.Wait);
        buffer.RoundTripTime = TimeSpan.FromMilliseconds(50);
        buffer.Insert(1, 1, true, Key(1), TimeSpan.Zero);
        buffer.Insert(3, 3, true, Delta(3), TimeSpan.FromSeconds(1));
        Assert.Equal(new StreamTimeout(TimeSpan.FromSeconds(1.15), StreamTimeoutReason.FrameDeadline), buffer.PollTimeout());
    }

    [Fact]
    public void ProgressRestartsTheDeadlineForTheNextGap()
    {
        VideoFrameBuffer buffer = Buffer();
        buffer.Insert(1, 1, true, Key(1), TimeSpan.Zero);
        buffer.Insert(3, 3, true, Delta(3), 10 * s_ms);       // 2 lost
        buffer.Insert(5, 5, true, Delta(5), 20 * s_ms);       // 4 lost
        Assert.Equal(110 * s_ms, buffer.PollTimeout()!.Value.At);
        buffer.Insert(2, 2, true, Delta(2), 90 * s_ms);       // 2 comes back; 5 still waits for 4
        Assert.Equal([2u, 3u], Timestamps(buffer));
        Assert.Equal(190 * s_ms, buffer.PollTimeout()!.Value.At);
    }

    private static (List<(ushort Seq, uint Ts, bool Marker, byte[] Payload)> Packets, List<byte[]> Frames) Vp8Stream(ushort firstSeq, int[] sizes, int maxPayload, int seed)
    {
        var random = new Random(seed);
        var packetizer = new Vp8Packetizer { MaxPayloadSize = maxPayload };
        var packets = new List<(ushort, uint, bool, byte[])>();
        var frames = new List<byte[]>();
        byte[] buffer = new byte[maxPayload];
        ushort seq = firstSeq;
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] frame = new byte[Math.Max(sizes[i], 10)];
            random.NextBytes(frame);
            if (i == 0)
            {
                // A key frame: P = 0 and the start code 9d 01 2a after the 3-byte frame tag (RFC 6386 §9.1).
                frame[0] &= 0xFE;
                frame[3] = 0x9d;
                frame[4] = 0x01;
                frame[5] = 0x2a;
            }
            else
            {
                frame[0] |= 0x01;
            }

            frames.Add(frame);
            Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, keyFrame: i == 0));
            while (packetizer.TryPoll(buffer, out VideoRtpPayload payload))
            {
                packets.Add((seq++, (uint)(3000 * (i + 1)), payload.Marker, buffer[..payload.Length]));
            }
        }

        return (packets, frames);
    }

    [Property(MaxTest = 100)]
    public Property ReorderedAndDuplicatedPacketsComeOutAsTheSentFramesInOrder() =>
        Prop.ForAll(
            (from firstSeq in StreamTestPackets.AnyUShort
             from sizes in Gen.Choose(10, 5000).ArrayOf().Where(a => a.Length is > 0 and <= 20)
             from maxPayload in Gen.Choose(100, 1200)
             from displacement in Gen.Choose(0, 30)
             from duplicatePercent in Gen.Choose(0, 30)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select (firstSeq, sizes, maxPayload, displacement, duplicatePercent, seed)).ToArbitrary(),
            c =>
            {
                (List<(ushort Seq, uint Ts, bool Marker, byte[] Payload)> packets, List<byte[]> frames) = Vp8Stream(c.firstSeq, c.sizes, c.maxPayload, c.seed);
                var random = new Random(~c.seed);

                // Each packet moves up to `displacement` places (the first stays first: it starts the stream).
                var keyed = packets.Select((p, i) => (Key: i == 0 ? -1.0 : i + (random.NextDouble() * c.displacement), Packet: p)).OrderBy(k => k.Key).Select(k => k.Packet).ToList();
                var order = new List<(ushort Seq, uint Ts, bool Marker, byte[] Payload)>();
                foreach (var p in keyed)
                {
                    order.Add(p);
                    if (random.Next(100) < c.duplicatePercent)
                    {
                        order.Add(p);
                    }
                }

                VideoFrameBuffer buffer = new(new Vp8Depacketizer(), new VideoFrameBufferOptions { WindowSize = 4096 });
                var output = new List<byte[]>();
                TimeSpan now = TimeSpan.Zero;
                foreach (var p in order)
                {
                    buffer.Insert(p.Seq, p.Ts, p.Marker, p.Payload, now);
                    output.AddRange(Poll(buffer).Select(f => f.Data));
                    now += s_ms;
                }

                Assert.Equal(frames, output);
                Assert.Equal(0, buffer.FramesDropped);
                Assert.False(buffer.IsWaiting);
                Assert.Null(buffer.PollTimeout());
            });

    [Property(MaxTest = 100)]
    public Property AfterAnyLossEveryReleasedFrameIsDecodable() =>
        Prop.ForAll(
            (from firstSeq in StreamTestPackets.AnyUShort
             from frameCount in Gen.Choose(2, 40)
             from lossPercent in Gen.Choose(0, 40)
             from keyEvery in Gen.Choose(1, 10)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select (firstSeq, frameCount, lossPercent, keyEvery, seed)).ToArbitrary(),
            c =>
            {
                // Two packets per frame; every keyEvery-th frame is a key frame. Lost packets never come back.
                var random = new Random(c.seed);
                VideoFrameBuffer buffer = Buffer();
                var released = new List<(uint Timestamp, bool Key, byte[] Data)>();
                var lostFrames = new HashSet<uint>();
                TimeSpan now = TimeSpan.Zero;
                for (int f = 0; f < c.frameCount; f++)
                {
                    bool key = f % c.keyEvery == 0;
                    uint ts = (uint)(1000 * (f + 1));
                    var seq = (ushort)(c.firstSeq + (2 * f));
                    bool firstLost = random.Next(100) < c.lossPercent;
                    bool secondLost = random.Next(100) < c.lossPercent;
                    if (firstLost || secondLost)
                    {
                        lostFrames.Add(ts);
                    }

                    if (!firstLost)
                    {
                        buffer.Insert(seq, ts, false, key ? Key((byte)f) : Delta((byte)f), now);
                    }

                    if (!secondLost)
                    {
                        buffer.Insert((ushort)(seq + 1), ts, true, More((byte)f), now);
                    }

                    released.AddRange(Poll(buffer));
                    now += 33 * s_ms;
                    buffer.HandleTimeout(now);
                    released.AddRange(Poll(buffer));
                }

                // Each gap still waited on gets its own deadline.
                while (buffer.PollTimeout() is StreamTimeout timeout)
                {
                    buffer.HandleTimeout(timeout.At);
                    released.AddRange(Poll(buffer));
                }

                // Decode order, nothing lost released, and a delta frame only when every frame since the last key
                // frame was released before it.
                Assert.Equal(released.Select(r => r.Timestamp).Order(), released.Select(r => r.Timestamp));
                Assert.DoesNotContain(released, r => lostFrames.Contains(r.Timestamp));
                for (int i = 0; i < released.Count; i++)
                {
                    if (!released[i].Key)
                    {
                        Assert.True(i > 0 && released[i - 1].Timestamp == released[i].Timestamp - 1000, $"frame {released[i].Timestamp} released after {(i > 0 ? released[i - 1].Timestamp : 0)}");
                    }
                }

                // Every frame that could be decoded was: complete, and no loss since the last key frame before it.
                var expected = new List<uint>();
                bool broken = true;
                for (int f = 0; f < c.frameCount; f++)
                {
                    uint ts = (uint)(1000 * (f + 1));
                    if (lostFrames.Contains(ts))
                    {
                        broken = true;
                        continue;
                    }

                    if (f % c.keyEvery == 0)
                    {
                        broken = false;
                    }

                    if (!broken)
                    {
                        expected.Add(ts);
                    }
                }

                Assert.Equal(expected, released.Select(r => r.Timestamp));
            });

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        (List<(ushort Seq, uint Ts, bool Marker, byte[] Payload)> packets, _) = Vp8Stream(65000, Enumerable.Repeat(3000, 300).ToArray(), 1200, 1);
        VideoFrameBuffer buffer = Buffer();
        int released = 0;
        void Feed(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                var p = packets[i];
                buffer.Insert(p.Seq, p.Ts, p.Marker, p.Payload, TimeSpan.FromMilliseconds(i));
                while (buffer.TryPollFrame(out VideoFrame frame))
                {
                    released += buffer.GetFrameData(frame).Length > 0 ? 1 : 0;
                }

                buffer.PollTimeout();
            }
        }

        Feed(0, 100);
        Assert.Equal(0, AllocationProbe.LeastPerChunk(100, packets.Count, 4, i => Feed(i, i + 1)));
        Assert.Equal(300, released);
    }
}
