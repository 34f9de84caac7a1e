namespace RtcStack.Ice;

/// <summary>RFC 8445 §2.5: full or lite implementation.</summary>
public enum IceMode
{
    /// <summary>Full: gathers, sends checks, can be controlling.</summary>
    Full,

    /// <summary>Lite: host candidates only, answers checks, never sends them (always controlled against a full agent).</summary>
    Lite,
}
