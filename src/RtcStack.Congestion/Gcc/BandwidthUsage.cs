namespace RtcStack.Congestion.Gcc;

/// <summary>The delay-based detector's verdict (draft-ietf-rmcat-gcc-02 §5.4: overuse, underuse, normal).</summary>
public enum BandwidthUsage
{
    /// <summary>Queuing delay is stable.</summary>
    Normal,

    /// <summary>Queuing delay is falling: queues are draining.</summary>
    Underusing,

    /// <summary>Queuing delay is growing: the path is over-used.</summary>
    Overusing,
}
