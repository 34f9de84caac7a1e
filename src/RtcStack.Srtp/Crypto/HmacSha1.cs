using System.Security.Cryptography;

namespace RtcStack.Srtp.Crypto;

/// <summary>
/// HMAC-SHA1 (RFC 2104) for one fixed key, in two forms chosen by message length. Short messages
/// run on our SHA-1 compression with the inner and outer pad blocks compressed once at
/// construction, so a packet costs only its own blocks plus one outer block and no call into
/// native code. Long messages go to a reused <see cref="IncrementalHash"/> (OpenSSL, which uses
/// the CPU's SHA extensions where present): its fixed cost per call is higher but its per-byte
/// cost lower. <see cref="DefaultNativeThreshold"/> is where the two met in
/// benchmarks/RtcStack.Benchmarks/Srtp/SrtpHmacBenchmarks. The message is a span plus a short
/// suffix (SRTP appends the 4-byte ROC, RFC 3711 §4.2). Tested with RFC 2202 vectors and against
/// System.Security.Cryptography.HMACSHA1 on both sides of the threshold.
/// </summary>
internal sealed class HmacSha1 : IDisposable
{
    public const int DigestSize = Sha1.DigestSize;

    /// <summary>Messages (with suffix) at least this long use <see cref="IncrementalHash"/>.</summary>
    public const int DefaultNativeThreshold = 384;

    private readonly Sha1.State _inner;
    private readonly Sha1.State _outer;
    private readonly IncrementalHash? _native;
    private readonly int _nativeThreshold;

    /// <param name="key">The HMAC key.</param>
    /// <param name="nativeThreshold">Message length from which the native HMAC is used; int.MaxValue never uses it, 0 always.</param>
    public HmacSha1(ReadOnlySpan<byte> key, int nativeThreshold = DefaultNativeThreshold)
    {
        _nativeThreshold = nativeThreshold;
        if (nativeThreshold != int.MaxValue)
        {
            _native = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        }

        Span<byte> k = stackalloc byte[Sha1.BlockSize];
        k.Clear();
        if (key.Length > Sha1.BlockSize)
        {
            SHA1.HashData(key, k);
        }
        else
        {
            key.CopyTo(k);
        }

        Span<byte> pad = stackalloc byte[Sha1.BlockSize];
        for (int i = 0; i < pad.Length; i++)
        {
            pad[i] = (byte)(k[i] ^ 0x36);
        }

        _inner = Sha1.Initial;
        Sha1.Compress(ref _inner, pad);
        for (int i = 0; i < pad.Length; i++)
        {
            pad[i] = (byte)(k[i] ^ 0x5C);
        }

        _outer = Sha1.Initial;
        Sha1.Compress(ref _outer, pad);
        CryptographicOperations.ZeroMemory(k);
        CryptographicOperations.ZeroMemory(pad);
    }

    /// <summary>Computes HMAC(key, message ‖ suffix) into the first 20 bytes of <paramref name="mac"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, ReadOnlySpan<byte> suffix, Span<byte> mac)
    {
        if (_native is not null && message.Length + suffix.Length >= _nativeThreshold)
        {
            _native.AppendData(message);
            if (!suffix.IsEmpty)
            {
                _native.AppendData(suffix);
            }

            _native.GetHashAndReset(mac[..DigestSize]);
            return;
        }

        Span<byte> innerDigest = stackalloc byte[DigestSize];
        Sha1.Finish(_inner, Sha1.BlockSize, message, suffix, innerDigest);
        Sha1.Finish(_outer, Sha1.BlockSize, innerDigest, default, mac);
    }

    public void Dispose() => _native?.Dispose();
}
