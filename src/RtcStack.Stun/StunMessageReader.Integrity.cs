using System.Buffers.Binary;

namespace RtcStack.Stun;

/// <content>MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT checks.</content>
public readonly ref partial struct StunMessageReader
{
    /// <summary>
    /// RFC 8489 §14.5: checks MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to the attribute,
    /// with the length field covering it) against <paramref name="key"/> in constant time. False
    /// when the attribute is absent.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset == 0)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[StunIntegrity.Sha1Length];
        StunIntegrity.ComputeHmac(StunIntegrity.Algorithm.Sha1, key, _message[.._integrityOffset], _integrityOffset + 4 + StunIntegrity.Sha1Length - HeaderLength, mac);
        return StunIntegrity.FixedTimeEquals(mac, _message.Slice(_integrityOffset + 4, StunIntegrity.Sha1Length));
    }

    /// <summary>
    /// RFC 8489 §14.5: as <see cref="VerifyMessageIntegrity(ReadOnlySpan{byte})"/> with a prepared
    /// key (no per-call HMAC setup, no copy of the message). Allocation-free.
    /// </summary>
    public bool VerifyMessageIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_integrityOffset == 0)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[StunIntegrity.Sha1Length];
        key.ComputeSha1(_message[.._integrityOffset], _integrityOffset + 4 + StunIntegrity.Sha1Length - HeaderLength, mac);
        return StunIntegrity.FixedTimeEquals(mac, _message.Slice(_integrityOffset + 4, StunIntegrity.Sha1Length));
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY-SHA256 if present (with the raw key), else MESSAGE-INTEGRITY with
    /// the prepared key.
    /// </summary>
    public bool VerifyIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HasMessageIntegritySha256 ? VerifyMessageIntegritySha256(key.Key) : VerifyMessageIntegrity(key);
    }

    /// <summary>
    /// RFC 8489 §14.6: checks MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated to 16..32
    /// bytes) against <paramref name="key"/> in constant time. False when the attribute is absent.
    /// </summary>
    public bool VerifyMessageIntegritySha256(ReadOnlySpan<byte> key)
    {
        if (_integritySha256Offset == 0)
        {
            return false;
        }

        int macLength = BinaryPrimitives.ReadUInt16BigEndian(_message[(_integritySha256Offset + 2)..]);
        Span<byte> mac = stackalloc byte[StunIntegrity.Sha256Length];
        StunIntegrity.ComputeHmac(StunIntegrity.Algorithm.Sha256, key, _message[.._integritySha256Offset], _integritySha256Offset + 4 + macLength - HeaderLength, mac);
        return StunIntegrity.FixedTimeEquals(mac[..macLength], _message.Slice(_integritySha256Offset + 4, macLength));
    }

    /// <summary>
    /// Checks whichever integrity attribute the message carries (MESSAGE-INTEGRITY-SHA256 if
    /// present, else MESSAGE-INTEGRITY). RFC 8489 §9.1.3: short-term credentials use the same key for both.
    /// </summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key) => HasMessageIntegritySha256 ? VerifyMessageIntegritySha256(key) : VerifyMessageIntegrity(key);

    /// <summary>
    /// RFC 8489 §14.7: checks FINGERPRINT (CRC-32 of the message before it, XOR 0x5354554E). False
    /// when the attribute is absent. The comparison is on a public value, but done without early exit.
    /// </summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset == 0)
        {
            return false;
        }

        uint expected = StunIntegrity.ComputeFingerprint(_message[.._fingerprintOffset]);
        uint actual = BinaryPrimitives.ReadUInt32BigEndian(_message[(_fingerprintOffset + 4)..]);
        return (expected ^ actual) == 0;
    }
}
