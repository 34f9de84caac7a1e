using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// H.264 cannot say for certain which packet starts an access unit (RFC 6184 has no such bit), so the assembler holds a
/// complete-looking frame whose previous packet is missing until that packet arrives or the next frame completes.
/// </summary>
public sealed class H264FrameAssemblyTests
{
    private static readonly byte[] s_sps = [0x67, 0x42, 0xE0, 0x1F, 0x8C, 0x8D, 0x40];
    private static readonly byte[] s_pps = [0x68, 0xCE, 0x3C, 0x80];

    private static byte[] Slice(int type, int length, int seed) => VideoTestData.Nal(new Random(seed), type, length, nri: 2);

    [Fact]
    public void FirstFrameIsHeldUntilTheNextCompletes()
    {
        byte[] idr = Slice(5, 40, 1);
        byte[] p = Slice(1, 30, 2);
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        var packetizer = new H264Packetizer();
        List<FeedPacket> packets = RtpFeed.Packetize(packetizer, [VideoTestData.AnnexB4([s_sps, s_pps, idr]), VideoTestData.AnnexB4([p])], 10, 0);
        Assert.Equal(2, packets.Count);

        var frames = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, packets.Take(1), frames);
        Assert.Empty(events);
        Assert.True(assembler.IsHoldingFrame);

