using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using RtcStack.Sctp;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sctp.Packets;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.Sctp;

/// <summary>
/// Differential tests of our SCTP association (RFC 9260, RFC 3758, RFC 6525) and data channel layer
/// (RFC 8831, RFC 8832) against usrsctp, the SCTP stack of Chromium and Firefox, from Debian's
/// libusrsctp-dev in AF_CONN mode (Sctp/usrsctp-peer.c). Raw SCTP packets (CRC32c on, no DTLS) cross
/// stdin/stdout; the driver loop (<see cref="SctpLink"/>) drops and reorders with fixed seeds. Both
/// sides run 100 ms RTO.Min, 200 ms RTO.Initial and 1 s RTO.Max so the loss cases take seconds.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class UsrsctpInteropTests
{
    private const uint PpidDcep = 50;
    private const uint PpidString = 51;
    private const uint PpidBinary = 53;
    private const uint PpidStringEmpty = 56;
    private const uint PpidBinaryEmpty = 57;
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    public UsrsctpInteropTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public enum Opener
    {
        /// <summary>We send INIT; usrsctp listens.</summary>
        Us,

        /// <summary>usrsctp sends INIT (usrsctp_connect); we wait.</summary>
        Usrsctp,

        /// <summary>Both send INIT at once, as WebRTC peers do (RFC 8841 §5; RFC 9260 §5.2.1 collision).</summary>
        Both,
    }

    /// <summary>
    /// Association setup (RFC 9260 §5.1) each way and with crossing INITs: both sides report the
    /// association up, the stream counts are the minimum of the offers (usrsctp asks 1,024 each way,
    /// §5.1.1), both see partial reliability (RFC 3758 §3.1) and RE-CONFIG (RFC 6525 §5.1 via RFC 5061
    /// Supported Extensions), and one message crosses each way.
    /// </summary>
    [Theory]
    [InlineData(Opener.Us)]
    [InlineData(Opener.Usrsctp)]
    [InlineData(Opener.Both)]
    public void Association_SetsUp(Opener opener)
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, opener, seed: 1);
        Assert.Equal(SctpAssociationState.Established, link.Ours.State);
        Assert.Equal(1024, link.Ours.OutboundStreams);
        Assert.Equal(1024, link.Ours.InboundStreams);
        Assert.True(link.Ours.PeerSupportsPartialReliability);
        string up = link.PeerEvents.Single(e => e.StartsWith("up ", StringComparison.Ordinal));
        Assert.Equal("up out=1024 in=1024 pr=1 reconfig=1 idata=0", up);

        link.Ours.Send(3, PpidBinary, [1, 2, 3], link.Now);
        link.Peer.Send(4, PpidString, "hello"u8);
        link.RunUntil(() => link.PeerMessages.Count == 1 && link.OurMessages.Count == 1, s_limit, "one message each way");
        Assert.Equal(((ushort)3, PpidBinary, false), (link.PeerMessages[0].StreamId, link.PeerMessages[0].Ppid, link.PeerMessages[0].Unordered));
        Assert.Equal([1, 2, 3], link.PeerMessages[0].Data);
        Assert.Equal((ushort)4, link.OurMessages[0].StreamId);
        Assert.Equal(PpidString, link.OurMessages[0].PayloadProtocol);
        Assert.Equal("hello", Encoding.UTF8.GetString(link.OurMessages[0].Data));
        _output.WriteLine($"{UsrsctpPeer.Describe()}; {link.PacketsToPeer} packets to usrsctp, {link.PacketsToUs} to us");
    }

    /// <summary>
    /// Reliable ordered messages both ways at once on one stream (RFC 9260 §6.6): sizes 0 to 64 KiB
    /// across the fragmentation edges (§6.9; 1,200-byte packets on our side), string, binary and the
    /// empty-message PPIDs of RFC 8831 §6.6 (56, 57: one byte carried), delivered in order with equal
    /// hashes and PPIDs, with some reordering injected.
    /// </summary>
    [Fact]
    public void ReliableOrdered_AllSizesBothWays()
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Both, seed: 2);
        link.Reorder = 0.1;
        List<(uint Ppid, byte[] Data)> messages = Messages(seed: 2, count: 40);
        TimeSpan start = link.Now;
        foreach ((uint ppid, byte[] data) in messages)
        {
            link.Ours.Send(1, ppid, data, link.Now);
            link.Peer.Send(1, ppid, data);
        }

        link.RunUntil(() => link.PeerMessages.Count == messages.Count && link.OurMessages.Count == messages.Count, s_limit, "40 messages each way");
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Equal(messages[i].Ppid, link.PeerMessages[i].Ppid);
            Assert.Equal(Hash(messages[i].Data), Hash(link.PeerMessages[i].Data));
            Assert.False(link.PeerMessages[i].Unordered);
            Assert.Equal(messages[i].Ppid, link.OurMessages[i].PayloadProtocol);
            Assert.Equal(Hash(messages[i].Data), Hash(link.OurMessages[i].Data));
            Assert.False(link.OurMessages[i].Unordered);
        }

        _output.WriteLine($"{messages.Sum(m => m.Data.Length)} bytes each way in {(link.Now - start).TotalSeconds:F2} s; {link.Summary()}");
    }

    /// <summary>
    /// Unordered messages (RFC 9260 §6.6 U bit) both ways with reordering: every message arrives once,
    /// flagged unordered on both sides, intact.
    /// </summary>
    [Fact]
    public void Unordered_BothWays()
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Us, seed: 3);
        link.Reorder = 0.3;
        List<(uint Ppid, byte[] Data)> messages = Messages(seed: 3, count: 40);
        TimeSpan start = link.Now;
        foreach ((uint ppid, byte[] data) in messages)
        {
            link.Ours.Send(5, ppid, data, link.Now, new SctpSendOptions(Unordered: true));
            link.Peer.Send(5, ppid, data, unordered: true);
        }

        link.RunUntil(() => link.PeerMessages.Count == messages.Count && link.OurMessages.Count == messages.Count, s_limit, "40 unordered messages each way");
        string[] expected = messages.Select(m => m.Ppid + ":" + Hash(m.Data)).Order().ToArray();
        Assert.Equal(expected, link.PeerMessages.Select(m => m.Ppid + ":" + Hash(m.Data)).Order().ToArray());
        Assert.Equal(expected, link.OurMessages.Select(m => m.PayloadProtocol + ":" + Hash(m.Data)).Order().ToArray());
        Assert.All(link.PeerMessages, m => Assert.True(m.Unordered));
        Assert.All(link.OurMessages, m => Assert.True(m.Unordered));
        int outOfOrderAtPeer = CountInversions(messages, link.PeerMessages.Select(m => m.Data).ToList());
        int outOfOrderAtUs = CountInversions(messages, link.OurMessages.Select(m => m.Data).ToList());
        _output.WriteLine($"done in {(link.Now - start).TotalSeconds:F2} s; deliveries out of send order: usrsctp {outOfOrderAtPeer}, us {outOfOrderAtUs}; {link.Summary()}");
    }

    /// <summary>
    /// Partial reliability (RFC 3758) with loss, each policy, each direction, on one ordered stream: 20
    /// messages of 500 bytes with max-retransmits 0 (usrsctp SCTP_PR_SCTP_RTX) or a 50 ms lifetime
    /// (SCTP_PR_SCTP_TTL) while every packet of the sender carrying DATA is dropped for 250 ms (longer
    /// than the lifetime and than the first T3-rtx); then 20 more with the same policy (a 10 s lifetime)
    /// and no loss, then
    /// a reliable marker. The sender abandons what it sent in the blackout (those held back by the
    /// congestion window and first sent after it may arrive: usrsctp's TTL does not drop unsent
    /// messages, RFC 3758 §3.1 makes it a MAY) and sends FORWARD TSN (§3.5) with their stream and SSNs;
    /// the receiver moves past the holes and delivers, in order, all of the second 20 and the marker
    /// (§3.6: the ordered stream does not stall), and nothing is left in flight. With I-DATA negotiated both ways
    /// (RFC 8260) the same holds with I-FORWARD-TSN (§2.3.1, entries by stream and MID) and no FORWARD TSN.
    /// </summary>
    [Theory]
    [InlineData(true, "rtx", false)]
    [InlineData(true, "ttl", false)]
    [InlineData(false, "rtx", false)]
    [InlineData(false, "ttl", false)]
    [InlineData(true, "rtx", true)]
    [InlineData(true, "ttl", true)]
    [InlineData(false, "rtx", true)]
    [InlineData(false, "ttl", true)]
    public void PartialReliability_WithLoss(bool weSend, string policy, bool interleaving)
    {
        using var peer = new UsrsctpPeer(interleaving: interleaving);
        SctpLink link = Establish(peer, Opener.Us, seed: 4);
        Assert.Equal(interleaving, link.Ours.MessageInterleaving);
        bool blackout = true;
        link.Drop = (toPeer, packet) => blackout && toPeer == weSend && HasData(packet);
        var sent = new List<byte[]>();
        void SendBatch(int from, int lifetimeMs)
        {
            for (int i = from; i < from + 20; i++)
            {
                byte[] data = new byte[500];
                new Random(1000 + i).NextBytes(data);
                BinaryPrimitives.WriteInt32BigEndian(data, i);
                sent.Add(data);
                if (weSend)
                {
                    link.Ours.Send(7, PpidBinary, data, link.Now, policy == "rtx"
                        ? new SctpSendOptions(MaxRetransmits: 0)
                        : new SctpSendOptions(Lifetime: TimeSpan.FromMilliseconds(lifetimeMs)));
                }
                else
                {
                    link.Peer.Send(7, PpidBinary, data, policy: (ushort)(policy == "rtx" ? 3 : 1), value: policy == "rtx" ? 0u : (uint)lifetimeMs);
                }
            }
        }

        SendBatch(0, 50);
        link.RunFor(TimeSpan.FromMilliseconds(250));
        int droppedInBlackout = link.Dropped;
        blackout = false;
        SendBatch(20, 10_000); // a lifetime that does not run out while the window reopens after the T3-rtx
        byte[] marker = "marker"u8.ToArray();
        if (weSend)
        {
            link.Ours.Send(7, PpidString, marker, link.Now);
        }
        else
        {
            link.Peer.Send(7, PpidString, marker);
        }

        List<byte[]> Received() => weSend
            ? link.PeerMessages.Where(m => m.StreamId == 7).Select(m => m.Data).ToList()
            : link.OurMessages.Where(m => m.StreamId == 7).Select(m => m.Data).ToList();
        link.RunUntil(() => Received().Any(d => d.AsSpan().SequenceEqual(marker)), s_limit, "the reliable marker after the abandoned messages");
        link.RunUntil(() => link.Ours.FlightSize == 0 && link.Ours.BufferedAmount == 0, s_limit, "nothing left in flight");

        List<byte[]> got = Received();
        Assert.True(got[^1].AsSpan().SequenceEqual(marker), "the marker comes last on the ordered stream");
        int[] indices = got.Take(got.Count - 1).Select(d => BinaryPrimitives.ReadInt32BigEndian(d)).ToArray();
        Assert.Equal(indices.Distinct().Order().ToArray(), indices);
        Assert.Equal(Enumerable.Range(20, 20).ToArray(), indices.Where(i => i >= 20).ToArray());
        int firstBatch = indices.Count(i => i < 20);
        Assert.True(firstBatch < 20, "some of the first 20 were abandoned");
        foreach (byte[] d in got.Take(got.Count - 1))
        {
            Assert.Equal(Hash(sent[BinaryPrimitives.ReadInt32BigEndian(d)]), Hash(d));
        }

        Assert.True(droppedInBlackout > 0);
        SctpChunkType forward = interleaving ? SctpChunkType.IForwardTsn : SctpChunkType.ForwardTsn;
        SctpChunkType other = interleaving ? SctpChunkType.ForwardTsn : SctpChunkType.IForwardTsn;
        Assert.True(link.Chunks(toPeer: weSend, forward) > 0, $"the sender sent {forward}");
        Assert.Equal(0, link.Chunks(true, other) + link.Chunks(false, other));
        if (weSend)
        {
            // At least the ones that never arrived; a T3-rtx that fires for the blackout's chunks also marks
            // chunks sent just after it, not yet acknowledged (RFC 9260 §6.3.3 E3), and max-retransmits 0
            // abandons them although they may have arrived.
            Assert.True(link.Ours.Statistics.MessagesAbandoned >= 20 - firstBatch, $"abandoned {link.Ours.Statistics.MessagesAbandoned}, missing {20 - firstBatch}");
        }

        _output.WriteLine($"{policy}, {(weSend ? "we send" : "usrsctp sends")}, interleaving {interleaving}: delivered {firstBatch} of the first 20 and all 20 of the second; {forward} chunks {link.Chunks(weSend, forward)}; dropped {link.Dropped} packets; our abandoned {link.Ours.Statistics.MessagesAbandoned}");
    }

    /// <summary>
    /// 10 % random loss and 10 % reordering in both directions while 1 MiB crosses each way at once
    /// (RFC 9260 §6.3 T3-rtx, §7.2.4 fast retransmit, §6.2 gap reports and duplicate TSNs): every
    /// message arrives in order and intact on both sides.
    /// </summary>
    [Fact]
    public void LossAndReordering_OneMebibyteEachWay()
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Both, seed: 5);
        link.LossToPeer = link.LossToUs = 0.1;
        link.Reorder = 0.1;
        var rng = new Random(5);
        var messages = new List<byte[]>();
        int total = 0;
        while (total < 1024 * 1024)
        {
            byte[] data = new byte[rng.Next(1, 32 * 1024)];
            rng.NextBytes(data);
            messages.Add(data);
            total += data.Length;
        }

        TimeSpan start = link.Now;
        foreach (byte[] data in messages)
        {
            link.Ours.Send(2, PpidBinary, data, link.Now);
            link.Peer.Send(2, PpidBinary, data);
        }

        TimeSpan? toPeerDone = null;
        TimeSpan? toUsDone = null;
        link.RunUntil(
            () =>
            {
                toPeerDone ??= link.PeerMessages.Count == messages.Count ? link.Now - start : null;
                toUsDone ??= link.OurMessages.Count == messages.Count ? link.Now - start : null;
                return toPeerDone is not null && toUsDone is not null;
            },
            TimeSpan.FromSeconds(60),
            "1 MiB each way with 10 % loss");
        TimeSpan took = link.Now - start;
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Equal(Hash(messages[i]), Hash(link.PeerMessages[i].Data));
            Assert.Equal(Hash(messages[i]), Hash(link.OurMessages[i].Data));
        }

        _output.WriteLine($"{messages.Count} messages, {total} bytes each way in {took.TotalSeconds:F2} s: ours to usrsctp done at {toPeerDone!.Value.TotalSeconds:F2} s, usrsctp to us at {toUsDone!.Value.TotalSeconds:F2} s; " +
            $"dropped {link.Dropped}, reordered {link.Reordered}; DATA chunks from usrsctp {link.Chunks(false, SctpChunkType.Data)}, SACKs from us {link.Chunks(true, SctpChunkType.Sack)}, our smallest a_rwnd {link.MinOurRwnd}, longest pause in usrsctp's DATA {link.LongestPeerDataGap.TotalMilliseconds:F0} ms; ours: retransmissions {link.Ours.Statistics.Retransmissions}, fast {link.Ours.Statistics.FastRetransmits}, T3 {link.Ours.Statistics.T3Expirations}, duplicate TSNs received {link.Ours.Statistics.DuplicateTsnsReceived}");
    }

    /// <summary>
    /// DCEP (RFC 8832) with usrsctp as the other side, each direction. usrsctp (the DTLS server's
    /// side, odd streams, §6) sends a DATA_CHANNEL_OPEN we build by hand (§5.1) on stream 1; our
    /// <see cref="DataChannelTransport"/> opens the channel and answers DATA_CHANNEL_ACK (§5.2) on the
    /// same stream with PPID 50; messages then cross. Then we open an unordered max-retransmits-0
    /// channel: usrsctp receives our OPEN on stream 0 (even: we are the DTLS client), checked field by
    /// field, acks it, and messages cross.
    /// </summary>
    [Fact]
    public void Dcep_OpenAndAckBothWays()
    {
        using var peer = new UsrsctpPeer();
        var ours = new SctpAssociation(Options(6));
        var transport = new DataChannelTransport(ours, dtlsClient: true);
        var link = new SctpLink(ours, peer, 6, transport);
        link.RunUntil(() => link.PeerSaw("ready"), s_limit, "usrsctp-peer ready");
        transport.Connect(link.Now);
        link.RunUntil(() => link.PeerSaw("up ") && link.ChannelEvents.OfType<DataChannelTransportConnectedEvent>().Any(), s_limit, "association up");

        // usrsctp opens: reliable ordered, label "chat", protocol "json".
        peer.Send(1, PpidDcep, DcepOpen(0x00, 0, 0, "chat", "json"));
        link.RunUntil(() => link.PeerMessages.Count >= 1 && link.ChannelEvents.OfType<DataChannelOpenEvent>().Any(), s_limit, "our DATA_CHANNEL_ACK");
        UsrsctpMessage ack = link.PeerMessages[0];
        Assert.Equal((ushort)1, ack.StreamId);
        Assert.Equal(PpidDcep, ack.Ppid);
        Assert.Equal([0x02], ack.Data);
        DataChannel theirs = link.ChannelEvents.OfType<DataChannelOpenEvent>().Single().Channel;
        Assert.Equal(("chat", "json", (ushort)1, true, true), (theirs.Label, theirs.Protocol, theirs.Id, theirs.Ordered, theirs.Remote));
        peer.Send(1, PpidString, "hi from usrsctp"u8);
        peer.Send(1, PpidBinaryEmpty, [0]);
        link.RunUntil(() => link.ChannelEvents.OfType<DataChannelMessageEvent>().Count() == 2, s_limit, "two messages on usrsctp's channel");
        DataChannelMessageEvent[] got = link.ChannelEvents.OfType<DataChannelMessageEvent>().ToArray();
        Assert.True(got[0].IsString);
        Assert.Equal("hi from usrsctp", Encoding.UTF8.GetString(got[0].Data));
        Assert.False(got[1].IsString);
        Assert.Empty(got[1].Data);
        transport.SendText(theirs, "hi back", link.Now);
        link.RunUntil(() => link.PeerMessages.Count >= 2, s_limit, "our reply");
        Assert.Equal(((ushort)1, PpidString), (link.PeerMessages[1].StreamId, link.PeerMessages[1].Ppid));
        Assert.Equal("hi back", Encoding.UTF8.GetString(link.PeerMessages[1].Data));

        // We open: unordered, max-retransmits 0, label "ours", priority 256.
        DataChannel mine = transport.CreateChannel(new DataChannelOptions { Label = "ours", Ordered = false, MaxRetransmits = 0, Priority = 256 }, link.Now);
        link.RunUntil(() => link.PeerMessages.Count >= 3, s_limit, "our DATA_CHANNEL_OPEN");
        UsrsctpMessage open = link.PeerMessages[2];
        Assert.Equal((ushort)0, mine.Id);
        Assert.Equal((ushort)0, open.StreamId);
        Assert.Equal(PpidDcep, open.Ppid);
        Assert.False(open.Unordered); // RFC 8832 §6: DCEP messages go ordered and reliable.
        Assert.Equal(DcepOpen(0x81, 256, 0, "ours", ""), open.Data);
        peer.Send(0, PpidDcep, [0x02]);
        transport.Send(mine, [9, 8, 7], link.Now);
        peer.Send(0, PpidBinary, [1, 2]);
        link.RunUntil(() => link.PeerMessages.Count >= 4 && link.ChannelEvents.OfType<DataChannelMessageEvent>().Count() == 3, s_limit, "messages on our channel");
        Assert.Equal([9, 8, 7], link.PeerMessages[3].Data);
        Assert.Equal(PpidBinary, link.PeerMessages[3].Ppid);
        DataChannelMessageEvent last = link.ChannelEvents.OfType<DataChannelMessageEvent>().Last();
        Assert.Same(mine, last.Channel);
        Assert.Equal([1, 2], last.Data);
    }

    /// <summary>
    /// Stream reset (RFC 6525 §5.1.2 Outgoing SSN Reset Request, how RFC 8831 §6.7 closes a channel) from
    /// each side after traffic on the stream: the other side reports the incoming reset (usrsctp:
    /// SCTP_STREAM_RESET_INCOMING_SSN; us: an incoming <see cref="SctpStreamsResetEvent"/>), the
    /// requester gets success, and a new message on the reset stream (SSN 0 again) is delivered.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StreamReset_FromEachSide(bool weReset)
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Us, seed: 7);
        for (int i = 0; i < 3; i++)
        {
            link.Ours.Send(2, PpidBinary, [(byte)i], link.Now);
            link.Peer.Send(2, PpidBinary, [(byte)i]);
        }

        link.RunUntil(() => link.PeerMessages.Count == 3 && link.OurMessages.Count == 3, s_limit, "traffic before the reset");
        if (weReset)
        {
            link.Ours.ResetStreams([2], link.Now);
            link.RunUntil(() => link.PeerSaw("reset ") && link.OurEvents.OfType<SctpStreamsResetEvent>().Any(), s_limit, "usrsctp sees our reset");
            SctpStreamsResetEvent answer = link.OurEvents.OfType<SctpStreamsResetEvent>().Single();
            Assert.False(answer.Incoming);
            Assert.Equal(ReconfigResult.SuccessPerformed, answer.Result);
            Assert.Equal([(ushort)2], answer.Streams);
            Assert.Equal("reset 1 2", link.PeerEvents.Single(e => e.StartsWith("reset ", StringComparison.Ordinal))); // SCTP_STREAM_RESET_INCOMING_SSN, stream 2
            link.Ours.Send(2, PpidBinary, [42], link.Now);
            link.RunUntil(() => link.PeerMessages.Count == 4, s_limit, "a message on the reset stream");
            Assert.Equal([42], link.PeerMessages[3].Data);
        }
        else
        {
            link.Peer.ResetStream(2);
            link.RunUntil(() => link.PeerSaw("reset ") && link.OurEvents.OfType<SctpStreamsResetEvent>().Any(), s_limit, "we see usrsctp's reset");
            SctpStreamsResetEvent incoming = link.OurEvents.OfType<SctpStreamsResetEvent>().Single();
            Assert.True(incoming.Incoming);
            Assert.Equal([(ushort)2], incoming.Streams);
            Assert.Equal("reset 2 2", link.PeerEvents.Single(e => e.StartsWith("reset ", StringComparison.Ordinal))); // SCTP_STREAM_RESET_OUTGOING_SSN: done
            link.Peer.Send(2, PpidBinary, [42]);
            link.RunUntil(() => link.OurMessages.Count == 4, s_limit, "a message on the reset stream");
            Assert.Equal([42], link.OurMessages[3].Data);
        }

        Assert.DoesNotContain(link.PeerEvents, e => e.StartsWith("error", StringComparison.Ordinal));
    }

    /// <summary>
    /// Stream reset while the reset stream's data is still missing at the receiver (RFC 6525 §5.2.2: the
    /// receiver defers the reset until every TSN up to the Sender's Last Assigned TSN has arrived): 10
    /// messages on stream 2, the sender's first DATA packets dropped, the reset requested at once, then
    /// one more message on the stream. The receiver delivers the 10 in order, then the reset, then the
    /// new message (SSN 0 again).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StreamReset_WithDataStillMissing(bool weReset)
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Us, seed: 11);
        int toDrop = 2;
        link.Drop = (toPeer, packet) => toPeer == weReset && HasData(packet) && toDrop-- > 0;
        for (int i = 0; i < 10; i++)
        {
            byte[] m = new byte[700];
            m[0] = (byte)i;
            if (weReset)
            {
                link.Ours.Send(2, PpidBinary, m, link.Now);
            }
            else
            {
                link.Peer.Send(2, PpidBinary, m);
            }
        }

        if (weReset)
        {
            link.Ours.ResetStreams([2], link.Now);
            link.RunUntil(() => link.OurEvents.OfType<SctpStreamsResetEvent>().Any(), s_limit, "the answer to our reset");
            link.Ours.Send(2, PpidString, "after"u8, link.Now);
            link.RunUntil(() => link.PeerMessages.Count == 11, s_limit, "10 messages, the reset and one more");
            Assert.Equal(ReconfigResult.SuccessPerformed, link.OurEvents.OfType<SctpStreamsResetEvent>().Single().Result);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i).ToArray(), link.PeerMessages.Take(10).Select(m => m.Data[0]).ToArray());
            Assert.Equal("after", Encoding.ASCII.GetString(link.PeerMessages[10].Data));
            Assert.Equal("reset 1 2", link.PeerEvents.Single(e => e.StartsWith("reset ", StringComparison.Ordinal)));
        }
        else
        {
            link.Peer.ResetStream(2);
            link.RunUntil(() => link.OurEvents.OfType<SctpStreamsResetEvent>().Any() && link.PeerSaw("reset "), s_limit, "usrsctp's reset");
            link.Peer.Send(2, PpidString, "after"u8);
            link.RunUntil(() => link.OurMessages.Count == 11, s_limit, "10 messages, the reset and one more");
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i).ToArray(), link.OurMessages.Take(10).Select(m => m.Data[0]).ToArray());
            Assert.Equal("after", Encoding.ASCII.GetString(link.OurMessages[10].Data));
            int resetAt = link.OurEvents.FindIndex(e => e is SctpStreamsResetEvent);
            Assert.True(resetAt > link.OurEvents.IndexOf(link.OurMessages[9]), "the reset is reported after the stream's last message");
            Assert.True(resetAt < link.OurEvents.IndexOf(link.OurMessages[10]));
            Assert.Equal("reset 2 2", link.PeerEvents.Single(e => e.StartsWith("reset ", StringComparison.Ordinal)));
        }

        Assert.True(toDrop <= 0, "the first DATA packets were dropped");
        _output.WriteLine(link.Summary());
    }

    /// <summary>
    /// Unordered max-retransmits-0 traffic (the W3C unreliable channel) both ways under 10 % loss and
    /// reordering: 200 messages of 1 to 3,000 bytes each way; FORWARD TSN without stream entries (RFC
    /// 3758 §3.2: unordered) moves both cumulative TSNs, we deliver exactly the messages whose fragments
    /// all reached us, what arrives on either side is intact (no orphaned fragment is
    /// delivered as a message: this caught our FORWARD TSN stopping short of a gap-acknowledged tail, see
    /// SctpAssociationTests.PartialReliability_ForwardTsnCoversGapAckedFragmentsOfAnAbandonedMessage), and
    /// both sides end with nothing in flight (checked through a reliable message each way sent afterwards).
    /// </summary>
    [Fact]
    public void UnreliableUnordered_WithLossBothWays()
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Both, seed: 12);
        link.Trace = new List<string>();
        link.LossToPeer = link.LossToUs = 0.1;
        link.Reorder = 0.1;
        var rng = new Random(12);
        var sent = new HashSet<string>();
        var sentList = new List<byte[]>();
        for (int i = 0; i < 200; i++)
        {
            byte[] data = new byte[rng.Next(1, 3001)];
            rng.NextBytes(data);
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(0, Math.Min(4, data.Length)).Length == 4 ? data : new byte[4], i);
            sent.Add(Hash(data));
            sentList.Add(data);
            link.Ours.Send(4, PpidBinary, data, link.Now, new SctpSendOptions(Unordered: true, MaxRetransmits: 0));
            link.Peer.Send(4, PpidBinary, data, unordered: true, policy: 3, value: 0);
        }

        link.RunFor(TimeSpan.FromMilliseconds(500));
        link.LossToPeer = link.LossToUs = 0;
        link.Ours.Send(6, PpidString, "end"u8, link.Now);
        link.Peer.Send(6, PpidString, "end"u8);
        link.RunUntil(
            () => link.PeerMessages.Any(m => m.StreamId == 6) && link.OurMessages.Any(m => m.StreamId == 6) && link.Ours.FlightSize == 0,
            s_limit,
            "the reliable end message each way");
        foreach (UsrsctpMessage bad in link.PeerMessages.Where(m => m.StreamId == 4 && !sent.Contains(Hash(m.Data))))
        {
            // Say which message it came from (an orphaned tail fragment was how the FORWARD TSN bug showed).
            string from = string.Join(", ", sentList.Select((d, k) => (d, k)).Where(x => x.d.AsSpan().EndsWith(bad.Data)).Select(x => $"the tail of message #{x.k} ({x.d.Length} bytes)"));
            _output.WriteLine($"usrsctp delivered {bad.Data.Length} bytes we never sent as one message: {from}");
        }

        int atPeer = link.PeerMessages.Count(m => m.StreamId == 4);
        int atUs = link.OurMessages.Count(m => m.StreamId == 4);
        Assert.All(link.PeerMessages.Where(m => m.StreamId == 4), m => Assert.Contains(Hash(m.Data), sent));
        Assert.All(link.OurMessages.Where(m => m.StreamId == 4), m => Assert.Contains(Hash(m.Data), sent));
        Assert.Equal(atPeer, link.PeerMessages.Where(m => m.StreamId == 4).Select(m => Hash(m.Data)).Distinct().Count());
        Assert.Equal(atUs, link.OurMessages.Where(m => m.StreamId == 4).Select(m => Hash(m.Data)).Distinct().Count());
        // We deliver every message whose fragments all reached us (RFC 3758 §3.6 discards only incomplete
        // ones), and loss took some. A fragment that the link's reordering let a FORWARD TSN overtake arrives
        // below the new cumulative TSN and is a duplicate (§3.6), so its message does not count as complete
        // (the harness CI run of 2026-12-07 expected 83 and saw 82 before the link accounted for this). usrsctp 0.9.5 delivers fewer than reached it complete (84, 84 and 134
        // of 160 in three runs; the cause inside usrsctp is not established): it is held to delivering some,
        // each intact, and the count is reported.
        int completeToPeer = link.CompleteMessagesDelivered(toPeer: true, 4);
        int completeToUs = link.CompleteMessagesDelivered(toPeer: false, 4);
        _output.WriteLine(
            $"complete on the wire: to usrsctp {completeToPeer}, to us {completeToUs}; delivered: by usrsctp {atPeer}, by us {atUs}; " +
            $"DATA chunks arriving after a FORWARD TSN covered them: to usrsctp {link.ChunksCoveredOnArrival(true)}, to us {link.ChunksCoveredOnArrival(false)}");
        if (completeToUs != atUs)
        {
            // Say which complete messages we did not deliver, with every packet that carried their TSNs or a FORWARD TSN.
            var deliveredTags = link.OurMessages.Where(m => m.StreamId == 4 && m.Data.Length >= 4).Select(m => BinaryPrimitives.ReadInt32BigEndian(m.Data)).ToHashSet();
            foreach ((uint first, uint last, int tag) in link.CompleteMessagesOnWire(toPeer: false, 4).Where(m => m.Tag < 0 || !deliveredTags.Contains(m.Tag)))
            {
                _output.WriteLine($"complete on the wire but not delivered by us: message #{tag}, TSN {first}-{last}");
                string[] tsns = Enumerable.Range(0, (int)(last - first + 1)).Select(k => $"tsn={first + (uint)k} ").ToArray();
                foreach (string line in link.Trace!.Where(l => l.Contains("usrsctp->us", StringComparison.Ordinal) && (tsns.Any(x => l.Contains(x, StringComparison.Ordinal)) || l.Contains("FWD-TSN", StringComparison.Ordinal))))
                {
                    _output.WriteLine("  " + line);
                }
            }

            _output.WriteLine(link.Describe());
        }

        Assert.Equal(completeToUs, atUs);
        Assert.InRange(atUs, 1, 199);
        Assert.InRange(atPeer, 1, completeToPeer);
        Assert.True(link.Chunks(true, SctpChunkType.ForwardTsn) > 0 && link.Chunks(false, SctpChunkType.ForwardTsn) > 0, "FORWARD TSN both ways");
        _output.WriteLine($"delivered of 200: to usrsctp {atPeer}, to us {atUs}; FORWARD TSN ours {link.Chunks(true, SctpChunkType.ForwardTsn)}, usrsctp {link.Chunks(false, SctpChunkType.ForwardTsn)}; abandoned by us {link.Ours.Statistics.MessagesAbandoned}; {link.Summary()}");
    }

    /// <summary>
    /// Message interleaving (RFC 8260) negotiated off: only one side lists I-DATA (usrsctp through
    /// SCTP_INTERLEAVING_SUPPORTED, I-DATA and I-FORWARD-TSN in its Supported Extensions; we through
    /// <see cref="SctpAssociationOptions.EnableMessageInterleaving"/>), or neither, and RFC 8260 §2.2.1 uses I-DATA
    /// only when both list it: usrsctp reports interleaving off, no I-DATA chunk crosses, and a 64 KiB message with
    /// small ones on another stream still arrive both ways.
    /// </summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Interleaving_NegotiatedOffWithoutIData(bool usrsctpOffers, bool weOffer)
    {
        using var peer = new UsrsctpPeer(interleaving: usrsctpOffers);
        SctpLink link = Establish(peer, Opener.Usrsctp, seed: 8, interleaving: weOffer);
        byte[] offered = SupportedExtensions(link.PeerInitChunk!);
        Assert.Equal(usrsctpOffers, offered.Contains((byte)SctpChunkType.IData));
        Assert.Equal(usrsctpOffers, offered.Contains((byte)SctpChunkType.IForwardTsn));
        Assert.EndsWith("idata=0", link.PeerEvents.Single(e => e.StartsWith("up ", StringComparison.Ordinal)));
        Assert.False(link.Ours.MessageInterleaving);

        byte[] big = new byte[64 * 1024];
        new Random(8).NextBytes(big);
        link.Ours.Send(1, PpidBinary, big, link.Now);
        link.Peer.Send(1, PpidBinary, big);
        for (int i = 0; i < 5; i++)
        {
            link.Ours.Send(3, PpidString, [(byte)('a' + i)], link.Now);
            link.Peer.Send(3, PpidString, [(byte)('a' + i)]);
        }

        link.RunUntil(() => link.PeerMessages.Count == 6 && link.OurMessages.Count == 6, s_limit, "64 KiB and five small messages each way");
        Assert.Equal(Hash(big), Hash(link.PeerMessages.Single(m => m.StreamId == 1).Data));
        Assert.Equal(Hash(big), Hash(link.OurMessages.Single(m => m.StreamId == 1).Data));
        Assert.Equal("abcde", Encoding.ASCII.GetString(link.PeerMessages.Where(m => m.StreamId == 3).SelectMany(m => m.Data).ToArray()));
        Assert.Equal("abcde", Encoding.ASCII.GetString(link.OurMessages.Where(m => m.StreamId == 3).SelectMany(m => m.Data).ToArray()));
        Assert.Equal(0, link.Chunks(false, SctpChunkType.IData) + link.Chunks(true, SctpChunkType.IData));
        Assert.True(link.Chunks(false, SctpChunkType.Data) > 0);
    }

    /// <summary>
    /// Graceful shutdown (RFC 9260 §9.2) started by each side after data in flight both ways: the data is
    /// delivered first, SHUTDOWN / SHUTDOWN ACK / SHUTDOWN COMPLETE cross, we report a Shutdown close
    /// and usrsctp SCTP_SHUTDOWN_COMP (state 4). Then ABORT (§9.1) from each side on a fresh association:
    /// the other side reports it (usrsctp SCTP_COMM_LOST, state 2; us AbortedByPeer).
    /// </summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void ShutdownAndAbort_FromEachSide(bool weClose, bool abort)
    {
        using var peer = new UsrsctpPeer();
        SctpLink link = Establish(peer, Opener.Us, seed: 9);
        byte[] data = new byte[20_000];
        new Random(9).NextBytes(data);
        link.Ours.Send(1, PpidBinary, data, link.Now);
        link.Peer.Send(1, PpidBinary, data);
        if (abort)
        {
            link.RunUntil(() => link.PeerMessages.Count == 1 && link.OurMessages.Count == 1, s_limit, "data before the abort");
        }

        if (weClose && abort)
        {
            link.Ours.Abort("test", link.Now);
        }
        else if (weClose)
        {
            link.Ours.Shutdown(link.Now);
        }
        else if (abort)
        {
            link.Peer.Abort();
        }
        else
        {
            link.Peer.Shutdown();
        }

        string peerDown = abort ? "down 2" : "down 4";
        link.RunUntil(() => link.PeerSaw(peerDown) && link.OurEvents.OfType<SctpClosedEvent>().Any(), s_limit, abort ? "abort" : "shutdown");
        SctpClosedEvent closed = link.OurEvents.OfType<SctpClosedEvent>().Single();
        Assert.Equal(abort ? (weClose ? SctpCloseReason.AbortedLocally : SctpCloseReason.AbortedByPeer) : SctpCloseReason.Shutdown, closed.Reason);
        Assert.Equal(SctpAssociationState.Closed, link.Ours.State);
        Assert.DoesNotContain(link.PeerEvents, e => e.StartsWith("error", StringComparison.Ordinal));
        if (!abort)
        {
            Assert.Equal(Hash(data), Hash(link.PeerMessages.Single().Data));
            Assert.Equal(Hash(data), Hash(link.OurMessages.Single().Data));
            Assert.True(link.Chunks(weClose, SctpChunkType.Shutdown) > 0);
            Assert.True(link.Chunks(!weClose, SctpChunkType.ShutdownAck) > 0);
            Assert.True(link.Chunks(weClose, SctpChunkType.ShutdownComplete) > 0);
        }
        else
        {
            Assert.True(link.Chunks(weClose, SctpChunkType.Abort) > 0);
        }
    }

    /// <summary>
    /// Heartbeats (RFC 9260 §8.3) on an idle association, both sides with a 100 ms HB.interval: each
    /// answers the other's HEARTBEAT with a HEARTBEAT ACK echoing its info, and the association stays up
    /// (usrsctp would declare the path and the association failed after Path.Max.Retrans misses).
    /// </summary>
    [Fact]
    public void Heartbeats_BothWaysWhileIdle()
    {
        using var peer = new UsrsctpPeer(heartbeatMs: 100);
        var options = new SctpAssociationOptions
        {
            RtoInitial = TimeSpan.FromMilliseconds(200),
            RtoMin = TimeSpan.FromMilliseconds(100),
            RtoMax = TimeSpan.FromSeconds(1),
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            Random = new Random(10),
        };
        var link = new SctpLink(new SctpAssociation(options), peer, 10);
        link.RunUntil(() => link.PeerSaw("ready"), s_limit, "usrsctp-peer ready");
        link.Ours.Connect(link.Now);
        link.RunUntil(() => link.PeerSaw("up ") && link.OurEvents.OfType<SctpConnectedEvent>().Any(), s_limit, "association up");
        link.RunUntil(
            () => link.Chunks(true, SctpChunkType.HeartbeatAck) >= 3 && link.Chunks(false, SctpChunkType.HeartbeatAck) >= 3,
            s_limit,
            "three heartbeats answered each way");
        Assert.Equal(SctpAssociationState.Established, link.Ours.State);
        Assert.True(link.Ours.Statistics.HeartbeatsSent >= 3);
        Assert.DoesNotContain(link.PeerEvents, e => e.StartsWith("down", StringComparison.Ordinal));
        link.Ours.Send(1, PpidString, "still up"u8, link.Now);
        link.RunUntil(() => link.PeerMessages.Count == 1, s_limit, "a message after the idle time");
        _output.WriteLine($"heartbeats: ours {link.Chunks(true, SctpChunkType.Heartbeat)} (acked {link.Chunks(false, SctpChunkType.HeartbeatAck)}), usrsctp {link.Chunks(false, SctpChunkType.Heartbeat)} (acked {link.Chunks(true, SctpChunkType.HeartbeatAck)}); {link.Summary()}");
    }

    private static SctpAssociationOptions Options(int seed, bool interleaving = true, int maxMessageSize = 256 * 1024) => new()
    {
        RtoInitial = TimeSpan.FromMilliseconds(200),
        RtoMin = TimeSpan.FromMilliseconds(100),
        RtoMax = TimeSpan.FromSeconds(1),
        DelayedAckTimeout = TimeSpan.FromMilliseconds(20),
        Random = new Random(seed),
        EnableMessageInterleaving = interleaving,
        MaxMessageSize = maxMessageSize,
        ReceiveBufferSize = Math.Max(1024 * 1024, 2 * maxMessageSize),
    };

    private static SctpLink Establish(UsrsctpPeer peer, Opener opener, int seed, bool interleaving = true, int maxMessageSize = 256 * 1024)
    {
        var link = new SctpLink(new SctpAssociation(Options(seed, interleaving, maxMessageSize)), peer, seed);
        link.RunUntil(() => link.PeerSaw("ready"), s_limit, "usrsctp-peer ready");
        if (opener is Opener.Us or Opener.Both)
        {
            link.Ours.Connect(link.Now);
        }

        if (opener is Opener.Usrsctp or Opener.Both)
        {
            peer.Connect();
        }

        link.RunUntil(() => link.PeerSaw("up ") && link.OurEvents.OfType<SctpConnectedEvent>().Any(), s_limit, $"association up ({opener} opens)");
        return link;
    }

    /// <summary>Messages of sizes 0 to 64 KiB (fragmentation edges first, then random), PPIDs for string, binary and empty.</summary>
    private static List<(uint Ppid, byte[] Data)> Messages(int seed, int count)
    {
        var rng = new Random(seed);
        int[] edges = [0, 1, 2, 100, 1171, 1172, 1173, 1184, 1185, 2400, 4096, 16384, 65535, 65536];
        var list = new List<(uint, byte[])>();
        for (int i = 0; i < count; i++)
        {
            int size = i < edges.Length ? edges[i] : rng.Next(0, 65537);
            bool text = rng.Next(2) == 0;
            if (size == 0)
            {
                list.Add((text ? PpidStringEmpty : PpidBinaryEmpty, [0]));
                continue;
            }

            byte[] data = new byte[size];
            if (text)
            {
                for (int j = 0; j < size; j++)
                {
                    data[j] = (byte)rng.Next(0x20, 0x7F);
                }
            }
            else
            {
                rng.NextBytes(data);
            }

            list.Add((text ? PpidString : PpidBinary, data));
        }

        return list;
    }

    private static byte[] DcepOpen(byte channelType, ushort priority, uint reliability, string label, string protocol)
    {
        // RFC 8832 §5.1: type 0x03, channel type, priority, reliability parameter, label length, protocol length, label, protocol.
        byte[] l = Encoding.UTF8.GetBytes(label);
        byte[] p = Encoding.UTF8.GetBytes(protocol);
        byte[] m = new byte[12 + l.Length + p.Length];
        m[0] = 0x03;
        m[1] = channelType;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), priority);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), reliability);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(8), (ushort)l.Length);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(10), (ushort)p.Length);
        l.CopyTo(m, 12);
        p.CopyTo(m, 12 + l.Length);
        return m;
    }

    /// <summary>The chunk types of the Supported Extensions parameter (RFC 5061 §4.2.7, type 0x8008) in an INIT or INIT ACK chunk.</summary>
    private static byte[] SupportedExtensions(byte[] initChunk)
    {
        int offset = 4 + 16;
        while (offset + 4 <= initChunk.Length)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(initChunk.AsSpan(offset));
            ushort length = BinaryPrimitives.ReadUInt16BigEndian(initChunk.AsSpan(offset + 2));
            if (length < 4 || offset + length > initChunk.Length)
            {
                break;
            }

            if (type == 0x8008)
            {
                return initChunk[(offset + 4)..(offset + length)];
            }

            offset += (length + 3) & ~3;
        }

        return [];
    }

    private static bool HasData(byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) != SctpParseStatus.Ok)
        {
            return false;
        }

        foreach (SctpChunk c in p.Chunks)
        {
            if (c.Type is SctpChunkType.Data or SctpChunkType.IData)
            {
                return true;
            }
        }

        return false;
    }

    private static int CountInversions(List<(uint Ppid, byte[] Data)> sent, List<byte[]> received)
    {
        var order = new Dictionary<string, int>();
        for (int i = 0; i < sent.Count; i++)
        {
            order.TryAdd(Hash(sent[i].Data), i);
        }

        int inversions = 0;
        for (int i = 1; i < received.Count; i++)
        {
            if (order[Hash(received[i])] < order[Hash(received[i - 1])])
            {
                inversions++;
            }
        }

        return inversions;
    }

    private static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data));
}
