using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Opus.Ogg;

/// <summary>The Ogg Opus comment header, "OpusTags" (RFC 7845 §5.2): a vendor string and "NAME=value" comments in UTF-8.</summary>
public sealed class OpusTags
{
    /// <summary>Gets or sets the vendor string (the encoder or muxer that wrote the stream).</summary>
    public string Vendor { get; set; } = "RtcStack";

    /// <summary>Gets the user comments, each "NAME=value" (RFC 7845 §5.2, e.g. "ENCODER=...", "R128_TRACK_GAIN=...").</summary>
    public List<string> Comments { get; } = [];

    /// <summary>Gets the serialized length.</summary>
    public int Length
    {
        get
        {
            int length = 8 + 4 + Encoding.UTF8.GetByteCount(Vendor) + 4;
            foreach (string comment in Comments)
            {
                length += 4 + Encoding.UTF8.GetByteCount(comment);
            }

            return length;
        }
    }

    /// <summary>
    /// Parses a comment header packet. Every length is checked against the bytes that remain before
    /// anything is allocated; the comment count is only trusted as far as the data backs it. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out OpusTags? tags)
    {
        tags = null;
        if (packet.Length < 16 || !packet.StartsWith("OpusTags"u8))
        {
            return false;
        }

        int pos = 8;
        uint vendorLength = BinaryPrimitives.ReadUInt32LittleEndian(packet[pos..]);
        pos += 4;
        if (vendorLength > (uint)(packet.Length - pos - 4))
        {
            return false;
        }

        var result = new OpusTags { Vendor = Decode(packet.Slice(pos, (int)vendorLength)) };
        pos += (int)vendorLength;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(packet[pos..]);
        pos += 4;

        // Each comment needs at least its 4-byte length.
        if (count > (uint)(packet.Length - pos) / 4)
        {
            return false;
        }

        for (uint i = 0; i < count; i++)
        {
            if (packet.Length - pos < 4)
            {
                return false;
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(packet[pos..]);
            pos += 4;
            if (length > (uint)(packet.Length - pos))
            {
                return false;
            }

            result.Comments.Add(Decode(packet.Slice(pos, (int)length)));
            pos += (int)length;
        }

        // RFC 7845 §5.2: data after the comments (e.g. binary data flagged by a set LSB) is allowed.
        tags = result;
        return true;
    }

    /// <summary>Writes the header packet; returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        "OpusTags"u8.CopyTo(destination);
        int pos = 8;
        pos += WriteString(destination[pos..], Vendor);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[pos..], (uint)Comments.Count);
        pos += 4;
        foreach (string comment in Comments)
        {
            pos += WriteString(destination[pos..], comment);
        }

        return pos;
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        int length = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)length);
        return 4 + length;
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
