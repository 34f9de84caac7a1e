using System.Text;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// An <c>application/trickle-ice-sdpfrag</c> body (RFC 8840 §9.2), as WHIP and WHEP clients send in
/// PATCH requests (RFC 9725 §4.3): ICE credentials and options, and per media section its mid,
/// candidates and end-of-candidates.
/// </summary>
public sealed class TrickleIceFragment
{
    /// <summary>Upper bound on a fragment body; larger bodies are refused before parsing.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Gets or sets the ICE username fragment (session or media level), if present.</summary>
    public string? IceUfrag { get; set; }

    /// <summary>Gets or sets the ICE password (session or media level), if present.</summary>
    public string? IcePwd { get; set; }

    /// <summary>Gets or sets the <c>a=ice-options</c> value, if present.</summary>
    public string? IceOptions { get; set; }

    /// <summary>Gets the media sections in the fragment, in order.</summary>
    public IList<TrickleIceMedia> Media { get; } = new List<TrickleIceMedia>();

    /// <summary>
    /// Parses a fragment. Lines are <c>x=value</c> separated by CRLF or LF (RFC 8840 §9.2); lines that
    /// do not matter for ICE are ignored. Returns false with a message for input that is not a
    /// fragment at all (too large, not line-structured, a candidate outside a media section and with
    /// no way to attribute it).
    /// </summary>
    public static bool TryParse(string text, out TrickleIceFragment? fragment, out string? error)
    {
        fragment = null;
        error = null;
        if (text.Length > MaxLength)
        {
            error = $"fragment is {text.Length} characters, more than the {MaxLength} allowed";
            return false;
        }

        var result = new TrickleIceFragment();
        TrickleIceMedia? current = null;
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                error = $"line {lineNumber}: not of the form x=value";
                return false;
            }

            char type = line[0];
            string value = line[2..];
            if (type == 'm')
            {
                current = new TrickleIceMedia { MediaLine = value };
                result.Media.Add(current);
                continue;
            }

            if (type != 'a')
            {
                continue;
            }

            int colon = value.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? value : value[..colon];
            string attr = colon < 0 ? "" : value[(colon + 1)..];
            switch (name)
            {
                case "ice-ufrag":
                    result.IceUfrag = attr;
                    break;
                case "ice-pwd":
                    result.IcePwd = attr;
                    break;
                case "ice-options":
                    result.IceOptions = attr;
                    break;
                case "mid":
                    if (current is null)
                    {
                        error = $"line {lineNumber}: a=mid outside a media section";
                        return false;
                    }

                    current.Mid = attr;
                    break;
                case "candidate":
                    (current ?? result.ImplicitMedia()).Candidates.Add(attr);
                    break;
                case "end-of-candidates":
                    (current ?? result.ImplicitMedia()).EndOfCandidates = true;
                    break;
                default:
                    break;
            }
        }

        fragment = result;
        return true;
    }

    /// <summary>Writes the fragment with CRLF line ends (RFC 8840 §9.2).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (IceOptions is not null)
        {
            sb.Append("a=ice-options:").Append(IceOptions).Append("\r\n");
        }

        if (IceUfrag is not null)
        {
            sb.Append("a=ice-ufrag:").Append(IceUfrag).Append("\r\n");
        }

        if (IcePwd is not null)
        {
            sb.Append("a=ice-pwd:").Append(IcePwd).Append("\r\n");
        }

        foreach (TrickleIceMedia m in Media)
        {
            sb.Append("m=").Append(m.MediaLine ?? "audio 9 UDP/TLS/RTP/SAVPF 0").Append("\r\n");
            if (m.Mid is not null)
            {
                sb.Append("a=mid:").Append(m.Mid).Append("\r\n");
            }

            foreach (string c in m.Candidates)
            {
                sb.Append("a=candidate:").Append(c).Append("\r\n");
            }

            if (m.EndOfCandidates)
            {
                sb.Append("a=end-of-candidates\r\n");
            }
        }

        return sb.ToString();
    }

    private TrickleIceMedia ImplicitMedia()
    {
        if (Media.Count == 0)
        {
            Media.Add(new TrickleIceMedia());
        }

        return Media[^1];
    }
}
