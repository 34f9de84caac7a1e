using System.Net;
using System.Net.Sockets;

namespace RtcStack.Stun.Tests;

/// <summary>
/// <see cref="TransportAddress"/>, STUN's transport address (RFC 8489 §3: an IP address and a port), for IPv4 and
/// IPv6, against the address ranges the RFCs define and the textual forms of RFC 3986 §3.2.2 / RFC 5952.
/// </summary>
public class TransportAddressTests
{
    private static TransportAddress A(string text) => TransportAddress.Parse(text);

    [Fact]
    public void Empty_HasNoFamilyAndFormatsAsNone()
    {
        TransportAddress e = default;
        Assert.True(e.IsEmpty);
        Assert.False(e.IsIPv4);
        Assert.False(e.IsIPv6);
        Assert.Equal(AddressFamily.Unspecified, e.AddressFamily);
        Assert.Equal(0, e.AddressLength);
        Assert.Equal(0, e.WriteAddressBytes(new byte[16]));
        Assert.Equal("", e.AddressToString());
        Assert.Equal("(none)", e.ToString());
        Assert.Equal(IPAddress.None, e.ToIPAddress());
        Assert.False(e.IsLoopback);
        Assert.False(e.IsLinkLocal);
        Assert.False(e.IsPrivate);
        Assert.False(e.IsIPv4MappedToIPv6);
        Span<char> text = stackalloc char[8];
        Assert.True(e.TryFormatAddress(text, out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void IPv4_FamilyLengthBytesAndText()
    {
        TransportAddress a = A("192.0.2.1:3478");
        Assert.False(a.IsEmpty);
        Assert.True(a.IsIPv4);
        Assert.False(a.IsIPv6);
        Assert.Equal(AddressFamily.InterNetwork, a.AddressFamily);
        Assert.Equal(4, a.AddressLength);
        Assert.Equal(3478, a.Port);
        Assert.Equal(0u, a.ScopeId);
        byte[] bytes = new byte[16];
        Assert.Equal(4, a.WriteAddressBytes(bytes));
        Assert.Equal(new byte[] { 192, 0, 2, 1 }, bytes[..4]);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), a.ToIPAddress());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 3478), a.ToIPEndPoint());
        Assert.Equal("192.0.2.1", a.AddressToString());
        Assert.Equal("192.0.2.1:3478", a.ToString());
    }

    [Fact]
    public void IPv6_FamilyLengthBytesScopeAndText()
    {
        // RFC 5952 §4: the canonical text form compresses the longest run of zeros; RFC 3986 §3.2.2 brackets it.
        TransportAddress a = A("[2001:db8::1]:3478");
        Assert.True(a.IsIPv6);
        Assert.False(a.IsIPv4);
        Assert.False(a.IsEmpty);
        Assert.Equal(AddressFamily.InterNetworkV6, a.AddressFamily);
        Assert.Equal(16, a.AddressLength);
        byte[] bytes = new byte[16];
        Assert.Equal(16, a.WriteAddressBytes(bytes));
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), bytes);
        Assert.Equal("2001:db8::1", a.AddressToString());
        Assert.Equal("[2001:db8::1]:3478", a.ToString());

        var scoped = new TransportAddress(IPAddress.Parse("fe80::1%7"), 9);
        Assert.Equal(7u, scoped.ScopeId);
        Assert.Equal(7, scoped.ToIPAddress().ScopeId);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fe80::1%7"), 9), scoped.ToIPEndPoint());
    }

    [Fact]
    public void FromBytes_NeedExactLengths()
    {
        Assert.Throws<ArgumentException>(() => TransportAddress.FromIPv4(new byte[3], 1));
        Assert.Throws<ArgumentException>(() => TransportAddress.FromIPv4(new byte[5], 1));
        Assert.Throws<ArgumentException>(() => TransportAddress.FromIPv6(new byte[15], 1));
        Assert.Throws<ArgumentException>(() => TransportAddress.FromIPv6(new byte[17], 1));
        Assert.Equal(A("1.2.3.4:5"), TransportAddress.FromIPv4([1, 2, 3, 4], 5));
        Assert.Equal(A("1.2.3.4:5"), TransportAddress.FromIPv4(0x01020304u, 5));
        byte[] v6 = IPAddress.Parse("2001:db8:1:2:3:4:5:6").GetAddressBytes();
        Assert.Equal(A("[2001:db8:1:2:3:4:5:6]:5"), TransportAddress.FromIPv6(v6, 5));
    }

    [Fact]
    public void Constructor_ChecksArgumentsAndPortRange()
    {
        Assert.Throws<ArgumentNullException>(() => new TransportAddress((IPAddress)null!, 1));
        Assert.Throws<ArgumentNullException>(() => new TransportAddress((IPEndPoint)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransportAddress(IPAddress.Loopback, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransportAddress(IPAddress.Loopback, 65536));

        // Ports are 16 bits (RFC 768, RFC 9293): 0 and 65535 are both representable.
        Assert.Equal(0, new TransportAddress(IPAddress.Loopback, 0).Port);
        Assert.Equal(65535, new TransportAddress(IPAddress.Loopback, 65535).Port);

        // An IPv4-mapped IPv6 IPAddress stays IPv6 (its 16 bytes are kept).
        var mapped = new TransportAddress(IPAddress.Parse("::ffff:192.0.2.1"), 1);
        Assert.True(mapped.IsIPv6);
        Assert.Equal(new TransportAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80)), A("192.0.2.1:80"));
    }

    [Theory]
    // RFC 1122 §3.2.1.3 / RFC 6890: 127.0.0.0/8 is loopback; RFC 4291 §2.5.3: ::1 is the IPv6 loopback.
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.255.255", true)]
    [InlineData("126.255.255.255", false)]
    [InlineData("128.0.0.1", false)]
    [InlineData("0.0.0.1", false)]
    [InlineData("::1", true)]
    [InlineData("::", false)]
    [InlineData("::2", false)]
    [InlineData("1::1", false)]
    [InlineData("::1:0:0:1", false)]
    [InlineData("::127.0.0.1", false)]
    public void IsLoopback(string ip, bool expected)
    {
        Assert.True(TransportAddress.TryParse(ip, 1, out TransportAddress a));
        Assert.Equal(expected, a.IsLoopback);
    }

    [Theory]
    // RFC 3927: 169.254.0.0/16; RFC 4291 §2.5.6: fe80::/10.
    [InlineData("169.254.0.0", true)]
    [InlineData("169.254.255.255", true)]
    [InlineData("169.253.255.255", false)]
    [InlineData("169.255.0.0", false)]
    [InlineData("fe80::1", true)]
    [InlineData("febf:ffff::1", true)]
    [InlineData("fe7f:ffff::1", false)]
    [InlineData("fec0::1", false)]
    [InlineData("::a9fe:1", false)] // an IPv6 address whose low 32 bits look like 169.254.0.1
    public void IsLinkLocal(string ip, bool expected)
    {
        Assert.True(TransportAddress.TryParse(ip, 1, out TransportAddress a));
        Assert.Equal(expected, a.IsLinkLocal);
    }

    [Theory]
    // RFC 1918 §3: 10/8, 172.16/12, 192.168/16; RFC 4193 §3.1: fc00::/7.
    [InlineData("9.255.255.255", false)]
    [InlineData("10.0.0.0", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.0", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.16.0.0", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.0", false)]
    [InlineData("192.167.255.255", false)]
    [InlineData("192.168.0.0", true)]
    [InlineData("192.168.255.255", true)]
    [InlineData("192.169.0.0", false)]
    [InlineData("fc00::", true)]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("fbff:ffff::1", false)]
    [InlineData("fe00::", false)]
    [InlineData("::a00:1", false)] // low 32 bits look like 10.0.0.1
    [InlineData("::c0a8:1", false)] // low 32 bits look like 192.168.0.1
    [InlineData("::ac10:1", false)] // low 32 bits look like 172.16.0.1
    public void IsPrivate(string ip, bool expected)
    {
        Assert.True(TransportAddress.TryParse(ip, 1, out TransportAddress a));
        Assert.Equal(expected, a.IsPrivate);
    }

    [Theory]
    // RFC 4291 §2.5.5.2: ::ffff:0:0/96.
    [InlineData("::ffff:192.0.2.1", true)]
    [InlineData("::ffff:0.0.0.0", true)]
    [InlineData("::fffe:192.0.2.1", false)]
    [InlineData("::1:ffff:192.0.2.1", false)]
    [InlineData("1::ffff:192.0.2.1", false)]
    [InlineData("192.0.2.1", false)]
    public void IsIPv4MappedToIPv6(string ip, bool expected)
    {
        Assert.True(TransportAddress.TryParse(ip, 1, out TransportAddress a));
        Assert.Equal(expected, a.IsIPv4MappedToIPv6);
    }

    [Fact]
    public void UnmapIPv4_KeepsThePort()
    {
        TransportAddress unmapped = A("[::ffff:192.0.2.1]:4000").UnmapIPv4();
        Assert.True(unmapped.IsIPv4);
        Assert.Equal(A("192.0.2.1:4000"), unmapped);
        Assert.Equal(A("[2001:db8::1]:4000"), A("[2001:db8::1]:4000").UnmapIPv4());
        Assert.Equal(A("192.0.2.1:4000"), A("192.0.2.1:4000").UnmapIPv4());
    }

    [Fact]
    public void Parse_AddressAndPort()
    {
        Assert.Equal(TransportAddress.FromIPv4(0xC0000201, 3478), A("192.0.2.1:3478"));
        Assert.True(TransportAddress.TryParse("[::1]:9", out TransportAddress v6));
        Assert.True(v6.IsIPv6 && v6.IsLoopback && v6.Port == 9);
        Assert.False(TransportAddress.TryParse("not an address", out TransportAddress bad));
        Assert.True(bad.IsEmpty);
        FormatException e = Assert.Throws<FormatException>(() => TransportAddress.Parse("host.example:1"));
        Assert.Contains("host.example:1", e.Message);
    }

    [Theory]
    // RFC 3986 §3.2.2 dec-octet: 0-255 without leading zeros, four of them separated by dots.
    [InlineData("0.0.0.0", 0x00000000u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("1.2.3.4", 0x01020304u)]
    [InlineData("10.200.99.9", 0x0AC86309u)]
    [InlineData("199.249.250.251", 0xC7F9FAFBu)]
    public void TryParseWithPort_DottedQuad(string text, uint expected)
    {
        Assert.True(TransportAddress.TryParse(text, 5, out TransportAddress a));
        Assert.Equal(TransportAddress.FromIPv4(expected, 5), a);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.4a")]
    [InlineData("1..2.3")]
    [InlineData(".1.2.3")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.256")]
    [InlineData("1000.0.0.1")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.04")]
    [InlineData("00.0.0.0")]
    [InlineData("1,2,3,4")]
    [InlineData("a.b.c.d")]
    [InlineData("1:2")]
    [InlineData("host")]
    public void TryParseWithPort_RejectsWhatIsNotAnAddress(string text)
    {
        Assert.False(TransportAddress.TryParse(text, 5, out TransportAddress a));
        Assert.True(a.IsEmpty);
    }

    [Fact]
    public void TryParseWithPort_PortRangeAndIPv6()
    {
        Assert.True(TransportAddress.TryParse("1.2.3.4", 65535, out TransportAddress hi));
        Assert.Equal(65535, hi.Port);
        Assert.True(TransportAddress.TryParse("1.2.3.4", 0, out TransportAddress lo));
        Assert.Equal(0, lo.Port);
        Assert.False(TransportAddress.TryParse("1.2.3.4", 65536, out _));
        Assert.False(TransportAddress.TryParse("1.2.3.4", -1, out _));
        Assert.False(TransportAddress.TryParse("::1", 65536, out _));

        Assert.True(TransportAddress.TryParse("2001:db8::5", 80, out TransportAddress v6));
        Assert.Equal(A("[2001:db8::5]:80"), v6);
        Assert.True(TransportAddress.TryParse("fe80::1%3", 80, out TransportAddress scoped));
        Assert.Equal(3u, scoped.ScopeId);
        Assert.False(TransportAddress.TryParse("2001:db8::g", 80, out _));
    }

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("255.254.253.252", "255.254.253.252")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    public void TryFormatAddress(string ip, string expected)
    {
        Assert.True(TransportAddress.TryParse(ip, 1, out TransportAddress a));
        char[] buf = new char[64];
        Assert.True(a.TryFormatAddress(buf, out int n));
        Assert.Equal(expected, new string(buf, 0, n));
        Assert.False(a.TryFormatAddress(new char[expected.Length - 1], out _));
    }

    [Fact]
    public void WithPort_ChangesOnlyThePort()
    {
        TransportAddress a = A("[fe80::1%4]:1");
        TransportAddress b = a.WithPort(65535);
        Assert.Equal(65535, b.Port);
        Assert.True(b.SameAddress(a));
        Assert.Equal(4u, b.ScopeId);
        Assert.Equal(A("[fe80::1%4]:65535"), b);
        Assert.Throws<OverflowException>(() => a.WithPort(65536));
        Assert.Throws<OverflowException>(() => a.WithPort(-1));
    }

    [Fact]
    public void Equality_ComparesFamilyAddressPortAndScope()
    {
        TransportAddress a = A("192.0.2.1:1000");
        Assert.True(a == A("192.0.2.1:1000"));
        Assert.False(a != A("192.0.2.1:1000"));
        Assert.True(a.Equals((object)A("192.0.2.1:1000")));
        Assert.False(a.Equals((object)"192.0.2.1:1000"));
        Assert.False(a.Equals(null));
        Assert.Equal(a.GetHashCode(), A("192.0.2.1:1000").GetHashCode());

        Assert.True(a != A("192.0.2.1:1001"));   // port
        Assert.True(a != A("192.0.2.2:1000"));   // address
        Assert.False(a == A("192.0.2.2:1000"));

        // The same 128 bits except the family: 0.0.0.1 and ::1 are different addresses.
        TransportAddress v4 = TransportAddress.FromIPv4(1u, 7);
        TransportAddress v6 = A("[::1]:7");
        Assert.NotEqual(v4, v6);
        Assert.False(v4.SameAddress(v6));

        // The high 64 bits alone differ.
        Assert.NotEqual(A("[1::1]:7"), v6);
        Assert.False(A("[1::1]:7").SameAddress(v6));

        // The scope id alone differs (RFC 4007 §6: fe80::1%1 and fe80::1%2 are different zones).
        Assert.NotEqual(A("[fe80::1%1]:7"), A("[fe80::1%2]:7"));
        Assert.True(A("[fe80::1%1]:7").SameAddress(A("[fe80::1%2]:7")));
    }

    [Fact]
    public void SameAddress_IgnoresOnlyThePort()
    {
        Assert.True(A("192.0.2.1:1").SameAddress(A("192.0.2.1:2")));
        Assert.False(A("192.0.2.1:1").SameAddress(A("192.0.2.9:1")));
        Assert.True(A("[2001:db8::1]:1").SameAddress(A("[2001:db8::1]:2")));
        Assert.False(A("[2001:db8::1]:1").SameAddress(A("[2001:db8::2]:1")));
    }

    [Fact]
    public void SocketAddress_IPv4RoundTrip()
    {
        SocketAddress sa = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 54321).Serialize();
        Assert.True(TransportAddress.TryReadFrom(sa, out TransportAddress a));
        Assert.Equal(A("198.51.100.7:54321"), a);

        var target = new SocketAddress(AddressFamily.InterNetwork);
        A("203.0.113.9:3478").WriteTo(target);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 3478), new IPEndPoint(IPAddress.Any, 0).Create(target));

        Assert.Throws<ArgumentNullException>(() => TransportAddress.TryReadFrom(null!, out _));
        Assert.Throws<ArgumentNullException>(() => a.WriteTo(null!));
    }

    [Fact]
    public void SocketAddress_IPv6RoundTripWithScope()
    {
        SocketAddress sa = new IPEndPoint(IPAddress.Parse("fe80::abcd%5"), 443).Serialize();
        Assert.True(TransportAddress.TryReadFrom(sa, out TransportAddress a));
        Assert.Equal(A("[fe80::abcd%5]:443"), a);
        Assert.Equal(5u, a.ScopeId);

        var target = new SocketAddress(AddressFamily.InterNetworkV6);
        target.Buffer.Span[2..].Fill(0xAA); // stale bytes (flow info, address, scope) must all be overwritten
        A("[2001:db8::77]:8443").WriteTo(target);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::77"), 8443), new IPEndPoint(IPAddress.IPv6Any, 0).Create(target));
        Assert.True(TransportAddress.TryReadFrom(target, out TransportAddress back));
        Assert.Equal(A("[2001:db8::77]:8443"), back);
        Assert.Equal(new byte[4], target.Buffer.Span.Slice(4, 4).ToArray()); // RFC 3493 §3.3 sin6_flowinfo

        var scoped = new SocketAddress(AddressFamily.InterNetworkV6);
        A("[fe80::1%9]:1").WriteTo(scoped);
        Assert.True(TransportAddress.TryReadFrom(scoped, out TransportAddress s));
        Assert.Equal(9u, s.ScopeId);
    }

    [Fact]
    public void SocketAddress_IPv4IntoIPv6BecomesMapped()
    {
        // RFC 4291 §2.5.5.2 / RFC 3493 §3.7: a dual-stack socket names an IPv4 peer as ::ffff:a.b.c.d.
        var target = new SocketAddress(AddressFamily.InterNetworkV6);
        target.Buffer.Span[2..].Fill(0x55);
        A("192.0.2.33:5000").WriteTo(target);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.33"), 5000), new IPEndPoint(IPAddress.IPv6Any, 0).Create(target));
        Assert.True(TransportAddress.TryReadFrom(target, out TransportAddress back));
        Assert.True(back.IsIPv4MappedToIPv6);
        Assert.Equal(0u, back.ScopeId);
        Assert.Equal(A("192.0.2.33:5000"), back.UnmapIPv4());
        Assert.Equal(new byte[4], target.Buffer.Span.Slice(4, 4).ToArray());
    }

    [Fact]
    public void SocketAddress_MismatchesAreRejected()
    {
        var v4 = new SocketAddress(AddressFamily.InterNetwork);
        Assert.Throws<ArgumentException>(() => A("[2001:db8::1]:1").WriteTo(v4));
        Assert.Throws<ArgumentException>(() => default(TransportAddress).WriteTo(v4));

        Assert.False(TransportAddress.TryReadFrom(new SocketAddress(AddressFamily.Unix, 16), out TransportAddress u));
        Assert.True(u.IsEmpty);

        // Too short for sockaddr_in (8 bytes up to the address) / sockaddr_in6 (28 bytes).
        var shortV4 = new IPEndPoint(IPAddress.Parse("1.2.3.4"), 1).Serialize();
        shortV4.Size = 7;
        Assert.False(TransportAddress.TryReadFrom(shortV4, out _));
        shortV4.Size = 8;
        Assert.True(TransportAddress.TryReadFrom(shortV4, out TransportAddress eight));
        Assert.Equal(A("1.2.3.4:1"), eight);
        var shortV6 = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1).Serialize();
        shortV6.Size = 27;
        Assert.False(TransportAddress.TryReadFrom(shortV6, out _));
        shortV6.Size = 28;
        Assert.True(TransportAddress.TryReadFrom(shortV6, out TransportAddress full));
        Assert.Equal(A("[2001:db8::1]:1"), full);
    }
}
