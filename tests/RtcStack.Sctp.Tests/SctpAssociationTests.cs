using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Sctp.Packets;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Sctp.Tests;

public class SctpAssociationTests
{
    private readonly ITestOutputHelper _output;

    public SctpAssociationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    internal static byte[] Bytes(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    internal static List<SctpMessageEvent> Messages(List<SctpEvent> events) => events.OfType<SctpMessageEvent>().ToList();

    [Fact]
    public void Handshake_BothSidesConnect_ActiveAndPassive()
    {
        var pair = new SctpPair();
        pair.A.Connect(pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.A.State == SctpAssociationState.Established && pair.B.State == SctpAssociationState.Established, TimeSpan.FromSeconds(5)));
        Assert.Single(pair.EventsA.OfType<SctpConnectedEvent>());
        Assert.Single(pair.EventsB.OfType<SctpConnectedEvent>());
        Assert.True(pair.A.PeerSupportsPartialReliability);
        Assert.Equal(ushort.MaxValue, pair.A.OutboundStreams);
    }

    [Fact]
    public void Handshake_SimultaneousInit_Connects()
    {
        // WebRTC: both ends send INIT (RFC 9260 §5.2.1, INIT in COOKIE-WAIT).
        var pair = new SctpPair();
        pair.Connect();
        Assert.Equal(SctpAssociationState.Established, pair.A.State);
        Assert.Equal(SctpAssociationState.Established, pair.B.State);
        Assert.Single(pair.EventsA.OfType<SctpConnectedEvent>());
        Assert.Single(pair.EventsB.OfType<SctpConnectedEvent>());
    }

