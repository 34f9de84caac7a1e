using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Stun;

/// <summary>
/// Builds one STUN message into a caller's buffer (RFC 8489 §5, §14). Attributes are appended in
/// call order with zero padding; the header length is kept current after every attribute, so
/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT can be added last, in that order.
/// A buffer that is too small is API misuse and throws.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a message of <paramref name="type"/> with the given 12-byte transaction ID.</summary>
    public StunMessageWriter(Span<byte> buffer, StunMessageType type, StunTransactionId transactionId)
    {
        if (buffer.Length < StunMessageReader.HeaderLength)
        {
            throw new ArgumentException("buffer too small for a STUN header", nameof(buffer));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type.Value);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunMessageReader.MagicCookie);
        transactionId.WriteTo(buffer[8..]);
        _length = StunMessageReader.HeaderLength;
    }

    /// <summary>Gets the number of bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>Gets the message written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Appends an attribute with a raw value, padded to 4 bytes with zeros.</summary>
    public void AddAttribute(StunAttributeType type, ReadOnlySpan<byte> value)
    {
        Span<byte> v = Begin(type, value.Length);
        value.CopyTo(v);
    }

    /// <summary>Appends a UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE).</summary>
    public void AddString(StunAttributeType type, ReadOnlySpan<char> text)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        Span<byte> v = Begin(type, n);
        Encoding.UTF8.GetBytes(text, v);
    }

    /// <summary>Appends a zero-length attribute (USE-CANDIDATE, DONT-FRAGMENT).</summary>
    public void AddFlag(StunAttributeType type) => Begin(type, 0);

    /// <summary>Appends a 32-bit attribute (PRIORITY, LIFETIME).</summary>
    public void AddUInt32(StunAttributeType type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Begin(type, 4), value);

    /// <summary>Appends a 64-bit attribute (ICE-CONTROLLING, ICE-CONTROLLED, RESERVATION-TOKEN).</summary>
    public void AddUInt64(StunAttributeType type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Begin(type, 8), value);

    /// <summary>RFC 8489 §14.1: appends MAPPED-ADDRESS / ALTERNATE-SERVER.</summary>
    public void AddAddress(StunAttributeType type, TransportAddress address) => WriteAddress(type, address, xor: false);

    /// <summary>RFC 8489 §14.2: appends XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS or XOR-RELAYED-ADDRESS.</summary>
    public void AddXorAddress(StunAttributeType type, TransportAddress address) => WriteAddress(type, address, xor: true);

    /// <summary>RFC 8489 §14.8: appends ERROR-CODE with a reason phrase (the RFC's phrase when null).</summary>
    public void AddErrorCode(int code, string? reason = null)
    {
        if (code < 300 || code > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "STUN error codes are 300-699");
        }

        reason ??= StunErrorCode.ReasonPhrase(code);
        int n = Encoding.UTF8.GetByteCount(reason);
        Span<byte> v = Begin(StunAttributeType.ErrorCode, 4 + n);
        v[0] = 0;
        v[1] = 0;
        v[2] = (byte)(code / 100);
        v[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, v[4..]);
    }

    /// <summary>RFC 8489 §14.9: appends UNKNOWN-ATTRIBUTES listing <paramref name="types"/>.</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        Span<byte> v = Begin(StunAttributeType.UnknownAttributes, types.Length * 2);
        for (int i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(v[(i * 2)..], types[i]);
        }
    }

    /// <summary>RFC 8656 §18.1: appends CHANNEL-NUMBER (number, then RFFU zero).</summary>
    public void AddChannelNumber(ushort channel)
    {
        Span<byte> v = Begin(StunAttributeType.ChannelNumber, 4);
        BinaryPrimitives.WriteUInt16BigEndian(v, channel);
        BinaryPrimitives.WriteUInt16BigEndian(v[2..], 0);
    }

    /// <summary>RFC 8656 §18.8: appends REQUESTED-TRANSPORT (17 = UDP).</summary>
    public void AddRequestedTransport(byte protocol)
    {
        Span<byte> v = Begin(StunAttributeType.RequestedTransport, 4);
        v[0] = protocol;
        v[1] = 0;
        v[2] = 0;
        v[3] = 0;
    }

    /// <summary>RFC 8656 §18.7: appends EVEN-PORT with the R (reserve next port) bit.</summary>
    public void AddEvenPort(bool reserveNext)
    {
        Span<byte> v = Begin(StunAttributeType.EvenPort, 1);
        v[0] = reserveNext ? (byte)0x80 : (byte)0;
    }

    /// <summary>
    /// RFC 8489 §14.5: appends MESSAGE-INTEGRITY, an HMAC-SHA1 keyed by <paramref name="key"/>
    /// (the password for short-term credentials, the MD5 key for long-term ones) over everything before it.
    /// </summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int start = _length;
        Span<byte> v = Begin(StunAttributeType.MessageIntegrity, StunIntegrity.Sha1Length);
        StunIntegrity.ComputeHmac(StunIntegrity.Algorithm.Sha1, key, _buffer[..start], _length - StunMessageReader.HeaderLength, v);
    }

    /// <summary>RFC 8489 §14.5: appends MESSAGE-INTEGRITY with a prepared key (no per-call HMAC setup).</summary>
    public void AddMessageIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int start = _length;
        Span<byte> v = Begin(StunAttributeType.MessageIntegrity, StunIntegrity.Sha1Length);
        key.ComputeSha1(_buffer[..start], _length - StunMessageReader.HeaderLength, v);
    }

    /// <summary>RFC 8489 §14.6: appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes).</summary>
    public void AddMessageIntegritySha256(ReadOnlySpan<byte> key)
    {
        int start = _length;
        Span<byte> v = Begin(StunAttributeType.MessageIntegritySha256, StunIntegrity.Sha256Length);
        StunIntegrity.ComputeHmac(StunIntegrity.Algorithm.Sha256, key, _buffer[..start], _length - StunMessageReader.HeaderLength, v);
    }

    /// <summary>RFC 8489 §14.7: appends FINGERPRINT; it must be the last attribute.</summary>
    public void AddFingerprint()
    {
        int start = _length;
        Span<byte> v = Begin(StunAttributeType.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(v, StunIntegrity.ComputeFingerprint(_buffer[..start]));
    }

    private void WriteAddress(StunAttributeType type, TransportAddress address, bool xor)
    {
        if (address.IsEmpty)
        {
            throw new ArgumentException("empty address", nameof(address));
        }

        int n = address.AddressLength;
        Span<byte> v = Begin(type, 4 + n);
        v[0] = 0;
        v[1] = address.IsIPv4 ? (byte)0x01 : (byte)0x02;
        ushort port = (ushort)address.Port;
        address.WriteAddressBytes(v[4..]);
        if (xor)
        {
            port ^= (ushort)(StunMessageReader.MagicCookie >> 16);
            Span<byte> mask = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessageReader.MagicCookie);
            _buffer.Slice(8, 12).CopyTo(mask[4..]);
            for (int i = 0; i < n; i++)
            {
                v[4 + i] ^= mask[i];
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(v[2..], port);
    }

    private Span<byte> Begin(StunAttributeType type, int valueLength)
    {
        if (valueLength > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(valueLength), "attribute value too long");
        }

        int padded = (valueLength + 3) & ~3;
        int total = _length + 4 + padded;
        if (total > _buffer.Length || total - StunMessageReader.HeaderLength > ushort.MaxValue)
        {
            throw new ArgumentException($"STUN buffer of {_buffer.Length} bytes too small for {total}");
        }

        Span<byte> a = _buffer[_length..total];
        BinaryPrimitives.WriteUInt16BigEndian(a, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(a[2..], (ushort)valueLength);
        a[(4 + valueLength)..].Clear();
        _length = total;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessageReader.HeaderLength));
        return a.Slice(4, valueLength);
    }
}
