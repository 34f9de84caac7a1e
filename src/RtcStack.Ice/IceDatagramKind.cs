namespace RtcStack.Ice;

/// <summary>What <see cref="IceAgent.HandleDatagram(RtcStack.Stun.TransportAddress, RtcStack.Stun.TransportAddress, ReadOnlySpan{byte}, TimeSpan, out ReadOnlySpan{byte})"/> did with a datagram.</summary>
public enum IceDatagramKind
{
    /// <summary>Dropped: malformed, unauthenticated, or from an address with no valid pair.</summary>
    Ignored,

    /// <summary>A STUN or TURN control message the agent consumed.</summary>
    Stun,

    /// <summary>Application data (DTLS, SRTP...) on a valid pair, possibly unwrapped from TURN: hand it to the session.</summary>
    ApplicationData,
}
