using FsCheck;
using FsCheck.Fluent;
using RtcStack.TestSupport;

namespace RtcStack.Sdp.Tests;

/// <summary>FsCheck generators of valid SDP pieces and whole descriptions.</summary>
internal static class SdpGenerators
{
    private const string TokenChars = "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~";
    private const string AlphaNum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string IceChars = AlphaNum + "+/";

    // Names whose values the parser checks; the generic generator avoids them so random values stay valid.
    private static readonly HashSet<string> s_typedNames =
    [
        "rtpmap", "fmtp", "rtcp-fb", "extmap", "ssrc", "ssrc-group", "group", "mid", "msid", "fingerprint", "setup",
        "ice-ufrag", "ice-pwd", "ice-options", "candidate", "rtcp", "rid", "simulcast",
    ];

    public static Gen<string> Word(string alphabet, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.Elements(alphabet.ToCharArray()).ArrayOf(n)).Select(cs => new string(cs));

    public static Gen<string> Token => Word(TokenChars, 1, 12);

    public static Gen<string> RidId => Word(AlphaNum + "-_", 1, 8);

    /// <summary>Free text for a line value: any character but NUL, CR and LF, some non-ASCII, at least one character.</summary>
    public static Gen<string> Text => Gen.Choose(1, 30)
        .SelectMany(n => Gen.OneOf(
                Gen.Choose(0x20, 0x7E).Select(c => (char)c),
                Gen.Elements('\t', ':', ' ', '=', 'é', '✓', '会', '\u00A0'))
            .ArrayOf(n))
        .Select(cs => new string(cs));

    public static Gen<SdpLine> UnknownAttribute =>
        from name in Token.Where(n => !s_typedNames.Contains(n) && !n.Contains(':', StringComparison.Ordinal))
        from hasValue in Gen.Elements(true, false)
        from value in Text
        select SdpLine.Attribute(name, hasValue ? value : null);

