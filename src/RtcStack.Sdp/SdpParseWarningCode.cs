namespace RtcStack.Sdp;

/// <summary>What a tolerant parse repaired, dropped or noticed (see <see cref="SdpParseWarning"/>).</summary>
public enum SdpParseWarningCode
{
    /// <summary>Lines end in LF alone, not CRLF (RFC 8866 §5; tolerated as §5 recommends).</summary>
    LfLineEnding = 1,

    /// <summary>Whitespace at the end of a line, repeated or leading whitespace, or a tab between fields (RFC 8866 §9: fields are separated by one SP); normalised.</summary>
    ExtraWhitespace,

    /// <summary>An empty line between two lines (RFC 8866 §5); skipped.</summary>
    EmptyLine,

    /// <summary>A type letter RFC 8866 does not define (RFC 8866 §5); the line is ignored.</summary>
    UnknownLineType,

    /// <summary>A line out of RFC 8866 §9's order; moved to its place.</summary>
    LineOutOfOrder,

    /// <summary>A second line of a type allowed once per section (RFC 8866 §9); the first is kept.</summary>
    DuplicateLine,

    /// <summary>An attribute at a level its specification does not allow (session-only in a media section or the other way); kept but not used there.</summary>
    AttributeAtWrongLevel,

    /// <summary>A second copy of an attribute allowed once per section (or once per payload type or extension id); the first is kept.</summary>
    RepeatedAttribute,

    /// <summary>An attribute whose value does not match its grammar, for an attribute the session can do without (rtcp-fb, extmap, ssrc, msid, ...); dropped.</summary>
    MalformedAttributeDropped,

    /// <summary>An empty s= line (RFC 8866 §5.3: "MUST NOT be empty"); read as "s=-".</summary>
    EmptySessionName,
}
