namespace RtcStack.Opus;

/// <summary>Whether a frame or packet carries active audio, as far as the bitstream headers tell without decoding.</summary>
public enum OpusActivity
{
    /// <summary>The headers do not say.</summary>
    Unknown = 0,

    /// <summary>No coded audio: a zero-length frame (DTX or lost, RFC 6716 §3.2.1), SILK VAD flags all clear (§4.2.3), or the CELT silence flag set (§4.3).</summary>
    Inactive,

    /// <summary>A SILK VAD flag is set (RFC 6716 §4.2.3), or a CELT-only frame is not flagged silent (§4.3).</summary>
    Active,
}
