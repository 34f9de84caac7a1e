namespace RtcStack.Stun.Tests;

/// <summary>
/// SASLprep (RFC 4013, the stringprep profile of RFC 3454) and PRECIS OpaqueString (RFC 8265 §4.2, over the
/// FreeformClass of RFC 8264 §4.3), table by table. Characters are chosen from Unicode 3.2 (the version RFC 3454
/// fixes) so that the expected result is the RFC's, whatever Unicode version the runtime has.
/// </summary>
public class StunStringPrepTests
{
    private static string Cp(int codePoint) => char.ConvertFromUtf32(codePoint);

    private static string? Sasl(string s) => Result(StunStringPrep.TrySaslPrep(s, out string o), o);

    private static string? Opaque(string s) => Result(StunStringPrep.TryOpaqueString(s, out string o), o);

    // The Try pattern: on failure the output is empty, never a partly prepared string.
    private static string? Result(bool ok, string output)
    {
        if (!ok)
        {
            Assert.Equal("", output);
            return null;
        }

        return output;
    }

    [Fact]
    public void NormalizationIsAvailable()
    {
        // The test project runs with ICU (InvariantGlobalization=false); without it both preparations fail closed.
        Assert.True(StunStringPrep.IsNormalizationAvailable);
    }

    [Theory]
    // RFC 4013 §3, the examples table, all seven rows.
    [InlineData("I\u00ADX", "IX")]       // SOFT HYPHEN mapped to nothing
    [InlineData("user", "user")]         // no transformation
    [InlineData("USER", "USER")]         // case preserved
    [InlineData("\u00AA", "a")]          // output is NFKC
    [InlineData("\u2168", "IX")]         // output is NFKC
    [InlineData("\u0007", null)]         // prohibited character
    [InlineData("\u0627\u0031", null)]   // bidirectional check
    public void SaslPrep_Rfc4013Examples(string input, string? expected)
    {
        Assert.Equal(expected, Sasl(input));
    }

    [Fact]
    public void SaslPrep_NullThrows()
    {
        Assert.Throws<ArgumentNullException>(() => StunStringPrep.TrySaslPrep(null!, out _));
        Assert.Throws<ArgumentNullException>(() => StunStringPrep.TryOpaqueString(null!, out _));
    }

    [Theory]
    // RFC 4013 §2.1: non-ASCII space characters (RFC 3454 C.1.2) map to SPACE. U+1680 has no compatibility
    // decomposition, so only this mapping (not NFKC) turns it into a space.
    [InlineData(0x00A0)]
    [InlineData(0x1680)]
    [InlineData(0x2000)]
    [InlineData(0x200A)]
    [InlineData(0x202F)]
    [InlineData(0x205F)]
    [InlineData(0x3000)]
    public void SaslPrep_NonAsciiSpaceMapsToSpace(int space)
    {
        Assert.Equal("a b", Sasl("a" + Cp(space) + "b"));
        Assert.Equal(" ", Sasl(Cp(space)));
    }

    [Theory]
    // RFC 4013 §2.1: "commonly mapped to nothing" (RFC 3454 B.1). U+200B is left out: it is in both B.1 and C.1.2
    // and RFC 4013 does not say which mapping wins.
    [InlineData(0x00AD)]
    [InlineData(0x034F)]
    [InlineData(0x1806)]
    [InlineData(0x180B)]
    [InlineData(0x180C)]
    [InlineData(0x180D)]
    [InlineData(0x200C)]
    [InlineData(0x200D)]
    [InlineData(0x2060)]
    [InlineData(0xFE00)]
    [InlineData(0xFE0F)]
    [InlineData(0xFEFF)]
    public void SaslPrep_MappedToNothing(int c)
    {
        Assert.Equal("ab", Sasl("a" + Cp(c) + "b"));
    }

