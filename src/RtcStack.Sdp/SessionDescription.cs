using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// A session description (RFC 8866): the session-level section ("v=", "o=", "s=" and the lines
/// after them) and the media descriptions, every line kept in order. Parsing then writing gives
/// back the same text, with CRLF line endings (RFC 8866 §5); attributes this library does not know
/// are kept untouched (RFC 8866 §5.13). Typed views cover what WebRTC uses.
/// </summary>
public sealed class SessionDescription : SdpSection
{
    private SdpOrigin _origin;
    private string _sessionName;

    /// <summary>
    /// Initializes a new instance of the <see cref="SessionDescription"/> class with "v=0", the
    /// given origin and session name, and a "t=0 0" line (RFC 8866 §5.9 requires one; JSEP writes
    /// "t=0 0", RFC 8829 §5.2.1).
    /// </summary>
    /// <param name="origin">The o= line.</param>
    /// <param name="sessionName">The s= value; JSEP writes "-" (RFC 8829 §5.2.1).</param>
    public SessionDescription(SdpOrigin origin, string sessionName = "-")
        : this(origin, sessionName, addTiming: true)
    {
    }

    private SessionDescription(SdpOrigin origin, string sessionName, bool addTiming)
        : base(mediaLevel: false)
    {
        ArgumentNullException.ThrowIfNull(origin);
        CheckSessionName(sessionName);
        _origin = origin;
        _sessionName = sessionName;
        if (addTiming)
        {
            Lines.Add(new SdpTiming(0, 0).ToLine());
        }
    }

    /// <summary>Gets or sets the "o=" line (RFC 8866 §5.2).</summary>
    public SdpOrigin Origin
    {
        get => _origin;
        set => _origin = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the "s=" value (RFC 8866 §5.3): non-empty text.</summary>
    public string SessionName
    {
        get => _sessionName;
        set
        {
            CheckSessionName(value);
            _sessionName = value;
        }
    }

    /// <summary>
    /// Gets what a tolerant parse repaired, dropped or noticed in the input, in line order (empty for a
    /// description built in code or parsed without deviations). See <see cref="SdpParseMode.Tolerant"/>.
    /// </summary>
    public IReadOnlyList<SdpParseWarning> ParseWarnings { get; internal set; } = [];

    /// <summary>Gets the media descriptions, in order.</summary>
    public IList<MediaDescription> MediaDescriptions { get; } = new List<MediaDescription>();

    /// <summary>Gets or sets whether "a=ice-lite" is present (RFC 8839 §5.3, session level).</summary>
    public bool IceLite
    {
        get => HasAttribute(SdpAttributeNames.IceLite);
        set => SetFlag(SdpAttributeNames.IceLite, value);
    }

    /// <summary>Parses a session description from text; never throws for bad input.</summary>
    /// <param name="text">The text.</param>
    /// <param name="description">The parsed description.</param>
    /// <param name="error">Why parsing failed, with the line number.</param>
    /// <returns>Whether the text is a valid description.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SessionDescription? description, out SdpParseError error) =>
        SdpParser.TryParse(text, SdpParserOptions.Default, out description, out error);

    /// <summary>Parses a session description from text with explicit limits; never throws for bad input.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">The limits.</param>
    /// <param name="description">The parsed description.</param>
    /// <param name="error">Why parsing failed, with the line number.</param>
    /// <returns>Whether the text is a valid description.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, SdpParserOptions options, [NotNullWhen(true)] out SessionDescription? description, out SdpParseError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SdpParser.TryParse(text, options, out description, out error);
    }

    /// <summary>Parses a session description from UTF-8 bytes (RFC 8866 §5); never throws for bad input.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="description">The parsed description.</param>
    /// <param name="error">Why parsing failed, with the line number.</param>
    /// <returns>Whether the bytes are a valid description.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out SessionDescription? description, out SdpParseError error) =>
        SdpParser.TryParseUtf8(utf8, SdpParserOptions.Default, out description, out error);

