using System.Buffers.Binary;
using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// Random and mutated packets (with valid checksums and the right verification tag, so they get past the
/// first checks) fed to an established association: nothing throws, every timer stays finite, memory stays
/// within the receive buffer, and the association either still carries a message afterwards or has closed
/// with a reason.
/// </summary>
public class HostileInputTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void MutatedAndRandomPackets_NeverThrowOrHang(int seed)
    {
        var random = new Random(seed);
        int handledWhileEstablished = 0;
        int associations = 0;
        var closeReasons = new List<string>();
        SctpPair pair = null!;
        List<byte[]> captured = null!;
        uint tagAtB = 0;
        byte[] types = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 192, 194, 0x3F, 0x7F, 0xBF, 0xFF];
        for (int i = 0; i < 5000; i++)
        {
            if (pair is null || pair.B.State == SctpAssociationState.Closed)
            {
                if (pair is not null)
                {
                    AssertQuiesces(pair);
                    closeReasons.Add(pair.EventsB.OfType<SctpClosedEvent>().LastOrDefault()?.ToString() ?? "none");
                }

                // A fresh established association with traffic on it (ordered, unordered, PR, a stream reset).
                associations++;
                (pair, captured) = Establish(seed * 1000 + associations, random);
                tagAtB = BinaryPrimitives.ReadUInt32BigEndian(captured[^1].AsSpan(4));
            }

            byte[] packet;
            if (i % 2 == 0)
            {
                packet = (byte[])captured[random.Next(captured.Count)].Clone();
                int flips = 1 + random.Next(6);
                for (int f = 0; f < flips && packet.Length > 12; f++)
                {
                    packet[12 + random.Next(packet.Length - 12)] = (byte)random.Next(256);
                }
            }
            else
            {
                packet = new byte[12 + random.Next(4, 400)];
                BinaryPrimitives.WriteUInt16BigEndian(packet, 5000);
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 5000);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), tagAtB);
                int o = 12;
                while (o + 4 <= packet.Length)
                {
                    int len = Math.Min(packet.Length - o, random.Next(4, 80));
                    packet[o] = types[random.Next(types.Length)];
                    packet[o + 1] = (byte)random.Next(256);
                    BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(o + 2), (ushort)len);
                    random.NextBytes(packet.AsSpan(o + 4, len - 4));
                    o += (len + 3) & ~3;
                }
            }

            BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), SctpPacket.ComputeChecksum(packet));
            if (pair.B.State == SctpAssociationState.Established)
            {
                handledWhileEstablished++;
            }

            pair.Deliver(toB: true, packet);
            if (pair.B.PollTimeout() is TimeSpan t)
            {
                Assert.True(t < pair.Now + TimeSpan.FromHours(1), $"timer at {t}");
            }

            Assert.True(pair.B.ReceiveBufferedBytes <= pair.B.Options.ReceiveBufferSize + 65536);
            Assert.True(pair.B.ReceiveBufferedBytes >= 0);
            if (i % 50 == 0)
            {
                pair.RunFor(TimeSpan.FromMilliseconds(300));
            }
        }

        // Afterwards: either closed with a reason or still able to carry a message within bounded virtual time.
        pair.Loss = 0;
        int before = pair.EventsB.OfType<SctpMessageEvent>().Count();
        if (pair.A.State == SctpAssociationState.Established && pair.B.State == SctpAssociationState.Established)
        {
            pair.A.Send(1, 53, "after"u8, pair.Now, new SctpSendOptions(Unordered: true));
            pair.Drain();
            bool ok = pair.RunUntil(
                () => pair.EventsB.OfType<SctpMessageEvent>().Count() > before || pair.EventsA.OfType<SctpClosedEvent>().Any() || pair.EventsB.OfType<SctpClosedEvent>().Any(),
                TimeSpan.FromMinutes(20));
            Assert.True(ok, "no delivery and no close");
        }

        AssertQuiesces(pair);
        // The run must have exercised established associations, not a closed one.
        Assert.True(handledWhileEstablished >= 2500, $"only {handledWhileEstablished} packets reached an established association ({associations} associations: {string.Join(", ", closeReasons)})");
    }

    private static (SctpPair Pair, List<byte[]> Captured) Establish(int seed, Random random)
    {
        var pair = new SctpPair(seed) { Loss = 0.02 };
        var captured = new List<byte[]>();
        pair.Sent = (toB, p, t) =>
        {
            if (toB && captured.Count < 2000)
            {
                captured.Add(p);
            }
        };
        pair.Connect();
        for (int i = 0; i < 40; i++)
        {
            pair.A.Send((ushort)(i % 3), 53, new byte[random.Next(1, 5000)], pair.Now, new SctpSendOptions(Unordered: i % 5 == 0, MaxRetransmits: i % 7 == 0 ? 0 : null));
        }

        pair.A.ResetStreams([2], pair.Now);
        pair.Drain();
        pair.RunUntil(() => pair.A.BufferedAmount == 0, TimeSpan.FromMinutes(2));
        pair.Sent = null;
        Assert.NotEmpty(captured);
        return (pair, captured);
    }

    private static void AssertQuiesces(SctpPair pair)
    {
        // Only heartbeats may remain: within two virtual hours and a bounded number of steps the pair goes quiet.
        int steps = 0;
        TimeSpan end = pair.Now + TimeSpan.FromHours(2);
        while (pair.Now < end && pair.Step() && ++steps < 200_000)
        {
        }

        Assert.True(steps < 200_000, "the pair never goes quiet");
    }
}
