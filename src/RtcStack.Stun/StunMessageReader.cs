using System.Buffers.Binary;

namespace RtcStack.Stun;

/// <summary>
/// A validated, read-only view of one STUN message (RFC 8489 §5, §6.3). <see cref="TryParse"/>
/// checks the header, the length and every attribute boundary once; the accessors then read
/// attributes without allocating. Integrity and fingerprint are checked on request
/// (<see cref="VerifyMessageIntegrity(ReadOnlySpan{byte})"/>, <see cref="VerifyFingerprint"/>) in constant time.
/// </summary>
public readonly ref partial struct StunMessageReader
{
    /// <summary>The STUN header length (RFC 8489 §5).</summary>
    public const int HeaderLength = 20;

    /// <summary>The magic cookie (RFC 8489 §5).</summary>
    public const uint MagicCookie = 0x2112A442;

    private readonly ReadOnlySpan<byte> _message;
    private readonly int _integrityOffset;
    private readonly int _integritySha256Offset;
    private readonly int _fingerprintOffset;

    private StunMessageReader(ReadOnlySpan<byte> message, int integrityOffset, int integritySha256Offset, int fingerprintOffset)
    {
        _message = message;
        _integrityOffset = integrityOffset;
        _integritySha256Offset = integritySha256Offset;
        _fingerprintOffset = fingerprintOffset;
    }

    /// <summary>Gets the whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Message => _message;

    /// <summary>Gets the message type.</summary>
    public StunMessageType MessageType => StunMessageType.FromValue(BinaryPrimitives.ReadUInt16BigEndian(_message));

    /// <summary>Gets the method.</summary>
    public StunMethod Method => MessageType.Method;

    /// <summary>Gets the class.</summary>
    public StunClass Class => MessageType.Class;

    /// <summary>Gets the 12 transaction ID bytes.</summary>
    public ReadOnlySpan<byte> TransactionIdBytes => _message.Slice(8, StunTransactionId.Length);

    /// <summary>Gets the transaction ID as a value.</summary>
    public StunTransactionId TransactionId => StunTransactionId.Read(_message[8..]);

    /// <summary>Gets a value indicating whether MESSAGE-INTEGRITY is present.</summary>
    public bool HasMessageIntegrity => _integrityOffset > 0;

    /// <summary>Gets a value indicating whether MESSAGE-INTEGRITY-SHA256 is present.</summary>
    public bool HasMessageIntegritySha256 => _integritySha256Offset > 0;

    /// <summary>Gets a value indicating whether FINGERPRINT is present.</summary>
    public bool HasFingerprint => _fingerprintOffset > 0;

    /// <summary>
    /// Quick test (RFC 7983 / RFC 8489 §6.3) that a datagram may be STUN: top two bits zero and the
    /// magic cookie at offset 4. Does not validate attributes.
    /// </summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderLength && (datagram[0] & 0xC0) == 0 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie;

    /// <summary>
    /// RFC 8489 §6.3: validates <paramref name="datagram"/> as one STUN message over UDP (the
    /// datagram must hold exactly the message), walking every attribute boundary. Never throws.
    /// </summary>
    public static StunParseStatus TryParse(ReadOnlySpan<byte> datagram, out StunMessageReader reader)
    {
        reader = default;
        if (datagram.Length < HeaderLength)
        {
            return StunParseStatus.TooShort;
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            return StunParseStatus.NotStun;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie)
        {
            return StunParseStatus.BadMagicCookie;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0 || HeaderLength + length != datagram.Length)
        {
            return StunParseStatus.BadLength;
        }

        int integrity = 0;
        int integrity256 = 0;
        int fingerprint = 0;
        int offset = HeaderLength;
        int end = datagram.Length;
        int stage = 0;
        while (offset < end)
        {
            if (end - offset < 4)
            {
                return StunParseStatus.TruncatedAttribute;
            }

            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (padded > end - offset - 4)
            {
                return StunParseStatus.TruncatedAttribute;
            }

            if (fingerprint != 0)
            {
                return StunParseStatus.FingerprintNotLast;
            }

            switch (type)
            {
                case StunAttributeType.MessageIntegrity when stage == 0:
                    if (valueLength != 20)
                    {
                        return StunParseStatus.BadAttributeLength;
                    }

                    integrity = offset;
                    stage = 1;
                    break;
                case StunAttributeType.MessageIntegritySha256 when stage < 2:
                    if (valueLength < 16 || valueLength > 32 || (valueLength & 3) != 0)
                    {
                        return StunParseStatus.BadAttributeLength;
                    }

                    integrity256 = offset;
                    stage = 2;
                    break;
                case StunAttributeType.Fingerprint:
                    if (valueLength != 4)
                    {
                        return StunParseStatus.BadAttributeLength;
                    }

                    fingerprint = offset;
                    break;
            }

            offset += 4 + padded;
        }

        reader = new StunMessageReader(datagram, integrity, integrity256, fingerprint);
        return StunParseStatus.Ok;
    }

    /// <summary>Enumerates the attributes that count (see <see cref="StunAttributeEnumerator"/>).</summary>
    public StunAttributeEnumerator GetAttributes() => new(_message);

    /// <summary>Finds the first attribute of <paramref name="type"/> that counts.</summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        foreach (StunAttribute a in GetAttributes())
        {
            if (a.Type == type)
            {
                value = a.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Gets a value indicating whether an attribute of <paramref name="type"/> is present.</summary>
    public bool HasAttribute(StunAttributeType type) => TryGetAttribute(type, out _);

    /// <summary>
    /// RFC 8489 §6.3.1: copies the comprehension-required attribute types this library does not
    /// understand into <paramref name="destination"/> (at most its length) and returns how many there are.
    /// </summary>
    public int GetUnknownComprehensionRequired(Span<ushort> destination)
    {
        int count = 0;
        foreach (StunAttribute a in GetAttributes())
        {
            if (a.Type.IsComprehensionRequired() && !a.Type.IsKnown())
            {
                if (count < destination.Length)
                {
                    destination[count] = (ushort)a.Type;
                }

                count++;
            }
        }

        return count;
    }
}
