namespace RtcStack.Rtp.Rtcp;

/// <summary>The ECN codepoint an RFC 8888 metric block echoes (RFC 8888 §3.1, codepoints of RFC 3168 §5).</summary>
public enum CcfbEcn : byte
{
    /// <summary>00: Not-ECT.</summary>
    NotEct = 0,

    /// <summary>01: ECT(1).</summary>
    Ect1 = 1,

    /// <summary>10: ECT(0).</summary>
    Ect0 = 2,

    /// <summary>11: CE, congestion experienced.</summary>
    Ce = 3,
}
