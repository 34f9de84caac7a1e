using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=rid:&lt;rid-id&gt; &lt;send|recv&gt; [pt=&lt;fmt&gt;,...;][&lt;restriction&gt;;...]" (RFC 8851 §10),
/// e.g. "h send max-width=1280;max-height=720". Restrictions stay as text; <see cref="GetPayloadTypes"/>
/// and <see cref="GetRestrictions"/> split them.
/// </summary>
/// <param name="Id">The rid-id: letters, digits, '-' and '_'.</param>
/// <param name="Direction">Send or receive.</param>
/// <param name="Parameters">The parameter text after the direction, or null.</param>
public sealed record Rid(string Id, RidDirection Direction, string? Parameters = null)
{
    /// <summary>Parses a rid attribute value.</summary>
    /// <param name="value">The text after "a=rid:".</param>
    /// <param name="rid">The rid.</param>
    /// <returns>Whether the value matched RFC 8851 §10.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out Rid? rid)
    {
        rid = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> id) || !IsRidId(id)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> dir))
        {
            return false;
        }

        RidDirection direction;
        if (dir.SequenceEqual("send"))
        {
            direction = RidDirection.Send;
        }
        else if (dir.SequenceEqual("recv"))
        {
            direction = RidDirection.Receive;
        }
        else
        {
            return false;
        }

        string? parameters = null;
        if (!rest.IsEmpty)
        {
            if (!AreValidParameters(rest))
            {
                return false;
            }

            parameters = rest.ToString();
        }

        rid = new Rid(id.ToString(), direction, parameters);
        return true;
    }

    /// <summary>Returns whether text is an RFC 8851 rid-id: 1*(ALPHA / DIGIT / "-" / "_").</summary>
    /// <param name="id">The text.</param>
    /// <returns>Whether it is a rid-id.</returns>
    public static bool IsRidId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the payload types of a leading "pt=" list (RFC 8851 §4), or an empty list.</summary>
    /// <returns>The payload types.</returns>
    public IReadOnlyList<string> GetPayloadTypes()
    {
        var list = new List<string>();
        foreach (FormatParameter p in GetAllParameters())
        {
            if (p.Name == "pt" && p.Value is not null)
            {
                foreach (string pt in p.Value.Split(','))
                {
                    list.Add(pt);
                }
            }
        }

        return list;
    }

    /// <summary>Returns the restrictions (every parameter other than "pt"), e.g. max-width=1280.</summary>
    /// <returns>The restrictions in order.</returns>
    public IReadOnlyList<FormatParameter> GetRestrictions()
    {
        var list = new List<FormatParameter>();
        foreach (FormatParameter p in GetAllParameters())
        {
            if (p.Name != "pt")
            {
                list.Add(p);
            }
        }

        return list;
    }

    /// <summary>Returns the "a=rid:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Rid, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=rid:".</returns>
    public override string ToString() => Id + (Direction == RidDirection.Send ? " send" : " recv") + (Parameters is null ? "" : " " + Parameters);

    private static bool AreValidParameters(ReadOnlySpan<char> text)
    {
        foreach (Range r in text.Split(';'))
        {
            ReadOnlySpan<char> item = text[r];
            SdpGrammar.TrySplit(item, '=', out ReadOnlySpan<char> name, out ReadOnlySpan<char> v);
            if (name.IsEmpty || !IsParameterName(name) || !SdpGrammar.IsNonWhitespace(item) || (item.Contains('=') && v.IsEmpty))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsParameterName(ReadOnlySpan<char> name)
    {
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private List<FormatParameter> GetAllParameters()
    {
        var list = new List<FormatParameter>();
        if (Parameters is null)
        {
            return list;
        }

        foreach (string item in Parameters.Split(';'))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            list.Add(eq < 0 ? new FormatParameter(item, null) : new FormatParameter(item[..eq], item[(eq + 1)..]));
        }

        return list;
    }
}
