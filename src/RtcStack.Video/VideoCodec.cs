namespace RtcStack.Video;

/// <summary>The video codecs whose RTP payload formats this library implements.</summary>
public enum VideoCodec
{
    /// <summary>VP8, RFC 7741.</summary>
    Vp8,

    /// <summary>VP9, RFC 9628.</summary>
    Vp9,

    /// <summary>H.264, RFC 6184.</summary>
    H264,

    /// <summary>H.265, RFC 7798.</summary>
    H265,

    /// <summary>AV1, the AOMedia "RTP Payload Format For AV1" specification.</summary>
    Av1,
}
