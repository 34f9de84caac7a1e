using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// A codec agreed in an m= section, in one direction: the payload type and format parameters are those of the
/// receiver's description (RFC 3264 §5.1: a payload type names what its writer receives), with the RTCP feedback both
/// sides listed (RFC 4585 §4.2) and the RTX payload type whose "apt" names it (RFC 4588 §8.6).
/// </summary>
/// <param name="PayloadType">The RTP payload type.</param>
/// <param name="Name">The encoding name.</param>
/// <param name="ClockRate">The clock rate.</param>
/// <param name="Channels">The channel count, or null.</param>
public sealed record NegotiatedCodec(int PayloadType, string Name, int ClockRate, int? Channels)
{
    /// <summary>Gets the format parameters.</summary>
    public IReadOnlyList<FormatParameter> Parameters { get; init; } = [];

    /// <summary>Gets the RTCP feedback both sides listed for this payload type, each as "type" or "type parameter".</summary>
    public IReadOnlyList<string> Feedback { get; init; } = [];

    /// <summary>Gets the RTX payload type for this codec, or null.</summary>
    public int? RtxPayloadType { get; init; }

    /// <summary>Gets a value indicating whether both sides listed this RTCP feedback.</summary>
    /// <param name="feedback">"type" or "type parameter", e.g. "nack pli".</param>
    /// <returns>Whether it is negotiated.</returns>
    public bool HasFeedback(string feedback)
    {
        foreach (string f in Feedback)
        {
            if (string.Equals(f, feedback, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets the value of one format parameter, or null.</summary>
    /// <param name="name">The name (case-insensitive).</param>
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

    /// <inheritdoc/>
    public override string ToString() => $"{PayloadType} {Name}/{ClockRate}{(Channels is int c ? "/" + c : "")}{(RtxPayloadType is int r ? " rtx " + r : "")}";
}
