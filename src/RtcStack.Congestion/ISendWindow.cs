namespace RtcStack.Congestion;

/// <summary>
/// Implemented by window-based (self-clocked) controllers such as SCReAM (RFC 8298 §4.1.2.5): besides the pacing
/// rate, the sender may transmit the next packet only while <see cref="CanSend"/> is true. A host that finds this
/// interface on its <see cref="ICongestionController"/> checks it before each paced send; while it is false the host
/// waits for feedback (or the controller's <see cref="ICongestionController.PollTimeout"/>) instead of the pacer.
/// </summary>
public interface ISendWindow
{
    /// <summary>True when the send window admits another packet at <paramref name="now"/>.</summary>
    bool CanSend(TimeSpan now);
}
