namespace RtcStack.Sctp;

/// <summary>
/// How one message is sent: ordered or not (RFC 9260 §6.6) and its partial-reliability policy
/// (RFC 3758 §3; the two policies of RFC 8831 §6.1).
/// </summary>
/// <param name="Unordered">Deliver as soon as complete, ignoring the stream sequence (U bit).</param>
/// <param name="MaxRetransmits">Abandon after this many retransmissions (0: never retransmit); null for reliable.</param>
/// <param name="Lifetime">Abandon when not acknowledged this long after <see cref="SctpAssociation.Send"/>; null for reliable.</param>
public readonly record struct SctpSendOptions(bool Unordered = false, int? MaxRetransmits = null, TimeSpan? Lifetime = null);
