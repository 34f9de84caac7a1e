namespace RtcStack.Ice;

/// <summary>
/// A pair of a local and a remote candidate in the checklist (RFC 8445 §6.1.2). Its public members
/// are a read-only view; the agent updates them.
/// </summary>
public sealed class IceCandidatePair
{
    internal IceCandidatePair(LocalCandidate local, IceCandidate remote)
    {
        LocalEntry = local;
        Remote = remote;
        Foundation = local.Candidate.Foundation + ":" + remote.Foundation;
    }

    /// <summary>Gets the local candidate.</summary>
    public IceCandidate Local => LocalEntry.Candidate;

    /// <summary>Gets the remote candidate.</summary>
    public IceCandidate Remote { get; internal set; }

    /// <summary>Gets the component.</summary>
    public int Component => Local.Component;

    /// <summary>Gets the pair foundation (local foundation ":" remote foundation).</summary>
    public string Foundation { get; }

    /// <summary>Gets the state.</summary>
    public IceCandidatePairState State { get; internal set; }

    /// <summary>Gets the pair priority (RFC 8445 §6.1.2.3) for the agent's current role.</summary>
    public ulong Priority { get; internal set; }

    /// <summary>Gets a value indicating whether the pair is nominated.</summary>
    public bool Nominated { get; internal set; }

    /// <summary>Gets the number of connectivity-check/consent requests sent.</summary>
    public long RequestsSent { get; internal set; }

    /// <summary>Gets the number of authenticated success responses received.</summary>
    public long ResponsesReceived { get; internal set; }

    /// <summary>Gets the number of authenticated requests received from the peer on this pair.</summary>
    public long RequestsReceived { get; internal set; }

    /// <summary>Gets the last measured round-trip time (from a non-retransmitted request), or null.</summary>
    public TimeSpan? RoundTripTime { get; internal set; }

    internal LocalCandidate LocalEntry { get; }

    internal bool NominateOnSuccess { get; set; }

    internal bool UseCandidateInFlight { get; set; }

    internal int NominationAttempts { get; set; }

    internal TimeSpan LastResponseAt { get; set; } = TimeSpan.MinValue;

    internal TimeSpan LastSentAt { get; set; } = TimeSpan.MinValue;

    internal TimeSpan NextConsentAt { get; set; } = TimeSpan.MaxValue;

    /// <summary>RFC 8445 §6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G&gt;D?1:0), G the controlling agent's candidate priority.</summary>
    internal static ulong ComputePriority(uint controlling, uint controlled)
    {
        ulong min = Math.Min(controlling, controlled);
        ulong max = Math.Max(controlling, controlled);
        return (min << 32) + (2 * max) + (controlling > controlled ? 1UL : 0UL);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Local.Address}({IceCandidate.TypeName(Local.Type)}) -> {Remote.Address}({IceCandidate.TypeName(Remote.Type)}) {State}{(Nominated ? " nominated" : "")}";
}
