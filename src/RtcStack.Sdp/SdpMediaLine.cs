using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// The "m=" line (RFC 8866 §5.14): &lt;media&gt; &lt;port&gt;[/&lt;number of ports&gt;]
/// &lt;proto&gt; &lt;fmt&gt; .... A parsed line keeps its exact text and writes it back unchanged.
/// </summary>
public sealed class SdpMediaLine : IEquatable<SdpMediaLine>
{
    private readonly string _text;

    /// <summary>Initializes a new instance of the <see cref="SdpMediaLine"/> class.</summary>
    /// <param name="media">The media type: "audio", "video", "application", ...</param>
    /// <param name="port">The port, 0 to reject or disable the section (RFC 3264 §6, RFC 8843 bundle-only).</param>
    /// <param name="protocol">The transport protocol, e.g. "UDP/TLS/RTP/SAVPF".</param>
    /// <param name="formats">The formats: RTP payload types, or "webrtc-datachannel" for SCTP.</param>
    /// <param name="portCount">The number of ports, or null when absent.</param>
    public SdpMediaLine(string media, int port, string protocol, IEnumerable<string> formats, int? portCount = null)
    {
        SdpGrammar.RequireToken(media, nameof(media));
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (portCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(portCount));
        }

        ArgumentNullException.ThrowIfNull(protocol);
        if (!SdpGrammar.IsProto(protocol))
        {
            throw new ArgumentException($"'{protocol}' is not an SDP proto (RFC 8866 §9)", nameof(protocol));
        }

        ArgumentNullException.ThrowIfNull(formats);
        var list = new List<string>();
        foreach (string f in formats)
        {
            SdpGrammar.RequireToken(f, nameof(formats));
            list.Add(f);
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("an m= line needs at least one format (RFC 8866 §5.14)", nameof(formats));
        }

        Media = media;
        Port = port;
        PortCount = portCount;
        Protocol = protocol;
        Formats = list.AsReadOnly();
        var sb = new StringBuilder();
        sb.Append(media).Append(' ').Append(SdpGrammar.Format(port));
        if (portCount is int n)
        {
            sb.Append('/').Append(SdpGrammar.Format(n));
        }

        sb.Append(' ').Append(protocol);
        foreach (string f in list)
        {
            sb.Append(' ').Append(f);
        }

        _text = sb.ToString();
    }

    private SdpMediaLine(string text, string media, int port, int? portCount, string protocol, IReadOnlyList<string> formats)
    {
        _text = text;
        Media = media;
        Port = port;
        PortCount = portCount;
        Protocol = protocol;
        Formats = formats;
    }

    /// <summary>Gets the media type ("audio", "video", "application", ...).</summary>
    public string Media { get; }

    /// <summary>Gets the port; 0 means rejected/disabled unless the section is bundle-only (RFC 8843 §6).</summary>
    public int Port { get; }

    /// <summary>Gets the number of ports, or null when the line has none.</summary>
    public int? PortCount { get; }

    /// <summary>Gets the protocol, e.g. "UDP/TLS/RTP/SAVPF".</summary>
    public string Protocol { get; }

    /// <summary>Gets the formats in order of preference (RFC 3264 §5.1).</summary>
    public IReadOnlyList<string> Formats { get; }

    /// <summary>Parses the value of an "m=" line.</summary>
    /// <param name="value">The text after "m=".</param>
    /// <param name="line">The media line.</param>
    /// <returns>Whether the value matched RFC 8866 §5.14 (port 0-65535, at least one format).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpMediaLine? line)
    {
        line = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> media) || !SdpGrammar.IsToken(media)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> portField)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> proto) || !SdpGrammar.IsProto(proto)
            || rest.IsEmpty)
        {
            return false;
        }

        int? portCount = null;
        if (SdpGrammar.TrySplit(portField, '/', out ReadOnlySpan<char> portText, out ReadOnlySpan<char> countText))
        {
            if (!SdpGrammar.TryParseInt32(countText, 1, 65535, out int count))
            {
                return false;
            }

            portCount = count;
        }

        if (!SdpGrammar.TryParseInt32(portText, 0, 65535, out int port))
        {
            return false;
        }

        var formats = new List<string>();
        while (!rest.IsEmpty)
        {
            if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> fmt) || !SdpGrammar.IsToken(fmt))
            {
                return false;
            }

            formats.Add(fmt.ToString());
        }

        line = new SdpMediaLine(value.ToString(), media.ToString(), port, portCount, proto.ToString(), formats.AsReadOnly());
        return true;
    }

    /// <summary>Returns a copy with another port (for example 0 to reject the section, RFC 3264 §6).</summary>
    /// <param name="port">The port.</param>
    /// <returns>The new line.</returns>
    public SdpMediaLine WithPort(int port) => new(Media, port, Protocol, Formats, PortCount);

    /// <summary>Returns a copy with other formats.</summary>
    /// <param name="formats">The formats.</param>
    /// <returns>The new line.</returns>
    public SdpMediaLine WithFormats(IEnumerable<string> formats) => new(Media, Port, Protocol, formats, PortCount);

    /// <inheritdoc/>
    public bool Equals(SdpMediaLine? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdpMediaLine);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Returns the value of the "m=" line.</summary>
    /// <returns>The text after "m=".</returns>
    public override string ToString() => _text;
}
