using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Srtp.Tests;

/// <summary>The primitives we implement ourselves, against their published vectors and against System.Security.Cryptography.</summary>
public class CryptoPrimitiveTests
{
    public static TheoryData<bool> Backends => new() { true, false };

    [Fact]
    public void The_machine_running_these_tests_exercises_the_intrinsic_paths()
    {
        // The intrinsic code must really run in CI; a CPU without AES-NI would silently test only the fallback.
        Assert.True(System.Runtime.Intrinsics.X86.Aes.IsSupported, "AES-NI missing: only the portable path would be tested");
        Assert.True(GHash.IsSupported, "PCLMULQDQ missing: only the portable GCM would be tested");
        using var ctr = new AesCtr(new byte[16]);
        Assert.True(ctr.UsesIntrinsics);
        using var portable = new AesCtr(new byte[16], allowIntrinsics: false);
        Assert.False(portable.UsesIntrinsics);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Aes_block_matches_fips197_appendix_c(bool intrinsics)
    {
        foreach (Dictionary<string, string> v in VectorFile.Load("fips197", "aes.txt"))
        {
            using var aes = new AesCtr(v.Hex("key"), intrinsics);
            var output = new byte[16];
            aes.EncryptBlock(v.Hex("plaintext"), output);
            Assert.Equal(v["ciphertext"], Convert.ToHexStringLower(output));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Aes_ctr_matches_system_aes_ecb_for_random_keys_counters_and_lengths(bool intrinsics)
    {
        var rng = new Random(11);
        foreach (int keyLength in new[] { 16, 32 })
        {
            for (int trial = 0; trial < 60; trial++)
            {
                var key = new byte[keyLength];
                rng.NextBytes(key);
                var counter = new byte[16];
                rng.NextBytes(counter);
                int length = rng.Next(0, 1500);
                var data = new byte[length];
                rng.NextBytes(data);
                byte[] expected = ReferenceCtr(key, counter, data);

                using var ctr = new AesCtr(key, intrinsics);
                ctr.Transform(counter, data);
                Assert.Equal(expected, data);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Aes_gcm_matches_system_aesgcm_both_ways_and_rejects_any_flipped_bit(bool intrinsics)
    {
        var rng = new Random(12);
        foreach (int keyLength in new[] { 16, 32 })
        {
            for (int trial = 0; trial < 60; trial++)
            {
                var key = new byte[keyLength];
                rng.NextBytes(key);
                var iv = new byte[12];
                rng.NextBytes(iv);
                var aad1 = new byte[rng.Next(0, 80)];
                var aad2 = new byte[trial % 3 == 0 ? 4 : 0];
                rng.NextBytes(aad1);
                rng.NextBytes(aad2);
                var plain = new byte[rng.Next(0, 1300)];
                rng.NextBytes(plain);

                using var reference = new AesGcm(key, 16);
                var refCipher = new byte[plain.Length];
                var refTag = new byte[16];
                reference.Encrypt(iv, plain, refCipher, refTag, (byte[])[.. aad1, .. aad2]);

                using var gcm = new AesGcmCore(key, intrinsics);
                Assert.Equal(intrinsics, gcm.UsesIntrinsics);
                var data = (byte[])plain.Clone();
                var tag = new byte[16];
                gcm.Seal(iv, aad1, aad2, data, tag);
                Assert.Equal(refCipher, data);
                Assert.Equal(refTag, tag);

                Assert.True(gcm.Open(iv, aad1, aad2, data, tag));
                Assert.Equal(plain, data);

                // Re-seal, then flip one bit of ciphertext, AAD or tag: Open must fail and leave the data alone.
                gcm.Seal(iv, aad1, aad2, data, tag);
                byte[] sealedCopy = (byte[])data.Clone();
                int where = rng.Next(3);
                if (where == 0 && data.Length > 0)
                {
                    data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                    sealedCopy = (byte[])data.Clone();
                }
                else if (where == 1 && aad1.Length > 0)
                {
                    aad1[rng.Next(aad1.Length)] ^= 1;
                }
                else
                {
                    tag[rng.Next(16)] ^= 0x80;
                }

                Assert.False(gcm.Open(iv, aad1, aad2, data, tag));
                Assert.Equal(sealedCopy, data);
            }
        }
    }

    [Fact]
    public void Sha1_matches_fips180_examples()
    {
        foreach (Dictionary<string, string> v in VectorFile.Load("fips180", "sha1.txt"))
        {
            byte[] message = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(v["message"], int.Parse(v["repeat"], System.Globalization.CultureInfo.InvariantCulture))));
            var digest = new byte[20];
            Sha1.Finish(Sha1.Initial, 0, message, default, digest);
            Assert.Equal(v["digest"], Convert.ToHexStringLower(digest));
        }
    }

    [Fact]
    public void Sha1_matches_system_sha1_for_every_length_up_to_300_and_random_suffixes()
    {
        var rng = new Random(13);
        for (int length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            rng.NextBytes(data);
            var suffix = new byte[length % 5];
            rng.NextBytes(suffix);
            var digest = new byte[20];
            Sha1.Finish(Sha1.Initial, 0, data, suffix, digest);
            Assert.Equal(SHA1.HashData((byte[])[.. data, .. suffix]), digest);
        }
    }

    public static TheoryData<int> HmacThresholds => new() { 0, HmacSha1.DefaultNativeThreshold, int.MaxValue };

    [Theory]
    [MemberData(nameof(HmacThresholds))]
    public void Hmac_sha1_matches_rfc2202(int nativeThreshold)
    {
        foreach (Dictionary<string, string> v in VectorFile.Load("rfc2202", "hmac-sha1.txt"))
        {
            var mac = new byte[20];
            using var hmac = new HmacSha1(v.Hex("key"), nativeThreshold);
            hmac.Compute(v.Hex("data"), default, mac);
            Assert.Equal(v["digest"], Convert.ToHexStringLower(mac));
        }
    }

    [Theory]
    [MemberData(nameof(HmacThresholds))]
    public void Hmac_sha1_matches_system_hmacsha1_with_the_roc_suffix(int nativeThreshold)
    {
        var rng = new Random(14 + nativeThreshold);
        for (int trial = 0; trial < 400; trial++)
        {
            var key = new byte[rng.Next(1, 100)];
            rng.NextBytes(key);
            var data = new byte[rng.Next(0, 1500)];
            rng.NextBytes(data);
            var roc = new byte[4];
            rng.NextBytes(roc);
            var mac = new byte[20];
            using var hmac = new HmacSha1(key, nativeThreshold);
            hmac.Compute(data, roc, mac);
            Assert.Equal(HMACSHA1.HashData(key, (byte[])[.. data, .. roc]), mac);
        }
    }

    [Fact]
    public void Hmac_sha1_matches_system_hmacsha1_with_a_short_head_and_a_long_rest_on_every_path_and_one_shot()
    {
        // STUN MESSAGE-INTEGRITY hashes a patched 20-byte header, then the rest of the message, as message and suffix:
        // suffixes of every length from 0 to 300 bytes after heads of 0-70 bytes, and keys on both sides of a block.
        var rng = new Random(8489);
        var paths = new List<HmacSha1Path> { HmacSha1Path.Managed, HmacSha1Path.ManagedAndIncrementalHash };
        if (LibcryptoSha1.IsAvailable)
        {
            paths.Add(HmacSha1Path.Libcrypto);
        }

        int[] keyLengths = [0, 1, 20, 63, 64, 65, 100];
        for (int suffixLength = 0; suffixLength <= 300; suffixLength++)
        {
            var key = new byte[keyLengths[suffixLength % keyLengths.Length]];
            rng.NextBytes(key);
            var head = new byte[suffixLength % 71];
            rng.NextBytes(head);
            var rest = new byte[suffixLength];
            rng.NextBytes(rest);
            byte[] expected = HMACSHA1.HashData(key, (byte[])[.. head, .. rest]);
            var mac = new byte[20];
            HmacSha1.ComputeOnce(key, head, rest, mac);
            Assert.Equal(expected, mac);
            mac.AsSpan().Clear();
            HmacSha1.ComputeOnce(key, head, rest, mac, allowLibcrypto: false);
            Assert.Equal(expected, mac);
            foreach (HmacSha1Path path in paths)
            {
                using var hmac = new HmacSha1(key, path);
                mac.AsSpan().Clear();
                hmac.Compute(head, rest, mac);
                Assert.Equal(expected, mac);
            }
        }
    }

    [Fact]
    public void Aes_key_schedule_matches_fips197_appendix_a_expansion()
    {
        // FIPS-197 A.1: the last round key of the 2b7e1516... key expansion is w[40..43].
        var roundKeys = new byte[11 * 16];
        AesKeySchedule.Expand(Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c"), roundKeys);
        Assert.Equal("d014f9a8c9ee2589e13f0cc8b6630ca6", Convert.ToHexStringLower(roundKeys.AsSpan(160, 16)));
        Assert.True(Vector128.IsHardwareAccelerated);
    }

    private static byte[] ReferenceCtr(byte[] key, byte[] counter, byte[] data)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var output = (byte[])data.Clone();
        var block = (byte[])counter.Clone();
        var stream = new byte[16];
        uint c = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(counter.AsSpan(12));
        for (int offset = 0; offset < data.Length; offset += 16)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(12), c++);
            aes.EncryptEcb(block, stream, PaddingMode.None);
            for (int i = 0; i < 16 && offset + i < data.Length; i++)
            {
                output[offset + i] ^= stream[i];
            }
        }

        return output;
    }
}
