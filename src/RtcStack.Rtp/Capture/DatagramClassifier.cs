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

        return Rfc7983.Classify(payload) switch
        {
            Rfc7983.Kind.Stun => DatagramKind.Stun,
            Rfc7983.Kind.Zrtp => DatagramKind.Zrtp,
            Rfc7983.Kind.Dtls => DatagramKind.Dtls,
            Rfc7983.Kind.TurnChannelData => DatagramKind.TurnChannel,

            // A capture also checks that the header holds together, so a stray byte pattern is not counted as a stream.
            Rfc7983.Kind.Rtcp => IsPlausibleRtcp(payload) ? DatagramKind.Rtcp : DatagramKind.Other,
            Rfc7983.Kind.Rtp => RtpPacket.TryParse(payload, out _) ? DatagramKind.Rtp : DatagramKind.Other,
            _ => DatagramKind.Other,
        };
    }

    /// <summary>
    /// RFC 3550 §6.4.1: the first RTCP packet's length (in 32-bit words minus one) must fit in the
    /// datagram. Later packets and an SRTCP trailer (RFC 3711 §3.4) are not required to line up.
    /// </summary>
    private static bool IsPlausibleRtcp(ReadOnlySpan<byte> payload) =>
        payload.Length >= 8 && (BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) + 1) * 4 <= payload.Length;
}
