using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RtcStack.Stun;

/// <summary>
/// An IP address and UDP/TCP port as a small value type: what STUN calls a transport address
/// (RFC 8489 §3). Unlike <see cref="IPEndPoint"/> it never allocates, compares by value and can be
/// read from and written to a <see cref="SocketAddress"/> in place, so the sans-IO state machines
/// and their drivers can key dictionaries and route datagrams without garbage.
/// </summary>
public readonly struct TransportAddress : IEquatable<TransportAddress>
{
    private const byte FamilyNone = 0;
    private const byte FamilyV4 = 4;
    private const byte FamilyV6 = 6;

    // IPv6 address bytes 0..7 and 8..15, big-endian; IPv4 lives in the low 32 bits of _low.
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly uint _scopeId;
    private readonly ushort _port;
    private readonly byte _family;

    private TransportAddress(ulong high, ulong low, ushort port, byte family, uint scopeId)
    {
        _high = high;
        _low = low;
        _port = port;
        _family = family;
        _scopeId = scopeId;
    }

    /// <summary>Initializes a new instance from an <see cref="IPAddress"/> and a port.</summary>
    public TransportAddress(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        this = written == 4 ? FromIPv4(bytes[..4], (ushort)port) : FromIPv6(bytes, (ushort)port, (uint)(address.AddressFamily == AddressFamily.InterNetworkV6 ? address.ScopeId : 0));
    }

    /// <summary>Initializes a new instance from an <see cref="IPEndPoint"/>.</summary>
    public TransportAddress(IPEndPoint endPoint)
        : this((endPoint ?? throw new ArgumentNullException(nameof(endPoint))).Address, endPoint.Port)
    {
    }

    /// <summary>Gets a value indicating whether this is the default (empty) value.</summary>
    public bool IsEmpty => _family == FamilyNone;

    /// <summary>Gets a value indicating whether the address is IPv4.</summary>
    public bool IsIPv4 => _family == FamilyV4;

    /// <summary>Gets a value indicating whether the address is IPv6.</summary>
    public bool IsIPv6 => _family == FamilyV6;

    /// <summary>Gets the port.</summary>
    public int Port => _port;

    /// <summary>Gets the address family.</summary>
    public AddressFamily AddressFamily => _family switch
    {
        FamilyV4 => AddressFamily.InterNetwork,
        FamilyV6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };

    /// <summary>Gets the length of the address in bytes: 4, 16, or 0 when empty.</summary>
    public int AddressLength => _family switch
    {
        FamilyV4 => 4,
        FamilyV6 => 16,
        _ => 0,
    };

    /// <summary>Gets a value indicating whether the address is a loopback address (127/8 or ::1).</summary>
    public bool IsLoopback => _family == FamilyV4 ? (_low >> 24) == 127 : _family == FamilyV6 && _high == 0 && _low == 1;

    /// <summary>Gets a value indicating whether the address is IPv6 link-local (fe80::/10) or IPv4 link-local (169.254/16).</summary>
    public bool IsLinkLocal => _family == FamilyV4 ? (_low >> 16) == 0xA9FE : _family == FamilyV6 && (_high >> 54) == 0x3FA;

    /// <summary>Gets a value indicating whether the address is an RFC 1918 private IPv4 address or an IPv6 unique-local (fc00::/7) address.</summary>
    public bool IsPrivate => _family == FamilyV4
        ? (_low >> 24) == 10 || (_low >> 20) == 0xAC1 || (_low >> 16) == 0xC0A8
        : _family == FamilyV6 && (_high >> 57) == 0x7E;

    /// <summary>Gets a value indicating whether this is an IPv4-mapped IPv6 address (::ffff:0:0/96).</summary>
    public bool IsIPv4MappedToIPv6 => _family == FamilyV6 && _high == 0 && (_low >> 32) == 0xFFFF;

    /// <summary>Gets the IPv6 scope id (0 for IPv4).</summary>
    public uint ScopeId => _scopeId;

    /// <summary>Creates an IPv4 transport address from 4 network-order bytes.</summary>
    public static TransportAddress FromIPv4(ReadOnlySpan<byte> address, ushort port)
    {
        if (address.Length != 4)
        {
            throw new ArgumentException("an IPv4 address has 4 bytes", nameof(address));
        }

        return new TransportAddress(0, BinaryPrimitives.ReadUInt32BigEndian(address), port, FamilyV4, 0);
    }

    /// <summary>Creates an IPv4 transport address from its 32-bit value in host order.</summary>
    public static TransportAddress FromIPv4(uint address, ushort port) => new(0, address, port, FamilyV4, 0);

    /// <summary>Creates an IPv6 transport address from 16 network-order bytes.</summary>
    public static TransportAddress FromIPv6(ReadOnlySpan<byte> address, ushort port, uint scopeId = 0)
    {
        if (address.Length != 16)
        {
            throw new ArgumentException("an IPv6 address has 16 bytes", nameof(address));
        }

        return new TransportAddress(
            BinaryPrimitives.ReadUInt64BigEndian(address),
            BinaryPrimitives.ReadUInt64BigEndian(address[8..]),
            port,
            FamilyV6,
            scopeId);
    }

    /// <summary>Parses "a.b.c.d:port" or "[v6]:port".</summary>
    public static TransportAddress Parse(string text)
    {
        return TryParse(text, out TransportAddress value) ? value : throw new FormatException("not a transport address: " + text);
    }

    /// <summary>Parses "a.b.c.d:port" or "[v6]:port" without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TransportAddress value)
    {
        value = default;
        if (!IPEndPoint.TryParse(text, out IPEndPoint? ep))
        {
            return false;
        }

        value = new TransportAddress(ep);
        return true;
    }

    /// <summary>
    /// Parses an IP address (no port) and pairs it with <paramref name="port"/>, without throwing.
    /// Dotted-quad IPv4 is parsed without allocating.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> address, int port, out TransportAddress value)
    {
        value = default;
        if ((uint)port > ushort.MaxValue)
        {
            return false;
        }

        if (TryParseIPv4(address, out uint v4))
        {
            value = FromIPv4(v4, (ushort)port);
            return true;
        }

        if (address.IndexOf(':') < 0 || !IPAddress.TryParse(address, out IPAddress? ip))
        {
            return false;
        }

        value = new TransportAddress(ip, port);
        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        int parts = 0;
        int i = 0;
        while (parts < 4)
        {
            int start = i;
            int octet = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 3)
            {
                octet = (octet * 10) + (s[i] - '0');
                i++;
            }

            if (i == start || octet > 255 || (i - start > 1 && s[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
            parts++;
            if (parts < 4)
            {
                if (i >= s.Length || s[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        return i == s.Length;
    }

    /// <summary>Formats the IP address alone into <paramref name="destination"/> (IPv4 without allocating).</summary>
    public bool TryFormatAddress(Span<char> destination, out int charsWritten)
    {
        if (_family == FamilyV4)
        {
            uint v = (uint)_low;
            return destination.TryWrite($"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}", out charsWritten);
        }

        if (_family == FamilyV6)
        {
            return ToIPAddress().TryFormat(destination, out charsWritten);
        }

        charsWritten = 0;
        return true;
    }

    /// <summary>Returns a copy with another port.</summary>
    public TransportAddress WithPort(int port) => new(_high, _low, checked((ushort)port), _family, _scopeId);

    /// <summary>Writes the address bytes (4 or 16) in network order and returns how many were written.</summary>
    public int WriteAddressBytes(Span<byte> destination)
    {
        if (_family == FamilyV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        if (_family == FamilyV6)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
            return 16;
        }

        return 0;
    }

    /// <summary>Returns the address as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = WriteAddressBytes(bytes);
        return n switch
        {
            4 => new IPAddress(bytes[..4]),
            16 => new IPAddress(bytes, _scopeId),
            _ => IPAddress.None,
        };
    }

    /// <summary>Returns the address as an <see cref="IPEndPoint"/> (allocates).</summary>
    public IPEndPoint ToIPEndPoint() => new(ToIPAddress(), _port);

    /// <summary>
    /// Reads an IPv4 or IPv6 socket address in place, without allocating; false for other families.
    /// The layout is the OS sockaddr_in / sockaddr_in6 that <see cref="SocketAddress.Buffer"/> exposes.
    /// </summary>
    public static bool TryReadFrom(SocketAddress socketAddress, out TransportAddress value)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        ReadOnlySpan<byte> b = socketAddress.Buffer.Span[..socketAddress.Size];
        if (socketAddress.Family == AddressFamily.InterNetwork && b.Length >= 8)
        {
            value = FromIPv4(b.Slice(4, 4), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
            return true;
        }

        if (socketAddress.Family == AddressFamily.InterNetworkV6 && b.Length >= 28)
        {
            value = FromIPv6(b.Slice(8, 16), BinaryPrimitives.ReadUInt16BigEndian(b[2..]), System.Runtime.InteropServices.MemoryMarshal.Read<uint>(b[24..]));
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Writes this address into a <see cref="SocketAddress"/> of the same family, in place. An IPv4
    /// address written to an IPv6 socket address becomes IPv4-mapped (::ffff:a.b.c.d), as dual-mode
    /// sockets expect.
    /// </summary>
    public void WriteTo(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        Span<byte> b = socketAddress.Buffer.Span;
        if (socketAddress.Family == AddressFamily.InterNetwork && _family == FamilyV4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], _port);
            BinaryPrimitives.WriteUInt32BigEndian(b[4..], (uint)_low);
            return;
        }

        if (socketAddress.Family == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], _port);
            b.Slice(4, 4).Clear();
            if (_family == FamilyV6)
            {
                BinaryPrimitives.WriteUInt64BigEndian(b[8..], _high);
                BinaryPrimitives.WriteUInt64BigEndian(b[16..], _low);
                System.Runtime.InteropServices.MemoryMarshal.Write(b[24..], _scopeId);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(b[8..], 0);
                BinaryPrimitives.WriteUInt64BigEndian(b[16..], 0xFFFF_0000_0000UL | (uint)_low);
                System.Runtime.InteropServices.MemoryMarshal.Write(b[24..], 0u);
            }

            return;
        }

        throw new ArgumentException($"cannot write a {AddressFamily} address into a {socketAddress.Family} socket address", nameof(socketAddress));
    }

    /// <summary>Returns the IPv4 address inside an IPv4-mapped IPv6 address; otherwise this value.</summary>
    public TransportAddress UnmapIPv4()
    {
        return IsIPv4MappedToIPv6 ? FromIPv4((uint)_low, _port) : this;
    }

    /// <summary>Gets a value indicating whether both have the same IP address, ignoring the port.</summary>
    public bool SameAddress(TransportAddress other) => _family == other._family && _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public bool Equals(TransportAddress other) =>
        _family == other._family && _port == other._port && _high == other._high && _low == other._low && _scopeId == other._scopeId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TransportAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_high, _low, _port, _family);

    /// <summary>Compares two addresses by value.</summary>
    public static bool operator ==(TransportAddress left, TransportAddress right) => left.Equals(right);

    /// <summary>Compares two addresses by value.</summary>
    public static bool operator !=(TransportAddress left, TransportAddress right) => !left.Equals(right);

    /// <summary>Formats the IP address alone ("192.0.2.1", "2001:db8::1").</summary>
    public string AddressToString() => _family == FamilyNone ? "" : ToIPAddress().ToString();

    /// <summary>Formats as "192.0.2.1:3478" or "[2001:db8::1]:3478".</summary>
    public override string ToString()
    {
        return _family switch
        {
            FamilyV4 => $"{AddressToString()}:{_port}",
            FamilyV6 => $"[{AddressToString()}]:{_port}",
            _ => "(none)",
        };
    }
}
