using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>"a=ssrc:&lt;ssrc-id&gt; &lt;attribute&gt;[:&lt;value&gt;]" (RFC 5576 §4.1), e.g. "2463569178 cname:9wR9xkI1JNX3+WYf".</summary>
/// <param name="Ssrc">The synchronization source.</param>
/// <param name="Name">The source attribute name ("cname", "msid", ...).</param>
/// <param name="Value">The source attribute value, or null.</param>
public sealed record SsrcAttribute(uint Ssrc, string Name, string? Value = null)
{
    /// <summary>The "cname" source attribute (RFC 5576 §6.1).</summary>
    public const string CName = "cname";

    /// <summary>Parses an ssrc attribute value.</summary>
    /// <param name="value">The text after "a=ssrc:".</param>
    /// <param name="ssrc">The source attribute.</param>
    /// <returns>Whether the value matched RFC 5576 §4.1 (a 32-bit SSRC, a space, an attribute token).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SsrcAttribute? ssrc)
    {
        ssrc = null;
        if (!SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> idText, out ReadOnlySpan<char> attribute)
            || !SdpGrammar.TryParseUInt32(idText, out uint id))
        {
            return false;
        }

        string? attributeValue = null;
        if (SdpGrammar.TrySplit(attribute, ':', out ReadOnlySpan<char> name, out ReadOnlySpan<char> v))
        {
            attributeValue = v.ToString();
        }

        if (!SdpGrammar.IsToken(name))
        {
            return false;
        }

        ssrc = new SsrcAttribute(id, name.ToString(), attributeValue);
        return true;
    }

    /// <summary>Returns the "a=ssrc:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Ssrc, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=ssrc:".</returns>
    public override string ToString() => SdpGrammar.Format(Ssrc) + " " + Name + (Value is null ? "" : ":" + Value);
}
