using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;URI&gt; [&lt;extension attributes&gt;]" (RFC 8285 §8):
/// maps an RTP header extension URI to its local id (1-14 one-byte, 1-255 two-byte form).
/// </summary>
/// <param name="Id">The local identifier (RFC 8285 §8 allows 1*5DIGIT; ids in use are 1-255).</param>
/// <param name="Uri">The extension URI, e.g. "urn:ietf:params:rtp-hdrext:ssrc-audio-level".</param>
/// <param name="Direction">The direction, or null when absent (then the media direction applies, RFC 8285 §6).</param>
/// <param name="Attributes">Extension attributes after the URI, or null.</param>
public sealed record ExtMap(int Id, string Uri, MediaDirection? Direction = null, string? Attributes = null)
{
    /// <summary>urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464).</summary>
    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>urn:ietf:params:rtp-hdrext:csrc-audio-level (RFC 6465).</summary>
    public const string CsrcAudioLevelUri = "urn:ietf:params:rtp-hdrext:csrc-audio-level";

    /// <summary>http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time (libwebrtc's absolute send time, used by GCC).</summary>
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01 (transport-wide sequence number for TWCC).</summary>
    public const string TransportWideCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15.2).</summary>
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>Parses an extmap attribute value.</summary>
    /// <param name="value">The text after "a=extmap:".</param>
    /// <param name="extMap">The mapping.</param>
    /// <returns>Whether the value matched RFC 8285 §8.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out ExtMap? extMap)
    {
        extMap = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> entry) || rest.IsEmpty)
        {
            return false;
        }

        MediaDirection? direction = null;
        if (SdpGrammar.TrySplit(entry, '/', out ReadOnlySpan<char> idText, out ReadOnlySpan<char> dirText))
        {
            if (!MediaDirectionExtensions.TryParseMediaDirection(dirText, out MediaDirection d))
            {
                return false;
            }

            direction = d;
        }

        if (idText.Length > 5 || !SdpGrammar.TryParseInt32(idText, 0, 99999, out int id))
        {
            return false;
        }

        string? attributes = null;
        if (SdpGrammar.TrySplit(rest, ' ', out ReadOnlySpan<char> uri, out ReadOnlySpan<char> attrs))
        {
            if (attrs.IsEmpty)
            {
                return false;
            }

            attributes = attrs.ToString();
        }

        if (!SdpGrammar.IsNonWhitespace(uri))
        {
            return false;
        }

        extMap = new ExtMap(id, uri.ToString(), direction, attributes);
        return true;
    }

    /// <summary>Returns the "a=extmap:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.ExtMap, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=extmap:".</returns>
    public override string ToString() =>
        SdpGrammar.Format(Id) + (Direction is MediaDirection d ? "/" + d.ToSdpString() : "") + " " + Uri + (Attributes is null ? "" : " " + Attributes);
}
