using RtcStack.Sctp.Packets;
using Xunit;
using static RtcStack.Sctp.Tests.SctpAssociationTests;
using static RtcStack.Sctp.Tests.SctpBundlingTests;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// Gap-acknowledged chunks (RFC 9260 §6.2.1 D iv): the sender counts them as it goes, so a SACK without gap blocks
/// does not walk the whole flight; the count must stay exact through loss, reordering, abandonment and reneging, or
/// reneged chunks would stay marked as acknowledged.
/// </summary>
public class SctpGapAckTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void TheCountStaysExact_UnderLossReorderingDuplicationAndAbandonment(int seed, bool interleaving)
    {
        var pair = new SctpPair(seed, interleaving: interleaving) { Loss = 0.05, Reorder = 0.1, Duplicate = 0.05 };
        pair.Connect();
        var random = new Random(seed);
        int most = 0;
        int checks = 0;
        for (int i = 0; i < 300; i++)
        {
            // Every third message may be dropped after one retransmission, so messages are abandoned too (RFC 3758).
            var options = i % 3 == 0 ? new SctpSendOptions { MaxRetransmits = 1 } : default;
            pair.A.Send((ushort)(i % 4), 53, Bytes(random.Next(1, 20_000), i), pair.Now, options);
        }

        pair.Drain();
        TimeSpan end = pair.Now + TimeSpan.FromMinutes(5);
        while (pair.Now < end && pair.Step())
        {
            Assert.Equal(pair.A.CountGapAckedChunks(), pair.A.GapAckedChunks);
            most = Math.Max(most, pair.A.GapAckedChunks);
            checks++;
            if (pair.A.BufferedAmount == 0 && pair.A.FlightSize == 0)
            {
                break;
            }
        }

        Assert.Equal(0, pair.A.BufferedAmount);
        Assert.True(most > 10, $"at most {most} chunks were gap-acknowledged at once: the test did not exercise gap blocks");
        Assert.True(pair.A.Statistics.MessagesAbandoned > 0, "no message was abandoned");
        Assert.True(checks > 100);
    }

    [Fact]
    public void RenegedChunks_GoBackIntoFlight_AndLeaveTheCount()
    {
        var pair = new SctpPair(3);
        pair.Connect();
        for (int i = 0; i < 4; i++)
        {
            pair.A.Send(1, 53, Bytes(1000, i), pair.Now);
        }

        List<byte[]> data = Poll(pair.A);
        Assert.Equal(4, data.Count);
        Assert.Equal(4000, pair.A.FlightSize);

        // The first packet is lost: the peer's SACK reports the other three in a gap block.
        for (int i = 1; i < 4; i++)
        {
            pair.B.HandleDatagram(data[i], pair.Now);
        }

        byte[] sack = Assert.Single(Poll(pair.B));
        pair.A.HandleDatagram(sack, pair.Now);
        Assert.Equal(3, pair.A.GapAckedChunks);
        Assert.Equal(1000, pair.A.FlightSize);

        // The same cumulative ack without the gap block: the peer reneged (§6.2.1 D iv), the three are in flight again.
        Assert.True(SctpPacket.TryParse(sack, out SctpPacket parsed) == SctpParseStatus.Ok);
        SackChunk original = default;
        foreach (SctpChunk c in parsed.Chunks)
        {
            if (c.Type == SctpChunkType.Sack)
            {
                Assert.True(SackChunk.TryParse(c, out original));
            }
        }

        Assert.Equal(1, original.GapBlockCount);
        byte[] renege = new byte[100];
        var w = new SctpPacketWriter(renege, 5000, 5000, parsed.VerificationTag);
        Assert.True(w.TryWriteSack(original.CumulativeTsnAck, original.ReceiverWindow, [], []));
        int n = w.Finish();
        pair.A.HandleDatagram(renege.AsSpan(0, n), pair.Now);
        Assert.Equal(0, pair.A.GapAckedChunks);
        Assert.Equal(0, pair.A.CountGapAckedChunks());
        Assert.Equal(4000, pair.A.FlightSize);

        // Everything still arrives.
        pair.B.HandleDatagram(data[0], pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.A.FlightSize == 0 && Messages(pair.EventsB).Count == 4, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, pair.A.GapAckedChunks);
    }
}
