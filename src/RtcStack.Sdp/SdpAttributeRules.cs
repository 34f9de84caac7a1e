namespace RtcStack.Sdp;

/// <summary>
/// Where the attributes this library knows may appear, how often, and which of them a session can do
/// without when their value is malformed. The rules come from each attribute's specification; the
/// tolerant parser warns where strict parsing refuses.
/// </summary>
internal static class SdpAttributeRules
{
    /// <summary>Where an attribute may appear.</summary>
    public enum Level
    {
        Any,
        SessionOnly,
        MediaOnly,
    }

    /// <summary>Returns where <paramref name="name"/> may appear and the rule that says so.</summary>
    public static Level GetLevel(ReadOnlySpan<char> name, out string rule)
    {
        (Level level, rule) = name switch
        {
            SdpAttributeNames.Group => (Level.SessionOnly, "RFC 5888 §5"),
            SdpAttributeNames.IceLite => (Level.SessionOnly, "RFC 8839 §5.3"),
            SdpAttributeNames.Mid => (Level.MediaOnly, "RFC 5888 §4"),
            SdpAttributeNames.RtpMap => (Level.MediaOnly, "RFC 8866 §6.6"),
            SdpAttributeNames.Fmtp => (Level.MediaOnly, "RFC 8866 §6.15"),
            SdpAttributeNames.PacketTime => (Level.MediaOnly, "RFC 8866 §6.4"),
            SdpAttributeNames.MaxPacketTime => (Level.MediaOnly, "RFC 8866 §6.5"),
            SdpAttributeNames.Ssrc => (Level.MediaOnly, "RFC 5576 §4.1"),
            SdpAttributeNames.SsrcGroup => (Level.MediaOnly, "RFC 5576 §4.2"),
            SdpAttributeNames.Msid => (Level.MediaOnly, "RFC 8830 §2"),
            SdpAttributeNames.Rid => (Level.MediaOnly, "RFC 8851 §4"),
            SdpAttributeNames.Simulcast => (Level.MediaOnly, "RFC 8853 §5.1"),
            SdpAttributeNames.Rtcp => (Level.MediaOnly, "RFC 3605 §2.1"),
            SdpAttributeNames.RtcpMux => (Level.MediaOnly, "RFC 5761 §5.1.1"),
            SdpAttributeNames.RtcpMuxOnly => (Level.MediaOnly, "RFC 8858 §3"),
            SdpAttributeNames.RtcpReducedSize => (Level.MediaOnly, "RFC 5506 §5"),
            SdpAttributeNames.Candidate => (Level.MediaOnly, "RFC 8839 §5.1"),
            SdpAttributeNames.BundleOnly => (Level.MediaOnly, "RFC 8843 §6"),
            "sctp-port" => (Level.MediaOnly, "RFC 8841 §5"),
            "max-message-size" => (Level.MediaOnly, "RFC 8841 §6"),
            _ => (Level.Any, string.Empty),
        };
        return level;
    }

