namespace RtcStack.Opus.Ogg;

/// <summary>The result of reading one Ogg page (RFC 3533 §6).</summary>
public enum OggPageStatus
{
    /// <summary>A complete page with a correct checksum.</summary>
    Valid = 0,

    /// <summary>The data ends before the page does (header, lacing values or body truncated).</summary>
    NeedMoreData,

    /// <summary>The data does not start with the capture pattern "OggS".</summary>
    BadCapturePattern,

    /// <summary>The stream structure version is not 0.</summary>
    UnsupportedVersion,

    /// <summary>The CRC does not match the page.</summary>
    BadCrc,
}
