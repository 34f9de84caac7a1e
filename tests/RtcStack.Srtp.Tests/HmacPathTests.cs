using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;
using RtcStack.TestSupport;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Srtp.Tests;

/// <summary>
/// Every HMAC-SHA1 path (managed, managed with the platform HMAC for long messages, libcrypto's
/// SHA-1 with precomputed pad states) against RFC 2202, against System.Security.Cryptography.HMACSHA1,
/// and through SRTP/SRTCP against libsrtp byte for byte.
/// </summary>
public class HmacPathTests
{
    // HmacSha1Path is internal, so the theories take its value as an int.
    public static TheoryData<int> Paths => new() { (int)HmacSha1Path.Managed, (int)HmacSha1Path.ManagedAndIncrementalHash, (int)HmacSha1Path.Libcrypto };

    public static TheoryData<SrtpProfile, int> HmacProfilesAndPaths()
    {
        var data = new TheoryData<SrtpProfile, int>();
        foreach (SrtpProfile profile in SrtpProfileExtensions.All.ToArray())
        {
            if (!profile.IsAead())
            {
                foreach (HmacSha1Path path in Enum.GetValues<HmacSha1Path>())
                {
                    data.Add(profile, (int)path);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Linux_with_libcrypto_runs_the_libcrypto_path_and_the_portable_option_the_managed_one()
    {
        // The libcrypto path must really run where the tests run (Debian 12 has libcrypto.so.3), not fall back silently.
        if (OperatingSystem.IsLinux())
        {
            Assert.True(LibcryptoSha1.IsAvailable, LibcryptoSha1.Status);
            Assert.StartsWith("libcrypto.so.", LibcryptoSha1.Status, StringComparison.Ordinal);
        }

        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var context = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        Assert.Equal(LibcryptoSha1.IsAvailable ? SrtpHmacImplementation.Libcrypto : SrtpHmacImplementation.ManagedAndPlatformHmac, context.HmacImplementation);
        using var portable = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt, new SrtpOptions { ForcePortableCrypto = true });
        Assert.Equal(SrtpHmacImplementation.Managed, portable.HmacImplementation);
        (byte[] gcmKey, byte[] gcmSalt) = Packets.Keys(SrtpProfile.AeadAes128Gcm);
        using var gcm = new SrtpContext(SrtpProfile.AeadAes128Gcm, gcmKey, gcmSalt);
        Assert.Equal(SrtpHmacImplementation.None, gcm.HmacImplementation);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_matches_rfc2202(int pathId)
    {
        var path = (HmacSha1Path)pathId;
        int count = 0;
        foreach (Dictionary<string, string> v in VectorFile.Load("rfc2202", "hmac-sha1.txt"))
        {
            var mac = new byte[20];
            using var hmac = new HmacSha1(v.Hex("key"), path);
            Assert.Equal(path, hmac.Path);
            hmac.Compute(v.Hex("data"), default, mac);
            Assert.Equal(v["digest"], Convert.ToHexStringLower(mac));

            // The same message split between span and suffix.
            byte[] data = v.Hex("data");
            int split = data.Length / 2;
            Array.Clear(mac);
            hmac.Compute(data.AsSpan(0, split), data.AsSpan(split), mac);
            Assert.Equal(v["digest"], Convert.ToHexStringLower(mac));
            count++;
        }

        Assert.Equal(6, count); // specs/vectors/rfc2202 holds cases 1-4, 6 and 7.

        // RFC 2202 test_case 5 (its digest before the truncation to 96 bits; SRTP truncates the same way).
        var mac5 = new byte[20];
        using var hmac5 = new HmacSha1(Enumerable.Repeat((byte)0x0c, 20).ToArray(), path);
        hmac5.Compute("Test With Truncation"u8, default, mac5);
        Assert.Equal("4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", Convert.ToHexStringLower(mac5));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_matches_system_hmacsha1_on_random_keys_and_lengths_0_to_2000(int pathId)
    {
        var path = (HmacSha1Path)pathId;
        var rng = new Random(2202 + (int)path);
        var mac = new byte[24];
        for (int length = 0; length <= 2000; length += length < 300 ? 1 : 1 + rng.Next(3))
        {
            var key = new byte[rng.Next(1, 140)];
            rng.NextBytes(key);
            var data = new byte[length];
            rng.NextBytes(data);
            var suffix = new byte[rng.Next(0, 9)];
            rng.NextBytes(suffix);
            using var hmac = new HmacSha1(key, path);

            // Twice with one instance: the per-key pad states must not change between packets.
            for (int again = 0; again < 2; again++)
            {
                mac.AsSpan().Fill(0xEE);
                hmac.Compute(data, suffix, mac);
                Assert.Equal(HMACSHA1.HashData(key, (byte[])[.. data, .. suffix]), mac[..20]);
                Assert.True(mac.AsSpan(20).SequenceEqual(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE }), "wrote past the digest");
            }
        }
    }

    [Fact]
    public void Libcrypto_path_feeds_long_messages_in_chunks_correctly()
    {
        var rng = new Random(4096);
        var key = new byte[20];
        rng.NextBytes(key);
        using var hmac = new HmacSha1(key, HmacSha1Path.Libcrypto);
        var mac = new byte[20];
        foreach (int length in new[] { LibcryptoSha1.MaxChunk - 1, LibcryptoSha1.MaxChunk, LibcryptoSha1.MaxChunk + 1, 3 * LibcryptoSha1.MaxChunk, 70_001 })
        {
            var data = new byte[length];
            rng.NextBytes(data);
            byte[] roc = [1, 2, 3, 4];
            hmac.Compute(data, roc, mac);
            Assert.Equal(HMACSHA1.HashData(key, (byte[])[.. data, .. roc]), mac);
        }
    }

    [Fact]
    public void Libcrypto_path_takes_long_suffixes_through_sha1_final()
    {
        var rng = new Random(119);
        var key = new byte[20];
        rng.NextBytes(key);
        using var hmac = new HmacSha1(key, HmacSha1Path.Libcrypto);
        var mac = new byte[20];
        foreach (int suffixLength in new[] { 118, 119, 120, 150, 1000 })
        {
            foreach (int length in new[] { 0, 63, 64, 65, 300 })
            {
                var data = new byte[length];
                var suffix = new byte[suffixLength];
                rng.NextBytes(data);
                rng.NextBytes(suffix);
                hmac.Compute(data, suffix, mac);
                Assert.Equal(HMACSHA1.HashData(key, (byte[])[.. data, .. suffix]), mac);
            }
        }
    }

    [Theory]
    [InlineData(160)]
    [InlineData(1200)]
    public void Libcrypto_path_allocates_nothing_per_packet(int length)
    {
        var key = new byte[20];
        var data = new byte[length];
        var roc = new byte[4];
        var mac = new byte[20];
        using var hmac = new HmacSha1(key, HmacSha1Path.Libcrypto);
        for (int i = 0; i < 20; i++)
        {
            hmac.Compute(data, roc, mac);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 4000, 4, i =>
        {
            data[0] = (byte)i;
            hmac.Compute(data, roc, mac);
        }));
    }

    [Fact]
    public void A_disposed_libcrypto_hmac_throws_and_short_mac_buffers_are_refused()
    {
        var hmac = new HmacSha1(new byte[20], HmacSha1Path.Libcrypto);
        Assert.Throws<ArgumentException>(() => hmac.Compute(new byte[10], default, new byte[19]));
        hmac.Dispose();
        hmac.Dispose();
        Assert.Throws<ObjectDisposedException>(() => hmac.Compute(new byte[10], default, new byte[20]));
    }

    [Theory]
    [MemberData(nameof(HmacProfilesAndPaths))]
    public void Srtp_and_srtcp_on_every_path_are_byte_identical_to_libsrtp(SrtpProfile profile, int pathId)
    {
        var path = (HmacSha1Path)pathId;
        var rng = new Random(((int)profile * 31) + (int)path);
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        rng.NextBytes(key);
        rng.NextBytes(salt);
        var options = new SrtpOptions { ForceHmacPath = path };
        using var ours = new SrtpContext(profile, key, salt, options);
        using var oursIn = new SrtpContext(profile, key, salt, new SrtpOptions { ForceHmacPath = path });
        using var libOut = new LibSrtpSession(Map(profile), key, salt, outbound: true);
        using var libIn = new LibSrtpSession(Map(profile), key, salt, outbound: false);
        Assert.Equal(path switch
        {
            HmacSha1Path.Libcrypto => SrtpHmacImplementation.Libcrypto,
            HmacSha1Path.ManagedAndIncrementalHash => SrtpHmacImplementation.ManagedAndPlatformHmac,
            _ => SrtpHmacImplementation.Managed,
        }, ours.HmacImplementation);

        const uint Ssrc = 0x1234_5678;
        ours.SetNextSrtcpIndex(Ssrc, 1); // libsrtp's first SRTCP index is 1
        for (int n = 0; n < 300; n++)
        {
            // Payloads across the block boundaries and both sides of the managed/IncrementalHash threshold.
            int payload = n < 150 ? n : rng.Next(0, 1400);
            byte[] plain = Packets.Rtp(Ssrc, (ushort)(65400 + n), payload, fill: (byte)n);
            rng.NextBytes(plain.AsSpan(12));
            var a = new byte[plain.Length + 32];
            var b = new byte[plain.Length + 32];
            plain.CopyTo(a, 0);
            plain.CopyTo(b, 0);
            Assert.Equal(SrtpStatus.Ok, ours.ProtectRtp(a, plain.Length, out int aLen));
            int bLen = plain.Length;
            Assert.Equal(LibSrtpSession.StatusOk, libOut.Protect(b, ref bLen));
            Assert.True(a.AsSpan(0, aLen).SequenceEqual(b.AsSpan(0, bLen)), $"RTP packet {n} ({payload} B) differs from libsrtp");
            int len = aLen;
            Assert.Equal(LibSrtpSession.StatusOk, libIn.Unprotect(a, ref len));
            Assert.True(a.AsSpan(0, len).SequenceEqual(plain));
            Assert.Equal(SrtpStatus.Ok, oursIn.UnprotectRtp(b, bLen, out int plainLen));
            Assert.True(b.AsSpan(0, plainLen).SequenceEqual(plain));

            byte[] rtcp = Packets.Rtcp(Ssrc, 4 * rng.Next(0, 300));
            rng.NextBytes(rtcp.AsSpan(8));
            var c = new byte[rtcp.Length + 32];
            var d = new byte[rtcp.Length + 32];
            rtcp.CopyTo(c, 0);
            rtcp.CopyTo(d, 0);
            Assert.Equal(SrtpStatus.Ok, ours.ProtectRtcp(c, rtcp.Length, out int cLen));
            int dLen = rtcp.Length;
            Assert.Equal(LibSrtpSession.StatusOk, libOut.ProtectRtcp(d, ref dLen));
            Assert.True(c.AsSpan(0, cLen).SequenceEqual(d.AsSpan(0, dLen)), $"RTCP packet {n} differs from libsrtp");
            int rLen = cLen;
            Assert.Equal(LibSrtpSession.StatusOk, libIn.UnprotectRtcp(c, ref rLen));
            Assert.True(c.AsSpan(0, rLen).SequenceEqual(rtcp));
            // A flipped tag bit fails on our side, and the packet is still accepted afterwards.
            d[dLen - 1] ^= 0x01;
            Assert.Equal(SrtpStatus.AuthenticationFailed, oursIn.UnprotectRtcp(d, dLen, out _));
            d[dLen - 1] ^= 0x01;
            Assert.Equal(SrtpStatus.Ok, oursIn.UnprotectRtcp(d, dLen, out int rtcpLen));
            Assert.True(d.AsSpan(0, rtcpLen).SequenceEqual(rtcp));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Protect_and_unprotect_allocate_nothing_on_every_path(int pathId)
    {
        var path = (HmacSha1Path)pathId;
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt, new SrtpOptions { ForceHmacPath = path });
        using var rx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt, new SrtpOptions { ForceHmacPath = path });
        byte[] small = Packets.WithRoom(Packets.Rtp(1, 0, 160));
        byte[] large = Packets.WithRoom(Packets.Rtp(1, 0, 1200));
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(1, 92));
        int failures = 0;
        void Round(ushort seq)
        {
            byte[] rtp = (seq & 1) == 0 ? small : large;
            int plain = (seq & 1) == 0 ? 172 : 1212;
            BinaryPrimitives.WriteUInt16BigEndian(rtp.AsSpan(2), seq);
            failures += tx.ProtectRtp(rtp, plain, out int n) == SrtpStatus.Ok ? 0 : 1;
            failures += rx.UnprotectRtp(rtp, n, out _) == SrtpStatus.Ok ? 0 : 1;
            failures += tx.ProtectRtcp(rtcp, 100, out int r) == SrtpStatus.Ok ? 0 : 1;
            failures += rx.UnprotectRtcp(rtcp, r, out _) == SrtpStatus.Ok ? 0 : 1;
        }

        for (ushort i = 0; i < 20; i++)
        {
            Round(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(20, 2000, 4, i => Round((ushort)i)));
        Assert.Equal(0, failures);
    }

    private static LibSrtpProfile Map(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => LibSrtpProfile.AesCm128HmacSha1_80,
        SrtpProfile.Aes128CmHmacSha1_32 => LibSrtpProfile.AesCm128HmacSha1_32,
        SrtpProfile.Aes256CmHmacSha1_80 => LibSrtpProfile.AesCm256HmacSha1_80,
        SrtpProfile.Aes256CmHmacSha1_32 => LibSrtpProfile.AesCm256HmacSha1_32,
        SrtpProfile.NullHmacSha1_80 => LibSrtpProfile.NullHmacSha1_80,
        SrtpProfile.NullHmacSha1_32 => LibSrtpProfile.NullHmacSha1_32,
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };
}
