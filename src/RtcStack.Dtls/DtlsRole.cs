namespace RtcStack.Dtls;

/// <summary>
/// The DTLS role of an endpoint. RFC 5763 §5 / RFC 8842 §5: in WebRTC the SDP
/// <c>a=setup:active</c> side is the DTLS client and <c>a=setup:passive</c> the DTLS server.
/// </summary>
public enum DtlsRole
{
    /// <summary>Sends the ClientHello (SDP <c>a=setup:active</c>).</summary>
    Client,

    /// <summary>Waits for a ClientHello (SDP <c>a=setup:passive</c>).</summary>
    Server,
}
