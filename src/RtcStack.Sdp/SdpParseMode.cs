namespace RtcStack.Sdp;

/// <summary>How strictly <see cref="SessionDescription"/>'s parser holds input to RFC 8866 and the attribute grammars.</summary>
public enum SdpParseMode
{
    /// <summary>
    /// Read what real stacks write and browsers accept: extra whitespace, empty lines, unknown line types,
    /// lines out of order, repeated single-use lines and attributes, and malformed values of attributes the
    /// session can do without are repaired or dropped, each with a <see cref="SdpParseWarning"/>. Only what
    /// would make the session wrong (a broken v=, o=, m=, rtpmap, fmtp, fingerprint, setup, ICE credentials,
    /// mid or group) is refused. The default.
    /// </summary>
    Tolerant = 0,

    /// <summary>Refuse every deviation from RFC 8866 §9 and the attribute grammars, for conformance checks.</summary>
    Strict = 1,
}
