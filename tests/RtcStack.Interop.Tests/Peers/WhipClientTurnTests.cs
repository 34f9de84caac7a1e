using RtcStack.Ice;
using RtcStack.Interop.Tests.Ice;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Stun.Turn;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// RFC 9725 §4.6, client side: a TURN server over TCP or TLS named only in a <c>Link: rel="ice-server"</c> header of the
/// 201 (the client does not ask with OPTIONS first) is used by <see cref="WhipClient"/>. The endpoint is our own
/// <c>MapWhip</c> (<see cref="CallServer"/>); the TURN server is a real coturn on 127.0.0.1 that listens only on that
/// transport (no UDP listener, nothing can fall back). The client may use only relays (policy relay), so the call connects
/// only if the late server's TCP/TLS allocation works: its selected pair is relayed, and the endpoint receives its audio.
/// </summary>
[Trait("Category", "Interop")]
public sealed class WhipClientTurnTests
{
    [Theory]
    [InlineData(TurnTransport.Tcp)]
    [InlineData(TurnTransport.Tls)]
    public async Task ATurnServerOverTcpOrTlsLinkedOnlyOnThe201_IsUsed_AndARelayOnlyPublisherConnectsThroughIt(TurnTransport transport)
    {
        using var coturn = new CoturnServer(udp: false, tcp: transport == TurnTransport.Tcp, tls: transport == TurnTransport.Tls);
        string uri = transport == TurnTransport.Tls ? $"turns:localhost:{coturn.TlsPort}" : $"turn:localhost:{coturn.Port}?transport=tcp";
        var whip = new WhipEndpointOptions();
        whip.IceServerLinks.Add($"<{uri}>; rel=\"ice-server\"; username=\"{CoturnServer.User}\"; credential=\"{CoturnServer.Password}\"");
        await using CallServer server = await CallServer.StartAsync(whipOptions: whip);
        var options = new WhipClientOptions
        {
            EndpointUrl = new Uri(server.Web.BaseAddress + "/whip"),
            Certificate = CallServer.Certificate.Value,
            QueryIceServers = false, // the servers come only with the 201
            IceTransportPolicy = IceTransportPolicy.Relay,
            TurnCertificateValidation = TurnOverTcpAndTlsTests.TrustOnly(coturn.Certificate),
        };
        await using WhipClient client = await WhipClient.ConnectAsync(options);
        await client.WaitConnectedAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(client.IceServersUsed, s => s.Transport == transport && s.IsTurn); // resolved from the 201's link after ConnectAsync returned

        IceCandidatePair pair = client.Invoke(_ => client.Session.Transport.SelectedPair!);
        Assert.Equal(IceCandidateType.Relayed, pair.Local.Type);
        Assert.All(client.Invoke(_ => client.Session.LocalCandidateValues()), c => Assert.Contains(" typ relay ", c, StringComparison.Ordinal));
        Assert.DoesNotContain(client.OfferSdp.Split('\n'), l => l.StartsWith("a=candidate:", StringComparison.Ordinal)); // nothing before the 201

        for (int i = 0; i < 50; i++)
        {
            client.Invoke(now => client.Session.SendAudio(client.Audio, [0x78, (byte)i, 2, 3], (uint)(960 * i), now));
            await Task.Delay(20);
        }

        ServerCall call = Assert.Single(server.Calls);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (call.FramesReceived < 45 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.InRange(call.FramesReceived, 45, 50);
        string log = coturn.Log;
        Assert.Contains(transport == TurnTransport.Tls ? "method=TLS" : "ALLOCATE processed, success", log, StringComparison.Ordinal);
        Console.WriteLine($"WHIP client, TURN over {transport} linked on the 201: {call.FramesReceived} of 50 packets at the endpoint through the relay");
    }
}
