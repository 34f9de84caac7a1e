using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;encoding parameters&gt;]"
/// (RFC 8866 §6.6). For audio the encoding parameters are the channel count; Opus is always
/// "opus/48000/2" (RFC 7587 §7).
/// </summary>
/// <param name="PayloadType">The RTP payload type, 0-127.</param>
/// <param name="EncodingName">The encoding name, e.g. "opus" (compared case-insensitively, RFC 4855 §3).</param>
/// <param name="ClockRate">The RTP clock rate in Hz.</param>
/// <param name="Channels">The encoding parameters (audio channels), or null when absent.</param>
public sealed record RtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    /// <summary>Parses an rtpmap attribute value.</summary>
    /// <param name="value">The text after "a=rtpmap:".</param>
    /// <param name="rtpMap">The mapping.</param>
    /// <returns>Whether the value matched RFC 8866 §6.6.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out RtpMap? rtpMap)
    {
        rtpMap = null;
        if (!SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> ptText, out ReadOnlySpan<char> encoding)
            || !SdpGrammar.TryParseInt32(ptText, 0, 127, out int pt))
        {
            return false;
        }

        if (!SdpGrammar.TrySplit(encoding, '/', out ReadOnlySpan<char> name, out ReadOnlySpan<char> rest) || !SdpGrammar.IsToken(name))
        {
            return false;
        }

        int? channels = null;
        if (SdpGrammar.TrySplit(rest, '/', out ReadOnlySpan<char> rateText, out ReadOnlySpan<char> channelText))
        {
            if (!SdpGrammar.TryParseInt32(channelText, 0, int.MaxValue, out int ch))
            {
                return false;
            }

            channels = ch;
        }

        if (!SdpGrammar.TryParseInt32(rateText, 1, int.MaxValue, out int rate))
        {
            return false;
        }

        rtpMap = new RtpMap(pt, name.ToString(), rate, channels);
        return true;
    }

    /// <summary>Returns whether this maps the given codec (name compared case-insensitively, RFC 4855 §3).</summary>
    /// <param name="encodingName">The encoding name.</param>
    /// <param name="clockRate">The clock rate.</param>
    /// <returns>Whether the codec matches.</returns>
    public bool Is(string encodingName, int clockRate) =>
        string.Equals(EncodingName, encodingName, StringComparison.OrdinalIgnoreCase) && ClockRate == clockRate;

    /// <summary>Returns the "a=rtpmap:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.RtpMap, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=rtpmap:".</returns>
    public override string ToString() =>
        $"{SdpGrammar.Format(PayloadType)} {EncodingName}/{SdpGrammar.Format(ClockRate)}" + (Channels is int c ? "/" + SdpGrammar.Format(c) : "");
}
