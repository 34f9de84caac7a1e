using Xunit;

namespace RtcStack.Video.Tests.H264;

public sealed class H264PacketizerTests
{
    private static readonly byte[] s_sps = [0x67, 0x42, 0xE0, 0x1F, 0x8C, 0x8D, 0x40];
    private static readonly byte[] s_pps = [0x68, 0xCE, 0x3C, 0x80];

    // RFC 6184 §5.7.1, Figure 7: STAP-A NAL HDR, then for each NAL unit a 16-bit size and the NAL unit.
    [Fact]
    public void SpsPpsAndSmallIdrShareOneStapA()
    {
        byte[] idr = [0x65, 0x88, 0x84, 0x21];
        byte[] au = [0, 0, 0, 1, .. s_sps, 0, 0, 1, .. s_pps, 0, 0, 0, 1, .. idr];
        var packetizer = new H264Packetizer();
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(au, keyFrame: true));
        var payloads = VideoTestData.Drain(packetizer);
        (byte[] payload, bool marker, bool start) = Assert.Single(payloads);
        Assert.True(marker && start);
        byte[] expected =
        [
            0x78, // F=0, NRI=3 (the largest of 3, 3, 3), type 24
            0x00, 0x07, .. s_sps,
            0x00, 0x04, .. s_pps,
            0x00, 0x04, .. idr,
        ];
        Assert.Equal(expected, payload);
    }

    // RFC 6184 §5.7.1: NRI is the maximum of the aggregated units' NRI; F is their OR.
    [Fact]
    public void StapAHeaderTakesTheLargestNriAndAnyForbiddenBit()
    {
        byte[] a = [0x06, 0x05, 0x01];  // SEI, NRI 0
        byte[] b = [0x41, 0x9A, 0x02];  // slice, NRI 2
        byte[] c = [0x89, 0x10];        // AUD with F = 1, NRI 0
        var packetizer = new H264Packetizer();
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(VideoTestData.AnnexB4([a, b, c]), false));
        Assert.Equal(0x80 | 0x40 | 24, (int)VideoTestData.Drain(packetizer)[0].Payload[0]);
    }

    // RFC 6184 §5.8, Figures 14 and 15: FU indicator |F|NRI|28|, FU header |S|E|R|Type|, the NAL header not repeated.
    [Fact]
    public void LargeNalUnitIsCutIntoFuAFragments()
    {
        var random = new Random(4);
        byte[] idr = VideoTestData.Nal(random, 5, 2501, nri: 3);
        var packetizer = new H264Packetizer { MaxPayloadSize = 1000 };
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(VideoTestData.AnnexB4([idr]), true));
        var payloads = VideoTestData.Drain(packetizer);
        Assert.Equal(3, payloads.Count); // 2500 body bytes / 998 per fragment
        Assert.All(payloads, p => Assert.Equal(0x7C, (int)p.Payload[0]));
        Assert.Equal([0x85, 0x05, 0x45], payloads.Select(p => (int)p.Payload[1]));
        Assert.All(payloads, p => Assert.InRange(p.Payload.Length, 2 + 833, 1000));
        Assert.Equal(idr[1..], payloads.SelectMany(p => p.Payload[2..]).ToArray());
        Assert.Equal([false, false, true], payloads.Select(p => p.Marker));
    }

    [Fact]
    public void MixOfAggregatedSingleAndFragmentedUnitsKeepsOrder()
    {
        var random = new Random(5);
        byte[] sei = VideoTestData.Nal(random, 6, 30, nri: 0);
        byte[] big = VideoTestData.Nal(random, 1, 2000, nri: 2);
        byte[] mid = VideoTestData.Nal(random, 1, 900, nri: 2, firstSlice: false);
        byte[] tiny = VideoTestData.Nal(random, 1, 20, nri: 2, firstSlice: false);
        var packetizer = new H264Packetizer { MaxPayloadSize = 1000 };
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(VideoTestData.AnnexB([sei, big, mid, tiny], random), false));
        var payloads = VideoTestData.Drain(packetizer);

        // SEI alone (the big slice does not fit with it), FU-A x3, then mid + tiny in a STAP-A (3 + 900 + 2 + 20 = 925).
        Assert.Equal([6, 28, 28, 28, 24], payloads.Select(p => p.Payload[0] & 0x1F));
        Assert.Equal(sei, payloads[0].Payload);
        Assert.Equal(1 + 2 + 900 + 2 + 20, payloads[4].Payload.Length);
        Assert.True(payloads[4].Marker);
    }

    [Fact]
    public void SingleNalUnitModeSendsEachUnitAloneAndRefusesLargeOnes()
    {
        var packetizer = new H264Packetizer(H264PacketizationMode.SingleNalUnit) { MaxPayloadSize = 100 };
        Assert.Equal(H264PacketizationMode.SingleNalUnit, packetizer.Mode);
        byte[] slice = VideoTestData.Nal(new Random(6), 5, 100);
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(VideoTestData.AnnexB4([s_sps, s_pps, slice]), true));
        var payloads = VideoTestData.Drain(packetizer);
        Assert.Equal([s_sps, s_pps, slice], payloads.Select(p => p.Payload));
        Assert.Equal([false, false, true], payloads.Select(p => p.Marker));

        byte[] tooBig = VideoTestData.Nal(new Random(6), 5, 101);
        Assert.Equal(VideoPacketizeStatus.TooLarge, packetizer.Push(VideoTestData.AnnexB4([s_sps, tooBig]), true));
        Assert.False(packetizer.HasPending);
    }

    [Fact]
    public void LeadingZerosTrailingZerosAndEmptyUnitsAreNotSent()
    {
        byte[] au = [0, 0, 0, 0, 0, 1, .. s_sps, 0, 0, 0, 0, 0, 1, 0, 0, 1, .. s_pps, 0, 0];
        var packetizer = new H264Packetizer { Aggregate = false };
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(au, true));
        Assert.Equal([s_sps, s_pps], VideoTestData.Drain(packetizer).Select(p => p.Payload));
    }

    [Theory]
    [InlineData(new byte[] { 0x67, 0x42 })]                    // no start code
    [InlineData(new byte[] { 1, 0, 0, 1, 0x67 })]              // something before the start code
    [InlineData(new byte[] { 0, 0, 1 })]                       // start code, no NAL unit
    [InlineData(new byte[] { 0, 0, 1, 0x00, 0x11 })]           // type 0
    [InlineData(new byte[] { 0, 0, 1, 0x78, 0x00, 0x01, 0x09 })] // type 24: would read as a STAP-A
    [InlineData(new byte[] { 0, 0, 1, 0x7C, 0x85, 0x01 })]     // type 28: would read as an FU-A
    public void MalformedAccessUnitsAreRefused(byte[] au)
    {
        var packetizer = new H264Packetizer();
        Assert.Equal(VideoPacketizeStatus.Malformed, packetizer.Push(au, false));
        Assert.False(packetizer.HasPending);
    }

    [Fact]
    public void OtherRefusals()
    {
        var packetizer = new H264Packetizer { MaxPayloadSize = 2 };
        Assert.Equal(VideoPacketizeStatus.Empty, packetizer.Push(ReadOnlyMemory<byte>.Empty, false));
        Assert.Equal(VideoPacketizeStatus.TooLarge, packetizer.Push(VideoTestData.AnnexB4([s_pps]), false)); // FU-A needs 3 bytes
        packetizer.MaxPayloadSize = 3;
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(VideoTestData.AnnexB4([s_pps]), false));
        Assert.Equal(VideoPacketizeStatus.Busy, packetizer.Push(VideoTestData.AnnexB4([s_pps]), false));
        Assert.Equal(3, VideoTestData.Drain(packetizer).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new H264Packetizer((H264PacketizationMode)2));
    }
}
