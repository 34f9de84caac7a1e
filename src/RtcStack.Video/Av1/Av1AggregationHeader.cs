namespace RtcStack.Video;

/// <summary>
/// The AV1 aggregation header, the first byte of every AV1 RTP payload (AV1 RTP §4.4):
/// <c>|Z|Y| W |N|-|-|-|</c>.
/// </summary>
/// <param name="Z">The first OBU element continues an OBU fragment of the previous packet.</param>
/// <param name="Y">The last OBU element is an OBU fragment that continues in the next packet.</param>
/// <param name="W">0 (every OBU element has a leb128 length) or the number of OBU elements (1-3; the last has no length field).</param>
/// <param name="N">The packet is the first of a coded video sequence (a key frame with its sequence header).</param>
public readonly record struct Av1AggregationHeader(bool Z, bool Y, int W, bool N)
{
    /// <summary>Reads the header byte. AV1 RTP §4.4: N=1 with Z=1 is inconsistent (a sequence cannot start with a continuation).</summary>
    /// <returns>False if the byte is missing or has N=1 with Z=1.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Av1AggregationHeader header)
    {
        header = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte b = payload[0];
        header = new Av1AggregationHeader((b & 0x80) != 0, (b & 0x40) != 0, (b >> 4) & 0x03, (b & 0x08) != 0);
        return !(header.N && header.Z);
    }

    /// <summary>Gets the header as its byte (reserved bits 0).</summary>
    public byte ToByte() => (byte)((Z ? 0x80 : 0) | (Y ? 0x40 : 0) | ((W & 0x03) << 4) | (N ? 0x08 : 0));
}
