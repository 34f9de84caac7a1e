using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// The VP8 in-order fast path (frames written straight from each payload into the frame buffer) must be invisible:
/// two assemblers get the same calls, one with <see cref="Vp8Depacketizer"/> (fast path on) and one with the same
/// depacketizer behind a wrapper that says its payloads are not independent (general path only), and every return
/// value, event, frame byte, counter and missing list must agree after every call. The feeds mix in-order runs with
/// loss, swaps, duplicates, late replays, padding, malformed payloads, jumps past the window, frames larger than the
/// frame buffer may grow, hold mode with give-ups, flushes, resets, caller buffers and the sequence number wrap.
/// </summary>
public sealed class DirectPathDifferentialTests
{
    [Property(MaxTest = 300)]
    public Property FastAndGeneralPathsAgreeOnEveryCall()
    {
        Gen<(int Seed, int Seq)> gen =
            from seed in Gen.Choose(0, int.MaxValue)
            from seq in Gen.Choose(0, 65535)
            select (seed, seq);
        return Prop.ForAll(gen.ToArbitrary(), c => Run(c.Seed, (ushort)c.Seq).Agreed);
    }

    [Fact]
    public void TheFastPathIsTakenAndLeftAcrossTheseFeeds()
    {
        // Over a fixed set of feeds both kinds of frame happen: written directly, and assembled after a spill.
        long direct = 0, completed = 0;
        for (int seed = 1; seed <= 200; seed++)
        {
            (bool agreed, long d, long n) = Run(seed, (ushort)(seed * 331));
            Assert.True(agreed, $"seed {seed}");
            direct += d;
            completed += n;
        }

        Assert.InRange(direct, 1, completed - 1);
    }

    [Fact]
    public void InOrderFramesAreAllWrittenDirectlyWithTheSameBytes()
    {
        var random = new Random(7);
        var frames = Enumerable.Range(0, 40).Select(i => VideoTestData.Vp8Frame(random, random.Next(1, 20_000), i % 10 == 0)).ToList();
        List<FeedPacket> packets = RtpFeed.Packetize(new Vp8Packetizer(5) { MaxPayloadSize = 1_200 }, frames, 65_500, 1);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        RtpFeed.Feed(assembler, packets, output);
        Assert.Equal(40, output.Count);
        Assert.All(output.Zip(frames), z => Assert.True(z.First.AsSpan().SequenceEqual(z.Second)));
        Assert.Equal(40, assembler.FramesWrittenDirectly);
    }

