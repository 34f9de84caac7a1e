namespace RtcStack.Rtp.Dtmf;

/// <summary>
/// Sends RFC 4733 events (§2.5.1): the first packet carries the marker bit; every packet of the
/// event carries the event's start timestamp and the duration so far, growing by the update
/// interval; the final report has the E bit and is sent three times (§2.5.1.4) with the same
/// duration. An event longer than 0xFFFF timestamp units is cut into segments (§2.5.1.3): each
/// segment ends with a report of duration 0xFFFF sent three times without the E bit, and the
/// next starts at the old timestamp plus 0xFFFF, without the marker. Sans-IO: call
/// <see cref="Start"/>, then drain <see cref="TryPoll"/>; each packet says when (in timestamp
/// units after the start) the driver should send it. Does not allocate.
/// </summary>
public sealed class TelephoneEventSender
{
    /// <summary>How many times the final report of an event or segment is sent (§2.5.1.4).</summary>
    public const int FinalRepeats = 3;

    private const int MaxSegment = ushort.MaxValue;

    private byte _event;
    private byte _volume;
    private long _total;
    private long _elapsed;
    private uint _segmentTimestamp;
    private long _segmentStart;
    private int _finalSent;
    private bool _first;
    private bool _busy;
    private long _lastSendAt;

    /// <summary>Initializes a new instance of the <see cref="TelephoneEventSender"/> class.</summary>
    /// <param name="updateInterval">Timestamp units between updates (e.g. 400 = 50 ms at 8 kHz, 960 = 20 ms at 48 kHz).</param>
    public TelephoneEventSender(int updateInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(updateInterval, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(updateInterval, MaxSegment);
        UpdateInterval = updateInterval;
    }

    /// <summary>Gets the timestamp units between updates.</summary>
    public int UpdateInterval { get; }

    /// <summary>Gets a value indicating whether an event still has packets to send.</summary>
    public bool IsBusy => _busy;

    /// <summary>Starts an event. Throws while the previous one still has packets to send.</summary>
    /// <param name="eventCode">The event code (see <see cref="DtmfDigits"/>).</param>
    /// <param name="timestamp">The RTP timestamp at which the event begins.</param>
    /// <param name="duration">The event's length in timestamp units (at least 1).</param>
    /// <param name="volume">0 to 63 (−dBm0); WebRTC uses 10.</param>
    public void Start(byte eventCode, uint timestamp, long duration, byte volume = 10)
    {
        if (_busy)
        {
            throw new InvalidOperationException("The previous event has not been sent completely.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(duration, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, (byte)63);
        _event = eventCode;
        _volume = volume;
        _total = duration;
        _elapsed = 0;
        _segmentTimestamp = timestamp;
        _segmentStart = 0;
        _finalSent = 0;
        _first = true;
        _lastSendAt = 0;
        _busy = true;
    }

    /// <summary>Gets the next packet of the event; false once the last retransmission is out.</summary>
    public bool TryPoll(out TelephoneEventPacket packet)
    {
        bool result = TryPollCore(out packet);
        if (result)
        {
            // A segment's retransmissions take time the next segment's updates must not go back into.
            _lastSendAt = Math.Max(_lastSendAt, packet.SendAt);
            packet = packet with { SendAt = _lastSendAt };
        }

        return result;
    }

    private bool TryPollCore(out TelephoneEventPacket packet)
    {
        packet = default;
        if (!_busy)
        {
            return false;
        }

        long segmentEnd = Math.Min(_total, _segmentStart + MaxSegment);
        bool isLastSegment = segmentEnd == _total;
        if (_finalSent > 0)
        {
            // Retransmission of the segment's final report, one interval after the previous one.
            packet = Final(segmentEnd, isLastSegment, _elapsed + ((long)_finalSent * UpdateInterval));
            if (++_finalSent == FinalRepeats)
            {
                if (isLastSegment)
                {
                    _busy = false;
                }
                else
                {
                    _segmentTimestamp = unchecked(_segmentTimestamp + MaxSegment);
                    _segmentStart = segmentEnd;
                    _elapsed = segmentEnd;
                    _finalSent = 0;
                }
            }

            return true;
        }

        long next = Math.Min(_elapsed + UpdateInterval, segmentEnd);
        if (next == segmentEnd)
        {
            _elapsed = next;
            packet = Final(segmentEnd, isLastSegment, next);
            _finalSent = 1;
            _first = false;
            return true;
        }

        _elapsed = next;
        packet = new TelephoneEventPacket(_segmentTimestamp, _first, new TelephoneEvent(_event, false, _volume, (ushort)(next - _segmentStart)), next);
        _first = false;
        return true;
    }

    private TelephoneEventPacket Final(long segmentEnd, bool isLastSegment, long sendAt)
        => new(_segmentTimestamp, _first, new TelephoneEvent(_event, isLastSegment, _volume, (ushort)(segmentEnd - _segmentStart)), sendAt);
}