    [Theory]
    // RFC 4013 §2.3 prohibited output, each table's range ends.
    [InlineData(0x0000)] [InlineData(0x001F)] [InlineData(0x007F)]                        // C.2.1 ASCII control
    [InlineData(0x0080)] [InlineData(0x009F)] [InlineData(0x06DD)] [InlineData(0x070F)]   // C.2.2 non-ASCII control
    [InlineData(0x180E)] [InlineData(0x2028)] [InlineData(0x2029)] [InlineData(0x2061)]
    [InlineData(0x2063)] [InlineData(0x206A)] [InlineData(0x206F)] [InlineData(0xFFF9)]
    [InlineData(0xFFFC)] [InlineData(0x1D173)] [InlineData(0x1D17A)]
    [InlineData(0xE000)] [InlineData(0xF8FF)] [InlineData(0xF0000)] [InlineData(0xFFFFD)] // C.3 private use
    [InlineData(0x100000)] [InlineData(0x10FFFD)]
    [InlineData(0xFDD0)] [InlineData(0xFDEF)] [InlineData(0xFFFE)] [InlineData(0xFFFF)]   // C.4 non-character
    [InlineData(0x1FFFE)] [InlineData(0x1FFFF)] [InlineData(0x10FFFF)]
    [InlineData(0xFFFD)]                                                                   // C.6 (FFF9-FFFD)
    [InlineData(0x2FF0)] [InlineData(0x2FFB)]                                              // C.7
    [InlineData(0x200E)] [InlineData(0x200F)] [InlineData(0x202A)] [InlineData(0x202E)]   // C.8
    [InlineData(0xE0001)] [InlineData(0xE0020)] [InlineData(0xE007F)]                     // C.9 tagging
    public void SaslPrep_ProhibitedOutput(int c)
    {
        Assert.Null(Sasl("a" + Cp(c) + "b"));
        Assert.Null(Sasl(Cp(c)));
    }

    [Fact]
    public void SaslPrep_ProhibitionAppliesAfterNormalization()
    {
        // RFC 3454 §3-§5: map, normalize, then check prohibited output. U+0340 and U+0341 (C.8) normalize to
        // U+0300 and U+0301, so they never reach the prohibition step.
        Assert.Equal("\u00E0", Sasl("a\u0340"));
        Assert.Equal("\u00E1", Sasl("a\u0341"));

        // Unpaired surrogates (C.5) are not text; the result is an error, never a silently replaced character.
        Assert.Null(Sasl("a\uD800b"));
        Assert.Null(Sasl("a\uDC00"));
    }

    [Theory]
    // Neighbours of the prohibited ranges that Unicode 3.2 assigns and RFC 4013 allows.
    [InlineData(0x00A1, "\u00A1")]          // after C.2.2's 0080-009F
    [InlineData(0x00E9, "\u00E9")]
    [InlineData(0x4E2D, "\u4E2D")]          // CJK, below the C.3 private use area
    [InlineData(0x10400, "\U00010400")]     // DESERET CAPITAL LONG I, a letter above the BMP
    [InlineData(0x20000, "\U00020000")]     // CJK Extension B, above the BMP
    [InlineData(0x1D172, "\U0001D172")]     // MUSICAL SYMBOL COMBINING FLAG-5, just below C.2.2's 1D173
    [InlineData(0x1D17B, "\U0001D17B")]     // MUSICAL SYMBOL COMBINING ACCENT, just above 1D17A
    public void SaslPrep_AllowedNeighbours(int c, string expected)
    {
        Assert.Equal(expected, Sasl(Cp(c)));
        Assert.Equal("x" + expected, Sasl("x" + Cp(c)));
    }

    [Theory]
    // RFC 3454 §6 (RFC 4013 §2.4): with any RandALCat character (table D.1), no LCat character (D.2) may appear,
    // and the first and the last character must be RandALCat.
    [InlineData("\u05D0", true)]                 // one Hebrew letter
    [InlineData("\u05D0\u05D1", true)]
    [InlineData("\u0627\u0031\u0628", true)]     // digits in the middle are fine
    [InlineData("\u0627\u0031", false)]          // RandAL first, not last
    [InlineData("\u0031\u0627", false)]          // RandAL last, not first
    [InlineData("\u0031\u0627\u0628", false)]
    [InlineData("\u0627\u0628\u0031", false)]
    [InlineData("\u0627a\u0628", false)]         // contains LCat
    [InlineData("a\u05D0", false)]
    [InlineData("\u05D0a", false)]
    [InlineData("a\u05BE", false)]               // U+05BE HEBREW PUNCTUATION MAQAF is the first D.1 entry
    [InlineData("\u05D0\u05BD", false)]          // U+05BD (a mark, not in D.1) last
    [InlineData("\u0627\u064B", false)]          // U+064B ARABIC FATHATAN (a mark, not in D.1) last
    [InlineData("\u0627\u0652", false)]          // U+0652 ARABIC SUKUN (a mark, not in D.1) last
    [InlineData("a1", true)]                     // no RandALCat: no bidi rule
    [InlineData("\u00E91", true)]
    public void SaslPrep_BidiRule(string input, bool ok)
    {
        Assert.Equal(ok, Sasl(input) is not null);
    }

