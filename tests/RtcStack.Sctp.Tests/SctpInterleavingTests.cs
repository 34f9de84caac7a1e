using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Sctp.Packets;
using Xunit;
using Xunit.Abstractions;
using static RtcStack.Sctp.Tests.SctpAssociationTests;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// User message interleaving (RFC 8260 §2: I-DATA, I-FORWARD-TSN) and the stream schedulers (§3) of
/// <see cref="SctpAssociation"/>, between two associations in virtual time and with hand-built chunks.
/// </summary>
public class SctpInterleavingTests
{
    private const uint Ppid = 53;

    private readonly ITestOutputHelper _output;

    public SctpInterleavingTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    /// <summary>The chunk types in a packet.</summary>
    private static List<SctpChunkType> ChunkTypes(byte[] packet)
    {
        var types = new List<SctpChunkType>();
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) == SctpParseStatus.Ok)
        {
            foreach (SctpChunk c in p.Chunks)
            {
                types.Add(c.Type);
            }
        }

        return types;
    }

    private static byte[] SupportedExtensions(byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) == SctpParseStatus.Ok)
        {
            foreach (SctpChunk c in p.Chunks)
            {
                if (InitChunk.TryParse(c, out InitChunk init)
                    && SctpParameterEnumerator.TryFind(init.Parameters, (ushort)SctpParameterType.SupportedExtensions, out ReadOnlySpan<byte> list))
                {
                    return list.ToArray();
                }
            }
        }

        return [];
    }

    /// <summary>The I-DATA chunks of a packet: (TSN, stream, MID, PPID-or-FSN, flags, user data length).</summary>
    private static List<(uint Tsn, ushort Sid, uint Mid, uint PpidOrFsn, byte Flags, int Length)> IDataChunks(byte[] packet)
    {
        var list = new List<(uint, ushort, uint, uint, byte, int)>();
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) == SctpParseStatus.Ok)
        {
            foreach (SctpChunk c in p.Chunks)
            {
                if (IDataChunk.TryParse(c, out IDataChunk d))
                {
                    list.Add((d.Tsn, d.StreamId, d.MessageId, d.PpidOrFsn, d.Flags, d.UserData.Length));
                }
            }
        }

        return list;
    }

    private static SctpAssociationOptions Options(int seed, bool interleaving = true, SctpStreamSchedulerKind scheduler = SctpStreamSchedulerKind.RoundRobin,
        int maxMessage = 256 * 1024) => new()
    {
        Random = new Random(seed),
        EnableMessageInterleaving = interleaving,
        StreamScheduler = scheduler,
        MaxMessageSize = maxMessage,
        ReceiveBufferSize = Math.Max(1024 * 1024, 2 * maxMessage),
    };

    /// <summary>
    /// RFC 8260 §2.2.1: I-DATA support is announced in the Supported Extensions parameter (RFC 5061 §4.2.7) together
    /// with I-FORWARD-TSN (§2.3.1); interleaving is used only when both sides list I-DATA, and then only I-DATA crosses;
    /// otherwise only DATA. RFC 8831 §6.1: on by default.
    /// </summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Negotiation_IDataOnlyWhenBothSidesListIt(bool aOffers, bool bOffers)
    {
        Assert.True(new SctpAssociationOptions().EnableMessageInterleaving);
        var pair = new SctpPair(seed: 3, a: Options(31, aOffers), b: Options(32, bOffers));
        var inits = new List<(bool ToB, byte[] Extensions)>();
        var types = new HashSet<SctpChunkType>();
        pair.Sent = (toB, p, _) =>
        {
            List<SctpChunkType> t = ChunkTypes(p);
            if (t.Contains(SctpChunkType.Init) || t.Contains(SctpChunkType.InitAck))
            {
                inits.Add((toB, SupportedExtensions(p)));
            }

            types.UnionWith(t);
        };
        Assert.Equal(SctpPeerFeatures.None, pair.A.PeerFeatures);
        pair.Connect();
        Assert.NotEmpty(inits);

        // PeerFeatures says what the other side listed, whether or not interleaving ends up in use.
        const SctpPeerFeatures interleavingPair = SctpPeerFeatures.IData | SctpPeerFeatures.IForwardTsn;
        const SctpPeerFeatures always = SctpPeerFeatures.ForwardTsn | SctpPeerFeatures.ReConfig;
        Assert.Equal(always | (bOffers ? interleavingPair : 0), pair.A.PeerFeatures & (always | interleavingPair));
        Assert.Equal(always | (aOffers ? interleavingPair : 0), pair.B.PeerFeatures & (always | interleavingPair));
        foreach ((bool toB, byte[] ext) in inits)
        {
            bool offers = toB ? aOffers : bOffers;
            Assert.Equal(offers, ext.Contains((byte)SctpChunkType.IData));
            Assert.Equal(offers, ext.Contains((byte)SctpChunkType.IForwardTsn));
            Assert.Contains((byte)SctpChunkType.ForwardTsn, ext);
            Assert.Contains((byte)SctpChunkType.ReConfig, ext);
        }

        bool expected = aOffers && bOffers;
        Assert.Equal(expected, pair.A.MessageInterleaving);
        Assert.Equal(expected, pair.B.MessageInterleaving);
        Assert.True(pair.A.PeerSupportsPartialReliability);
        pair.A.Send(1, Ppid, Bytes(5000, 1), pair.Now);
        pair.B.Send(2, Ppid, Bytes(10, 2), pair.Now, new SctpSendOptions(Unordered: true));
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsA).Count == 1 && Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(Bytes(5000, 1), Messages(pair.EventsB)[0].Data);
        Assert.Equal(Bytes(10, 2), Messages(pair.EventsA)[0].Data);
        Assert.True(Messages(pair.EventsA)[0].Unordered);
        Assert.Equal(expected, types.Contains(SctpChunkType.IData));
        Assert.Equal(!expected, types.Contains(SctpChunkType.Data));
    }

    /// <summary>
    /// RFC 8260 §2.1 on the wire: the MID counts per stream, ordered and unordered messages each with their own
    /// counter from 0; the FSN counts the fragments of a message from 0 (the first carries the PPID instead, only
    /// there); B on the first fragment, E on the last, U on every fragment of an unordered message; the TSN still
    /// increases by one per chunk.
    /// </summary>
    [Fact]
    public void IData_MidPerStreamAndOrdering_FsnFromZero_PpidOnlyInTheFirstFragment()
    {
        var pair = new SctpPair(seed: 4, interleaving: true);
        pair.Connect();
        var chunks = new List<(uint Tsn, ushort Sid, uint Mid, uint PpidOrFsn, byte Flags, int Length)>();
        pair.Sent = (toB, p, _) =>
        {
            if (toB)
            {
                chunks.AddRange(IDataChunks(p));
            }
        };
        pair.A.Send(1, 51, Bytes(3000, 1), pair.Now); // ordered MID 0 on stream 1, three fragments
        pair.A.Send(1, 52, Bytes(10, 2), pair.Now, new SctpSendOptions(Unordered: true)); // unordered MID 0 on stream 1
        pair.A.Send(1, 53, Bytes(20, 3), pair.Now); // ordered MID 1
        pair.A.Send(1, 54, Bytes(30, 4), pair.Now, new SctpSendOptions(Unordered: true)); // unordered MID 1
        pair.A.Send(2, 55, Bytes(40, 5), pair.Now); // ordered MID 0 on stream 2
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 5, TimeSpan.FromSeconds(10)));

        Assert.Equal(7, chunks.Count);
        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.Equal(chunks[0].Tsn + (uint)i, chunks[i].Tsn);
        }

        var big = chunks.Where(c => c.Sid == 1 && (c.Flags & DataChunk.UnorderedFlag) == 0 && c.Mid == 0).ToList();
        Assert.Equal(3, big.Count);
        Assert.Equal((byte)DataChunk.BeginningFlag, big[0].Flags);
        Assert.Equal(51u, big[0].PpidOrFsn);
        Assert.Equal((byte)0, big[1].Flags);
        Assert.Equal(1u, big[1].PpidOrFsn);
        Assert.Equal((byte)DataChunk.EndingFlag, big[2].Flags);
        Assert.Equal(2u, big[2].PpidOrFsn);
        Assert.Equal(3000, big.Sum(c => c.Length));
        Assert.Equal(1200 - 12 - IDataChunk.HeaderLength, big[0].Length);

        byte whole = DataChunk.BeginningFlag | DataChunk.EndingFlag;
        Assert.Contains(((ushort)1, 0u, 52u, (byte)(whole | DataChunk.UnorderedFlag)), chunks.Select(c => (c.Sid, c.Mid, c.PpidOrFsn, c.Flags)));
        Assert.Contains(((ushort)1, 1u, 53u, (byte)whole), chunks.Select(c => (c.Sid, c.Mid, c.PpidOrFsn, c.Flags)));
        Assert.Contains(((ushort)1, 1u, 54u, (byte)(whole | DataChunk.UnorderedFlag)), chunks.Select(c => (c.Sid, c.Mid, c.PpidOrFsn, c.Flags)));
        Assert.Contains(((ushort)2, 0u, 55u, (byte)whole), chunks.Select(c => (c.Sid, c.Mid, c.PpidOrFsn, c.Flags)));

        List<SctpMessageEvent> got = Messages(pair.EventsB);
        Assert.Equal([51u, 53u], got.Where(m => m.StreamId == 1 && !m.Unordered).Select(m => m.PayloadProtocol));
        Assert.Equal(Bytes(3000, 1), got.Single(m => m.PayloadProtocol == 51).Data);
        Assert.Equal(55u, got.Single(m => m.StreamId == 2).PayloadProtocol);
    }

    /// <summary>
    /// The point of RFC 8260: a 1 MiB message on stream 1 sent first, then ten small messages on stream 2. With I-DATA
    /// and the round-robin scheduler every small message is delivered while the large one is still incomplete; with
    /// DATA (interleaving off on one side) the small ones wait behind the whole large message (the head-of-line blocking
    /// RFC 8260 §1 describes), which shows the test can tell the two apart.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LargeMessage_DoesNotBlockSmallOnesOnAnotherStream_OnlyWithIData(bool interleaving)
    {
        int large = 1024 * 1024;
        var pair = new SctpPair(seed: 5, a: Options(51, interleaving: true, maxMessage: large), b: Options(52, interleaving, maxMessage: large));
        pair.Connect();
        byte[] big = Bytes(large, 1);
        pair.A.Send(1, Ppid, big, pair.Now);
        for (int i = 0; i < 10; i++)
        {
            pair.A.Send(2, 51, [(byte)i], pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 11, TimeSpan.FromMinutes(2)));
        List<SctpMessageEvent> got = Messages(pair.EventsB);
        int bigAt = got.FindIndex(m => m.StreamId == 1);
        Assert.Equal(Hash(big), Hash(got[bigAt].Data));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), got.Where(m => m.StreamId == 2).Select(m => m.Data[0]));
        Assert.Equal(interleaving ? 10 : 0, bigAt);
        Assert.Equal(interleaving, pair.A.MessageInterleaving);
        Assert.Equal(0, pair.B.ReceiveBufferedBytes);
    }

    /// <summary>
    /// Reassembly under I-DATA by (stream, U, MID) and FSN, with loss, reordering and duplication of whole packets:
    /// 200 messages up to 64 KiB on three ordered streams and one unordered, both directions at once; every message
    /// arrives once, intact, in MID order on each ordered stream, and nothing is left buffered.
    /// </summary>
    [Theory]
    [InlineData(0.05, 0.2, 0.05, 61)]
    [InlineData(0.15, 0.1, 0.0, 62)]
    public void Reassembly_WithLossReorderingAndDuplication_DeliversEveryMessageOnceInOrder(double loss, double reorder, double duplicate, int seed)
    {
        var pair = new SctpPair(seed, interleaving: true) { Loss = loss, Reorder = reorder, Duplicate = duplicate };
        pair.Connect();
        var random = new Random(seed);
        var sent = new Dictionary<(bool FromA, ushort Sid), List<string>>();
        for (int i = 0; i < 200; i++)
        {
            byte[] m = Bytes(random.Next(1, 64 * 1024), seed * 1000 + i);
            ushort sid = (ushort)random.Next(4);
            bool fromA = i % 3 != 0;
            (sent.TryGetValue((fromA, sid), out List<string>? l) ? l : sent[(fromA, sid)] = new List<string>()).Add(Hash(m));
            (fromA ? pair.A : pair.B).Send(sid, Ppid, m, pair.Now, new SctpSendOptions(Unordered: sid == 3));
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsA).Count + Messages(pair.EventsB).Count == 200, TimeSpan.FromHours(1)));
        foreach (((bool fromA, ushort sid), List<string> hashes) in sent)
        {
            List<string> got = Messages(fromA ? pair.EventsB : pair.EventsA).Where(m => m.StreamId == sid).Select(m => Hash(m.Data)).ToList();
            if (sid == 3)
            {
                Assert.Equal(hashes.Order(), got.Order());
            }
            else
            {
                Assert.Equal(hashes, got);
            }
        }

        Assert.True(pair.RunUntil(() => pair.A.BufferedAmount == 0 && pair.B.BufferedAmount == 0, TimeSpan.FromMinutes(1)));
        Assert.Equal(0, pair.A.ReceiveBufferedBytes);
        Assert.Equal(0, pair.B.ReceiveBufferedBytes);
        Assert.True(pair.A.Statistics.Retransmissions + pair.B.Statistics.Retransmissions > 0);
        _output.WriteLine($"{pair.Now} virtual; retransmissions {pair.A.Statistics.Retransmissions + pair.B.Statistics.Retransmissions}, duplicate TSNs {pair.A.Statistics.DuplicateTsnsReceived + pair.B.Statistics.DuplicateTsnsReceived}");
    }

    /// <summary>
    /// RFC 8260 §2.3.1 with partial reliability: the middle fragment of a max-retransmits-0 message is lost, so the
    /// sender abandons the message and sends I-FORWARD-TSN (never FORWARD TSN) naming (stream, U, MID); the receiver
    /// drops the partial message (its buffer empties), and the stream goes on: a reliable message after it arrives.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IForwardTsn_AbandonedMessage_IsNamedByStreamAndMid_AndTheReceiverDropsItsFragments(bool unordered)
    {
        var pair = new SctpPair(seed: 7, interleaving: true);
        pair.Connect();
        var forwards = new List<(uint Cum, (ushort, bool, uint)[] Entries)>();
        bool sawForwardTsn = false;
        int dataPackets = 0;
        pair.Sent = (toB, bytes, _) =>
        {
            if (!toB || SctpPacket.TryParse(bytes, out SctpPacket p) != SctpParseStatus.Ok)
            {
                return;
            }

            foreach (SctpChunk c in p.Chunks)
            {
                sawForwardTsn |= c.Type == SctpChunkType.ForwardTsn;
                if (IForwardTsnChunk.TryParse(c, out IForwardTsnChunk f))
                {
                    var entries = new (ushort, bool, uint)[f.EntryCount];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        entries[i] = f.GetEntry(i);
                    }

                    forwards.Add((f.NewCumulativeTsn, entries));
                }
            }
        };
        pair.Drop = (toB, bytes) => toB && ChunkTypes(bytes).Contains(SctpChunkType.IData) && ++dataPackets == 2;
        pair.A.Send(4, Ppid, Bytes(5000, 1), pair.Now, new SctpSendOptions(Unordered: unordered, MaxRetransmits: 0));
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.B.ReceiveBufferedBytes > 0, TimeSpan.FromSeconds(1)), "the fragments around the lost one wait for it");
        pair.RunUntil(() => pair.A.BufferedAmount == 0 && pair.A.FlightSize == 0 && forwards.Count > 0, TimeSpan.FromSeconds(30));
        pair.Drop = null;
        pair.A.Send(4, Ppid, Bytes(100, 2), pair.Now, new SctpSendOptions(Unordered: unordered));
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 1 && pair.A.FlightSize == 0, TimeSpan.FromSeconds(30)));
        pair.RunFor(TimeSpan.FromSeconds(1));

        Assert.False(sawForwardTsn);
        Assert.NotEmpty(forwards);
        Assert.Equal(((ushort)4, unordered, 0u), Assert.Single(forwards[0].Entries));
        Assert.Equal(Bytes(100, 2), Assert.Single(Messages(pair.EventsB)).Data);
        Assert.Equal(0, pair.B.ReceiveBufferedBytes);
        Assert.Equal(1, pair.A.Statistics.MessagesAbandoned);
    }

    /// <summary>
    /// Partial reliability under I-DATA with random loss: 200 max-retransmits-0 messages of 1 to 3 fragments on an
    /// ordered and an unordered stream under 15 % loss. What arrives is intact, once, in order on the ordered stream;
    /// I-FORWARD-TSN moves the receiver on; a reliable message on each stream still arrives; nothing stays buffered.
    /// </summary>
    [Fact]
    public void PartialReliability_WithRandomLoss_UnderIData()
    {
        var pair = new SctpPair(seed: 8, interleaving: true) { Loss = 0.15 };
        pair.Connect();
        var sent = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            byte[] m = Bytes(1 + ((i * 997) % 3000), 800 + i);
            sent.Add(Hash(m));
            pair.A.Send((ushort)(1 + (i % 2)), Ppid, m, pair.Now, new SctpSendOptions(Unordered: i % 2 == 1, MaxRetransmits: 0));
        }

        pair.Drain();
        pair.RunUntil(() => pair.A.BufferedAmount == 0, TimeSpan.FromMinutes(5));
        pair.Loss = 0;
        pair.A.Send(1, 51, "end1"u8, pair.Now);
        pair.A.Send(2, 51, "end2"u8, pair.Now, new SctpSendOptions(Unordered: true));
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count(m => m.PayloadProtocol == 51) == 2 && pair.A.FlightSize == 0, TimeSpan.FromSeconds(30)));
        pair.RunFor(TimeSpan.FromSeconds(2));
        List<SctpMessageEvent> got = Messages(pair.EventsB).Where(m => m.PayloadProtocol == Ppid).ToList();
        List<int> ordered = got.Where(m => m.StreamId == 1).Select(m => sent.IndexOf(Hash(m.Data))).ToList();
        Assert.DoesNotContain(-1, ordered);
        Assert.Equal(ordered.Order().Distinct(), ordered);
        Assert.All(got.Where(m => m.StreamId == 2), m => Assert.Contains(Hash(m.Data), sent));
        Assert.Equal(got.Count, got.Select(m => Hash(m.Data)).Distinct().Count());
        Assert.InRange(got.Count, 1, 199);
        Assert.Equal("end1", System.Text.Encoding.ASCII.GetString(Messages(pair.EventsB).Last(m => m.StreamId == 1).Data));
        Assert.True(pair.A.Statistics.ForwardTsnsSent > 0);
        Assert.Equal(0, pair.A.Statistics.Retransmissions);
        Assert.Equal(0, pair.B.ReceiveBufferedBytes);
        _output.WriteLine($"delivered {got.Count} of 200; abandoned {pair.A.Statistics.MessagesAbandoned}; I-FORWARD-TSN {pair.A.Statistics.ForwardTsnsSent}");
    }

    /// <summary>
    /// Stream reset (RFC 6525) under I-DATA: after the reset the sender's ordered and unordered MIDs on the stream start
    /// again at 0, and the receiver delivers the new MID 0 as the stream's next message.
    /// </summary>
    [Fact]
    public void StreamReset_StartsTheMidsAgainAtZero()
    {
        var pair = new SctpPair(seed: 9, interleaving: true);
        pair.Connect();
        var mids = new List<(ushort Sid, bool Unordered, uint Mid)>();
        pair.Sent = (toB, p, _) =>
        {
            if (toB)
            {
                mids.AddRange(IDataChunks(p).Select(c => (c.Sid, (c.Flags & DataChunk.UnorderedFlag) != 0, c.Mid)));
            }
        };
        for (int i = 0; i < 3; i++)
        {
            pair.A.Send(2, Ppid, [(byte)i], pair.Now);
            pair.A.Send(2, Ppid, [(byte)(10 + i)], pair.Now, new SctpSendOptions(Unordered: true));
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 6, TimeSpan.FromSeconds(10)));
        pair.A.ResetStreams([2], pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsA.OfType<SctpStreamsResetEvent>().Any(), TimeSpan.FromSeconds(10)));
        Assert.Equal(ReconfigResult.SuccessPerformed, pair.EventsA.OfType<SctpStreamsResetEvent>().Single().Result);
        mids.Clear();
        pair.A.Send(2, Ppid, [42], pair.Now);
        pair.A.Send(2, Ppid, [43], pair.Now, new SctpSendOptions(Unordered: true));
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 8, TimeSpan.FromSeconds(10)));
        Assert.Equal([((ushort)2, false, 0u), ((ushort)2, true, 0u)], mids.Order());
        Assert.Equal([0, 1, 2, 42], Messages(pair.EventsB).Where(m => !m.Unordered).Select(m => (int)m.Data[0]));
    }

    /// <summary>
    /// The priority scheduler (RFC 8260 §3.4, strict): a 200 KB message on a priority-128 stream is sent first, then one
    /// on a priority-1024 stream; under I-DATA the high-priority message takes every fragment slot once queued and
    /// completes first. The round-robin scheduler (§3.2) alternates fragments instead, so the first-sent message
    /// completes first there.
    /// </summary>
    [Theory]
    [InlineData(SctpStreamSchedulerKind.Priority)]
    [InlineData(SctpStreamSchedulerKind.RoundRobin)]
    public void Scheduler_PriorityServesTheHigherStreamFirst_RoundRobinAlternates(SctpStreamSchedulerKind kind)
    {
        var pair = new SctpPair(seed: 10, a: Options(101, scheduler: kind), b: Options(102));
        pair.Connect();
        pair.A.SetStreamPriority(1, 128);
        pair.A.SetStreamPriority(2, 1024);
        Assert.Equal((ushort)1024, pair.A.GetStreamPriority(2));
        Assert.Equal((ushort)256, pair.A.GetStreamPriority(3));
        var order = new List<ushort>();
        pair.Sent = (toB, p, _) =>
        {
            if (toB)
            {
                order.AddRange(IDataChunks(p).Select(c => c.Sid));
            }
        };

        // Queue both before the association may send (a full window holds stream 1's head start to the first flush).
        pair.A.Send(1, Ppid, Bytes(200_000, 1), pair.Now);
        pair.A.Send(2, Ppid, Bytes(200_000, 2), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 2, TimeSpan.FromMinutes(1)));
        List<ushort> completed = Messages(pair.EventsB).Select(m => m.StreamId).ToList();
        int firstOfStream2 = order.IndexOf(2);
        int lastOfStream2 = order.LastIndexOf(2);
        int stream1DuringStream2 = order.Skip(firstOfStream2).Take(lastOfStream2 - firstOfStream2).Count(s => s == 1);
        _output.WriteLine($"{kind}: completion order {string.Join(",", completed)}; stream 1 fragments while stream 2 was sending {stream1DuringStream2}");
        if (kind == SctpStreamSchedulerKind.Priority)
        {
            Assert.Equal([(ushort)2, (ushort)1], completed);
            Assert.Equal(0, stream1DuringStream2);
        }
        else
        {
            Assert.Equal([(ushort)1, (ushort)2], completed);
            Assert.True(stream1DuringStream2 > 100, $"only {stream1DuringStream2} fragments of stream 1 between stream 2's");
        }
    }

    /// <summary>Hand-built chunks into B of an established pair (B's answers are dropped so A never sees them).</summary>
    private sealed class Injector
    {
        private readonly SctpPair _pair;
        private readonly uint _tag;
        private uint _nextTsn;

        public Injector(bool interleaving, int seed = 11)
        {
            _pair = new SctpPair(seed, interleaving: interleaving);
            uint? tag = null;
            uint? tsn = null;
            _pair.Sent = (toB, p, _) =>
            {
                if (!toB || SctpPacket.TryParse(p, out SctpPacket packet, verifyChecksum: false) != SctpParseStatus.Ok)
                {
                    return;
                }

                if (packet.VerificationTag != 0)
                {
                    tag ??= packet.VerificationTag;
                }

                foreach (SctpChunk c in packet.Chunks)
                {
                    if (InitChunk.TryParse(c, out InitChunk init))
                    {
                        tsn ??= init.InitialTsn;
                    }
                }
            };
            _pair.Connect();
            _pair.Sent = (toB, p, _) =>
            {
                if (!toB)
                {
                    FromB.Add(p);
                }
            };
            _pair.Drop = (toB, _) => !toB;
            _tag = tag ?? throw new InvalidOperationException("no tag");
            _nextTsn = tsn ?? throw new InvalidOperationException("no TSN");
        }

        public SctpAssociation B => _pair.B;

        public List<SctpEvent> Events => _pair.EventsB;

        public List<byte[]> FromB { get; } = new();

        /// <summary>Takes the next TSN from A's space.</summary>
        public uint Tsn() => _nextTsn++;

        public void IData(uint tsn, ushort sid, uint mid, uint ppidOrFsn, byte flags, byte[] data) =>
            Packet(w => w.TryWriteIData(flags, tsn, sid, mid, ppidOrFsn, data));

        public void Data(uint tsn, ushort sid, ushort ssn, byte flags, byte[] data) =>
            Packet(w => w.TryWriteData(flags, tsn, sid, ssn, Ppid, data));

        public void IForwardTsn(uint cum, params (ushort, bool, uint)[] entries) => Packet(w => w.TryWriteIForwardTsn(cum, entries));

        public void ForwardTsn(uint cum, params (ushort, ushort)[] entries) => Packet(w => w.TryWriteForwardTsn(cum, entries));

        private void Packet(Func<SctpPacketWriterBox, bool> write)
        {
            byte[] buffer = new byte[ushort.MaxValue];
            var box = new SctpPacketWriterBox(buffer, _tag);
            Assert.True(write(box));
            _pair.Deliver(toB: true, buffer[..box.Finish()]);
        }
    }

    /// <summary>A heap wrapper so lambdas can write chunks (the writer is a ref struct).</summary>
    private sealed class SctpPacketWriterBox
    {
        private readonly byte[] _buffer;
        private readonly List<byte[]> _chunks = new();
        private readonly uint _tag;

        public SctpPacketWriterBox(byte[] buffer, uint tag)
        {
            _buffer = buffer;
            _tag = tag;
        }

        public bool TryWriteIData(byte flags, uint tsn, ushort sid, uint mid, uint ppidOrFsn, byte[] data) =>
            Add((ref SctpPacketWriter w) => w.TryWriteIData(flags, tsn, sid, mid, ppidOrFsn, data));

        public bool TryWriteData(byte flags, uint tsn, ushort sid, ushort ssn, uint ppid, byte[] data) =>
            Add((ref SctpPacketWriter w) => w.TryWriteData(flags, tsn, sid, ssn, ppid, data));

        public bool TryWriteIForwardTsn(uint cum, (ushort, bool, uint)[] entries) => Add((ref SctpPacketWriter w) => w.TryWriteIForwardTsn(cum, entries));

        public bool TryWriteForwardTsn(uint cum, (ushort, ushort)[] entries) => Add((ref SctpPacketWriter w) => w.TryWriteForwardTsn(cum, entries));

        public int Finish()
        {
            var w = new SctpPacketWriter(_buffer, 5000, 5000, _tag);
            foreach (byte[] c in _chunks)
            {
                Assert.True(w.TryWriteRawChunk(c));
            }

            return w.Finish();
        }

        private delegate bool ChunkWriter(ref SctpPacketWriter w);

        private bool Add(ChunkWriter write)
        {
            byte[] scratch = new byte[ushort.MaxValue];
            var w = new SctpPacketWriter(scratch, 0, 0, 0);
            if (!write(ref w))
            {
                return false;
            }

            int n = w.Length;
            int chunkLength = BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(SctpPacket.CommonHeaderLength + 2));
            _chunks.Add(scratch[SctpPacket.CommonHeaderLength..(SctpPacket.CommonHeaderLength + chunkLength)]);
            return n > SctpPacket.CommonHeaderLength;
        }
    }

    /// <summary>
    /// RFC 8260 §2.2.3 reassembly by (stream, U, MID) and FSN, fragments arriving interleaved and reversed: messages on
    /// streams 1 and 2 interleave TSN by TSN; ordered MID 1 completes before MID 0 and is held until MID 0 completes;
    /// an unordered message with the same stream and MID as an ordered one is a different message.
    /// </summary>
    [Fact]
    public void Receiver_ReassemblesInterleavedFragmentsByStreamUAndMid_AndDeliversOrderedInMidOrder()
    {
        var inj = new Injector(interleaving: true);
        uint t0 = inj.Tsn(), t1 = inj.Tsn(), t2 = inj.Tsn(), t3 = inj.Tsn(), t4 = inj.Tsn(), t5 = inj.Tsn(), t6 = inj.Tsn(), t7 = inj.Tsn();
        const byte b = DataChunk.BeginningFlag, e = DataChunk.EndingFlag, u = DataChunk.UnorderedFlag;

        // Stream 1 ordered MID 1 (2 fragments) and stream 2 ordered MID 0 (3 fragments) interleaved, last fragments first.
        inj.IData(t5, 2, 0, 2, e, [0x23]);
        inj.IData(t3, 1, 1, 1, e, [0x12]);
        inj.IData(t4, 2, 0, 1, 0, [0x22]);
        inj.IData(t2, 1, 1, 61, b, [0x11]);
        Assert.Empty(Messages(inj.Events));
        inj.IData(t1, 2, 0, 62, b, [0x21]);
        SctpMessageEvent s2 = Assert.Single(Messages(inj.Events));
        Assert.Equal(((ushort)2, 62u, false), (s2.StreamId, s2.PayloadProtocol, s2.Unordered));
        Assert.Equal([0x21, 0x22, 0x23], s2.Data);

        // Unordered MID 0 on stream 1 completes at once although ordered MID 0 on stream 1 is still missing.
        inj.IData(t7, 1, 0, 1, (byte)(e | u), [0x32]);
        inj.IData(t6, 1, 0, 63, (byte)(b | u), [0x31]);
        Assert.Equal(2, Messages(inj.Events).Count);
        Assert.Equal([0x31, 0x32], Messages(inj.Events)[1].Data);
        Assert.Equal((true, 63u), (Messages(inj.Events)[1].Unordered, Messages(inj.Events)[1].PayloadProtocol));
        Assert.True(inj.B.ReceiveBufferedBytes > 0, "ordered MID 1 waits for MID 0");

        // Ordered MID 0 on stream 1 arrives last: MID 0 then MID 1 are delivered.
        inj.IData(t0, 1, 0, 60, (byte)(b | e), [0x01]);
        List<SctpMessageEvent> got = Messages(inj.Events);
        Assert.Equal(4, got.Count);
        Assert.Equal([0x01], got[2].Data);
        Assert.Equal(60u, got[2].PayloadProtocol);
        Assert.Equal([0x11, 0x12], got[3].Data);
        Assert.Equal(61u, got[3].PayloadProtocol);
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
        Assert.Equal(SctpAssociationState.Established, inj.B.State);
    }

    /// <summary>
    /// RFC 8260 §2.3.1: the receiver drops partial messages by the (stream, U, MID) entries, not by TSN: with
    /// interleaving a live message's fragments sit below the new cumulative TSN. Stream 1's message has its first
    /// fragment at TSN t0; stream 2's abandoned message has TSN t1; I-FORWARD-TSN(t1, (2, ordered, 0)) must keep
    /// stream 1's fragment, whose last fragment then completes it; stream 2 goes on with MID 1.
    /// </summary>
    [Fact]
    public void IForwardTsn_KeepsLiveFragmentsBelowTheNewCumulativeTsn_AndDropsTheNamedMessage()
    {
        var inj = new Injector(interleaving: true);
        uint t0 = inj.Tsn(), t1 = inj.Tsn(), t2 = inj.Tsn(), t3 = inj.Tsn();
        inj.IData(t0, 1, 0, 70, DataChunk.BeginningFlag, [1, 2]);
        inj.IData(t1, 2, 0, 71, DataChunk.BeginningFlag, [9, 9, 9]);
        Assert.Equal(5, inj.B.ReceiveBufferedBytes);
        inj.IForwardTsn(t1, (2, false, 0));
        Assert.Equal(2, inj.B.ReceiveBufferedBytes);
        inj.IData(t2, 1, 0, 1, DataChunk.EndingFlag, [3]);
        inj.IData(t3, 2, 1, 72, DataChunk.BeginningFlag | DataChunk.EndingFlag, [4]);
        List<SctpMessageEvent> got = Messages(inj.Events);
        Assert.Equal(2, got.Count);
        Assert.Equal(((ushort)1, 70u), (got[0].StreamId, got[0].PayloadProtocol));
        Assert.Equal([1, 2, 3], got[0].Data);
        Assert.Equal(((ushort)2, 72u), (got[1].StreamId, got[1].PayloadProtocol));
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
    }

    /// <summary>
    /// A message abandoned after all the fragments it had sent arrived (its rest never sent): the I-FORWARD-TSN's new
    /// cumulative TSN is not above the receiver's, and its entry still drops the partial message and releases the
    /// ordered stream.
    /// </summary>
    [Fact]
    public void IForwardTsn_EntriesApplyEvenWhenTheCumulativeTsnDoesNotMove()
    {
        var inj = new Injector(interleaving: true);
        uint t0 = inj.Tsn(), t1 = inj.Tsn(), t2 = inj.Tsn();
        inj.IData(t0, 3, 0, 80, DataChunk.BeginningFlag, [1]);
        inj.IData(t1, 3, 1, 81, DataChunk.BeginningFlag | DataChunk.EndingFlag, [2]);
        Assert.Empty(Messages(inj.Events));
        inj.IForwardTsn(t0, (3, false, 0));
        SctpMessageEvent m = Assert.Single(Messages(inj.Events));
        Assert.Equal(81u, m.PayloadProtocol);
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
        inj.IData(t2, 3, 0, 1, DataChunk.EndingFlag, [3]);
        Assert.Single(Messages(inj.Events));
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
    }

    /// <summary>
    /// An I-FORWARD-TSN entry naming an ordered MID far ahead (found by the sctp-association-idata fuzz target: the
    /// receiver used to step one MID at a time, 858 million steps for this one): complete messages before it are
    /// delivered in MID order, the stream continues right after it.
    /// </summary>
    [Fact]
    public void IForwardTsn_FarAheadMid_DeliversWhatPrecedesAndContinuesAfterIt()
    {
        var inj = new Injector(interleaving: true);
        uint t0 = inj.Tsn(), t1 = inj.Tsn(), t2 = inj.Tsn();
        const byte whole = DataChunk.BeginningFlag | DataChunk.EndingFlag;
        inj.IData(t1, 6, 7, 91, whole, [7]);
        inj.IData(t0, 6, 5, 90, whole, [5]);
        Assert.Empty(Messages(inj.Events));
        inj.IForwardTsn(t1, (6, false, 0x332be300));
        Assert.Equal([90u, 91u], Messages(inj.Events).Select(m => m.PayloadProtocol));
        inj.IData(t2, 6, 0x332be301, 92, whole, [1]);
        Assert.Equal([90u, 91u, 92u], Messages(inj.Events).Select(m => m.PayloadProtocol));
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
    }

    /// <summary>
    /// RFC 3758 §3.6 with hostile FORWARD TSN entries on the DATA path: SSNs up to 32,767 ahead of what the stream
    /// expects, on 3,000 streams at once that each hold a pending message, an SSN range that wraps past 65535, and
    /// entries behind the stream. The receiver used to step one SSN at a time (up to 32,767 steps per entry, about
    /// 98 million for this packet); it now walks the pending messages. Complete messages before each skipped SSN are
    /// delivered in SSN order, the streams continue right after it, stale entries change nothing, nothing stays held.
    /// </summary>
    [Fact]
    public void ForwardTsn_HostileSsnEntries_DeliverWhatPrecedesInOrder_AndTheStreamsContinue()
    {
        var inj = new Injector(interleaving: false);
        const byte whole = DataChunk.BeginningFlag | DataChunk.EndingFlag;

        // Stream 1: SSN 0 lost, 1 and 3 complete and waiting, 30000 far ahead and waiting.
        uint lost = inj.Tsn();
        inj.Data(inj.Tsn(), 1, 1, whole, [1]);
        inj.Data(inj.Tsn(), 1, 3, whole, [3]);
        inj.Data(inj.Tsn(), 1, 30000, whole, [0x30]);
        uint last = inj.Tsn();
        inj.Data(last, 1, 30001, whole, [0x31]);
        Assert.Empty(Messages(inj.Events));

        // Skip SSN 0 to 2: 1 and 3 come out (3 because 2 was skipped), 30000 and 30001 still wait for 4 to 29999.
        inj.ForwardTsn(last, (1, 2));
        Assert.Equal(new byte[][] { [1], [3] }, Messages(inj.Events).Select(m => m.Data));

        // An entry behind the stream (SSN 1 again) and one 29,995 ahead: 30000 and 30001 follow in order.
        uint skipped = inj.Tsn();
        inj.ForwardTsn(skipped, (1, 1), (1, 29999));
        Assert.Equal(new byte[][] { [1], [3], [0x30], [0x31] }, Messages(inj.Events).Select(m => m.Data));
        uint next = inj.Tsn();
        inj.Data(next, 1, 30002, whole, [0x32]);
        Assert.Equal(4 + 1, Messages(inj.Events).Count);

        // Wrapping: stream 2 walks to 65531 in three entries of one chunk (an SSN more than 32,767 ahead would be
        // behind in serial order, RFC 1982), then waits on 65533 and 2 across the wrap; skipping up to 1 delivers
        // 65533, then 2 (the SSN right after the skipped one), in that order.
        inj.ForwardTsn(inj.Tsn(), (2, 30000), (2, 60000), (2, 65530));
        inj.Data(inj.Tsn(), 2, 2, whole, [0x22]);
        inj.Data(inj.Tsn(), 2, 65533, whole, [0x2D]);
        inj.ForwardTsn(inj.Tsn(), (2, 1));
        Assert.Equal(new byte[][] { [0x2D], [0x22] }, Messages(inj.Events).Skip(5).Select(m => m.Data));

        // 3,000 streams each waiting on SSN 32767 (32,767 ahead): one FORWARD TSN naming SSN 32766 on all of them.
        const int streams = 3000;
        uint gap = inj.Tsn();
        for (int s = 0; s < streams; s++)
        {
            inj.Data(inj.Tsn(), (ushort)(100 + s), 32767, whole, [(byte)s]);
        }

        Assert.Equal(7, Messages(inj.Events).Count);
        var entries = new (ushort, ushort)[streams];
        for (int s = 0; s < streams; s++)
        {
            entries[s] = ((ushort)(100 + s), 32766);
        }

        inj.ForwardTsn(inj.Tsn(), entries);
        List<SctpMessageEvent> got = Messages(inj.Events);
        Assert.Equal(7 + streams, got.Count);
        for (int s = 0; s < streams; s++)
        {
            Assert.Equal((ushort)(100 + s), got[7 + s].StreamId);
            Assert.Equal([(byte)s], got[7 + s].Data);
        }

        // Each stream continues at 32768; the lost TSN and the gap were skipped, so the cumulative TSN moved on.
        inj.Data(inj.Tsn(), 100, 32768, whole, [0xEE]);
        Assert.Equal([0xEE], Messages(inj.Events)[^1].Data);
        Assert.Equal(0, inj.B.ReceiveBufferedBytes);
        Assert.Equal(SctpAssociationState.Established, inj.B.State);
        _ = lost;
        _ = gap;
    }

    /// <summary>
    /// RFC 8260 §2.2.1/§2.2.3, §2.3.1: DATA on an association that negotiated I-DATA, I-DATA on one that did not, and
    /// FORWARD TSN or I-FORWARD-TSN of the wrong kind are protocol violations: the receiver sends ABORT with a Protocol
    /// Violation cause (RFC 9260 §3.3.10.13, cause 13) and closes.
    /// </summary>
    [Theory]
    [InlineData(true, "DATA")]
    [InlineData(false, "I-DATA")]
    [InlineData(true, "FORWARD-TSN")]
    [InlineData(false, "I-FORWARD-TSN")]
    public void WrongPayloadChunkForTheNegotiation_IsAbortedAsAProtocolViolation(bool interleaving, string chunk)
    {
        var inj = new Injector(interleaving);
        Assert.Equal(interleaving, inj.B.MessageInterleaving);
        uint tsn = inj.Tsn();
        switch (chunk)
        {
            case "DATA":
                inj.Data(tsn, 1, 0, DataChunk.BeginningFlag | DataChunk.EndingFlag, [1]);
                break;
            case "I-DATA":
                inj.IData(tsn, 1, 0, Ppid, DataChunk.BeginningFlag | DataChunk.EndingFlag, [1]);
                break;
            case "FORWARD-TSN":
                inj.ForwardTsn(tsn);
                break;
            default:
                inj.IForwardTsn(tsn, (1, false, 0));
                break;
        }

        Assert.Empty(Messages(inj.Events));
        SctpClosedEvent closed = Assert.Single(inj.Events.OfType<SctpClosedEvent>());
        Assert.Equal(SctpCloseReason.AbortedLocally, closed.Reason);
        Assert.Equal(SctpAssociationState.Closed, inj.B.State);
        byte[] abort = Assert.Single(inj.FromB, p => ChunkTypes(p).Contains(SctpChunkType.Abort));
        Assert.Equal((byte)SctpChunkType.Abort, abort[12]);
        Assert.Equal((ushort)SctpErrorCause.ProtocolViolation, BinaryPrimitives.ReadUInt16BigEndian(abort.AsSpan(16)));
    }

    /// <summary>
    /// Hostile I-DATA: an empty one is answered with ABORT No User Data (RFC 9260 §6.2, which I-DATA keeps); fragments of
    /// one message adding up past the maximum message size abort (Protocol Violation) rather than buffer without end;
    /// a fragment beyond the message's last FSN aborts.
    /// </summary>
    [Theory]
    [InlineData("empty", SctpErrorCause.NoUserData)]
    [InlineData("too large", SctpErrorCause.ProtocolViolation)]
    [InlineData("after the end", SctpErrorCause.ProtocolViolation)]
    public void HostileIData_Aborts(string kind, SctpErrorCause cause)
    {
        var inj = new Injector(interleaving: true);
        switch (kind)
        {
            case "empty":
                inj.IData(inj.Tsn(), 1, 0, Ppid, DataChunk.BeginningFlag | DataChunk.EndingFlag, []);
                break;
            case "too large":
                for (uint fsn = 0; fsn < 300 && inj.B.State == SctpAssociationState.Established; fsn++)
                {
                    inj.IData(inj.Tsn(), 1, 0, fsn == 0 ? Ppid : fsn, fsn == 0 ? DataChunk.BeginningFlag : (byte)0, new byte[1000]);
                }

                break;
            default:
                inj.IData(inj.Tsn(), 1, 0, 2, DataChunk.EndingFlag, [1]);
                inj.IData(inj.Tsn(), 1, 0, 3, 0, [1]);
                break;
        }

        Assert.Equal(SctpAssociationState.Closed, inj.B.State);
        byte[] abort = Assert.Single(inj.FromB, p => ChunkTypes(p).Contains(SctpChunkType.Abort));
        Assert.Equal((ushort)cause, BinaryPrimitives.ReadUInt16BigEndian(abort.AsSpan(16)));
    }

    /// <summary>
    /// Allocation per packet of a steady one-way transfer (64 KiB messages, no loss) with DATA and with I-DATA, measured
    /// on this thread for both associations together, through the allocating <see cref="SctpPair"/> wire (a copy of
    /// every packet) and <see cref="SctpAssociation.TryPollEvent"/> (a new array per message), so neither is zero;
    /// I-DATA must not add per-packet allocation over DATA. <see cref="AllocationTests"/> measures the association
    /// alone (0 B per packet for both).
    /// </summary>
    [Fact]
    public void Allocation_PerPacket_IDataAddsNothingPerPacketOverData()
    {
        (double PerPacket, long Packets) Measure(bool interleaving)
        {
            var pair = new SctpPair(seed: 12, interleaving: interleaving);
            pair.Connect();
            byte[] m = Bytes(64 * 1024, 1);
            for (int i = 0; i < 20; i++)
            {
                pair.A.Send(1, Ppid, m, pair.Now);
            }

            pair.Drain();
            Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 20, TimeSpan.FromMinutes(1)));
            long packets0 = pair.PacketsOnWire;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                pair.A.Send((ushort)(1 + (i % 2)), Ppid, m, pair.Now);
            }

            pair.Drain();
            Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 120, TimeSpan.FromMinutes(5)));
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            long packets = pair.PacketsOnWire - packets0;
            return ((double)bytes / packets, packets);
        }

        (double data, long dataPackets) = Measure(false);
        (double idata, long idataPackets) = Measure(true);
        _output.WriteLine($"bytes allocated per packet: DATA {data:F0} ({dataPackets} packets), I-DATA {idata:F0} ({idataPackets} packets)");
        Assert.True(idata <= data * 1.1, $"I-DATA {idata:F0} B/packet vs DATA {data:F0}");
    }
}
