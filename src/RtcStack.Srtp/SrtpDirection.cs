namespace RtcStack.Srtp;

/// <summary>Which of a context's two stream tables a call refers to.</summary>
public enum SrtpDirection
{
    /// <summary>Streams this side protects (sends).</summary>
    Outbound,

    /// <summary>Streams this side unprotects (receives).</summary>
    Inbound,
}
