namespace RtcStack.Dtls;

/// <summary>The connection closed cleanly with close_notify (RFC 5246 §7.2.1).</summary>
/// <param name="ByPeer">True when the peer sent close_notify first.</param>
public sealed record DtlsClosedEvent(bool ByPeer) : DtlsEvent;
