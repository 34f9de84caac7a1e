using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// "a=fmtp:&lt;format&gt; &lt;format specific parameters&gt;" (RFC 8866 §6.15). The parameters are
/// kept as text (their syntax belongs to each payload format); <see cref="GetParameters"/> splits
/// the common "name=value;name=value" form (RFC 4855 §3, used by Opus in RFC 7587 §7).
/// </summary>
/// <param name="Format">The format (payload type) the parameters apply to.</param>
/// <param name="Parameters">The parameter text.</param>
public sealed record FormatParameters(string Format, string Parameters)
{
    /// <summary>Parses an fmtp attribute value.</summary>
    /// <param name="value">The text after "a=fmtp:".</param>
    /// <param name="fmtp">The parameters.</param>
    /// <returns>Whether the value is a format token followed by a space and parameters.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out FormatParameters? fmtp)
    {
        fmtp = null;
        if (!SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> format, out ReadOnlySpan<char> parameters) || !SdpGrammar.IsToken(format))
        {
            return false;
        }

        fmtp = new FormatParameters(format.ToString(), parameters.ToString());
        return true;
    }

    /// <summary>Builds fmtp parameters "a=b;c=d" from a list.</summary>
    /// <param name="format">The format (payload type).</param>
    /// <param name="parameters">The parameters, in order.</param>
    /// <returns>The fmtp attribute.</returns>
    public static FormatParameters Create(string format, IEnumerable<FormatParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sb = new StringBuilder();
        foreach (FormatParameter p in parameters)
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }

            sb.Append(p.ToString());
        }

        return new FormatParameters(format, sb.ToString());
    }

    /// <summary>Splits the parameters at ';' and each at its first '=', trimming spaces around items (RFC 4855 §3 style).</summary>
    /// <returns>The parameters in order.</returns>
    public IReadOnlyList<FormatParameter> GetParameters()
    {
        var list = new List<FormatParameter>();
        ReadOnlySpan<char> text = Parameters;
        foreach (Range r in text.Split(';'))
        {
            ReadOnlySpan<char> item = text[r].Trim(' ');
            if (item.IsEmpty)
            {
                continue;
            }

            if (SdpGrammar.TrySplit(item, '=', out ReadOnlySpan<char> name, out ReadOnlySpan<char> v))
            {
                list.Add(new FormatParameter(name.Trim(' ').ToString(), v.Trim(' ').ToString()));
            }
            else
            {
                list.Add(new FormatParameter(item.ToString(), null));
            }
        }

        return list;
    }

    /// <summary>Looks up a "name=value" parameter; names compare case-insensitively (RFC 4855 §3: media type parameter names).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the parameter is present with a value.</returns>
    public bool TryGetParameter(string name, [NotNullWhen(true)] out string? value)
    {
        foreach (FormatParameter p in GetParameters())
        {
            if (p.Value is not null && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Returns the "a=fmtp:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Fmtp, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=fmtp:".</returns>
    public override string ToString() => Format + " " + Parameters;
}
