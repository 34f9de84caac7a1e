using Xunit;
using static RtcStack.Video.Tests.Av1.Av1Obus;

namespace RtcStack.Video.Tests.Av1;

public class Av1PacketizerTests
{
    [Fact]
    public void TwoElementsWithTheLastLengthLeftOutAsInTheSpecExample()
    {
        // AV1 RTP §4.5 example: payload 303 bytes = aggregation header 1 + element 1 size 2 + element 1 data 200
        // + element 2 data 100 (W=2, no length field before the last element).
        byte[] element1 = Element(FrameHeader, Fill(199, 1));
        byte[] element2 = Element(TileGroup, Fill(99, 2));
        byte[] unit = Concat(Obu(FrameHeader, Fill(199, 1)), Obu(TileGroup, Fill(99, 2)));
        var packetizer = new Av1Packetizer { MaxPayloadSize = 303 };
        var payloads = PacketizerHarness.Packetize(packetizer, unit, keyFrame: false);

        (byte[] payload, VideoRtpPayload info) = Assert.Single(payloads);
        Assert.Equal(303, payload.Length);
        Assert.Equal(Concat([0x20, 0xC8, 0x01], element1, element2), payload);
        Assert.True(info.Marker);
    }

    [Fact]
    public void PacketizesTheSpecExampleSequenceOneLayerPerPacket()
    {
        // AV1 RTP §5.1: TD SH MD MD(0,0) FH(0,0) TG(0,0) MD(0,1) FH(0,1) TG(0,1) is sent as
        // [ SH MD MD(0,0) FH(0,0) TG(0,0) ] [ MD(0,1) FH(0,1) TG(0,1) ]: the TD is dropped, layers are not mixed.
        byte[][] elements =
        [
            Element(SequenceHeader, Fill(12, 1)),
            Element(Metadata, Fill(5, 2)),
            Element(Metadata, Fill(6, 3), 0, 0),
            Element(FrameHeader, Fill(20, 4), 0, 0),
            Element(TileGroup, Fill(300, 5), 0, 0),
            Element(Metadata, Fill(6, 6), 0, 1),
            Element(FrameHeader, Fill(20, 7), 0, 1),
            Element(TileGroup, Fill(400, 8), 0, 1),
        ];
        byte[] unit = Concat(
            Obu(TemporalDelimiter, []),
            Obu(SequenceHeader, Fill(12, 1)),
            Obu(Metadata, Fill(5, 2)),
            Obu(Metadata, Fill(6, 3), 0, 0),
            Obu(FrameHeader, Fill(20, 4), 0, 0),
            Obu(TileGroup, Fill(300, 5), 0, 0),
            Obu(Metadata, Fill(6, 6), 0, 1),
            Obu(FrameHeader, Fill(20, 7), 0, 1),
            Obu(TileGroup, Fill(400, 8), 0, 1));
        var payloads = PacketizerHarness.Packetize(new Av1Packetizer(), unit, keyFrame: true);

        Assert.Equal(2, payloads.Count);

        // W=0 (five elements): each element has its length; N=1 on the first packet of a coded video sequence.
        byte[] first = Concat([[0x08], .. elements[..5].Select(e => Concat(Leb128(e.Length), e))]);
        Assert.Equal(first, payloads[0].Payload);

        // W=3: the last element has no length field.
        byte[] second = Concat([0x30], Leb128(elements[5].Length), elements[5], Leb128(elements[6].Length), elements[6], elements[7]);
        Assert.Equal(second, payloads[1].Payload);
        Assert.True(payloads[1].Info.Marker);
    }

    [Fact]
    public void FragmentsAnObuAcrossPacketsWithZAndY()
    {
        // An OBU whose element (header + payload) is 1000 bytes, sent in 300-byte payloads: Y on all but the last,
        // Z on all but the first (AV1 RTP §4.4), one element each (W=1), the pieces joining into the element.
        byte[] element = Element(Frame, Fill(999, 9), 1, 0);
        Assert.Equal(1001, element.Length);
        var packetizer = new Av1Packetizer { MaxPayloadSize = 300 };
        var payloads = PacketizerHarness.Packetize(packetizer, Obu(Frame, Fill(999, 9), 1, 0), keyFrame: false);

        Assert.Equal(4, payloads.Count);
        Assert.Equal(0x50, payloads[0].Payload[0]);
        Assert.Equal(0xD0, payloads[1].Payload[0]);
        Assert.Equal(0xD0, payloads[2].Payload[0]);
        Assert.Equal(0x90, payloads[3].Payload[0]);
        Assert.Equal(element, payloads.SelectMany(p => p.Payload.Skip(1)).ToArray());
        Assert.Equal(0, payloads[0].Payload[1] & 0x02);
    }

