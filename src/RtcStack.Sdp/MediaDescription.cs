namespace RtcStack.Sdp;

/// <summary>
/// One media description (RFC 8866 §5.14): its "m=" line and the lines after it up to the next
/// "m=" line, in order, with typed access to the attributes WebRTC uses.
/// </summary>
public sealed class MediaDescription : SdpSection
{
    private SdpMediaLine _mediaLine;

    /// <summary>Initializes a new instance of the <see cref="MediaDescription"/> class with no lines after the m= line.</summary>
    /// <param name="mediaLine">The m= line.</param>
    public MediaDescription(SdpMediaLine mediaLine)
        : base(mediaLevel: true)
    {
        ArgumentNullException.ThrowIfNull(mediaLine);
        _mediaLine = mediaLine;
    }

    /// <summary>Gets or sets the "m=" line.</summary>
    public SdpMediaLine MediaLine
    {
        get => _mediaLine;
        set => _mediaLine = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets the media type of the m= line ("audio", "video", "application").</summary>
    public string Media => _mediaLine.Media;

    /// <summary>Gets or sets "a=mid" (RFC 5888 §4); null removes it.</summary>
    public string? Mid
    {
        get => GetAttribute(SdpAttributeNames.Mid);
        set => SetOrRemove(SdpAttributeNames.Mid, value);
    }

    /// <summary>Gets or sets whether "a=rtcp-mux" is present (RFC 5761 §5.1.1).</summary>
    public bool RtcpMux
    {
        get => HasAttribute(SdpAttributeNames.RtcpMux);
        set => SetFlag(SdpAttributeNames.RtcpMux, value);
    }

    /// <summary>Gets or sets whether "a=rtcp-mux-only" is present (RFC 8858 §3).</summary>
    public bool RtcpMuxOnly
    {
        get => HasAttribute(SdpAttributeNames.RtcpMuxOnly);
        set => SetFlag(SdpAttributeNames.RtcpMuxOnly, value);
    }

    /// <summary>Gets or sets whether "a=rtcp-rsize" is present (RFC 5506 §5).</summary>
    public bool RtcpReducedSize
    {
        get => HasAttribute(SdpAttributeNames.RtcpReducedSize);
        set => SetFlag(SdpAttributeNames.RtcpReducedSize, value);
    }

    /// <summary>Gets or sets whether "a=end-of-candidates" is present (RFC 8840 §8.2).</summary>
    public bool EndOfCandidates
    {
        get => HasAttribute(SdpAttributeNames.EndOfCandidates);
        set => SetFlag(SdpAttributeNames.EndOfCandidates, value);
    }

    /// <summary>Gets or sets whether "a=bundle-only" is present (RFC 8843 §6).</summary>
    public bool BundleOnly
    {
        get => HasAttribute(SdpAttributeNames.BundleOnly);
        set => SetFlag(SdpAttributeNames.BundleOnly, value);
    }

    /// <summary>
    /// Gets a value indicating whether the section is rejected or disabled: port 0 without "a=bundle-only"
    /// (RFC 3264 §6; RFC 8843 §6 lets a bundle-only section carry port 0 without being disabled).
    /// </summary>
    public bool IsRejected => _mediaLine.Port == 0 && !BundleOnly;

    /// <summary>Gets "a=rtcp" (RFC 3605 §2.1), or null.</summary>
    public RtcpAddress? Rtcp => GetAttribute(SdpAttributeNames.Rtcp) is string v && RtcpAddress.TryParse(v, out RtcpAddress? r) ? r : null;

    /// <summary>Gets "a=simulcast" (RFC 8853 §5.1), or null.</summary>
    public Simulcast? Simulcast => GetAttribute(SdpAttributeNames.Simulcast) is string v && Simulcast.TryParse(v, out Simulcast? s) ? s : null;

    /// <summary>Returns the "a=rtpmap" attributes (RFC 8866 §6.6), in order.</summary>
    /// <returns>The payload type mappings.</returns>
    public IReadOnlyList<RtpMap> GetRtpMaps() => GetTyped<RtpMap>(SdpAttributeNames.RtpMap, RtpMap.TryParse);

    /// <summary>Returns the "a=rtpmap" for a payload type, or null.</summary>
    /// <param name="payloadType">The payload type.</param>
    /// <returns>The mapping or null.</returns>
    public RtpMap? GetRtpMap(int payloadType)
    {
        foreach (RtpMap map in GetRtpMaps())
        {
            if (map.PayloadType == payloadType)
            {
                return map;
            }
        }

        return null;
    }

    /// <summary>Returns the "a=fmtp" attributes (RFC 8866 §6.15), in order.</summary>
    /// <returns>The format parameters.</returns>
    public IReadOnlyList<FormatParameters> GetFormatParameters() => GetTyped<FormatParameters>(SdpAttributeNames.Fmtp, FormatParameters.TryParse);

    /// <summary>Returns the "a=fmtp" for a format, or null.</summary>
    /// <param name="format">The format (payload type as text).</param>
    /// <returns>The parameters or null.</returns>
    public FormatParameters? GetFormatParameters(string format)
    {
        foreach (FormatParameters fmtp in GetFormatParameters())
        {
            if (string.Equals(fmtp.Format, format, StringComparison.Ordinal))
            {
                return fmtp;
            }
        }

        return null;
    }

    /// <summary>Returns the "a=rtcp-fb" attributes (RFC 4585 §4.2), in order.</summary>
    /// <returns>The feedback attributes.</returns>
    public IReadOnlyList<RtcpFeedback> GetRtcpFeedback() => GetTyped<RtcpFeedback>(SdpAttributeNames.RtcpFeedback, RtcpFeedback.TryParse);

    /// <summary>Returns the "a=ssrc" attributes (RFC 5576 §4.1), in order.</summary>
    /// <returns>The source attributes.</returns>
    public IReadOnlyList<SsrcAttribute> GetSsrcAttributes() => GetTyped<SsrcAttribute>(SdpAttributeNames.Ssrc, SsrcAttribute.TryParse);

    /// <summary>Returns the distinct SSRCs named by "a=ssrc" lines, in first-seen order.</summary>
    /// <returns>The SSRCs.</returns>
    public IReadOnlyList<uint> GetSsrcs()
    {
        var list = new List<uint>();
        var seen = new HashSet<uint>();
        foreach (SsrcAttribute a in GetSsrcAttributes())
        {
            if (seen.Add(a.Ssrc))
            {
                list.Add(a.Ssrc);
            }
        }

        return list;
    }

    /// <summary>Returns the "a=ssrc-group" attributes (RFC 5576 §4.2), in order.</summary>
    /// <returns>The groups.</returns>
    public IReadOnlyList<SsrcGroup> GetSsrcGroups() => GetTyped<SsrcGroup>(SdpAttributeNames.SsrcGroup, SsrcGroup.TryParse);

    /// <summary>Returns the "a=msid" attributes (RFC 8830 §2), in order.</summary>
    /// <returns>The msids.</returns>
    public IReadOnlyList<Msid> GetMsids() => GetTyped<Msid>(SdpAttributeNames.Msid, Msid.TryParse);

    /// <summary>
    /// Returns the values of the "a=candidate" lines (RFC 8839 §5.1), exactly as written and in order.
    /// Their grammar belongs to the ICE library, which parses them; this library does not interpret them.
    /// </summary>
    /// <returns>The candidate attribute values (the text after "a=candidate:").</returns>
    public IReadOnlyList<string> GetCandidates() => GetAttributeValues(SdpAttributeNames.Candidate);

    /// <summary>Appends an "a=candidate" line with the given value (as the ICE library formats it).</summary>
    /// <param name="candidate">The text after "a=candidate:".</param>
    public void AddCandidate(string candidate) => AddAttribute(SdpAttributeNames.Candidate, candidate);

    /// <summary>Returns the "a=rid" attributes (RFC 8851 §10), in order.</summary>
    /// <returns>The rids.</returns>
    public IReadOnlyList<Rid> GetRids() => GetTyped<Rid>(SdpAttributeNames.Rid, Rid.TryParse);

    /// <summary>Returns the payload types of the m= line that are numbers (RTP), in order of preference.</summary>
    /// <returns>The payload types.</returns>
    public IReadOnlyList<int> GetPayloadTypes()
    {
        var list = new List<int>();
        foreach (string f in _mediaLine.Formats)
        {
            if (SdpGrammar.TryParseInt32(f, 0, 127, out int pt))
            {
                list.Add(pt);
            }
        }

        return list;
    }
}
