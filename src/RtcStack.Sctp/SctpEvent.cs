using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

/// <summary>Something an <see cref="SctpAssociation"/> reports through <see cref="SctpAssociation.TryPollEvent"/>.</summary>
public abstract record SctpEvent;

/// <summary>The association reached ESTABLISHED (RFC 9260 §5.1: COMMUNICATION UP).</summary>
public sealed record SctpConnectedEvent : SctpEvent;

/// <summary>A complete user message (RFC 9260 §10.1 RECEIVE).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="PayloadProtocol">The payload protocol identifier.</param>
/// <param name="Data">The message.</param>
/// <param name="Unordered">Whether it was sent unordered.</param>
public sealed record SctpMessageEvent(ushort StreamId, uint PayloadProtocol, byte[] Data, bool Unordered) : SctpEvent;

/// <summary>
/// Streams were reset (RFC 6525 §5.2.2): <paramref name="Incoming"/> when the peer reset its outgoing
/// streams (ours to read), otherwise the answer to our own request.
/// </summary>
/// <param name="Streams">The streams (empty: all).</param>
/// <param name="Incoming">Whether the peer asked.</param>
/// <param name="Result">The result (success or why not).</param>
public sealed record SctpStreamsResetEvent(ushort[] Streams, bool Incoming, ReconfigResult Result) : SctpEvent;

/// <summary>The association ended (RFC 9260 §10.1: SHUTDOWN COMPLETE, COMMUNICATION LOST).</summary>
/// <param name="Reason">Why.</param>
/// <param name="Detail">A description, e.g. the peer's error cause.</param>
public sealed record SctpClosedEvent(SctpCloseReason Reason, string? Detail) : SctpEvent;

/// <summary>
/// The PLPMTU changed (RFC 8899, with <see cref="SctpAssociationOptions.EnablePathMtuDiscovery"/>): packets, and the DATA
/// fragments in them, are now at most <paramref name="PathMtu"/> bytes.
/// </summary>
/// <param name="PathMtu">The new PLPMTU (SCTP packet bytes, common header included).</param>
/// <param name="PreviousPathMtu">The PLPMTU before.</param>
/// <param name="Reason">Why it changed.</param>
public sealed record SctpPathMtuChangedEvent(int PathMtu, int PreviousPathMtu, SctpPathMtuChangeReason Reason) : SctpEvent;

/// <summary>Why the PLPMTU changed.</summary>
public enum SctpPathMtuChangeReason
{
    /// <summary>A probe of a larger size was acknowledged (RFC 8899 §5.3.1, SEARCHING).</summary>
    ProbeAcknowledged,

    /// <summary>Packets of the PLPMTU kept being lost: back to BASE_PLPMTU (RFC 8899 §4.3, black hole detected).</summary>
    BlackHoleDetected,

    /// <summary>MAX_PROBES probes of BASE_PLPMTU went unanswered: MIN_PLPMTU is used (RFC 8899 §5.2, ERROR).</summary>
    BaseUnconfirmed,

    /// <summary>A BASE_PLPMTU probe was answered in the ERROR state: back to BASE_PLPMTU (RFC 8899 §5.2).</summary>
    BaseConfirmed,
}

/// <summary>The RFC 8899 §5.2 state of path MTU discovery.</summary>
public enum SctpPathMtuState
{
    /// <summary>Not running (option off, association not established, or closed).</summary>
    Disabled,

    /// <summary>Confirming BASE_PLPMTU with a probe.</summary>
    Base,

    /// <summary>Probing larger sizes.</summary>
    Searching,

    /// <summary>Search done; PMTU_RAISE_TIMER runs until the next one.</summary>
    SearchComplete,

    /// <summary>BASE_PLPMTU was not confirmed; MIN_PLPMTU is used and BASE_PLPMTU keeps being probed.</summary>
    Error,
}

/// <summary>Why an association ended.</summary>
public enum SctpCloseReason
{
    /// <summary>Graceful shutdown completed (RFC 9260 §9.2).</summary>
    Shutdown,

    /// <summary>The peer sent ABORT (RFC 9260 §9.1).</summary>
    AbortedByPeer,

    /// <summary>We aborted (user request or protocol violation).</summary>
    AbortedLocally,

    /// <summary>The peer stopped answering: retransmission limits reached (RFC 9260 §8.1, §5.1 Max.Init.Retransmits).</summary>
    Failed,
}

/// <summary>A received message's details (<see cref="SctpAssociation.TryPeekMessage"/>, <see cref="SctpAssociation.TryReadMessage"/>).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="PayloadProtocol">The payload protocol identifier.</param>
/// <param name="Length">The message length in bytes.</param>
/// <param name="Unordered">Whether it was sent unordered.</param>
public readonly record struct SctpMessageInfo(ushort StreamId, uint PayloadProtocol, int Length, bool Unordered);
