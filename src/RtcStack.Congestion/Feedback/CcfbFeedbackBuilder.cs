using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.Congestion.Feedback;

/// <summary>
/// Receiver side of RFC 8888: records each arriving RTP packet by (SSRC, sequence number) with its arrival time and
/// ECN codepoint, and every report interval writes one congestion control feedback packet (RFC 8888 §3.1, through
/// <see cref="CongestionControlFeedbackWriter"/>) with one report block per SSRC covering every sequence number from
/// the first unreported one to the highest received (gaps reported not received). Arrival time offsets are taken
/// against the report timestamp rounded to its 1/65536 s compact-NTP resolution, so the sender's
/// RTS − ATO reproduces the arrival time to within 1/1024 s. Sequence numbers more than 16384 behind the highest
/// are dropped (the per-block limit of §3.1).
/// </summary>
public sealed class CcfbFeedbackBuilder
{
    private const int Window = CongestionControlFeedback.MaxReportsPerBlock;
    private readonly Dictionary<uint, Stream> _streams = new();
    private readonly List<uint> _order = new();
    private readonly uint _senderSsrc;
    private CcfbPacketMetric[] _metrics = new CcfbPacketMetric[32];
    private TimeSpan _nextReport = TimeSpan.MaxValue;

    /// <summary>Creates a builder reporting as <paramref name="senderSsrc"/> every <paramref name="interval"/>.</summary>
    public CcfbFeedbackBuilder(uint senderSsrc, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _senderSsrc = senderSsrc;
        Interval = interval;
    }

    /// <summary>Report interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Records an arriving RTP packet.</summary>
    public void OnPacket(uint ssrc, ushort sequenceNumber, TimeSpan arrival, CcfbEcn ecn = CcfbEcn.NotEct)
    {
        if (_nextReport == TimeSpan.MaxValue)
        {
            _nextReport = arrival + Interval;
        }
        if (!_streams.TryGetValue(ssrc, out Stream? s))
        {
            s = new Stream();
            _streams.Add(ssrc, s);
            _order.Add(ssrc);
        }
        long seq = s.Unwrapper.Unwrap(sequenceNumber);
        if (s.NextToReport < 0)
        {
            s.NextToReport = seq;
        }
        if (seq < s.NextToReport || seq <= s.Highest - Window)
        {
            return; // already reported (late arrival) or too old
        }
        int i = (int)(seq & (Window - 1));
        s.Arrival[i] = arrival;
        s.Ecn[i] = ecn;
        s.Seq[i] = seq;
        if (seq > s.Highest)
        {
            s.Highest = seq;
        }
    }

    /// <summary>When the next report is due (<see cref="TimeSpan.MaxValue"/> before the first packet).</summary>
    public TimeSpan PollTimeout() => _nextReport;

    /// <summary>
    /// If a report is due at <paramref name="now"/> and there is something to report, writes it to
    /// <paramref name="destination"/> and returns true. Streams that do not fit are reported next time.
    /// </summary>
    public bool TryBuild(TimeSpan now, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (now < _nextReport)
        {
            return false;
        }
        _nextReport = now + Interval;
        // RTS: the receiver clock in 1/65536 s units, low 32 bits on the wire; offsets are taken against the unwrapped
        // rounded value so they stay valid when the compact form wraps.
        // Rounded up, so the report time is never before now: a packet that arrived at this very instant gets an offset of
        // 0, where rounding down would put it after the report time and make its offset "unavailable" (0x1FFF), which the
        // sender cannot use, and it is never reported again.
        long rtsFull = (long)Math.Ceiling(now.Ticks * 65536.0 / TimeSpan.TicksPerSecond);
        uint rts = unchecked((uint)rtsFull);
        var reportTime = TimeSpan.FromTicks((long)Math.Round(rtsFull * (double)TimeSpan.TicksPerSecond / 65536));
        var writer = new CongestionControlFeedbackWriter(destination, _senderSsrc);
        int used = 12;
        bool any = false;
        foreach (uint ssrc in _order)
        {
            Stream s = _streams[ssrc];
            if (s.Highest < s.NextToReport)
            {
                continue;
            }
            int count = (int)Math.Min(s.Highest - s.NextToReport + 1, Window);
            // Block = 8 + count·2 rounded up to 32 bits; `used` already counts the header, sender SSRC and RTS.
            int room = (destination.Length - used - 8 - 2) / 2;
            if (room <= 0)
            {
                break;
            }
            count = Math.Min(count, room);
            if (count <= 0)
            {
                break;
            }
            if (_metrics.Length < count)
            {
                _metrics = new CcfbPacketMetric[Math.Max(count, _metrics.Length * 2)];
            }
            for (int k = 0; k < count; k++)
            {
                long seq = s.NextToReport + k;
                int i = (int)(seq & (Window - 1));
                _metrics[k] = s.Seq[i] == seq ? CcfbPacketMetric.FromArrival(s.Arrival[i], reportTime, s.Ecn[i]) : CcfbPacketMetric.Lost;
            }
            if (!writer.TryAddReportBlock(ssrc, (ushort)s.NextToReport, _metrics.AsSpan(0, count)))
            {
                break;
            }
            used += 8 + ((count * 2 + 3) & ~3);
            s.NextToReport += count;
            any = true;
        }
        return any && writer.TryFinish(rts, out bytesWritten);
    }

    private sealed class Stream
    {
        public readonly TimeSpan[] Arrival = new TimeSpan[Window];
        public readonly CcfbEcn[] Ecn = new CcfbEcn[Window];
        public readonly long[] Seq = CreateSeq();
        public SequenceNumberUnwrapper Unwrapper;
        public long NextToReport = -1;
        public long Highest = -1;

        private static long[] CreateSeq()
        {
            var a = new long[Window];
            Array.Fill(a, -1);
            return a;
        }
    }
}
