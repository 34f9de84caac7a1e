using System.Buffers.Binary;

namespace RtcStack.Rtp;

/// <summary>
/// Transport-wide sequence number (<c>http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01</c>,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): a 16-bit counter shared by every
/// stream on the transport, echoed back in transport-wide feedback (RTCP transport-wide feedback).
/// </summary>
public static class TransportSequenceNumberExtension
{
    /// <summary>Length of the element data.</summary>
    public const int Length = 2;

    /// <summary>Reads the sequence number (the first two bytes; longer variants carry extra fields after it).</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out ushort sequenceNumber)
    {
        if (value.Length < Length)
        {
            sequenceNumber = 0;
            return false;
        }

        sequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }

    /// <summary>Writes the sequence number and returns 2.</summary>
    public static int Write(Span<byte> destination, ushort sequenceNumber)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, sequenceNumber);
        return Length;
    }
}
