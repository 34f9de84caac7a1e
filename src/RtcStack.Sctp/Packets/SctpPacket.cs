using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>
/// A view over one SCTP packet (RFC 9260 §3): the 12-byte common header followed by chunks. Parsing
/// checks the CRC32c (RFC 9260 §6.8, stored least significant byte first as Appendix B computes it)
/// and that every chunk length lies inside the packet; it never throws and never allocates.
/// </summary>
public readonly ref struct SctpPacket
{
    /// <summary>Length of the common header (RFC 9260 §3.1).</summary>
    public const int CommonHeaderLength = 12;

    private SctpPacket(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes;
    }

    /// <summary>Gets the whole packet.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Gets the source port number (RFC 9260 §3.1).</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(Bytes);

    /// <summary>Gets the destination port number (RFC 9260 §3.1).</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(Bytes[2..]);

    /// <summary>Gets the verification tag (RFC 9260 §3.1, §8.5).</summary>
    public uint VerificationTag => BinaryPrimitives.ReadUInt32BigEndian(Bytes[4..]);

    /// <summary>Gets the checksum field as the CRC value (RFC 9260 §6.8 / Appendix B).</summary>
    public uint Checksum => BinaryPrimitives.ReadUInt32LittleEndian(Bytes[8..]);

    /// <summary>Gets an enumerator over the chunks (RFC 9260 §3.2).</summary>
    public SctpChunkEnumerator Chunks => new(Bytes[CommonHeaderLength..]);

    /// <summary>
    /// Parses <paramref name="datagram"/> as one SCTP packet. With <paramref name="verifyChecksum"/> false
    /// the CRC is not checked (RFC 9653 zero checksum, or a caller that checked it already).
    /// </summary>
    /// <param name="datagram">The received bytes (one DTLS application-data record for RFC 8261).</param>
    /// <param name="packet">The packet view when the result is <see cref="SctpParseStatus.Ok"/>.</param>
    /// <param name="verifyChecksum">Whether to verify the CRC32c.</param>
    /// <returns>Why the datagram was accepted or refused.</returns>
    public static SctpParseStatus TryParse(ReadOnlySpan<byte> datagram, out SctpPacket packet, bool verifyChecksum = true)
    {
        packet = default;
        if (datagram.Length < CommonHeaderLength + SctpChunk.HeaderLength)
        {
            return SctpParseStatus.TooShort;
        }

        if (verifyChecksum && ComputeChecksum(datagram) != BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]))
        {
            return SctpParseStatus.BadChecksum;
        }

        ReadOnlySpan<byte> rest = datagram[CommonHeaderLength..];
        while (rest.Length > 0)
        {
            if (rest.Length < SctpChunk.HeaderLength)
            {
                return SctpParseStatus.BadChunkLength;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            if (length < SctpChunk.HeaderLength || length > rest.Length)
            {
                return SctpParseStatus.BadChunkLength;
            }

            // The last chunk's padding may be missing; anything else pads to 4 bytes (RFC 9260 §3.2).
            int padded = (length + 3) & ~3;
            rest = padded >= rest.Length ? default : rest[padded..];
        }

        packet = new SctpPacket(datagram);
        return SctpParseStatus.Ok;
    }

    /// <summary>Computes the CRC32c of a packet as if its checksum field were zero (RFC 9260 §6.8).</summary>
    /// <param name="packet">A packet of at least 12 bytes.</param>
    /// <returns>The CRC value to store least significant byte first.</returns>
    public static uint ComputeChecksum(ReadOnlySpan<byte> packet)
    {
        uint crc = Crc32c.Update(0xFFFFFFFF, packet[..8]);
        crc = Crc32c.Update(crc, [0, 0, 0, 0]);
        crc = Crc32c.Update(crc, packet[CommonHeaderLength..]);
        return ~crc;
    }
}
