using System.Buffers.Binary;
using System.Net;
using FsCheck.Xunit;
using RtcStack.Rtp.Capture;
using Xunit;

namespace RtcStack.Rtp.Tests.Capture;

public class UdpDatagramTests
{
    private static readonly UdpFlow s_v4 = new(IPAddress.Parse("192.0.2.10"), 5004, IPAddress.Parse("198.51.100.20"), 6000);
    private static readonly UdpFlow s_v6 = new(IPAddress.Parse("2001:db8::1"), 40000, IPAddress.Parse("2001:db8::2"), 3478);

    public static TheoryData<LinkType, bool> LinkTypes()
    {
        var data = new TheoryData<LinkType, bool>();
        foreach (LinkType t in new[] { LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop })
        {
            data.Add(t, false);
            data.Add(t, true);
        }

        data.Add(LinkType.IPv4, false);
        data.Add(LinkType.IPv6, true);
        return data;
    }

    private static byte[] Build(LinkType linkType, UdpFlow flow, byte[] payload)
    {
        byte[] frame = new byte[UdpFrameWriter.GetFrameLength(linkType, flow.SourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, payload.Length)];
        Assert.Equal(frame.Length, UdpFrameWriter.Write(linkType, flow, payload, frame, 77));
        return frame;
    }

    [Theory]
    [MemberData(nameof(LinkTypes))]
    public void WrittenFrame_DissectsToTheSameFlowAndPayload(LinkType linkType, bool ipv6)
    {
        UdpFlow flow = ipv6 ? s_v6 : s_v4;
        byte[] payload = CaptureTestData.Frame(5, 171);
        byte[] frame = Build(linkType, flow, payload);

        Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(linkType, frame, out UdpDatagram udp));
        Assert.Equal(flow, udp.Flow);
        Assert.Equal(ipv6, udp.IsIPv6);
        Assert.Equal(payload, udp.Payload.ToArray());
        Assert.Equal(8 + payload.Length, udp.UdpLength);
        Assert.False(udp.IsPayloadTruncated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Checksums_VerifyIndependently(bool ipv6)
    {
        // One's-complement sums over the IPv4 header and over pseudo-header + UDP come to 0xFFFF.
        byte[] payload = CaptureTestData.Frame(3, 33); // odd length exercises the padding rule
        byte[] frame = Build(LinkType.Raw, ipv6 ? s_v6 : s_v4, payload);
        if (!ipv6)
        {
            Assert.Equal(0xFFFF, Fold(Sum(frame.AsSpan(0, 20))));
        }

        int ipHeader = ipv6 ? 40 : 20;
        int udpLength = 8 + payload.Length;
        ReadOnlySpan<byte> addresses = ipv6 ? frame.AsSpan(8, 32) : frame.AsSpan(12, 8);
        long sum = Sum(addresses) + 17 + udpLength + Sum(frame.AsSpan(ipHeader, udpLength));
        Assert.Equal(0xFFFF, Fold(sum));
    }

    [Fact]
    public void StackedVlanTags_AreWalked()
    {
        byte[] inner = Build(LinkType.Ethernet, s_v4, [1, 2, 3]);
        // dst, src, 0x88A8 tag, 0x8100 tag, then the original EtherType and IP packet.
        byte[] frame = [.. inner[..12], 0x88, 0xA8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0A, .. inner[12..]];
        Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(LinkType.Ethernet, frame, out UdpDatagram udp));
        Assert.Equal([1, 2, 3], udp.Payload.ToArray());
    }

    [Fact]
    public void EthernetPadding_AfterAShortIPv4Packet_IsNotPayload()
    {
        byte[] frame = [.. Build(LinkType.Ethernet, s_v4, [9]), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(LinkType.Ethernet, frame, out UdpDatagram udp));
        Assert.Equal([9], udp.Payload.ToArray());
    }