    public static Gen<RtpMap> RtpMaps =>
        from pt in Gen.Choose(0, 127)
        from name in Token.Where(t => !t.Contains('/', StringComparison.Ordinal))
        from rate in Gen.Choose(1, int.MaxValue)
        from channels in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 16).Select(c => (int?)c))
        select new RtpMap(pt, name, rate, channels);

    public static Gen<ExtMap> ExtMaps =>
        from id in Gen.Choose(1, 99999)
        from uri in Word(TokenChars + ":/", 1, 40)
        from direction in Gen.Elements<MediaDirection?>(null, MediaDirection.SendRecv, MediaDirection.SendOnly, MediaDirection.RecvOnly, MediaDirection.Inactive)
        from attrs in Gen.OneOf(Gen.Constant<string?>(null), Token.Select(t => (string?)t))
        select new ExtMap(id, uri, direction, attrs);

    public static Gen<RtcpFeedback> Feedback =>
        from pt in Gen.OneOf(Gen.Constant("*"), Gen.Choose(0, 127).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        from type in Token
        from parameter in Gen.OneOf(Gen.Constant<string?>(null), Token.Select(t => (string?)t))
        select new RtcpFeedback(pt, type, parameter);

    public static Gen<SsrcAttribute> Ssrcs =>
        from ssrc in Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i))
        from name in Token.Where(t => !t.Contains(':', StringComparison.Ordinal))
        from value in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        select new SsrcAttribute(ssrc, name, value);

    public static Gen<SsrcGroup> SsrcGroups =>
        from semantics in Token
        from ssrcs in Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i)).ListOf()
        select new SsrcGroup(semantics, ssrcs);

    public static Gen<SdpGroup> Groups =>
        from semantics in Token
        from mids in Token.ListOf()
        select new SdpGroup(semantics, mids);

    public static Gen<Msid> Msids =>
        from stream in Token
        from track in Gen.OneOf(Gen.Constant<string?>(null), Token.Select(t => (string?)t))
        select new Msid(stream, track);

    public static Gen<SdpFingerprint> Fingerprints =>
        from hash in Gen.Elements("sha-1", "sha-256", "sha-384", "sha-512")
        from bytes in Gen.Choose(0, 255).Select(b => (byte)b).NonEmptyListOf()
        select SdpFingerprint.FromHash(hash, [.. bytes]);

    public static Gen<Rid> Rids =>
        from id in RidId
        from dir in Gen.Elements(RidDirection.Send, RidDirection.Receive)
        from pts in Gen.Choose(0, 127).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ListOf()
        from restrictions in (from n in Word(AlphaNum + "-", 1, 10) from v in Word(AlphaNum, 1, 6) select n + "=" + v).ListOf()
        let parts = (pts.Count > 0 ? new[] { "pt=" + string.Join(',', pts) } : []).Concat(restrictions).ToList()
        select new Rid(id, dir, parts.Count > 0 ? string.Join(';', parts) : null);

    public static Gen<Simulcast> Simulcasts
    {
        get
        {
            Gen<IReadOnlyList<SimulcastStream>> alternatives =
                (from rid in RidId from paused in Gen.Elements(true, false) select new SimulcastStream(rid, paused))
                .NonEmptyListOf().Select(l => (IReadOnlyList<SimulcastStream>)l.ToList());
            return from send in alternatives.ListOf()
                   from recv in alternatives.ListOf()
                   from receiveFirst in Gen.Elements(true, false)
                   where send.Count + recv.Count > 0
                   select new Simulcast(send, recv, receiveFirst);
        }
    }

    public static Gen<SdpLine> KnownAttribute => Gen.OneOf(
        RtpMaps.Select(x => x.ToLine()),
        ExtMaps.Select(x => x.ToLine()),
        Feedback.Select(x => x.ToLine()),
        Ssrcs.Select(x => x.ToLine()),
        SsrcGroups.Select(x => x.ToLine()),
        Msids.Select(x => x.ToLine()),
        Fingerprints.Select(x => x.ToLine()),
        Rids.Select(x => x.ToLine()),
        Simulcasts.Select(x => x.ToLine()),
        Token.Select(t => SdpLine.Attribute("mid", t)),
        Word(IceChars, 1, 40).Select(t => SdpLine.Attribute("ice-ufrag", t)),
        Gen.Elements("active", "passive", "actpass", "holdconn").Select(s => SdpLine.Attribute("setup", s)),
        // RFC 8839 §5.1: fields separated by single spaces; what the fields hold is the ICE library's to check.
        Text.Select(t => string.Join(' ', t.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))).Where(t => t.Length > 0).Select(t => SdpLine.Attribute("candidate", t)),
        Gen.Elements("sendrecv", "sendonly", "recvonly", "inactive", "rtcp-mux", "rtcp-rsize", "end-of-candidates").Select(n => SdpLine.Attribute(n)));

    public static Gen<SdpLine> Attribute => Gen.Frequency((2, UnknownAttribute), (3, KnownAttribute));

    public static Gen<SdpMediaLine> MediaLines =>
        from media in Token
        from port in Gen.Choose(0, 65535)
        from count in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(1, 8).Select(c => (int?)c))
        from proto in Token.NonEmptyListOf().Select(p => string.Join('/', p))
        from formats in Token.NonEmptyListOf()
        select new SdpMediaLine(media, port, proto, formats, count);

    public static Gen<SessionDescription> Descriptions =>
        from user in Word(TokenChars, 1, 10)
        from id in FullRangeArbitraries.UInt64Gen
        from version in FullRangeArbitraries.UInt64Gen
        from name in Text
        from info in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from connection in Gen.Elements(true, false)
        from bandwidths in Gen.Choose(0, 2)
        from timings in Gen.Choose(1, 3)
        from attributes in Attribute.ListOf()
        from media in MediaSections.ListOf()
        select Build(user, id, version, name, info, connection, bandwidths, timings, attributes, media);

    private static Gen<MediaDescription> MediaSections =>
        from line in MediaLines
        from info in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from connections in Gen.Choose(0, 2)
        from attributes in Attribute.ListOf()
        select BuildMedia(line, info, connections, attributes);

    private static SessionDescription Build(string user, ulong id, ulong version, string name, string? info, bool connection, int bandwidths, int timings, IList<SdpLine> attributes, IList<MediaDescription> media)
    {
        var sdp = new SessionDescription(new SdpOrigin(user, id, version), name);
        sdp.Lines.Clear();
        if (info is not null)
        {
            sdp.Lines.Add(SdpLine.Create('i', info));
        }

        if (connection)
        {
            sdp.Lines.Add(new SdpConnection("IN", "IP4", "192.0.2.1").ToLine());
        }

        for (int i = 0; i < bandwidths; i++)
        {
            sdp.Lines.Add(new SdpBandwidth(i == 0 ? "AS" : "TIAS", (ulong)(i * 1000)).ToLine());
        }

        for (int i = 0; i < timings; i++)
        {
            sdp.Lines.Add(new SdpTiming((ulong)i, (ulong)(i * 2)).ToLine());
        }

        AddConformant(sdp.Lines, attributes, mediaLevel: false);
        foreach (MediaDescription m in media)
        {
            sdp.MediaDescriptions.Add(m);
        }

        return sdp;
    }

    private static MediaDescription BuildMedia(SdpMediaLine line, string? info, int connections, IList<SdpLine> attributes)
    {
        var media = new MediaDescription(line);
        if (info is not null)
        {
            media.Lines.Add(SdpLine.Create('i', info));
        }

        for (int i = 0; i < connections; i++)
        {
            media.Lines.Add(new SdpConnection("IN", "IP6", "2001:db8::" + i).ToLine());
        }

        AddConformant(media.Lines, attributes, mediaLevel: true);
        return media;
    }

    /// <summary>
    /// Adds the attributes a strict parse accepts at this level: each at a level its specification allows, and
    /// at most one of each kind that may appear once (the rules behind SdpParseErrorCode.AttributeNotAllowedHere
    /// and DuplicateAttribute).
    /// </summary>
    private static void AddConformant(SdpLineCollection lines, IList<SdpLine> attributes, bool mediaLevel)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (SdpLine a in attributes)
        {
            SdpAttributeRules.Level level = SdpAttributeRules.GetLevel(a.AttributeName, out _);
            if ((level == SdpAttributeRules.Level.SessionOnly && mediaLevel) || (level == SdpAttributeRules.Level.MediaOnly && !mediaLevel))
            {
                continue;
            }

            string? key = SdpAttributeRules.GetUniqueKey(a.AttributeName, a.AttributeValue, out _);
            if (key is null || seen.Add(key))
            {
                lines.Add(a);
            }
        }
    }
}
