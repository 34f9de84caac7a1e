using RtcStack.Video.Tests.Av1;
using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// The codec-generic assembler with the formats built beside it (VP9, H.265, AV1): frames cut by the packetizer, the
/// packets reordered within each frame, come out whole and in order, equal to what the depacketizer writes when it
/// is given the same payloads one frame at a time in order.
/// </summary>
public sealed class CrossCodecAssemblyTests
{
    public static TheoryData<string> Codecs => new() { "vp9", "h265", "av1" };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReorderedPacketsOfManyFramesAssembleIntoTheSameFrames(string codec)
    {
        var random = new Random(codec.Length * 7919);
        var frames = new List<byte[]>();
        for (int i = 0; i < 30; i++)
        {
            frames.Add(MakeFrame(codec, i, random.Next(1, 6_000)));
        }

        (IVideoPacketizer packetizer, Func<IVideoDepacketizer> depacketizer) = Make(codec);
        packetizer.MaxPayloadSize = 700;
        List<FeedPacket> packets = RtpFeed.Packetize(packetizer, frames, firstSeq: 65_500, firstTimestamp: 90_000);
        Assert.True(packets.Count > frames.Count, "frames spanned several packets");

        // What the frames must be: each frame's payloads depacketized in order by a fresh reader state.
        var expected = new List<byte[]>();
        IVideoDepacketizer reference = depacketizer();
        byte[] scratch = new byte[1 << 20];
        foreach (IGrouping<uint, FeedPacket> frame in packets.GroupBy(p => p.Timestamp))
        {
            reference.Reset();
            int length = 0;
            foreach (FeedPacket p in frame)
            {
                int n = reference.WriteFrameData(p.Payload, scratch.AsSpan(length));
                Assert.True(n >= 0, $"{codec}: reference depacketize failed ({n})");
                length += n;
            }

            expected.Add(scratch[..length]);
        }

        // Reorder within each frame (last packet first, then the rest reversed): the assembler keeps decode order by
        // dropping an earlier frame that is still incomplete when a later one completes (see its remarks), so
        // reordering across frames is a different test.
        var shuffled = new List<FeedPacket>();
        foreach (IGrouping<uint, FeedPacket> frame in packets.GroupBy(p => p.Timestamp))
        {
            shuffled.AddRange(frame.Reverse());
        }

        var assembler = new VideoFrameAssembler(depacketizer(), windowSize: RtpFeed.WindowFor(packets.Count));
        var completed = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, shuffled, completed);
        assembler.FlushHeldFrame();
        RtpFeed.Drain(assembler, events, completed);

        Assert.Equal(expected.Count, completed.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(completed[i]), $"{codec}: frame {i} differs ({completed[i].Length} bytes against {expected[i].Length})");
        }

        Assert.Equal(0, assembler.FramesDropped);
    }

    private static (IVideoPacketizer, Func<IVideoDepacketizer>) Make(string codec) => codec switch
    {
        "vp9" => (new Vp9Packetizer { PictureId = 5 }, () => new Vp9Depacketizer()),
        "h265" => (new H265Packetizer(), () => new H265Depacketizer()),
        _ => (new Av1Packetizer(), () => new Av1Depacketizer()),
    };

    private static byte[] MakeFrame(string codec, int index, int size)
    {
        byte[] body = Av1Obus.Fill(size, (byte)index);
        switch (codec)
        {
            case "vp9":
                return body;
            case "h265":
                // Annex B: a TRAIL_R slice (type 1), 2-byte NAL header with TID 1, then the body; the first frame
                // also carries a VPS-like NAL (type 32) so a frame has more than one NAL.
                // The slice header's first bit is first_slice_segment_in_pic_flag (H.265 §7.3.6.1): set, so the NAL
                // can begin an access unit.
                body[0] = 0x80;
                byte[] slice = [0x02, 0x01, .. body];
                return index == 0 ? [0, 0, 0, 1, 0x40, 0x01, 0x0C, 0x01, 0, 0, 0, 1, .. slice] : [0, 0, 0, 1, .. slice];
            default:
                // A temporal unit: temporal delimiter, then a frame OBU (and on the first, a sequence header).
                byte[] td = Av1Obus.Obu(Av1Obus.TemporalDelimiter, []);
                byte[] frame = Av1Obus.Obu(Av1Obus.Frame, body);
                return index == 0 ? Av1Obus.Concat(td, Av1Obus.Obu(Av1Obus.SequenceHeader, [0, 0, 0]), frame) : Av1Obus.Concat(td, frame);
        }
    }
}
