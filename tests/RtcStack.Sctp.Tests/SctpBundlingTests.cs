using RtcStack.Sctp.Packets;
using Xunit;
using Xunit.Abstractions;
using static RtcStack.Sctp.Tests.SctpAssociationTests;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// Bundling (RFC 9260 §6.10) and the acknowledgement rules (§6.2, §6.7), driven by hand: packets are taken with
/// <see cref="SctpAssociation.TryPollTransmit"/> and handed to the peer one at a time, so each test decides what is
/// queued when the association is polled. Packets are built at the poll, from everything queued by then.
/// </summary>
public class SctpBundlingTests
{
    private const int Mtu = 1200;

    private readonly ITestOutputHelper _output;

    public SctpBundlingTests(ITestOutputHelper output)
    {
        _output = output;
    }

    // RFC 9260 §3.1 common header 12 bytes, §3.3.1 DATA chunk header 16 bytes: 64-byte messages need 80 bytes each,
    // so 14 fit a 1,200-byte packet (1,132 bytes), a 15th would not (1,212).
    private const int SmallMessage = 64;
    private const int PerPacket = (Mtu - SctpPacket.CommonHeaderLength) / (DataChunk.HeaderLength + SmallMessage);

    [Fact]
    public void BurstOfSmallMessages_GoesOutInFullPackets_BoundedByTheMtu()
    {
        SctpPair pair = Connected();
        const int n = 40; // 2,560 bytes: inside the initial cwnd (4,380 with a 1,200 MTU, RFC 9260 §7.2.1)
        for (int i = 0; i < n; i++)
        {
            pair.A.Send(1, 53, Bytes(SmallMessage, i), pair.Now);
        }

        List<byte[]> packets = Poll(pair.A);
        Assert.Equal(PerPacket, 14);
        Assert.Equal([14, 14, 12], packets.ConvertAll(p => Count(p, SctpChunkType.Data)));
        Assert.All(packets, p => Assert.True(p.Length <= Mtu, $"{p.Length} > {Mtu}"));
        Assert.Equal(Mtu - (Mtu - SctpPacket.CommonHeaderLength - (PerPacket * (DataChunk.HeaderLength + SmallMessage))), packets[0].Length);

        // Delivered whole and in order, and the flight (counted per chunk) empties when the SACK comes back.
        foreach (byte[] p in packets)
        {
            pair.B.HandleDatagram(p, pair.Now);
        }

        byte[] read = new byte[SmallMessage];
        for (int i = 0; i < n; i++)
        {
            Assert.True(pair.B.TryReadMessage(read, out SctpMessageInfo info));
            Assert.Equal(SmallMessage, info.Length);
            Assert.Equal(Bytes(SmallMessage, i), read);
        }

        List<byte[]> back = Poll(pair.B);
        Assert.Single(back);
        Assert.Equal(1, Count(back[0], SctpChunkType.Sack));
        pair.A.HandleDatagram(back[0], pair.Now);
        Assert.Equal(0, pair.A.BufferedAmount);
        Assert.Empty(Poll(pair.A));
    }

    [Fact]
    public void BurstBeyondTheCongestionWindow_SendsWhatTheWindowAllows_InFullPackets()
    {
        // Max.Burst off: this is about the window alone (with Max.Burst 4 the four full packets here stop below the
        // 4,380-byte initial window; SctpMaxBurstTests).
        SctpPair pair = Connected(maxBurst: 0);
        int cwnd = pair.A.CongestionWindow;
        Assert.Equal(4380, cwnd); // RFC 9260 §7.2.1: min(4 * MTU, max(2 * MTU, 4380))
        long chunksBefore = pair.A.Statistics.DataChunksSent;
        for (int i = 0; i < 200; i++)
        {
            pair.A.Send(1, 53, Bytes(SmallMessage, i), pair.Now);
        }

        List<byte[]> packets = Poll(pair.A);
        long chunks = pair.A.Statistics.DataChunksSent - chunksBefore;

        // §7.2.1: new data while the flight is below cwnd, so the last chunk may take it past cwnd by less than one chunk.
        Assert.InRange(chunks * SmallMessage, cwnd, cwnd + SmallMessage - 1);
        Assert.Equal((int)((chunks + PerPacket - 1) / PerPacket), packets.Count);
        for (int i = 0; i < packets.Count - 1; i++)
        {
            Assert.Equal(PerPacket, Count(packets[i], SctpChunkType.Data));
        }
    }

