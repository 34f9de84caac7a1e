using System.Net;
using System.Net.NetworkInformation;
using RtcStack.WebRtc.Io;
using Xunit;
using A = RtcStack.WebRtc.Io.HostAddresses.InterfaceAddress;

namespace RtcStack.WebRtc.Tests.Io;

/// <summary>Which interface addresses become host candidates when a host binds every interface (RFC 8445 §5.1.1.1).</summary>
public sealed class HostAddressesTests
{
    private static A Up(string nic, string ip, int prefix = 64, int flags = 0x80, bool loopback = false) =>
        new(nic, IPAddress.Parse(ip), loopback, OperationalStatus.Up, prefix, flags);

    private static string[] Select(bool includeLoopback, params A[] addresses) =>
        HostAddresses.Select(addresses, includeLoopback).Select(a => a.ToString()).ToArray();

    [Fact]
    public void Loopback_IsLeftOut_WhileOtherAddressesExist_UnlessAsked()
    {
        A[] all = [Up("lo", "127.0.0.1", 8, loopback: true), Up("lo", "::1", 128, loopback: true), Up("eth0", "192.168.1.20", 24), Up("eth0", "2001:db8::20")];
        Assert.Equal(["192.168.1.20", "2001:db8::20"], Select(false, all));
        Assert.Equal(["192.168.1.20", "2001:db8::20", "127.0.0.1", "::1"], Select(true, all));
    }

    [Fact]
    public void Loopback_IsUsed_WhenNothingElseExists()
    {
        Assert.Equal(["127.0.0.1", "::1"], Select(false, Up("lo", "127.0.0.1", 8, loopback: true), Up("lo", "::1", 128, loopback: true), Up("eth0", "fe80::1")));
    }

    [Theory]
    [InlineData("fe80::1")] // link-local: no zone in SDP
    [InlineData("fec0::1")] // site-local: MUST NOT
    [InlineData("::192.0.2.1")] // IPv4-compatible: MUST NOT
    [InlineData("::ffff:192.0.2.1")] // IPv4-mapped: SHOULD NOT
    [InlineData("ff02::1")]
    [InlineData("224.0.0.251")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void AddressesThatAreNoHostCandidates_AreLeftOut(string ip)
    {
        Assert.Equal(["10.0.0.1"], Select(false, Up("eth0", ip), Up("eth0", "10.0.0.1", 24)));
    }

    [Theory]
    [InlineData("169.254.10.20")] // IPv4 link-local works on a zeroconf link (pairs only with link-local peers)
    [InlineData("fd00::2")] // unique local
    [InlineData("10.1.2.3")]
    [InlineData("2001:db8:5::5")]
    public void PrivateAndLinkLocalIPv4AndUniqueLocalIPv6_AreKept(string ip)
    {
        Assert.Equal([ip], Select(false, Up("eth0", ip, 16)));
    }

    [Fact]
    public void DownInterfaces_AndTentativeDeprecatedOrDuplicateIPv6_AreLeftOut()
    {
        var down = new A("eth1", IPAddress.Parse("10.9.9.9"), false, OperationalStatus.Down, 24, 0);
        Assert.Equal(["2001:db8::1"], Select(false,
            down,
            Up("eth0", "2001:db8::1"),
            Up("eth0", "2001:db8::2", flags: 0x40), // tentative
            Up("eth0", "2001:db8::3", flags: 0x20), // deprecated
            Up("eth0", "2001:db8::4", flags: 0x08))); // DAD failed
    }

    /// <summary>RFC 8445 §5.1.1.1 / RFC 7721: beside a temporary (privacy) address, the trackable addresses of the same interface and prefix are not gathered.</summary>
    [Fact]
    public void TemporaryAddress_HidesStableOnesOfTheSameInterfaceAndPrefix()
    {
        Assert.Equal(["2001:db8:1::abcd", "2001:db8:2::1", "2001:db8:1::9"], Select(false,
            Up("eth0", "2001:db8:1::1"),
            Up("eth0", "2001:db8:1::abcd", flags: 0x01),
            Up("eth0", "2001:db8:2::1"),
            Up("wlan0", "2001:db8:1::9")));

        // A temporary address that is itself deprecated hides nothing.
        Assert.Equal(["2001:db8:1::1"], Select(false, Up("eth0", "2001:db8:1::1"), Up("eth0", "2001:db8:1::abcd", flags: 0x21)));
    }

    [Fact]
    public void AnAddressOnTwoInterfaces_IsListedOnce()
    {
        Assert.Equal(["10.0.0.1"], Select(false, Up("eth0", "10.0.0.1", 24), Up("eth0:1", "10.0.0.1", 24)));
    }
}
