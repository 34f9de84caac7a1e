using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace RtcStack.Ice;

/// <summary>
/// A 1:1 NAT mapping for a host behind a static NAT (a cloud VM with a public address in front of a private
/// one): the public address ICE announces for a private host address, as Pion's <c>NAT1To1IPs</c> does. The
/// NAT must keep ports (1:1), so a socket bound to PRIVATE:port is reachable at PUBLIC:port.
/// </summary>
/// <param name="PublicAddress">The public address to announce.</param>
/// <param name="PrivateAddress">The local address it stands for; null maps every host address of the same family.</param>
public sealed record IceNatMapping(IPAddress PublicAddress, IPAddress? PrivateAddress = null)
{
    /// <summary>Parses <c>PUBLIC</c> or <c>PUBLIC/PRIVATE</c> (Pion's NAT1To1IPs syntax); both IP literals of one family.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IceNatMapping? mapping)
    {
        mapping = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string publicText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(publicText, out IPAddress? publicAddress) || !IsUsable(publicAddress))
        {
            return false;
        }

        IPAddress? privateAddress = null;
        if (slash >= 0 && (!IPAddress.TryParse(text.AsSpan(slash + 1), out privateAddress)
            || !IsUsable(privateAddress) || privateAddress.AddressFamily != publicAddress.AddressFamily))
        {
            return false;
        }

        mapping = new IceNatMapping(publicAddress, privateAddress);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => PrivateAddress is null ? PublicAddress.ToString() : $"{PublicAddress}/{PrivateAddress}";

    private static bool IsUsable(IPAddress a) =>
        a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
        && !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(a) && !a.IsIPv4MappedToIPv6;
}
