using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Dtls.Records;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>RFC 9147 §4 / §4.2.3 and RFC 8446 §5.2-§5.3 record protection, checked by construction with the raw primitives.</summary>
public class Dtls13RecordProtectionTests
{
    private static readonly byte[] s_key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] s_iv = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaab");
    private static readonly byte[] s_sn = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");

    [Fact]
    public void Write_MatchesAesGcmWithTheRfcNonceAadAndMask()
    {
        using var p = new Dtls13RecordProtection(s_key, s_iv, s_sn);
        byte[] content = "hello dtls 1.3"u8.ToArray();
        byte[] record = new byte[content.Length + Dtls13RecordProtection.Overhead];
        ulong seq = 0x1234_5678;
        int n = p.Write(record, epoch: 3, seq, ContentType.ApplicationData, content);
        Assert.Equal(record.Length, n);
        Assert.Equal(0x2F, record[0]); // 001 0 1 1 11: S, L, epoch 3

        // Independently: nonce = iv XOR (64-bit seq, left-padded), AAD = header with the clear sequence number.
        byte[] nonce = (byte[])s_iv.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ seq);
        byte[] aad = [0x2F, 0x56, 0x78, 0x00, (byte)(content.Length + 1 + 16)];
        byte[] inner = [.. content, 23];
        byte[] ct = new byte[inner.Length];
        byte[] tag = new byte[16];
        using (var gcm = new AesGcm(s_key, 16))
        {
            gcm.Encrypt(nonce, inner, ct, tag, aad);
        }

        Assert.Equal([.. ct, .. tag], record.AsSpan(5).ToArray());
        Assert.Equal(aad[3..], record.AsSpan(3, 2).ToArray());

        // The sequence number is masked with AES-ECB(sn_key, first 16 ciphertext bytes).
        using var aes = Aes.Create();
        aes.Key = s_sn;
        byte[] wire = [.. ct, .. tag];
        byte[] mask = aes.EncryptEcb(wire.AsSpan(0, 16), PaddingMode.None);
        Assert.Equal((byte)(0x56 ^ mask[0]), record[1]);
        Assert.Equal((byte)(0x78 ^ mask[1]), record[2]);
    }

    [Fact]
    public void RoundTrip_RebuildsTheSequenceNumberAndType()
    {
        using var w = new Dtls13RecordProtection(s_key, s_iv, s_sn);
        using var r = new Dtls13RecordProtection(s_key, s_iv, s_sn);
        byte[] record = new byte[64];
        int n = w.Write(record, 2, 0x1_0005, ContentType.Handshake, [1, 2, 3]);
        Assert.True(Dtls13Record.TryRead(record.AsSpan(0, n), out Dtls13Record rec, out _));
        ulong seq = r.DecryptSequenceNumber(rec, expected: 0x1_0000);
        Assert.Equal(0x1_0005UL, seq);
        byte[] plain = new byte[64];
        Assert.True(r.TryDecrypt(rec, seq, plain, out ContentType type, out int len));
        Assert.Equal(ContentType.Handshake, type);
        Assert.Equal([1, 2, 3], plain.AsSpan(0, len).ToArray());

        // The wrong sequence number (nonce and AAD) does not authenticate.
        Assert.False(r.TryDecrypt(rec, seq + 0x1_0000, plain, out _, out _));
    }

    [Fact]
    public void TamperedRecord_OrWrongKey_DoesNotAuthenticate()
    {
        using var w = new Dtls13RecordProtection(s_key, s_iv, s_sn);
        byte[] record = new byte[64];
        int n = w.Write(record, 3, 7, ContentType.ApplicationData, [9, 9, 9, 9]);
        for (int i = 0; i < n; i++)
        {
            byte[] copy = record.AsSpan(0, n).ToArray();
            copy[i] ^= 0x40;
            if (!Dtls13Record.TryRead(copy, out Dtls13Record rec, out _))
            {
                continue;
            }

            using var r = new Dtls13RecordProtection(s_key, s_iv, s_sn);
            ulong seq = r.DecryptSequenceNumber(rec, 7);
            Assert.False(r.TryDecrypt(rec, seq, new byte[64], out _, out _));
        }

        using var other = new Dtls13RecordProtection(RandomNumberGenerator.GetBytes(16), s_iv, s_sn);
        Assert.True(Dtls13Record.TryRead(record.AsSpan(0, n), out Dtls13Record good, out _));
        Assert.False(other.TryDecrypt(good, 7, new byte[64], out _, out _));
    }

    [Fact]
    public void InnerPlaintextOfOnlyZeros_IsRefused()
    {
        // RFC 8446 §5.4: no non-zero byte means no content type.
        using var w = new Dtls13RecordProtection(s_key, s_iv, s_sn);
        byte[] record = new byte[64];
        int n = w.Write(record, 2, 1, 0, [0, 0, 0]);
        Assert.True(Dtls13Record.TryRead(record.AsSpan(0, n), out Dtls13Record rec, out _));
        Assert.False(w.TryDecrypt(rec, 1, new byte[64], out _, out _));
    }
}