    [Fact]
    public void IPv6ExtensionHeaders_AreSkipped_AndAtomicFragmentIsWhole()
    {
        byte[] plain = Build(LinkType.Raw, s_v6, [4, 5, 6, 7]);
        byte[] hopByHop = [60, 0, 1, 4, 0, 0, 0, 0];                    // next: destination options; PadN
        byte[] destination = [44, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // 16 bytes; next: fragment
        byte[] fragment = [51, 0, 0, 0, 0, 0, 0, 1];                    // offset 0, M=0: atomic; next: AH
        byte[] auth = [17, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];            // (1 + 2) * 4 = 12 bytes; next: UDP
        byte[] extensions = [.. hopByHop, .. destination, .. fragment, .. auth];
        byte[] packet = [.. plain[..40], .. extensions, .. plain[40..]];
        packet[6] = 0; // first next header: hop-by-hop
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(plain.Length - 40 + extensions.Length));

        Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(LinkType.Raw, packet, out UdpDatagram udp));
        Assert.Equal(s_v6, udp.Flow);
        Assert.Equal([4, 5, 6, 7], udp.Payload.ToArray());
    }

    [Theory]
    [InlineData(0x2000)] // IPv4 more-fragments
    [InlineData(0x0010)] // IPv4 offset 16
    public void IPv4Fragments_AreReported(int flagsAndOffset)
    {
        byte[] frame = Build(LinkType.Raw, s_v4, [1, 2, 3]);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), (ushort)flagsAndOffset);
        Assert.Equal(UdpDissectStatus.Fragment, UdpDatagram.TryDissect(LinkType.Raw, frame, out _));
    }

    [Theory]
    [InlineData(1)]    // M flag
    [InlineData(0x80)] // offset 16
    public void IPv6Fragments_AreReported(int offsetAndFlags)
    {
        byte[] plain = Build(LinkType.Raw, s_v6, [1, 2, 3]);
        byte[] fragment = [17, 0, (byte)(offsetAndFlags >> 8), (byte)offsetAndFlags, 0, 0, 0, 9];
        byte[] packet = [.. plain[..40], .. fragment, .. plain[40..]];
        packet[6] = 44;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(plain.Length - 40 + 8));
        Assert.Equal(UdpDissectStatus.Fragment, UdpDatagram.TryDissect(LinkType.Raw, packet, out _));
    }

    [Fact]
    public void OtherProtocolsAndLinkTypes_AreClassified()
    {
        byte[] v4 = Build(LinkType.Ethernet, s_v4, [1]);
        byte[] tcp = (byte[])v4.Clone();
        tcp[14 + 9] = 6;
        Assert.Equal(UdpDissectStatus.NotUdp, UdpDatagram.TryDissect(LinkType.Ethernet, tcp, out _));

        byte[] arp = (byte[])v4.Clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        Assert.Equal(UdpDissectStatus.NotIp, UdpDatagram.TryDissect(LinkType.Ethernet, arp, out _));

        byte[] esp = Build(LinkType.Raw, s_v6, [1]);
        esp[6] = 50;
        Assert.Equal(UdpDissectStatus.NotUdp, UdpDatagram.TryDissect(LinkType.Raw, esp, out _));

        Assert.Equal(UdpDissectStatus.UnsupportedLinkType, UdpDatagram.TryDissect((LinkType)127, v4, out _));
        Assert.Equal(UdpDissectStatus.Malformed, UdpDatagram.TryDissect(LinkType.IPv6, Build(LinkType.Raw, s_v4, [1]), out _));
    }

    [Fact]
    public void SnapLengthCut_GivesTheCapturedPartOfThePayload()
    {
        byte[] frame = Build(LinkType.Ethernet, s_v4, CaptureTestData.Frame(1, 100));
        Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(LinkType.Ethernet, frame.AsSpan(0, 14 + 28 + 12), out UdpDatagram udp));
        Assert.True(udp.IsPayloadTruncated);
        Assert.Equal(12, udp.Payload.Length);
        Assert.Equal(UdpDissectStatus.Truncated, UdpDatagram.TryDissect(LinkType.Ethernet, frame.AsSpan(0, 14 + 24), out _));
    }

    [Fact]
    public void ImpossibleLengths_AreMalformed()
    {
        byte[] frame = Build(LinkType.Raw, s_v4, [1, 2, 3, 4]);
        byte[] shortIhl = (byte[])frame.Clone();
        shortIhl[0] = 0x44;
        Assert.Equal(UdpDissectStatus.Malformed, UdpDatagram.TryDissect(LinkType.Raw, shortIhl, out _));

        byte[] udpTooLong = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(udpTooLong.AsSpan(24), 200);
        Assert.Equal(UdpDissectStatus.Malformed, UdpDatagram.TryDissect(LinkType.Raw, udpTooLong, out _));

        byte[] udpTooShort = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(udpTooShort.AsSpan(24), 7);
        Assert.Equal(UdpDissectStatus.Malformed, UdpDatagram.TryDissect(LinkType.Raw, udpTooShort, out _));

        byte[] jumbo = Build(LinkType.Raw, s_v6, [1]);
        BinaryPrimitives.WriteUInt16BigEndian(jumbo.AsSpan(4), 0);
        Assert.Equal(UdpDissectStatus.Malformed, UdpDatagram.TryDissect(LinkType.Raw, jumbo, out _));
    }

    [Fact]
    public void Writer_RejectsMixedFamiliesAndUnwritableLinkTypes()
    {
        var mixed = new UdpFlow(IPAddress.Loopback, 1, IPAddress.IPv6Loopback, 2);
        Assert.Throws<ArgumentException>(() => UdpFrameWriter.Write(LinkType.Raw, mixed, [], new byte[100]));
        Assert.Throws<ArgumentException>(() => UdpFrameWriter.Write((LinkType)127, s_v4, [], new byte[100]));
        Assert.Throws<ArgumentException>(() => UdpFrameWriter.Write(LinkType.IPv6, s_v4, [], new byte[100]));
        Assert.Throws<ArgumentException>(() => UdpFrameWriter.Write(LinkType.Raw, s_v4, [], new byte[10]));
    }

    [Property(MaxTest = 300)]
    public bool RandomDatagrams_RoundTripThroughEveryLinkType(byte[] payload, ushort sourcePort, ushort destinationPort, uint a, uint b, bool ipv6, byte linkIndex)
    {
        LinkType[] types = [LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop];
        LinkType linkType = types[linkIndex % types.Length];
        IPAddress src = ipv6 ? new IPAddress([0x20, 1, 0xd, 0xb8, .. new byte[8], (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a]) : new IPAddress(BitConverter.GetBytes(a));
        IPAddress dst = ipv6 ? new IPAddress([0xfe, 0x80, .. new byte[10], (byte)(b >> 24), (byte)(b >> 16), (byte)(b >> 8), (byte)b]) : new IPAddress(BitConverter.GetBytes(b));
        var flow = new UdpFlow(src, sourcePort, dst, destinationPort);
        byte[] frame = Build(linkType, flow, payload);
        return UdpDatagram.TryDissect(linkType, frame, out UdpDatagram udp) == UdpDissectStatus.Ok
            && udp.Flow == flow
            && udp.Payload.SequenceEqual(payload);
    }

    [Property(MaxTest = 2000)]
    public void RandomBytes_NeverThrow(byte[] frame, byte linkIndex)
    {
        LinkType[] types = [LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop, LinkType.IPv4, LinkType.IPv6];
        LinkType linkType = types[linkIndex % types.Length];
        if (UdpDatagram.TryDissect(linkType, frame, out UdpDatagram udp) == UdpDissectStatus.Ok)
        {
            Assert.True(udp.Payload.Length <= frame.Length);
        }

        // Starting the bytes with an IPv4 or IPv6 version nibble reaches deeper.
        if (frame.Length > 0)
        {
            frame[0] = (byte)((frame[0] & 0x0F) | (linkIndex % 2 == 0 ? 0x40 : 0x60));
            UdpDatagram.DissectIp(frame, out _);
        }
    }

    private static long Sum(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0);
        }

        return sum;
    }

    private static long Fold(long sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return sum;
    }
}
