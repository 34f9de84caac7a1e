namespace RtcStack.Congestion.Feedback;

/// <summary>
/// Receiver side of congestion-control feedback: records each arriving packet's transport-wide sequence number and
/// arrival time and, when due, produces one report covering every sequence number from the first unreported one to
/// the highest received (gaps reported lost). Timing and resolution follow the format:
/// TWCC reports every 50–100 ms (5 % of the incoming rate spent on feedback, clamped, as libwebrtc's
/// RemoteEstimatorProxy does with its 50–250 ms range narrowed to 50–100 ms) with 250 µs arrival resolution
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.5); RFC 8888 reports at a fixed configurable interval with
/// 1/1024 s arrival-time-offset resolution (RFC 8888 §3.1). The generator carries no wire format: an RTCP writer turns
/// each report into a TWCC or CCFB packet.
/// </summary>
public sealed class FeedbackGenerator
{
    /// <summary>Shortest TWCC interval.</summary>
    public static readonly TimeSpan MinTwccInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest TWCC interval.</summary>
    public static readonly TimeSpan MaxTwccInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Fraction of the incoming rate TWCC may use (libwebrtc kDefaultBandwidthFraction = 5 %).</summary>
    public const double TwccBandwidthFraction = 0.05;

    // Ring of arrivals by transport sequence number: arrival time and which sequence number owns the slot (no
    // per-packet allocation). It starts small (a session's memory matters when a host runs thousands) and doubles,
    // rarely, when the unreported range outgrows it, up to 32768, the most one report may span.
    private const int InitialRingSize = 64;
    private const int MaxRingSize = 1 << 15;
    private TimeSpan[] _arrivalTimes = new TimeSpan[InitialRingSize];
    private long[] _arrivalSeqs = CreateSeqs(InitialRingSize);
    private readonly List<PacketFeedback> _report = new();
    private readonly TimeSpan _rfc8888Interval;
    private long _nextToReport = -1;
    private long _highest = -1;
    private TimeSpan _nextReportTime = TimeSpan.MinValue;
    private double _incomingBytes;
    private TimeSpan _rateWindowStart;
    private double _incomingRateBps;

    /// <summary>Creates a generator.</summary>
    /// <param name="format">Feedback kind.</param>
    /// <param name="rfc8888Interval">Report interval for RFC 8888 (default 100 ms).</param>
    public FeedbackGenerator(FeedbackFormat format, TimeSpan? rfc8888Interval = null)
    {
        Format = format;
        _rfc8888Interval = rfc8888Interval ?? TimeSpan.FromMilliseconds(100);
    }

    /// <summary>The feedback kind.</summary>
    public FeedbackFormat Format { get; }

    /// <summary>Arrival time resolution of the format.</summary>
    public TimeSpan Resolution => Format == FeedbackFormat.Twcc ? TimeSpan.FromTicks(2500) : TimeSpan.FromSeconds(1.0 / 1024);

    /// <summary>Current report interval.</summary>
    public TimeSpan Interval
    {
        get
        {
            if (Format == FeedbackFormat.Rfc8888)
            {
                return _rfc8888Interval;
            }
            if (_incomingRateBps <= 0)
            {
                return MaxTwccInterval;
            }
            // A TWCC packet is about 80 bytes on the wire at these rates.
            double seconds = 80 * 8 / (TwccBandwidthFraction * _incomingRateBps);
            return TimeSpan.FromSeconds(Math.Clamp(seconds, MinTwccInterval.TotalSeconds, MaxTwccInterval.TotalSeconds));
        }
    }

