using System.Net;
using System.Net.Sockets;
using RtcStack.Ice;
using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Turns STUN/TURN URIs with host names (RFC 7064, RFC 7065) into the <see cref="IceServer"/>s the sans-IO agent takes:
/// one per address the name resolves to (A and AAAA records, through the system resolver), each keeping the name for
/// TLS (SNI and the certificate check). The agent then uses those of each host candidate's family. DNS belongs here, in
/// the IO layer: the agent never blocks or waits on a resolver.
/// </summary>
/// <remarks>
/// RFC 7065 §3 says a URI without a port may be looked up with SRV records (RFC 5928); .NET has no SRV resolver, so the
/// default ports (3478, 5349 for turns:) are used, as browsers do.
/// </remarks>
public static class IceServerResolver
{
    /// <summary>Resolves <paramref name="uri"/> (credentials for TURN) to servers; throws <see cref="SocketException"/> when the name does not resolve.</summary>
    public static async Task<IReadOnlyList<IceServer>> ResolveAsync(IceServerUri uri, string? username, string? password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsTurn && (username is null || password is null))
        {
            throw new ArgumentException("a TURN server needs a username and password", nameof(username));
        }

        IPAddress[] addresses = uri.HostAddress is IPAddress literal
            ? [literal]
            : await Dns.GetHostAddressesAsync(uri.Host, cancellationToken).ConfigureAwait(false);
        string? name = uri.HostAddress is null ? uri.Host : null;
        var servers = new List<IceServer>();
        foreach (IPAddress a in addresses)
        {
            IPAddress address = a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
            if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                continue;
            }

            var server = new IceServer(new TransportAddress(address, uri.Port), uri.IsTurn ? username : null, uri.IsTurn ? password : null)
            {
                Transport = uri.Transport,
                ServerName = name,
            };
            if (!servers.Contains(server))
            {
                servers.Add(server);
            }
        }

        if (servers.Count == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound, $"{uri.Host} has no IPv4 or IPv6 address");
        }

        return servers;
    }
}
