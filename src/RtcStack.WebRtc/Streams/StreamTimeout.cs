namespace RtcStack.WebRtc.Streams;

/// <summary>The next instant a stream wants to act, and why (session core v2: every timeout carries its reason).</summary>
/// <param name="At">The instant, on the caller's monotonic clock.</param>
/// <param name="Reason">What is due then.</param>
public readonly record struct StreamTimeout(TimeSpan At, StreamTimeoutReason Reason)
{
    /// <summary>Returns the earlier of two optional timeouts.</summary>
    public static StreamTimeout? Earliest(StreamTimeout? a, StreamTimeout? b) =>
        a is null ? b : b is null ? a : (b.Value.At < a.Value.At ? b : a);
}