    /// <summary>Records an arriving packet.</summary>
    public void OnPacket(long transportSequenceNumber, int size, TimeSpan arrival)
    {
        if (_nextReportTime == TimeSpan.MinValue)
        {
            _nextReportTime = arrival + Interval;
            _rateWindowStart = arrival;
        }
        if (_nextToReport < 0)
        {
            _nextToReport = transportSequenceNumber;
        }
        if (transportSequenceNumber < _nextToReport)
        {
            return;
        }
        if (transportSequenceNumber - _nextToReport >= _arrivalSeqs.Length)
        {
            Grow(transportSequenceNumber - _nextToReport + 1);
            if (transportSequenceNumber - _nextToReport >= _arrivalSeqs.Length)
            {
                // Far ahead of the unreported range (a long outage): report the older range as lost and move on.
                _nextToReport = transportSequenceNumber - _arrivalSeqs.Length + 1;
            }
        }
        int slot = (int)(transportSequenceNumber & (_arrivalSeqs.Length - 1));
        _arrivalTimes[slot] = Quantize(arrival);
        _arrivalSeqs[slot] = transportSequenceNumber;
        _highest = Math.Max(_highest, transportSequenceNumber);
        _incomingBytes += size;
        if (arrival - _rateWindowStart >= TimeSpan.FromSeconds(1))
        {
            _incomingRateBps = _incomingBytes * 8 / (arrival - _rateWindowStart).TotalSeconds;
            _incomingBytes = 0;
            _rateWindowStart = arrival;
        }
    }

    /// <summary>When the next report is due (<see cref="TimeSpan.MaxValue"/> before the first packet).</summary>
    public TimeSpan PollTimeout() => _nextReportTime == TimeSpan.MinValue ? TimeSpan.MaxValue : _nextReportTime;

    /// <summary>
    /// If a report is due at <paramref name="now"/> and there is something to report, fills <paramref name="report"/>
    /// (valid until the next call) and returns true.
    /// </summary>
    public bool TryBuildReport(TimeSpan now, out IReadOnlyList<PacketFeedback> report)
    {
        report = _report;
        if (now < _nextReportTime || _nextReportTime == TimeSpan.MinValue)
        {
            return false;
        }
        _nextReportTime = now + Interval;
        _report.Clear();
        if (_highest < _nextToReport)
        {
            return false;
        }
        for (long seq = _nextToReport; seq <= _highest; seq++)
        {
            int slot = (int)(seq & (_arrivalSeqs.Length - 1));
            _report.Add(_arrivalSeqs[slot] == seq ? PacketFeedback.Arrived(seq, _arrivalTimes[slot]) : PacketFeedback.Lost(seq));
        }
        _nextToReport = _highest + 1;
        return true;
    }

    /// <summary>Bytes on the wire (IP/UDP/RTCP) of a report of <paramref name="packets"/> entries, for overhead accounting.</summary>
    public int EstimateWireSize(int packets)
    {
        int rtcp = Format == FeedbackFormat.Twcc
            // Header 8 + media SSRC 4 + base/count/ref time 8 + run-length/vector chunks (≈ 7 packets each) + 1-byte deltas.
            ? 20 + 2 * ((packets + 6) / 7) + packets
            // Header 8 + report timestamp 4 + per-SSRC block header 8 + 2 bytes per packet.
            : 20 + 2 * packets;
        rtcp = (rtcp + 3) & ~3;
        return rtcp + 28;
    }

    private static long[] CreateSeqs(int size)
    {
        var a = new long[size];
        Array.Fill(a, -1);
        return a;
    }

    private void Grow(long span)
    {
        int size = _arrivalSeqs.Length;
        while (size < span && size < MaxRingSize)
        {
            size *= 2;
        }
        if (size == _arrivalSeqs.Length)
        {
            return;
        }
        TimeSpan[] times = new TimeSpan[size];
        long[] seqs = CreateSeqs(size);
        for (int i = 0; i < _arrivalSeqs.Length; i++)
        {
            long seq = _arrivalSeqs[i];
            if (seq >= _nextToReport)
            {
                int slot = (int)(seq & (size - 1));
                times[slot] = _arrivalTimes[i];
                seqs[slot] = seq;
            }
        }
        _arrivalTimes = times;
        _arrivalSeqs = seqs;
    }

    private TimeSpan Quantize(TimeSpan t)
    {
        long res = Resolution.Ticks;
        return TimeSpan.FromTicks(t.Ticks / res * res);
    }
}
