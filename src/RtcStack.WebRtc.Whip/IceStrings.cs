namespace RtcStack.WebRtc.Signalling;

/// <summary>RFC 8839 §5.4: ice-ufrag is 4-256 and ice-pwd 22-256 ice-chars (ALPHA / DIGIT / "+" / "/").</summary>
internal static class IceStrings
{
    /// <summary>Whether <paramref name="value"/> is a valid ice-ufrag.</summary>
    public static bool IsUfrag(string value) => Is(value, 4);

    /// <summary>Whether <paramref name="value"/> is a valid ice-pwd.</summary>
    public static bool IsPassword(string value) => Is(value, 22);

    private static bool Is(string value, int minLength)
    {
        if (value.Length < minLength || value.Length > 256)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }
}
