using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using RtcStack.Dtls;
using RtcStack.Dtls.Records;

namespace RtcStack.Benchmarks.Dtls;

/// <summary>
/// One DTLS 1.3 record written and read back (TLS_AES_128_GCM_SHA256, RFC 9147 §4: AEAD over the unified header,
/// then the record-number mask AES-ECB(sn_key, ciphertext[0..15]) on each side), as the data channel's packets go:
/// <see cref="Dtls13RecordProtection"/> (AES-GCM and the mask on AES-NI/PCLMULQDQ, the SRTP code) against the same
/// steps on .NET's System.Security.Cryptography (AesGcm and Aes.EncryptEcb, which run on OpenSSL 3's EVP with a
/// context set up per call; this is what the record layer used before), in the same run.
/// </summary>
[MemoryDiagnoser]
public class DtlsRecordBenchmarks
{
    private readonly byte[] _record = new byte[1500];
    private readonly byte[] _plain = new byte[1500];
    private byte[] _content = [];
    private Dtls13RecordProtection _ours = null!;
    private AesGcm _netAead = null!;
    private Aes _netSn = null!;
    private readonly byte[] _iv = new byte[12];
    private ulong _seq;

    [Params(160, 1200)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] snKey = RandomNumberGenerator.GetBytes(16);
        RandomNumberGenerator.Fill(_iv);
        _content = RandomNumberGenerator.GetBytes(Size);
        _ours = new Dtls13RecordProtection(key, _iv, snKey);
        _netAead = new AesGcm(key, 16);
        _netSn = Aes.Create();
        _netSn.Key = snKey;

        // Both produce the same record bytes.
        int n = _ours.Write(_record, 3, 77, ContentType.ApplicationData, _content);
        byte[] ours = _record.AsSpan(0, n).ToArray();
        int m = NetWrite(77);
        if (!ours.AsSpan().SequenceEqual(_record.AsSpan(0, m)))
        {
            throw new InvalidOperationException("the two record writers disagree");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _netAead.Dispose();
        _netSn.Dispose();
    }

    [Benchmark(Baseline = true, Description = ".NET AesGcm + Aes.EncryptEcb (OpenSSL 3 EVP): write + read")]
    public int DotNet()
    {
        ulong seq = ++_seq;
        int n = NetWrite(seq);
        return NetRead(n, seq);
    }

    [Benchmark(Description = "RtcStack Dtls13RecordProtection: write + read")]
    public int RtcStack()
    {
        ulong seq = ++_seq;
        int n = _ours.Write(_record, 3, seq, ContentType.ApplicationData, _content);
        if (!Dtls13Record.TryRead(_record.AsSpan(0, n), out Dtls13Record record, out _))
        {
            throw new InvalidOperationException("unreadable record");
        }

        ulong s = _ours.DecryptSequenceNumber(record, seq);
        if (!_ours.TryDecrypt(record, s, _plain, out _, out int length))
        {
            throw new InvalidOperationException("record did not authenticate");
        }

        return length;
    }

    // The previous record layer's steps (header with S and L set, inner plaintext, AEAD with the header as AAD, mask).
    private int NetWrite(ulong seq)
    {
        int inner = _content.Length + 1;
        int length = inner + 16;
        Span<byte> d = _record;
        d[0] = 0x2C | 3;
        d[1] = (byte)(seq >> 8);
        d[2] = (byte)seq;
        d[3] = (byte)(length >> 8);
        d[4] = (byte)length;
        Span<byte> body = d.Slice(5, inner);
        _content.CopyTo(body);
        body[^1] = (byte)ContentType.ApplicationData;
        Span<byte> nonce = stackalloc byte[12];
        Nonce(seq, nonce);
        _netAead.Encrypt(nonce, body, body, d.Slice(5 + inner, 16), d[..5]);
        Span<byte> mask = stackalloc byte[16];
        _netSn.EncryptEcb(d.Slice(5, 16), mask, PaddingMode.None);
        d[1] ^= mask[0];
        d[2] ^= mask[1];
        return 5 + length;
    }

    private int NetRead(int n, ulong seq)
    {
        ReadOnlySpan<byte> d = _record.AsSpan(0, n);
        Span<byte> mask = stackalloc byte[16];
        _netSn.EncryptEcb(d.Slice(5, 16), mask, PaddingMode.None);
        Span<byte> aad = stackalloc byte[5];
        d[..5].CopyTo(aad);
        aad[1] ^= mask[0];
        aad[2] ^= mask[1];
        int inner = n - 5 - 16;
        Span<byte> nonce = stackalloc byte[12];
        Nonce(seq, nonce);
        _netAead.Decrypt(nonce, d.Slice(5, inner), d.Slice(5 + inner, 16), _plain.AsSpan(0, inner), aad);
        return inner - 1;
    }

    private void Nonce(ulong seq, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        for (int i = 0; i < 8; i++)
        {
            nonce[4 + i] ^= (byte)(seq >> (56 - (8 * i)));
        }
    }
}
