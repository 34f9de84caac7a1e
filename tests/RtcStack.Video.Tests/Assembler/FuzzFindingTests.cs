using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// The h264-payload fuzz finding of 2026-12-06 (fuzz/README.md): an access unit whose first NAL unit cannot begin one
/// (a reserved type, or the forbidden bit set) came out of the packetizer and into the assembler with no event at all
/// before the stream ended. The assembler is right to wait, since H.264 starts are never certain, but it must report
/// the frame once the stream moves past it.
/// </summary>
public sealed class FuzzFindingTests
{
    [Theory]
    [InlineData(0x37)] // nal_unit_type 23, reserved (H.264 Table 7-1)
    [InlineData(0xA2)] // forbidden_zero_bit set
    public void AFrameThatCannotStartIsReportedWhenTheWindowPassesIt(byte nalHeader)
    {
        var assembler = new VideoFrameAssembler(new H264Depacketizer(), windowSize: 64);
        byte[] payload = [nalHeader, .. Enumerable.Range(0, 200).Select(i => (byte)(i | 1))];
        Assert.Equal(VideoInsertStatus.Stored, assembler.Insert(7, 0, true, payload));
        assembler.FlushHeldFrame();
        Assert.False(assembler.TryPollEvent(out VideoAssemblerEvent early), $"event before the window moved: {early}");

        // The stream goes on a window later (padding, RFC 3550 §5.1): the frame can no longer complete.
        Assert.Equal(VideoInsertStatus.Stored, assembler.InsertPadding(7 + 64));
        var events = new List<VideoAssemblerEvent>();
        while (assembler.TryPollEvent(out VideoAssemblerEvent e))
        {
            events.Add(e);
        }

        VideoAssemblerEvent dropped = Assert.Single(events, e => e.Kind == VideoAssemblerEventKind.FrameDropped);
        Assert.Equal(VideoFrameDropReason.Incomplete, dropped.DropReason);
        Assert.Equal(7, dropped.FirstSequenceNumber);
        Assert.Equal(1, dropped.PacketCount);
        Assert.DoesNotContain(events, e => e.Kind == VideoAssemblerEventKind.FrameCompleted);
    }
}
