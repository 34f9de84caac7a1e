namespace RtcStack.Stun.Turn;

/// <summary>What <see cref="TurnClient.HandleDatagram"/> did with a datagram from the server.</summary>
public enum TurnDataResult
{
    /// <summary>Not a TURN message for this client (unknown transaction, not STUN/ChannelData).</summary>
    NotHandled,

    /// <summary>A response or indication the client consumed.</summary>
    Consumed,

    /// <summary>Relayed data from a peer (Data indication or ChannelData); peer and data are set.</summary>
    PeerData,
}
