namespace RtcStack.Ice;

/// <summary>RFC 8445 §6.1.2.6: the state of a candidate pair in the checklist.</summary>
public enum IceCandidatePairState
{
    /// <summary>Not checked yet and not allowed to be (another pair of its foundation goes first).</summary>
    Frozen,

    /// <summary>Ready to be checked when its turn comes.</summary>
    Waiting,

    /// <summary>A check was sent and no final answer has arrived.</summary>
    InProgress,

    /// <summary>A check produced a valid pair.</summary>
    Succeeded,

    /// <summary>The check failed (timeout, error, asymmetric answer).</summary>
    Failed,
}
