using RtcStack.Sctp.DataChannels;
using RtcStack.Sctp.Packets;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// The weighted fair queueing scheduler (RFC 8260 §3.6) on the wire, between two associations in virtual time, with the
/// RFC 8831 §6.4 weights (DCEP priorities 128, 256, 512, 1024 share as 1/2 : 1 : 2 : 4), and the DCEP priority carried
/// from a data channel's creation to both ends' schedulers.
/// </summary>
public class WeightedFairQueueingTests
{
    private const uint Ppid = 53;

    private readonly ITestOutputHelper _output;

    public WeightedFairQueueingTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static SctpAssociationOptions Options(int seed, bool interleaving, SctpStreamSchedulerKind scheduler = SctpStreamSchedulerKind.RoundRobin) => new()
    {
        Random = new Random(seed),
        EnableMessageInterleaving = interleaving,
        StreamScheduler = scheduler,
        MaxMessageSize = 1024 * 1024,
        ReceiveBufferSize = 4 * 1024 * 1024,
    };

    /// <summary>The DATA or I-DATA chunks of a packet: TSN, stream, flags, user data length.</summary>
    private static List<(uint Tsn, ushort Sid, byte Flags, int Length)> PayloadChunks(byte[] packet)
    {
        var list = new List<(uint, ushort, byte, int)>();
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) == SctpParseStatus.Ok)
        {
            foreach (SctpChunk c in p.Chunks)
            {
                if (IDataChunk.TryParse(c, out IDataChunk i))
                {
                    list.Add((i.Tsn, i.StreamId, i.Flags, i.UserData.Length));
                }
                else if (DataChunk.TryParse(c, out DataChunk d))
                {
                    list.Add((d.Tsn, d.StreamId, d.Flags, d.UserData.Length));
                }
            }
        }

        return list;
    }

    /// <summary>
    /// Two streams with data all along (30 messages of 16 KiB each, queued before the association is up): taking the
    /// chunks in TSN order (the order the scheduler served them), after every turn (a fragment with I-DATA, a whole
    /// message with DATA) and until one stream runs out, stream 1's bytes are within one turn's bytes of its weighted
    /// share of all bytes sent: one fragment (1,168 B) with I-DATA, one message (16 KiB) with DATA.
    /// </summary>
    [Theory]
    [InlineData(true, 256, 1024)]
    [InlineData(true, 128, 256)]
    [InlineData(true, 512, 512)]
    [InlineData(true, 1024, 128)]
    [InlineData(false, 256, 1024)]
    [InlineData(false, 1024, 512)]
    public void BothStreamsBacklogged_BytesPerStreamFollowTheWeights(bool interleaving, int w1, int w2)
    {
        const int MessageSize = 16 * 1024;
        const int Messages = 30;
        var pair = new SctpPair(seed: 3, a: Options(31, interleaving, SctpStreamSchedulerKind.WeightedFairQueueing), b: Options(32, interleaving));
        var chunks = new Dictionary<uint, (ushort Sid, byte Flags, int Length)>();
        uint? first = null;
        pair.Sent = (toB, p, _) =>
        {
            if (toB)
            {
                foreach ((uint tsn, ushort sid, byte flags, int length) in PayloadChunks(p))
                {
                    first ??= tsn;
                    chunks.TryAdd(tsn, (sid, flags, length));
                }
            }
        };
        pair.A.SetStreamPriority(1, (ushort)w1);
        pair.A.SetStreamPriority(2, (ushort)w2);
        for (int i = 0; i < Messages; i++)
        {
            pair.A.Send(1, Ppid, SctpAssociationTests.Bytes(MessageSize, i), pair.Now);
            pair.A.Send(2, Ppid, SctpAssociationTests.Bytes(MessageSize, 100 + i), pair.Now);
        }

        pair.Connect();
        Assert.Equal(interleaving, pair.A.MessageInterleaving);
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 2 * Messages, TimeSpan.FromMinutes(2)));

        // No loss, so the first DATA chunk on the wire has the first TSN; TSN order is the order the scheduler served.
        List<(ushort Sid, byte Flags, int Length)> served = chunks.OrderBy(c => c.Key - first!.Value).Select(c => c.Value).ToList();
        Assert.Equal(2 * Messages * MessageSize, served.Sum(c => c.Length));

        int turnLimit = interleaving ? served.Max(c => c.Length) : MessageSize;
        double share = (double)w1 / (w1 + w2);
        long b1 = 0, b2 = 0, pending1 = 0, pending2 = 0, total = (long)Messages * MessageSize;
        int turns = 0;
        double worst = 0;
        foreach ((ushort sid, byte flags, int length) in served)
        {
            // With DATA a turn is a whole message: count it when its last fragment is served.
            if (sid == 1)
            {
                pending1 += length;
            }
            else
            {
                pending2 += length;
            }

            if (!interleaving && (flags & DataChunk.EndingFlag) == 0)
            {
                continue;
            }

            b1 += pending1;
            b2 += pending2;
            pending1 = pending2 = 0;
            if (b1 == total || b2 == total)
            {
                break;
            }

            turns++;
            double error = Math.Abs(b1 - ((b1 + b2) * share));
            worst = Math.Max(worst, error);
            Assert.True(error <= turnLimit, $"after {turns} turns stream 1 sent {b1} B and stream 2 {b2} B: {error:F0} B off stream 1's share");
        }

        _output.WriteLine($"{(interleaving ? "I-DATA" : "DATA")} {w1}:{w2}: {turns} turns while both had data, stream 1 {b1} B, stream 2 {b2} B, "
            + $"largest error {worst:F0} B (limit {turnLimit} B)");
        Assert.True(Math.Min(b1, b2) >= 3 * MessageSize * Math.Min(w1, w2) / Math.Max(w1, w2), $"window too short: {b1} B and {b2} B");
    }

    /// <summary>
    /// With I-DATA, a 1 MiB message on a very-low stream (128) does not hold back a high one (1024): each of 10 small
    /// messages sent on the high stream while the large one is under way leaves at once (at most one fragment of the large
    /// message, already given its TSN when a packet filled, goes out between its send and it) and arrives before the large
    /// message completes; a 64 KiB high
    /// message sent meanwhile takes at least 8/9 of the new chunks while both have data (within one fragment). With DATA
    /// (the contrast) a message is scheduled whole, so the small messages wait for the rest of the large one.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LargeLowPriorityMessage_DoesNotHoldBackAHighPriorityStream_WithIData(bool interleaving)
    {
        var pair = new SctpPair(seed: 4, a: Options(41, interleaving, SctpStreamSchedulerKind.WeightedFairQueueing), b: Options(42, interleaving));
        var wire = new List<(uint Tsn, ushort Sid, int Length)>();
        var seen = new HashSet<uint>();
        pair.Sent = (toB, p, _) =>
        {
            if (toB)
            {
                foreach ((uint tsn, ushort sid, byte _, int length) in PayloadChunks(p))
                {
                    if (seen.Add(tsn))
                    {
                        wire.Add((tsn, sid, length));
                    }
                }
            }
        };
        pair.Connect();
        pair.A.SetStreamPriority(1, 128);
        pair.A.SetStreamPriority(2, 1024);
        byte[] large = SctpAssociationTests.Bytes(1024 * 1024, 1);
        pair.A.Send(1, Ppid, large, pair.Now);
        pair.Drain();

        var waits = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            pair.RunFor(TimeSpan.FromMilliseconds(10));
            int before = wire.Count;
            pair.A.Send(2, Ppid, [(byte)i, 1, 2, 3], pair.Now);
            pair.Drain();
            Assert.True(pair.RunUntil(() => wire.Skip(before).Any(c => c.Sid == 2), TimeSpan.FromMinutes(1)));
            waits.Add(wire.Skip(before).TakeWhile(c => c.Sid != 2).Count(c => c.Sid == 1));
        }

        int burstFrom = wire.Count;
        pair.A.Send(2, Ppid, SctpAssociationTests.Bytes(64 * 1024, 2), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 12, TimeSpan.FromMinutes(2)));
        List<SctpMessageEvent> got = SctpAssociationTests.Messages(pair.EventsB);
        int largeAt = got.FindIndex(m => m.StreamId == 1);
        Assert.Equal(large, got[largeAt].Data);
        _output.WriteLine($"{(interleaving ? "I-DATA" : "DATA")}: large message delivered {largeAt + 1}th of 12; large-message fragments "
            + $"sent between each small message's send and the small message: {string.Join(",", waits)}");

        if (interleaving)
        {
            Assert.All(waits, w => Assert.InRange(w, 0, 1));
            Assert.Equal(11, largeAt);

            // The 64 KiB burst against the large message's remainder: stream 2 gets 1024/1152 of the bytes.
            List<(uint Tsn, ushort Sid, int Length)> burst = wire.Skip(burstFrom).ToList();
            int lastOf2 = burst.FindLastIndex(c => c.Sid == 2);
            long s1 = burst.Take(lastOf2 + 1).Where(c => c.Sid == 1).Sum(c => (long)c.Length);
            long s2 = burst.Take(lastOf2 + 1).Where(c => c.Sid == 2).Sum(c => (long)c.Length);
            _output.WriteLine($"64 KiB burst: stream 2 {s2} B, stream 1 {s1} B meanwhile");
            Assert.Equal(64 * 1024, s2);
            Assert.True(Math.Abs(s1 - ((s1 + s2) * 128.0 / 1152)) <= burst.Max(c => c.Length), $"stream 1 sent {s1} B during the burst");
        }
        else
        {
            // DATA: the large message was scheduled whole before the first small one was sent.
            Assert.True(waits[0] > 100, $"only {waits[0]} large-message chunks went before the first small message");
            Assert.Equal(0, largeAt);
        }
    }

    /// <summary>
    /// RFC 8832 §5.1, RFC 8831 §6.4: a data channel's priority (W3C "high" = 1024 here, the default "low" = 256) goes
    /// into DATA_CHANNEL_OPEN and sets the stream's weight in both ends' schedulers; a negotiated channel sets it locally.
    /// </summary>
    [Fact]
    public void DataChannelPriority_ReachesBothSchedulers()
    {
        var a = new DataChannelTransport(new SctpAssociation(Options(51, true, SctpStreamSchedulerKind.WeightedFairQueueing)), dtlsClient: true);
        var b = new DataChannelTransport(new SctpAssociation(Options(52, true, SctpStreamSchedulerKind.WeightedFairQueueing)), dtlsClient: false);
        TimeSpan now = TimeSpan.FromSeconds(1);
        a.Connect(now);
        b.Connect(now);
        var eventsB = new List<DataChannelEvent>();
        void Pump()
        {
            for (int round = 0; round < 50; round++)
            {
                bool any = false;
                while (a.TryPollTransmit(out ReadOnlyMemory<byte> p))
                {
                    any = true;
                    b.HandleDatagram(p.Span, now);
                }

                while (b.TryPollTransmit(out ReadOnlyMemory<byte> p))
                {
                    any = true;
                    a.HandleDatagram(p.Span, now);
                }

                while (b.TryPollEvent(out DataChannelEvent? e))
                {
                    eventsB.Add(e!);
                }

                while (a.TryPollEvent(out _))
                {
                }

                if (!any)
                {
                    return;
                }
            }
        }

        Pump();
        DataChannel high = a.CreateChannel(new DataChannelOptions { Label = "high", Priority = 1024 }, now);
        DataChannel normal = a.CreateChannel(new DataChannelOptions { Label = "default" }, now);
        DataChannel negotiated = a.CreateChannel(new DataChannelOptions { Label = "n", Negotiated = true, Id = 40, Priority = 128 }, now);
        Pump();

        Assert.Equal((ushort)256, normal.Priority);
        Assert.Equal((ushort)1024, a.Association.GetStreamPriority(high.Id));
        Assert.Equal((ushort)256, a.Association.GetStreamPriority(normal.Id));
        Assert.Equal((ushort)128, a.Association.GetStreamPriority(negotiated.Id));
        List<DataChannel> opened = eventsB.OfType<DataChannelOpenEvent>().Select(e => e.Channel).ToList();
        Assert.Equal(1024, opened.Single(c => c.Label == "high").Priority);
        Assert.Equal(256, opened.Single(c => c.Label == "default").Priority);
        Assert.Equal((ushort)1024, b.Association.GetStreamPriority(high.Id));
        Assert.Equal((ushort)256, b.Association.GetStreamPriority(normal.Id));
    }
}
