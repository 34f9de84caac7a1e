namespace RtcStack.Stun.Turn;

/// <summary>Something a <see cref="TurnClient"/> reports to its driver.</summary>
public abstract record TurnEvent;

/// <summary>RFC 8656 §7.3: the allocation succeeded.</summary>
/// <param name="Relayed">The relayed transport address (XOR-RELAYED-ADDRESS).</param>
/// <param name="Mapped">The client's server-reflexive address (XOR-MAPPED-ADDRESS), empty if the server sent none.</param>
/// <param name="Lifetime">The granted lifetime.</param>
public sealed record TurnAllocatedEvent(TransportAddress Relayed, TransportAddress Mapped, TimeSpan Lifetime) : TurnEvent;

/// <summary>The allocation failed or was lost; <paramref name="ErrorCode"/> is 0 for a timeout.</summary>
/// <param name="ErrorCode">The STUN error code, or 0 when the server did not answer.</param>
/// <param name="Reason">A human-readable reason.</param>
public sealed record TurnFailedEvent(int ErrorCode, string Reason) : TurnEvent;

/// <summary>RFC 8656 §8: the allocation was refreshed.</summary>
/// <param name="Lifetime">The new lifetime.</param>
public sealed record TurnRefreshedEvent(TimeSpan Lifetime) : TurnEvent;

/// <summary>RFC 8656 §9: a permission for <paramref name="Peer"/>'s IP address was installed (or refreshed).</summary>
/// <param name="Peer">The peer whose IP address is permitted.</param>
public sealed record TurnPermissionCreatedEvent(TransportAddress Peer) : TurnEvent;

/// <summary>RFC 8656 §12: a channel was bound to <paramref name="Peer"/>.</summary>
/// <param name="Peer">The peer transport address.</param>
/// <param name="Channel">The channel number.</param>
public sealed record TurnChannelBoundEvent(TransportAddress Peer, ushort Channel) : TurnEvent;

/// <summary>A CreatePermission or ChannelBind request failed.</summary>
/// <param name="Method">The request's method.</param>
/// <param name="Peer">The peer concerned.</param>
/// <param name="ErrorCode">The STUN error code, or 0 on timeout.</param>
public sealed record TurnRequestFailedEvent(StunMethod Method, TransportAddress Peer, int ErrorCode) : TurnEvent;

/// <summary>The allocation was released (RFC 8656 §8, Refresh with LIFETIME 0).</summary>
public sealed record TurnDeallocatedEvent : TurnEvent;