    [Theory]
    // RFC 3454 §6 with table D.1 exactly: only R and AL characters count as RandALCat. Arabic-Indic digits (AN),
    // European digits (EN), combining marks (NSM) and ornate parentheses (ON) are neither RandALCat nor LCat.
    [InlineData("\u0661", true)]                 // ARABIC-INDIC DIGIT ONE alone: no RandALCat, no rule
    [InlineData("a\u0661", true)]
    [InlineData("\u0627\u0661", false)]          // RandAL first, an AN digit last
    [InlineData("\u0627\u0661\u0628", true)]
    [InlineData("\u0627\u06F1", false)]          // EXTENDED ARABIC-INDIC DIGIT ONE (EN) last
    [InlineData("a\u06F1", true)]
    [InlineData("\u0627\u066C", false)]          // ARABIC THOUSANDS SEPARATOR (AN) last
    [InlineData("\uFD3E", true)]                 // ORNATE LEFT PARENTHESIS (ON), next to D.1's FBD3-FD3D
    [InlineData("a\uFD3E", true)]
    [InlineData("a\u05C0", false)]               // the single-character D.1 entries
    [InlineData("a\u05C3", false)]
    [InlineData("a\u061B", false)]
    [InlineData("a\u061F", false)]
    [InlineData("a\u0710", false)]
    [InlineData("a\u07B1", false)]
    [InlineData("\u05C0", true)]
    [InlineData("\u07B1", true)]
    [InlineData("a\u05D0", false)]               // range ends: 05D0-05EA, 05F0-05F4, 0621-063A, 0640-064A
    [InlineData("a\u05EA", false)]
    [InlineData("a\u05F4", false)]
    [InlineData("a\u0621", false)]
    [InlineData("a\u063A", false)]
    [InlineData("a\u0640", false)]
    [InlineData("a\u064A", false)]
    [InlineData("a\u066D", false)]               // 066D-066F, 0671-06D5, 06E5-06E6, 06FA-06FE
    [InlineData("a\u066F", false)]
    [InlineData("a\u0671", false)]
    [InlineData("a\u06D5", false)]
    [InlineData("a\u06E5", false)]
    [InlineData("a\u06E6", false)]
    [InlineData("a\u06FA", false)]
    [InlineData("a\u06FE", false)]
    [InlineData("a\u0700", false)]               // 0700-070D, 0712-072C, 0780-07A5
    [InlineData("a\u070D", false)]
    [InlineData("a\u0712", false)]
    [InlineData("a\u072C", false)]
    [InlineData("a\u0780", false)]
    [InlineData("a\u07A5", false)]
    [InlineData("\u0710\u0711", false)]          // SYRIAC LETTER SUPERSCRIPT ALAPH (NSM, not D.1) last
    [InlineData("\u0780\u07A6", false)]          // THAANA ABAFILI (NSM) last
    [InlineData("\u0627\u06D6", false)]          // ARABIC SMALL HIGH LIGATURE (NSM) last
    [InlineData("\u0627\u0670", false)]          // ARABIC LETTER SUPERSCRIPT ALEF (NSM) last
    [InlineData("\u05D0\u05BF", false)]          // HEBREW POINT RAFE (NSM), between D.1's 05BE and 05C0
    [InlineData("\u0627\u0628\U00020000", false)] // a CJK Extension B character (L) after RandAL
    public void SaslPrep_BidiRule_TableD1(string input, bool ok)
    {
        Assert.Equal(ok, Sasl(input) is not null);
    }

