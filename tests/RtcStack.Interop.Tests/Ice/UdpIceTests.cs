using RtcStack.Ice;
using RtcStack.Stun;
using Xunit;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>ICE over real UDP sockets on 127.0.0.1 through the UdpDriver, directly and relayed by coturn.</summary>
[Trait("Category", "Interop")]
public sealed class UdpIceTests
{
    private static bool Connected(UdpIcePeer p) => p.State is IceConnectionState.Connected or IceConnectionState.Completed;

    [Fact]
    public void Loopback_ConnectsAndCarriesDataBothWays()
    {
        using var a = new UdpIcePeer(new IceAgentOptions { Role = IceRole.Controlling }, sockets: 2);
        using var b = new UdpIcePeer(new IceAgentOptions { Role = IceRole.Controlled });
        UdpIcePeer.Start(a, b);
        Assert.True(UdpIcePeer.Run(a, b, () => Connected(a) && Connected(b), TimeSpan.FromSeconds(10)), $"A {a.State}, B {b.State}");

        for (int i = 0; i < 20; i++)
        {
            Assert.True(a.Send([0x17, 0xfe, 0xfd, (byte)i]));
            Assert.True(b.Send([0x80, 0x60, 0, (byte)i]));
        }

        Assert.True(UdpIcePeer.Run(a, b, () => a.Received.Count == 20 && b.Received.Count == 20, TimeSpan.FromSeconds(5)), $"A got {a.Received.Count}, B got {b.Received.Count}");
        Assert.All(b.Received, d => Assert.Equal(0x17, d[0]));
        IceCandidatePair? pair = null;
        a.Driver.Invoke((_, _) => pair = a.Agent.GetSelectedPair());
        Assert.Equal(IceCandidateType.Host, pair!.Local.Type);
        Assert.True(pair.Local.Address.IsLoopback);
        Assert.Contains(a.AllEvents, e => e is IceSelectedPairChangedEvent);
        Assert.True(a.Driver.DatagramsSent > 0 && a.Driver.DatagramsReceived > 0);
        Assert.Equal(0, a.Driver.SendErrors);
    }

    [Fact]
    public void RelayOnlyPolicy_ThroughCoturn_ConnectsAndCarriesData()
    {
        using var coturn = new CoturnServer();
        IceAgentOptions Options(IceRole role)
        {
            var o = new IceAgentOptions { Role = role, Policy = IceTransportPolicy.Relay };
            o.Servers.Add(new IceServer(coturn.Address, CoturnServer.User, CoturnServer.Password));
            return o;
        }

        using var a = new UdpIcePeer(Options(IceRole.Controlling));
        using var b = new UdpIcePeer(Options(IceRole.Controlled));
        UdpIcePeer.Start(a, b);
        Assert.True(UdpIcePeer.Run(a, b, () => Connected(a) && Connected(b), TimeSpan.FromSeconds(15)), $"A {a.State}, B {b.State}\n{coturn.Log}");

        // Only relayed candidates were signalled, and the selected pair is relay <-> relay.
        Assert.All(a.AllEvents.OfType<IceCandidateGatheredEvent>(), e => Assert.Equal(IceCandidateType.Relayed, e.Candidate.Type));
        IceCandidatePair? pa = null;
        a.Driver.Invoke((_, _) => pa = a.Agent.GetSelectedPair());
        Assert.Equal(IceCandidateType.Relayed, pa!.Local.Type);
        Assert.Equal(IceCandidateType.Relayed, pa.Remote.Type);
        Assert.NotEqual(a.Driver.LocalAddresses[0].Port, pa.Local.Address.Port);

        for (int i = 0; i < 10; i++)
        {
            Assert.True(a.Send([0x17, (byte)i, 1, 2, 3]));
            Assert.True(b.Send([0x17, (byte)i, 4, 5, 6]));
        }

        Assert.True(UdpIcePeer.Run(a, b, () => a.Received.Count == 10 && b.Received.Count == 10, TimeSpan.FromSeconds(5)), $"A got {a.Received.Count}, B got {b.Received.Count}");
        Assert.Contains(b.Received, d => d[1] == 9 && d[2] == 1);
    }
}
