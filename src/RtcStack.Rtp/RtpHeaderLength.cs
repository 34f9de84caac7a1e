using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace RtcStack.Rtp;

/// <summary>
/// Reads only the length of an RTP header (fixed part, CSRC list, header extension; RFC 3550 §5.1
/// and §5.3.1) without looking at the payload. SRTP needs this for packets whose payload, and so
/// whose padding count, is still encrypted (RFC 3711 §3.1), where <see cref="RtpPacket.TryParse"/>
/// would reject a P bit over ciphertext. <see cref="RtpPacket.TryParse"/> uses it too, then checks
/// the padding.
/// </summary>
public static class RtpHeaderLength
{
    /// <summary>
    /// Returns the header length of <paramref name="data"/>, or false when the version is not 2
    /// or the CSRC list or header extension runs past the end of the datagram.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryGet(ReadOnlySpan<byte> data, out int headerLength)
    {
        headerLength = 0;
        if (data.Length < RtpPacket.FixedHeaderLength || (data[0] >> 6) != RtpPacket.Version2)
        {
            return false;
        }

        int length = RtpPacket.FixedHeaderLength + ((data[0] & 0x0F) * 4);
        if ((data[0] & 0x10) != 0)
        {
            if (data.Length < length + 4)
            {
                return false;
            }

            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(data[(length + 2)..]) * 4);
        }

        if (length > data.Length)
        {
            return false;
        }

        headerLength = length;
        return true;
    }
}
