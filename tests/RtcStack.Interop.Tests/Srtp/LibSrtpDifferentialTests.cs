using System.Buffers.Binary;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;
using Xunit;

namespace RtcStack.Interop.Tests.Srtp;

/// <summary>
/// Differential tests against libsrtp 2 (Debian libsrtp2-1): for every profile, thousands of random
/// RTP packets (random CSRCs, header extensions, payloads of 0–1400 bytes, sequence numbers crossing
/// 65535 → 0) and RTCP compounds are protected by both implementations, which must produce the
/// same bytes, and each side unprotects the other's output back to the original.
/// </summary>
[Trait("Category", "Interop")]
public class LibSrtpDifferentialTests
{
    private const int PacketsPerProfile = 2000;

    public static TheoryData<SrtpProfile> Profiles()
    {
        var data = new TheoryData<SrtpProfile>();
        foreach (SrtpProfile p in SrtpProfileExtensions.All.ToArray())
        {
            data.Add(p);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtp_protected_by_both_is_byte_identical_and_each_unprotects_the_other(SrtpProfile profile)
    {
        var rng = new Random((int)profile * 7919);
        (byte[] key, byte[] salt) = RandomKeys(profile, rng);
        using var ours = new SrtpContext(profile, key, salt);
        using var oursIn = new SrtpContext(profile, key, salt);
        using var libOut = new LibSrtpSession(Map(profile), key, salt, outbound: true);
        using var libIn = new LibSrtpSession(Map(profile), key, salt, outbound: false);

        uint[] ssrcs = [(uint)rng.Next(), (uint)rng.Next(), 0xFFFF_FFFFu];
        var seqs = new ushort[ssrcs.Length];
        for (int i = 0; i < seqs.Length; i++)
        {
            // Start close to the wrap so every stream's ROC moves during the run.
            seqs[i] = (ushort)(65535 - rng.Next(0, 400));
        }

        int wraps = 0;
        for (int n = 0; n < PacketsPerProfile; n++)
        {
            int s = rng.Next(ssrcs.Length);
            ushort seq = seqs[s];
            seqs[s] = (ushort)(seq + 1 + (rng.Next(10) == 0 ? rng.Next(1, 20) : 0));
            if (seqs[s] < seq)
            {
                wraps++;
            }

            byte[] plain = RandomRtp(rng, ssrcs[s], seq);
            var a = new byte[plain.Length + 32];
            var b = new byte[plain.Length + 32];
            plain.CopyTo(a, 0);
            plain.CopyTo(b, 0);

            Assert.Equal(SrtpStatus.Ok, ours.ProtectRtp(a, plain.Length, out int aLen));
            int bLen = plain.Length;
            Assert.Equal(LibSrtpSession.StatusOk, libOut.Protect(b, ref bLen));
            Assert.True(a.AsSpan(0, aLen).SequenceEqual(b.AsSpan(0, bLen)), $"{profile}: packet {n} (ssrc {ssrcs[s]:x8} seq {seq}) differs from libsrtp");

            // libsrtp unprotects ours; we unprotect libsrtp's.
            int len = aLen;
            Assert.Equal(LibSrtpSession.StatusOk, libIn.Unprotect(a, ref len));
            Assert.True(a.AsSpan(0, len).SequenceEqual(plain), $"{profile}: libsrtp did not recover packet {n}");
            Assert.Equal(SrtpStatus.Ok, oursIn.UnprotectRtp(b, bLen, out int plainLen));
            Assert.True(b.AsSpan(0, plainLen).SequenceEqual(plain), $"{profile}: we did not recover libsrtp's packet {n}");
        }

        Assert.True(wraps >= ssrcs.Length, "every stream should have wrapped its sequence number");
        foreach (uint ssrc in ssrcs)
        {
            Assert.True(ours.TryGetRoc(SrtpDirection.Outbound, ssrc, out uint ourRoc));
            Assert.Equal(LibSrtpSession.StatusOk, libOut.GetRoc(ssrc, out uint libRoc));
            Assert.Equal(libRoc, ourRoc);
            Assert.True(oursIn.TryGetRoc(SrtpDirection.Inbound, ssrc, out uint ourInRoc));
            Assert.Equal(libRoc, ourInRoc);
            Assert.True(ourRoc >= 1);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_protected_by_both_is_byte_identical_and_each_unprotects_the_other(SrtpProfile profile)
    {
        var rng = new Random((int)profile * 104729);
        (byte[] key, byte[] salt) = RandomKeys(profile, rng);
        using var ours = new SrtpContext(profile, key, salt);
        using var oursIn = new SrtpContext(profile, key, salt);
        using var libOut = new LibSrtpSession(Map(profile), key, salt, outbound: true);
        using var libIn = new LibSrtpSession(Map(profile), key, salt, outbound: false);

        uint[] ssrcs = [(uint)rng.Next(), (uint)rng.Next()];
        foreach (uint ssrc in ssrcs)
        {
            // libsrtp sends SRTCP index 1 first (it increments before use); RFC 3711 §3.4 starts
            // at 0, as we do by default. Align so the bytes can be compared.
            ours.SetNextSrtcpIndex(ssrc, 1);
        }

        for (int n = 0; n < PacketsPerProfile / 2; n++)
        {
            uint ssrc = ssrcs[rng.Next(ssrcs.Length)];
            byte[] plain = RandomRtcp(rng, ssrc);
            var a = new byte[plain.Length + 32];
            var b = new byte[plain.Length + 32];
            plain.CopyTo(a, 0);
            plain.CopyTo(b, 0);

            Assert.Equal(SrtpStatus.Ok, ours.ProtectRtcp(a, plain.Length, out int aLen));
            int bLen = plain.Length;
            Assert.Equal(LibSrtpSession.StatusOk, libOut.ProtectRtcp(b, ref bLen));
            Assert.True(a.AsSpan(0, aLen).SequenceEqual(b.AsSpan(0, bLen)), $"{profile}: RTCP packet {n} differs from libsrtp");

            int len = aLen;
            Assert.Equal(LibSrtpSession.StatusOk, libIn.UnprotectRtcp(a, ref len));
            Assert.True(a.AsSpan(0, len).SequenceEqual(plain), $"{profile}: libsrtp did not recover RTCP packet {n}");
            Assert.Equal(SrtpStatus.Ok, oursIn.UnprotectRtcp(b, bLen, out int plainLen));
            Assert.True(b.AsSpan(0, plainLen).SequenceEqual(plain), $"{profile}: we did not recover libsrtp's RTCP packet {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Both_reject_the_same_tampered_and_replayed_packets(SrtpProfile profile)
    {
        var rng = new Random((int)profile * 31);
        (byte[] key, byte[] salt) = RandomKeys(profile, rng);
        using var ours = new SrtpContext(profile, key, salt);
        using var oursIn = new SrtpContext(profile, key, salt);
        using var libIn = new LibSrtpSession(Map(profile), key, salt, outbound: false);
        uint ssrc = (uint)rng.Next();
        for (int n = 0; n < 300; n++)
        {
            byte[] plain = RandomRtp(rng, ssrc, (ushort)(60000 + n));
            var wire = new byte[plain.Length + 32];
            plain.CopyTo(wire, 0);
            Assert.Equal(SrtpStatus.Ok, ours.ProtectRtp(wire, plain.Length, out int len));
            byte[] original = wire[..len];

            // One flipped bit anywhere: both reject, and neither's state changes.
            byte[] forged = (byte[])original.Clone();
            forged[rng.Next(forged.Length)] ^= (byte)(1 << rng.Next(8));
            int fl = forged.Length;
            byte[] forgedCopy = (byte[])forged.Clone();
            SrtpStatus ourStatus = oursIn.UnprotectRtp(forged, fl, out _);
            int libStatus = libIn.Unprotect(forgedCopy, ref fl);
            Assert.NotEqual(SrtpStatus.Ok, ourStatus);
            Assert.NotEqual(LibSrtpSession.StatusOk, libStatus);

            // The genuine packet is accepted by both, then a replay is refused by both.
            byte[] mine = (byte[])original.Clone();
            byte[] theirs = (byte[])original.Clone();
            int tl = theirs.Length;
            Assert.Equal(SrtpStatus.Ok, oursIn.UnprotectRtp(mine, mine.Length, out _));
            Assert.Equal(LibSrtpSession.StatusOk, libIn.Unprotect(theirs, ref tl));
            mine = (byte[])original.Clone();
            theirs = (byte[])original.Clone();
            tl = theirs.Length;
            Assert.Equal(SrtpStatus.Replayed, oursIn.UnprotectRtp(mine, mine.Length, out _));
            Assert.Equal(LibSrtpSession.StatusReplayFail, libIn.Unprotect(theirs, ref tl));
        }
    }

    internal static LibSrtpProfile Map(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => LibSrtpProfile.AesCm128HmacSha1_80,
        SrtpProfile.Aes128CmHmacSha1_32 => LibSrtpProfile.AesCm128HmacSha1_32,
        SrtpProfile.Aes256CmHmacSha1_80 => LibSrtpProfile.AesCm256HmacSha1_80,
        SrtpProfile.Aes256CmHmacSha1_32 => LibSrtpProfile.AesCm256HmacSha1_32,
        SrtpProfile.AeadAes128Gcm => LibSrtpProfile.AeadAes128Gcm,
        SrtpProfile.AeadAes256Gcm => LibSrtpProfile.AeadAes256Gcm,
        SrtpProfile.NullHmacSha1_80 => LibSrtpProfile.NullHmacSha1_80,
        SrtpProfile.NullHmacSha1_32 => LibSrtpProfile.NullHmacSha1_32,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    private static (byte[] Key, byte[] Salt) RandomKeys(SrtpProfile profile, Random rng)
    {
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        rng.NextBytes(key);
        rng.NextBytes(salt);
        return (key, salt);
    }

    private static byte[] RandomRtp(Random rng, uint ssrc, ushort seq)
    {
        int csrcs = rng.Next(3) == 0 ? rng.Next(0, 16) : 0;
        int extWords = rng.Next(3) == 0 ? rng.Next(0, 12) : -1;
        int payload = rng.Next(0, 1401);
        int header = 12 + (csrcs * 4) + (extWords >= 0 ? 4 + (extWords * 4) : 0);
        var p = new byte[header + payload];
        rng.NextBytes(p);
        p[0] = (byte)(0x80 | (extWords >= 0 ? 0x10 : 0) | csrcs);
        p[1] &= 0xFF;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        if (extWords >= 0)
        {
            int o = 12 + (csrcs * 4);
            p[o] = 0xBE;
            p[o + 1] = 0xDE;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(o + 2), (ushort)extWords);
        }

        return p;
    }

    private static byte[] RandomRtcp(Random rng, uint ssrc)
    {
        int words = rng.Next(1, 250);
        var p = new byte[4 + (words * 4)];
        rng.NextBytes(p);
        p[0] = (byte)(0x80 | (p[0] & 0x1F));
        p[1] = (byte)(200 + rng.Next(0, 8));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)(words));
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        return p;
    }
}