    /// <summary>Parses a session description from UTF-8 bytes with explicit limits; never throws for bad input.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="options">The limits.</param>
    /// <param name="description">The parsed description.</param>
    /// <param name="error">Why parsing failed, with the line number.</param>
    /// <returns>Whether the bytes are a valid description.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, SdpParserOptions options, [NotNullWhen(true)] out SessionDescription? description, out SdpParseError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SdpParser.TryParseUtf8(utf8, options, out description, out error);
    }

    /// <summary>Parses trusted text, throwing on error. Use <c>TryParse</c> for input from the network.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The description.</returns>
    /// <exception cref="SdpParseException">The text is not a valid description.</exception>
    public static SessionDescription Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out SessionDescription? description, out SdpParseError error) ? description : throw new SdpParseException(error);
    }

    /// <summary>Returns the "a=group" attributes (RFC 5888 §5), in order.</summary>
    /// <returns>The groups.</returns>
    public IReadOnlyList<SdpGroup> GetGroups() => GetTyped<SdpGroup>(SdpAttributeNames.Group, SdpGroup.TryParse);

    /// <summary>Returns the BUNDLE groups (RFC 8843 §8.3.1), in order.</summary>
    /// <returns>The BUNDLE groups.</returns>
    public IReadOnlyList<SdpGroup> GetBundleGroups()
    {
        var list = new List<SdpGroup>();
        foreach (SdpGroup g in GetGroups())
        {
            if (g.IsBundle)
            {
                list.Add(g);
            }
        }

        return list;
    }

    /// <summary>Returns the BUNDLE group that contains <paramref name="mid"/>, or null.</summary>
    /// <param name="mid">The mid.</param>
    /// <returns>The group or null.</returns>
    public SdpGroup? FindBundleGroup(string mid)
    {
        foreach (SdpGroup g in GetBundleGroups())
        {
            if (g.Mids.Contains(mid))
            {
                return g;
            }
        }

        return null;
    }

    /// <summary>Returns the "t=" lines (RFC 8866 §5.9).</summary>
    /// <returns>The timings.</returns>
    public IReadOnlyList<SdpTiming> GetTimings()
    {
        var list = new List<SdpTiming>();
        foreach (SdpLine line in Lines)
        {
            if (line.Type == 't' && SdpTiming.TryParse(line.Value, out SdpTiming? t))
            {
                list.Add(t);
            }
        }

        return list;
    }

    /// <summary>Returns the media description whose "a=mid" is <paramref name="mid"/>, or null.</summary>
    /// <param name="mid">The mid.</param>
    /// <returns>The media description or null.</returns>
    public MediaDescription? FindMedia(string mid)
    {
        foreach (MediaDescription m in MediaDescriptions)
        {
            if (string.Equals(m.Mid, mid, StringComparison.Ordinal))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>Returns "a=ice-ufrag" for a media section, falling back to the session level (RFC 8839 §5.4).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The ufrag or null.</returns>
    public string? GetEffectiveIceUfrag(MediaDescription media) => Checked(media).IceUfrag ?? IceUfrag;

    /// <summary>Returns "a=ice-pwd" for a media section, falling back to the session level (RFC 8839 §5.4).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The password or null.</returns>
    public string? GetEffectiveIcePwd(MediaDescription media) => Checked(media).IcePwd ?? IcePwd;

    /// <summary>Returns the "a=ice-options" tags for a media section, falling back to the session level (RFC 8839 §5.6).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The option tags.</returns>
    public IReadOnlyList<string> GetEffectiveIceOptions(MediaDescription media) =>
        Checked(media).HasAttribute(SdpAttributeNames.IceOptions) ? media.GetIceOptions() : GetIceOptions();

    /// <summary>Returns the fingerprints for a media section: its own, else the session-level ones (RFC 8122 §5).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The fingerprints.</returns>
    public IReadOnlyList<SdpFingerprint> GetEffectiveFingerprints(MediaDescription media)
    {
        IReadOnlyList<SdpFingerprint> own = Checked(media).GetFingerprints();
        return own.Count > 0 ? own : GetFingerprints();
    }

    /// <summary>Returns "a=setup" for a media section, falling back to the session level (RFC 4145 §4).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The role, or null when neither level has one.</returns>
    public SetupRole? GetEffectiveSetup(MediaDescription media) => Checked(media).Setup ?? Setup;

    /// <summary>Returns the direction of a media section: its own, else the session level, else sendrecv (RFC 8866 §6.7).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>The direction.</returns>
    public MediaDirection GetEffectiveDirection(MediaDescription media) => Checked(media).Direction ?? Direction ?? MediaDirection.SendRecv;

    /// <summary>Returns whether extmap-allow-mixed applies to a media section (RFC 8285 §6: session or media level).</summary>
    /// <param name="media">The media section.</param>
    /// <returns>Whether mixed one- and two-byte extensions are allowed.</returns>
    public bool GetEffectiveExtMapAllowMixed(MediaDescription media) => Checked(media).ExtMapAllowMixed || ExtMapAllowMixed;

    /// <summary>Writes the description with CRLF line endings (RFC 8866 §5).</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(1024);
        sb.Append("v=0\r\n");
        sb.Append("o=").Append(_origin.ToString()).Append("\r\n");
        sb.Append("s=").Append(_sessionName).Append("\r\n");
        AppendLines(sb, Lines);
        foreach (MediaDescription media in MediaDescriptions)
        {
            sb.Append("m=").Append(media.MediaLine.ToString()).Append("\r\n");
            AppendLines(sb, media.Lines);
        }

        return sb.ToString();
    }

    /// <summary>Returns the number of UTF-8 bytes <see cref="TryFormatUtf8"/> writes.</summary>
    /// <returns>The byte count.</returns>
    public int GetUtf8ByteCount()
    {
        int count = 5 + 4 + 4 + Encoding.UTF8.GetByteCount(_origin.ToString()) + Encoding.UTF8.GetByteCount(_sessionName);
        count += CountLines(Lines);
        foreach (MediaDescription media in MediaDescriptions)
        {
            count += 4 + Encoding.UTF8.GetByteCount(media.MediaLine.ToString()) + CountLines(media.Lines);
        }

        return count;
    }

    /// <summary>Writes the description as UTF-8 with CRLF line endings into <paramref name="destination"/>.</summary>
    /// <param name="destination">The buffer.</param>
    /// <param name="bytesWritten">The number of bytes written.</param>
    /// <returns>False when the buffer is too small (see <see cref="GetUtf8ByteCount"/>).</returns>
    public bool TryFormatUtf8(Span<byte> destination, out int bytesWritten)
    {
        var writer = new Utf8LineWriter(destination);
        writer.Line('v', "0");
        writer.Line('o', _origin.ToString());
        writer.Line('s', _sessionName);
        // Index loops: enumerating Collection<T>/IList<T> would allocate an enumerator, and this writer allocates nothing.
        for (int i = 0; i < Lines.Count; i++)
        {
            writer.Line(Lines[i].Type, Lines[i].Value);
        }

        for (int m = 0; m < MediaDescriptions.Count; m++)
        {
            MediaDescription media = MediaDescriptions[m];
            writer.Line('m', media.MediaLine.ToString());
            for (int i = 0; i < media.Lines.Count; i++)
            {
                writer.Line(media.Lines[i].Type, media.Lines[i].Value);
            }
        }

        bytesWritten = writer.Failed ? 0 : writer.Position;
        return !writer.Failed;
    }

    /// <summary>Creates a description from parsed parts without adding a t= line.</summary>
    internal static SessionDescription CreateParsed(SdpOrigin origin, string sessionName) => new(origin, sessionName, addTiming: false);

    private static void AppendLines(StringBuilder sb, SdpLineCollection lines)
    {
        foreach (SdpLine line in lines)
        {
            sb.Append(line.Type).Append('=').Append(line.Value).Append("\r\n");
        }
    }

    private static int CountLines(SdpLineCollection lines)
    {
        int count = 0;
        foreach (SdpLine line in lines)
        {
            count += 4 + Encoding.UTF8.GetByteCount(line.Value);
        }

        return count;
    }

    private static void CheckSessionName(string sessionName)
    {
        SdpGrammar.RequireLineText(sessionName, nameof(sessionName));
        if (sessionName.Length == 0)
        {
            throw new ArgumentException("s= cannot be empty; JSEP writes \"-\" (RFC 8866 §5.3)", nameof(sessionName));
        }
    }

    private static MediaDescription Checked(MediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media;
    }

    private ref struct Utf8LineWriter
    {
        private readonly Span<byte> _destination;

        public Utf8LineWriter(Span<byte> destination)
        {
            _destination = destination;
            Position = 0;
            Failed = false;
        }

        public int Position { get; private set; }

        public bool Failed { get; private set; }

        public void Line(char type, string value)
        {
            if (Failed)
            {
                return;
            }

            Span<byte> rest = _destination[Position..];
            if (rest.Length < 4 || !Encoding.UTF8.TryGetBytes(value, rest[2..^2], out int n))
            {
                Failed = true;
                return;
            }

            rest[0] = (byte)type;
            rest[1] = (byte)'=';
            rest[2 + n] = (byte)'\r';
            rest[3 + n] = (byte)'\n';
            Position += n + 4;
        }
    }
}
