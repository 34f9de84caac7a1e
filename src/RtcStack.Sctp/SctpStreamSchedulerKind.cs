namespace RtcStack.Sctp;

/// <summary>
/// The stream schedulers of RFC 8260 §3 that <see cref="SctpAssociation"/> implements. With I-DATA (RFC 8260 §2)
/// the scheduler picks a stream for every fragment, so a large message on one stream never holds back small ones
/// on others; with DATA it picks a stream for every whole message (RFC 9260 §6.9 keeps a message's fragments on
/// consecutive TSNs).
/// </summary>
public enum SctpStreamSchedulerKind
{
    /// <summary>Round-robin scheduler (RFC 8260 §3.2): streams with data take turns.</summary>
    RoundRobin,

    /// <summary>
    /// Priority-based scheduler (RFC 8260 §3.4), strict: the ready stream with the highest priority always goes first;
    /// streams of equal priority take turns (round robin). A higher value is a higher priority, as in the DCEP priority
    /// field (RFC 8832 §5.1; RFC 8831 §6.4 levels 128, 256, 512, 1024). Set with <see cref="SctpAssociation.SetStreamPriority"/>.
    /// </summary>
    Priority,

    /// <summary>
    /// Weighted fair queueing scheduler (RFC 8260 §3.6): streams with data share the sending in proportion to their
    /// priorities taken as weights, counted in bytes of user data. With the RFC 8831 §6.4 levels (DCEP priorities 128,
    /// 256, 512, 1024; W3C "very-low", "low", "medium", "high") the shares are 1/2 : 1 : 2 : 4, and no stream with data
    /// is ever starved. Set with <see cref="SctpAssociation.SetStreamPriority"/>; 256 when unset.
    /// </summary>
    WeightedFairQueueing,
}
