namespace RtcStack.Sdp;

/// <summary>Why a session description was rejected by <see cref="SdpReader"/> or <see cref="SessionDescription.TryParse(ReadOnlySpan{char}, out SessionDescription?, out SdpParseError)"/>.</summary>
public enum SdpParseErrorCode
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input is empty.</summary>
    Empty,

    /// <summary>The input is longer than <see cref="SdpParserOptions.MaxInputLength"/>.</summary>
    InputTooLarge,

    /// <summary>A line is longer than <see cref="SdpParserOptions.MaxLineLength"/>.</summary>
    LineTooLong,

    /// <summary>The input has more lines than <see cref="SdpParserOptions.MaxLineCount"/>.</summary>
    TooManyLines,

    /// <summary>The input has more m= sections than <see cref="SdpParserOptions.MaxMediaDescriptions"/>.</summary>
    TooManyMediaDescriptions,

    /// <summary>UTF-8 input that is not well-formed UTF-8 (RFC 8866 §5: SDP text is UTF-8).</summary>
    InvalidUtf8,

    /// <summary>A NUL, or a CR not followed by LF, inside a line (RFC 8866 §9: byte-string excludes NUL, CR and LF).</summary>
    InvalidCharacter,

    /// <summary>A line that is not "&lt;type&gt;=&lt;value&gt;" with a one-letter type (RFC 8866 §5).</summary>
    MalformedLine,

    /// <summary>An empty line between two lines (RFC 8866 §5 has no blank lines).</summary>
    EmptyLine,

    /// <summary>A type letter RFC 8866 does not define; §5 says to reject the whole description.</summary>
    UnknownLineType,

    /// <summary>The first line is not "v=" (RFC 8866 §5.1).</summary>
    MissingVersion,

    /// <summary>"v=" has a version other than 0 (RFC 8866 §5.1).</summary>
    UnsupportedVersion,

    /// <summary>The second line is not "o=" (RFC 8866 §5.2).</summary>
    MissingOrigin,

    /// <summary>The third line is not "s=" (RFC 8866 §5.3).</summary>
    MissingSessionName,

    /// <summary>No "t=" line before the media descriptions (RFC 8866 §5.9).</summary>
    MissingTiming,

    /// <summary>A line appears where RFC 8866 §9's grammar does not allow its type (order of fields).</summary>
    LineOutOfOrder,

    /// <summary>A line type that may appear once per section appears twice.</summary>
    DuplicateLine,

    /// <summary>A field value that does not match its grammar (o=, s=, c=, b=, t=, m=): bad numbers, missing sub-fields.</summary>
    InvalidField,

    /// <summary>An "a=" line whose attribute name is not a token (RFC 8866 §5.13).</summary>
    InvalidAttributeName,

    /// <summary>A known attribute (rtpmap, fmtp, extmap, ssrc, ...) whose value does not match its grammar.</summary>
    InvalidAttributeValue,

    /// <summary>Strict mode: an attribute at a level its specification does not allow (for example a=mid at session level).</summary>
    AttributeNotAllowedHere,

    /// <summary>Strict mode: a second copy of an attribute allowed once per section (or once per payload type or extension id).</summary>
    DuplicateAttribute,
}
