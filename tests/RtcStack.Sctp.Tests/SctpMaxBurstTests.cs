using RtcStack.Sctp.Packets;
using Xunit;
using static RtcStack.Sctp.Tests.SctpAssociationTests;
using static RtcStack.Sctp.Tests.SctpBundlingTests;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// Max.Burst (RFC 9260 §6.1, §16: 4): when new DATA goes out, one transmission emits at most Max.Burst packets of it, so a
/// large open window (after slow start) is not sent in one burst that a receiver's socket buffer may drop; the peer's
/// acknowledgements clock out the rest. Packets are taken by hand with <see cref="SctpAssociation.TryPollTransmit"/>.
/// </summary>
public class SctpMaxBurstTests
{
    private const int Mtu = 1200;

    // RFC 9260 §3.1 common header 12 bytes, §3.3.1 DATA chunk header 16 bytes.
    private const int DataPerPacket = Mtu - SctpPacket.CommonHeaderLength - DataChunk.HeaderLength;

    [Fact]
    public void AnOpenWindow_ReleasesAtMostMaxBurstPacketsPerTransmission_AndEachSackClocksOutMore()
    {
        SctpPair pair = WithGrownWindow(maxBurst: 4);
        int cwnd = pair.A.CongestionWindow;
        Assert.True(cwnd > 20 * Mtu, $"cwnd {cwnd}: the window must have grown well past four packets for the test to mean anything");
        Assert.Equal(0, pair.A.FlightSize);

        byte[] message = Bytes(64 * 1024, 7);
        pair.A.Send(2, 53, message, pair.Now);
        List<byte[]> first = Poll(pair.A);
        Assert.Equal(4, first.Count);
        Assert.All(first, p => Assert.Equal(1, Count(p, SctpChunkType.Data)));
        Assert.Equal(4 * DataPerPacket, pair.A.FlightSize);
        Assert.Equal(1, pair.A.Statistics.MaxBurstLimited);

        // Nothing more leaves until an acknowledgement comes: polling again, or a timer, sends nothing new.
        Assert.Empty(Poll(pair.A));

        // The receiver acknowledges the four (one SACK, built at its poll); that SACK releases the next four.
        foreach (byte[] p in first)
        {
            pair.B.HandleDatagram(p, pair.Now);
        }

        List<byte[]> sack = Poll(pair.B);
        Assert.Single(sack);
        Assert.Equal(1, Count(sack[0], SctpChunkType.Sack));
        pair.A.HandleDatagram(sack[0], pair.Now);
        List<byte[]> second = Poll(pair.A);
        Assert.Equal(4, second.Count);
        Assert.All(second, p => Assert.Equal(1, Count(p, SctpChunkType.Data)));
        Assert.Equal(4 * DataPerPacket, pair.A.FlightSize);

        // The rest completes through the pair, and the message arrives whole.
        foreach (byte[] p in second)
        {
            pair.B.HandleDatagram(p, pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 201, TimeSpan.FromSeconds(30)));
        Assert.Equal(message, Messages(pair.EventsB)[200].Data);
    }

    [Fact]
    public void MaxBurstZero_SendsTheWholeOpenWindowAtOnce()
    {
        SctpPair pair = WithGrownWindow(maxBurst: 0);
        int cwnd = pair.A.CongestionWindow;
        Assert.True(cwnd > 20 * Mtu, $"cwnd {cwnd}");
        pair.A.Send(2, 53, Bytes(64 * 1024, 7), pair.Now);
        List<byte[]> packets = Poll(pair.A);

        // 64 KiB is 56 chunks of at most 1,172 bytes; all of it fits the grown window, so all of it goes at once.
        int chunks = (64 * 1024 + DataPerPacket - 1) / DataPerPacket;
        Assert.True(cwnd >= 64 * 1024, $"cwnd {cwnd}");
        Assert.Equal(chunks, packets.Count);
        Assert.Equal(0, pair.A.Statistics.MaxBurstLimited);
    }

    [Fact]
    public void SmallMessagesStillFillEachPacket_UnderMaxBurst()
    {
        SctpPair pair = WithGrownWindow(maxBurst: 4);
        for (int i = 0; i < 200; i++)
        {
            pair.A.Send(1, 53, Bytes(64, i), pair.Now);
        }

        // 14 chunks of 64 bytes fit a 1,200-byte packet (SctpBundlingTests): four full packets leave, 56 messages.
        List<byte[]> packets = Poll(pair.A);
        Assert.Equal([14, 14, 14, 14], packets.ConvertAll(p => Count(p, SctpChunkType.Data)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void MaxBurstOutOfRange_IsRefused(int maxBurst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SctpAssociation(new SctpAssociationOptions { MaxBurst = maxBurst }));
    }

    [Fact]
    public void DefaultIsTheRfcValue()
    {
        // RFC 9260 §16: Max.Burst - 4.
        Assert.Equal(4, new SctpAssociationOptions().MaxBurst);
    }

    /// <summary>A connected pair whose A side has sent 200 messages of 1,100 bytes (slow start grows its window), all acknowledged.</summary>
    private static SctpPair WithGrownWindow(int maxBurst)
    {
        var pair = new SctpPair(
            a: new SctpAssociationOptions { Random = new Random(11), EnableMessageInterleaving = false, MaxBurst = maxBurst },
            b: new SctpAssociationOptions { Random = new Random(12), EnableMessageInterleaving = false });
        pair.Connect();
        for (int i = 0; i < 200; i++)
        {
            pair.A.Send(0, 53, Bytes(1100, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 200 && pair.A.FlightSize == 0, TimeSpan.FromMinutes(1)));
        return pair;
    }
}
