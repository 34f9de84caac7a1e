using RtcStack.Stun.Turn;

namespace RtcStack.Ice.Tests;

/// <summary>RFC 7064/7065 STUN and TURN URIs as WebRTC configurations carry them.</summary>
public class IceServerUriTests
{
    [Theory]
    [InlineData("stun:stun.example.org", false, "stun.example.org", 3478, TurnTransport.Udp)]
    [InlineData("stun:192.0.2.1:19302", false, "192.0.2.1", 19302, TurnTransport.Udp)]
    [InlineData("turn:turn.example.org", true, "turn.example.org", 3478, TurnTransport.Udp)]
    [InlineData("turn:turn.example.org:3479?transport=udp", true, "turn.example.org", 3479, TurnTransport.Udp)]
    [InlineData("turn:turn.example.org?transport=tcp", true, "turn.example.org", 3478, TurnTransport.Tcp)]
    [InlineData("TURN:localhost:80?transport=TCP", true, "localhost", 80, TurnTransport.Tcp)]
    [InlineData("turns:turn.example.org", true, "turn.example.org", 5349, TurnTransport.Tls)]
    [InlineData("turns:turn.example.org:443?transport=tcp", true, "turn.example.org", 443, TurnTransport.Tls)]
    [InlineData("turn:[2001:db8::1]:3478", true, "2001:db8::1", 3478, TurnTransport.Udp)]
    [InlineData("turns:[2001:db8::1]", true, "2001:db8::1", 5349, TurnTransport.Tls)]
    public void Parses(string text, bool isTurn, string host, int port, TurnTransport transport)
    {
        Assert.True(IceServerUri.TryParse(text, out IceServerUri? uri, out string? error), error);
        Assert.Equal(new IceServerUri(isTurn, host, port, transport), uri);
        Assert.True(IceServerUri.TryParse(uri.ToString(), out IceServerUri? again, out _));
        Assert.Equal(uri, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("turn.example.org:3478")]
    [InlineData("http://turn.example.org")]
    [InlineData("stuns:stun.example.org")]
    [InlineData("turns:turn.example.org?transport=udp")]
    [InlineData("stun:stun.example.org?transport=tcp")]
    [InlineData("turn:turn.example.org?transport=sctp")]
    [InlineData("turn:turn.example.org?foo=bar")]
    [InlineData("turn:user@turn.example.org")]
    [InlineData("turn:turn.example.org/path")]
    [InlineData("turn:turn.example.org:0")]
    [InlineData("turn:turn.example.org:65536")]
    [InlineData("turn:turn.example.org:-1")]
    [InlineData("turn:turn.example.org:")]
    [InlineData("turn:2001:db8::1")]
    [InlineData("turn:[turn.example.org]")]
    [InlineData("turn:under_score.example")]
    [InlineData("turn:-bad.example")]
    [InlineData("turn:")]
    public void Refuses(string text)
    {
        Assert.False(IceServerUri.TryParse(text, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
