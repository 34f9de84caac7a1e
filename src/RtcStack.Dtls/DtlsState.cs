namespace RtcStack.Dtls;

/// <summary>The lifecycle of a <see cref="DtlsEndpoint"/>.</summary>
public enum DtlsState
{
    /// <summary>Created; <see cref="DtlsEndpoint.Start"/> has not been called.</summary>
    New,

    /// <summary>The handshake (RFC 6347 §4.2) is in progress.</summary>
    Handshaking,

    /// <summary>The handshake finished; SRTP keys and application data are available.</summary>
    Connected,

    /// <summary>A close_notify (RFC 5246 §7.2.1) was sent or received.</summary>
    Closed,

    /// <summary>The handshake or connection failed (fatal alert, timeout, verification failure).</summary>
    Failed,
}
