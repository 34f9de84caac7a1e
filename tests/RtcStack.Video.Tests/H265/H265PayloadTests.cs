using RtcStack.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static RtcStack.Video.Tests.PacketizerHarness;

namespace RtcStack.Video.Tests.H265;

/// <summary>RFC 7798 §4.4 payload structures, written byte by byte from the RFC's layouts, and round trips.</summary>
public class H265PayloadTests
{
    // NAL unit headers |F|Type|LayerId|TID|: VPS 4001, SPS 4201, PPS 4401, IDR_W_RADL 2601, TRAIL_R 0201.
    private static readonly byte[] s_vps = Hex("4001 0C01FFFF");
    private static readonly byte[] s_sps = Hex("4201 010160");
    private static readonly byte[] s_pps = Hex("4401 C172B4");
    private static readonly byte[] s_idr = Hex("2601 AF0960");

    private static byte[] AnnexB(params byte[][] nals) => nals.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n)).ToArray();

    [Fact]
    public void AggregatesSmallNalUnitsIntoOneAggregationPacket()
    {
        // §4.4.2: payload header type 48 with the lowest LayerId and TID, then 16-bit NALU size + NAL unit each.
        var packetizer = new H265Packetizer();
        var payloads = Packetize(packetizer, AnnexB(s_vps, s_sps, s_pps, s_idr), keyFrame: true);
        byte[] payload = Assert.Single(payloads).Payload;
        Assert.Equal(Hex("6001 0006 40010C01FFFF 0005 4201010160 0005 4401C172B4 0005 2601AF0960"), payload);

        var depacketizer = new H265Depacketizer();
        Assert.True(depacketizer.TryReadHeader(payload, out VideoPayloadHeader header));
        Assert.True(header.KeyFrame);
        Assert.True(header.FrameStart);
        Assert.Equal(0, header.TemporalLayer);
        Assert.Equal(AnnexB(s_vps, s_sps, s_pps, s_idr), Depacketize(depacketizer, [payload], 100));
    }

    [Fact]
    public void TheAggregationPacketHeaderTakesTheLowestLayerIdAndTid()
    {
        // §4.4.2: F is 0 when every aggregated F is 0; LayerId and TID are the lowest of the aggregated NAL units.
        byte[] a = Hex("0213 AA"); // TRAIL_R, LayerId 2, TID 3
        byte[] b = Hex("020A BB"); // TRAIL_R, LayerId 1, TID 2
        byte[] c = Hex("0224 CC"); // TRAIL_R, LayerId 4, TID 4
        var payloads = Packetize(new H265Packetizer(), AnnexB(a, b, c), keyFrame: false);
        Assert.Equal(Hex("600A 0003 0213AA 0003 020ABB 0003 0224CC"), Assert.Single(payloads).Payload);
        Assert.True(new H265Depacketizer().TryReadHeader(payloads[0].Payload, out VideoPayloadHeader header));
        Assert.Equal(1, header.TemporalLayer); // TID 2 - 1
    }

    [Fact]
    public void FragmentsALargeNalUnitWithStartAndEndBits()
    {
        // §4.4.3: payload header type 49 with the NAL unit's LayerId and TID, FU header |S|E|FuType|, the NAL
        // unit's header left out (the receiver rebuilds it from the payload header and FuType).
        byte[] slice = [0x26, 0x01, .. Enumerable.Range(0, 250).Select(i => (byte)(i | 0x81))]; // first_slice_segment_in_pic_flag = 1
        var packetizer = new H265Packetizer { MaxPayloadSize = 100 };
        var payloads = Packetize(packetizer, AnnexB(slice), keyFrame: true);
        Assert.Equal(3, payloads.Count); // 250 bytes after the header, 97 per FU
        Assert.Equal(Hex("6201 93"), payloads[0].Payload[..3]); // S, FuType 19
        Assert.Equal(Hex("6201 13"), payloads[1].Payload[..3]);
        Assert.Equal(Hex("6201 53"), payloads[2].Payload[..3]); // E
        Assert.Equal(slice[2..], payloads.SelectMany(p => p.Payload.Skip(3)).ToArray());

        var depacketizer = new H265Depacketizer();
        Assert.True(depacketizer.TryReadHeader(payloads[0].Payload, out VideoPayloadHeader first));
        Assert.True(first.KeyFrame && first.FrameStart);
        Assert.True(depacketizer.TryReadHeader(payloads[1].Payload, out VideoPayloadHeader middle));
        Assert.False(middle.KeyFrame || middle.FrameStart);
        Assert.Equal(AnnexB(slice), Depacketize(depacketizer, payloads.Select(p => p.Payload), 400));
    }

    [Fact]
    public void SendsANalUnitThatFitsAloneWhenTheNextDoesNot()
    {
        byte[] big = [0x02, 0x01, .. Enumerable.Repeat((byte)0x55, 90)];
        var payloads = Packetize(new H265Packetizer { MaxPayloadSize = 60 }, AnnexB(s_pps, big), keyFrame: false);
        Assert.Equal(s_pps, payloads[0].Payload); // single NAL unit packet (§4.4.1)
        Assert.Equal(49, (payloads[1].Payload[0] >> 1) & 0x3F);
        Assert.Equal(3, payloads.Count);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("02", false)] // shorter than the payload header
    [InlineData("8201 AA", false)] // F=1
    [InlineData("0200 AA", false)] // TID 0
    [InlineData("6401 AA", false)] // PACI (type 50) is not supported
    [InlineData("6601 AA", false)] // type 51 is not defined
    [InlineData("6001 0003 4401C1", false)] // AP with one NAL unit (§4.4.2: at least two)
    [InlineData("6001 0003 4401C1 0009 4401", false)] // AP size runs past the payload
    [InlineData("6001 0001 44 0001 44", false)] // AP unit shorter than a NAL unit header
    [InlineData("6001 0002 6001 0002 4401", false)] // AP inside an AP
    [InlineData("6201 C0 AA", false)] // FU with S and E both set
    [InlineData("6201 80", false)] // FU without data
    [InlineData("6201 B1 AA", false)] // FU of an FU (FuType 49)
    [InlineData("0201 AA", true)] // a single NAL unit packet
    public void ReadsOrRefusesPayloadHeaders(string hex, bool valid)
    {
        var depacketizer = new H265Depacketizer();
        Assert.Equal(valid, depacketizer.TryReadHeader(Hex(hex), out _));
        Assert.Equal(valid, depacketizer.WriteFrameData(Hex(hex), new byte[100]) >= 0);
    }

    [Fact]
    public void RefusesFragmentsOutOfOrder()
    {
        var depacketizer = new H265Depacketizer();
        var output = new byte[100];
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("6201 13 AA"), output)); // a middle FU with nothing started
        Assert.Equal(7, depacketizer.WriteFrameData(Hex("6201 93 AA"), output)); // start code + rebuilt header + data
        Assert.Equal(Hex("00000001 2601 AA"), output[..7]);
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("6201 14 AA"), output)); // another FuType
        Assert.Equal(7, depacketizer.WriteFrameData(Hex("6201 93 AA"), output));
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("0201 AA"), output)); // a new NAL unit before the FU ended
        Assert.Equal(7, depacketizer.WriteFrameData(Hex("6201 93 AA"), output));
        Assert.Equal(-2, depacketizer.WriteFrameData(Hex("6201 53 AABB"), output.AsSpan(0, 1)));
        Assert.Equal(2, depacketizer.WriteFrameData(Hex("6201 53 AABB"), output));
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("6201 53 AABB"), output)); // E=1 ended it
    }

    [Theory]
    [InlineData("4001 0C", true, true)] // VPS
    [InlineData("2A01 80", true, true)] // CRA (21), first slice segment
    [InlineData("2C01 80", false, true)] // reserved IRAP type 22: not a key frame here
    [InlineData("0201 80", false, true)] // TRAIL_R, first slice segment
    [InlineData("0201 00", false, false)] // TRAIL_R, not the first slice segment
    [InlineData("5001 00", false, false)] // suffix SEI (40)
    public void KeyFramesAreIrapSlicesOrParameterSets(string hex, bool key, bool start)
    {
        Assert.True(new H265Depacketizer().TryReadHeader(Hex(hex), out VideoPayloadHeader header));
        Assert.Equal(key, header.KeyFrame);
        Assert.Equal(start, header.FrameStart);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0201AA")] // no start code
    [InlineData("05 00000001 0201AA")] // bytes before the first start code
    [InlineData("00000001 02")] // a NAL unit shorter than its header
    [InlineData("00000001 8201AA")] // F=1
    [InlineData("00000001 6001AA")] // type 48 in an access unit
    public void RefusesMalformedAccessUnits(string hex)
    {
        var packetizer = new H265Packetizer();
        Assert.Equal(hex.Length == 0 ? VideoPacketizeStatus.Empty : VideoPacketizeStatus.Malformed, packetizer.Push(Hex(hex), false));
        Assert.False(packetizer.HasPending);
    }

    public sealed record Case(int Seed, int TotalSize, int NalCount, int MaxPayloadSize);

    private static Arbitrary<Case> Cases() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from total in Gen.Frequency((3, Gen.Choose(1, 3000)), (2, Gen.Choose(1, 300_000)))
         from count in Gen.Choose(1, 40)
         from max in Gen.Choose(20, 1500)
         select new Case(seed, total, count, max)).ToArbitrary();

    /// <summary>NAL units with random headers and bodies without start code emulation, not ending in a zero byte.</summary>
    private static byte[][] Nals(Case c, Random rng)
    {
        int[] cuts = Enumerable.Range(0, c.NalCount - 1).Select(_ => rng.Next(c.TotalSize + 1)).Order().ToArray();
        var nals = new byte[c.NalCount][];
        int previous = 0;
        for (int i = 0; i < c.NalCount; i++)
        {
            int size = (i < cuts.Length ? cuts[i] : c.TotalSize) - previous;
            previous += size;
            var nal = new byte[2 + size];
            rng.NextBytes(nal);
            int type = rng.Next(48);
            int layer = rng.Next(64);
            int tid = rng.Next(1, 8);
            nal[0] = (byte)((type << 1) | (layer >> 5));
            nal[1] = (byte)(((layer & 0x1F) << 3) | tid);
            for (int k = 2; k < nal.Length; k++)
            {
                if (nal[k - 1] == 0 && nal[k - 2] == 0 && nal[k] <= 3)
                {
                    nal[k] = 4;
                }
            }

            if (nal[^1] == 0)
            {
                nal[^1] = 0x80;
            }

            nals[i] = nal;
        }

        return nals;
    }

    [Property(MaxTest = 200)]
    public Property EveryAccessUnitSurvivesPacketization() =>
        Prop.ForAll(Cases(), c =>
        {
            var rng = new Random(c.Seed);
            byte[][] nals = Nals(c, rng);
            byte[] unit = nals.SelectMany(n => (rng.Next(2) == 0 ? new byte[] { 0, 0, 1 } : [0, 0, 0, 1]).Concat(n)).ToArray();
            var payloads = Packetize(new H265Packetizer { MaxPayloadSize = c.MaxPayloadSize }, unit, keyFrame: false);
            byte[] output = Depacketize(new H265Depacketizer(), payloads.Select(p => p.Payload), unit.Length + (4 * c.NalCount));
            Assert.Equal(AnnexB(nals), output);
        });

    [Fact]
    public void TheSteadyPathAllocatesNothing()
    {
        byte[] slice = [0x02, 0x01, .. Enumerable.Range(0, 7000).Select(i => (byte)(i | 1))];
        byte[] unit = AnnexB(s_vps, s_sps, s_pps, s_idr, slice);
        var packetizer = new H265Packetizer { MaxPayloadSize = 1100 };
        var depacketizer = new H265Depacketizer();
        var packet = new byte[1100];
        var output = new byte[unit.Length];
        RunOnce(packetizer, depacketizer, unit, packet, output);
        int total = 0;
        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 50, 5, _ => total += RunOnce(packetizer, depacketizer, unit, packet, output)));
        Assert.Equal(50 * unit.Length, total);
    }

    private static int RunOnce(H265Packetizer packetizer, H265Depacketizer depacketizer, byte[] unit, byte[] packet, byte[] output)
    {
        packetizer.Push(unit, keyFrame: true);
        depacketizer.Reset();
        int length = 0;
        while (packetizer.TryPoll(packet, out VideoRtpPayload payload))
        {
            depacketizer.TryReadHeader(packet.AsSpan(0, payload.Length), out _);
            length += depacketizer.WriteFrameData(packet.AsSpan(0, payload.Length), output.AsSpan(length));
        }

        return length;
    }
}
