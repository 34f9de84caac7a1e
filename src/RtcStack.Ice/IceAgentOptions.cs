using Microsoft.Extensions.Logging;

namespace RtcStack.Ice;

/// <summary>Settings of an <see cref="IceAgent"/>. Defaults follow RFC 8445, RFC 7675 and browser practice.</summary>
public sealed class IceAgentOptions
{
    /// <summary>Gets or sets full or lite mode (RFC 8445 §2.5).</summary>
    public IceMode Mode { get; set; } = IceMode.Full;

    /// <summary>Gets or sets the initial role (RFC 8445 §6.1.1: in JSEP the offerer controls unless it is lite).</summary>
    public IceRole Role { get; set; } = IceRole.Controlling;

    /// <summary>Gets or sets a fixed tie-breaker (RFC 8445 §16.1); null draws a random 64-bit value.</summary>
    public ulong? TieBreaker { get; set; }

    /// <summary>Gets or sets the local credentials; null generates random ones (RFC 8445 §5.3).</summary>
    public IceCredentials? LocalCredentials { get; set; }

    /// <summary>Gets the STUN and TURN servers to gather from.</summary>
    public IList<IceServer> Servers { get; } = [];

    /// <summary>
    /// Gets the 1:1 NAT mappings (Pion's <c>NAT1To1IPs</c>): host addresses behind a static NAT are announced with
    /// their public address as <see cref="NatCandidateType"/> says. At most one mapping without a private address
    /// per address family; loopback and link-local host addresses are never mapped.
    /// </summary>
    public IList<IceNatMapping> NatMappings { get; } = [];

    /// <summary>
    /// Gets or sets how a mapped address is announced: <see cref="IceCandidateType.Host"/> (the default, as in Pion)
    /// replaces the host candidate's address by the public one (its base stays the private socket, and the private
    /// address is not revealed); <see cref="IceCandidateType.ServerReflexive"/> keeps the host candidate and adds a
    /// server-reflexive one at the public address (RFC 8445 §5.1.1.2, with the mapping known instead of asked
    /// from a STUN server).
    /// </summary>
    public IceCandidateType NatCandidateType { get; set; } = IceCandidateType.Host;

    /// <summary>Gets or sets which candidate types are used (W3C iceTransportPolicy).</summary>
    public IceTransportPolicy Policy { get; set; } = IceTransportPolicy.All;

    /// <summary>Gets or sets how the controlling agent nominates.</summary>
    public IceNominationMode Nomination { get; set; } = IceNominationMode.Regular;

    /// <summary>Gets or sets Ta, the pacing interval between new checks (RFC 8445 §14.2: 50 ms default).</summary>
    public TimeSpan Ta { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets the minimum RTO of a connectivity check (RFC 8445 §14.3: 500 ms).</summary>
    public TimeSpan MinRto { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets Rc, transmissions of one check (RFC 8489 §6.2.1: 7).</summary>
    public int MaxTransmissions { get; set; } = 7;

    /// <summary>Gets or sets Rm, the final wait in RTOs after the last transmission (RFC 8489 §6.2.1: 16).</summary>
    public int FinalWaitMultiplier { get; set; } = 16;

    /// <summary>Gets or sets transmissions of a server-reflexive gathering request before giving up.</summary>
    public int GatherTransmissions { get; set; } = 3;

    /// <summary>Gets or sets how long a controlling agent with regular nomination waits, after its first valid pair, for better pairs.</summary>
    public TimeSpan NominationTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the consent freshness interval (RFC 7675 §5.1: 5 s, randomized by ±20%).</summary>
    public TimeSpan ConsentInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long without a consent response before consent is lost (RFC 7675 §5.1: 30 s).</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long without a response before the state becomes disconnected.</summary>
    public TimeSpan DisconnectedTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the keepalive interval (RFC 8445 §11: Tr, at least 15 s).</summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the most pairs in the checklist (RFC 8445 §6.1.2.5: 100).</summary>
    public int MaxPairs { get; set; } = 100;

    /// <summary>Gets or sets the source of randomness for jitter, tie-breaker and credentials (null: cryptographic). Set it for reproducible tests.</summary>
    public Random? Random { get; set; }

    /// <summary>Gets or sets the logger.</summary>
    public ILogger? Logger { get; set; }
}
