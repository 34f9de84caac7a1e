using System.Globalization;
using System.Text;

namespace RtcStack.Stun;

/// <summary>
/// The two string preparations STUN has used for passwords and realms: SASLprep (RFC 4013, a
/// stringprep profile, RFC 3454) and PRECIS OpaqueString (RFC 8265 §4.2, RFC 8264 FreeformClass).
/// Both return false for a string they prohibit. Plain ASCII without control characters passes
/// through both unchanged, which is the common case (ICE passwords are ASCII by RFC 8839).
/// </summary>
public static class StunStringPrep
{
    // In .NET's invariant globalization mode string.Normalize leaves non-ASCII text unchanged,
    // which would silently derive a wrong key. Detect it once and fail closed instead.
    private static readonly bool s_normalizationWorks = "\u00AA".Normalize(NormalizationForm.FormKC) == "a";

    /// <summary>
    /// Gets a value indicating whether Unicode normalization is available (ICU loaded, not invariant
    /// globalization mode). Without it, non-ASCII input is rejected by both preparations.
    /// </summary>
    public static bool IsNormalizationAvailable => s_normalizationWorks;

    /// <summary>
    /// RFC 4013 §2: map non-ASCII spaces (RFC 3454 C.1.2) to SPACE and "commonly mapped to
    /// nothing" (B.1) to nothing, normalize with NFKC, reject prohibited output (C.1.2, C.2.1,
    /// C.2.2, C.3-C.9) and apply the bidirectional rule (RFC 3454 §6).
    /// </summary>
    public static bool TrySaslPrep(string input, out string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        output = "";
        if (IsPlainAscii(input))
        {
            output = input;
            return true;
        }

        if (!s_normalizationWorks || !IsWellFormedUtf16(input))
        {
            return false; // no normalization, or unpaired surrogates (not text; EnumerateRunes would turn them into U+FFFD)
        }

        var mapped = new StringBuilder(input.Length);
        foreach (Rune r in input.EnumerateRunes())
        {
            int c = r.Value;
            if (IsNonAsciiSpace(c))
            {
                mapped.Append(' ');
            }
            else if (!IsMappedToNothing(c))
            {
                mapped.Append(r.ToString());
            }
        }

        string normalized;
        try
        {
            normalized = mapped.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return false; // unpaired surrogates
        }

        bool hasRandAL = false;
        bool hasL = false;
        int first = -1;
        int last = -1;
        for (int i = 0; i < normalized.Length;)
        {
            if (Rune.DecodeFromUtf16(normalized.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            int c = rune.Value;
            if (IsSaslProhibited(c))
            {
                return false;
            }

            bool randAL = IsRandAL(c);
            hasRandAL |= randAL;
            hasL |= !randAL && Rune.IsLetter(rune);
            if (first < 0)
            {
                first = randAL ? 1 : 0;
            }

            last = randAL ? 1 : 0;
            i += used;
        }

        if (hasRandAL && (hasL || first != 1 || last != 1))
        {
            return false;
        }

        output = normalized;
        return true;
    }

    /// <summary>
    /// RFC 8265 §4.2.1: OpaqueString. Non-ASCII spaces map to SPACE, the result is NFC-normalized,
    /// must not be empty, and must contain only FreeformClass code points (RFC 8264 §4.3): control
    /// characters, default-ignorable format characters, unassigned code points and noncharacters
    /// are rejected.
    /// </summary>
    public static bool TryOpaqueString(string input, out string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        output = "";
        if (input.Length == 0)
        {
            return false;
        }

        if (IsPlainAscii(input))
        {
            output = input;
            return true;
        }

        if (!s_normalizationWorks || !IsWellFormedUtf16(input))
        {
            return false; // no normalization, or unpaired surrogates (not text; EnumerateRunes would turn them into U+FFFD)
        }

        var mapped = new StringBuilder(input.Length);
        foreach (Rune r in input.EnumerateRunes())
        {
            if (r.Value > 0x7F && Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator)
            {
                mapped.Append(' ');
            }
            else
            {
                mapped.Append(r.ToString());
            }
        }

        string normalized;
        try
        {
            normalized = mapped.ToString().Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return false;
        }

        for (int i = 0; i < normalized.Length;)
        {
            if (Rune.DecodeFromUtf16(normalized.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            UnicodeCategory cat = Rune.GetUnicodeCategory(rune);
            if (cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate
                || IsNonCharacter(rune.Value))
            {
                return false;
            }

            i += used;
        }

        output = normalized;
        return true;
    }

    // Every high surrogate followed by a low one, no other surrogates: the string is a sequence of Unicode scalar values.
    private static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlainAscii(string s)
    {
        foreach (char c in s)
        {
            if (c < 0x20 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    // RFC 3454 C.1.2.
    private static bool IsNonAsciiSpace(int c) =>
        c is 0x00A0 or 0x1680 or (>= 0x2000 and <= 0x200B) or 0x202F or 0x205F or 0x3000;

    // RFC 3454 B.1.
    private static bool IsMappedToNothing(int c) =>
        c is 0x00AD or 0x034F or 0x1806 or (>= 0x180B and <= 0x180D) or (>= 0x200B and <= 0x200D) or 0x2060
            or (>= 0xFE00 and <= 0xFE0F) or 0xFEFF;

    private static bool IsNonCharacter(int c) => (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;

    // RFC 4013 §2.3: C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9.
    private static bool IsSaslProhibited(int c) =>
        IsNonAsciiSpace(c)
        || c < 0x20 || c == 0x7F
        || (c >= 0x80 && c <= 0x9F) || c is 0x06DD or 0x070F or 0x180E or 0x200C or 0x200D or 0x2028 or 0x2029
        || (c >= 0x2060 && c <= 0x2063) || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC)
        || (c >= 0x1D173 && c <= 0x1D17A)
        || (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0xFFFFD) || (c >= 0x100000 && c <= 0x10FFFD)
        || IsNonCharacter(c)
        || (c >= 0xD800 && c <= 0xDFFF)
        || c == 0xFFFD
        || (c >= 0x2FF0 && c <= 0x2FFB)
        || c is 0x0340 or 0x0341 or 0x200E or 0x200F || (c >= 0x202A && c <= 0x202E)
        || c == 0xE0001 || (c >= 0xE0020 && c <= 0xE007F);

    // RFC 3454 D.1, the characters with bidirectional property R or AL (Unicode 3.2), as inclusive ranges.
    private static ReadOnlySpan<int> RandAL =>
    [
        0x05BE, 0x05BE, 0x05C0, 0x05C0, 0x05C3, 0x05C3, 0x05D0, 0x05EA, 0x05F0, 0x05F4, 0x061B, 0x061B,
        0x061F, 0x061F, 0x0621, 0x063A, 0x0640, 0x064A, 0x066D, 0x066F, 0x0671, 0x06D5, 0x06DD, 0x06DD,
        0x06E5, 0x06E6, 0x06FA, 0x06FE, 0x0700, 0x070D, 0x0710, 0x0710, 0x0712, 0x072C, 0x0780, 0x07A5,
        0x07B1, 0x07B1, 0x200F, 0x200F, 0xFB1D, 0xFB1D, 0xFB1F, 0xFB28, 0xFB2A, 0xFB36, 0xFB38, 0xFB3C,
        0xFB3E, 0xFB3E, 0xFB40, 0xFB41, 0xFB43, 0xFB44, 0xFB46, 0xFBB1, 0xFBD3, 0xFD3D, 0xFD50, 0xFD8F,
        0xFD92, 0xFDC7, 0xFDF0, 0xFDFC, 0xFE70, 0xFE74, 0xFE76, 0xFEFC,
    ];

    private static bool IsRandAL(int c)
    {
        ReadOnlySpan<int> ranges = RandAL;
        for (int i = 0; i < ranges.Length; i += 2)
        {
            if (c < ranges[i])
            {
                return false; // the ranges are sorted
            }

            if (c <= ranges[i + 1])
            {
                return true;
            }
        }

        return false;
    }
}