    /// <summary>
    /// Returns the key under which a section may hold <paramref name="name"/> only once (the name itself,
    /// "direction" for the four direction attributes, or name plus payload type or extension id), or null
    /// when the attribute may repeat; <paramref name="rule"/> names the rule.
    /// </summary>
    public static string? GetUniqueKey(ReadOnlySpan<char> name, ReadOnlySpan<char> value, out string rule)
    {
        rule = string.Empty;
        switch (name)
        {
            case SdpAttributeNames.Mid:
                rule = "RFC 5888 §4";
                return SdpAttributeNames.Mid;
            case SdpAttributeNames.IceUfrag:
            case SdpAttributeNames.IcePwd:
                rule = "RFC 8839 §5.4";
                return name.ToString();
            case SdpAttributeNames.IceOptions:
                rule = "RFC 8839 §5.6";
                return SdpAttributeNames.IceOptions;
            case SdpAttributeNames.IceLite:
                rule = "RFC 8839 §5.3";
                return SdpAttributeNames.IceLite;
            case SdpAttributeNames.Setup:
                rule = "RFC 4145 §4";
                return SdpAttributeNames.Setup;
            case SdpAttributeNames.Rtcp:
                rule = "RFC 3605 §2.1";
                return SdpAttributeNames.Rtcp;
            case SdpAttributeNames.RtcpMux:
            case SdpAttributeNames.RtcpMuxOnly:
            case SdpAttributeNames.RtcpReducedSize:
            case SdpAttributeNames.BundleOnly:
            case SdpAttributeNames.ExtMapAllowMixed:
            case SdpAttributeNames.EndOfCandidates:
                rule = "RFC 8866 §5.13";
                return name.ToString();
            case SdpAttributeNames.PacketTime:
            case SdpAttributeNames.MaxPacketTime:
                rule = name.SequenceEqual(SdpAttributeNames.PacketTime) ? "RFC 8866 §6.4" : "RFC 8866 §6.5";
                return name.ToString();
            case SdpAttributeNames.Simulcast:
                rule = "RFC 8853 §5.1";
                return SdpAttributeNames.Simulcast;
            case SdpAttributeNames.SendRecv:
            case SdpAttributeNames.SendOnly:
            case SdpAttributeNames.RecvOnly:
            case SdpAttributeNames.Inactive:
                rule = "RFC 8866 §6.7";
                return "direction";
            case SdpAttributeNames.RtpMap:
                rule = "RFC 8866 §6.6";
                return Keyed(name, value);
            case SdpAttributeNames.Fmtp:
                rule = "RFC 8866 §6.15";
                return Keyed(name, value);
            case SdpAttributeNames.ExtMap:
                rule = "RFC 8285 §8";
                return Keyed(name, value, '/');
            case SdpAttributeNames.Rid:
                rule = "RFC 8851 §4";
                return Keyed(name, value);
            case "sctp-port":
            case "max-message-size":
                rule = "RFC 8841 §5, §6";
                return name.ToString();
            default:
                return null;
        }
    }

    /// <summary>
    /// Returns whether a session can go on without an attribute whose value is malformed (tolerant parsing
    /// drops it): feedback, header extensions, SSRC and stream descriptions, ICE options, candidates and
    /// simulcast only add features. Malformed codecs, fingerprints, setup roles, ICE credentials, mids and
    /// groups would make the session wrong, so they are always refused.
    /// </summary>
    public static bool CanDrop(ReadOnlySpan<char> name) => name switch
    {
        SdpAttributeNames.RtcpFeedback or SdpAttributeNames.ExtMap or SdpAttributeNames.Ssrc or SdpAttributeNames.SsrcGroup
            or SdpAttributeNames.Msid or SdpAttributeNames.IceOptions or SdpAttributeNames.Rtcp or SdpAttributeNames.Candidate
            or SdpAttributeNames.Rid or SdpAttributeNames.Simulcast => true,
        _ => false,
    };

    /// <summary>How tolerant parsing may repair whitespace in an attribute's value.</summary>
    public enum Whitespace
    {
        /// <summary>Kept as received: unknown attributes, whose value may be any byte-string (RFC 8866 §5.13).</summary>
        Keep,

        /// <summary>Leading and trailing whitespace removed: the value ends in free text (fmtp parameters, an ssrc attribute's value, rtcp-fb and extmap parameters, rid restrictions).</summary>
        Trim,

        /// <summary>Trimmed and runs of spaces and tabs collapsed to one space: every field is a token or number.</summary>
        Collapse,
    }

    /// <summary>Returns how tolerant parsing may repair whitespace in the value of <paramref name="name"/>.</summary>
    public static Whitespace GetWhitespace(ReadOnlySpan<char> name) => name switch
    {
        SdpAttributeNames.RtpMap or SdpAttributeNames.Group or SdpAttributeNames.Mid or SdpAttributeNames.Msid
            or SdpAttributeNames.Fingerprint or SdpAttributeNames.Setup or SdpAttributeNames.IceUfrag or SdpAttributeNames.IcePwd
            or SdpAttributeNames.IceOptions or SdpAttributeNames.Rtcp or SdpAttributeNames.SsrcGroup or SdpAttributeNames.Simulcast
            or SdpAttributeNames.Candidate => Whitespace.Collapse,
        SdpAttributeNames.Fmtp or SdpAttributeNames.RtcpFeedback or SdpAttributeNames.ExtMap or SdpAttributeNames.Ssrc
            or SdpAttributeNames.Rid => Whitespace.Trim,
        _ => Whitespace.Keep,
    };

    private static string Keyed(ReadOnlySpan<char> name, ReadOnlySpan<char> value, char alsoEndsAt = ' ')
    {
        int end = value.IndexOfAny(' ', alsoEndsAt);
        ReadOnlySpan<char> key = end < 0 ? value : value[..end];
        return string.Concat(name, ":", key);
    }
}
