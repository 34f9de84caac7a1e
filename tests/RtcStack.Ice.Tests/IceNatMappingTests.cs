using System.Net;

namespace RtcStack.Ice.Tests;

public class IceNatMappingTests
{
    [Theory]
    [InlineData("203.0.113.5", "203.0.113.5", null)]
    [InlineData("203.0.113.5/10.0.0.2", "203.0.113.5", "10.0.0.2")]
    [InlineData("2001:db8::5", "2001:db8::5", null)]
    [InlineData("2001:db8::5/fd00::2", "2001:db8::5", "fd00::2")]
    public void Parses_PublicOrPublicSlashPrivate(string text, string expectedPublic, string? expectedPrivate)
    {
        Assert.True(IceNatMapping.TryParse(text, out IceNatMapping? m));
        Assert.Equal(IPAddress.Parse(expectedPublic), m.PublicAddress);
        Assert.Equal(expectedPrivate is null ? null : IPAddress.Parse(expectedPrivate), m.PrivateAddress);
        Assert.Equal(text, m.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("example.com")]
    [InlineData("203.0.113.5/")]
    [InlineData("/10.0.0.2")]
    [InlineData("203.0.113.5/2001:db8::1")]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("::")]
    [InlineData("203.0.113.5/10.0.0.2/1")]
    [InlineData("203.0.113.5:80")]
    public void Rejects_WhatIsNotAnAddressMapping(string text)
    {
        Assert.False(IceNatMapping.TryParse(text, out _));
    }
}
