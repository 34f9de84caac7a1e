using RtcStack.Stun;

namespace RtcStack.Ice.Tests;

public class IceCandidateTests
{
    [Theory]
    [InlineData("candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 192.168.1.5 rport 46154 generation 0 ufrag sXrM network-cost 999")]
    [InlineData("candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host")]
    [InlineData("candidate:3 2 udp 16777215 198.51.100.9 60000 typ relay raddr 203.0.113.7 rport 5000")]
    [InlineData("candidate:4 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0 network-id 1")]
    [InlineData("candidate:5 1 tcp 1518214911 192.168.1.5 50000 typ host tcptype passive")]
    [InlineData("candidate:6 1 tcp 1518214911 192.168.1.5 50001 typ host tcptype so")]
    [InlineData("candidate:7 1 udp 1845501695 2001:db8::1 1234 typ prflx raddr 2001:db8::2 rport 99")]
    [InlineData("candidate:8 1 udp 2122260223 3f6e9d67-1b6e-4a0f-9b3c-6c1a3f5f1f0e.local 54321 typ host generation 0 ufrag abcd network-id 1 network-cost 10")]
    [InlineData("candidate:a+/Z 256 udp 0 10.0.0.1 0 typ host")]
    public void RoundTrips(string line)
    {
        Assert.True(IceCandidate.TryParse(line, out IceCandidate? c));
        Assert.Equal(line, c!.ToString());
        Assert.True(IceCandidate.TryParse("a=" + line + "\r\n", out IceCandidate? again));
        Assert.Equal(line, again!.ToString());
    }

    [Fact]
    public void ParsesFields()
    {
        IceCandidate c = IceCandidate.Parse("candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 192.168.1.5 rport 46154 generation 2 ufrag sXrM network-id 3 network-cost 50");
        Assert.Equal("842163049", c.Foundation);
        Assert.Equal(1, c.Component);
        Assert.Equal(IceTransportProtocol.Udp, c.Protocol);
        Assert.Equal(1677729535u, c.Priority);
        Assert.Equal(TransportAddress.Parse("203.0.113.7:46154"), c.Address);
        Assert.Equal(IceCandidateType.ServerReflexive, c.Type);
        Assert.Equal(TransportAddress.Parse("192.168.1.5:46154"), c.RelatedAddress);
        Assert.Equal(2, c.Generation);
        Assert.Equal("sXrM", c.Ufrag);
        Assert.Equal([new("network-id", "3"), new("network-cost", "50")], c.Extensions);

        IceCandidate mdns = IceCandidate.Parse("candidate:1 1 UDP 2122260223 abc-def.local 54321 typ host");
        Assert.True(mdns.Address.IsEmpty);
        Assert.Equal("abc-def.local", mdns.HostName);
        Assert.Equal(54321, mdns.Port);

        IceCandidate tcp = IceCandidate.Parse("candidate:4 1 TCP 1518280447 192.168.1.5 9 typ host tcptype active");
        Assert.Equal(IceTcpType.Active, tcp.TcpType);
        Assert.Equal(IceTransportProtocol.Tcp, tcp.Protocol);
    }

    [Theory]
    [InlineData("")]
    [InlineData("candidate:")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 typ")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 type host")]
    [InlineData("candidate:1 0 udp 1 1.2.3.4 5 typ host")]
    [InlineData("candidate:1 257 udp 1 1.2.3.4 5 typ host")]
    [InlineData("candidate:1 1 sctp 1 1.2.3.4 5 typ host")]
    [InlineData("candidate:1 1 udp 4294967296 1.2.3.4 5 typ host")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 65536 typ host")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 typ bogus")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 typ host generation")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 typ host rport x")]
    [InlineData("candidate:1 1 udp 1 1.2.3.4 5 typ host tcptype sideways")]
    [InlineData("candidate:1 1 udp 1 bad_host! 5 typ host")]
    [InlineData("candidate:f@o 1 udp 1 1.2.3.4 5 typ host")]
    [InlineData("candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host")]
    [InlineData("candidate:1 1 udp 1 256.1.1.1 5 typ host")]
    [InlineData("foo:1 1 udp 1 1.2.3.4 5 typ host")]
    public void RejectsMalformed(string line)
    {
        Assert.False(IceCandidate.TryParse(line, out IceCandidate? c));
        Assert.Null(c);
    }

    [Fact]
    public void RandomMutations_NeverThrow()
    {
        var rng = new Random(42);
        string seed = "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 192.168.1.5 rport 46154 generation 0 ufrag sXrM network-cost 999";
        for (int i = 0; i < 20000; i++)
        {
            char[] chars = seed.ToCharArray();
            for (int k = 0; k < 1 + (i % 5); k++)
            {
                chars[rng.Next(chars.Length)] = (char)rng.Next(0x20, 0x7F);
            }

            string s = new string(chars)[..rng.Next(chars.Length + 1)];
            if (IceCandidate.TryParse(s, out IceCandidate? c))
            {
                Assert.True(IceCandidate.TryParse(c!.ToString(), out IceCandidate? again));
                Assert.Equal(c.ToString(), again!.ToString());
            }
        }
    }

    [Fact]
    public void Priority_Rfc8445Formula()
    {
        // RFC 8445 §5.1.2.1: host, local preference 65535, component 1.
        Assert.Equal((126u << 24) | (65535u << 8) | 255u, IceCandidate.ComputePriority(126, 65535, 1));
        Assert.Equal(2130706431u, IceCandidate.ComputePriority(126, 65535, 1));
        Assert.Equal(254u, IceCandidate.ComputePriority(0, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => IceCandidate.ComputePriority(127, 0, 1));

        // RFC 8445 §6.1.2.3 pair priority: controlling G, controlled D.
        Assert.Equal((1UL << 32) + (2UL * 5) + 0, IceCandidatePair.ComputePriority(1, 5));
        Assert.Equal((1UL << 32) + (2UL * 5) + 1, IceCandidatePair.ComputePriority(5, 1));
    }
}
