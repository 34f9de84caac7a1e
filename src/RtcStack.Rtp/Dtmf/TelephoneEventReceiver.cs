namespace RtcStack.Rtp.Dtmf;

/// <summary>
/// Receives RFC 4733 events (§2.5.2): an event is identified by its timestamp; updates extend its
/// duration; the first report with the E bit ends it, and the retransmitted final reports that
/// follow (same timestamp, §2.5.1.4) are counted and dropped; a report for a timestamp before the
/// current event's is late and dropped. A segment that continues a long event (§2.5.1.3: same
/// event, no marker, timestamp where the previous segment's 0xFFFF ended) adds to the same event.
/// An event whose end never arrives is ended by the next event or by <see cref="Flush"/> (which a
/// driver calls when the stream has been quiet for its chosen timeout; time stays outside).
/// Sans-IO: push payloads, drain <see cref="TryPoll"/>. Does not allocate.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private readonly DtmfReport[] _queue = new DtmfReport[4];
    private int _queueCount;
    private int _queueNext;
    private bool _active;
    private bool _ended;
    private byte _event;
    private byte _volume;
    private uint _eventTimestamp;
    private uint _segmentTimestamp;
    private long _previousSegments;
    private ushort _segmentDuration;

    /// <summary>Gets the number of end reports dropped as retransmissions (§2.5.1.4).</summary>
    public long DuplicateEndReports { get; private set; }

    /// <summary>Gets the number of reports dropped as late (older than the current event).</summary>
    public long LateReports { get; private set; }

    /// <summary>Adds one telephone-event payload with its RTP header's timestamp and marker bit; false if it is shorter than 4 bytes.</summary>
    public bool Push(uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        if (!TelephoneEvent.TryParse(payload, out TelephoneEvent report))
        {
            return false;
        }

        if (_queueNext == _queueCount)
        {
            _queueCount = 0;
            _queueNext = 0;
        }

        if (_active && timestamp == _segmentTimestamp && report.Event == _event)
        {
            if (_ended)
            {
                DuplicateEndReports += report.End ? 1 : 0;
                LateReports += report.End ? 0 : 1;
                return true;
            }

            _segmentDuration = Math.Max(_segmentDuration, report.Duration);
            _volume = report.Volume;
            if (report.End)
            {
                End(endReceived: true);
            }

            return true;
        }

        if (_active && unchecked((int)(timestamp - _segmentTimestamp)) < 0)
        {
            LateReports++;
            return true;
        }

        bool continuation = _active && !_ended && !marker && report.Event == _event
            && _segmentDuration == ushort.MaxValue && timestamp == unchecked(_segmentTimestamp + ushort.MaxValue);
        if (continuation)
        {
            _previousSegments += _segmentDuration;
            _segmentTimestamp = timestamp;
            _segmentDuration = report.Duration;
            _volume = report.Volume;
            if (report.End)
            {
                End(endReceived: true);
            }

            return true;
        }

        if (_active && !_ended)
        {
            End(endReceived: false);
        }

        _active = true;
        _ended = false;
        _event = report.Event;
        _volume = report.Volume;
        _eventTimestamp = timestamp;
        _segmentTimestamp = timestamp;
        _previousSegments = 0;
        _segmentDuration = report.Duration;
        Enqueue(new DtmfReport(DtmfReportKind.Started, _event, _eventTimestamp, _segmentDuration, _volume, false));
        if (report.End)
        {
            End(endReceived: true);
        }

        return true;
    }

    /// <summary>Ends an event whose end report never came (the driver's timeout).</summary>
    public void Flush()
    {
        if (_active && !_ended)
        {
            if (_queueNext == _queueCount)
            {
                _queueCount = 0;
                _queueNext = 0;
            }

            End(endReceived: false);
        }
    }

    /// <summary>Gets the next report; false when none is left.</summary>
    public bool TryPoll(out DtmfReport report)
    {
        if (_queueNext < _queueCount)
        {
            report = _queue[_queueNext++];
            return true;
        }

        report = default;
        return false;
    }

    private void End(bool endReceived)
    {
        _ended = true;
        Enqueue(new DtmfReport(DtmfReportKind.Ended, _event, _eventTimestamp, _previousSegments + _segmentDuration, _volume, endReceived));
    }

    private void Enqueue(DtmfReport report)
    {
        if (_queueCount == _queue.Length)
        {
            throw new InvalidOperationException("Drain TryPoll after every push.");
        }

        _queue[_queueCount++] = report;
    }
}
