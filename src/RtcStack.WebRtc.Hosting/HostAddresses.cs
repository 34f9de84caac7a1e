using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// The addresses of this machine's interfaces that make useful ICE host candidates (RFC 8445 §5.1.1.1), IPv4 and
/// IPv6, for a host bound to "every interface" (<see cref="UdpSessionHostOptions.BindAddress"/> 0.0.0.0 or ::).
/// Enumerated with <see cref="NetworkInterface"/>; on Linux the kernel's IPv6 address flags are read as well.
/// </summary>
/// <remarks>
/// Left out: interfaces that are down; loopback addresses while any other address exists (RFC 8445 §5.1.1.1: "MUST NOT
/// be included"; kept only on a machine with nothing else, or when asked, so that a local-only server still works);
/// IPv6 link-local addresses (fe80::/10: an SDP candidate cannot carry the zone that makes them usable, and every link
/// has one, so they would only add failing pairs; browsers leave them out too); IPv6 site-local (fec0::/10) and
/// IPv4-compatible (::a.b.c.d) addresses (§5.1.1.1 MUST NOT); IPv4-mapped addresses (SHOULD NOT); IPv6 addresses the
/// kernel marks tentative, deprecated or duplicate (not yet or no longer usable); and, when an interface has a
/// temporary (privacy, RFC 8981) address in a prefix, its other addresses in that prefix (§5.1.1.1, RFC 7721: a
/// trackable address MUST NOT be gathered beside one that prevents tracking).
/// </remarks>
public static class HostAddresses
{
    // Linux IFA_F_* flags in /proc/net/if_inet6.
    private const int FlagTemporary = 0x01;
    private const int FlagDadFailed = 0x08;
    private const int FlagDeprecated = 0x20;
    private const int FlagTentative = 0x40;

    /// <summary>Gets the addresses to gather host candidates on, interface by interface; loopback only when <paramref name="includeLoopback"/> or when nothing else exists.</summary>
    public static IReadOnlyList<IPAddress> Enumerate(bool includeLoopback = false)
    {
        Dictionary<(IPAddress, int), Inet6Entry> flags = ReadLinuxIPv6Flags();
        var found = new List<InterfaceAddress>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            IPInterfaceProperties properties;
            int index = -1;
            try
            {
                properties = nic.GetIPProperties();
                if (nic.Supports(NetworkInterfaceComponent.IPv6))
                {
                    index = properties.GetIPv6Properties().Index;
                }
            }
            catch (NetworkInformationException)
            {
                continue;
            }

            bool loopback = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            foreach (UnicastIPAddressInformation u in properties.UnicastAddresses)
            {
                IPAddress a = u.Address;
                int kernelFlags = 0;
                int prefixLength = u.PrefixLength;
                if (a.AddressFamily == AddressFamily.InterNetworkV6 && flags.TryGetValue((Unscoped(a), index), out Inet6Entry entry))
                {
                    kernelFlags = entry.Flags;
                    prefixLength = entry.PrefixLength;
                }

                found.Add(new InterfaceAddress(nic.Name, a, loopback, nic.OperationalStatus, prefixLength, kernelFlags));
            }
        }

