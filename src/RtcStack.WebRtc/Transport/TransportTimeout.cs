namespace RtcStack.WebRtc.Transport;

/// <summary>The next instant a <see cref="WebRtcTransport"/> wants <see cref="WebRtcTransport.HandleTimeout"/>, and whose timer it is.</summary>
/// <param name="At">The instant, on the clock of the <c>now</c> values passed in.</param>
/// <param name="Reason">The owner due at that instant.</param>
public readonly record struct TransportTimeout(TimeSpan At, TransportTimerReason Reason);
