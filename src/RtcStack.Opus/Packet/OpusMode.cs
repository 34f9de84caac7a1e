namespace RtcStack.Opus;

/// <summary>RFC 6716 §3.1: the operating mode selected by the TOC byte's configuration number.</summary>
public enum OpusMode : byte
{
    /// <summary>SILK-only (linear prediction) mode, configurations 0–11.</summary>
    Silk = 0,

    /// <summary>Hybrid SILK + CELT mode, configurations 12–15.</summary>
    Hybrid = 1,

    /// <summary>CELT-only (MDCT) mode, configurations 16–31.</summary>
    Celt = 2,
}