        return Select(found, includeLoopback);
    }

    /// <summary>The filter of <see cref="Enumerate"/> on already enumerated addresses (exposed for tests).</summary>
    internal static IReadOnlyList<IPAddress> Select(IReadOnlyList<InterfaceAddress> addresses, bool includeLoopback)
    {
        var usable = new List<IPAddress>();
        var loopbacks = new List<IPAddress>();
        foreach (InterfaceAddress a in addresses)
        {
            IPAddress ip = a.Address;
            if (a.Status == OperationalStatus.Down || !IsCandidateAddress(ip) || (a.KernelFlags & (FlagTentative | FlagDeprecated | FlagDadFailed)) != 0)
            {
                continue;
            }

            if (a.IsLoopbackInterface || IPAddress.IsLoopback(ip))
            {
                loopbacks.Add(ip);
                continue;
            }

            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && (a.KernelFlags & FlagTemporary) == 0 && HasTemporarySibling(addresses, a))
            {
                continue;
            }

            if (!usable.Contains(ip))
            {
                usable.Add(ip);
            }
        }

        if (includeLoopback || usable.Count == 0)
        {
            foreach (IPAddress l in loopbacks)
            {
                if (!usable.Contains(l))
                {
                    usable.Add(l);
                }
            }
        }

        return usable;
    }

    /// <summary>RFC 8445 §5.1.1.1: which addresses may be host candidates at all (loopback is decided by the caller).</summary>
    internal static bool IsCandidateAddress(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.Broadcast) && (ip.GetAddressBytes()[0] & 0xF0) != 0xE0;
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        byte[] b = ip.GetAddressBytes();
        bool firstTwelveZero = true;
        for (int i = 0; i < 12; i++)
        {
            firstTwelveZero &= b[i] == 0;
        }

        bool ipv4Compatible = firstTwelveZero && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.IPv6Any);
        return !ip.Equals(IPAddress.IPv6Any) && !ip.IsIPv6LinkLocal && !ip.IsIPv6SiteLocal && !ip.IsIPv6Multicast
            && !ip.IsIPv4MappedToIPv6 && !ipv4Compatible;
    }

    // Another address of the same interface and prefix that the kernel marks temporary (RFC 8981 privacy address).
    private static bool HasTemporarySibling(IReadOnlyList<InterfaceAddress> addresses, InterfaceAddress a)
    {
        foreach (InterfaceAddress other in addresses)
        {
            if (other.Interface == a.Interface && (other.KernelFlags & FlagTemporary) != 0
                && (other.KernelFlags & (FlagTentative | FlagDeprecated | FlagDadFailed)) == 0
                && other.PrefixLength == a.PrefixLength && SamePrefix(other.Address, a.Address, a.PrefixLength))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SamePrefix(IPAddress x, IPAddress y, int prefixLength)
    {
        byte[] a = x.GetAddressBytes();
        byte[] b = y.GetAddressBytes();
        if (a.Length != b.Length || prefixLength < 0 || prefixLength > a.Length * 8)
        {
            return false;
        }

        for (int bit = 0; bit < prefixLength; bit++)
        {
            int mask = 0x80 >> (bit & 7);
            if ((a[bit >> 3] & mask) != (b[bit >> 3] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static IPAddress Unscoped(IPAddress a) => a.ScopeId == 0 ? a : new IPAddress(a.GetAddressBytes());

    // /proc/thread-self/net/if_inet6 (the calling thread's network namespace): "address ifindex prefixlen scope flags name".
    private static Dictionary<(IPAddress, int), Inet6Entry> ReadLinuxIPv6Flags()
    {
        var map = new Dictionary<(IPAddress, int), Inet6Entry>();
        if (!OperatingSystem.IsLinux())
        {
            return map;
        }

        string path = File.Exists("/proc/thread-self/net/if_inet6") ? "/proc/thread-self/net/if_inet6" : "/proc/net/if_inet6";
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return map;
        }

        Span<byte> bytes = stackalloc byte[16];
        foreach (string line in lines)
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[0].Length != 32
                || !int.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int index)
                || !int.TryParse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int prefix)
                || !int.TryParse(f[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int kernelFlags))
            {
                continue;
            }

            bool ok = true;
            for (int i = 0; i < 16 && ok; i++)
            {
                ok = byte.TryParse(f[0].AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]);
            }

            if (ok)
            {
                map[(new IPAddress(bytes), index)] = new Inet6Entry(prefix, kernelFlags);
            }
        }

        return map;
    }

    private readonly record struct Inet6Entry(int PrefixLength, int Flags);

    /// <summary>One address of one interface, as enumerated.</summary>
    internal readonly record struct InterfaceAddress(string Interface, IPAddress Address, bool IsLoopbackInterface, OperationalStatus Status, int PrefixLength, int KernelFlags);
}
