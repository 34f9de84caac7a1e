using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Srtp.Tests;

/// <summary>Options, profile names, key export, metrics and primitives at their edges (issue 21 mutation survivors).</summary>
public class ApiEdgeTests
{
    [Fact]
    public void Replay_window_sizes_from_64_to_2_pow_20_are_accepted()
    {
        // RFC 3711 §3.3.2: the window is at least 64; 2^20 is this library's upper bound.
        var o = new SrtpOptions();
        Assert.Equal(1024, o.ReplayWindowSize);
        Assert.True(o.EncryptRtcp);
        Assert.False(o.StrictSsrc);
        Assert.False(o.Cryptex);
        o.ReplayWindowSize = 64;
        Assert.Equal(64, o.ReplayWindowSize);
        o.ReplayWindowSize = 1 << 20;
        Assert.Equal(1 << 20, o.ReplayWindowSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.ReplayWindowSize = (1 << 20) + 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.ReplayWindowSize = 63);
        using var ctx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14], new SrtpOptions { ReplayWindowSize = 100 });
        Assert.Equal(100, ctx.ReplayWindowSize);
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, ctx.Profile);
        Assert.Equal(10, ctx.RtpOverhead);
        Assert.Equal(14, ctx.RtcpOverhead);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(1000)]
    public void A_window_that_is_not_a_power_of_two_has_exactly_its_size(int size)
    {
        // RFC 3711 §3.3.2: an index more than the window size behind the highest is too old; inside it, new or seen.
        var w = new ReplayWindow(size);
        Assert.Equal(SrtpStatus.Ok, w.Check(5000));
        Assert.False(w.HasHighest);
        w.Commit(5000);
        Assert.True(w.HasHighest);
        Assert.Equal(5000UL, w.Highest);
        Assert.Equal(SrtpStatus.Replayed, w.Check(5000));
        Assert.Equal(SrtpStatus.Ok, w.Check(5000 - (ulong)size + 1));
        Assert.Equal(SrtpStatus.TooOld, w.Check(5000 - (ulong)size));
        w.Commit(4999);
        w.Commit(5000 - (ulong)size + 1);
        Assert.Equal(SrtpStatus.Replayed, w.Check(4999));

        // Moving ahead by less than the window keeps what was seen inside it; by more, forgets it.
        w.Commit(5002);
        Assert.Equal(SrtpStatus.Replayed, w.Check(4999));
        Assert.Equal(SrtpStatus.Ok, w.Check(5001));
        Assert.Equal(SrtpStatus.TooOld, w.Check(5000 - (ulong)size + 1));
        w.Commit(5002 + (ulong)size + 64);
        Assert.Equal(SrtpStatus.Ok, w.Check(5002 + (ulong)size + 63));
        Assert.Equal(SrtpStatus.Replayed, w.Check(5002 + (ulong)size + 64));

        // An advance by exactly the bitmap (a power of two ≥ size) leaves no stale bit behind.
        var v = new ReplayWindow(size);
        ulong bitmap = 64;
        while (bitmap < (ulong)size)
        {
            bitmap <<= 1;
        }

        for (ulong i = 0; i < 64; i++)
        {
            v.Commit(1000 + i);
        }

        v.Commit(1063 + bitmap);
        for (ulong i = 1; i < (ulong)size; i++)
        {
            Assert.Equal(SrtpStatus.Ok, v.Check(1063 + bitmap - i));
        }

        v.Reset(7, hasHighest: false);
        Assert.False(v.HasHighest);
        Assert.Equal(SrtpStatus.Ok, v.Check(7));
        v.Reset(7, hasHighest: true);
        Assert.Equal(SrtpStatus.Replayed, v.Check(7));
        Assert.Equal(SrtpStatus.Ok, v.Check(6));
    }

    [Theory]
    [InlineData(" AES_CM_128_HMAC_SHA1_80 ", SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData("srtp_aead_aes_256_gcm", SrtpProfile.AeadAes256Gcm)]
    [InlineData("1", SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData("7", SrtpProfile.AeadAes128Gcm)]
    [InlineData("0X0008", SrtpProfile.AeadAes256Gcm)]
    [InlineData("aes_256_cm_hmac_sha1_32", SrtpProfile.Aes256CmHmacSha1_32)]
    [InlineData("NULL_HMAC_SHA1_32", SrtpProfile.NullHmacSha1_32)]
    public void Profile_names_and_ids_parse(string text, SrtpProfile expected)
    {
        Assert.True(SrtpProfileExtensions.TryParse(text, out SrtpProfile p));
        Assert.Equal(expected, p);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("+1")]
    [InlineData("0x")]
    [InlineData("65281")]
    [InlineData("0xff01")]
    [InlineData("0x0003")]
    [InlineData("0x0009")]
    [InlineData("SRTP_AES256_CM_HMAC_SHA1_80")]
    public void Other_texts_do_not_parse(string text)
    {
        Assert.False(SrtpProfileExtensions.TryParse(text, out _));
    }

    [Fact]
    public void Profile_properties_follow_the_registries()
    {
        Assert.Equal(8, SrtpProfileExtensions.All.Length);
        Assert.False(((SrtpProfile)0).IsDefined());
        Assert.False(((SrtpProfile)0xFF03).IsDtlsSrtp());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((SrtpProfile)3).SdesName());
        Assert.Equal("AES_256_CM_HMAC_SHA1_80", SrtpProfile.Aes256CmHmacSha1_80.DtlsName());

        // RFC 5764 §4.2: 2 × (key + salt).
        Assert.Equal(60, SrtpProfile.Aes128CmHmacSha1_32.DtlsExporterLength());
        Assert.Equal(60, SrtpProfile.NullHmacSha1_80.DtlsExporterLength());
        Assert.Equal(56, SrtpProfile.AeadAes128Gcm.DtlsExporterLength());
        Assert.Equal(88, SrtpProfile.AeadAes256Gcm.DtlsExporterLength());
        Assert.Equal(92, SrtpProfile.Aes256CmHmacSha1_32.DtlsExporterLength());
        foreach (SrtpProfile p in SrtpProfileExtensions.All)
        {
            Assert.Equal(SrtpKeyingMaterial.ExportLength(p), p.DtlsExporterLength());
            Assert.Equal(p is not (SrtpProfile.NullHmacSha1_80 or SrtpProfile.NullHmacSha1_32), p.Encrypts());
            Assert.Equal(p is SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm, p.IsAead());
        }
    }

    [Fact]
    public void Gcm_export_is_split_with_12_byte_salts()
    {
        // RFC 5764 §4.2 with RFC 7714 §12 lengths: AEAD_AES_256_GCM has 32-byte keys and 12-byte salts.
        byte[] export = Enumerable.Range(0, 88).Select(i => (byte)i).ToArray();
        SrtpKeyingMaterial c = SrtpKeyingMaterial.Split(SrtpProfile.AeadAes256Gcm, export, isClient: true);
        Assert.Equal(SrtpProfile.AeadAes256Gcm, c.Profile);
        Assert.Equal(export[..32], c.LocalMasterKey.ToArray());
        Assert.Equal(export[32..64], c.RemoteMasterKey.ToArray());
        Assert.Equal(export[64..76], c.LocalMasterSalt.ToArray());
        Assert.Equal(export[76..88], c.RemoteMasterSalt.ToArray());
        SrtpKeyingMaterial s = SrtpKeyingMaterial.Split(SrtpProfile.AeadAes256Gcm, export, isClient: false);
        Assert.Equal(export[32..64], s.LocalMasterKey.ToArray());
        Assert.Equal(export[64..76], s.RemoteMasterSalt.ToArray());
        Assert.Throws<ArgumentException>(() => SrtpKeyingMaterial.Split((SrtpProfile)3, new byte[60], true));
        Assert.Throws<ArgumentException>(() => SrtpSession.FromDtlsExport(SrtpProfile.AeadAes256Gcm, export.AsSpan(0, 87), true));
        using SrtpSession session = SrtpSession.FromDtlsExport(SrtpProfile.AeadAes256Gcm, export, isClient: true);
        Assert.Equal(SrtpProfile.AeadAes256Gcm, session.Profile);
        Assert.Throws<ArgumentException>(() => new SrtpSession(SrtpProfile.AeadAes128Gcm, new byte[16], new byte[12], new byte[16], new byte[14]));
    }

    [Fact]
    public void Every_status_has_a_snake_case_metric_name_and_rtcp_calls_are_tagged_rtcp()
    {
        Assert.Equal("ok", SrtpMetrics.StatusName(SrtpStatus.Ok));
        Assert.Equal("authentication_failed", SrtpMetrics.StatusName(SrtpStatus.AuthenticationFailed));
        Assert.Equal("too_old", SrtpMetrics.StatusName(SrtpStatus.TooOld));
        Assert.Equal("unknown_ssrc", SrtpMetrics.StatusName(SrtpStatus.UnknownSsrc));
        Assert.Equal("key_limit_reached", SrtpMetrics.StatusName(SrtpStatus.KeyLimitReached));
        Assert.Equal("buffer_too_small", SrtpMetrics.StatusName(SrtpStatus.BufferTooSmall));

        using var factory = new TestMeterFactory();
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name + ":" + value;
            foreach (KeyValuePair<string, object?> t in tags)
            {
                key += "|" + t.Key + "=" + t.Value;
            }

            seen.Add(key);
        });
        listener.Start();
        (byte[] k, byte[] s) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var ctx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, k, s, new SrtpOptions { MeterFactory = factory, StrictSsrc = true });
        byte[] rtcp = Packets.WithRoom(Packets.Rtcp(1));
        ctx.ProtectRtcp(rtcp, 32, out int n);
        ctx.ProtectRtcp(Packets.Rtcp(1), new byte[10], out _);
        ctx.UnprotectRtcp(rtcp, n, out _);
        ctx.UnprotectRtcp(rtcp.AsSpan(0, n), new byte[100], out _);
        ctx.ProtectRtp(Packets.Rtp(1, 1, 10), new byte[100], out _);
        ctx.UnprotectRtp(new byte[40], new byte[100], out _);
        Assert.Equal(
            [
                "rtcstack.srtp.protect:1|kind=rtcp|status=ok",
                "rtcstack.srtp.protect:1|kind=rtcp|status=buffer_too_small",
                "rtcstack.srtp.unprotect:1|kind=rtcp|status=unknown_ssrc",
                "rtcstack.srtp.unprotect:1|kind=rtcp|status=unknown_ssrc",
                "rtcstack.srtp.protect:1|kind=rtp|status=ok",
                "rtcstack.srtp.unprotect:1|kind=rtp|status=malformed",
            ],
            seen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gcm_associated_data_in_two_pieces_of_any_length_is_their_concatenation(bool intrinsics)
    {
        // NIST SP 800-38D: A is one bit string; splitting it (header, then the SRTCP index word) changes nothing.
        var rng = new Random(38);
        var key = new byte[16];
        rng.NextBytes(key);
        using var reference = new AesGcm(key, 16);
        using var gcm = new AesGcmCore(key, intrinsics);
        foreach (int a1 in new[] { 0, 1, 15, 16, 17, 33 })
        {
            foreach (int a2 in new[] { 1, 4, 16, 29, 30, 31, 32, 33, 100 })
            {
                byte[] aad1 = new byte[a1], aad2 = new byte[a2], iv = new byte[12], plain = new byte[a1 + a2];
                rng.NextBytes(aad1);
                rng.NextBytes(aad2);
                rng.NextBytes(iv);
                rng.NextBytes(plain);
                var refCipher = new byte[plain.Length];
                var refTag = new byte[16];
                reference.Encrypt(iv, plain, refCipher, refTag, (byte[])[.. aad1, .. aad2]);
                var data = (byte[])plain.Clone();
                var tag = new byte[16];
                gcm.Seal(iv, aad1, aad2, data, tag);
                Assert.Equal(refCipher, data);
                Assert.Equal(refTag, tag);
                Assert.True(gcm.Open(iv, aad1, aad2, data, tag));
                Assert.Equal(plain, data);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_counter_block_increments_its_low_32_bits_modulo_2_pow_32(bool intrinsics)
    {
        // NIST SP 800-38D §6.2 inc32 (and RFC 3711 §4.1.1's counter, whose low bits never carry that far):
        // after ...FFFFFFFF comes ...00000000 with the upper 96 bits unchanged.
        var key = new byte[16];
        new Random(6).NextBytes(key);
        byte[] counter = Convert.FromHexString("0102030405060708090a0b0cfffffffe");
        using var aes = Aes.Create();
        aes.Key = key;
        var expected = new byte[80];
        foreach ((int block, string low) in new[] { (0, "fffffffe"), (1, "ffffffff"), (2, "00000000"), (3, "00000001"), (4, "00000002") })
        {
            aes.EncryptEcb(Convert.FromHexString("0102030405060708090a0b0c" + low), expected.AsSpan(block * 16, 16), PaddingMode.None);
        }

        using var ctr = new AesCtr(key, intrinsics);
        var data = new byte[80];
        ctr.Transform(counter, data);
        Assert.Equal(expected, data);
        ctr.Transform(counter, Span<byte>.Empty);
        Assert.Throws<ArgumentException>(() => AesKeySchedule.Rounds(24));
        Assert.Throws<ArgumentException>(() => AesKeySchedule.Expand(new byte[16], new byte[175]));
    }

    [Fact]
    public void Hmac_at_the_native_threshold_and_with_long_keys_matches_rfc2104()
    {
        var rng = new Random(2104);
        foreach (int keyLength in new[] { 20, 64, 65, 131 })
        {
            var key = new byte[keyLength];
            rng.NextBytes(key);
            foreach (int length in new[] { HmacSha1.DefaultNativeThreshold - 5, HmacSha1.DefaultNativeThreshold - 4, HmacSha1.DefaultNativeThreshold - 3 })
            {
                var data = new byte[length];
                rng.NextBytes(data);
                var roc = new byte[4];
                rng.NextBytes(roc);
                using var hmac = new HmacSha1(key);
                var mac = new byte[20];
                hmac.Compute(data, roc, mac);
                Assert.Equal(HMACSHA1.HashData(key, (byte[])[.. data, .. roc]), mac);
                hmac.Compute(data, default, mac);
                Assert.Equal(HMACSHA1.HashData(key, data), mac);
            }
        }

        // A suffix longer than two blocks (refused until STUN needed it: a header, then the rest of the message).
        byte[] longSuffix = [.. Enumerable.Range(0, 184).Select(i => (byte)i)];
        var digest = new byte[20];
        Sha1.Finish(Sha1.Initial, 0, default, longSuffix, digest);
        Assert.Equal(SHA1.HashData(longSuffix), digest);
    }
}
