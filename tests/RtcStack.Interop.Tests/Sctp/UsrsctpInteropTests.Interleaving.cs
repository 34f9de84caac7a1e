using System.Text;
using RtcStack.Sctp;
using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Interop.Tests.Sctp;

/// <summary>
/// Message interleaving (RFC 8260 I-DATA, I-FORWARD-TSN) negotiated on against usrsctp: the peer program runs with
/// --idata (SCTP_INTERLEAVING_SUPPORTED and SCTP_FRAGMENT_INTERLEAVE level 2) and our association offers I-DATA
/// (its default). Partial reliability with I-FORWARD-TSN is covered by <see cref="PartialReliability_WithLoss"/>.
/// </summary>
public sealed partial class UsrsctpInteropTests
{
    /// <summary>
    /// RFC 8260 §2.2.1 negotiated on, whoever opens: both sides list I-DATA and I-FORWARD-TSN, usrsctp reports
    /// interleaving on (SCTP_ASSOC_SUPPORTS_INTERLEAVING), and then ordered messages of every fragmentation size on
    /// one stream and unordered ones on another cross both ways with some reordering, in I-DATA chunks only (never
    /// DATA, §2.2.1): delivered intact, the ordered ones in order, the unordered ones flagged so.
    /// </summary>
    [Theory]
    [InlineData(Opener.Us)]
    [InlineData(Opener.Usrsctp)]
    [InlineData(Opener.Both)]
    public void Interleaving_NegotiatedOn_OrderedAndUnorderedBothWays(Opener opener)
    {
        using var peer = new UsrsctpPeer(interleaving: true);
        SctpLink link = Establish(peer, opener, seed: 20 + (int)opener);
        Assert.Equal("up out=1024 in=1024 pr=1 reconfig=1 idata=1", link.PeerEvents.Single(e => e.StartsWith("up ", StringComparison.Ordinal)));
        Assert.True(link.Ours.MessageInterleaving);
        Assert.True(link.Ours.PeerSupportsPartialReliability);
        byte[] offered = SupportedExtensions(link.PeerInitChunk!);
        Assert.Contains((byte)SctpChunkType.IData, offered);
        Assert.Contains((byte)SctpChunkType.IForwardTsn, offered);

        link.Reorder = 0.1;
        List<(uint Ppid, byte[] Data)> ordered = Messages(seed: 21, count: 30);
        List<(uint Ppid, byte[] Data)> unordered = Messages(seed: 22, count: 20);
        foreach ((uint ppid, byte[] data) in ordered)
        {
            link.Ours.Send(1, ppid, data, link.Now);
            link.Peer.Send(1, ppid, data);
        }

        foreach ((uint ppid, byte[] data) in unordered)
        {
            link.Ours.Send(5, ppid, data, link.Now, new SctpSendOptions(Unordered: true));
            link.Peer.Send(5, ppid, data, unordered: true);
        }

        int total = ordered.Count + unordered.Count;
        link.RunUntil(() => link.PeerMessages.Count == total && link.OurMessages.Count == total, s_limit, "50 messages each way");
        Assert.Equal(ordered.Select(m => m.Ppid + ":" + Hash(m.Data)), link.PeerMessages.Where(m => m.StreamId == 1).Select(m => m.Ppid + ":" + Hash(m.Data)));
        Assert.Equal(ordered.Select(m => m.Ppid + ":" + Hash(m.Data)), link.OurMessages.Where(m => m.StreamId == 1).Select(m => m.PayloadProtocol + ":" + Hash(m.Data)));
        string[] expected = unordered.Select(m => m.Ppid + ":" + Hash(m.Data)).Order().ToArray();
        Assert.Equal(expected, link.PeerMessages.Where(m => m.StreamId == 5).Select(m => m.Ppid + ":" + Hash(m.Data)).Order());
        Assert.Equal(expected, link.OurMessages.Where(m => m.StreamId == 5).Select(m => m.PayloadProtocol + ":" + Hash(m.Data)).Order());
        Assert.All(link.PeerMessages, m => Assert.Equal(m.StreamId == 5, m.Unordered));
        Assert.All(link.OurMessages, m => Assert.Equal(m.StreamId == 5, m.Unordered));
        Assert.True(link.Chunks(true, SctpChunkType.IData) > 0 && link.Chunks(false, SctpChunkType.IData) > 0, "I-DATA both ways");
        Assert.Equal(0, link.Chunks(true, SctpChunkType.Data) + link.Chunks(false, SctpChunkType.Data));
        _output.WriteLine($"{opener} opens: I-DATA chunks to usrsctp {link.Chunks(true, SctpChunkType.IData)}, from usrsctp {link.Chunks(false, SctpChunkType.IData)}; {link.Summary()}");
    }

