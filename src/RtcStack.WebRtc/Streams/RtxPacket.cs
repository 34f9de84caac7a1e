using System.Buffers.Binary;
using RtcStack.Rtp;

namespace RtcStack.WebRtc.Streams;

/// <summary>
/// The RTP retransmission payload format, SSRC-multiplexed (RFC 4588 §4): a retransmission is an RTP packet on the
/// RTX SSRC with the RTX payload type and the RTX stream's own sequence number, whose payload is the original sequence
/// number (OSN, two bytes, network order) followed by the original payload. Timestamp, marker, CSRC list and header
/// extension are those of the original. Never throws on untrusted input; allocates nothing.
/// </summary>
public static class RtxPacket
{
    /// <summary>Length of the OSN field that starts an RTX payload (RFC 4588 §4).</summary>
    public const int OsnLength = 2;

    /// <summary>
    /// Wraps <paramref name="original"/> into a retransmission packet (RFC 4588 §4): SSRC <paramref name="rtxSsrc"/>,
    /// payload type <paramref name="rtxPayloadType"/>, sequence number <paramref name="rtxSequenceNumber"/> (the RTX
    /// stream's next one, "one higher than the sequence number of the preceding packet sent in the retransmission
    /// stream"), the original timestamp, marker, CSRCs and header extension, then the OSN and the original payload.
    /// The original's padding is not carried (it is not payload). <paramref name="destination"/> may be the original's
    /// own buffer (starting at the same byte) to wrap in place.
    /// </summary>
    /// <returns><see cref="RtxStatus.Ok"/>, or why nothing was written.</returns>
    public static RtxStatus TryWrap(ReadOnlySpan<byte> original, uint rtxSsrc, byte rtxPayloadType, ushort rtxSequenceNumber, Span<byte> destination, out int written)
    {
        written = 0;
        if (rtxPayloadType > 127)
        {
            return RtxStatus.InvalidPayloadType;
        }

        if (!RtpPacket.TryParse(original, out RtpPacket packet))
        {
            return RtxStatus.Malformed;
        }

        int headerLength = packet.HeaderLength;
        ReadOnlySpan<byte> payload = packet.Payload;
        int length = headerLength + OsnLength + payload.Length;
        if (destination.Length < length)
        {
            return RtxStatus.DestinationTooSmall;
        }

        if (original.Overlaps(destination, out int shift))
        {
            ThrowIfShifted(shift);
            // In place: move the payload first (it only ever moves forward by OSN bytes).
            ushort osn = packet.SequenceNumber;
            int payloadOffset = headerLength;
            int payloadLength = payload.Length;
            original.Slice(payloadOffset, payloadLength).CopyTo(destination[(headerLength + OsnLength)..]);
            original[..headerLength].CopyTo(destination);
            BinaryPrimitives.WriteUInt16BigEndian(destination[headerLength..], osn);
        }
        else
        {
            packet.Header.CopyTo(destination);
            BinaryPrimitives.WriteUInt16BigEndian(destination[headerLength..], packet.SequenceNumber);
            payload.CopyTo(destination[(headerLength + OsnLength)..]);
        }

        RewriteHeader(destination, rtxPayloadType, rtxSequenceNumber, rtxSsrc);
        written = length;
        return RtxStatus.Ok;
    }

    /// <summary>
    /// Restores the original packet from a retransmission (RFC 4588 §4): SSRC <paramref name="originalSsrc"/>, payload
    /// type <paramref name="originalPayloadType"/> (the RTX payload type's <c>apt</c>, §8), the OSN as sequence number,
    /// and the payload after the OSN; timestamp, marker, CSRCs and header extension are kept. An empty payload is
    /// padding (<see cref="RtxStatus.PaddingOnly"/>); a one-byte payload is <see cref="RtxStatus.TooShort"/>. The RTX
    /// packet's padding is not carried. <paramref name="destination"/> may be the RTX packet's own buffer (starting at
    /// the same byte) to unwrap in place.
    /// </summary>
    /// <returns><see cref="RtxStatus.Ok"/>, or why nothing was written.</returns>
    public static RtxStatus TryUnwrap(ReadOnlySpan<byte> rtx, uint originalSsrc, byte originalPayloadType, Span<byte> destination, out int written)
    {
        written = 0;
        if (originalPayloadType > 127)
        {
            return RtxStatus.InvalidPayloadType;
        }

        if (!RtpPacket.TryParse(rtx, out RtpPacket packet))
        {
            return RtxStatus.Malformed;
        }

        ReadOnlySpan<byte> payload = packet.Payload;
        if (payload.IsEmpty)
        {
            return RtxStatus.PaddingOnly;
        }

        if (payload.Length < OsnLength)
        {
            return RtxStatus.TooShort;
        }

        int headerLength = packet.HeaderLength;
        int length = headerLength + payload.Length - OsnLength;
        if (destination.Length < length)
        {
            return RtxStatus.DestinationTooSmall;
        }

        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (rtx.Overlaps(destination, out int shift))
        {
            ThrowIfShifted(shift);
        }

        // Header first, then the payload: in place the payload moves backwards, so a forward copy is safe (CopyTo
        // handles overlap either way).
        rtx[..headerLength].CopyTo(destination);
        rtx.Slice(headerLength + OsnLength, payload.Length - OsnLength).CopyTo(destination[headerLength..]);
        RewriteHeader(destination, originalPayloadType, osn, originalSsrc);
        written = length;
        return RtxStatus.Ok;
    }

    /// <summary>Reads the OSN of an RTX packet without unwrapping it.</summary>
    /// <returns><see cref="RtxStatus.Ok"/>, <see cref="RtxStatus.Malformed"/>, <see cref="RtxStatus.PaddingOnly"/> or <see cref="RtxStatus.TooShort"/>.</returns>
    public static RtxStatus TryReadOriginalSequenceNumber(ReadOnlySpan<byte> rtx, out ushort originalSequenceNumber)
    {
        originalSequenceNumber = 0;
        if (!RtpPacket.TryParse(rtx, out RtpPacket packet))
        {
            return RtxStatus.Malformed;
        }

        ReadOnlySpan<byte> payload = packet.Payload;
        if (payload.IsEmpty)
        {
            return RtxStatus.PaddingOnly;
        }

        if (payload.Length < OsnLength)
        {
            return RtxStatus.TooShort;
        }

        originalSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(payload);
        return RtxStatus.Ok;
    }

    private static void ThrowIfShifted(int shift)
    {
        if (shift != 0)
        {
            throw new ArgumentException("In-place use needs the destination to start where the source does.", "destination");
        }
    }

    // Clears the padding bit (padding is never carried across) and sets PT, sequence number and SSRC; keeps V, X, CC, M.
    private static void RewriteHeader(Span<byte> packet, byte payloadType, ushort sequenceNumber, uint ssrc)
    {
        packet[0] &= 0xDF;
        packet[1] = (byte)((packet[1] & 0x80) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
    }
}
