using System.Buffers.Binary;

namespace RtcStack.Srtp.Tests;

/// <summary>
/// The per-SSRC cryptographic context of RFC 3711 §3.2.1 at its edges: one context per SSRC and
/// direction, its ROC and s_l, its SRTCP index, and the buffer and length limits of the API
/// (issue 21: each test here was written against a mutant the earlier tests let survive).
/// </summary>
public class StreamStateTests
{
    private static readonly SrtpProfile Profile = SrtpProfile.Aes128CmHmacSha1_80;

    private static byte[] Protect(SrtpContext tx, uint ssrc, ushort seq, int payload = 20)
    {
        byte[] buf = Packets.WithRoom(Packets.Rtp(ssrc, seq, payload));
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 12 + payload, out int n));
        return buf[..n];
    }

    [Fact]
    public void Interleaved_ssrcs_keep_separate_contexts_in_both_directions()
    {
        // RFC 3711 §3.2.1/§3.2.3: the context is per SSRC; the ROC of one stream is not another's.
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        var wire = new List<byte[]>();
        for (int i = 0; i < 6; i++)
        {
            wire.Add(Protect(tx, 0xA, (ushort)(65533 + i)));   // wraps: ROC 1 at the end
            wire.Add(Protect(tx, 0xB, (ushort)(100 + i)));     // stays in ROC 0
        }

        Assert.Equal(2, tx.GetStreamCount(SrtpDirection.Outbound));
        Assert.True(tx.TryGetRoc(SrtpDirection.Outbound, 0xA, out uint rocA) && rocA == 1);
        Assert.True(tx.TryGetRoc(SrtpDirection.Outbound, 0xB, out uint rocB) && rocB == 0);
        foreach (byte[] w in wire)
        {
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(w, w.Length, out _));
        }

        Assert.Equal(2, rx.GetStreamCount(SrtpDirection.Inbound));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0xA, out SrtpStreamStatistics a));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0xB, out SrtpStreamStatistics b));
        Assert.Equal((1u, (ushort)2, 6L), (a.Roc, a.HighestSequenceNumber, a.RtpPackets));
        Assert.Equal((0u, (ushort)105, 6L), (b.Roc, b.HighestSequenceNumber, b.RtpPackets));

        // Each SSRC has its own replay list: B's index 100 is a replay, A's index 100 would be new.
        byte[] replay = (byte[])wire[1].Clone();
        Assert.Equal(SrtpStatus.Replayed, rx.UnprotectRtp(replay, replay.Length, out _));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0xB, out b) && b.ReplaysRejected == 1);
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0xA, out a) && a.ReplaysRejected == 0);
    }

    [Fact]
    public void Statistics_count_packets_and_plain_bytes_per_direction()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        byte[] p1 = Protect(tx, 7, 10, payload: 20);
        byte[] p2 = Protect(tx, 7, 11, payload: 100);
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(7, 24));
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(rtcp, 32, out int rn));

        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 7, out SrtpStreamStatistics o));
        Assert.Equal(new SrtpStreamStatistics(7, 0, 11, 2, 32 + 112, 1, 0, 0), o);

        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p1, p1.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p2, p2.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(rtcp, rn, out _));
        byte[] forged = Protect(tx, 7, 12);
        forged[^1] ^= 1;
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(forged, forged.Length, out _));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 7, out SrtpStreamStatistics i));
        Assert.Equal(new SrtpStreamStatistics(7, 0, 11, 2, 32 + 112, 1, 1, 0), i);

        Assert.False(rx.TryGetStatistics(SrtpDirection.Outbound, 7, out SrtpStreamStatistics none));
        Assert.Equal(default, none);
        Assert.False(rx.TryGetRoc(SrtpDirection.Inbound, 8, out uint roc));
        Assert.Equal(0u, roc);
    }

    [Fact]
    public void The_sender_s_s_l_is_the_highest_sequence_number_sent()
    {
        // RFC 3711 §3.3.1: s_l is the highest sequence number; an older one sent later (e.g. a
        // retransmission in the same stream) neither lowers it nor changes the ROC.
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        Protect(tx, 3, 1000);
        Protect(tx, 3, 990);
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 3, out SrtpStreamStatistics s));
        Assert.Equal((ushort)1000, s.HighestSequenceNumber);
        Protect(tx, 3, 40000);
        Protect(tx, 3, 10);   // 2^15 + 1 ahead of 40000 modulo 2^16: the next ROC (Appendix A)
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 3, out s));
        Assert.Equal((1u, (ushort)10), (s.Roc, s.HighestSequenceNumber));
    }

    [Fact]
    public void Before_the_first_wrap_a_jump_of_more_than_half_the_sequence_space_stays_in_roc_0()
    {
        // RFC 3711 Appendix A would guess ROC - 1 for SEQ 65000 after s_l = 100; in ROC 0 there is no
        // earlier ROC, so both sides take ROC 0 (specs/rfc3711.md, "Index estimation before ROC 1", as libsrtp).
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        byte[] a = Protect(tx, 2, 100);
        byte[] b = Protect(tx, 2, 65000);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(a, a.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(b, b.Length, out _));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 2, out SrtpStreamStatistics s));
        Assert.Equal((0u, (ushort)65000), (s.Roc, s.HighestSequenceNumber));
        Assert.Equal(0UL << 16 | 65000, SrtpStream.Estimate(100, 65000));
        Assert.Equal((5UL << 16) | 65000, SrtpStream.Estimate((6UL << 16) | 100, 65000));
    }

    [Fact]
    public void Adding_an_existing_stream_keeps_it_and_the_roc_given_first_is_used()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt, new SrtpOptions { StrictSsrc = true });
        tx.AddStream(SrtpDirection.Outbound, 5, roc: 7);
        tx.AddStream(SrtpDirection.Outbound, 5, roc: 9);
        Assert.True(tx.TryGetRoc(SrtpDirection.Outbound, 5, out uint roc) && roc == 7);
        Assert.Equal(1, tx.GetStreamCount(SrtpDirection.Outbound));
        Assert.Equal(0, tx.GetStreamCount(SrtpDirection.Inbound));
        byte[] w = Protect(tx, 5, 300);

        rx.AddStream(SrtpDirection.Inbound, 5, roc: 7);
        rx.AddStream(SrtpDirection.Inbound, 5);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(w, w.Length, out _));
        Assert.True(rx.TryGetRoc(SrtpDirection.Inbound, 5, out roc) && roc == 7);
    }

    [Fact]
    public void Setting_the_roc_of_a_running_stream_keeps_s_l_and_restarts_the_replay_list()
    {
        // RFC 3711 §3.3.1: a receiver that learns the ROC out of band continues from s_l in that ROC.
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        byte[] first = Protect(tx, 4, 999);
        byte[] second = Protect(tx, 4, 1000);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(first, first.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(second, second.Length, out _));

        tx.SetRoc(SrtpDirection.Outbound, 4, 3);
        rx.SetRoc(SrtpDirection.Inbound, 4, 3);
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 4, out SrtpStreamStatistics s));
        Assert.Equal((3u, (ushort)1000), (s.Roc, s.HighestSequenceNumber));
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 4, out s));
        Assert.Equal((3u, (ushort)1000), (s.Roc, s.HighestSequenceNumber));

        // 999 in ROC 3 is inside the new window and was never received (999 in ROC 0 was: a
        // different index, RFC 3711 §3.3.2), 1001 is ahead.
        byte[] late = Protect(tx, 4, 999);
        byte[] next = Protect(tx, 4, 1001);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(late, late.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(next, next.Length, out _));
        Assert.True(rx.TryGetRoc(SrtpDirection.Inbound, 4, out uint roc) && roc == 3);
    }

    [Fact]
    public void A_removed_stream_starts_afresh_in_both_directions()
    {
        // A BYE ends the stream; a later stream with the same SSRC has a new context.
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        tx.SetRoc(SrtpDirection.Outbound, 6, 2);
        byte[] w = Protect(tx, 6, 50);
        rx.SetRoc(SrtpDirection.Inbound, 6, 2);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(w.ToArray(), w.Length, out _));
        Assert.Equal(SrtpStatus.Replayed, rx.UnprotectRtp(w.ToArray(), w.Length, out _));
        Assert.True(tx.RemoveStream(SrtpDirection.Outbound, 6));
        Assert.False(tx.RemoveStream(SrtpDirection.Outbound, 6));
        Assert.Equal(0, tx.GetStreamCount(SrtpDirection.Outbound));

        // The new outbound stream starts at ROC 0 and counts from zero.
        Protect(tx, 6, 51);
        Assert.Equal(1, tx.GetStreamCount(SrtpDirection.Outbound));
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 6, out SrtpStreamStatistics s));
        Assert.Equal((0u, 1L), (s.Roc, s.RtpPackets));

        // The receiver forgets the replay list: the same packet is new to the new context (with
        // its ROC told again, since a new context starts at ROC 0).
        Assert.True(rx.RemoveStream(SrtpDirection.Inbound, 6));
        Assert.Equal(0, rx.GetStreamCount(SrtpDirection.Inbound));
        rx.SetRoc(SrtpDirection.Inbound, 6, 2);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(w.ToArray(), w.Length, out _));
        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 6, out s));
        Assert.Equal(1L, s.RtpPackets);

        // Removing an inbound stream leaves the outbound one of the same SSRC alone, and back.
        Protect(tx, 9, 1);
        rx.AddStream(SrtpDirection.Inbound, 9);
        Assert.True(tx.RemoveStream(SrtpDirection.Outbound, 9));
        Assert.True(rx.RemoveStream(SrtpDirection.Inbound, 9));
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 6, out _));
    }

    [Fact]
    public void A_removed_inbound_stream_that_was_the_last_used_is_not_reused()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        byte[] a = Protect(tx, 1, 10);
        byte[] again = (byte[])a.Clone();
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(a, a.Length, out _));
        Assert.True(rx.RemoveStream(SrtpDirection.Inbound, 1));

        // Had the removed context been kept as the last one used, this would be a replay.
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(again, again.Length, out _));
        Assert.Equal(1, rx.GetStreamCount(SrtpDirection.Inbound));
    }

    [Fact]
    public void A_removed_outbound_stream_that_was_the_last_used_is_not_reused()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        Protect(tx, 1, 10);
        Assert.True(tx.RemoveStream(SrtpDirection.Outbound, 1));
        Protect(tx, 1, 11);
        Assert.Equal(1, tx.GetStreamCount(SrtpDirection.Outbound));
        Assert.True(tx.TryGetStatistics(SrtpDirection.Outbound, 1, out SrtpStreamStatistics s));
        Assert.Equal(1L, s.RtpPackets);
    }

    [Fact]
    public void Srtcp_indices_count_up_per_ssrc_and_the_receiver_accepts_them_in_any_order_once()
    {
        // RFC 3711 §3.4: the SRTCP index is a per-stream counter starting at 0; §3.3.2 applies to it.
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        using var rx = new SrtpContext(Profile, key, salt);
        var wire = new List<byte[]>();
        for (int i = 0; i < 4; i++)
        {
            foreach (uint ssrc in new uint[] { 0x10, 0x20 })
            {
                byte[] b = Packets.WithRoom(Packets.Rtcp(ssrc));
                Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(b, 32, out int n));
                Assert.Equal((uint)i | 0x8000_0000u, BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(32)));
                wire.Add(b[..n]);
            }
        }

        Assert.Equal(8, tx.SrtcpPacketsProtected);
        foreach (int i in new[] { 7, 0, 5, 2, 1, 6, 3, 4 })
        {
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire[i].ToArray(), wire[i].Length, out _));
        }

        foreach (byte[] w in wire)
        {
            Assert.Equal(SrtpStatus.Replayed, rx.UnprotectRtcp(w.ToArray(), w.Length, out _));
        }

        Assert.True(rx.TryGetStatistics(SrtpDirection.Inbound, 0x10, out SrtpStreamStatistics s));
        Assert.Equal((4L, 4L), (s.RtcpPackets, s.ReplaysRejected));
    }

    [Fact]
    public void The_srtcp_index_is_31_bits()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        using var tx = new SrtpContext(Profile, key, salt);
        Assert.Throws<ArgumentOutOfRangeException>(() => tx.SetNextSrtcpIndex(1, 0x8000_0000));
        tx.SetNextSrtcpIndex(1, 0x7FFF_FFFF);
        Assert.Equal(0, tx.GetStreamCount(SrtpDirection.Inbound));
        Assert.Equal(1, tx.GetStreamCount(SrtpDirection.Outbound));
    }

    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void A_header_only_rtcp_packet_and_exact_buffers_are_accepted(SrtpProfile profile)
    {
        // RFC 3550 §6.4.2: a receiver report with no report blocks is the 8-byte header alone; RFC
        // 3711 §3.4 then encrypts nothing and authenticates the header and the index word.
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);
        byte[] rr = Packets.Rtcp(0x42, extra: 0);
        var exact = new byte[8 + tx.RtcpOverhead];
        rr.CopyTo(exact, 0);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(exact, 8, out int n));
        Assert.Equal(exact.Length, n);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(exact.ToArray(), n, out int m));
        Assert.Equal(8, m);
        var plain = new byte[8];
        rr = Packets.Rtcp(0x42, extra: 0);
        var wire = new byte[8 + tx.RtcpOverhead];
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(rr, wire, out n));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire, plain, out m));
        Assert.Equal(8, m);
        Assert.Equal(rr, plain);

        // RTP: room for exactly the tag, and a copy destination of exactly the plain length.
        byte[] rtp = Packets.Rtp(0x42, 1, 30);
        var tight = new byte[rtp.Length + tx.RtpOverhead];
        rtp.CopyTo(tight, 0);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(tight, rtp.Length, out n));
        Assert.Equal(tight.Length, n);
        var back = new byte[rtp.Length];
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(tight, back, out m));
        Assert.Equal(rtp, back[..m]);
        Assert.Equal(SrtpStatus.BufferTooSmall, tx.ProtectRtcp(Packets.Rtcp(0x42), new byte[32 + tx.RtcpOverhead - 1], out _));
        Assert.Equal(SrtpStatus.BufferTooSmall, rx.UnprotectRtcp(wire, new byte[7], out _));
    }

    [Fact]
    public void Cryptex_insertion_needs_exactly_four_more_bytes()
    {
        // RFC 9335 §4: CSRCs without an extension get a 4-byte empty 0xC0DE extension.
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.AeadAes128Gcm);
        using var tx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt, new SrtpOptions { Cryptex = true });
        using var rx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt, new SrtpOptions { Cryptex = true });
        byte[] rtp = Packets.Rtp(1, 1, 10, csrcCount: 2);
        var buf = new byte[rtp.Length + 4 + tx.RtpOverhead];
        rtp.CopyTo(buf, 0);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, rtp.Length, out int n));
        Assert.Equal(buf.Length, n);
        Assert.Equal(0xC0DE_0000u, BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(20)));
        Assert.Equal(0x90 | 2, buf[0]);
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(buf, n, out int m));
        Assert.Equal(rtp.Length + 4, m);
    }

    [Fact]
    public void A_disposed_context_refuses_every_call()
    {
        (byte[] key, byte[] salt) = Packets.Keys(Profile);
        var ctx = new SrtpContext(Profile, key, salt);
        ctx.Dispose();
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.AddStream(SrtpDirection.Inbound, 1));
        Assert.Throws<ObjectDisposedException>(() => ctx.ProtectRtp(new byte[100], 20, out _));
        Assert.Throws<ObjectDisposedException>(() => ctx.UnprotectRtp(new byte[100], 40, out _));
        Assert.Throws<ObjectDisposedException>(() => ctx.ProtectRtcp(new byte[100], 20, out _));
        Assert.Throws<ObjectDisposedException>(() => ctx.UnprotectRtcp(new byte[100], 40, out _));
    }
}