        events = RtpFeed.Feed(assembler, packets.Skip(1), frames);
        Assert.Equal(2, events.Count);
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, true, 0), (events[0].Kind, events[0].KeyFrame, events[0].Offset));
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, false, events[0].Length), (events[1].Kind, events[1].KeyFrame, events[1].Offset));
        Assert.Equal(VideoTestData.AnnexB4([s_sps, s_pps, idr]), frames[0]);
        Assert.Equal(VideoTestData.AnnexB4([p]), frames[1]);
        Assert.False(assembler.IsHoldingFrame);
    }

    [Fact]
    public void LateLeadingPacketsJoinTheHeldFrame()
    {
        byte[] first = Slice(1, 30, 3);
        byte[] idr = Slice(5, 2500, 4);
        var packetizer = new H264Packetizer { Aggregate = false, MaxPayloadSize = 1000 };
        List<FeedPacket> packets = RtpFeed.Packetize(packetizer, [VideoTestData.AnnexB4([first]), VideoTestData.AnnexB4([s_sps, s_pps, idr])], 19, 0);
        Assert.Equal([19, 20, 21, 22, 23, 24], packets.Select(x => (int)x.Seq));

        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        var frames = new List<byte[]>();
        RtpFeed.Feed(assembler, [packets[0], packets[3], packets[4], packets[5]], frames);
        Assert.Equal([VideoTestData.AnnexB4([first])], frames); // the first frame went out when the IDR's run completed
        Assert.True(assembler.IsHoldingFrame);                // the IDR slice, its SPS and PPS not yet there

        RtpFeed.Feed(assembler, [packets[1]], frames);
        Assert.True(assembler.IsHoldingFrame);
        RtpFeed.Feed(assembler, [packets[2]], frames);
        Assert.False(assembler.IsHoldingFrame);
        Assert.Equal(VideoTestData.AnnexB4([s_sps, s_pps, idr]), frames[1]);
    }

    [Fact]
    public void FrameWithLostParameterSetsGoesOutBeforeTheNextFrame()
    {
        byte[] first = Slice(1, 30, 5);
        byte[] idr = Slice(5, 2500, 6);
        byte[] next = Slice(1, 50, 7);
        var packetizer = new H264Packetizer { Aggregate = false, MaxPayloadSize = 1000 };
        List<FeedPacket> packets = RtpFeed.Packetize(packetizer, [VideoTestData.AnnexB4([first]), VideoTestData.AnnexB4([s_sps, s_pps, idr]), VideoTestData.AnnexB4([next])], 100, 0);
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        var frames = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, packets.Where(x => x.Seq is not (101 or 102)), frames);
        Assert.Equal(
            [VideoTestData.AnnexB4([first]), VideoTestData.AnnexB4([idr]), VideoTestData.AnnexB4([next])],
            frames);
        Assert.True(events.Single(e => e.Timestamp == 3000 && e.Kind == VideoAssemblerEventKind.FrameCompleted).KeyFrame);
        Assert.False(assembler.IsHoldingFrame); // the last frame's start was certain (the packet before it is there)
        Assert.False(assembler.FlushHeldFrame());
    }

    [Fact]
    public void HeldFrameGoesOutWhenFlushed()
    {
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        byte[] slice = Slice(5, 20, 8);
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(7, 0, true, slice));
        Assert.False(assembler.TryPollEvent(out _));
        Assert.True(assembler.FlushHeldFrame());
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal(VideoTestData.AnnexB4([slice]), assembler.GetFrame(e).ToArray());

        // Flushing with nothing held leaves the last frame readable.
        Assert.False(assembler.FlushHeldFrame());
        Assert.Equal(VideoTestData.AnnexB4([slice]), assembler.GetFrame(e).ToArray());
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(7, 0, true, slice));
    }

    [Fact]
    public void FragmentOutOfPlaceMakesTheFrameMalformed()
    {
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        assembler.Insert(1, 0, false, [0x41, 0x9A, 0x01]);    // a first slice
        assembler.Insert(2, 0, true, [0x7C, 0x01, 0x02]);     // an FU-A middle with no start
        Assert.True(assembler.FlushHeldFrame());
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal((VideoAssemblerEventKind.FrameDropped, VideoFrameDropReason.Malformed, 2), (e.Kind, e.DropReason, e.PacketCount));
    }

    [Fact]
    public void ContinuationWithoutItsStartNeverCompletes()
    {
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        assembler.Insert(1, 0, true, [0x41, 0x9A, 0x01]);
        Assert.True(assembler.FlushHeldFrame());
        assembler.TryPollEvent(out _);

        // The FU-A start (seq 2) is lost: the rest of that NAL unit is no frame.
        assembler.Insert(3, 3000, false, [0x7C, 0x05, 0x02]);
        assembler.Insert(4, 3000, true, [0x7C, 0x45, 0x03]);
        Assert.False(assembler.IsHoldingFrame);
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal(VideoAssemblerEventKind.PacketsMissing, e.Kind);
        Assert.False(assembler.TryPollEvent(out _));
    }

    [Fact]
    public void HeldFrameIsOutputWhenTheWindowMovesPastIt()
    {
        var assembler = new VideoFrameAssembler(new H264Depacketizer(), windowSize: 16);
        byte[] slice = Slice(1, 20, 9);
        assembler.Insert(100, 0, true, slice);
        Assert.True(assembler.IsHoldingFrame);
        assembler.Insert(130, 3000, false, slice);
        Assert.False(assembler.IsHoldingFrame);
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent missing));
        Assert.Equal((VideoAssemblerEventKind.PacketsMissing, (ushort)115, (ushort)129), (missing.Kind, missing.FirstSequenceNumber, missing.LastSequenceNumber));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent done));
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, 0u), (done.Kind, done.Timestamp));
        Assert.Equal(VideoTestData.AnnexB4([slice]), assembler.GetFrame(done).ToArray());
    }

    [Fact]
    public void OneInsertCanWriteTwoFramesIntoTheCallersBuffer()
    {
        byte[] a = Slice(5, 40, 10);
        byte[] b = Slice(1, 30, 11);
        var assembler = new VideoFrameAssembler(new H264Depacketizer());
        byte[] buffer = new byte[200];
        assembler.Insert(1, 0, true, a, buffer);
        Assert.False(assembler.TryPollEvent(out _));
        assembler.Insert(2, 3000, true, b, buffer);
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent first));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent second));
        Assert.Equal((0, 44, true), (first.Offset, first.Length, first.KeyFrame));
        Assert.Equal((44, 34, false), (second.Offset, second.Length, second.KeyFrame));
        Assert.Equal(VideoTestData.AnnexB4([a, b]), buffer[..78]);
    }
}
