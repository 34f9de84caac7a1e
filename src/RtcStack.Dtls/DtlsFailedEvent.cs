namespace RtcStack.Dtls;

/// <summary>The endpoint failed; it sends and accepts nothing more.</summary>
/// <param name="Error">The cause.</param>
/// <param name="Message">A human-readable explanation.</param>
/// <param name="Alert">The fatal alert sent to or received from the peer, if any.</param>
public sealed record DtlsFailedEvent(DtlsError Error, string Message, AlertDescription? Alert) : DtlsEvent;
