namespace RtcStack.Dtls;

/// <summary>An alert (RFC 5246 §7.2) received from the peer or sent by this endpoint.</summary>
/// <param name="Level">Warning or fatal.</param>
/// <param name="Description">The alert code.</param>
/// <param name="Sent">True when this endpoint sent it, false when it came from the peer.</param>
public sealed record DtlsAlertEvent(AlertLevel Level, AlertDescription Description, bool Sent) : DtlsEvent;
