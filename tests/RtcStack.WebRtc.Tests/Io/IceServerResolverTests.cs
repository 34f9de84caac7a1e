using RtcStack.Ice;
using RtcStack.Stun;
using RtcStack.Stun.Turn;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests.Io;

/// <summary>STUN/TURN URIs with names become the agent's <see cref="IceServer"/>s in the IO layer (only "localhost" and literals here: no DNS traffic).</summary>
public sealed class IceServerResolverTests
{
    private static IceServerUri Uri(string text) => IceServerUri.TryParse(text, out IceServerUri? uri, out string? error) ? uri : throw new ArgumentException(error);

    [Fact]
    public async Task AName_ResolvesToItsAddresses_AndKeepsTheNameForTls()
    {
        IReadOnlyList<IceServer> servers = await IceServerResolver.ResolveAsync(Uri("turns:localhost:5350"), "u", "p");
        IceServer v4 = Assert.Single(servers, s => s.Address.IsIPv4);
        Assert.Equal(TransportAddress.Parse("127.0.0.1:5350"), v4.Address);
        Assert.Equal(TurnTransport.Tls, v4.Transport);
        Assert.Equal("localhost", v4.ServerName);
        Assert.True(v4.IsTurn);
        Assert.All(servers, s => Assert.True(s.Address.IsLoopback));
    }

    [Fact]
    public async Task AStunUri_GivesAServerWithoutCredentials_AndALiteralKeepsNoName()
    {
        IceServer stun = Assert.Single(await IceServerResolver.ResolveAsync(Uri("stun:192.0.2.7"), "ignored", "ignored"));
        Assert.Equal(TransportAddress.Parse("192.0.2.7:3478"), stun.Address);
        Assert.False(stun.IsTurn);
        Assert.Null(stun.ServerName);
        IceServer v6 = Assert.Single(await IceServerResolver.ResolveAsync(Uri("turn:[2001:db8::7]?transport=tcp"), "u", "p"));
        Assert.Equal(TransportAddress.Parse("[2001:db8::7]:3478"), v6.Address);
        Assert.Equal(TurnTransport.Tcp, v6.Transport);
    }

    [Fact]
    public async Task ATurnServerWithoutCredentials_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => IceServerResolver.ResolveAsync(Uri("turn:192.0.2.7"), null, null));
    }
}
