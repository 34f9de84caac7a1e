using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests;

public sealed unsafe class OpusTocTests
{
    [Theory]
    // RFC 6716 §3.1 Table 2, one row per range, first and last configuration.
    [InlineData(0, OpusMode.Silk, OpusBandwidth.Narrowband, 480)]
    [InlineData(3, OpusMode.Silk, OpusBandwidth.Narrowband, 2880)]
    [InlineData(4, OpusMode.Silk, OpusBandwidth.Mediumband, 480)]
    [InlineData(9, OpusMode.Silk, OpusBandwidth.Wideband, 960)]
    [InlineData(11, OpusMode.Silk, OpusBandwidth.Wideband, 2880)]
    [InlineData(12, OpusMode.Hybrid, OpusBandwidth.SuperWideband, 480)]
    [InlineData(13, OpusMode.Hybrid, OpusBandwidth.SuperWideband, 960)]
    [InlineData(14, OpusMode.Hybrid, OpusBandwidth.Fullband, 480)]
    [InlineData(15, OpusMode.Hybrid, OpusBandwidth.Fullband, 960)]
    [InlineData(16, OpusMode.Celt, OpusBandwidth.Narrowband, 120)]
    [InlineData(20, OpusMode.Celt, OpusBandwidth.Wideband, 120)]
    [InlineData(25, OpusMode.Celt, OpusBandwidth.SuperWideband, 240)]
    [InlineData(30, OpusMode.Celt, OpusBandwidth.Fullband, 480)]
    [InlineData(31, OpusMode.Celt, OpusBandwidth.Fullband, 960)]
    public void ConfigurationTableMatchesRfc6716(int config, OpusMode mode, OpusBandwidth bandwidth, int samples)
    {
        OpusToc toc = OpusToc.Create(config, stereo: false, frameCountCode: 0);
        Assert.Equal(config, toc.Configuration);
        Assert.Equal(mode, toc.Mode);
        Assert.Equal(bandwidth, toc.Bandwidth);
        Assert.Equal(samples, toc.SamplesPerFrame);
    }

    [Fact]
    public void FieldsFollowTheBitLayout()
    {
        // RFC 6716 §3.1 Figure 1: | config | s | c |; example 4 of §3.2.6: config 31, stereo, code 3.
        var toc = new OpusToc(0xFF);
        Assert.Equal(31, toc.Configuration);
        Assert.True(toc.IsStereo);
        Assert.Equal(2, toc.Channels);
        Assert.Equal(3, toc.FrameCountCode);
        Assert.Equal(TimeSpan.FromMilliseconds(20), toc.FrameDuration);
        Assert.Equal(0xFC, toc.WithFrameCountCode(0).Value);
        Assert.True(new OpusToc(0xF8).IsCompatibleWith(new OpusToc(0xFB)));
        Assert.False(new OpusToc(0xF8).IsCompatibleWith(new OpusToc(0xFC)));
    }

    [Fact]
    public void EveryTocByteAgreesWithLibopus()
    {
        LibOpusReference.Require();
        for (int b = 0; b < 256; b++)
        {
            byte value = (byte)b;
            var toc = new OpusToc(value);
            Assert.Equal(LibOpusReference.PacketGetBandwidth(&value), (int)toc.Bandwidth);
            Assert.Equal(LibOpusReference.PacketGetNbChannels(&value), toc.Channels);
            foreach (int rate in new[] { 8000, 12000, 16000, 24000, 48000 })
            {
                Assert.Equal(LibOpusReference.PacketGetSamplesPerFrame(&value, rate), toc.GetSamplesPerFrame(rate));
            }
        }
    }

    [Fact]
    public void ConfigurationLookupFindsEveryConfiguration()
    {
        for (int config = 0; config < 32; config++)
        {
            OpusToc toc = OpusToc.Create(config, false, 0);
            Assert.True(OpusToc.TryGetConfiguration(toc.Mode, toc.Bandwidth, toc.SamplesPerFrame, out int found));
            Assert.Equal(config, found);
        }

        Assert.False(OpusToc.TryGetConfiguration(OpusMode.Hybrid, OpusBandwidth.Fullband, 1920, out _));
        Assert.False(OpusToc.TryGetConfiguration(OpusMode.Celt, OpusBandwidth.Mediumband, 960, out _));
    }
}
