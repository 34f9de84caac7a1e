namespace RtcStack.WebRtc.Signalling;

/// <summary>Why a <see cref="SessionWhipHandler{TSession}"/> session was closed and removed.</summary>
public enum SessionEndReason
{
    /// <summary>The offer (or answer) was refused; the session never ran.</summary>
    Refused,

    /// <summary>The client ended it with DELETE (RFC 9725 §4.2).</summary>
    Deleted,

    /// <summary>It did not reach the connected state within <see cref="SessionWhipHandler{TSession}.ConnectTimeout"/>.</summary>
    ConnectTimeout,

    /// <summary>ICE or DTLS failed (including consent expiry, RFC 7675 §5.1).</summary>
    Failed,

    /// <summary>The peer closed it (DTLS close_notify).</summary>
    ClosedByPeer,

    /// <summary>The HTTP request that was creating it was aborted before the answer was sent.</summary>
    Aborted,

    /// <summary>An unexpected error while it was being created.</summary>
    Error,

    /// <summary>The server is shutting down (<see cref="SessionWhipHandler{TSession}.CloseAll"/>).</summary>
    Shutdown,
}