    /// <summary>
    /// The point of RFC 8260: a 512 KiB message on stream 1, then 20 small messages on stream 2, from each side. Ours
    /// (round-robin scheduler, one fragment per stream per turn) puts the small messages between the large one's
    /// fragments, and usrsctp delivers every small message before the large one completes. From usrsctp, we reassemble
    /// whatever interleaving it sends by (stream, MID) and deliver everything intact; the order we deliver in is that of
    /// completion on the wire, checked against the I-DATA chunks usrsctp sent.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Interleaving_LargeMessageAndSmallOnes(bool weSend)
    {
        using var peer = new UsrsctpPeer(interleaving: true);
        SctpLink link = Establish(peer, Opener.Both, seed: 24, maxMessageSize: 1024 * 1024);
        byte[] big = new byte[512 * 1024];
        new Random(24).NextBytes(big);
        var smallChunkTsns = new List<uint>();
        uint? bigLastTsn = null;
        if (weSend)
        {
            link.Ours.Send(1, PpidBinary, big, link.Now);
        }
        else
        {
            link.Peer.Send(1, PpidBinary, big);
        }

        for (int i = 0; i < 20; i++)
        {
            if (weSend)
            {
                link.Ours.Send(2, PpidString, [(byte)('A' + i)], link.Now);
            }
            else
            {
                link.Peer.Send(2, PpidString, [(byte)('A' + i)]);
            }
        }

        link.RunUntil(() => (weSend ? link.PeerMessages.Count : link.OurMessages.Count) == 21, s_limit, "the large message and 20 small ones");
        List<(ushort Sid, byte[] Data)> got = weSend
            ? link.PeerMessages.Select(m => (m.StreamId, m.Data)).ToList()
            : link.OurMessages.Select(m => (m.StreamId, m.Data)).ToList();
        int bigAt = got.FindIndex(m => m.Sid == 1);
        Assert.Equal(Hash(big), Hash(got[bigAt].Data));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)('A' + i)), got.Where(m => m.Sid == 2).Select(m => m.Data[0]));
        foreach ((uint tsn, ushort sid, byte flags) in link.DeliveredIData(toPeer: weSend))
        {
            if (sid == 2)
            {
                smallChunkTsns.Add(tsn);
            }
            else if (sid == 1 && (flags & DataChunk.EndingFlag) != 0)
            {
                bigLastTsn = tsn;
            }
        }

        int smallBeforeBigEnds = bigLastTsn is uint last ? smallChunkTsns.Count(t => (int)(t - last) < 0) : -1;
        _output.WriteLine($"{(weSend ? "we send" : "usrsctp sends")}: the large message delivered {bigAt}th of 21; small I-DATA chunks sent before the large one's last fragment: {smallBeforeBigEnds} of {smallChunkTsns.Count}; {link.Summary()}");
        Assert.NotNull(bigLastTsn);
        Assert.Equal(20, smallChunkTsns.Distinct().Count());
        if (weSend)
        {
            // Our scheduler: every small message goes out before the large message's last fragment and usrsctp delivers them first.
            Assert.Equal(20, smallBeforeBigEnds);
            Assert.Equal(20, bigAt);
        }
        else
        {
            // Whatever usrsctp's scheduler did, we deliver each small message as soon as it is complete: before the large
            // message exactly when its chunk was sent before the large message's last fragment.
            Assert.Equal(smallBeforeBigEnds, bigAt);
        }
    }

    /// <summary>
    /// I-DATA reassembly and retransmission both ways under 10 % random loss and 10 % reordering in each direction:
    /// about 512 KiB each way in messages up to 32 KiB on two ordered streams and one unordered stream, all at once
    /// (so fragments of different messages interleave on the wire). Every message arrives intact on both sides, the
    /// ordered streams in order, and nothing is left in flight or buffered.
    /// </summary>
    [Fact]
    public void Interleaving_WithLossAndReordering_BothWays()
    {
        using var peer = new UsrsctpPeer(interleaving: true);
        SctpLink link = Establish(peer, Opener.Both, seed: 25);
        Assert.True(link.Ours.MessageInterleaving);
        link.LossToPeer = link.LossToUs = 0.1;
        link.Reorder = 0.1;
        var rng = new Random(25);
        var sent = new List<(ushort Sid, byte[] Data)>();
        int total = 0;
        while (total < 512 * 1024)
        {
            byte[] data = new byte[rng.Next(1, 32 * 1024)];
            rng.NextBytes(data);
            ushort sid = (ushort)(1 + rng.Next(3));
            sent.Add((sid, data));
            total += data.Length;
        }

        foreach ((ushort sid, byte[] data) in sent)
        {
            link.Ours.Send(sid, PpidBinary, data, link.Now, new SctpSendOptions(Unordered: sid == 3));
            link.Peer.Send(sid, PpidBinary, data, unordered: sid == 3);
        }

        TimeSpan start = link.Now;
        link.RunUntil(() => link.PeerMessages.Count == sent.Count && link.OurMessages.Count == sent.Count, TimeSpan.FromSeconds(60), "512 KiB each way with 10 % loss");
        foreach (ushort sid in new ushort[] { 1, 2, 3 })
        {
            List<string> expected = sent.Where(m => m.Sid == sid).Select(m => Hash(m.Data)).ToList();
            List<string> atPeer = link.PeerMessages.Where(m => m.StreamId == sid).Select(m => Hash(m.Data)).ToList();
            List<string> atUs = link.OurMessages.Where(m => m.StreamId == sid).Select(m => Hash(m.Data)).ToList();
            if (sid == 3)
            {
                Assert.Equal(expected.Order(), atPeer.Order());
                Assert.Equal(expected.Order(), atUs.Order());
            }
            else
            {
                Assert.Equal(expected, atPeer);
                Assert.Equal(expected, atUs);
            }
        }

        link.RunUntil(() => link.Ours.FlightSize == 0 && link.Ours.BufferedAmount == 0, s_limit, "nothing left in flight");
        Assert.Equal(0, link.Ours.ReceiveBufferedBytes);
        Assert.Equal(0, link.Chunks(true, SctpChunkType.Data) + link.Chunks(false, SctpChunkType.Data));
        Assert.True(link.Ours.Statistics.Retransmissions > 0);
        _output.WriteLine($"{sent.Count} messages, {total} bytes each way in {(link.Now - start).TotalSeconds:F2} s; {link.Summary()}");
    }
}
