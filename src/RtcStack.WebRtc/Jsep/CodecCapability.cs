using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// A codec this endpoint can send and receive, as offered and matched in answers (RFC 3264 §5.1, §6.1; RFC 8829
/// §5.2.1): encoding name, clock rate, channels, the format parameters it writes, the RTCP feedback it supports
/// (RFC 4585 §4.2, e.g. "nack", "nack pli", "ccm fir", "transport-cc", "goog-remb") and whether an RTX payload type
/// (RFC 4588 §8.6, "apt=") goes with it.
/// </summary>
/// <param name="Name">The encoding name as written in "a=rtpmap" (matched case-insensitively, RFC 4855 §3).</param>
/// <param name="ClockRate">The RTP clock rate.</param>
/// <param name="Channels">The channel count for audio (null for video).</param>
public sealed record CodecCapability(string Name, int ClockRate, int? Channels = null)
{
    /// <summary>Gets the "a=fmtp" parameters written for this codec (e.g. minptime=10;useinbandfec=1).</summary>
    public IReadOnlyList<FormatParameter> Parameters { get; init; } = [];

    /// <summary>Gets the RTCP feedback supported, each as "type" or "type parameter" (RFC 4585 §4.2).</summary>
    public IReadOnlyList<string> Feedback { get; init; } = [];

    /// <summary>Gets a value indicating whether retransmission (RFC 4588) is offered and accepted for this codec.</summary>
    public bool Rtx { get; init; }

    /// <summary>Gets the payload type used in our offers when it is free, or null to take the next free dynamic one (96-127, then 35-63).</summary>
    public int? PreferredPayloadType { get; init; }

    /// <summary>Gets the RTX payload type used in our offers when it is free, or null for the next free dynamic one.</summary>
    public int? PreferredRtxPayloadType { get; init; }

    /// <summary>Gets the value of one format parameter, or null.</summary>
    /// <param name="name">The parameter name (case-insensitive, RFC 8866 §6.15).</param>
    /// <returns>The value.</returns>
    public string? GetParameter(string name)
    {
        foreach (FormatParameter p in Parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }
}
