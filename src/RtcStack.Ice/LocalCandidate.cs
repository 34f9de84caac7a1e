using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <summary>A local candidate with what the agent needs to send from it.</summary>
internal sealed class LocalCandidate(IceCandidate candidate, TransportAddress socket, TurnClient? turn)
{
    /// <summary>Gets the candidate.</summary>
    public IceCandidate Candidate { get; } = candidate;

    /// <summary>Gets the host socket address datagrams leave from (the TURN client's base for relayed candidates).</summary>
    public TransportAddress Socket { get; } = socket;

    /// <summary>Gets the TURN client for relayed candidates, else null.</summary>
    public TurnClient? Turn { get; } = turn;

    /// <summary>Gets the candidate's base address (RFC 8445 §5.1.1): the host address, or the relayed address.</summary>
    public TransportAddress Base => Turn is null ? Socket : Candidate.Address;

    /// <summary>Gets or sets a value indicating whether the candidate is signalled and paired (policy relay hides host/srflx).</summary>
    public bool Usable { get; set; } = true;
}
