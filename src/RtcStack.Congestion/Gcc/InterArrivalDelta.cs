namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Groups packets by send time into 5 ms groups and yields the inter-group send and arrival deltas
/// (draft-ietf-rmcat-gcc-02 §5.2 "pre-filtering"; libwebrtc inter_arrival_delta.cc). Packets that arrive in a burst
/// (arrival gap ≤ 5 ms with negative propagation delta, burst shorter than 100 ms) join the current group, as
/// libwebrtc does; the draft only describes the burst rule loosely.
/// </summary>
public sealed class InterArrivalDelta
{
    /// <summary>Send-time span of one group (libwebrtc kSendTimeGroupLength).</summary>
    public static readonly TimeSpan SendTimeGroupLength = TimeSpan.FromMilliseconds(5);

    /// <summary>Arrival gap below which a packet with negative propagation delta belongs to the burst (kBurstDeltaThreshold).</summary>
    public static readonly TimeSpan BurstDeltaThreshold = TimeSpan.FromMilliseconds(5);

    /// <summary>Longest burst merged into one group (kMaxBurstDuration).</summary>
    public static readonly TimeSpan MaxBurstDuration = TimeSpan.FromMilliseconds(100);

    /// <summary>Arrival/system clock divergence that resets the estimator (kArrivalTimeOffsetThreshold).</summary>
    public static readonly TimeSpan ArrivalTimeOffsetThreshold = TimeSpan.FromSeconds(3);

    /// <summary>Consecutive reordered groups that reset the estimator (kReorderedResetThreshold).</summary>
    public const int ReorderedResetThreshold = 3;

    private Group _current = Group.Empty;
    private Group _previous = Group.Empty;
    private int _consecutiveReordered;

    /// <summary>
    /// Adds a packet. Returns true when a group completed and the deltas between the two previous complete groups
    /// are available.
    /// </summary>
    /// <param name="sendTime">Sender clock at send.</param>
    /// <param name="arrivalTime">Receiver clock at arrival.</param>
    /// <param name="systemTime">Local clock when the feedback was processed (detects receiver clock jumps).</param>
    /// <param name="packetSize">Bytes.</param>
    /// <param name="sendDelta">Send time difference between the last two complete groups.</param>
    /// <param name="arrivalDelta">Arrival time difference between the last two complete groups.</param>
    /// <param name="sizeDelta">Size difference in bytes.</param>
    public bool ComputeDeltas(TimeSpan sendTime, TimeSpan arrivalTime, TimeSpan systemTime, int packetSize,
        out TimeSpan sendDelta, out TimeSpan arrivalDelta, out int sizeDelta)
    {
        bool calculated = false;
        sendDelta = default;
        arrivalDelta = default;
        sizeDelta = 0;
        if (!_current.Started)
        {
            _current = Group.Start(sendTime, arrivalTime);
        }
        else if (_current.FirstSendTime > sendTime)
        {
            // Older than the group being built: reordered, ignore.
            return false;
        }
        else if (IsNewGroup(arrivalTime, sendTime))
        {
            if (_previous.Started)
            {
                sendDelta = _current.SendTime - _previous.SendTime;
                arrivalDelta = _current.CompleteTime - _previous.CompleteTime;
                TimeSpan systemDelta = _current.LastSystemTime - _previous.LastSystemTime;
                if (arrivalDelta - systemDelta >= ArrivalTimeOffsetThreshold)
                {
                    Reset();
                    return false;
                }
                if (arrivalDelta < TimeSpan.Zero)
                {
                    _consecutiveReordered++;
                    if (_consecutiveReordered >= ReorderedResetThreshold)
                    {
                        Reset();
                    }
                    return false;
                }
                _consecutiveReordered = 0;
                sizeDelta = _current.Size - _previous.Size;
                calculated = true;
            }
            _previous = _current;
            _current = Group.Start(sendTime, arrivalTime);
        }
        else
        {
            if (sendTime > _current.SendTime)
            {
                _current.SendTime = sendTime;
            }
        }
        _current.Size += packetSize;
        _current.CompleteTime = arrivalTime;
        _current.LastSystemTime = systemTime;
        return calculated;
    }

    /// <summary>Forgets all groups.</summary>
    public void Reset()
    {
        _current = Group.Empty;
        _previous = Group.Empty;
        _consecutiveReordered = 0;
    }

    private bool IsNewGroup(TimeSpan arrivalTime, TimeSpan sendTime)
    {
        if (BelongsToBurst(arrivalTime, sendTime))
        {
            return false;
        }
        return sendTime - _current.FirstSendTime > SendTimeGroupLength;
    }

    private bool BelongsToBurst(TimeSpan arrivalTime, TimeSpan sendTime)
    {
        TimeSpan arrivalDelta = arrivalTime - _current.CompleteTime;
        TimeSpan sendDelta = sendTime - _current.SendTime;
        if (sendDelta == TimeSpan.Zero)
        {
            return true;
        }
        TimeSpan propagationDelta = arrivalDelta - sendDelta;
        return propagationDelta < TimeSpan.Zero && arrivalDelta <= BurstDeltaThreshold
            && arrivalTime - _current.FirstArrivalTime < MaxBurstDuration;
    }

    private struct Group
    {
        public bool Started;
        public TimeSpan FirstSendTime;
        public TimeSpan SendTime;
        public TimeSpan FirstArrivalTime;
        public TimeSpan CompleteTime;
        public TimeSpan LastSystemTime;
        public int Size;

        public static Group Empty => default;

        public static Group Start(TimeSpan sendTime, TimeSpan arrivalTime) => new()
        {
            Started = true,
            FirstSendTime = sendTime,
            SendTime = sendTime,
            FirstArrivalTime = arrivalTime,
            CompleteTime = arrivalTime,
        };
    }
}
