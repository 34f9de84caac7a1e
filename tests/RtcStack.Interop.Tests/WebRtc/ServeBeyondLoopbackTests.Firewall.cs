using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using RtcStack.Ice;
using RtcStack.Interop.Tests.Ice;
using RtcStack.Stun.Turn;
using RtcStack.TestSupport;
using RtcStack.WebRtc;
using Xunit;

namespace RtcStack.Interop.Tests.WebRtc;

public sealed partial class ServeBeyondLoopbackTests
{
    private const string TurnName = "turn.rtcstack.test";

    /// <summary>
    /// <c>serve</c> on a network whose firewall blocks UDP (issue 12, "TURN over TCP and TLS for networks that block
    /// UDP"): four namespaces, the server's LAN (10.64.0.0/24), a router whose nftables forward chain drops every UDP
    /// datagram into or out of that LAN, a TURN server (coturn on 198.51.100.2, listening on TCP or TLS only, relaying
    /// from the same address) and a caller (192.0.2.2). <c>serve</c> is given the TURN server by name
    /// (<c>turn:turn.rtcstack.test?transport=tcp</c> or <c>turns:turn.rtcstack.test</c>), which its namespace resolves
    /// through the system resolver (<c>/etc/netns/NAME/hosts</c>, which <c>ip netns exec</c> mounts over /etc/hosts:
    /// name resolution without a DNS server); for TLS it trusts coturn's self-signed certificate through
    /// <c>--turn-ca</c> and checks it against that name. The call must connect over the relayed candidate and carry
    /// the echo back, the router must have dropped UDP (the checks towards the server's host candidate), and coturn
    /// must show the allocation on the stream transport. Control: the same server without <c>--turn</c> offers only
    /// its host candidate and the call does not connect.
    /// </summary>
    [Theory]
    [InlineData(TurnTransport.Tcp)]
    [InlineData(TurnTransport.Tls)]
    public async Task BehindAFirewallThatBlocksUdp_TurnOverTcpOrTlsByName_CarriesTheCall_WhileWithoutItItCannot(TurnTransport transport)
    {
        using NetworkNamespace lan = NetworkNamespace.Create("rtcs-fw");
        using NetworkNamespace router = NetworkNamespace.Create("rtcs-rtr");
        using NetworkNamespace turnNet = NetworkNamespace.Create("rtcs-turn");
        using NetworkNamespace caller = NetworkNamespace.Create("rtcs-call");
        NetworkNamespace.Link(lan, "eth0", router, "inside");
        NetworkNamespace.Link(caller, "eth0", router, "outside");
        NetworkNamespace.Link(turnNet, "eth0", router, "turnnet");
        lan.AddAddress("eth0", "10.64.0.2/24");
        lan.Ip("route", "add", "default", "via", "10.64.0.1");
        router.AddAddress("inside", "10.64.0.1/24");
        router.AddAddress("outside", "192.0.2.1/24");
        router.AddAddress("turnnet", "198.51.100.1/24");
        router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        router.Nft("""
            table inet firewall {
              chain forward {
                type filter hook forward priority filter; policy accept;
                iifname "inside" meta l4proto udp counter drop;
                oifname "inside" meta l4proto udp counter drop;
              }
            }
            """);
        caller.AddAddress("eth0", "192.0.2.2/24");
        caller.Ip("route", "add", "default", "via", "192.0.2.1");
        turnNet.AddAddress("eth0", "198.51.100.2/24");
        turnNet.Ip("route", "add", "default", "via", "198.51.100.1");

        // The server's namespace resolves the TURN server's name from its own hosts file (ip netns exec mounts it).
        string etc = Path.Combine("/etc/netns", lan.Name);
        Directory.CreateDirectory(etc);
        try
        {
            File.WriteAllText(Path.Combine(etc, "hosts"), $"127.0.0.1 localhost\n::1 localhost\n198.51.100.2 {TurnName}\n");
            using var coturn = new CoturnServer(turnNet, "198.51.100.2", "198.51.100.2", TurnName, udp: false, tcp: transport == TurnTransport.Tcp, tls: transport == TurnTransport.Tls);
            string credentials = $"{CoturnServer.User}:{CoturnServer.Password}@";
            List<string> turnArgs = transport == TurnTransport.Tls
                ? ["--turn", $"{credentials}turns:{TurnName}:{coturn.TlsPort}", "--turn-ca", coturn.CertificatePath!]
                : ["--turn", $"{credentials}turn:{TurnName}:{coturn.Port}?transport=tcp"];

            int port = 22000 + Random.Shared.Next(0, 2000);
            string portText = port.ToString(CultureInfo.InvariantCulture);
            Task<ServeProcess> withTask = ServeProcess.StartAsync(lan, ["--address", "10.64.0.2", "--port", portText, .. turnArgs], output);
            Task<ServeProcess> withoutTask = ServeProcess.StartAsync(lan, ["--address", "10.64.0.2", "--port", (port + 1).ToString(CultureInfo.InvariantCulture)], output);
            using ServeProcess with = await withTask;
            using ServeProcess without = await withoutTask;

            long droppedBefore = ForwardDrops(router);
            CallResult call = await CallAsync(caller, IPAddress.Parse("192.0.2.2"), $"http://10.64.0.2:{port}/whip");
            long dropped = ForwardDrops(router) - droppedBefore;
            output.WriteLine($"TURN over {transport}: candidates [{string.Join(", ", call.AnswerCandidates)}], selected {call.SelectedRemoteType} {call.SelectedRemote}, " +
                $"connected in {call.ConnectMs:F0} ms, {call.FramesBack}/50 frames back, UDP datagrams the router dropped {dropped}");
            Assert.Contains(call.AnswerCandidates, c => c.Contains(" 198.51.100.2 ", StringComparison.Ordinal) && c.Contains(" typ relay", StringComparison.Ordinal));
            Assert.Contains(call.AnswerCandidates, c => c.Contains(" 10.64.0.2 ", StringComparison.Ordinal) && c.Contains(" typ host", StringComparison.Ordinal));
            Assert.Equal(PeerConnectionState.Connected, call.State);
            Assert.Equal(IceCandidateType.Relayed, call.SelectedRemoteType);
            Assert.Equal("198.51.100.2", call.SelectedRemote.AddressToString());
            Assert.InRange(call.FramesBack, 45, 50);
            Assert.True(dropped > 0, "the checks towards the server's host candidate should have reached the router's firewall and been dropped");
            string log = coturn.Log;
            Assert.Contains(transport == TurnTransport.Tls ? "method=TLS" : "ALLOCATE processed, success", log, StringComparison.Ordinal);
            Assert.Contains("CHANNEL_BIND processed, success", log, StringComparison.Ordinal);
            Assert.Contains("peer 192.0.2.2 lifetime updated", log, StringComparison.Ordinal); // the permission for the caller

            if (transport == TurnTransport.Tcp)
            {
                CallResult control = await CallAsync(caller, IPAddress.Parse("192.0.2.2"), $"http://10.64.0.2:{port + 1}/whip", connectWithin: TimeSpan.FromSeconds(4));
                output.WriteLine($"control without --turn: candidates [{string.Join(", ", control.AnswerCandidates)}], state {control.State}");
                Assert.Contains(" 10.64.0.2 ", Assert.Single(control.AnswerCandidates), StringComparison.Ordinal);
                Assert.NotEqual(PeerConnectionState.Connected, control.State);
            }
        }
        finally
        {
            Directory.Delete(etc, recursive: true);
        }
    }

    private static long ForwardDrops(NetworkNamespace router)
    {
        long total = 0;
        foreach (Match m in PacketsRegex().Matches(router.Exec("nft", "list", "chain", "inet", "firewall", "forward")))
        {
            total += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        return total;
    }
}
