using System.CommandLine;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RtcStack.Ice;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Serve;

/// <summary>
/// The options of <c>rtcstack serve</c> that decide how it is reached beyond loopback: every interface, a 1:1 NAT's
/// public address, and STUN/TURN servers by name or address over UDP, TCP or TLS.
/// </summary>
internal sealed class ServeNetworkOptions
{
    public readonly Option<string[]> Stun = new("--stun")
    {
        Description = "A STUN server for server-reflexive candidates: HOST:PORT or stun:HOST[:PORT] (RFC 7064; a name is resolved at start-up). Repeatable.",
        HelpName = "stun:HOST[:PORT]",
    };

    public readonly Option<string[]> Turn = new("--turn")
    {
        Description = "A TURN server for relayed candidates: USER:PASSWORD@HOST:PORT (UDP), USER:PASSWORD@turn:HOST[:PORT][?transport=tcp] " +
            "or USER:PASSWORD@turns:HOST[:PORT] (TLS, port 5349; RFC 7065) for networks that block UDP. Names are resolved at start-up. Repeatable.",
        HelpName = "USER:PASSWORD@turn:HOST[:PORT]",
    };

    public readonly Option<FileInfo?> TurnCa = new("--turn-ca")
    {
        Description = "A PEM certificate to trust as the root for turns: servers (a private CA, or a self-signed server certificate); the server name is still checked. Without it, the system's trust store.",
        HelpName = "PEM",
    };

    public readonly Option<string[]> PublicIp = new("--public-ip")
    {
        Description = "The public address of a 1:1 NAT in front of this host (a cloud VM's elastic IP), as Pion's NAT1To1IPs: PUBLIC, or PUBLIC/PRIVATE to map one local address. " +
            "Host candidates then carry PUBLIC instead of the private address (see --public-ip-candidate). Repeatable, one per family without /PRIVATE.",
        HelpName = "PUBLIC[/PRIVATE]",
    };

    public readonly Option<string> PublicIpCandidate = new("--public-ip-candidate")
    {
        Description = "How --public-ip is announced: host (the default, as Pion: the host candidate's address is replaced, the private one is not revealed) or srflx (the host candidate stays and a server-reflexive one is added).",
        DefaultValueFactory = _ => "host",
    };

    public readonly Option<bool> IncludeLoopback = new("--include-loopback")
    {
        Description = "With --address 0.0.0.0 or ::, also gather host candidates on loopback (left out by default, RFC 8445 §5.1.1.1, unless there is nothing else).",
    };

    public ServeNetworkOptions()
    {
        PublicIpCandidate.AcceptOnlyFromAmong("host", "srflx");
    }

    public IEnumerable<Option> All => [Stun, Turn, TurnCa, PublicIp, PublicIpCandidate, IncludeLoopback];

    /// <summary>Reads and checks the options into <paramref name="options"/>; returns the problem, or null.</summary>
    public string? Read(ParseResult parse, ServeOptions options)
    {
        foreach (string s in parse.GetValue(Stun) ?? [])
        {
            string text = HasScheme(s) ? s : "stun:" + s;
            if (!IceServerUri.TryParse(text, out IceServerUri? uri, out string? error))
            {
                return $"--stun '{s}' is not HOST[:PORT] or stun:HOST[:PORT]: {error}";
            }

            options.IceServerUris.Add(new ServeIceServer(uri, null, null));
        }

        foreach (string t in parse.GetValue(Turn) ?? [])
        {
            int at = t.LastIndexOf('@');
            int colon = at < 0 ? -1 : t.IndexOf(':', StringComparison.Ordinal);
            if (at < 0 || colon < 0 || colon > at)
            {
                return $"--turn '{t}' is not USER:PASSWORD@HOST[:PORT] or USER:PASSWORD@turn(s):HOST[:PORT]";
            }

            string server = t[(at + 1)..];
            if (!IceServerUri.TryParse(HasScheme(server) ? server : "turn:" + server, out IceServerUri? uri, out string? error))
            {
                return $"--turn '{t}': {error}";
            }

            options.IceServerUris.Add(new ServeIceServer(uri, t[..colon], t[(colon + 1)..at]));
        }

        if (parse.GetValue(TurnCa) is FileInfo ca)
        {
            try
            {
                var trust = new X509Certificate2Collection();
                trust.ImportFromPemFile(ca.FullName);
                if (trust.Count == 0)
                {
                    return $"--turn-ca '{ca.FullName}' holds no PEM certificate";
                }

                options.TurnTrust = trust;
            }
            catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException)
            {
                return $"--turn-ca '{ca.FullName}': {e.Message}";
            }
        }

