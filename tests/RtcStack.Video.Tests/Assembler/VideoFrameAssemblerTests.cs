using Xunit;

namespace RtcStack.Video.Tests.Assembler;

public sealed class VideoFrameAssemblerTests
{
    private static List<byte[]> Vp8Frames(int seed, params int[] sizes)
    {
        var random = new Random(seed);
        return sizes.Select((n, i) => VideoTestData.Vp8Frame(random, n, keyFrame: i == 0)).ToList();
    }

    private static List<FeedPacket> Vp8Packets(List<byte[]> frames, ushort firstSeq = 1000, int maxPayload = 500) =>
        RtpFeed.Packetize(new Vp8Packetizer { MaxPayloadSize = maxPayload }, frames, firstSeq, 90000);

    [Fact]
    public void InOrderFramesCompleteAtTheirMarker()
    {
        List<byte[]> frames = Vp8Frames(1, 1200, 300, 2000);
        List<FeedPacket> packets = Vp8Packets(frames);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, packets, output);

        Assert.Equal(frames, output);
        Assert.All(events, e => Assert.Equal(VideoAssemblerEventKind.FrameCompleted, e.Kind));
        Assert.Equal([true, false, false], events.Select(e => e.KeyFrame));
        Assert.Equal([1000, 1003, 1004], events.Select(e => (int)e.FirstSequenceNumber));
        Assert.Equal([1002, 1003, 1008], events.Select(e => (int)e.LastSequenceNumber));
        Assert.Equal([90000u, 93000u, 96000u], events.Select(e => e.Timestamp));
        Assert.Equal([3, 1, 5], events.Select(e => e.PacketCount));
        Assert.Equal(3, assembler.FramesCompleted);
    }

    [Fact]
    public void ReorderedDuplicatedAndWrappingPacketsComplete()
    {
        List<byte[]> frames = Vp8Frames(2, 3000, 2500);
        List<FeedPacket> packets = Vp8Packets(frames, firstSeq: 65530);
        Assert.Contains(packets, p => p.Seq == 0);

        // Each frame's packets backwards, every one twice.
        var order = new List<FeedPacket>();
        foreach (IGrouping<uint, FeedPacket> frame in packets.GroupBy(p => p.Timestamp))
        {
            foreach (FeedPacket p in frame.Reverse())
            {
                order.Add(p);
                order.Add(p);
            }
        }

        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        var statuses = new List<VideoInsertStatus>();
        var events = new List<VideoAssemblerEvent>();
        foreach (FeedPacket p in order)
        {
            statuses.Add(assembler.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload));
            RtpFeed.Drain(assembler, events, output);
        }

        Assert.Equal(frames, output);
        Assert.Equal(packets.Count, statuses.Count(s => s == VideoInsertStatus.Stored));
        // The second copy of a frame's first packet comes after the frame was output: late; the others are duplicates.
        Assert.Equal(packets.Count - 2, statuses.Count(s => s == VideoInsertStatus.Duplicate));
        Assert.Equal(2, statuses.Count(s => s == VideoInsertStatus.Late));
        Assert.DoesNotContain(events, e => e.Kind == VideoAssemblerEventKind.FrameDropped);
    }

    [Fact]
    public void LossIsReportedAndTheFrameDroppedWhenALaterOneCompletes()
    {
        List<byte[]> frames = Vp8Frames(3, 1400, 1400, 400);
        List<FeedPacket> packets = Vp8Packets(frames); // 3 + 3 + 1 packets, seq 1000..1006
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        List<VideoAssemblerEvent> events = RtpFeed.Feed(assembler, packets.Where(p => p.Seq is not (1001 or 1002)), output);

        Assert.Equal(
            [VideoAssemblerEventKind.PacketsMissing, VideoAssemblerEventKind.FrameDropped, VideoAssemblerEventKind.FrameCompleted, VideoAssemblerEventKind.FrameCompleted],
            events.Select(e => e.Kind));
        Assert.Equal(((ushort)1001, (ushort)1002, 2), (events[0].FirstSequenceNumber, events[0].LastSequenceNumber, events[0].PacketCount));
        Assert.Equal((VideoFrameDropReason.Incomplete, 90000u, (ushort)1000, 1), (events[1].DropReason, events[1].Timestamp, events[1].FirstSequenceNumber, events[1].PacketCount));
        Assert.Equal(frames.Skip(1), output);
        Assert.Equal(1, assembler.FramesDropped);
    }

    [Fact]
    public void RetransmissionFillsTheGapBeforeTheNextFrame()
    {
        List<byte[]> frames = Vp8Frames(4, 1400, 400);
        List<FeedPacket> packets = Vp8Packets(frames);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        var events = RtpFeed.Feed(assembler, [packets[0], packets[2]], output);
        Assert.Single(events, e => e.Kind == VideoAssemblerEventKind.PacketsMissing);
        Span<ushort> missing = stackalloc ushort[8];
        Assert.Equal(1, assembler.GetMissing(missing));
        Assert.Equal(packets[1].Seq, missing[0]);

        events = RtpFeed.Feed(assembler, [packets[1], packets[3]], output);
        Assert.Equal(frames, output);
        Assert.Equal(0, assembler.GetMissing(missing));
    }

    [Fact]
    public void MalformedPayloadIsReportedAndItsFrameNeverCompletes()
    {
        List<byte[]> frames = Vp8Frames(5, 1400, 400);
        List<FeedPacket> packets = Vp8Packets(frames);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        var output = new List<byte[]>();
        var events = new List<VideoAssemblerEvent>();
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(packets[0].Seq, packets[0].Timestamp, false, packets[0].Payload));
        Assert.Equal(VideoInsertStatus.Malformed, assembler.Insert(packets[1].Seq, packets[1].Timestamp, false, [0x80]));
        Assert.Equal(VideoInsertStatus.Duplicate, assembler.Insert(packets[1].Seq, packets[1].Timestamp, false, packets[1].Payload));
        RtpFeed.Drain(assembler, events, output);
        Assert.Equal(VideoAssemblerEventKind.PayloadMalformed, Assert.Single(events).Kind);
        events.AddRange(RtpFeed.Feed(assembler, packets.Skip(2), output));
        Assert.Equal([frames[1]], output);
        VideoAssemblerEvent dropped = Assert.Single(events, e => e.Kind == VideoAssemblerEventKind.FrameDropped);
        Assert.Equal((VideoFrameDropReason.Malformed, 3), (dropped.DropReason, dropped.PacketCount));
    }

    [Fact]
    public void OversizedPayloadIsRefused()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), maxPayloadSize: 100);
        Assert.Equal(VideoInsertStatus.TooLarge, assembler.Insert(1, 0, true, new byte[101]));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal(VideoAssemblerEventKind.PayloadMalformed, e.Kind);
    }

    [Fact]
    public void OldPacketsAreLateAndTheWindowDropsWhatFallsOutOfIt()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), windowSize: 16);
        byte[] start = [0x10, 0x01, 0x02];
        byte[] middle = [0x00, 0x03];
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(100, 1, false, start));      // never finished
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(101, 1, false, middle));
        var events = new List<VideoAssemblerEvent>();
        RtpFeed.Drain(assembler, events, null);
        Assert.Empty(events);
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(117, 2, false, start));      // 100 and 101 leave the window
        RtpFeed.Drain(assembler, events, null);
        Assert.Equal([VideoAssemblerEventKind.PacketsMissing, VideoAssemblerEventKind.FrameDropped], events.Select(e => e.Kind));
        Assert.Equal((1u, 2, VideoFrameDropReason.Incomplete), (events[1].Timestamp, events[1].PacketCount, events[1].DropReason));
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(101, 1, false, middle));
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(60000, 1, false, middle));
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(118, 2, true, middle));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent done));
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, 3), (done.Kind, done.Length));
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(117, 2, false, start));
    }

    [Fact]
    public void AFrameWhoseFirstPacketCannotStartOneIsDropped()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(1, 10, true, [0x10, 0x01]));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal(VideoAssemblerEventKind.FrameCompleted, e.Kind);

        // The next timestamp begins without S: its start was never sent; the frame cannot be used.
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(3, 20, true, [0x00, 0x02]));
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(2, 20, false, [0x00, 0x01]));
        Assert.True(assembler.TryPollEvent(out e));
        Assert.Equal(VideoAssemblerEventKind.PacketsMissing, e.Kind); // 2 was missing when 3 came
        Assert.False(assembler.TryPollEvent(out _));
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(4, 30, true, [0x10, 0x03]));
        Assert.True(assembler.TryPollEvent(out e));
        Assert.Equal((VideoAssemblerEventKind.FrameDropped, VideoFrameDropReason.Incomplete, 2, 20u), (e.Kind, e.DropReason, e.PacketCount, e.Timestamp));
        Assert.True(assembler.TryPollEvent(out e));
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, 30u), (e.Kind, e.Timestamp));
    }

    [Fact]
    public void CallerBufferReceivesTheFrameAndTooSmallOneDropsIt()
    {
        List<byte[]> frames = Vp8Frames(6, 900, 900);
        List<FeedPacket> packets = Vp8Packets(frames);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        byte[] buffer = new byte[1000];
        foreach (FeedPacket p in packets.Take(2))
        {
            assembler.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload, buffer);
        }

        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal((VideoAssemblerEventKind.FrameCompleted, 0, 900), (e.Kind, e.Offset, e.Length));
        Assert.Equal(frames[0], buffer[..900]);
        Assert.True(assembler.GetFrame(e).IsEmpty); // not in the internal buffer

        foreach (FeedPacket p in packets.Skip(2))
        {
            assembler.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload, buffer.AsSpan(0, 899));
        }

        Assert.True(assembler.TryPollEvent(out e));
        Assert.Equal((VideoAssemblerEventKind.FrameDropped, VideoFrameDropReason.TooLarge), (e.Kind, e.DropReason));
    }

    [Fact]
    public void InternalBufferGrowsUpToMaxFrameSize()
    {
        List<byte[]> frames = Vp8Frames(7, 200_000);
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), windowSize: 1024, maxFrameSize: 300_000);
        var output = new List<byte[]>();
        RtpFeed.Feed(assembler, RtpFeed.Packetize(new Vp8Packetizer(), frames, 0, 0), output);
        Assert.Equal(frames, output);

        var small = new VideoFrameAssembler(new Vp8Depacketizer(), windowSize: 1024, maxFrameSize: 100_000);
        List<VideoAssemblerEvent> events = RtpFeed.Feed(small, RtpFeed.Packetize(new Vp8Packetizer(), frames, 0, 0));
        Assert.Equal(VideoFrameDropReason.TooLarge, Assert.Single(events).DropReason);
    }

    [Fact]
    public void ResetForgetsEverything()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        assembler.Insert(5, 1, false, [0x10, 1]);
        assembler.Insert(9, 1, false, [0x00, 1]);
        assembler.Reset();
        Assert.False(assembler.TryPollEvent(out _));
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(5, 1, true, [0x10, 1]));
        Assert.True(assembler.TryPollEvent(out VideoAssemblerEvent e));
        Assert.Equal(VideoAssemblerEventKind.FrameCompleted, e.Kind);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(100)]
    [InlineData(1000)]
    public void AnyWindowSizeWorksAcrossTheWrap(int windowSize)
    {
        List<byte[]> frames = Vp8Frames(8, 1400, 700, 100, 1400, 300, 900, 20);
        List<FeedPacket> packets = Vp8Packets(frames, firstSeq: 65533);
        var order = new List<FeedPacket>();
        foreach (IGrouping<uint, FeedPacket> frame in packets.GroupBy(p => p.Timestamp))
        {
            order.AddRange(frame.Reverse());
        }

        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), windowSize);
        var output = new List<byte[]>();
        RtpFeed.Feed(assembler, order, output);
        Assert.Equal(frames, output);
        Assert.Equal(windowSize, assembler.WindowSize);
    }

    // Raw VP8 payloads: descriptor S=1 PID=0 then the frame tag (P = 0: key frame), or a continuation.
    private static readonly byte[] s_key = [0x10, 0x00];
    private static readonly byte[] s_delta = [0x10, 0x01];
    private static readonly byte[] s_more = [0x00, 0x07];

    private static List<VideoAssemblerEvent> Drain(VideoFrameAssembler assembler)
    {
        var events = new List<VideoAssemblerEvent>();
        RtpFeed.Drain(assembler, events, null);
        return events;
    }

    [Fact]
    public void WithoutHoldingTheFrameAfterADropIsMarkedDiscontinuous()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer());
        assembler.Insert(10, 100, true, s_key);
        assembler.Insert(11, 200, false, s_delta);                 // 12 (its marker) is lost
        assembler.Insert(13, 300, true, s_delta);
        List<VideoAssemblerEvent> events = Drain(assembler);
        Assert.Equal(
            [VideoAssemblerEventKind.FrameCompleted, VideoAssemblerEventKind.PacketsMissing, VideoAssemblerEventKind.FrameDropped, VideoAssemblerEventKind.FrameCompleted],
            events.Select(e => e.Kind));
        Assert.True(events[0].Continuous);
        Assert.False(events[3].Continuous);
        Assert.False(assembler.IsWaiting);
    }

    [Fact]
    public void HeldLaterFramesWaitForTheRetransmissionAndThenGoOutInOrder()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), holdLaterFrames: true);
        assembler.Insert(65534, 100, true, s_key);
        assembler.Insert(65535, 200, false, s_delta);              // 0 (200's marker) is lost
        assembler.Insert(1, 300, true, s_delta);
        assembler.Insert(2, 400, false, s_delta);
        assembler.Insert(3, 400, true, s_more);
        List<VideoAssemblerEvent> events = Drain(assembler);
        Assert.Equal([VideoAssemblerEventKind.FrameCompleted, VideoAssemblerEventKind.PacketsMissing], events.Select(e => e.Kind));
        Assert.True(assembler.IsWaiting);
        Assert.Equal(0, assembler.FramesDropped);
        Span<ushort> missing = stackalloc ushort[4];
        Assert.Equal(1, assembler.GetMissing(missing));
        Assert.Equal(0, missing[0]);

        // The retransmission completes frame 200; 300 and 400 follow it, all continuous.
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(0, 200, true, s_more));
        events = Drain(assembler);
        Assert.Equal([200u, 300u, 400u], events.Select(e => e.Timestamp));
        Assert.All(events, e => Assert.Equal((VideoAssemblerEventKind.FrameCompleted, true), (e.Kind, e.Continuous)));
        Assert.Equal([(ushort)65535, (ushort)1, (ushort)2], events.Select(e => e.FirstSequenceNumber));
        Assert.False(assembler.IsWaiting);
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(0, 200, true, s_more));
    }

    [Fact]
    public void GivingUpDropsTheIncompleteFrameAndReleasesTheWaitingOnesAfterTheGap()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), holdLaterFrames: true);
        Assert.False(assembler.GiveUpWaiting());
        assembler.Insert(10, 100, true, s_key);
        assembler.Insert(11, 200, false, s_delta);                 // 12 is lost
        assembler.Insert(13, 300, true, s_delta);
        assembler.Insert(14, 400, true, s_delta);
        assembler.Insert(16, 500, true, s_delta);                  // 15 is lost too: 500 waits on it, not on 12
        Drain(assembler);
        Assert.True(assembler.IsWaiting);

        Assert.True(assembler.GiveUpWaiting());
        List<VideoAssemblerEvent> events = Drain(assembler);
        Assert.Equal(
            [(VideoAssemblerEventKind.FrameDropped, 200u), (VideoAssemblerEventKind.FrameCompleted, 300u), (VideoAssemblerEventKind.FrameCompleted, 400u)],
            events.Select(e => (e.Kind, e.Timestamp)));
        Assert.Equal([false, true], events.Skip(1).Select(e => e.Continuous));
        Assert.Equal(VideoFrameDropReason.Incomplete, events[0].DropReason);
        Assert.True(assembler.IsWaiting);                          // 500 still waits for 15
        Assert.Equal(VideoInsertStatus.Late, assembler.Insert(12, 200, true, s_more));

        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(15, 450, true, s_delta));
        events = Drain(assembler);
        Assert.Equal([(450u, true), (500u, true)], events.Select(e => (e.Timestamp, e.Continuous)));
        Assert.False(assembler.IsWaiting);
    }

    [Fact]
    public void PaddingFillsItsPlaceInTheSequence()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), holdLaterFrames: true);
        Assert.Equal(VideoInsertStatus.Late, assembler.InsertPadding(9));  // before any media: nothing to place it in
        assembler.Insert(10, 100, true, s_key);
        Assert.Equal(VideoInsertStatus.Stored, assembler.InsertPadding(11));
        Assert.Equal(VideoInsertStatus.Late, assembler.InsertPadding(11));  // passed over at once: it follows the output frame
        assembler.Insert(13, 200, true, s_delta);                  // 12 is padding still to come
        Assert.True(assembler.IsWaiting);
        Assert.Equal(VideoInsertStatus.Stored, assembler.InsertPadding(12));
        List<VideoAssemblerEvent> events = Drain(assembler);
        Assert.Equal([(100u, true), (200u, true)], events.Where(e => e.Kind == VideoAssemblerEventKind.FrameCompleted).Select(e => (e.Timestamp, e.Continuous)));
        Assert.DoesNotContain(events, e => e.Kind == VideoAssemblerEventKind.FrameDropped);
        Assert.False(assembler.IsWaiting);
    }

    [Fact]
    public void AWaitingFrameLeavingTheWindowIsReleased()
    {
        var assembler = new VideoFrameAssembler(new Vp8Depacketizer(), windowSize: 16, holdLaterFrames: true);
        assembler.Insert(100, 1, true, s_key);
        assembler.Insert(101, 2, false, s_delta);                  // 102 lost
        assembler.Insert(103, 3, true, s_delta);
        Drain(assembler);
        Assert.True(assembler.IsWaiting);
        assembler.Insert(119, 4, false, s_delta);                  // 103 leaves the window: given up on 102
        List<VideoAssemblerEvent> events = Drain(assembler);
        VideoAssemblerEvent released = Assert.Single(events, e => e.Kind == VideoAssemblerEventKind.FrameCompleted);
        Assert.Equal((3u, false), (released.Timestamp, released.Continuous));
        Assert.Contains(events, e => e.Kind == VideoAssemblerEventKind.FrameDropped && e.Timestamp == 2);
        Assert.False(assembler.IsWaiting);
    }
}
