using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=rtcp-fb:&lt;payload type or *&gt; &lt;type&gt; [&lt;parameter&gt;]" (RFC 4585 §4.2), e.g.
/// "111 transport-cc", "96 nack pli", "* ccm fir".
/// </summary>
/// <param name="PayloadType">The payload type the feedback applies to, or "*" for all.</param>
/// <param name="Type">The feedback type: "ack", "nack", "trr-int", "ccm", "transport-cc", "goog-remb", ...</param>
/// <param name="Parameter">The rest of the line (for example "pli" after "nack"), or null.</param>
public sealed record RtcpFeedback(string PayloadType, string Type, string? Parameter = null)
{
    /// <summary>The wildcard payload type "*" (RFC 4585 §4.2).</summary>
    public const string AllPayloadTypes = "*";

    /// <summary>Parses an rtcp-fb attribute value.</summary>
    /// <param name="value">The text after "a=rtcp-fb:".</param>
    /// <param name="feedback">The feedback.</param>
    /// <returns>Whether the value matched RFC 4585 §4.2 (payload type 0-127 or "*", then a type token).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out RtcpFeedback? feedback)
    {
        feedback = null;
        if (!SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> pt, out ReadOnlySpan<char> rest))
        {
            return false;
        }

        if (!pt.SequenceEqual(AllPayloadTypes) && !SdpGrammar.TryParseInt32(pt, 0, 127, out _))
        {
            return false;
        }

        string? parameter = null;
        if (SdpGrammar.TrySplit(rest, ' ', out ReadOnlySpan<char> type, out ReadOnlySpan<char> param))
        {
            if (param.IsEmpty)
            {
                return false;
            }

            parameter = param.ToString();
        }

        if (!SdpGrammar.IsToken(type))
        {
            return false;
        }

        feedback = new RtcpFeedback(pt.ToString(), type.ToString(), parameter);
        return true;
    }

    /// <summary>Returns whether this feedback applies to <paramref name="payloadType"/> (its own number or "*").</summary>
    /// <param name="payloadType">The payload type.</param>
    /// <returns>Whether it applies.</returns>
    public bool AppliesTo(int payloadType) =>
        PayloadType == AllPayloadTypes || string.Equals(PayloadType, SdpGrammar.Format(payloadType), StringComparison.Ordinal);

    /// <summary>Returns the "a=rtcp-fb:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.RtcpFeedback, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=rtcp-fb:".</returns>
    public override string ToString() => PayloadType + " " + Type + (Parameter is null ? "" : " " + Parameter);
}
