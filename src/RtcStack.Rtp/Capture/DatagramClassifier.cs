using System.Buffers.Binary;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// Sorts UDP payloads into STUN, DTLS, TURN channel data, RTP and RTCP by the first-byte ranges of
/// RFC 7983 §7, then tells RTP from RTCP by the packet type octet (RFC 5761 §4: RTCP packet types
/// 192-223 occupy what would be RTP marker + payload types 64-95) and checks the header holds
/// together (RFC 3550 §5.1 and §6.4.1 lengths).
/// </summary>
public static class DatagramClassifier
{
    /// <summary>Classifies one UDP payload.</summary>
    public static DatagramKind Classify(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return DatagramKind.Other;
        }

        byte b = payload[0];
        switch (b)
        {
            case <= 3:
                return DatagramKind.Stun;
            case >= 16 and <= 19:
                return DatagramKind.Zrtp;
            case >= 20 and <= 63:
                return DatagramKind.Dtls;
            case >= 64 and <= 79:
                return DatagramKind.TurnChannel;
            case >= 128 and <= 191:
                break;
            default:
                return DatagramKind.Other;
        }

        if (payload.Length >= 2 && payload[1] is >= 192 and <= 223)
        {
            return IsPlausibleRtcp(payload) ? DatagramKind.Rtcp : DatagramKind.Other;
        }

        return RtpPacket.TryParse(payload, out _) ? DatagramKind.Rtp : DatagramKind.Other;
    }

    /// <summary>
    /// RFC 3550 §6.4.1: the first RTCP packet's length (in 32-bit words minus one) must fit in the
    /// datagram. Later packets and an SRTCP trailer (RFC 3711 §3.4) are not required to line up.
    /// </summary>
    private static bool IsPlausibleRtcp(ReadOnlySpan<byte> payload) =>
        payload.Length >= 8 && (BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) + 1) * 4 <= payload.Length;
}
