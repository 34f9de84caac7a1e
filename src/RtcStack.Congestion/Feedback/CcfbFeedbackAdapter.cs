using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.Congestion.Feedback;

/// <summary>
/// Sender side of RFC 8888: turns a congestion control feedback packet (RFC 8888 §3.1, parsed by
/// <see cref="CongestionControlFeedback"/>) into the per-packet results every <see cref="ICongestionController"/>
/// takes. RFC 8888 reports per RTP stream by (SSRC, RTP sequence number), so the sender records which transport-wide
/// sequence number each sent packet got (<see cref="OnPacketSent"/>; the last 4096 packets of each SSRC are kept).
/// Arrival time = report timestamp − arrival time offset (§3.1), on the receiver's clock: the 32-bit compact-NTP
/// report timestamp is unwrapped across reports so arrival times are continuous. Packets with no usable offset
/// (0x1FFE over-range, 0x1FFF unavailable) are skipped; packets not received are reported lost.
/// </summary>
public sealed class CcfbFeedbackAdapter
{
    private const int Window = 4096;
    private readonly Dictionary<uint, Stream> _streams = new();
    private PacketFeedback[] _buffer = new PacketFeedback[32];
    private long _lastRtsTicks = long.MinValue;
    private uint _lastRts;

    /// <summary>Records that RTP packet (<paramref name="ssrc"/>, <paramref name="sequenceNumber"/>) went out with <paramref name="transportSequenceNumber"/>.</summary>
    public void OnPacketSent(uint ssrc, ushort sequenceNumber, long transportSequenceNumber)
    {
        if (!_streams.TryGetValue(ssrc, out Stream? s))
        {
            s = new Stream();
            _streams.Add(ssrc, s);
        }
        int i = sequenceNumber & (Window - 1);
        s.Sequence[i] = sequenceNumber;
        s.Transport[i] = transportSequenceNumber;
        s.Valid[i] = true;
    }

    /// <summary>
    /// Converts one RTCP packet. Returns false (and an empty span) when it is not a valid RFC 8888 packet. Results are
    /// sorted by transport sequence number; the span is valid until the next call.
    /// </summary>
    public bool TryConvert(ReadOnlySpan<byte> rtcpPacket, out ReadOnlySpan<PacketFeedback> feedback)
    {
        feedback = default;
        if (!RtcpPacket.TryParse(rtcpPacket, out RtcpPacket packet) || !CongestionControlFeedback.TryParse(packet, out CongestionControlFeedback ccfb))
        {
            return false;
        }
        TimeSpan reportTime = UnwrapReportTime(ccfb.ReportTimestamp);
        int n = 0;
        foreach (CcfbPacketReport r in ccfb.EnumeratePackets())
        {
            if (!_streams.TryGetValue(r.Ssrc, out Stream? s))
            {
                continue;
            }
            int i = r.SequenceNumber & (Window - 1);
            if (!s.Valid[i] || s.Sequence[i] != r.SequenceNumber)
            {
                continue;
            }
            PacketFeedback f;
            if (!r.Metric.Received)
            {
                f = PacketFeedback.Lost(s.Transport[i]);
            }
            else if (r.Metric.TryGetArrivalOffset(out TimeSpan offset))
            {
                f = new PacketFeedback(s.Transport[i], reportTime - offset, true, r.Metric.Ecn == CcfbEcn.Ce);
            }
            else
            {
                continue;
            }
            if (n == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            _buffer[n++] = f;
        }
        Span<PacketFeedback> result = _buffer.AsSpan(0, n);
        result.Sort(static (a, b) => a.TransportSequenceNumber.CompareTo(b.TransportSequenceNumber));
        feedback = result;
        return true;
    }

    private TimeSpan UnwrapReportTime(uint rts)
    {
        // Compact NTP is 16.16 seconds and wraps every 65536 s; unwrap against the previous report.
        long ticks;
        if (_lastRtsTicks == long.MinValue)
        {
            ticks = NtpTimestamp.CompactToTimeSpan(rts).Ticks;
        }
        else
        {
            int delta = unchecked((int)(rts - _lastRts));
            ticks = _lastRtsTicks + ((long)delta * TimeSpan.TicksPerSecond >> 16);
        }
        _lastRts = rts;
        _lastRtsTicks = ticks;
        return TimeSpan.FromTicks(ticks);
    }

    private sealed class Stream
    {
        public readonly ushort[] Sequence = new ushort[Window];
        public readonly long[] Transport = new long[Window];
        public readonly bool[] Valid = new bool[Window];
    }
}
