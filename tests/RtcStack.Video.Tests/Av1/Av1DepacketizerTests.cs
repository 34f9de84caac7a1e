using Xunit;
using static RtcStack.Video.Tests.Av1.Av1Obus;

namespace RtcStack.Video.Tests.Av1;

public class Av1DepacketizerTests
{
    private static byte[] Payload(byte aggregation, params byte[][] parts) => Concat([[aggregation], .. parts]);

    [Fact]
    public void ReaddsObuSizeAndStartsTheUnitWithATemporalDelimiter()
    {
        // W=0: every element with a length; the output is the low-overhead format (obu_has_size_field=1, obu_size).
        byte[] sh = Element(SequenceHeader, Fill(9, 1));
        byte[] frame = Element(Frame, Fill(200, 2), 2, 1);
        var depacketizer = new Av1Depacketizer();
        byte[] payload = Payload(0x08, Leb128(sh.Length), sh, Leb128(frame.Length), frame);

        Assert.True(depacketizer.TryReadHeader(payload, out VideoPayloadHeader header));
        Assert.True(header.KeyFrame);
        Assert.True(header.FrameStart);
        Assert.Equal(2, header.TemporalLayer);
        Assert.Equal(1, header.SpatialLayer);

        var output = new byte[300];
        int n = depacketizer.WriteFrameData(payload, output);
        Assert.Equal(Concat(Delimiter, Obu(SequenceHeader, Fill(9, 1)), Obu(Frame, Fill(200, 2), 2, 1)), output[..n]);

        // The next payload of the same unit gets no second delimiter.
        byte[] padding = Element(Padding, [7]);
        n = depacketizer.WriteFrameData(Payload(0x10, padding), output);
        Assert.Equal(Obu(Padding, [7]), output[..n]);
    }

    [Fact]
    public void IgnoresTemporalDelimitersAndTileListsOnReceive()
    {
        // AV1 RTP §5: receivers MUST ignore them.
        var depacketizer = new Av1Depacketizer { WriteTemporalDelimiters = false };
        byte[] td = Element(TemporalDelimiter, []);
        byte[] tl = Element(TileList, Fill(5, 1));
        byte[] fr = Element(Frame, Fill(5, 2));
        var output = new byte[100];
        int n = depacketizer.WriteFrameData(Payload(0x30, Leb128(td.Length), td, Leb128(tl.Length), tl, fr), output);
        Assert.Equal(Obu(Frame, Fill(5, 2)), output[..n]);
    }

    [Fact]
    public void AcceptsElementsThatKeptAConsistentObuSize()
    {
        // §4.5 only says SHOULD clear obu_has_size_field: a sender may keep it, and then it must match the element.
        byte[] kept = Obu(Frame, Fill(10, 3));
        var depacketizer = new Av1Depacketizer { WriteTemporalDelimiters = false };
        var output = new byte[100];
        Assert.Equal(kept.Length, depacketizer.WriteFrameData(Payload(0x10, kept), output));
        Assert.Equal(kept, output[..kept.Length]);

        byte[] inconsistent = Concat(Obu(Frame, Fill(10, 3)), [0xEE]);
        Assert.Equal(-1, depacketizer.WriteFrameData(Payload(0x10, inconsistent), output));
    }

    [Fact]
    public void JoinsFragmentsAndWritesTheObuWhenItsLastFragmentArrives()
    {
        byte[] element = Element(Frame, Fill(500, 4), 1, 0);
        var depacketizer = new Av1Depacketizer();
        var output = new byte[1000];
        Assert.Equal(2, depacketizer.WriteFrameData(Payload(0x50, element[..1]), output)); // Y: the header byte only, then the TD
        Assert.Equal(0, depacketizer.WriteFrameData(Payload(0xD0, element[1..300]), output)); // Z and Y
        int n = depacketizer.WriteFrameData(Payload(0x90, element[300..]), output); // Z
        Assert.Equal(Obu(Frame, Fill(500, 4), 1, 0), output[..n]);
    }

