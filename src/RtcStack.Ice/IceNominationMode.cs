namespace RtcStack.Ice;

/// <summary>How a controlling agent nominates (RFC 8445 §8.1.1; aggressive as in RFC 5245 §8.1.1.2).</summary>
public enum IceNominationMode
{
    /// <summary>Regular: checks first, then one more check with USE-CANDIDATE on the chosen valid pair.</summary>
    Regular,

    /// <summary>Aggressive: every check carries USE-CANDIDATE; the best nominated pair wins.</summary>
    Aggressive,
}
