using System.Buffers.Binary;
using System.Net;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// A zero-copy view of one UDP datagram inside a captured frame: its addresses, ports and payload.
/// <see cref="TryDissect"/> walks the link-layer header (Ethernet with 802.1Q/802.1ad tags, Linux
/// cooked SLL and SLL2, BSD/OpenBSD loopback, raw IP), IPv4 (RFC 791) or IPv6 with its extension
/// headers (RFC 8200 §4), then UDP (RFC 768). Fragments are reported, not reassembled.
/// </summary>
public readonly ref struct UdpDatagram
{
    private const int MaxVlanTags = 8;

    private UdpDatagram(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ushort sourcePort, ushort destinationPort, int udpLength, ReadOnlySpan<byte> payload)
    {
        SourceAddress = source;
        DestinationAddress = destination;
        SourcePort = sourcePort;
        DestinationPort = destinationPort;
        UdpLength = udpLength;
        Payload = payload;
    }

    /// <summary>Gets the source address bytes (4 for IPv4, 16 for IPv6), in network order.</summary>
    public ReadOnlySpan<byte> SourceAddress { get; }

    /// <summary>Gets the destination address bytes (4 for IPv4, 16 for IPv6), in network order.</summary>
    public ReadOnlySpan<byte> DestinationAddress { get; }

    /// <summary>Gets the UDP source port.</summary>
    public ushort SourcePort { get; }

    /// <summary>Gets the UDP destination port.</summary>
    public ushort DestinationPort { get; }

    /// <summary>Gets the UDP length field: header (8) plus payload as sent.</summary>
    public int UdpLength { get; }

    /// <summary>Gets the captured UDP payload (shorter than <see cref="UdpLength"/> - 8 when <see cref="IsPayloadTruncated"/>).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Gets whether the datagram travelled over IPv6.</summary>
    public bool IsIPv6 => SourceAddress.Length == 16;

    /// <summary>Gets whether the capture's snap length cut the payload.</summary>
    public bool IsPayloadTruncated => Payload.Length < UdpLength - 8;

    /// <summary>Gets the 5-tuple (allocates two <see cref="IPAddress"/> objects).</summary>
    public UdpFlow Flow => new(new IPAddress(SourceAddress), SourcePort, new IPAddress(DestinationAddress), DestinationPort);

    /// <summary>Finds the UDP datagram in a captured frame of link type <paramref name="linkType"/>.</summary>
    public static UdpDissectStatus TryDissect(LinkType linkType, ReadOnlySpan<byte> frame, out UdpDatagram datagram)
    {
        datagram = default;
        switch (linkType)
        {
            case LinkType.Ethernet:
                return DissectEthernet(frame, out datagram);
            case LinkType.LinuxSll:
                // 16 bytes: packet type, ARPHRD type, address length, 8 address bytes, protocol.
                return frame.Length < 16
                    ? UdpDissectStatus.Truncated
                    : DissectEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..], out datagram);
            case LinkType.LinuxSll2:
                // 20 bytes: protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
                return frame.Length < 20
                    ? UdpDissectStatus.Truncated
                    : DissectEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..], out datagram);
            case LinkType.Null:
            case LinkType.Loop:
                return DissectLoopback(linkType, frame, out datagram);
            case LinkType.Raw:
                return DissectIp(frame, out datagram);
            case LinkType.IPv4:
                return frame.Length > 0 && frame[0] >> 4 != 4 ? UdpDissectStatus.Malformed : DissectIp(frame, out datagram);
            case LinkType.IPv6:
                return frame.Length > 0 && frame[0] >> 4 != 6 ? UdpDissectStatus.Malformed : DissectIp(frame, out datagram);
            default:
                return UdpDissectStatus.UnsupportedLinkType;
        }
    }

    /// <summary>Finds the UDP datagram in an IPv4 or IPv6 packet (the version nibble decides).</summary>
    public static UdpDissectStatus DissectIp(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.IsEmpty)
        {
            return UdpDissectStatus.Truncated;
        }

        return (packet[0] >> 4) switch
        {
            4 => DissectIPv4(packet, out datagram),
            6 => DissectIPv6(packet, out datagram),
            _ => UdpDissectStatus.Malformed,
        };
    }

    private static UdpDissectStatus DissectEthernet(ReadOnlySpan<byte> frame, out UdpDatagram datagram)
    {
        datagram = default;
        if (frame.Length < 14)
        {
            return UdpDissectStatus.Truncated;
        }

        int pos = 12;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[pos..]);
        pos += 2;
        for (int tags = 0; etherType is 0x8100 or 0x88A8 or 0x9100; tags++)
        {
            // IEEE 802.1Q / 802.1ad: 2 bytes of tag control, then the next EtherType.
            if (tags == MaxVlanTags)
            {
                return UdpDissectStatus.Malformed;
            }

            if (frame.Length < pos + 4)
            {
                return UdpDissectStatus.Truncated;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(pos + 2)..]);
            pos += 4;
        }

        return DissectEtherType(etherType, frame[pos..], out datagram);
    }

    private static UdpDissectStatus DissectEtherType(ushort etherType, ReadOnlySpan<byte> payload, out UdpDatagram datagram)
    {
        datagram = default;
        return etherType switch
        {
            0x0800 => payload.Length > 0 && payload[0] >> 4 != 4 ? UdpDissectStatus.Malformed : DissectIp(payload, out datagram),
            0x86DD => payload.Length > 0 && payload[0] >> 4 != 6 ? UdpDissectStatus.Malformed : DissectIp(payload, out datagram),
            _ => UdpDissectStatus.NotIp,
        };
    }

    private static UdpDissectStatus DissectLoopback(LinkType linkType, ReadOnlySpan<byte> frame, out UdpDatagram datagram)
    {
        datagram = default;
        if (frame.Length < 4)
        {
            return UdpDissectStatus.Truncated;
        }

        // LINKTYPE_NULL stores the family in the capturing host's byte order, LINKTYPE_LOOP in
        // network order. Families are small numbers, so a value above 0xFFFF is the other order.
        uint family = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (linkType == LinkType.Null && family > 0xFFFF)
        {
            family = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        }

        return family switch
        {
            2 => DissectIp(frame[4..], out datagram),                   // AF_INET everywhere
            10 or 24 or 28 or 30 => DissectIp(frame[4..], out datagram), // AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS
            _ => UdpDissectStatus.NotIp,
        };
    }

    /// <summary>RFC 791 §3.1: version, IHL, total length, flags and fragment offset, protocol.</summary>
    private static UdpDissectStatus DissectIPv4(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.Length < 20)
        {
            return UdpDissectStatus.Truncated;
        }

        int headerLength = (packet[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (headerLength < 20 || totalLength < headerLength)
        {
            return UdpDissectStatus.Malformed;
        }

        if (packet.Length < headerLength)
        {
            return UdpDissectStatus.Truncated;
        }

        ushort flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((flagsAndOffset & 0x3FFF) != 0)
        {
            // More-fragments set, or a non-zero fragment offset.
            return UdpDissectStatus.Fragment;
        }

        if (packet[9] != 17)
        {
            return UdpDissectStatus.NotUdp;
        }

        // Ethernet may pad short frames beyond the IP total length; the snap length may cut it.
        int captured = Math.Min(packet.Length, totalLength);
        return DissectUdp(packet.Slice(12, 4), packet.Slice(16, 4), packet[headerLength..captured], totalLength - headerLength, out datagram);
    }

    /// <summary>RFC 8200 §3-§4: the fixed header, then extension headers until UDP (17).</summary>
    private static UdpDissectStatus DissectIPv6(ReadOnlySpan<byte> packet, out UdpDatagram datagram)
    {
        datagram = default;
        if (packet.Length < 40)
        {
            return UdpDissectStatus.Truncated;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (payloadLength == 0)
        {
            // A jumbogram (RFC 2675) or an empty payload: neither carries a UDP datagram we can bound.
            return UdpDissectStatus.Malformed;
        }

        int end = 40 + payloadLength;
        int captured = Math.Min(packet.Length, end);
        byte next = packet[6];
        int pos = 40;
        while (true)
        {
            switch (next)
            {
                case 17:
                    if (pos > captured)
                    {
                        return UdpDissectStatus.Truncated;
                    }

                    return DissectUdp(packet.Slice(8, 16), packet.Slice(24, 16), packet[pos..captured], end - pos, out datagram);
                case 0:   // Hop-by-Hop Options
                case 43:  // Routing
                case 60:  // Destination Options
                case 135: // Mobility
                case 139: // HIP
                case 140: // Shim6
                {
                    if (pos + 2 > captured)
                    {
                        return pos + 2 > end ? UdpDissectStatus.Malformed : UdpDissectStatus.Truncated;
                    }

                    int length = (packet[pos + 1] + 1) * 8;
                    next = packet[pos];
                    pos += length;
                    break;
                }

                case 51: // Authentication Header (RFC 4302): length in 4-octet units, minus 2
                {
                    if (pos + 2 > captured)
                    {
                        return pos + 2 > end ? UdpDissectStatus.Malformed : UdpDissectStatus.Truncated;
                    }

                    int length = (packet[pos + 1] + 2) * 4;
                    next = packet[pos];
                    pos += length;
                    break;
                }

                case 44: // Fragment
                {
                    if (pos + 8 > captured)
                    {
                        return pos + 8 > end ? UdpDissectStatus.Malformed : UdpDissectStatus.Truncated;
                    }

                    ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
                    if ((offsetAndFlags & 0xFFF9) != 0)
                    {
                        // Non-zero offset or more-fragments: a real fragment. (An atomic fragment,
                        // RFC 6946, has neither and carries the whole datagram.)
                        return UdpDissectStatus.Fragment;
                    }

                    next = packet[pos];
                    pos += 8;
                    break;
                }

                default:
                    return UdpDissectStatus.NotUdp;
            }

            if (pos > end)
            {
                return UdpDissectStatus.Malformed;
            }
        }
    }

    /// <summary>RFC 768: source port, destination port, length (header included), checksum.</summary>
    private static UdpDissectStatus DissectUdp(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> udp, int ipPayloadLength, out UdpDatagram datagram)
    {
        datagram = default;
        if (ipPayloadLength < 8)
        {
            return UdpDissectStatus.Malformed;
        }

        if (udp.Length < 8)
        {
            return UdpDissectStatus.Truncated;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (length < 8 || length > ipPayloadLength)
        {
            return UdpDissectStatus.Malformed;
        }

        ReadOnlySpan<byte> payload = udp[8..Math.Min(length, udp.Length)];
        datagram = new UdpDatagram(source, destination, BinaryPrimitives.ReadUInt16BigEndian(udp), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]), length, payload);
        return UdpDissectStatus.Ok;
    }
}