    [Fact]
    public void ManySmallMessages_OverAPath_AreBundled()
    {
        SctpPair pair = Connected();
        long dataPackets = 0;
        pair.Sent = (toB, p, t) =>
        {
            if (toB && Count(p, SctpChunkType.Data) > 0)
            {
                dataPackets++;
            }
        };
        const int n = 3000;
        for (int i = 0; i < n; i++)
        {
            pair.A.Send(1, 53, Bytes(SmallMessage, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == n, TimeSpan.FromMinutes(1)));
        List<SctpMessageEvent> got = Messages(pair.EventsB);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Bytes(SmallMessage, i), got[i].Data);
        }

        _output.WriteLine($"{n} messages in {dataPackets} packets with DATA ({(double)n / dataPackets:0.0} per packet, {PerPacket} fit), {pair.B.Statistics.SacksSent} SACKs");

        // Packets are full except where the congestion window ends a burst: on average at least half full.
        Assert.True(dataPackets <= 2 * n / PerPacket, $"{dataPackets} packets for {n} messages");
        Assert.Equal(0, pair.A.Statistics.Retransmissions);
    }

    [Fact]
    public void Sack_EverySecondDataPacket_AndTheSingleOneAfterTheDelayedAckTime()
    {
        SctpPair pair = Connected(delayedAck: TimeSpan.FromMilliseconds(50));
        List<byte[]> data = OnePacketEach(pair, 3, out uint firstTsn);

        pair.B.HandleDatagram(data[0], pair.Now);
        Assert.Empty(Poll(pair.B));
        Assert.Equal(pair.Now + TimeSpan.FromMilliseconds(50), pair.B.PollTimeout()); // the configured time, not 200 ms

        pair.B.HandleDatagram(data[1], pair.Now);
        Assert.Equal((firstTsn + 1, 0), SackIn(Poll(pair.B)));

        TimeSpan third = pair.Now + TimeSpan.FromMilliseconds(5);
        pair.B.HandleDatagram(data[2], third);
        Assert.Empty(Poll(pair.B));
        TimeSpan? due = pair.B.PollTimeout();
        Assert.Equal(third + TimeSpan.FromMilliseconds(50), due);
        pair.B.HandleTimeout(due!.Value - TimeSpan.FromMilliseconds(1));
        Assert.Empty(Poll(pair.B));
        pair.B.HandleTimeout(due.Value);
        Assert.Equal((firstTsn + 2, 0), SackIn(Poll(pair.B)));
    }

    [Fact]
    public void DefaultDelayedAckTime_Is200Milliseconds()
    {
        SctpPair pair = Connected();
        List<byte[]> data = OnePacketEach(pair, 1, out uint firstTsn);
        pair.B.HandleDatagram(data[0], pair.Now);
        Assert.Empty(Poll(pair.B));
        Assert.Equal(pair.Now + TimeSpan.FromMilliseconds(200), pair.B.PollTimeout());
        pair.B.HandleTimeout(pair.Now + TimeSpan.FromMilliseconds(200));
        Assert.Equal((firstTsn, 0), SackIn(Poll(pair.B)));
    }

    [Fact]
    public void Sack_AtOnceOnAGap_AndWhenTheGapIsFilled()
    {
        SctpPair pair = Connected();
        List<byte[]> data = OnePacketEach(pair, 3, out uint firstTsn);

        pair.B.HandleDatagram(data[0], pair.Now);
        Assert.Empty(Poll(pair.B));

        // The second packet is missing: the third is acknowledged at once with a gap block (RFC 9260 §6.7).
        pair.B.HandleDatagram(data[2], pair.Now);
        Assert.Equal((firstTsn, 1), SackIn(Poll(pair.B)));

        // The second arrives and fills the gap: acknowledged at once (§6.2), without gap blocks.
        pair.B.HandleDatagram(data[1], pair.Now);
        Assert.Equal((firstTsn + 2, 0), SackIn(Poll(pair.B)));
    }

    [Fact]
    public void Sack_AtOnceOnADuplicate()
    {
        SctpPair pair = Connected();
        List<byte[]> data = OnePacketEach(pair, 1, out uint firstTsn);
        pair.B.HandleDatagram(data[0], pair.Now);
        Assert.Empty(Poll(pair.B));
        pair.B.HandleTimeout(pair.B.PollTimeout()!.Value);
        Assert.Equal((firstTsn, 0), SackIn(Poll(pair.B)));

        pair.B.HandleDatagram(data[0], pair.Now);
        List<byte[]> sack = Poll(pair.B);
        Assert.Equal((firstTsn, 0), SackIn(sack));
        Assert.True(SctpPacket.TryParse(sack[0], out SctpPacket packet) == SctpParseStatus.Ok);
        foreach (SctpChunk c in packet.Chunks)
        {
            Assert.True(SackChunk.TryParse(c, out SackChunk s));
            Assert.Equal(1, s.DuplicateCount);
            Assert.Equal(firstTsn, s.GetDuplicate(0));
        }
    }

    [Fact]
    public void PacketsHandedInBeforeOnePoll_ShareOneSack()
    {
        SctpPair pair = Connected();
        List<byte[]> data = OnePacketEach(pair, 4, out uint firstTsn);
        foreach (byte[] p in data)
        {
            pair.B.HandleDatagram(p, pair.Now);
        }

        // The SACK owed after the second packet is written at the poll, by when it covers all four.
        Assert.Equal((firstTsn + 3, 0), SackIn(Poll(pair.B)));
        Assert.Equal(1, pair.B.Statistics.SacksSent - SacksAfterConnect);
    }

    [Fact]
    public void OwedSack_IsBundledFirst_WithTheReceiversOwnData()
    {
        SctpPair pair = Connected();
        List<byte[]> data = OnePacketEach(pair, 2, out uint firstTsn);
        pair.B.HandleDatagram(data[0], pair.Now);
        pair.B.HandleDatagram(data[1], pair.Now);
        pair.B.Send(2, 53, Bytes(SmallMessage, 7), pair.Now);
        pair.B.Send(2, 53, Bytes(SmallMessage, 8), pair.Now);

        // RFC 9260 §6.10: control chunks (the SACK) before DATA in one packet.
        List<byte[]> packets = Poll(pair.B);
        Assert.Single(packets);
        Assert.True(SctpPacket.TryParse(packets[0], out SctpPacket packet) == SctpParseStatus.Ok);
        var types = new List<SctpChunkType>();
        foreach (SctpChunk c in packet.Chunks)
        {
            types.Add(c.Type);
        }

        Assert.Equal([SctpChunkType.Sack, SctpChunkType.Data, SctpChunkType.Data], types);
        Assert.Equal((firstTsn + 1, 0), SackIn(packets));
    }

    private long SacksAfterConnect { get; set; }

    private SctpPair Connected(TimeSpan? delayedAck = null, int maxBurst = 4)
    {
        var pair = new SctpPair(
            a: new SctpAssociationOptions { Random = new Random(11), MaxPacketSize = Mtu, EnableMessageInterleaving = false, MaxBurst = maxBurst },
            b: new SctpAssociationOptions { Random = new Random(12), MaxPacketSize = Mtu, EnableMessageInterleaving = false, DelayedAckTimeout = delayedAck ?? TimeSpan.FromMilliseconds(200) });
        pair.Connect();
        Assert.Empty(Poll(pair.A));
        Assert.Empty(Poll(pair.B));
        SacksAfterConnect = pair.B.Statistics.SacksSent;
        return pair;
    }

    /// <summary>Messages of 1,000 bytes: one DATA chunk per packet (two would not fit 1,200 bytes).</summary>
    private static List<byte[]> OnePacketEach(SctpPair pair, int count, out uint firstTsn)
    {
        for (int i = 0; i < count; i++)
        {
            pair.A.Send(1, 53, Bytes(1000, i), pair.Now);
        }

        List<byte[]> packets = Poll(pair.A);
        Assert.Equal(count, packets.Count);
        firstTsn = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.True(SctpPacket.TryParse(packets[i], out SctpPacket packet) == SctpParseStatus.Ok);
            foreach (SctpChunk c in packet.Chunks)
            {
                Assert.True(DataChunk.TryParse(c, out DataChunk d));
                if (i == 0)
                {
                    firstTsn = d.Tsn;
                }

                Assert.Equal(firstTsn + (uint)i, d.Tsn);
            }
        }

        return packets;
    }

    internal static List<byte[]> Poll(SctpAssociation s)
    {
        var packets = new List<byte[]>();
        while (s.TryPollTransmit(out ReadOnlyMemory<byte> p))
        {
            packets.Add(p.ToArray());
        }

        return packets;
    }

    internal static int Count(byte[] packet, SctpChunkType type)
    {
        Assert.True(SctpPacket.TryParse(packet, out SctpPacket p) == SctpParseStatus.Ok);
        int n = 0;
        foreach (SctpChunk c in p.Chunks)
        {
            n += c.Type == type ? 1 : 0;
        }

        return n;
    }

    /// <summary>The cumulative TSN ack and gap block count of the one SACK in exactly one packet.</summary>
    private static (uint Cum, int Gaps) SackIn(List<byte[]> packets)
    {
        Assert.Single(packets);
        Assert.True(SctpPacket.TryParse(packets[0], out SctpPacket p) == SctpParseStatus.Ok);
        (uint, int)? found = null;
        foreach (SctpChunk c in p.Chunks)
        {
            if (c.Type == SctpChunkType.Sack)
            {
                Assert.Null(found);
                Assert.True(SackChunk.TryParse(c, out SackChunk s));
                found = (s.CumulativeTsnAck, s.GapBlockCount);
            }
        }

        Assert.NotNull(found);
        return found.Value;
    }
}
