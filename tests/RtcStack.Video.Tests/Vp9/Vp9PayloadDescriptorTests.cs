using Xunit;
using static RtcStack.Video.Tests.PacketizerHarness;

namespace RtcStack.Video.Tests.Vp9;

/// <summary>The VP9 payload descriptor, byte by byte from the layouts of RFC 9628 §4.2 and §4.2.1.</summary>
public class Vp9PayloadDescriptorTests
{
    [Fact]
    public void ReadsNonFlexibleModeWithA15BitPictureIdAndLayerIndices()
    {
        // |I|P|L|F|B|E|V|Z| = 1 0 1 0 1 0 0 0; M=1 PID 0x0123; TID 2 U 1 SID 1 D 1; TL0PICIDX 7; data.
        Assert.True(Vp9PayloadDescriptor.TryParse(Hex("A8 8123 53 07 AA"), out Vp9PayloadDescriptor d));
        Assert.True(d.HasPictureId && d.PictureIdIs15Bits);
        Assert.Equal(0x0123, d.PictureId);
        Assert.False(d.InterPicturePredicted);
        Assert.False(d.FlexibleMode);
        Assert.True(d.StartOfFrame);
        Assert.False(d.EndOfFrame);
        Assert.Equal(2, d.TemporalId);
        Assert.True(d.SwitchingUpPoint);
        Assert.Equal(1, d.SpatialId);
        Assert.True(d.InterLayerDependency);
        Assert.Equal(7, d.Tl0PicIndex);
        Assert.Equal(5, d.Length);
        Assert.False(d.IsKeyFrame); // P=0 but it depends on the layer below
    }

    [Fact]
    public void ReadsFlexibleModeWithThreeReferenceIndices()
    {
        // 1 1 1 1 1 1 0 0; M=0 PID 5; TID 1 SID 0; P_DIFF 1 N=1, P_DIFF 2 N=1, P_DIFF 5 N=0; data.
        Assert.True(Vp9PayloadDescriptor.TryParse(Hex("FC 05 20 03 05 0A BB"), out Vp9PayloadDescriptor d));
        Assert.False(d.PictureIdIs15Bits);
        Assert.Equal(5, d.PictureId);
        Assert.True(d.FlexibleMode && d.InterPicturePredicted && d.EndOfFrame);
        Assert.Equal(-1, d.Tl0PicIndex);
        Assert.Equal(3, d.ReferenceCount);
        Assert.Equal((1, 2, 5), (d.Reference1, d.Reference2, d.Reference3));
        Assert.Equal(6, d.Length);
    }

    [Fact]
    public void ReadsTheScalabilityStructure()
    {
        // V=1; SS: N_S=1 Y=1 G=1; 320x180, 640x360; N_G=2: (TID 0, U 0, R 1, P_DIFF 2), (TID 1, U 1, R 1, P_DIFF 1).
        byte[] payload = Hex("AA 8000 00 00 38 0140 00B4 0280 0168 02 04 02 34 01 CC");
        Assert.True(Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d));
        Assert.True(d.HasScalabilityStructure);
        Assert.Equal(payload.Length - 1, d.Length);
        Assert.True(d.IsKeyFrame);
        Assert.True(Vp9ScalabilityStructure.TryParse(payload.AsSpan(d.ScalabilityStructureOffset, d.ScalabilityStructureLength), out Vp9ScalabilityStructure ss));
        Assert.Equal(2, ss.SpatialLayerCount);
        Assert.Equal((320, 180), (ss.GetWidth(0), ss.GetHeight(0)));
        Assert.Equal((640, 360), (ss.GetWidth(1), ss.GetHeight(1)));
        Assert.Equal(2, ss.PictureGroupSize);
        Assert.True(ss.TryGetPictureGroupEntry(1, out Vp9PictureGroupEntry second));
        Assert.Equal(new Vp9PictureGroupEntry(1, true, 1, 1, 0, 0), second);
        Assert.True(ss.TryGetPictureGroupEntry(0, out Vp9PictureGroupEntry first));
        Assert.Equal(new Vp9PictureGroupEntry(0, false, 1, 2, 0, 0), first);
        Assert.False(ss.TryGetPictureGroupEntry(2, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("88")] // descriptor only, no frame data
    [InlineData("80")] // I=1, picture ID missing
    [InlineData("80 81")] // M=1, second octet missing
    [InlineData("A0 01")] // L=1, layer octet missing
    [InlineData("A0 01 00")] // non-flexible L=1, TL0PICIDX missing
    [InlineData("F0 01 00 03 03 03 03 AA")] // a fourth P_DIFF announced (N=1 on the third)
    [InlineData("F0 01 00 00 AA")] // P_DIFF 0: a picture cannot refer to itself
    [InlineData("A0 01 01 00 AA")] // SID 0 with D=1: there is no layer below
    [InlineData("82 01 10 01 40")] // V=1, Y=1 but the resolution is cut short
    [InlineData("82 01 08 03 04")] // V=1, G=1, N_G=3 but one picture present
    public void RefusesMalformedDescriptors(string hex)
    {
        Assert.False(Vp9PayloadDescriptor.TryParse(Hex(hex), out _));
        Assert.False(new Vp9Depacketizer().TryReadHeader(Hex(hex), out _));
        Assert.Equal(-1, new Vp9Depacketizer().WriteFrameData(Hex(hex), new byte[100]));
    }

    [Theory]
    [InlineData("88 00 AA", true)] // B=1, P=0, no layer indices
    [InlineData("A8 00 00 00 AA", true)] // SID 0
    [InlineData("A8 00 03 00 AA", false)] // SID 1 with D=1
    [InlineData("A8 00 02 00 AA", true)] // SID 1 without inter-layer dependency
    [InlineData("E8 00 00 00 AA", false)] // P=1
    [InlineData("80 00 AA", false)] // B=0
    public void AKeyFrameStartsWithoutInterPictureOrInterLayerPrediction(string hex, bool key)
    {
        Assert.True(new Vp9Depacketizer().TryReadHeader(Hex(hex), out VideoPayloadHeader header));
        Assert.Equal(key, header.KeyFrame);
    }
}
