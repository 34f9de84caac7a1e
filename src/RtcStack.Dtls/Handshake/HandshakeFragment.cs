namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 6347 §4.2.2: one handshake fragment — msg_type, length (24), message_seq (16),
/// fragment_offset (24), fragment_length (24), then the fragment bytes. The same header is used
/// by DTLS 1.3 (RFC 9147 §5.2).
/// </summary>
internal readonly ref struct HandshakeFragment
{
    public const int HeaderLength = 12;

    public HandshakeFragment(HandshakeType type, int length, int messageSeq, int offset, ReadOnlySpan<byte> body)
    {
        Type = type;
        Length = length;
        MessageSeq = messageSeq;
        Offset = offset;
        Body = body;
    }

    public HandshakeType Type { get; }

    public int Length { get; }

    public int MessageSeq { get; }

    public int Offset { get; }

    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Reads one fragment; false when short or when offset + fragment_length exceeds length.</summary>
    public static bool TryRead(ref SpanReader reader, out HandshakeFragment fragment)
    {
        fragment = default;
        if (!reader.TryReadUInt8(out byte type) || !reader.TryReadUInt24(out int length) ||
            !reader.TryReadUInt16(out ushort seq) || !reader.TryReadUInt24(out int offset) ||
            !reader.TryReadUInt24(out int fragLen) || !reader.TryReadBytes(fragLen, out ReadOnlySpan<byte> body))
        {
            return false;
        }

        if ((long)offset + fragLen > length)
        {
            return false;
        }

        fragment = new HandshakeFragment((HandshakeType)type, length, seq, offset, body);
        return true;
    }

    /// <summary>Writes a fragment header.</summary>
    public static void WriteHeader(Span<byte> dest, HandshakeType type, int length, int messageSeq, int offset, int fragmentLength)
    {
        dest[0] = (byte)type;
        dest[1] = (byte)(length >> 16);
        dest[2] = (byte)(length >> 8);
        dest[3] = (byte)length;
        dest[4] = (byte)(messageSeq >> 8);
        dest[5] = (byte)messageSeq;
        dest[6] = (byte)(offset >> 16);
        dest[7] = (byte)(offset >> 8);
        dest[8] = (byte)offset;
        dest[9] = (byte)(fragmentLength >> 16);
        dest[10] = (byte)(fragmentLength >> 8);
        dest[11] = (byte)fragmentLength;
    }
}
