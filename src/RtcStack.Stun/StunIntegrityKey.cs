using System.Buffers.Binary;
using RtcStack.Crypto;

namespace RtcStack.Stun;

/// <summary>
/// A MESSAGE-INTEGRITY key (RFC 8489 §14.5) prepared once for many messages: the HMAC-SHA1 inner and
/// outer pad blocks are hashed at construction (the HMAC SRTP uses: libcrypto's SHA-1 where it loads,
/// else our managed SHA-1), and the message is hashed in place (header with the adjusted length first,
/// then the attributes) instead of being copied. ICE checks every
/// request against the same local password and every response against the same remote one, so the
/// agent keeps two of these. Not thread-safe: one per state machine.
/// </summary>
public sealed class StunIntegrityKey : IDisposable
{
    private readonly HmacSha1 _hmac;
    private readonly byte[] _key;

    /// <summary>Initializes a new key (the password for short-term credentials, the MD5/SHA-256 key for long-term ones).</summary>
    public StunIntegrityKey(ReadOnlySpan<byte> key)
    {
        _key = key.ToArray();
        _hmac = new HmacSha1(_key, HmacSha1.DefaultPath(allowIntrinsics: true));
    }

    /// <summary>Gets the raw key bytes.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <inheritdoc/>
    public void Dispose() => _hmac.Dispose();

    /// <summary>HMAC-SHA1 of <paramref name="prefix"/> with the header length field replaced by <paramref name="lengthField"/>.</summary>
    internal void ComputeSha1(ReadOnlySpan<byte> prefix, int lengthField, Span<byte> mac)
    {
        Span<byte> header = stackalloc byte[StunMessageReader.HeaderLength];
        prefix[..StunMessageReader.HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)lengthField);
        _hmac.Compute(header, prefix[StunMessageReader.HeaderLength..], mac);
    }
}
