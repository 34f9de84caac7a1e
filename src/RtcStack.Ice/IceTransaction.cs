using RtcStack.Stun;

namespace RtcStack.Ice;

/// <summary>An outstanding STUN request of the agent.</summary>
internal sealed class IceTransaction
{
    public enum Kind
    {
        Check,
        Consent,
        Gather,
    }

    public required Kind Purpose { get; init; }

    public required StunTransactionId Id { get; init; }

    public required LocalCandidate From { get; init; }

    public required TransportAddress To { get; init; }

    public required byte[] Bytes { get; init; }

    public IceCandidatePair? Pair { get; init; }

    public bool UseCandidate { get; init; }

    public IceRole Role { get; init; }

    public StunIntegrityKey? Key { get; init; }

    public int Sent { get; set; }

    public int MaxSent { get; init; }

    public TimeSpan Rto { get; set; }

    public TimeSpan FinalWait { get; init; }

    public TimeSpan StartedAt { get; init; }

    public TimeSpan NextAt { get; set; }

    /// <summary>Gets or sets a value indicating whether the transaction was cancelled (RFC 8445 §7.3.1.4): no more retransmissions, no failure on timeout, a response is still accepted.</summary>
    public bool Cancelled { get; set; }
}
