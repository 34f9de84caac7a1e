using RtcStack.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static RtcStack.Video.Tests.Av1.Av1Obus;

namespace RtcStack.Video.Tests.Av1;

/// <summary>Packetize then depacketize in order gives back the temporal unit in low-overhead form (AV1 RTP §4-§5).</summary>
public class Av1RoundTripTests
{
    private static readonly int[] s_types = [SequenceHeader, TemporalDelimiter, FrameHeader, TileGroup, Metadata, Frame, RedundantFrameHeader, TileList, Padding];

    public sealed record Case(int Seed, int TotalSize, int ObuCount, int MaxPayloadSize, bool KeyFrame);

    private static Arbitrary<Case> Cases() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from total in Gen.Frequency((3, Gen.Choose(1, 3000)), (2, Gen.Choose(1, 300_000)))
         from count in Gen.Choose(1, 24)
         from max in Gen.Choose(20, 1500)
         from key in Gen.Elements(false, true)
         select new Case(seed, total, count, max, key)).ToArbitrary();

    /// <summary>Builds a random temporal unit and the low-overhead form the depacketizer must give back.</summary>
    private static (byte[] Unit, byte[] Expected) Build(Case c)
    {
        var rng = new Random(c.Seed);
        int[] cuts = Enumerable.Range(0, c.ObuCount - 1).Select(_ => rng.Next(c.TotalSize + 1)).Order().ToArray();
        var unit = new List<byte>();
        var expected = new List<byte>(Delimiter);
        int previous = 0;
        bool kept = false;
        for (int i = 0; i < c.ObuCount; i++)
        {
            int size = (i < cuts.Length ? cuts[i] : c.TotalSize) - previous;
            previous += size;
            int type = s_types[rng.Next(s_types.Length)];
            if (i == c.ObuCount - 1 && !kept && type is TemporalDelimiter or TileList)
            {
                type = Frame;
            }

            if (type == TemporalDelimiter)
            {
                size = 0;
            }

            var payload = new byte[size];
            rng.NextBytes(payload);
            int tid = rng.Next(3) == 0 ? -1 : rng.Next(8);
            int sid = rng.Next(4);
            bool last = i == c.ObuCount - 1;
            unit.AddRange(Obu(type, payload, tid, sid, withSize: !last || rng.Next(2) == 0));
            if (type is not (TemporalDelimiter or TileList))
            {
                expected.AddRange(Obu(type, payload, tid, sid));
                kept = true;
            }
        }

        return ([.. unit], [.. expected]);
    }

    [Property(MaxTest = 200)]
    public Property EveryTemporalUnitSurvivesPacketization() =>
        Prop.ForAll(Cases(), c =>
        {
            (byte[] unit, byte[] expected) = Build(c);
            var packetizer = new Av1Packetizer { MaxPayloadSize = c.MaxPayloadSize };
            var payloads = PacketizerHarness.Packetize(packetizer, unit, c.KeyFrame);
            for (int i = 0; i < payloads.Count; i++)
            {
                byte aggregation = payloads[i].Payload[0];
                Assert.Equal(c.KeyFrame && i == 0, (aggregation & 0x08) != 0);
                Assert.Equal(i > 0 && (payloads[i - 1].Payload[0] & 0x40) != 0, (aggregation & 0x80) != 0);
                Assert.Equal(0, aggregation & 0x07);
                AssertOneLayer(payloads[i].Payload);
            }

            Assert.Equal(0, payloads[^1].Payload[0] & 0x40);
            byte[] output = PacketizerHarness.Depacketize(new Av1Depacketizer(), payloads.Select(p => p.Payload), expected.Length + 16);
            Assert.Equal(expected, output);
        });

    [Property(MaxTest = 50)]
    public Property ConsecutiveUnitsThroughOnePacketizerAndDepacketizer() =>
        Prop.ForAll(Cases(), c =>
        {
            var packetizer = new Av1Packetizer { MaxPayloadSize = c.MaxPayloadSize };
            var depacketizer = new Av1Depacketizer();
            for (int unitIndex = 0; unitIndex < 4; unitIndex++)
            {
                Case one = c with { Seed = c.Seed + unitIndex, TotalSize = 1 + (c.TotalSize / (unitIndex + 1)), KeyFrame = unitIndex == 0 };
                (byte[] unit, byte[] expected) = Build(one);
                var payloads = PacketizerHarness.Packetize(packetizer, unit, one.KeyFrame);
                Assert.Equal(expected, PacketizerHarness.Depacketize(depacketizer, payloads.Select(p => p.Payload), expected.Length + 16));
            }
        });

    // AV1 RTP §5: the OBUs with an extension header in one packet share temporal_id and spatial_id.
    private static void AssertOneLayer(byte[] payload)
    {
        int w = (payload[0] >> 4) & 3;
        bool z = (payload[0] & 0x80) != 0;
        int position = 1;
        int layer = -1;
        for (int i = 0; position < payload.Length; i++)
        {
            int length;
            if (w != 0 && i == w - 1)
            {
                length = payload.Length - position;
            }
            else
            {
                length = 0;
                int shift = 0;
                byte b;
                do
                {
                    b = payload[position++];
                    length |= (b & 0x7F) << shift;
                    shift += 7;
                }
                while ((b & 0x80) != 0);
            }

            if (!(i == 0 && z) && (payload[position] & 0x04) != 0 && length >= 2)
            {
                int l = payload[position + 1] >> 3;
                Assert.True(layer < 0 || layer == l, "two layers in one packet");
                layer = l;
            }

            position += length;
        }

        Assert.Equal(payload.Length, position);
    }

    [Fact]
    public void TheSteadyPathAllocatesNothing()
    {
        byte[] unit = Concat(
            Obu(TemporalDelimiter, []),
            Obu(SequenceHeader, Fill(12, 1)),
            Obu(FrameHeader, Fill(30, 2), 0, 0),
            Obu(TileGroup, Fill(6000, 3), 0, 0),
            Obu(Frame, Fill(900, 4), 1, 0));
        var packetizer = new Av1Packetizer { MaxPayloadSize = 1100 };
        var depacketizer = new Av1Depacketizer();
        var packet = new byte[1100];
        var frame = new byte[16000];
        int expected = 0;
        for (int i = 0; i < 3; i++)
        {
            expected = RunOnce(packetizer, depacketizer, unit, packet, frame);
        }

        int total = 0;
        long allocated = AllocationProbe.LeastPerChunk(0, 50, 5, _ => total += RunOnce(packetizer, depacketizer, unit, packet, frame));
        Assert.Equal(0, allocated);
        Assert.Equal(50 * expected, total);
        Assert.Equal(unit.Length, expected); // same OBUs, the TD put back
    }

    private static int RunOnce(Av1Packetizer packetizer, Av1Depacketizer depacketizer, byte[] unit, byte[] packet, byte[] frame)
    {
        packetizer.Push(unit, keyFrame: true);
        depacketizer.Reset();
        int length = 0;
        while (packetizer.TryPoll(packet, out VideoRtpPayload payload))
        {
            depacketizer.TryReadHeader(packet.AsSpan(0, payload.Length), out _);
            length += depacketizer.WriteFrameData(packet.AsSpan(0, payload.Length), frame.AsSpan(length));
        }

        return length;
    }
}
