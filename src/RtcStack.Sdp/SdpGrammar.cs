using System.Globalization;

namespace RtcStack.Sdp;

/// <summary>Character classes and number rules of RFC 8866 §9 shared by the field and attribute parsers.</summary>
internal static class SdpGrammar
{
    /// <summary>RFC 8866 §9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E.</summary>
    public static bool IsTokenChar(char c) => c switch
    {
        '\x21' => true,
        >= '\x23' and <= '\x27' => true,
        >= '\x2A' and <= '\x2B' => true,
        >= '\x2D' and <= '\x2E' => true,
        >= '\x30' and <= '\x39' => true,
        >= '\x41' and <= '\x5A' => true,
        >= '\x5E' and <= '\x7E' => true,
        _ => false,
    };

    /// <summary>RFC 8866 §9 token: 1*token-char.</summary>
    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 8866 §9 proto: token *("/" token).</summary>
    public static bool IsProto(ReadOnlySpan<char> s)
    {
        foreach (Range part in s.Split('/'))
        {
            if (!IsToken(s[part]))
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }

    /// <summary>A run of visible ASCII or non-ASCII characters without spaces (RFC 8866 non-ws-string).</summary>
    public static bool IsNonWhitespace(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (c <= ' ' || c == '\x7F')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/".</summary>
    public static bool IsIceChars(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>1*DIGIT that fits in a uint; no sign, no spaces.</summary>
    public static bool TryParseUInt32(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        return !s.IsEmpty && char.IsAsciiDigit(s[0]) && uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>1*DIGIT that fits in a ulong; no sign, no spaces.</summary>
    public static bool TryParseUInt64(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        return !s.IsEmpty && char.IsAsciiDigit(s[0]) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>1*DIGIT in [min, max].</summary>
    public static bool TryParseInt32(ReadOnlySpan<char> s, int min, int max, out int value)
    {
        if (TryParseUInt32(s, out uint v) && v >= (uint)min && v <= (uint)max)
        {
            value = (int)v;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Splits at the first <paramref name="separator"/>; false when it is absent.</summary>
    public static bool TrySplit(ReadOnlySpan<char> s, char separator, out ReadOnlySpan<char> head, out ReadOnlySpan<char> tail)
    {
        int i = s.IndexOf(separator);
        if (i < 0)
        {
            head = s;
            tail = default;
            return false;
        }

        head = s[..i];
        tail = s[(i + 1)..];
        return true;
    }

    /// <summary>Reads the next space-separated field (single SP separators, as RFC 8866 §9 requires).</summary>
    public static bool TryNextField(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        if (rest.IsEmpty)
        {
            field = default;
            return false;
        }

        int sp = rest.IndexOf(' ');
        if (sp < 0)
        {
            field = rest;
            rest = default;
        }
        else
        {
            field = rest[..sp];
            rest = rest[(sp + 1)..];
            if (rest.IsEmpty)
            {
                // A trailing space leaves an empty last field, which the grammar does not allow.
                return false;
            }
        }

        return !field.IsEmpty;
    }

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(uint value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Throws <see cref="ArgumentException"/> when a value is unsuitable for a line (API misuse).</summary>
    public static void RequireLineText(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0)
        {
            throw new ArgumentException("SDP text cannot contain NUL, CR or LF", paramName);
        }
    }

    public static void RequireToken(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!IsToken(value))
        {
            throw new ArgumentException($"'{value}' is not an SDP token (RFC 8866 §9)", paramName);
        }
    }

    public static void RequireNonWhitespace(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!IsNonWhitespace(value))
        {
            throw new ArgumentException($"'{value}' must be non-empty and contain no spaces", paramName);
        }
    }
}
