using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <summary>
/// A STUN or TURN server URI as WebRTC configures them (RFC 7064 <c>stun:</c>/<c>stuns:</c>, RFC 7065
/// <c>turn:</c>/<c>turns:</c>): <c>scheme:host[:port][?transport=udp|tcp]</c>. The host may be a name; resolving it
/// is the IO layer's job (the agent takes <see cref="IceServer"/>s with addresses). Parsing only, never throws.
/// </summary>
/// <param name="IsTurn">Whether it names a TURN server (<c>turn:</c>/<c>turns:</c>) rather than a STUN server.</param>
/// <param name="Host">The host: a DNS name, or an IP literal (IPv6 without brackets).</param>
/// <param name="Port">The port: as written, else 3478 (5349 for <c>turns:</c>, RFC 7065 §3).</param>
/// <param name="Transport">The transport to the server: <c>turns:</c> is TLS over TCP; <c>?transport=tcp</c> is TCP.</param>
public sealed record IceServerUri(bool IsTurn, string Host, int Port, TurnTransport Transport)
{
    /// <summary>RFC 7065 §3: the default port of <c>stun:</c> and <c>turn:</c>.</summary>
    public const int DefaultPort = 3478;

    /// <summary>RFC 7065 §3: the default port of <c>turns:</c> (and <c>stuns:</c>).</summary>
    public const int DefaultTlsPort = 5349;

    /// <summary>Gets the host as an address when it is an IP literal, else null (a name to resolve).</summary>
    public IPAddress? HostAddress => IPAddress.TryParse(Host, out IPAddress? a) ? a : null;

    /// <summary>
    /// Parses <paramref name="text"/>. Refused with a reason: other schemes, <c>stuns:</c> (ICE asks STUN over UDP: a
    /// mapping seen over TLS says nothing about UDP), <c>turns:...?transport=udp</c> (DTLS is not supported), unknown
    /// query parameters, user info, paths, ports outside 1-65535.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IceServerUri? uri, [NotNullWhen(false)] out string? error)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon < 0 ? "" : text[..colon].ToLowerInvariant();
        bool turn;
        bool secure;
        switch (scheme)
        {
            case "stun":
                turn = false;
                secure = false;
                break;
            case "turn":
                turn = true;
                secure = false;
                break;
            case "turns":
                turn = true;
                secure = true;
                break;
            case "stuns":
                error = "stuns: is not supported: ICE asks a STUN server over UDP (RFC 8445 §5.1.1.2); use stun:";
                return false;
            default:
                error = "the scheme must be stun:, turn: or turns: (RFC 7064, RFC 7065)";
                return false;
        }

        string rest = text[(colon + 1)..];
        string? query = null;
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        if (rest.Length == 0 || rest.Contains('@', StringComparison.Ordinal) || rest.Contains('/', StringComparison.Ordinal))
        {
            error = "expected host[:port] after the scheme (no user info or path; give credentials separately)";
            return false;
        }

        string host;
        string? portText = null;
        if (rest[0] == '[')
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(rest.AsSpan(1, close - 1), out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "a bracketed host must be an IPv6 address";
                return false;
            }

            host = rest[1..close];
            if (close + 1 < rest.Length)
            {
                if (rest[close + 1] != ':')
                {
                    error = "expected :port after the IPv6 address";
                    return false;
                }

                portText = rest[(close + 2)..];
            }
        }
        else
        {
            int p = rest.LastIndexOf(':');
            if (p >= 0 && rest.IndexOf(':', StringComparison.Ordinal) != p)
            {
                error = "an IPv6 host must be written in brackets";
                return false;
            }

            host = p < 0 ? rest : rest[..p];
            portText = p < 0 ? null : rest[(p + 1)..];
            if (!IsHostName(host) && !IPAddress.TryParse(host, out _))
            {
                error = $"'{host}' is not a host name or IP address";
                return false;
            }
        }

        int port = secure ? DefaultTlsPort : DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{portText}' is not a port (1-65535)";
            return false;
        }

        TurnTransport transport = secure ? TurnTransport.Tls : TurnTransport.Udp;
        if (query is not null)
        {
            string value = query.StartsWith("transport=", StringComparison.OrdinalIgnoreCase) ? query["transport=".Length..].ToLowerInvariant() : "";
            if (!turn || value is not ("udp" or "tcp"))
            {
                error = "the only query is ?transport=udp or ?transport=tcp, on turn: and turns: (RFC 7065 §3)";
                return false;
            }

            if (value == "udp" && secure)
            {
                error = "turns:...?transport=udp is TURN over DTLS, which is not supported; use turns: (TLS over TCP) or turn:";
                return false;
            }

            if (value == "tcp" && !secure)
            {
                transport = TurnTransport.Tcp;
            }
        }

        uri = new IceServerUri(turn, host, port, transport);
        error = null;
        return true;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string scheme = !IsTurn ? "stun" : Transport == TurnTransport.Tls ? "turns" : "turn";
        string host = HostAddress?.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + Host + "]" : Host;
        return $"{scheme}:{host}:{Port.ToString(CultureInfo.InvariantCulture)}{(Transport == TurnTransport.Tcp ? "?transport=tcp" : "")}";
    }

    // RFC 1123 §2.1 host names: dot-separated labels of letters, digits and hyphens, not starting or ending with a hyphen.
    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (string label in host.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
