namespace RtcStack.Congestion.Gcc;

/// <summary>AIMD state (draft-ietf-rmcat-gcc-02 §5.5 Figure 2).</summary>
public enum RateControlState
{
    /// <summary>Keep the rate.</summary>
    Hold,

    /// <summary>Increase the rate.</summary>
    Increase,

    /// <summary>Decrease the rate.</summary>
    Decrease,
}
