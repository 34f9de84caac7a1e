using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace RtcStack.Srtp.Tests;

/// <summary>FsCheck properties of the transforms and the stream state (issue #3, "Proof").</summary>
public class PropertyTests
{
    private static readonly SrtpProfile[] s_profiles = SrtpProfileExtensions.All.ToArray();

    [Property(MaxTest = 300)]
    public bool Unprotect_of_protect_is_the_identity(byte profileIndex, ushort seq, uint ssrc, byte csrcs, sbyte extWords, ushort payload, int seed)
    {
        SrtpProfile profile = s_profiles[profileIndex % s_profiles.Length];
        (byte[] key, byte[] salt) = Packets.Keys(profile, seed);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);
        byte[] plain = Packets.Rtp(ssrc, seq, payload % 1401, csrcs % 16, extWords % 16, fill: (byte)seed);
        byte[] buf = Packets.WithRoom(plain);
        bool rtpOk = tx.ProtectRtp(buf, plain.Length, out int n) == SrtpStatus.Ok
            && rx.UnprotectRtp(buf, n, out int m) == SrtpStatus.Ok
            && buf.AsSpan(0, m).SequenceEqual(plain);

        byte[] rtcp = Packets.Rtcp(ssrc, payload % 1000, (byte)seed);
        byte[] rbuf = Packets.WithRoom(rtcp);
        bool rtcpOk = tx.ProtectRtcp(rbuf, rtcp.Length, out int rn) == SrtpStatus.Ok
            && rx.UnprotectRtcp(rbuf, rn, out int rm) == SrtpStatus.Ok
            && rbuf.AsSpan(0, rm).SequenceEqual(rtcp);
        return rtpOk && rtcpOk;
    }

    [Property(MaxTest = 300)]
    public bool Any_single_flipped_bit_is_rejected_and_changes_nothing(byte profileIndex, ushort seq, ushort payload, int bitSeed, bool rtcp, int seed)
    {
        SrtpProfile profile = s_profiles[profileIndex % s_profiles.Length];
        (byte[] key, byte[] salt) = Packets.Keys(profile, seed);
        using var tx = new SrtpContext(profile, key, salt);
        using var rx = new SrtpContext(profile, key, salt);

        // The receiver already knows the stream, so a flip must not move its ROC or window.
        byte[] first = Packets.WithRoom(Packets.Rtp(77, (ushort)(seq - 1), 10));
        tx.ProtectRtp(first, 22, out int fn);
        rx.UnprotectRtp(first, fn, out _);
        byte[] firstRtcp = Packets.WithRoom(Packets.Rtcp(77));
        tx.ProtectRtcp(firstRtcp, 32, out int frn);
        rx.UnprotectRtcp(firstRtcp, frn, out _);
        rx.TryGetStatistics(SrtpDirection.Inbound, 77, out SrtpStreamStatistics before);

        byte[] plain = rtcp ? Packets.Rtcp(77, payload % 600) : Packets.Rtp(77, seq, payload % 600);
        byte[] buf = Packets.WithRoom(plain);
        int n;
        if (rtcp)
        {
            tx.ProtectRtcp(buf, plain.Length, out n);
        }
        else
        {
            tx.ProtectRtp(buf, plain.Length, out n);
        }

        byte[] genuine = buf[..n];
        int bit = (int)((uint)bitSeed % (uint)(n * 8));
        buf[bit / 8] ^= (byte)(1 << (bit % 8));
        byte[] forged = buf[..n];
        SrtpStatus status = rtcp ? rx.UnprotectRtcp(buf, n, out _) : rx.UnprotectRtp(buf, n, out _);
        rx.TryGetStatistics(SrtpDirection.Inbound, 77, out SrtpStreamStatistics after);

        // Changing nothing: the bytes, the ROC and s_l; and the genuine packet still goes through.
        bool unchanged = buf.AsSpan(0, n).SequenceEqual(forged) && after.Roc == before.Roc && after.HighestSequenceNumber == before.HighestSequenceNumber
            && after.RtpPackets == before.RtpPackets && after.RtcpPackets == before.RtcpPackets;
        SrtpStatus genuineStatus = rtcp ? rx.UnprotectRtcp(genuine, n, out _) : rx.UnprotectRtp(genuine, n, out _);
        return status != SrtpStatus.Ok && unchanged && genuineStatus == SrtpStatus.Ok;
    }

    [Property(MaxTest = 200)]
    public bool Replays_and_packets_older_than_the_window_are_rejected_reordering_inside_is_accepted_once(ushort start, byte windowChoice, int seed)
    {
        int window = 64 << (windowChoice % 5);
        var rng = new Random(seed);
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_32, seed);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_32, key, salt);
        using var rx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_32, key, salt, new SrtpOptions { ReplayWindowSize = window });
        int count = window + 40;
        var wire = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            byte[] b = Packets.WithRoom(Packets.Rtp(5, (ushort)(start + i), 8));
            tx.ProtectRtp(b, 20, out int n);
            wire[i] = b[..n];
        }

        // Deliver the newest first, then everything inside the window in random order (twice each).
        int newest = count - 1;
        var accepted = new HashSet<int>();
        if (rx.UnprotectRtp(wire[newest].ToArray(), wire[newest].Length, out _) != SrtpStatus.Ok)
        {
            return false;
        }

        accepted.Add(newest);
        int[] order = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).ToArray();
        foreach (int i in order.Concat(order))
        {
            SrtpStatus s = rx.UnprotectRtp(wire[i].ToArray(), wire[i].Length, out _);
            SrtpStatus expected = newest - i >= window ? SrtpStatus.TooOld : accepted.Contains(i) ? SrtpStatus.Replayed : SrtpStatus.Ok;
            if (s != expected)
            {
                return false;
            }

            if (s == SrtpStatus.Ok)
            {
                accepted.Add(i);
            }
        }

        return accepted.Count == window;
    }

    [Property(MaxTest = 2000)]
    public bool Index_estimation_is_right_within_half_the_sequence_space(long highestSeed, short distanceSeed)
    {
        ulong highest = (ulong)(highestSeed & ((1L << 48) - (1L << 17)));
        int distance = distanceSeed == short.MinValue ? 0 : distanceSeed;
        long truth = (long)highest + distance;
        if (truth < 0)
        {
            return true;
        }

        return SrtpStream.Estimate(highest, (ushort)truth) == (ulong)truth;
    }

    [Property(MaxTest = 25)]
    public Property Roc_follows_the_sender_across_wraps_with_reordering_and_loss_bursts(int seed)
    {
        Gen<int[]> bursts = Gen.ArrayOf(Gen.Choose(0, 32767), 6);
        return Prop.ForAll(bursts.ToArbitrary(), lossBursts =>
        {
            var rng = new Random(seed);
            (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.AeadAes128Gcm, seed);
            using var tx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt);
            using var rx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt);
            ushort seq = (ushort)rng.Next(65536);
            var delivered = new List<(byte[] Wire, byte[] Plain)>();
            foreach (int burst in lossBursts)
            {
                for (int i = 0; i < 300; i++)
                {
                    byte[] plain = Packets.Rtp(3, seq++, 16, fill: (byte)i);
                    byte[] b = Packets.WithRoom(plain);
                    tx.ProtectRtp(b, plain.Length, out int n);
                    delivered.Add((b[..n], plain));
                }

                // The network loses `burst` consecutive packets: the sender still sends them.
                seq += (ushort)burst;
            }

            // Local reordering: swap neighbours at random (a packet is at most a few places late),
            // but not across a loss burst: a packet that late would be older than the replay
            // window and rightly refused as too old.
            for (int i = 1; i < delivered.Count; i++)
            {
                if (i % 300 != 0 && rng.Next(4) == 0)
                {
                    (delivered[i - 1], delivered[i]) = (delivered[i], delivered[i - 1]);
                }
            }

            foreach ((byte[] wire, byte[] plain) in delivered)
            {
                if (rx.UnprotectRtp(wire, wire.Length, out int m) != SrtpStatus.Ok || !wire.AsSpan(0, m).SequenceEqual(plain))
                {
                    return false;
                }
            }

            tx.TryGetRoc(SrtpDirection.Outbound, 3, out uint txRoc);
            rx.TryGetRoc(SrtpDirection.Inbound, 3, out uint rxRoc);
            return txRoc == rxRoc;
        });
    }
}
