using Xunit;

namespace RtcStack.Video.Tests.Vp8;

public sealed class Vp8DepacketizerTests
{
    private readonly Vp8Depacketizer _depacketizer = new();

    // RFC 7741 §4.3 / RFC 6386 §9.1: the first partition of a frame starts with the frame tag; P = 0 is a key frame,
    // followed by the start code 9d 01 2a and 14-bit width and height.
    [Fact]
    public void KeyFrameIsSeenOnTheFirstPacketOfPartitionZero()
    {
        byte[] key = VideoTestData.Vp8Frame(new Random(3), 30, keyFrame: true, width: 1280, height: 720);
        Assert.True(_depacketizer.TryReadHeader([0x90, 0x80, 0x81, 0x00, .. key], out VideoPayloadHeader h));
        Assert.Equal(new VideoPayloadHeader(true, false, true, PictureId: 0x100), h);

        Assert.True(Vp8FrameHeader.TryParse(key, out Vp8FrameHeader fh));
        Assert.Equal((true, 1280, 720, 0, 0, true), (fh.KeyFrame, fh.Width, fh.Height, fh.HorizontalScale, fh.VerticalScale, fh.ShowFrame));
        Assert.Equal(30, fh.FirstPartitionSize);

        byte[] inter = VideoTestData.Vp8Frame(new Random(3), 30, keyFrame: false);
        Assert.True(_depacketizer.TryReadHeader([0x10, .. inter], out h));
        Assert.True(h.FrameStart);
        Assert.False(h.KeyFrame);
        Assert.True(Vp8FrameHeader.TryParse(inter, out fh));
        Assert.False(fh.KeyFrame);
    }

    [Fact]
    public void OnlySWithPidZeroStartsAFrame()
    {
        // S = 0: a continuation; the P bit of the data means nothing here.
        Assert.True(_depacketizer.TryReadHeader([0x00, 0x00], out VideoPayloadHeader h));
        Assert.Equal((false, false), (h.FrameStart, h.KeyFrame));

        // S = 1 but PID = 1: a later partition starts; not a frame start.
        Assert.True(_depacketizer.TryReadHeader([0x11, 0x00], out h));
        Assert.Equal((false, false), (h.FrameStart, h.KeyFrame));
    }

    [Fact]
    public void KeyFrameWithoutStartCodeIsNotAKeyFrame()
    {
        Assert.True(_depacketizer.TryReadHeader([0x10, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33], out VideoPayloadHeader h));
        Assert.True(h.FrameStart);
        Assert.False(h.KeyFrame);
        Assert.False(Vp8FrameHeader.TryParse([0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0, 0, 0, 0], out _));

        // Too short to hold the start code: the P bit is all there is.
        Assert.True(_depacketizer.TryReadHeader([0x10, 0x00, 0x01], out h));
        Assert.True(h.KeyFrame);
        Assert.False(Vp8FrameHeader.TryParse([0x00, 0x01], out _));
    }

    [Fact]
    public void ScaleBitsAreSeparatedFromTheDimensions()
    {
        byte[] key = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x82, 0xE0, 0xC1];
        Assert.True(Vp8FrameHeader.TryParse(key, out Vp8FrameHeader fh));
        Assert.Equal((0x0280, 2, 0x01E0, 3), (fh.Width, fh.HorizontalScale, fh.Height, fh.VerticalScale));
    }

    [Fact]
    public void FrameDataIsThePayloadAfterTheDescriptor()
    {
        byte[] dest = new byte[8];
        Assert.Equal(3, _depacketizer.WriteFrameData([0x80, 0x80, 0x05, 7, 8, 9], dest));
        Assert.Equal(new byte[] { 7, 8, 9 }, dest[..3]);
        Assert.Equal(-2, _depacketizer.WriteFrameData([0x00, 1, 2, 3], dest.AsSpan(0, 2)));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x10 })]             // descriptor only, no VP8 data
    [InlineData(new byte[] { 0x90, 0x80, 0x05 })] // same with an extension
    [InlineData(new byte[] { 0x80, 0x80, 0x85 })] // 15-bit PictureID cut short
    public void MalformedPayloadsAreRefusedByBothCalls(byte[] payload)
    {
        Assert.False(_depacketizer.TryReadHeader(payload, out _));
        Assert.Equal(-1, _depacketizer.WriteFrameData(payload, new byte[16]));
    }
}
