using System.Text;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// One ICE server a WHIP or WHEP endpoint advertised in a <c>Link</c> header (RFC 9725 §4.6):
/// <c>&lt;turn:turn.example.net?transport=udp&gt;; rel="ice-server"; username="user"; credential="pass"; credential-type="password"</c>.
/// </summary>
/// <param name="Uri">The STUN or TURN URI between the angle brackets (RFC 7064, RFC 7065).</param>
/// <param name="Username">The <c>username</c> parameter, if any.</param>
/// <param name="Credential">The <c>credential</c> parameter, if any.</param>
/// <param name="CredentialType">The <c>credential-type</c> parameter (the WHIP drafts' "password"), if any.</param>
public sealed record WhipIceServerLink(string Uri, string? Username, string? Credential, string? CredentialType)
{
    /// <summary>Upper bound on one header value we look at; longer values are skipped.</summary>
    public const int MaxHeaderLength = 8 * 1024;

    /// <summary>
    /// Adds to <paramref name="servers"/> every link of <paramref name="headerValue"/> (a <c>Link</c> field value, which
    /// may hold several comma-separated links, RFC 8288 §3) whose <c>rel</c> includes <c>ice-server</c>. Links with
    /// another relation, and text that is not a link, are skipped (RFC 9725 §4.9: clients ignore unknown links). Never throws.
    /// </summary>
    /// <returns>The number of ICE server links added.</returns>
    public static int Parse(string? headerValue, ICollection<WhipIceServerLink> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (string.IsNullOrEmpty(headerValue) || headerValue.Length > MaxHeaderLength)
        {
            return 0;
        }

        int added = 0;
        int i = 0;
        string s = headerValue;
        while (i < s.Length)
        {
            int open = s.IndexOf('<', i);
            if (open < 0)
            {
                break;
            }

            int close = s.IndexOf('>', open + 1);
            if (close < 0)
            {
                break;
            }

            string uri = s[(open + 1)..close].Trim();
            i = close + 1;
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            // Parameters: ; name = value | ; name = "quoted" ... up to the next ',' outside quotes.
            while (i < s.Length)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length || s[i] != ';')
                {
                    break;
                }

                i++;
                int nameStart = i;
                while (i < s.Length && s[i] is not ('=' or ';' or ','))
                {
                    i++;
                }

                string name = s[nameStart..i].Trim();
                string value = "";
                if (i < s.Length && s[i] == '=')
                {
                    i++;
                    while (i < s.Length && char.IsWhiteSpace(s[i]))
                    {
                        i++;
                    }

                    if (i < s.Length && s[i] == '"')
                    {
                        var sb = new StringBuilder();
                        i++;
                        while (i < s.Length && s[i] != '"')
                        {
                            if (s[i] == '\\' && i + 1 < s.Length)
                            {
                                i++;
                            }

                            sb.Append(s[i]);
                            i++;
                        }

                        i++; // the closing quote (or the end)
                        value = sb.ToString();
                    }
                    else
                    {
                        int valueStart = i;
                        while (i < s.Length && s[i] is not (';' or ','))
                        {
                            i++;
                        }

                        value = s[valueStart..i].Trim();
                    }
                }

                if (name.Length > 0)
                {
                    parameters.TryAdd(name, value);
                }
            }

            // Skip to the next link.
            while (i < s.Length && s[i] != ',')
            {
                i++;
            }

            i++;
            if (uri.Length > 0 && parameters.TryGetValue("rel", out string? rel)
                && rel.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("ice-server", StringComparer.OrdinalIgnoreCase))
            {
                servers.Add(new WhipIceServerLink(
                    uri,
                    parameters.GetValueOrDefault("username"),
                    parameters.GetValueOrDefault("credential"),
                    parameters.GetValueOrDefault("credential-type")));
                added++;
            }
        }

        return added;
    }
}
