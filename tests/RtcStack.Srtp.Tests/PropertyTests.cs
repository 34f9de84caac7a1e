using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.TestSupport;

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
    public bool Any_single_flipped_bit_is_rejected_and_changes_nothing(byte profileIndex, ushort seq, ushort payload, uint bitSeed, bool rtcp, int seed)
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

        byte[] plain = rtcp ? Packets.Rtcp(77, payload % 1401) : Packets.Rtp(77, seq, payload % 1401);
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
        // bitSeed is uniform over 2^32 (FullRangeArbitraries), so the flip lands anywhere: header, payload, index or tag.
        int bit = (int)(bitSeed % (uint)(n * 8));
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

    [Fact]
    public void Bit_flip_positions_reach_the_header_the_payload_and_the_tag()
    {
        // The largest packet above: a 12-byte header, 1400 bytes of payload, an 80-bit tag.
        const int Length = 12 + 1400 + 10;
        uint[] seeds = Gen.Sample(FullRangeArbitraries.UInt32Gen, 4000, new Rnd(3711UL, 3UL), 100);
        int header = 0, payload = 0, tag = 0, lastByte = 0;
        foreach (uint seed in seeds)
        {
            int bit = (int)(seed % (uint)(Length * 8));
            int offset = bit / 8;
            header += offset < 12 ? 1 : 0;
            payload += offset is >= 12 and < 1412 ? 1 : 0;
            tag += offset >= 1412 ? 1 : 0;
            lastByte += offset == Length - 1 ? 1 : 0;
        }

        // Edge-biased: the small seeds put many flips in the first bytes (the header); the uniform
        // seeds spread the rest over the packet, so the payload and the tag are reached too.
        Assert.True(header > 100, $"{header} of 4000 in the header");
        Assert.True(tag > 8, $"{tag} of 4000 in the tag");
        Assert.True(payload > 2000, $"{payload} of 4000 in the payload");
        Assert.True(lastByte > 0);
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

        // The receiver learns the stream from its first packet (RFC 3711 §3.3.1: its ROC starts at 0,
        // as the sender's did). Without it, a newest packet past a wrap of the 16-bit sequence number
        // (start near 65535) would be guessed in ROC 0 and fail authentication, rightly.
        if (rx.UnprotectRtp(wire[0].ToArray(), wire[0].Length, out _) != SrtpStatus.Ok)
        {
            return false;
        }

        // Then the newest, then everything in random order (twice each): the first packet is by now
        // older than the window, so it is refused as too old, not as a replay.
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

    // RFC 3711 §3.3.1 and Appendix A: the index is a 48-bit counter, ROC (32 bits) || SEQ (16 bits);
    // the estimate is right for any packet less than half the sequence space (2^15) from s_l.
    private const long MaxIndex = (1L << 48) - 1;
    private const int HalfSequenceSpace = 32768;

    /// <summary>
    /// A highest index anywhere in [0, 2^48) (edges, the first ROCs, uniform) and a true index that is
    /// itself a valid index (so no case is skipped) within half the sequence space of it, as Appendix A
    /// draws the line: exactly 2^15 ahead still counts as ahead when s_l &lt; 2^15, exactly 2^15 behind
    /// counts as behind when s_l ≥ 2^15.
    /// </summary>
    private static Gen<(ulong Highest, ulong Truth)> IndexCases { get; } =
        from highest in Gen.Frequency(
            (1, Gen.Elements(0L, 1L, 32767L, 32768L, 32769L, 65535L, 65536L, 65537L, (1L << 32) - 1, 1L << 32, MaxIndex - 65536, MaxIndex - 1, MaxIndex)),
            (1, FullRangeArbitraries.Choose(0, 4 * 65536)),
            (4, FullRangeArbitraries.Choose(0, MaxIndex)))
        let lowHalf = (highest & 0xFFFF) < HalfSequenceSpace
        let low = Math.Max(lowHalf ? -(HalfSequenceSpace - 1) : -HalfSequenceSpace, -highest)
        let high = Math.Min(lowHalf ? HalfSequenceSpace : HalfSequenceSpace - 1, MaxIndex - highest)
        from distance in Gen.Frequency(
            (1, Gen.Elements(low, high, 0L, Math.Max(low, -1L), Math.Min(high, 1L))),
            (5, FullRangeArbitraries.Choose(low, high)))
        select ((ulong)highest, (ulong)(highest + distance));

    private enum AppendixABranch
    {
        /// <summary>v = ROC: SEQ in the same ROC as s_l.</summary>
        SameRoc,

        /// <summary>s_l &lt; 2^15 and SEQ - s_l &gt; 2^15: v = ROC - 1 (a late packet from before the wrap).</summary>
        RocMinusOne,

        /// <summary>s_l ≥ 2^15 and s_l - 2^15 &gt; SEQ: v = ROC + 1 (the first packets after the wrap).</summary>
        RocPlusOne,
    }

    /// <summary>The branch of RFC 3711 Appendix A the case takes, from its own conditions.</summary>
    private static AppendixABranch BranchOf(ulong highest, ushort seq)
    {
        int sl = (int)(highest & 0xFFFF);
        return sl < HalfSequenceSpace
            ? (seq - sl > HalfSequenceSpace ? AppendixABranch.RocMinusOne : AppendixABranch.SameRoc)
            : (sl - HalfSequenceSpace > seq ? AppendixABranch.RocPlusOne : AppendixABranch.SameRoc);
    }

    [Property(MaxTest = 3000)]
    public Property Index_estimation_is_right_within_half_the_sequence_space() =>
        Prop.ForAll(IndexCases.ToArbitrary(), c =>
            (SrtpStream.Estimate(c.Highest, (ushort)c.Truth) == c.Truth)
                .Classify(BranchOf(c.Highest, (ushort)c.Truth) == AppendixABranch.RocMinusOne, "ROC - 1")
                .Classify(BranchOf(c.Highest, (ushort)c.Truth) == AppendixABranch.RocPlusOne, "ROC + 1"));

    [Fact]
    public void Index_estimation_cases_take_every_appendix_A_branch_with_s_l_anywhere()
    {
        const int Samples = 3000;
        (ulong Highest, ulong Truth)[] sample = Gen.Sample(IndexCases, Samples, new Rnd(3711UL, 1UL), 100);
        var branches = new Dictionary<AppendixABranch, int>();
        int slZero = 0, slHigh = 0, wrapped = 0;
        foreach ((ulong highest, ulong truth) in sample)
        {
            Assert.InRange(truth, 0UL, (ulong)MaxIndex);
            Assert.InRange((long)truth - (long)highest, -HalfSequenceSpace, HalfSequenceSpace);
            AppendixABranch branch = BranchOf(highest, (ushort)truth);
            branches[branch] = branches.GetValueOrDefault(branch) + 1;
            slZero += (highest & 0xFFFF) == 0 ? 1 : 0;
            slHigh += (highest & 0xFFFF) >= HalfSequenceSpace ? 1 : 0;
            wrapped += (truth >> 16) != (highest >> 16) ? 1 : 0;

            // The branch agrees with the truth: it is taken exactly when SEQ is in the neighbouring ROC.
            long rocStep = (long)(truth >> 16) - (long)(highest >> 16);
            Assert.Equal(branch switch { AppendixABranch.RocMinusOne => -1, AppendixABranch.RocPlusOne => 1, _ => 0 }, rocStep);
        }

        // With s_l and the distance uniform, each wrap branch is about 1/8 of the cases.
        Assert.True(branches.GetValueOrDefault(AppendixABranch.RocMinusOne) > Samples / 16, $"ROC - 1: {branches.GetValueOrDefault(AppendixABranch.RocMinusOne)} of {Samples}");
        Assert.True(branches.GetValueOrDefault(AppendixABranch.RocPlusOne) > Samples / 16, $"ROC + 1: {branches.GetValueOrDefault(AppendixABranch.RocPlusOne)} of {Samples}");
        Assert.True(slHigh > Samples / 3, $"s_l ≥ 2^15 in {slHigh} of {Samples}");
        Assert.True(slZero < Samples / 20, $"s_l = 0 in {slZero} of {Samples}");
        Assert.Equal(wrapped, branches.GetValueOrDefault(AppendixABranch.RocMinusOne) + branches.GetValueOrDefault(AppendixABranch.RocPlusOne));
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
