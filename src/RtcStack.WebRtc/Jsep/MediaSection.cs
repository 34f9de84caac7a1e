namespace RtcStack.WebRtc.Jsep;

/// <summary>One m-line of the session as negotiated so far (or as a pending description left it): the session's own bookkeeping.</summary>
internal sealed class MediaSection
{
    public MediaSection(string media, string protocol, MediaKind? kind, string? mid)
    {
        Media = media;
        Protocol = protocol;
        Kind = kind;
        Mid = mid;
    }

    /// <summary>Gets the media type as written on the m= line.</summary>
    public string Media { get; }

    /// <summary>Gets the transport protocol of the m= line.</summary>
    public string Protocol { get; }

    /// <summary>Gets the kind, or null when we do not handle this media.</summary>
    public MediaKind? Kind { get; }

    /// <summary>Gets the mid.</summary>
    public string? Mid { get; }

    /// <summary>Gets or sets the associated transceiver.</summary>
    public Transceiver? Transceiver { get; set; }

    /// <summary>Gets or sets a value indicating whether the section is rejected (port 0) in the last description applied.</summary>
    public bool Rejected { get; set; }

    /// <summary>Gets the payload types used for each codec key in this section, kept across renegotiation.</summary>
    public Dictionary<string, int> PayloadTypes { get; private init; } = new(StringComparer.Ordinal);

    /// <summary>Gets the header extension ids used in this section, kept across renegotiation.</summary>
    public Dictionary<string, int> ExtensionIds { get; private init; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the formats of the m= line last written or read (for a rejected section).</summary>
    public IReadOnlyList<string> Formats { get; set; } = [];

    public MediaSection Clone() => new(Media, Protocol, Kind, Mid)
    {
        Transceiver = Transceiver,
        Rejected = Rejected,
        PayloadTypes = new Dictionary<string, int>(PayloadTypes, StringComparer.Ordinal),
        ExtensionIds = new Dictionary<string, int>(ExtensionIds, StringComparer.Ordinal),
        Formats = Formats,
    };
}