        foreach (string p in parse.GetValue(PublicIp) ?? [])
        {
            if (!IceNatMapping.TryParse(p, out IceNatMapping? mapping))
            {
                return $"--public-ip '{p}' is not PUBLIC or PUBLIC/PRIVATE (IP addresses of one family, not loopback or 0.0.0.0)";
            }

            options.NatMappings.Add(mapping);
        }

        try
        {
            // The agent's own checks (one family-wide address per family), made here so that a mistake is a usage error.
            var probe = new IceAgentOptions();
            foreach (IceNatMapping m in options.NatMappings)
            {
                probe.NatMappings.Add(m);
            }

            _ = new IceAgent(probe);
        }
        catch (ArgumentException e)
        {
            return "--public-ip: " + e.Message.Split(" (Parameter", 2)[0];
        }

        options.NatCandidateType = parse.GetValue(PublicIpCandidate) == "srflx" ? IceCandidateType.ServerReflexive : IceCandidateType.Host;
        options.IncludeLoopback = parse.GetValue(IncludeLoopback);
        return null;
    }

    // "stun:...", "turns:..." and so on, as opposed to HOST:PORT.
    private static bool HasScheme(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && text[..colon].ToLowerInvariant() is "stun" or "stuns" or "turn" or "turns";
    }

    /// <summary>Resolves the STUN/TURN names (RFC 7064/7065) into <see cref="ServeOptions.IceServers"/>; returns the problem, or null.</summary>
    public static async Task<string?> ResolveAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        foreach (ServeIceServer s in options.IceServerUris)
        {
            try
            {
                foreach (IceServer server in await IceServerResolver.ResolveAsync(s.Uri, s.Username, s.Password, cancellationToken).ConfigureAwait(false))
                {
                    options.IceServers.Add(server);
                }
            }
            catch (SocketException e)
            {
                return $"{(s.Uri.IsTurn ? "--turn" : "--stun")} {s.Uri}: cannot resolve '{s.Uri.Host}': {e.Message}";
            }
        }

        return null;
    }

    /// <summary>The check of a turns: server's certificate: <paramref name="trust"/> as the only roots, and the name must match (RFC 6125).</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection trust) => (_, certificate, _, errors) =>
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };

    /// <summary>Where ICE host candidates will be, for the start-up banner.</summary>
    public static string DescribeCandidates(ServeOptions options)
    {
        bool every = options.Address.Equals(IPAddress.Any) || options.Address.Equals(IPAddress.IPv6Any);
        IReadOnlyList<IPAddress> addresses = every ? HostAddresses.Enumerate(options.IncludeLoopback) : [options.Address];
        string list = addresses.Count == 0 ? "none found" : string.Join(", ", addresses);
        string nat = options.NatMappings.Count == 0 ? "" : $"; announced as {string.Join(", ", options.NatMappings)} ({(options.NatCandidateType == IceCandidateType.Host ? "host" : "srflx")})";
        return $"ICE host candidates on {list}{nat}";
    }
}

/// <summary>A STUN or TURN server as given on the command line, before its name is resolved.</summary>
internal sealed record ServeIceServer(IceServerUri Uri, string? Username, string? Password);
