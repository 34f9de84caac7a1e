using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// Packetize, shuffle, duplicate, assemble: what comes out must be exactly what went in. Generators cover the whole
/// range the issue names: frames of 1 to 300,000 bytes, MaxPayloadSize 20 to 1,500, any starting sequence number
/// (so the 16-bit wrap is crossed), random H.264 NAL unit mixes.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Gen<int> s_frameSize = Gen.Frequency(
        (3, Gen.Choose(1, 2_000)),
        (2, Gen.Choose(2_000, 60_000)),
        (1, Gen.Choose(60_000, 300_000)));

    private static readonly Gen<int> s_maxPayload = Gen.Choose(20, 1_500);

    [Property(MaxTest = 60)]
    public Property Vp8FramesSurviveReorderingAndDuplicates()
    {
        Gen<(int[] Sizes, int Max, int Seq, int Seed)> gen =
            from count in Gen.Choose(1, 3)
            from sizes in Gen.ArrayOf(s_frameSize, count)
            from max in s_maxPayload
            from seq in Gen.Choose(0, 65535)
            from seed in Gen.Choose(0, int.MaxValue)
            select (sizes, max, seq, seed);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            List<byte[]> frames = c.Sizes.Select(n => VideoTestData.Vp8Frame(random, n, random.Next(4) == 0)).ToList();
            var packetizer = new Vp8Packetizer(random.Next(0x8000)) { MaxPayloadSize = c.Max };
            List<FeedPacket> packets = RtpFeed.Packetize(packetizer, frames, (ushort)c.Seq, (uint)random.Next());
            return AssemblesExactly(new Vp8Depacketizer(), packets, frames, c.Max, random);
        });
    }

    [Property(MaxTest = 60)]
    public Property H264AccessUnitsSurviveReorderingAndDuplicates()
    {
        Gen<(int[] NalSizes, int Frames, int Max, int Seq, int Seed, bool Mode0)> gen =
            from frames in Gen.Choose(1, 3)
            from nals in Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(1, 60)), (3, Gen.Choose(60, 3_000)), (1, Gen.Choose(3_000, 100_000))), 12)
            from max in s_maxPayload
            from seq in Gen.Choose(0, 65535)
            from seed in Gen.Choose(0, int.MaxValue)
            from mode0 in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
            select (nals, frames, max, seq, seed, mode0);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var accessUnits = new List<List<byte[]>>();
            int sizeIndex = 0;
            for (int f = 0; f < c.Frames; f++)
            {
                accessUnits.Add(RandomAccessUnit(random, c.NalSizes, ref sizeIndex));
            }

            var mode = c.Mode0 ? H264PacketizationMode.SingleNalUnit : H264PacketizationMode.NonInterleaved;
            var packetizer = new H264Packetizer(mode) { MaxPayloadSize = c.Max, Aggregate = random.Next(4) != 0 };
            bool fits = accessUnits.All(au => au.All(n => n.Length <= c.Max));
            if (c.Mode0 && !fits)
            {
                // Mode 0 cannot fragment: every access unit with a unit that is too long is refused, and nothing queued.
                byte[] au = VideoTestData.AnnexB(accessUnits.First(a => a.Any(n => n.Length > c.Max)), random);
                return packetizer.Push(au, false) == VideoPacketizeStatus.TooLarge && !packetizer.HasPending;
            }

            List<byte[]> annexB = accessUnits.Select(au => VideoTestData.AnnexB(au, random)).ToList();
            List<FeedPacket> packets = RtpFeed.Packetize(packetizer, annexB, (ushort)c.Seq, (uint)random.Next());
            if (packets.Any(p => p.Payload.Length > c.Max))
            {
                return false;
            }

            List<byte[]> expected = accessUnits.Select(VideoTestData.AnnexB4).ToList();
            return AssemblesExactly(new H264Depacketizer(), packets, expected, c.Max, random);
        });
    }

    // An access unit as encoders write one: it begins with an AUD, SPS, SEI or a first slice; the rest is any mix.
    private static List<byte[]> RandomAccessUnit(Random random, int[] sizes, ref int sizeIndex)
    {
        int count = random.Next(1, 6);
        var nals = new List<byte[]>();
        int[] starters = [9, 7, 6, 5, 1];
        int[] others = [7, 8, 6, 5, 1, 1, 5, 12, 2, 3, 4];
        for (int i = 0; i < count; i++)
        {
            int size = Math.Max(2, sizes[sizeIndex++ % sizes.Length]);
            int type = i == 0 ? starters[random.Next(starters.Length)] : others[random.Next(others.Length)];
            bool firstSlice = i == 0 || random.Next(3) == 0;
            nals.Add(VideoTestData.Nal(random, type, size, nri: random.Next(4), firstSlice: firstSlice));
        }

        return nals;
    }

    private static bool AssemblesExactly(IVideoDepacketizer depacketizer, List<FeedPacket> packets, List<byte[]> frames, int max, Random random)
    {
        // Shuffle within each frame (a network that reorders, but not past a whole frame), with duplicates.
        var order = new List<FeedPacket>();
        foreach (IGrouping<uint, FeedPacket> group in packets.GroupBy(p => p.Timestamp))
        {
            FeedPacket[] frame = group.ToArray();
            random.Shuffle(frame);
            int groupStart = order.Count;
            foreach (FeedPacket p in frame)
            {
                order.Add(p);
                if (random.Next(10) == 0)
                {
                    order.Insert(random.Next(groupStart, order.Count + 1), p);
                }
            }
        }

        int perFrame = packets.GroupBy(p => p.Timestamp).Max(g => g.Count());
        var assembler = new VideoFrameAssembler(depacketizer, RtpFeed.WindowFor(perFrame), max, 1 << 20);
        var output = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, order, output);
        assembler.FlushHeldFrame();
        RtpFeed.Drain(assembler, events, output);
        return output.Count == frames.Count
            && output.Zip(frames).All(z => z.First.AsSpan().SequenceEqual(z.Second))
            && !events.Any(e => e.Kind is VideoAssemblerEventKind.FrameDropped or VideoAssemblerEventKind.PayloadMalformed);
    }
}
