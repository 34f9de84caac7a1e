namespace RtcStack.WebRtc.Io;

/// <summary>
/// An endpoint that runs ICE, so a shared socket can route a STUN request from a new remote address to
/// it by the request's USERNAME (RFC 8445 §7.2.2: "local-ufrag:remote-ufrag" from the receiver's view).
/// </summary>
public interface IIceDatagramEndpoint : IDatagramEndpoint
{
    /// <summary>Gets the endpoint's current local ICE username fragment (it changes on an ICE restart).</summary>
    string LocalIceUfrag { get; }

    /// <summary>
    /// Registers the address of a socket the host bound for the endpoint, as a host candidate base
    /// (RFC 8445 §5.1.1.1). The host calls it once per socket when the endpoint is added.
    /// </summary>
    void AddLocalAddress(Stun.TransportAddress address);
}
