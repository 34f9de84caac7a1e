using RtcStack.Rtp.Rtcp;

namespace RtcStack.Congestion.Feedback;

/// <summary>
/// Sender side: turns a transport-wide congestion control feedback packet
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, parsed by <see cref="TransportWideFeedback"/>) into the
/// per-packet results every <see cref="ICongestionController"/> takes, unwrapping the 16-bit sequence numbers against
/// the highest transport sequence number the sender has used.
/// </summary>
public sealed class TwccFeedbackAdapter
{
    private PacketFeedback[] _buffer = new PacketFeedback[32];

    /// <summary>
    /// Converts one RTCP packet. Returns false (and an empty span) when it is not a valid TWCC packet. The span is valid
    /// until the next call.
    /// </summary>
    /// <param name="rtcpPacket">One RTCP packet (not a compound).</param>
    /// <param name="highestSentSequenceNumber">Highest unwrapped transport sequence number sent so far.</param>
    /// <param name="feedback">Per-packet results in sequence order.</param>
    public bool TryConvert(ReadOnlySpan<byte> rtcpPacket, long highestSentSequenceNumber, out ReadOnlySpan<PacketFeedback> feedback)
    {
        feedback = default;
        if (!RtcpPacket.TryParse(rtcpPacket, out RtcpPacket packet) || !TransportWideFeedback.TryParse(packet, out TransportWideFeedback twcc))
        {
            return false;
        }
        long baseSeq = Unwrap(twcc.BaseSequenceNumber, highestSentSequenceNumber);
        int count = twcc.PacketStatusCount;
        if (_buffer.Length < count)
        {
            _buffer = new PacketFeedback[Math.Max(count, _buffer.Length * 2)];
        }
        int n = 0;
        foreach (TransportWidePacketReport r in twcc)
        {
            if (n >= count)
            {
                break;
            }
            long seq = baseSeq + n;
            _buffer[n++] = r.Received ? PacketFeedback.Arrived(seq, r.ArrivalTime) : PacketFeedback.Lost(seq);
        }
        feedback = _buffer.AsSpan(0, n);
        return true;
    }

    /// <summary>The 64-bit sequence number ≤ <paramref name="highest"/> (+ a little slack) that ends in <paramref name="seq16"/>.</summary>
    public static long Unwrap(ushort seq16, long highest)
    {
        if (highest < 0)
        {
            return seq16;
        }
        long candidate = (highest & ~0xFFFFL) | seq16;
        if (candidate > highest + 0x8000)
        {
            candidate -= 0x10000;
        }
        else if (candidate < highest - 0x8000)
        {
            candidate += 0x10000;
        }
        return candidate;
    }
}
