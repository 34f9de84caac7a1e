using System.Buffers.Binary;

namespace RtcStack.Opus.Ogg;

/// <summary>Writes one Ogg page (RFC 3533 §6) into a caller's buffer, computing the CRC. Allocation-free.</summary>
public static class OggPageWriter
{
    /// <summary>
    /// Writes a page with the given lacing values and body; returns its length. The destination must
    /// hold 27 + lacing + body bytes. The body length must equal the sum of the lacing values.
    /// </summary>
    public static int Write(Span<byte> destination, OggPageFlags flags, long granulePosition, uint serialNumber, uint sequenceNumber, ReadOnlySpan<byte> lacingValues, ReadOnlySpan<byte> body)
    {
        if (lacingValues.Length > 255)
        {
            throw new ArgumentException("A page has at most 255 lacing values.", nameof(lacingValues));
        }

        int sum = 0;
        foreach (byte value in lacingValues)
        {
            sum += value;
        }

        if (sum != body.Length)
        {
            throw new ArgumentException($"The lacing values describe {sum} bytes but the body has {body.Length}.", nameof(body));
        }

        int length = OggPage.HeaderLength + lacingValues.Length + body.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The page needs {length} bytes.", nameof(destination));
        }

        WriteHeader(destination, flags, granulePosition, serialNumber, sequenceNumber, lacingValues.Length);
        lacingValues.CopyTo(destination[OggPage.HeaderLength..]);
        body.CopyTo(destination[(OggPage.HeaderLength + lacingValues.Length)..]);
        SetChecksum(destination[..length]);
        return length;
    }

    /// <summary>Writes the 27-byte header with a zero CRC field.</summary>
    internal static void WriteHeader(Span<byte> destination, OggPageFlags flags, long granulePosition, uint serialNumber, uint sequenceNumber, int segments)
    {
        "OggS"u8.CopyTo(destination);
        destination[4] = 0;
        destination[5] = (byte)flags;
        BinaryPrimitives.WriteInt64LittleEndian(destination[6..], granulePosition);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[14..], serialNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[18..], sequenceNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[22..], 0);
        destination[26] = (byte)segments;
    }

    /// <summary>Computes the CRC of a complete page (CRC field zero) and stores it.</summary>
    internal static void SetChecksum(Span<byte> page)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggCrc.Compute(page));
    }
}
