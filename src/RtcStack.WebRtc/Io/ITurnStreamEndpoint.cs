using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// An endpoint whose ICE agent may talk to TURN servers over TCP or TLS (RFC 8656 §3.1): its transmits with a
/// <see cref="DatagramTransmit.Transport"/> other than UDP go on a connection the driver opens to the server (bound to
/// the transmit's source address), messages from that connection come back through <see cref="HandleTurnStreamMessage"/>
/// one whole STUN or ChannelData message at a time, and its loss through <see cref="HandleTurnStreamClosed"/>.
/// </summary>
public interface ITurnStreamEndpoint : IDatagramEndpoint
{
    /// <summary>One whole message (framed by <see cref="TurnStreamFraming"/>) from the connection to <paramref name="server"/> for host address <paramref name="local"/>.</summary>
    void HandleTurnStreamMessage(TransportAddress local, TransportAddress server, TurnTransport transport, ReadOnlySpan<byte> message, TimeSpan now);

    /// <summary>The connection to <paramref name="server"/> for <paramref name="local"/> closed or could not be opened.</summary>
    void HandleTurnStreamClosed(TransportAddress local, TransportAddress server, TurnTransport transport, string reason, TimeSpan now);

    /// <summary>Gets the host name to verify a TLS server's certificate against (and send as SNI), or null to use its address.</summary>
    string? GetTurnServerName(TransportAddress server, TurnTransport transport);
}