    [Fact]
    public void AShortDestinationChangesNothing()
    {
        byte[] element = Element(Frame, Fill(100, 5));
        var depacketizer = new Av1Depacketizer();
        Assert.Equal(2, depacketizer.WriteFrameData(Payload(0x50, element[..50]), new byte[10]));
        byte[] last = Payload(0x90, element[50..]);
        Assert.Equal(-2, depacketizer.WriteFrameData(last, new byte[50]));
        var output = new byte[200];
        int n = depacketizer.WriteFrameData(last, output);
        Assert.Equal(Obu(Frame, Fill(100, 5)), output[..n]);
    }

    [Fact]
    public void RefusesFragmentsThatDoNotContinue()
    {
        var depacketizer = new Av1Depacketizer();
        var output = new byte[100];
        byte[] element = Element(Frame, Fill(20, 6));

        // Z=1 with nothing to continue.
        Assert.Equal(-1, depacketizer.WriteFrameData(Payload(0x90, element), output));

        // Y=1, then a payload that starts a new OBU (Z=0): the fragment never ended.
        Assert.True(depacketizer.WriteFrameData(Payload(0x50, element[..10]), output) >= 0);
        Assert.Equal(-1, depacketizer.WriteFrameData(Payload(0x10, element), output));

        // After the failure the broken fragment is gone: a continuation is refused too.
        Assert.Equal(-1, depacketizer.WriteFrameData(Payload(0x90, element[10..]), output));
    }

    [Fact]
    public void RefusesAnObuLargerThanMaxObuSize()
    {
        var depacketizer = new Av1Depacketizer { MaxObuSize = 100 };
        var output = new byte[300];
        Assert.True(depacketizer.WriteFrameData(Payload(0x50, Fill(60, 0x30)), output) >= 0);
        Assert.Equal(-1, depacketizer.WriteFrameData(Payload(0xD0, Fill(60, 0x30)), output));
    }

    [Theory]
    [InlineData("")] // no aggregation header
    [InlineData("00")] // W=0 and no element
    [InlineData("10")] // W=1 and no element
    [InlineData("88 30")] // N=1 with Z=1 (§4.4: if N equals 1 then Z must equal 0)
    [InlineData("20 01 30")] // W=2 but one element
    [InlineData("00 05 30 00")] // length 5, 2 bytes left
    [InlineData("00 00 30")] // zero-length element
    [InlineData("10 B0")] // obu_forbidden_bit set
    [InlineData("00 FF FF FF FF FF FF FF FF 7F")] // leb128 longer than 8 bytes
    [InlineData("10 34")] // a whole OBU element announcing an extension byte it lacks
    public void RefusesMalformedPayloads(string hex)
    {
        byte[] payload = PacketizerHarness.Hex(hex);
        var depacketizer = new Av1Depacketizer();
        Assert.False(depacketizer.TryReadHeader(payload, out _));
        Assert.Equal(-1, depacketizer.WriteFrameData(payload, new byte[100]));
    }

    [Fact]
    public void FrameStartIsAWholeFirstObuThatCanBeginATemporalUnit()
    {
        var depacketizer = new Av1Depacketizer();
        Assert.True(depacketizer.TryReadHeader(Payload(0x10, Element(FrameHeader, [1], 0, 0)), out VideoPayloadHeader h));
        Assert.True(h.FrameStart);
        Assert.False(h.KeyFrame);
        Assert.True(depacketizer.TryReadHeader(Payload(0x10, Element(FrameHeader, [1], 0, 1)), out h));
        Assert.False(h.FrameStart); // a frame of spatial layer 1 continues the unit
        Assert.True(depacketizer.TryReadHeader(Payload(0x10, Element(TileGroup, [1])), out h));
        Assert.False(h.FrameStart);
        Assert.True(depacketizer.TryReadHeader(Payload(0x90, [1, 2, 3]), out h));
        Assert.False(h.FrameStart);
        Assert.Equal(-1, h.TemporalLayer);
    }
}
