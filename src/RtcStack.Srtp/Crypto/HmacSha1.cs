using System.Security.Cryptography;

namespace RtcStack.Srtp.Crypto;

/// <summary>
/// HMAC-SHA1 (RFC 2104) for one fixed key with the inner and outer pad blocks compressed once at
/// construction, so each packet costs only its own blocks plus one outer block. The message is
/// given as a span plus a short suffix (SRTP appends the 4-byte ROC, RFC 3711 §4.2). Tested with
/// RFC 2202 vectors and against System.Security.Cryptography.HMACSHA1.
/// </summary>
internal sealed class HmacSha1
{
    public const int DigestSize = Sha1.DigestSize;
    private readonly Sha1.State _inner;
    private readonly Sha1.State _outer;

    public HmacSha1(ReadOnlySpan<byte> key)
    {
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
        Span<byte> innerDigest = stackalloc byte[DigestSize];
        Sha1.Finish(_inner, Sha1.BlockSize, message, suffix, innerDigest);
        Sha1.Finish(_outer, Sha1.BlockSize, innerDigest, default, mac);
    }
}
