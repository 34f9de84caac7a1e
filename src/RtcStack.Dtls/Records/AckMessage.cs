using System.Buffers.Binary;

namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 9147 §7 ACK: record_numbers&lt;0..2^16-1&gt;, each RecordNumber {uint64 epoch; uint64
/// sequence_number}, carried in its own content type (26).
/// </summary>
internal static class AckMessage
{
    public const int EntryLength = 16;

    /// <summary>Parses; false on a length that is not a whole number of entries or does not fill the record.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out List<(ulong Epoch, ulong Sequence)> records)
    {
        records = [];
        var r = new SpanReader(body);
        if (!r.TryReadVector16(out ReadOnlySpan<byte> list) || r.Remaining != 0 || list.Length % EntryLength != 0)
        {
            return false;
        }

        for (int i = 0; i < list.Length; i += EntryLength)
        {
            records.Add((BinaryPrimitives.ReadUInt64BigEndian(list[i..]), BinaryPrimitives.ReadUInt64BigEndian(list[(i + 8)..])));
        }

        return true;
    }

    /// <summary>Builds an ACK body for at most <paramref name="max"/> of <paramref name="records"/> (the most recent ones).</summary>
    public static byte[] Build(IReadOnlyList<(ulong Epoch, ulong Sequence)> records, int max)
    {
        int start = Math.Max(0, records.Count - max);
        int count = records.Count - start;
        var body = new byte[2 + (count * EntryLength)];
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)(count * EntryLength));
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(2 + (i * EntryLength)), records[start + i].Epoch);
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(10 + (i * EntryLength)), records[start + i].Sequence);
        }

        return body;
    }
}
