using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// Builds a complete captured frame (link-layer header, IPv4 or IPv6 header, UDP header, payload)
/// with correct IPv4 header (RFC 791 §3.1) and UDP (RFC 768, RFC 8200 §8.1) checksums, for
/// writing synthetic captures.
/// </summary>
public static class UdpFrameWriter
{
    /// <summary>The source MAC of written Ethernet frames (locally administered, 02:00:00:00:00:01).</summary>
    public static ReadOnlySpan<byte> SourceMac => [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

    /// <summary>The destination MAC of written Ethernet frames (locally administered, 02:00:00:00:00:02).</summary>
    public static ReadOnlySpan<byte> DestinationMac => [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    /// <summary>Returns the frame length for a payload of <paramref name="payloadLength"/> bytes.</summary>
    /// <exception cref="ArgumentException">The link type cannot be written, or the datagram exceeds 65535 bytes.</exception>
    public static int GetFrameLength(LinkType linkType, bool ipv6, int payloadLength)
    {
        int ip = (ipv6 ? 40 : 20) + 8 + payloadLength;
        if (payloadLength < 0 || (ipv6 ? ip - 40 : ip) > ushort.MaxValue)
        {
            throw new ArgumentException($"a UDP payload of {payloadLength} bytes does not fit one datagram", nameof(payloadLength));
        }

        return LinkHeaderLength(linkType) + ip;
    }

    /// <summary>
    /// Writes the frame carrying <paramref name="payload"/> on <paramref name="flow"/> into
    /// <paramref name="destination"/> and returns its length.
    /// </summary>
    /// <param name="linkType">Ethernet, Raw, IPv4/IPv6, LinuxSll, LinuxSll2, Null or Loop.</param>
    /// <param name="flow">The addresses (both IPv4 or both IPv6) and ports.</param>
    /// <param name="payload">The UDP payload.</param>
    /// <param name="destination">Where the frame goes; at least <see cref="GetFrameLength"/> bytes.</param>
    /// <param name="ipv4Identification">The IPv4 identification field (ignored for IPv6).</param>
    /// <exception cref="ArgumentException">Mixed address families, an unwritable link type, or a short destination.</exception>
    public static int Write(LinkType linkType, UdpFlow flow, ReadOnlySpan<byte> payload, Span<byte> destination, ushort ipv4Identification = 0)
    {
        ArgumentNullException.ThrowIfNull(flow.SourceAddress);
        ArgumentNullException.ThrowIfNull(flow.DestinationAddress);
        bool ipv6 = flow.SourceAddress.AddressFamily == AddressFamily.InterNetworkV6;
        if (flow.DestinationAddress.AddressFamily != flow.SourceAddress.AddressFamily)
        {
            throw new ArgumentException($"source {flow.SourceAddress} and destination {flow.DestinationAddress} are of different address families", nameof(flow));
        }

        if (linkType == LinkType.IPv4 && ipv6 || linkType == LinkType.IPv6 && !ipv6)
        {
            throw new ArgumentException($"link type {linkType} cannot carry this flow's address family", nameof(linkType));
        }

        int length = GetFrameLength(linkType, ipv6, payload.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"the destination holds {destination.Length} bytes, the frame needs {length}", nameof(destination));
        }

        int link = WriteLinkHeader(linkType, ipv6, destination);
        Span<byte> ip = destination[link..length];
        int ipHeader = ipv6 ? 40 : 20;
        int udpLength = 8 + payload.Length;
        Span<byte> src = ipv6 ? ip.Slice(8, 16) : ip.Slice(12, 4);
        Span<byte> dst = ipv6 ? ip.Slice(24, 16) : ip.Slice(16, 4);
        if (ipv6)
        {
            // RFC 8200 §3: version 6, traffic class 0, flow label 0, payload length, next header, hop limit.
            BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)udpLength);
            ip[6] = 17;
            ip[7] = 64;
        }
        else
        {
            // RFC 791 §3.1: version 4, IHL 5, no options, DF set, TTL 64, protocol UDP.
            ip[0] = 0x45;
            ip[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + udpLength));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipv4Identification);
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
            ip[8] = 64;
            ip[9] = 17;
            ip[10] = 0;
            ip[11] = 0;
        }

        flow.SourceAddress.TryWriteBytes(src, out _);
        flow.DestinationAddress.TryWriteBytes(dst, out _);
        if (!ipv6)
        {
            var header = default(InternetChecksum);
            header.Add(ip[..20]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], header.Finish());
        }

        Span<byte> udp = ip[ipHeader..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, flow.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], flow.DestinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[8..]);

        // RFC 768 / RFC 8200 §8.1: the checksum covers a pseudo-header of both addresses, the
        // protocol and the UDP length; a computed 0 is sent as 0xFFFF (0 means "none" in IPv4).
        var sum = default(InternetChecksum);
        sum.Add(src);
        sum.Add(dst);
        sum.Add((uint)17);
        sum.Add((uint)udpLength);
        sum.Add(udp[..udpLength]);
        ushort checksum = sum.Finish();
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return length;
    }

    private static int LinkHeaderLength(LinkType linkType) => linkType switch
    {
        LinkType.Ethernet => 14,
        LinkType.Raw or LinkType.IPv4 or LinkType.IPv6 => 0,
        LinkType.LinuxSll => 16,
        LinkType.LinuxSll2 => 20,
        LinkType.Null or LinkType.Loop => 4,
        _ => throw new ArgumentException($"cannot write frames of link type {linkType}", nameof(linkType)),
    };

    private static int WriteLinkHeader(LinkType linkType, bool ipv6, Span<byte> frame)
    {
        ushort etherType = ipv6 ? (ushort)0x86DD : (ushort)0x0800;
        switch (linkType)
        {
            case LinkType.Ethernet:
                DestinationMac.CopyTo(frame);
                SourceMac.CopyTo(frame[6..]);
                BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
                return 14;
            case LinkType.LinuxSll:
                // Packet type 4 (sent by us), ARPHRD_ETHER (1), 6-byte address, protocol.
                frame[..16].Clear();
                BinaryPrimitives.WriteUInt16BigEndian(frame, 4);
                BinaryPrimitives.WriteUInt16BigEndian(frame[2..], 1);
                BinaryPrimitives.WriteUInt16BigEndian(frame[4..], 6);
                SourceMac.CopyTo(frame[6..]);
                BinaryPrimitives.WriteUInt16BigEndian(frame[14..], etherType);
                return 16;
            case LinkType.LinuxSll2:
                // Protocol, reserved, interface index 1, ARPHRD_ETHER, packet type 4, address length 6, address.
                frame[..20].Clear();
                BinaryPrimitives.WriteUInt16BigEndian(frame, etherType);
                BinaryPrimitives.WriteUInt32BigEndian(frame[4..], 1);
                BinaryPrimitives.WriteUInt16BigEndian(frame[8..], 1);
                frame[10] = 4;
                frame[11] = 6;
                SourceMac.CopyTo(frame[12..]);
                return 20;
            case LinkType.Null:
                // Host byte order of the writer; little-endian here, as on every machine .NET runs on.
                BinaryPrimitives.WriteUInt32LittleEndian(frame, ipv6 ? 24u : 2u);
                return 4;
            case LinkType.Loop:
                BinaryPrimitives.WriteUInt32BigEndian(frame, ipv6 ? 24u : 2u);
                return 4;
            default:
                return 0;
        }
    }
}