    private static (bool Agreed, long Direct, long Completed) Run(int seed, ushort firstSeq)
    {
        var random = new Random(seed);
        int max = random.Next(4) == 0 ? random.Next(20, 200) : random.Next(200, 1_500);
        int window = 16 << random.Next(6);
        int maxFrame = random.Next(5) == 0 ? random.Next(500, 30_000) : 1 << 20;
        bool hold = random.Next(3) == 0;
        var fast = new VideoFrameAssembler(new Vp8Depacketizer(), window, max, maxFrame, hold);
        var slow = new VideoFrameAssembler(new GeneralOnly(), window, max, maxFrame, hold);

        // A stream of frames, with padding packets between some of them (their own sequence numbers).
        var stream = new List<(FeedPacket Packet, bool Padding)>();
        ushort seq = firstSeq;
        uint ts = (uint)random.Next();
        var packetizer = new Vp8Packetizer(random.Next(0x8000)) { MaxPayloadSize = max };
        int frameCount = random.Next(5, 40);
        byte[] buffer = new byte[max];
        for (int f = 0; f < frameCount; f++)
        {
            int size = random.Next(8) == 0 ? random.Next(20_000, 60_000) : random.Next(1, 6_000);
            packetizer.Push(VideoTestData.Vp8Frame(random, size, random.Next(6) == 0), keyFrame: false);
            while (packetizer.TryPoll(buffer, out VideoRtpPayload payload))
            {
                byte[] bytes = buffer[..payload.Length];
                if (random.Next(60) == 0)
                {
                    bytes = random.Next(2) == 0 ? [0x80] : [0x90, 0x80];
                }

                stream.Add((new FeedPacket(seq++, ts, payload.Marker, bytes), false));
            }

            ts += (uint)random.Next(1, 6_000);
            if (random.Next(10) == 0)
            {
                stream.Add((new FeedPacket(seq++, 0, false, []), true));
            }

            if (random.Next(30) == 0)
            {
                // A jump in sequence numbers (a stream that skipped ahead, possibly past the window).
                seq += (ushort)random.Next(1, 3 * window);
            }
        }

        var fastEvents = new List<VideoAssemblerEvent>();
        var slowEvents = new List<VideoAssemblerEvent>();
        var fastFrames = new List<byte[]>();
        var slowFrames = new List<byte[]>();
        var delivered = new List<(FeedPacket Packet, bool Padding)>();
        int i = 0;
        while (i < stream.Count)
        {
            int roll = random.Next(100);
            (FeedPacket Packet, bool Padding) item;
            if (roll < 4)
            {
                i++;
                continue;
            }

            if (roll < 9 && i + 1 < stream.Count)
            {
                item = stream[i + 1];
                stream[i + 1] = stream[i];
            }
            else if (roll < 12 && delivered.Count > 0)
            {
                item = delivered[random.Next(Math.Max(0, delivered.Count - 40), delivered.Count)];
                i--;
            }
            else
            {
                item = stream[i];
            }

            i++;
            delivered.Add(item);
            bool caller = random.Next(25) == 0;
            byte[] fastDestination = new byte[caller ? random.Next(0, 80_000) : 0];
            byte[] slowDestination = new byte[fastDestination.Length];
            FeedPacket p = item.Packet;
            VideoInsertStatus a, b;
            if (item.Padding)
            {
                a = caller ? fast.InsertPadding(p.Seq, fastDestination) : fast.InsertPadding(p.Seq);
                b = caller ? slow.InsertPadding(p.Seq, slowDestination) : slow.InsertPadding(p.Seq);
            }
            else
            {
                a = caller ? fast.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload, fastDestination) : fast.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload);
                b = caller ? slow.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload, slowDestination) : slow.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload);
            }

            if (a != b || !DrainAndCompare(fast, slow, fastDestination, slowDestination, caller, fastEvents, slowEvents, fastFrames, slowFrames))
            {
                Console.WriteLine($"DIFF after insert #{delivered.Count} seq {p.Seq} ts {p.Timestamp} m {p.Marker} pad {item.Padding} caller {caller} status {a}/{b} hold {hold} window {window}");
                Console.WriteLine(string.Join("\n", fastEvents.TakeLast(5)));
                Console.WriteLine("--");
                Console.WriteLine(string.Join("\n", slowEvents.TakeLast(5)));
                return (false, fast.FramesWrittenDirectly, fast.FramesCompleted);
            }

            int action = random.Next(200);
            bool any = action switch
            {
                < 3 => fast.GiveUpWaiting() != slow.GiveUpWaiting(),
                < 5 => fast.FlushHeldFrame() != slow.FlushHeldFrame(),
                < 6 => Reset(fast, slow),
                _ => false,
            };
            if (any || !DrainAndCompare(fast, slow, [], [], false, fastEvents, slowEvents, fastFrames, slowFrames))
            {
                Console.WriteLine($"DIFF after action {action}");
                return (false, fast.FramesWrittenDirectly, fast.FramesCompleted);
            }
        }

        bool agreed = fastEvents.SequenceEqual(slowEvents)
            && fastFrames.Count == slowFrames.Count
            && fast.FramesCompleted == slow.FramesCompleted
            && slow.FramesWrittenDirectly == 0;
        return (agreed, fast.FramesWrittenDirectly, fast.FramesCompleted);
    }

    private static bool Reset(VideoFrameAssembler fast, VideoFrameAssembler slow)
    {
        fast.Reset();
        slow.Reset();
        return false;
    }

    private static bool DrainAndCompare(
        VideoFrameAssembler fast,
        VideoFrameAssembler slow,
        byte[] fastDestination,
        byte[] slowDestination,
        bool caller,
        List<VideoAssemblerEvent> fastEvents,
        List<VideoAssemblerEvent> slowEvents,
        List<byte[]> fastFrames,
        List<byte[]> slowFrames)
    {
        while (true)
        {
            bool hasFast = fast.TryPollEvent(out VideoAssemblerEvent e);
            bool hasSlow = slow.TryPollEvent(out VideoAssemblerEvent f);
            if (hasFast != hasSlow || e != f)
            {
                Console.WriteLine($"event {e} vs {f}");
                return false;
            }

            if (!hasFast)
            {
                break;
            }

            fastEvents.Add(e);
            slowEvents.Add(f);
            if (e.Kind == VideoAssemblerEventKind.FrameCompleted)
            {
                byte[] x = caller ? fastDestination.AsSpan(e.Offset, e.Length).ToArray() : fast.GetFrame(e).ToArray();
                byte[] y = caller ? slowDestination.AsSpan(f.Offset, f.Length).ToArray() : slow.GetFrame(f).ToArray();
                if (x.Length != e.Length || !x.AsSpan().SequenceEqual(y))
                {
                    return false;
                }

                fastFrames.Add(x);
                slowFrames.Add(y);
            }
        }

        ushort[] fastMissing = new ushort[512];
        ushort[] slowMissing = new ushort[512];
        int m = fast.GetMissing(fastMissing);
        return m == slow.GetMissing(slowMissing)
            && fastMissing.AsSpan(0, m).SequenceEqual(slowMissing.AsSpan(0, m))
            && fast.IsWaiting == slow.IsWaiting
            && fast.IsHoldingFrame == slow.IsHoldingFrame
            && fast.FramesCompleted == slow.FramesCompleted
            && fast.FramesDropped == slow.FramesDropped
            && fast.EventsLost == slow.EventsLost;
    }

    // The same VP8 reading, through the general path only.
    private sealed class GeneralOnly : IVideoDepacketizer
    {
        private readonly Vp8Depacketizer _inner = new();

        public VideoCodec Codec => _inner.Codec;

        public bool PayloadsAreIndependent => false;

        public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header) => _inner.TryReadHeader(payload, out header);

        public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination) => _inner.WriteFrameData(payload, destination);

        public void Reset() => _inner.Reset();
    }
}