    [Theory]
    // RFC 8265 §4.2.1 (OpaqueString preparation/enforcement) over RFC 8264 §4.3 FreeformClass.
    [InlineData("correct horse battery", "correct horse battery")] // ASCII (RFC 8264 §9.11 ASCII7) unchanged
    [InlineData("~!@#", "~!@#")]
    [InlineData("e\u0301", "\u00E9")]            // NFC composes (RFC 8265 §4.2.1 normalization rule: NFC)
    [InlineData("\u212B", "\u00C5")]             // ANGSTROM SIGN -> its canonical equivalent
    [InlineData("\u00AA", "\u00AA")]             // NFC, not NFKC: compatibility characters are kept
    [InlineData("\uFB01", "\uFB01")]             // LATIN SMALL LIGATURE FI kept
    [InlineData("\u2168", "\u2168")]
    [InlineData("USER", "USER")]                 // no case mapping
    [InlineData("\u00E9t\u00E9", "\u00E9t\u00E9")]
    public void OpaqueString_Valid(string input, string expected)
    {
        Assert.Equal(expected, Opaque(input));
    }

    [Theory]
    // RFC 8265 §4.2.1 additional mapping: non-ASCII spaces (RFC 8264 §9.14, Zs) map to SPACE (U+0020).
    [InlineData(0x00A0)]
    [InlineData(0x1680)]
    [InlineData(0x2000)]
    [InlineData(0x200A)]
    [InlineData(0x202F)]
    [InlineData(0x205F)]
    [InlineData(0x3000)]
    public void OpaqueString_NonAsciiSpaceMapsToSpace(int space)
    {
        Assert.Equal("p w", Opaque("p" + Cp(space) + "w"));
    }

    [Theory]
    // RFC 8264 §9.12 Controls, §9.13 PrecisIgnorableProperties (default-ignorable, Cf), §9.3 Unassigned and
    // noncharacters: all DISALLOWED in the FreeformClass. RFC 8265 §4.2.2: an empty string is not allowed.
    [InlineData("")]
    [InlineData("a\u0000")]
    [InlineData("a\u001F")]
    [InlineData("a\u007F")]
    [InlineData("a\u0085")]
    [InlineData("a\u009F")]
    [InlineData("a\u00ADb")]   // SOFT HYPHEN (Cf)
    [InlineData("a\u200Bb")]   // ZERO WIDTH SPACE (Cf)
    [InlineData("a\u2060b")]   // WORD JOINER (Cf)
    [InlineData("a\uFEFFb")]   // ZERO WIDTH NO-BREAK SPACE (Cf)
    [InlineData("a\u0378")]    // unassigned
    [InlineData("a\uFDD0")]    // noncharacters
    [InlineData("a\uFDEF")]
    [InlineData("a\uFFFE")]
    [InlineData("a\uFFFF")]
    public void OpaqueString_Disallowed(string input)
    {
        Assert.Null(Opaque(input));
    }

    [Theory]
    [InlineData(0x1FFFE)]
    [InlineData(0x10FFFF)]
    public void OpaqueString_SupplementaryNonCharactersDisallowed(int c)
    {
        Assert.Null(Opaque("a" + Cp(c)));
    }

    [Fact]
    public void OpaqueString_IllFormedUtf16IsRejected()
    {
        // An unpaired surrogate is not a Unicode scalar value and has no UTF-8 form (RFC 3629 §3), which is how STUN
        // carries the prepared string (RFC 8489 §9.2.2). It must be an error: replacing it with U+FFFD would give
        // "a\uD800" and "a\uDC00" the same key.
        Assert.Null(Opaque("a\uD800"));
        Assert.Null(Opaque("a\uDC00b"));
        Assert.Null(Opaque("\uDBFF"));
        Assert.Null(Opaque("\uD800a"));       // high surrogate followed by a non-surrogate
        Assert.Null(Opaque("\uDC00\uD800"));  // the pair in the wrong order
        Assert.Null(Sasl("\uD800a"));
        Assert.Equal("a\uFFFD", Opaque("a\uFFFD")); // a real U+FFFD is a symbol (So) and valid
        Assert.Equal("\U00010400", Opaque("\U00010400")); // a well-formed pair is kept
    }
}
