namespace RtcStack.Ice;

/// <summary>Something an <see cref="IceAgent"/> reports through <see cref="IceAgent.TryPollEvent"/>.</summary>
public abstract record IceEvent;

/// <summary>A local candidate to signal to the peer (trickle, RFC 8838 §8.1).</summary>
/// <param name="Candidate">The candidate.</param>
public sealed record IceCandidateGatheredEvent(IceCandidate Candidate) : IceEvent;

/// <summary>The gathering state changed; <see cref="IceGatheringState.Complete"/> means end-of-candidates may be signalled.</summary>
/// <param name="State">The new state.</param>
public sealed record IceGatheringStateChangedEvent(IceGatheringState State) : IceEvent;

/// <summary>The connection state changed.</summary>
/// <param name="State">The new state.</param>
public sealed record IceConnectionStateChangedEvent(IceConnectionState State) : IceEvent;

/// <summary>The selected pair of a component changed (RFC 8445 §8.1.1): route application data over it.</summary>
/// <param name="Component">The component.</param>
/// <param name="Pair">The newly selected pair.</param>
public sealed record IceSelectedPairChangedEvent(int Component, IceCandidatePair Pair) : IceEvent;

/// <summary>The role changed after a role conflict (RFC 8445 §7.3.1.1).</summary>
/// <param name="Role">The new role.</param>
public sealed record IceRoleChangedEvent(IceRole Role) : IceEvent;

/// <summary>RFC 7675 §5.1: no consent response for the consent timeout; the session must stop sending on this component.</summary>
/// <param name="Component">The component whose consent expired.</param>
public sealed record IceConsentLostEvent(int Component) : IceEvent;
