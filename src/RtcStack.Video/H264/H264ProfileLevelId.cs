using System.Globalization;

namespace RtcStack.Video;

/// <summary>
/// The H.264 SDP parameter <c>profile-level-id</c> (RFC 6184 §8.1): six hex digits for profile_idc, profile-iop (the
/// constraint_set0..5 flags and two reserved zero bits, most significant first) and level_idc, read as a profile by
/// RFC 6184 Table 5 (plus Constrained High) and a level with the level 1b special cases of H.264 §A.3.
/// </summary>
/// <param name="Profile">The profile.</param>
/// <param name="Level">The level.</param>
public readonly record struct H264ProfileLevelId(H264Profile Profile, H264Level Level)
{
    // RFC 6184 Table 5 (and Constrained High): profile_idc, then the profile-iop bits that must match (mask) and their
    // values; "x" bits of the table are left out of the mask. Checked in order: the first match wins.
    private static readonly (byte Idc, byte Mask, byte Value, H264Profile Profile)[] s_patterns =
    [
        (0x42, 0x4F, 0x40, H264Profile.ConstrainedBaseline), // x1xx0000
        (0x4D, 0x8F, 0x80, H264Profile.ConstrainedBaseline), // 1xxx0000
        (0x58, 0xCF, 0xC0, H264Profile.ConstrainedBaseline), // 11xx0000
        (0x42, 0x4F, 0x00, H264Profile.Baseline),            // x0xx0000
        (0x58, 0xCF, 0x80, H264Profile.Baseline),            // 10xx0000
        (0x4D, 0xAF, 0x00, H264Profile.Main),                // 0x0x0000
        (0x58, 0xCF, 0x00, H264Profile.Extended),            // 00xx0000
        (0x64, 0xFF, 0x00, H264Profile.High),                // 00000000
        (0x64, 0xFF, 0x0C, H264Profile.ConstrainedHigh),     // 00001100 (H.264 §A.2.11, not in Table 5)
        (0x6E, 0xFF, 0x00, H264Profile.High10),              // 00000000
        (0x7A, 0xFF, 0x00, H264Profile.High422),             // 00000000
        (0xF4, 0xFF, 0x00, H264Profile.High444),             // 00000000
        (0x6E, 0xFF, 0x10, H264Profile.High10Intra),         // 00010000
        (0x7A, 0xFF, 0x10, H264Profile.High422Intra),        // 00010000
        (0xF4, 0xFF, 0x10, H264Profile.High444Intra),        // 00010000
        (0x2C, 0xFF, 0x10, H264Profile.Cavlc444Intra),       // 00010000
    ];

    /// <summary>
    /// Gets the value RFC 6184 §8.1 implies when <c>profile-level-id</c> is absent: Baseline, level 1 (42000a).
    /// </summary>
    public static H264ProfileLevelId RfcDefault => new(H264Profile.Baseline, H264Level.Level1);

    /// <summary>
    /// Gets the value libwebrtc (Chrome, Edge, Safari) assumes when <c>profile-level-id</c> is absent: Constrained
    /// Baseline, level 3.1 (42e01f), kept for compatibility with older WebRTC endpoints instead of the RFC's default.
    /// </summary>
    public static H264ProfileLevelId BrowserDefault => new(H264Profile.ConstrainedBaseline, H264Level.Level3_1);

    /// <summary>Parses six hex digits (either case), e.g. 42e01f. Never throws.</summary>
    /// <returns>False if the text is not six hex digits, the profile_idc/profile-iop pair is not in the table, or the level_idc is not a level.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out H264ProfileLevelId value)
    {
        value = default;
        if (text.Length != 6 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint bits))
        {
            return false;
        }

        byte idc = (byte)(bits >> 16);
        byte iop = (byte)(bits >> 8);
        byte levelIdc = (byte)bits;
        H264Profile? profile = null;
        foreach ((byte Idc, byte Mask, byte Value, H264Profile Profile) pattern in s_patterns)
        {
            if (pattern.Idc == idc && (iop & pattern.Mask) == pattern.Value)
            {
                profile = pattern.Profile;
                break;
            }
        }

        if (profile is not { } p)
        {
            return false;
        }

        H264Level level;
        bool constraintSet3 = (iop & 0x10) != 0;
        if (levelIdc == 11 && constraintSet3 && p is H264Profile.ConstrainedBaseline or H264Profile.Baseline or H264Profile.Main or H264Profile.Extended)
        {
            level = H264Level.Level1b; // H.264 §A.3.1 item 1: level_idc 11 with constraint_set3_flag 1
        }
        else if (levelIdc == 9)
        {
            level = H264Level.Level1b; // H.264 §A.3.2: level_idc 9 in the High profiles
        }
        else if (IsLevelIdc(levelIdc))
        {
            level = (H264Level)levelIdc;
        }
        else
        {
            return false;
        }

        value = new H264ProfileLevelId(p, level);
        return true;
    }

    /// <summary>
    /// Reads an fmtp's <c>profile-level-id</c>, or, when it is absent (null), <see cref="BrowserDefault"/> as
    /// libwebrtc does (RFC 6184 §8.1 would imply <see cref="RfcDefault"/>; browsers interoperate on the former).
    /// </summary>
    public static bool TryParseOrDefault(string? text, out H264ProfileLevelId value)
    {
        if (text is null)
        {
            value = BrowserDefault;
            return true;
        }

        return TryParse(text, out value);
    }

    /// <summary>Whether <paramref name="level"/> is lower than <paramref name="other"/> (1 &lt; 1b &lt; 1.1 &lt; ...).</summary>
    public static bool IsLevelLower(H264Level level, H264Level other) => OrderKey(level) < OrderKey(other);

    /// <summary>Gets the lower of two levels.</summary>
    public static H264Level MinLevel(H264Level a, H264Level b) => IsLevelLower(b, a) ? b : a;

    /// <summary>
    /// Whether two <c>profile-level-id</c> values (null when absent) name the same profile, the condition libwebrtc puts
    /// on an H.264 payload type to match another (levels may differ: RFC 6184 §8.2.2 lets the answer lower the level).
    /// </summary>
    public static bool IsSameProfile(string? a, string? b) =>
        TryParseOrDefault(a, out H264ProfileLevelId x) && TryParseOrDefault(b, out H264ProfileLevelId y) && x.Profile == y.Profile;

    /// <summary>
    /// Works out the <c>profile-level-id</c> of an answer as browsers do (libwebrtc's rule): the offered and local
    /// profiles must be the same; the answer's level is the local level when both sides send
    /// <c>level-asymmetry-allowed=1</c> (RFC 6184 §8.1: each side then receives at the level it declares), and
    /// otherwise the lower of the two levels (RFC 6184 §8.2.2: without asymmetry both directions use one level, which the
    /// answerer may only lower).
    /// </summary>
    /// <param name="local">What the answerer supports (its own profile-level-id).</param>
    /// <param name="localLevelAsymmetryAllowed">The answerer's level-asymmetry-allowed.</param>
    /// <param name="offered">The offer's profile-level-id.</param>
    /// <param name="offeredLevelAsymmetryAllowed">The offer's level-asymmetry-allowed.</param>
    /// <param name="answer">The profile-level-id to put in the answer.</param>
    /// <returns>False when the profiles differ (the payload type cannot be accepted).</returns>
    public static bool TryNegotiateAnswer(
        H264ProfileLevelId local,
        bool localLevelAsymmetryAllowed,
        H264ProfileLevelId offered,
        bool offeredLevelAsymmetryAllowed,
        out H264ProfileLevelId answer)
    {
        answer = default;
        if (local.Profile != offered.Profile)
        {
            return false;
        }

        H264Level level = localLevelAsymmetryAllowed && offeredLevelAsymmetryAllowed ? local.Level : MinLevel(local.Level, offered.Level);
        answer = new H264ProfileLevelId(offered.Profile, level);
        return true;
    }

    /// <summary>Writes the six lowercase hex digits into <paramref name="destination"/> (canonical profile-iop per profile, as browsers write it).</summary>
    /// <returns>False if <paramref name="destination"/> is shorter than 6.</returns>
    public bool TryFormat(Span<char> destination, out int written)
    {
        written = 0;
        if (destination.Length < 6)
        {
            return false;
        }

        (byte idc, byte iop) = Profile switch
        {
            H264Profile.ConstrainedBaseline => ((byte)0x42, (byte)0xE0),
            H264Profile.Baseline => ((byte)0x42, (byte)0x00),
            H264Profile.Main => ((byte)0x4D, (byte)0x00),
            H264Profile.Extended => ((byte)0x58, (byte)0x00),
            H264Profile.High => ((byte)0x64, (byte)0x00),
            H264Profile.High10 => ((byte)0x6E, (byte)0x00),
            H264Profile.High422 => ((byte)0x7A, (byte)0x00),
            H264Profile.High444 => ((byte)0xF4, (byte)0x00),
            H264Profile.High10Intra => ((byte)0x6E, (byte)0x10),
            H264Profile.High422Intra => ((byte)0x7A, (byte)0x10),
            H264Profile.High444Intra => ((byte)0xF4, (byte)0x10),
            H264Profile.Cavlc444Intra => ((byte)0x2C, (byte)0x10),
            H264Profile.ConstrainedHigh => ((byte)0x64, (byte)0x0C),
            _ => throw new InvalidOperationException($"Unknown profile {Profile}."),
        };

        byte levelIdc;
        if (Level == H264Level.Level1b)
        {
            if (Profile is H264Profile.ConstrainedBaseline or H264Profile.Baseline or H264Profile.Main or H264Profile.Extended)
            {
                iop |= 0x10;
                levelIdc = 11;
            }
            else
            {
                levelIdc = 9;
            }
        }
        else
        {
            levelIdc = (byte)Level;
        }

        uint bits = ((uint)idc << 16) | ((uint)iop << 8) | levelIdc;
        return bits.TryFormat(destination, out written, "x6", CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the six lowercase hex digits, e.g. 42e01f.</summary>
    public override string ToString()
    {
        Span<char> text = stackalloc char[6];
        return TryFormat(text, out int written) ? new string(text[..written]) : "";
    }

    private static bool IsLevelIdc(byte value) => value is 10 or 11 or 12 or 13 or 20 or 21 or 22 or 30 or 31 or 32 or 40 or 41 or 42 or 50 or 51 or 52 or 60 or 61 or 62;

    private static int OrderKey(H264Level level) => level == H264Level.Level1b ? 105 : (int)level * 10;
}