    [Fact]
    public void Handshake_WithLostInitAndCookie_RetransmitsOnT1()
    {
        var pair = new SctpPair();
        int initsDropped = 0;
        int echoesDropped = 0;
        pair.Drop = (toB, p) =>
        {
            SctpChunkType first = (SctpChunkType)p[12];
            if (first == SctpChunkType.Init && initsDropped++ < 2)
            {
                return true;
            }

            return first == SctpChunkType.CookieEcho && echoesDropped++ < 1;
        };
        TimeSpan start = pair.Now;
        pair.A.Connect(pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.A.State == SctpAssociationState.Established, TimeSpan.FromSeconds(30)));
        // T1-init: 1 s, then 2 s (RFC 9260 §5.1 with RTO backoff); then T1-cookie 1 s.
        Assert.True(pair.Now - start >= TimeSpan.FromSeconds(4));
        Assert.Equal(SctpAssociationState.Established, pair.B.State);
    }

    [Fact]
    public void Handshake_NoAnswer_FailsAfterMaxInitRetransmits()
    {
        var pair = new SctpPair(a: new SctpAssociationOptions { Random = new Random(1), MaxInitRetransmissions = 3 });
        pair.Drop = (toB, p) => true;
        pair.A.Connect(pair.Now);
        pair.Drain();
        pair.RunUntil(() => pair.EventsA.OfType<SctpClosedEvent>().Any(), TimeSpan.FromMinutes(5));
        SctpClosedEvent closed = Assert.Single(pair.EventsA.OfType<SctpClosedEvent>());
        Assert.Equal(SctpCloseReason.Failed, closed.Reason);
        Assert.Equal(4, pair.PacketsOnWire);
    }

    [Fact]
    public void ForgedCookie_IsIgnored()
    {
        var pair = new SctpPair();
        byte[] forged = new byte[12 + 4 + StateCookie.Length];
        var w = new SctpPacketWriter(forged, 5000, 5000, 0x12345678);
        w.TryWriteChunk(SctpChunkType.CookieEcho, 0, new byte[StateCookie.Length]);
        pair.Deliver(toB: true, forged[..w.Finish()]);
        Assert.Equal(SctpAssociationState.Closed, pair.B.State);
        Assert.Empty(pair.EventsB);
    }

    /// <summary>Loss, reordering, duplication, seed, and whether I-DATA (RFC 8260) is negotiated instead of DATA.</summary>
    public static TheoryData<double, double, double, int, bool> Networks() => new()
    {
        { 0.0, 0.0, 0.0, 1, false },
        { 0.01, 0.0, 0.0, 2, false },
        { 0.10, 0.0, 0.0, 3, false },
        { 0.01, 0.05, 0.05, 4, false },
        { 0.05, 0.10, 0.10, 5, false },
        { 0.0, 0.0, 0.0, 1, true },
        { 0.01, 0.05, 0.05, 4, true },
        { 0.05, 0.10, 0.10, 5, true },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Transfer_ManyMessagesOfRandomSizes_ArriveWholeAndInOrder(double loss, double reorder, double duplicate, int seed, bool interleaving)
    {
        var pair = new SctpPair(seed, interleaving: interleaving) { Loss = loss, Reorder = reorder, Duplicate = duplicate };
        pair.Connect();
        Assert.Equal(interleaving, pair.A.MessageInterleaving);
        Assert.Equal(interleaving, pair.B.MessageInterleaving);
        TimeSpan start = pair.Now;
        var random = new Random(seed);
        var sent = new Dictionary<ushort, List<string>>();
        var sentUnordered = new List<string>();
        int count = 300;
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            int size = i == 0 ? 256 * 1024 : (random.Next(10) switch
            {
                < 5 => random.Next(1, 1200),
                < 9 => random.Next(1, 16 * 1024),
                _ => random.Next(1, (256 * 1024) + 1),
            });
            byte[] m = Bytes(size, seed * 100000 + i);
            ushort stream = (ushort)random.Next(4);
            bool unordered = stream == 3;
            string hash = Convert.ToHexString(SHA256.HashData(m));
            if (unordered)
            {
                sentUnordered.Add(hash);
            }
            else
            {
                (sent.TryGetValue(stream, out List<string>? l) ? l : sent[stream] = new List<string>()).Add(hash);
            }

            total += size;
            (i % 2 == 0 ? pair.A : pair.B).Send(stream, 53, m, pair.Now, new SctpSendOptions(Unordered: unordered));
            pair.Drain();
        }

        bool done = pair.RunUntil(() => Messages(pair.EventsA).Count + Messages(pair.EventsB).Count == count, TimeSpan.FromHours(2));
        Assert.True(done, $"delivered {Messages(pair.EventsA).Count + Messages(pair.EventsB).Count} of {count} by {pair.Now}");

        foreach (SctpMessageEvent e in Messages(pair.EventsB).Concat(Messages(pair.EventsA)))
        {
            Assert.Equal(53u, e.PayloadProtocol);
        }

        List<string> Hashes(List<SctpEvent> events, ushort stream) =>
            Messages(events).Where(e => e.StreamId == stream).Select(e => Convert.ToHexString(SHA256.HashData(e.Data))).ToList();

        foreach ((ushort stream, List<string> hashes) in sent)
        {
            // Messages alternate A, B, A, ...; the merge of what B got from A and A got from B is the sent order
            // split by direction, so check each direction's subsequence separately.
            List<string> atB = Hashes(pair.EventsB, stream);
            List<string> atA = Hashes(pair.EventsA, stream);
            Assert.Equal(hashes.Count, atA.Count + atB.Count);
            Assert.True(IsOrderedMerge(hashes, atB, atA), $"stream {stream}: order broken");
        }

        List<string> unorderedGot = Hashes(pair.EventsA, 3).Concat(Hashes(pair.EventsB, 3)).Order().ToList();
        Assert.Equal(sentUnordered.Order().ToList(), unorderedGot);
        if (loss > 0)
        {
            Assert.True(pair.A.Statistics.Retransmissions + pair.B.Statistics.Retransmissions > 0);
        }

        // Once the last SACKs are in, nothing is left buffered on either side.
        Assert.True(pair.RunUntil(() => pair.A.BufferedAmount == 0 && pair.B.BufferedAmount == 0, TimeSpan.FromMinutes(1)));
        Assert.Equal(0, pair.A.ReceiveBufferedBytes);
        Assert.Equal(0, pair.B.ReceiveBufferedBytes);
        Assert.Equal(0, pair.A.FlightSize);
        Assert.True(total > 3_000_000, $"only {total} bytes");
        _output.WriteLine($"loss {loss}, reorder {reorder}, duplicate {duplicate}: {count} messages, {total} bytes in {pair.Now - start} virtual, "
            + $"{pair.A.Statistics.Retransmissions + pair.B.Statistics.Retransmissions} retransmissions, "
            + $"{pair.A.Statistics.FastRetransmits + pair.B.Statistics.FastRetransmits} fast, {pair.A.Statistics.T3Expirations + pair.B.Statistics.T3Expirations} T3");
    }

    /// <summary>Whether <paramref name="all"/> is an interleaving of <paramref name="x"/> and <paramref name="y"/> keeping each's order.</summary>
    private static bool IsOrderedMerge(List<string> all, List<string> x, List<string> y)
    {
        // Greedy works when hashes are distinct (random messages).
        int i = 0;
        int j = 0;
        foreach (string h in all)
        {
            if (i < x.Count && x[i] == h)
            {
                i++;
            }
            else if (j < y.Count && y[j] == h)
            {
                j++;
            }
            else
            {
                return false;
            }
        }

        return i == x.Count && j == y.Count;
    }

    [Fact]
    public void TenMegabytes_AtOnePercentLossAnd50MsRtt_Complete()
    {
        var pair = new SctpPair(seed: 77) { Loss = 0.01 };
        pair.Connect();
        TimeSpan start = pair.Now;
        const int count = 160;
        for (int i = 0; i < count; i++)
        {
            pair.A.Send(0, 53, Bytes(64 * 1024, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == count, TimeSpan.FromHours(1)));
        for (int i = 0; i < count; i += 37)
        {
            Assert.Equal(Bytes(64 * 1024, i), Messages(pair.EventsB)[i].Data);
        }

        TimeSpan took = pair.Now - start;
        _output.WriteLine($"10 MiB at 1 % loss, 50 ms RTT: {took} virtual, {count * 64 * 1024 * 8 / took.TotalSeconds / 1e6:F1} Mbit/s, "
            + $"{pair.A.Statistics.Retransmissions} retransmissions ({pair.A.Statistics.FastRetransmits} fast, {pair.A.Statistics.T3Expirations} T3), cwnd {pair.A.CongestionWindow}");
    }

    [Fact]
    public void LostChunk_IsFastRetransmittedAfterThreeMissIndications()
    {
        var pair = new SctpPair();
        pair.Connect();
        bool dropped = false;
        pair.Drop = (toB, p) =>
        {
            if (toB && !dropped && p[12] == (byte)SctpChunkType.Data)
            {
                dropped = true;
                return true;
            }

            return false;
        };
        for (int i = 0; i < 8; i++)
        {
            pair.A.Send(0, 53, Bytes(1000, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 8, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, pair.A.Statistics.FastRetransmits);
        Assert.Equal(0, pair.A.Statistics.T3Expirations);
        // RFC 9260 §7.2.3: ssthresh = max(cwnd/2, 4*MTU) on the loss.
        Assert.Equal(4 * 1200, pair.A.SlowStartThreshold);
    }

    [Fact]
    public void LostChunk_WithoutFollowers_IsRetransmittedWhenT3Expires_WithBackoff()
    {
        var pair = new SctpPair();
        pair.Connect();
        var dataSentAt = new List<TimeSpan>();
        pair.Sent = (toB, p, t) =>
        {
            if (toB && p[12] == (byte)SctpChunkType.Data)
            {
                dataSentAt.Add(t);
            }
        };
        int drops = 0;
        pair.Drop = (toB, p) => toB && p[12] == (byte)SctpChunkType.Data && drops++ < 3;
        TimeSpan rto = pair.A.Rto.Rto;
        pair.A.Send(0, 53, Bytes(100, 1), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 1, TimeSpan.FromMinutes(1)));
        Assert.Equal(4, dataSentAt.Count);
        // RFC 9260 §6.3.3 E2: the timer doubles on each expiry (RTO.Min 1 s applies).
        Assert.Equal(rto, dataSentAt[1] - dataSentAt[0]);
        Assert.Equal(rto * 2, dataSentAt[2] - dataSentAt[1]);
        Assert.Equal(rto * 4, dataSentAt[3] - dataSentAt[2]);
        Assert.Equal(3, pair.A.Statistics.T3Expirations);
        // §7.2.3: cwnd falls to 1 MTU on T3 expiry.
        Assert.True(pair.A.CongestionWindow <= 2 * 1200);
    }

    [Fact]
    public void CongestionWindow_GrowsInSlowStart_ThenLinearly()
    {
        var pair = new SctpPair();
        pair.Connect();
        int initial = pair.A.CongestionWindow;
        Assert.Equal(4380, initial); // RFC 9260 §7.2.1: min(4*MTU, max(2*MTU, 4380)) with MTU 1200.
        for (int i = 0; i < 200; i++)
        {
            pair.A.Send(0, 53, Bytes(1100, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 200, TimeSpan.FromMinutes(1)));
        Assert.True(pair.A.CongestionWindow > initial);
        // ssthresh starts at the peer's a_rwnd (1 MiB), so without loss the window only grew in slow start.
        Assert.True(pair.A.CongestionWindow <= 4380 + (200 * 1200));
    }

    [Fact]
    public void ReceiverWindow_IsRespected()
    {
        var options = new SctpAssociationOptions { Random = new Random(3), ReceiveBufferSize = 300 * 1024 };
        var pair = new SctpPair(a: null, b: options);
        pair.Connect();
        int maxOutstanding = 0;
        pair.Sent = (toB, p, t) => maxOutstanding = Math.Max(maxOutstanding, pair.A.FlightSize);
        for (int i = 0; i < 20; i++)
        {
            pair.A.Send(0, 53, Bytes(100 * 1024, i), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 20, TimeSpan.FromMinutes(5)));
        Assert.True(maxOutstanding <= (300 * 1024) + 1200, $"flight {maxOutstanding}");
    }

    [Fact]
    public void DuplicatedPackets_AreReportedAsDuplicateTsns_AndDeliveredOnce()
    {
        var pair = new SctpPair { Duplicate = 1.0 };
        pair.Connect();
        for (int i = 0; i < 10; i++)
        {
            pair.A.Send(1, 51, Bytes(500, i), pair.Now);
        }

        pair.Drain();
        pair.RunUntil(() => Messages(pair.EventsB).Count == 10, TimeSpan.FromSeconds(10));
        pair.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(10, Messages(pair.EventsB).Count);
        Assert.True(pair.B.Statistics.DuplicateTsnsReceived >= 10);
    }

    /// <summary>
    /// RFC 3758 §3.5: abandoning a fragmented message abandons all of its fragments, including those the peer
    /// already reported in a gap block, so FORWARD TSN moves past the message's last TSN. Before the fix the
    /// Advanced.Peer.Ack.Point stopped at the gap-acknowledged last fragment, leaving the peer holding a lone
    /// E fragment above its new cumulative TSN, which usrsctp then delivered as a message of its own
    /// (found by UsrsctpInteropTests.UnreliableUnordered_WithLossBothWays).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PartialReliability_ForwardTsnCoversGapAckedFragmentsOfAnAbandonedMessage(bool unordered)
    {
        var pair = new SctpPair(seed: 21);
        pair.Connect();
        var dataTsns = new List<uint>();
        var forwards = new List<uint>();
        int dataPackets = 0;
        pair.Sent = (toB, bytes, _) =>
        {
            if (!toB || SctpPacket.TryParse(bytes, out SctpPacket p) != SctpParseStatus.Ok)
            {
                return;
            }

            foreach (SctpChunk c in p.Chunks)
            {
                if (c.Type == SctpChunkType.Data && DataChunk.TryParse(c, out DataChunk d))
                {
                    dataTsns.Add(d.Tsn);
                }
                else if (c.Type == SctpChunkType.ForwardTsn && ForwardTsnChunk.TryParse(c, out ForwardTsnChunk f))
                {
                    forwards.Add(f.NewCumulativeTsn);
                }
            }
        };

        // The middle fragment of a three-fragment message is lost; the first and last arrive (the last gap-acked).
        pair.Drop = (toB, bytes) => toB && HasDataChunk(bytes) && ++dataPackets == 2;
        pair.A.Send(1, 53, Bytes(3000, 1), pair.Now, new SctpSendOptions(Unordered: unordered, MaxRetransmits: 0));
        pair.Drain();
        pair.RunUntil(() => pair.A.BufferedAmount == 0 && pair.A.FlightSize == 0, TimeSpan.FromSeconds(30));
        pair.Drop = null;
        pair.A.Send(1, 53, Bytes(100, 2), pair.Now);
        pair.Drain();
        pair.RunUntil(() => Messages(pair.EventsB).Count >= 1 && pair.A.FlightSize == 0, TimeSpan.FromSeconds(30));
        pair.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal(3, dataTsns.Distinct().Count(t => t != dataTsns[^1]));
        uint lastFragment = dataTsns[2];
        Assert.NotEmpty(forwards);
        Assert.Equal(lastFragment, forwards[0]);
        Assert.Equal(Convert.ToHexString(Bytes(100, 2)), Convert.ToHexString(Assert.Single(Messages(pair.EventsB)).Data));
    }

    private static bool HasDataChunk(byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p) != SctpParseStatus.Ok)
        {
            return false;
        }

        foreach (SctpChunk c in p.Chunks)
        {
            if (c.Type == SctpChunkType.Data)
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void PartialReliability_MaxRetransmitsZero_DropsLostMessages_AndTheStreamGoesOn()
    {
        var pair = new SctpPair(seed: 9) { Loss = 0.2 };
        pair.Connect();
        pair.Loss = 0.2;
        for (int i = 0; i < 200; i++)
        {
            pair.A.Send(2, 53, Bytes(2000, i), pair.Now, new SctpSendOptions(MaxRetransmits: 0));
        }

        pair.Drain();
        pair.RunUntil(() => pair.A.BufferedAmount == 0, TimeSpan.FromMinutes(10));
        pair.Loss = 0;
        pair.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(0, pair.A.BufferedAmount);
        int delivered = Messages(pair.EventsB).Count;
        Assert.True(pair.A.Statistics.MessagesAbandoned > 0);
        // A message whose SACK was lost is abandoned by the sender although it arrived: delivered + abandoned
        // covers every message at least once.
        Assert.True(delivered + pair.A.Statistics.MessagesAbandoned >= 200);
        Assert.True(delivered < 200);
        Assert.True(pair.A.Statistics.ForwardTsnsSent > 0);
        // RFC 3758 with max-retransmits 0: nothing is ever retransmitted; what arrives arrives once and in order.
        Assert.Equal(0, pair.A.Statistics.Retransmissions);
        var sentOrder = Enumerable.Range(0, 200).Select(i => Convert.ToHexString(Bytes(2000, i))).ToList();
        List<int> positions = Messages(pair.EventsB).Select(e => sentOrder.IndexOf(Convert.ToHexString(e.Data))).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order().Distinct().ToList(), positions);
        // After the losses a reliable message still goes through on the same stream.
        pair.A.Send(2, 53, Bytes(10, 999), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == delivered + 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(Bytes(10, 999), Messages(pair.EventsB)[^1].Data);
    }

    [Fact]
    public void PartialReliability_Lifetime_ExpiresMessagesThatCannotBeDelivered()
    {
        var pair = new SctpPair();
        pair.Connect();
        pair.Drop = (toB, p) => toB && p[12] == (byte)SctpChunkType.Data;
        pair.A.Send(0, 53, Bytes(3000, 1), pair.Now, new SctpSendOptions(Lifetime: TimeSpan.FromMilliseconds(500)));
        pair.A.Send(0, 53, Bytes(3000, 2), pair.Now, new SctpSendOptions(Lifetime: TimeSpan.FromMilliseconds(500)));
        pair.Drain();
        pair.RunFor(TimeSpan.FromSeconds(3));
        pair.Drop = null;
        pair.A.Send(0, 53, Bytes(10, 3), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(Bytes(10, 3), Messages(pair.EventsB)[0].Data);
        Assert.Equal(2, pair.A.Statistics.MessagesAbandoned);
        Assert.True(pair.RunUntil(() => pair.A.BufferedAmount == 0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void ExpiredMessageNeverSent_TakesNoStreamSequenceNumber()
    {
        var pair = new SctpPair();
        pair.Connect();
        // Fill the window so the next message waits in the queue past its lifetime.
        pair.Drop = (toB, p) => toB && p[12] == (byte)SctpChunkType.Data;
        for (int i = 0; i < 10; i++)
        {
            pair.A.Send(0, 53, Bytes(1100, i), pair.Now, new SctpSendOptions(MaxRetransmits: 0));
        }

        pair.A.Send(1, 53, Bytes(10, 50), pair.Now, new SctpSendOptions(Lifetime: TimeSpan.FromMilliseconds(1)));
        pair.Drain();
        pair.RunFor(TimeSpan.FromSeconds(3));
        pair.Drop = null;
        pair.A.Send(1, 53, Bytes(10, 51), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Any(e => e.StreamId == 1), TimeSpan.FromSeconds(30)));
        Assert.Equal(Bytes(10, 51), Messages(pair.EventsB).Single(e => e.StreamId == 1).Data);
    }

    [Fact]
    public void StreamReset_ResetsSequenceNumbersOnBothSides()
    {
        var pair = new SctpPair();
        pair.Connect();
        for (int i = 0; i < 5; i++)
        {
            pair.A.Send(4, 51, Bytes(100, i), pair.Now);
        }

        pair.A.ResetStreams([4], pair.Now);
        Assert.Throws<InvalidOperationException>(() => pair.A.Send(4, 51, Bytes(1, 1), pair.Now));
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsA.OfType<SctpStreamsResetEvent>().Any(), TimeSpan.FromSeconds(10)));
        SctpStreamsResetEvent outgoing = pair.EventsA.OfType<SctpStreamsResetEvent>().Single();
        Assert.False(outgoing.Incoming);
        Assert.Equal(ReconfigResult.SuccessPerformed, outgoing.Result);
        Assert.Equal(new ushort[] { 4 }, outgoing.Streams);
        SctpStreamsResetEvent incoming = pair.EventsB.OfType<SctpStreamsResetEvent>().Single();
        Assert.True(incoming.Incoming);
        Assert.Equal(5, Messages(pair.EventsB).Count);
        // The reset event comes after the last message sent before the reset (RFC 6525 §5.2.2).
        Assert.IsType<SctpStreamsResetEvent>(pair.EventsB.Where(e => e is SctpMessageEvent or SctpStreamsResetEvent).Last());

        // The stream starts again at SSN 0 and still delivers in order.
        pair.A.Send(4, 51, Bytes(100, 10), pair.Now);
        pair.A.Send(4, 51, Bytes(100, 11), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 7, TimeSpan.FromSeconds(10)));
        Assert.Equal(Bytes(100, 11), Messages(pair.EventsB)[^1].Data);
    }

    [Fact]
    public void StreamReset_UnderLoss_StillCompletes()
    {
        var pair = new SctpPair(seed: 4) { Loss = 0.3 };
        pair.Connect();
        for (int i = 0; i < 20; i++)
        {
            pair.A.Send(6, 51, Bytes(3000, i), pair.Now);
        }

        pair.A.ResetStreams([6], pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsA.OfType<SctpStreamsResetEvent>().Any(), TimeSpan.FromMinutes(5)));
        Assert.Equal(20, Messages(pair.EventsB).Count);
        Assert.Single(pair.EventsB.OfType<SctpStreamsResetEvent>());
    }

    [Fact]
    public void Shutdown_DeliversOutstandingDataThenCloses()
    {
        var pair = new SctpPair(seed: 2) { Loss = 0.05 };
        pair.Connect();
        for (int i = 0; i < 30; i++)
        {
            pair.A.Send(0, 53, Bytes(5000, i), pair.Now);
        }

        pair.A.Shutdown(pair.Now);
        Assert.Throws<InvalidOperationException>(() => pair.A.Send(0, 53, Bytes(1, 1), pair.Now));
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsA.OfType<SctpClosedEvent>().Any() && pair.EventsB.OfType<SctpClosedEvent>().Any(), TimeSpan.FromMinutes(5)));
        Assert.Equal(30, Messages(pair.EventsB).Count);
        Assert.Equal(SctpCloseReason.Shutdown, pair.EventsA.OfType<SctpClosedEvent>().Single().Reason);
        Assert.Equal(SctpCloseReason.Shutdown, pair.EventsB.OfType<SctpClosedEvent>().Single().Reason);
        Assert.Equal(SctpAssociationState.Closed, pair.A.State);
        Assert.Null(pair.A.PollTimeout());
        Assert.Null(pair.B.PollTimeout());
    }

    [Fact]
    public void Abort_ClosesBothSidesAndCarriesTheReason()
    {
        var pair = new SctpPair();
        pair.Connect();
        pair.A.Abort("bye now", pair.Now);
        pair.Drain();
        pair.RunUntil(() => pair.EventsB.OfType<SctpClosedEvent>().Any(), TimeSpan.FromSeconds(5));
        Assert.Equal(SctpCloseReason.AbortedLocally, pair.EventsA.OfType<SctpClosedEvent>().Single().Reason);
        SctpClosedEvent b = pair.EventsB.OfType<SctpClosedEvent>().Single();
        Assert.Equal(SctpCloseReason.AbortedByPeer, b.Reason);
        Assert.Contains("bye now", b.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AbortWithWrongTag_IsIgnored()
    {
        var pair = new SctpPair();
        pair.Connect();
        byte[] abort = new byte[16];
        var w = new SctpPacketWriter(abort, 5000, 5000, 0xDEADBEEF);
        w.TryWriteChunk(SctpChunkType.Abort, 0, default);
        pair.Deliver(toB: true, abort[..w.Finish()]);
        Assert.Equal(SctpAssociationState.Established, pair.B.State);
    }

    [Fact]
    public void DeadPeer_FailsAfterAssociationMaxRetrans()
    {
        var pair = new SctpPair();
        pair.Connect();
        pair.Drop = (toB, p) => true;
        pair.A.Send(0, 53, Bytes(10, 1), pair.Now);
        pair.Drain();
        pair.RunUntil(() => pair.EventsA.OfType<SctpClosedEvent>().Any(), TimeSpan.FromHours(1));
        Assert.Equal(SctpCloseReason.Failed, pair.EventsA.OfType<SctpClosedEvent>().Single().Reason);
        Assert.Equal(11, pair.A.Statistics.T3Expirations);
    }

    [Fact]
    public void IdleAssociation_SendsHeartbeats_AndMeasuresRtt()
    {
        var pair = new SctpPair();
        pair.Connect();
        pair.RunFor(TimeSpan.FromMinutes(2));
        Assert.True(pair.A.Statistics.HeartbeatsSent >= 2);
        Assert.NotNull(pair.A.Rto.SmoothedRtt);
        Assert.Equal(TimeSpan.FromMilliseconds(50), pair.A.Rto.SmoothedRtt);
        Assert.Equal(SctpAssociationState.Established, pair.A.State);
    }

    [Fact]
    public void DelayedSack_OnePacketIsAcknowledgedAfterTheDelay()
    {
        var pair = new SctpPair();
        pair.Connect();
        TimeSpan? sackAt = null;
        TimeSpan sentAt = pair.Now;
        pair.Sent = (toB, p, t) =>
        {
            if (!toB && sackAt is null && SctpPacket.TryParse(p, out SctpPacket packet) == SctpParseStatus.Ok)
            {
                foreach (SctpChunk c in packet.Chunks)
                {
                    if (c.Type == SctpChunkType.Sack)
                    {
                        sackAt = t;
                    }
                }
            }
        };
        pair.A.Send(0, 53, Bytes(100, 1), pair.Now);
        pair.Drain();
        pair.RunUntil(() => sackAt is not null, TimeSpan.FromSeconds(5));
        // RFC 9260 §6.2: one packet with DATA is acknowledged within the delayed-ack time (200 ms), not at once.
        Assert.Equal(sentAt + pair.Delay + TimeSpan.FromMilliseconds(200), sackAt);
    }

    [Fact]
    public void SendRejectsEmptyAndOversizedMessages()
    {
        var pair = new SctpPair();
        pair.Connect();
        Assert.Throws<ArgumentOutOfRangeException>(() => pair.A.Send(0, 53, default, pair.Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => pair.A.Send(0, 53, new byte[(256 * 1024) + 1], pair.Now));
    }

    [Fact]
    public void EveryPacketFitsTheConfiguredSize()
    {
        foreach (int mtu in new[] { 300, 1200, 1400 })
        {
            var pair = new SctpPair(seed: mtu,
                a: new SctpAssociationOptions { Random = new Random(1), MaxPacketSize = mtu },
                b: new SctpAssociationOptions { Random = new Random(2), MaxPacketSize = mtu }) { Loss = 0.05 };
            int max = 0;
            pair.Sent = (toB, p, t) => max = Math.Max(max, p.Length);
            pair.Connect();
            pair.A.Send(0, 53, Bytes(100_000, 1), pair.Now);
            pair.B.Send(0, 53, Bytes(50_000, 2), pair.Now);
            pair.Drain();
            Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 1 && Messages(pair.EventsA).Count == 1, TimeSpan.FromMinutes(5)));
            Assert.True(max <= mtu, $"{max} > {mtu}");
            Assert.Equal(Bytes(100_000, 1), Messages(pair.EventsB)[0].Data);
        }
    }

    [Fact]
    public void Sack_ReportsGapBlocksAndDuplicateTsns()
    {
        var pair = new SctpPair();
        pair.Connect();
        byte[]? firstData = null;
        pair.Drop = (toB, p) =>
        {
            if (toB && p[12] == (byte)SctpChunkType.Data)
            {
                firstData ??= p;
                return true;
            }

            return false;
        };
        pair.A.Send(0, 53, Bytes(10, 1), pair.Now);
        pair.Drain();
        Assert.NotNull(firstData);
        pair.Drop = (toB, p) => toB;
        uint tag = BinaryPrimitives.ReadUInt32BigEndian(firstData.AsSpan(4));
        uint t0 = BinaryPrimitives.ReadUInt32BigEndian(firstData.AsSpan(16));
        var sacks = new List<(uint Cum, (ushort, ushort)[] Gaps, uint[] Dups)>();
        pair.Sent = (toB, p, t) =>
        {
            if (!toB && SctpPacket.TryParse(p, out SctpPacket packet) == SctpParseStatus.Ok)
            {
                foreach (SctpChunk c in packet.Chunks)
                {
                    if (SackChunk.TryParse(c, out SackChunk s))
                    {
                        var gaps = new (ushort, ushort)[s.GapBlockCount];
                        for (int i = 0; i < gaps.Length; i++)
                        {
                            gaps[i] = s.GetGapBlock(i);
                        }

                        uint[] dups = new uint[s.DuplicateCount];
                        for (int i = 0; i < dups.Length; i++)
                        {
                            dups[i] = s.GetDuplicate(i);
                        }

                        sacks.Add((s.CumulativeTsnAck, gaps, dups));
                    }
                }
            }
        };

        byte[] Data(uint tsn, ushort ssn)
        {
            byte[] b = new byte[64];
            var w = new SctpPacketWriter(b, 5000, 5000, tag);
            w.TryWriteData(DataChunk.BeginningFlag | DataChunk.EndingFlag, tsn, 0, ssn, 53, [1, 2, 3]);
            return b[..w.Finish()];
        }

        pair.Deliver(toB: true, Data(t0, 0));
        Assert.Empty(sacks); // one packet: the SACK waits for the delayed-ack timer (RFC 9260 §6.2)
        pair.Deliver(toB: true, Data(t0 + 2, 2));
        pair.Deliver(toB: true, Data(t0 + 3, 3));
        pair.Deliver(toB: true, Data(t0 + 3, 3));
        // §6.7: out-of-order data is acknowledged at once with a gap block (offsets from the cumulative ack).
        Assert.Contains(sacks, s => s.Cum == t0 && s.Gaps.SequenceEqual(new (ushort, ushort)[] { (2, 2) }) && s.Dups.Length == 0);
        // §6.2: the duplicate is reported in the next SACK, sent at once.
        (uint cum, (ushort, ushort)[] gaps, uint[] dups) = sacks[^1];
        Assert.Equal(t0, cum);
        Assert.Equal(new (ushort, ushort)[] { (2, 3) }, gaps);
        Assert.Equal(new[] { t0 + 3 }, dups);
        // Filling the hole is acknowledged at once too.
        pair.Deliver(toB: true, Data(t0 + 1, 1));
        Assert.Equal(t0 + 3, sacks[^1].Cum);
        Assert.Empty(sacks[^1].Gaps);
        Assert.Equal(4, pair.EventsB.OfType<SctpMessageEvent>().Count());
    }
}
