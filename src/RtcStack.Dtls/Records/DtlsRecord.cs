using System.Buffers.Binary;

namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 6347 §4.1: one DTLSPlaintext/DTLSCiphertext record with the 13-byte header
/// (type, version, epoch, 48-bit sequence_number, length). A view over the datagram; DTLS 1.3's
/// unified header (RFC 9147 §4) is a different reader beside this one.
/// </summary>
internal readonly ref struct DtlsRecord
{
    public const int HeaderLength = 13;

    public DtlsRecord(ContentType type, ushort version, ushort epoch, ulong sequenceNumber, ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment)
    {
        Type = type;
        Version = version;
        Epoch = epoch;
        SequenceNumber = sequenceNumber;
        Header = header;
        Fragment = fragment;
    }

    public ContentType Type { get; }

    public ushort Version { get; }

    public ushort Epoch { get; }

    public ulong SequenceNumber { get; }

    public ReadOnlySpan<byte> Header { get; }

    public ReadOnlySpan<byte> Fragment { get; }

    /// <summary>
    /// Reads the record at the start of <paramref name="datagram"/>. Returns false (and the
    /// caller drops the rest of the datagram, RFC 6347 §4.1.2.7) when the header is short, the
    /// length runs past the datagram or exceeds 2^14 + 2048, or the first byte is not a DTLS 1.2
    /// content type.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out DtlsRecord record, out int consumed)
    {
        record = default;
        consumed = 0;
        if (datagram.Length < HeaderLength)
        {
            return false;
        }

        byte type = datagram[0];
        if (type is < 20 or > 23)
        {
            return false;
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(datagram[1..]);
        if ((version >> 8) != 0xFE)
        {
            return false;
        }

        ushort epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]);
        ulong seq = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(datagram[5..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(datagram[7..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
        if (length > (1 << 14) + 2048 || HeaderLength + length > datagram.Length)
        {
            return false;
        }

        consumed = HeaderLength + length;
        record = new DtlsRecord((ContentType)type, version, epoch, seq, datagram[..HeaderLength], datagram.Slice(HeaderLength, length));
        return true;
    }

    /// <summary>Writes a 13-byte header.</summary>
    public static void WriteHeader(Span<byte> dest, ContentType type, ushort version, ushort epoch, ulong seq, int length)
    {
        dest[0] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(dest[1..], version);
        BinaryPrimitives.WriteUInt16BigEndian(dest[3..], epoch);
        BinaryPrimitives.WriteUInt16BigEndian(dest[5..], (ushort)(seq >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(dest[7..], (uint)seq);
        BinaryPrimitives.WriteUInt16BigEndian(dest[11..], (ushort)length);
    }
}
