namespace RtcStack.Dtls;

/// <summary>RFC 5246 §7.2: AlertLevel.</summary>
public enum AlertLevel : byte
{
    /// <summary>warning(1).</summary>
    Warning = 1,

    /// <summary>fatal(2): the connection ends at once.</summary>
    Fatal = 2,
}