    [Fact]
    public void DropsTemporalDelimitersAndTileListsAndClearsObuHasSizeField()
    {
        // AV1 RTP §5: TD and tile list OBUs SHOULD be removed; §4.5: obu_has_size_field SHOULD be 0.
        byte[] unit = Concat(
            Obu(TemporalDelimiter, []),
            Obu(Frame, Fill(40, 1)),
            Obu(TileList, Fill(10, 2)),
            Obu(Padding, Fill(3, 3)));
        var payloads = PacketizerHarness.Packetize(new Av1Packetizer(), unit, keyFrame: false);

        byte[] payload = Assert.Single(payloads).Payload;
        Assert.Equal(Concat([0x20], Leb128(41), Element(Frame, Fill(40, 1)), Element(Padding, Fill(3, 3))), payload);
    }

    [Fact]
    public void AcceptsALastObuWithoutObuSize()
    {
        byte[] unit = Concat(Obu(SequenceHeader, Fill(10, 1)), Obu(Frame, Fill(30, 2), withSize: false));
        var payloads = PacketizerHarness.Packetize(new Av1Packetizer(), unit, keyFrame: true);

        byte[] output = PacketizerHarness.Depacketize(new Av1Depacketizer(), payloads.Select(p => p.Payload), 1000);
        Assert.Equal(Concat(Delimiter, Obu(SequenceHeader, Fill(10, 1)), Obu(Frame, Fill(30, 2))), output);
    }

    [Fact]
    public void StartsAPacketAtASequenceHeader()
    {
        // §5: a sequence header SHOULD be the first OBU in a packet.
        byte[] unit = Concat(Obu(Metadata, Fill(4, 1)), Obu(SequenceHeader, Fill(10, 2)), Obu(Frame, Fill(30, 3)));
        var payloads = PacketizerHarness.Packetize(new Av1Packetizer(), unit, keyFrame: false);

        Assert.Equal(2, payloads.Count);
        Assert.Equal(Concat([0x10], Element(Metadata, Fill(4, 1))), payloads[0].Payload);
        Assert.Equal(SequenceHeader << 3, payloads[1].Payload[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")] // obu_forbidden_bit set
    [InlineData("0A 05 01 02")] // obu_size 5, only 2 bytes follow
    [InlineData("0A FF FF FF FF FF FF FF FF FF")] // obu_size longer than 8 bytes
    [InlineData("36 05")] // extended header and obu_has_size_field, but no obu_size
    [InlineData("34")] // extension flag without the extension byte
    public void RefusesMalformedTemporalUnits(string hex)
    {
        var packetizer = new Av1Packetizer();
        VideoPacketizeStatus status = packetizer.Push(PacketizerHarness.Hex(hex), keyFrame: false);
        Assert.Equal(hex.Length == 0 ? VideoPacketizeStatus.Empty : VideoPacketizeStatus.Malformed, status);
        Assert.False(packetizer.HasPending);
    }

    [Fact]
    public void RefusesAUnitWithOnlyDroppedObusAndASecondUnitWhileBusy()
    {
        var packetizer = new Av1Packetizer { MaxPayloadSize = 50 };
        Assert.Equal(VideoPacketizeStatus.Empty, packetizer.Push(Concat(Obu(TemporalDelimiter, []), Obu(TileList, [1])), false));
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(Obu(Frame, Fill(200, 1)), false));
        Assert.Equal(VideoPacketizeStatus.Busy, packetizer.Push(Obu(Frame, Fill(2, 1)), false));
        Assert.False(packetizer.TryPoll(new byte[49], out _));
        packetizer.MaxPayloadSize = 1;
        Assert.True(packetizer.TryPoll(new byte[50], out VideoRtpPayload first));
        Assert.Equal(50, first.Length);
    }

    [Fact]
    public void RefusesAMaxPayloadSizeWithNoRoomForData()
    {
        var packetizer = new Av1Packetizer { MaxPayloadSize = 1 };
        Assert.Equal(VideoPacketizeStatus.TooLarge, packetizer.Push(Obu(Frame, Fill(2, 1)), false));
    }
}
