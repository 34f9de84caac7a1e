using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Stun.Turn;
using RtcStack.TestSupport;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>
/// TURN with the client-to-server leg over TCP and over TLS (RFC 8656 §3.1, ChannelData padded per §12.5) against a real
/// coturn on 127.0.0.1 that listens only on that transport (no UDP listener, so nothing can fall back to UDP), in a
/// call between two <see cref="WebRtcSession"/>s (session core v2, one audio section each way) on UdpSessionHosts: the caller may only use its relay (policy relay) and the call must
/// carry audio both ways. The server is named by DNS ("localhost", resolved by <see cref="IceServerResolver"/>), and for
/// TLS its self-signed certificate is checked against that name.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TurnOverTcpAndTlsTests
{
    private static readonly byte[] s_opus = [0xF8, 0x10, 0x20, 0x30, 0x40, 0x50];
    private static readonly Lazy<DtlsCertificate> s_certificate = new(() => DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    [Theory]
    [InlineData(TurnTransport.Tcp)]
    [InlineData(TurnTransport.Tls)]
    public async Task RelayOnlyCall_OverTurnTcpOrTls_CarriesAudioBothWays(TurnTransport transport)
    {
        using var coturn = new CoturnServer(udp: false, tcp: transport == TurnTransport.Tcp, tls: transport == TurnTransport.Tls);
        string uri = transport == TurnTransport.Tls ? $"turns:localhost:{coturn.TlsPort}" : $"turn:localhost:{coturn.Port}?transport=tcp";
        Assert.True(IceServerUri.TryParse(uri, out IceServerUri? parsed, out string? error), error);
        IReadOnlyList<IceServer> servers = await IceServerResolver.ResolveAsync(parsed, CoturnServer.User, CoturnServer.Password);
        Assert.Contains(servers, s => s.Address.IsIPv4 && s.Address.IsLoopback && s.Transport == transport && s.ServerName == "localhost");

        using var callerHost = new UdpSessionHost(new UdpSessionHostOptions { TurnCertificateValidation = TrustOnly(coturn.Certificate) });
        using var calleeHost = new UdpSessionHost();
        Peer caller = AddPeer(callerHost, 71, o =>
        {
            o.IceTransportPolicy = IceTransportPolicy.Relay;
            foreach (IceServer s in servers)
            {
                o.IceServers.Add(s);
            }
        });
        Peer callee = AddPeer(calleeHost, 72, _ => { });

        var started = System.Diagnostics.Stopwatch.StartNew();
        await ConnectAsync(caller, callee, coturn);
        TimeSpan connectTime = started.Elapsed;

        // Only the relay was signalled; the selected pair leaves through it, and the relay is coturn's (UDP towards the callee).
        IceCandidatePair pair = caller.Handle.Invoke(_ => caller.Session.Transport.SelectedPair!);
        Assert.Equal(IceCandidateType.Relayed, pair.Local.Type);
        Assert.All(caller.Handle.Invoke(_ => caller.Session.LocalCandidateValues()), c => Assert.Contains(" typ relay ", c, StringComparison.Ordinal));
        Assert.True(pair.Local.Address.IsLoopback);

        await TalkAsync([caller, callee], 50);
        Assert.InRange(caller.Frames.Count, 48, 50);
        Assert.InRange(callee.Frames.Count, 48, 50);
        uint callerSsrc = caller.Handle.Invoke(_ => caller.Session.Sections[0].Outbound!.Value.Ssrc);
        uint calleeSsrc = callee.Handle.Invoke(_ => callee.Session.Sections[0].Outbound!.Value.Ssrc);
        Assert.All(callee.Frames, f => Assert.Equal(callerSsrc, f.Ssrc));
        Assert.All(caller.Frames, f => Assert.Equal(calleeSsrc, f.Ssrc));
        Assert.Equal(0, callerHost.SendErrors);

        // coturn allocated on the stream transport and bound a channel (so media crossed it as padded ChannelData).
        string log = coturn.Log;
        Assert.Contains(transport == TurnTransport.Tls ? "method=TLS" : "ALLOCATE processed, success", log, StringComparison.Ordinal);
        Assert.Contains("CHANNEL_BIND processed, success", log, StringComparison.Ordinal);
        Console.WriteLine($"TURN over {transport}: connected in {connectTime.TotalMilliseconds:F0} ms, {callee.Frames.Count} and {caller.Frames.Count} frames");

        caller.Handle.Invoke(now => caller.Session.Close(now));
        callerHost.Remove(caller.Handle);
    }

    /// <summary>
    /// A TLS server whose certificate does not match the name asked for is refused: the relay fails at once (its connection
    /// closes, the agent hears of it) instead of waiting for the 39.5 s transaction timeout, and gathering completes empty.
    /// </summary>
    [Fact]
    public async Task TurnOverTls_WithTheWrongName_FailsFast_AndGathersNoRelay()
    {
        using var coturn = new CoturnServer(udp: false, tcp: false, tls: true);
        using var host = new UdpSessionHost(new UdpSessionHostOptions { TurnCertificateValidation = TrustOnly(coturn.Certificate) });
        Peer caller = AddPeer(host, 73, o =>
        {
            o.IceTransportPolicy = IceTransportPolicy.Relay;
            o.IceServers.Add(new IceServer(coturn.TlsAddress, CoturnServer.User, CoturnServer.Password) { Transport = TurnTransport.Tls, ServerName = "turn.invalid" });
        });

        var started = System.Diagnostics.Stopwatch.StartNew();
        caller.Handle.Invoke(now =>
        {
            caller.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv);
            return caller.Session.CreateOffer(now);
        });
        bool complete = false;
        while (!complete && started.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
            complete = caller.Handle.Invoke(_ => caller.Session.IsGatheringComplete);
        }

        Assert.True(complete, "gathering did not complete");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Empty(caller.Handle.Invoke(_ => caller.Session.LocalCandidateValues()));
    }

    // Trusts exactly the given self-signed certificate as a root, and still requires the name to match (RFC 6125).
    internal static RemoteCertificateValidationCallback TrustOnly(X509Certificate2? root) => (_, certificate, _, errors) =>
    {
        if (root is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };

    private static Peer AddPeer(UdpSessionHost host, int seed, Action<WebRtcTransportOptions> configure)
    {
        var transport = new WebRtcTransportOptions { Certificate = s_certificate.Value, Random = new Random(seed) };
        configure(transport);
        var session = new WebRtcSession(new WebRtcSessionOptions { Transport = transport, Random = new Random(seed + 1000) });
        Peer? peer = null;
        byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
        UdpSessionHandle handle = host.Add(session, (h, now) =>
        {
            while (session.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    peer!.Connected.TrySetResult();
                }
            }

            while (session.TryPollMedia(buffer, out ReceivedMedia m))
            {
                peer!.Frames.Enqueue(m);
            }
        });
        peer = new Peer { Session = session, Handle = handle };
        return peer;
    }

    private static async Task ConnectAsync(Peer a, Peer b, CoturnServer coturn)
    {
        a.Audio = a.Handle.Invoke(_ => a.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv));
        a.Handle.Invoke(now => a.Session.CreateOffer(now));

        // Non-trickle signalling, as WHIP without PATCH: wait for the relay before offering.
        var gathering = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 500 && !a.Handle.Invoke(_ => a.Session.IsGatheringComplete); i++)
        {
            await Task.Delay(10);
        }

        Console.WriteLine($"gathered in {gathering.Elapsed.TotalMilliseconds:F0} ms");

        string offer = a.Handle.Invoke(_ => a.Session.GetLocalDescription());
        Assert.Contains(" typ relay ", offer, StringComparison.Ordinal);
        string answer = b.Handle.Invoke(now => b.Session.TryAnswer(offer, MediaDirection.SendRecv, now, out string? ans, out RtcStack.Sdp.Jsep.JsepError? err) ? ans : throw new InvalidOperationException(err.ToString()));
        b.Audio = b.Handle.Invoke(_ => Assert.Single(b.Session.Jsep.Transceivers));
        a.Handle.Invoke(now =>
        {
            if (!a.Session.TryApplyAnswer(answer, now, out RtcStack.Sdp.Jsep.JsepError? err))
            {
                throw new InvalidOperationException(err.ToString());
            }
        });
        try
        {
            await Task.WhenAll(a.Connected.Task, b.Connected.Task).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not connected: caller {a.Session.State}, callee {b.Session.State}\n{coturn.Log}");
        }
    }

    private static async Task TalkAsync(IReadOnlyList<Peer> peers, int packets)
    {
        uint ts = 0;
        for (int i = 0; i < packets; i++)
        {
            foreach (Peer p in peers)
            {
                p.Handle.Invoke(now => p.Session.SendAudio(p.Audio!, s_opus, ts, now, marker: i == 0));
            }

            ts += 960;
            await Task.Delay(20);
        }

        await Task.Delay(300);
    }

    private sealed class Peer
    {
        public required WebRtcSession Session { get; init; }

        public required UdpSessionHandle Handle { get; init; }

        public Transceiver? Audio { get; set; }

        public ConcurrentQueue<ReceivedMedia> Frames { get; } = new();

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The same through the command line: <c>rtcstack serve --turn USER:PASSWORD@turns:localhost:PORT --turn-ca PEM</c>.</summary>
[Trait("Category", "Interop")]
public sealed class ServeTurnOverTlsTests
{
    [Fact]
    public async Task Serve_WithATurnsUriByName_AnswersWithARelayCandidateFromCoturn()
    {
        LibOpusReference.Require();
        using var coturn = new CoturnServer(udp: false, tcp: false, tls: true);
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        string[] args = ["serve", "--port", "0", "--turn", $"{CoturnServer.User}:{CoturnServer.Password}@turns:localhost:{coturn.TlsPort}", "--turn-ca", coturn.CertificatePath!];
        Task<int> serving = RtcStack.Cli.Program.BuildRootCommand().Parse(args).InvokeAsync(
            new System.CommandLine.InvocationConfiguration { Output = TextWriter.Synchronized(output), Error = TextWriter.Synchronized(error) }, stop.Token);
        try
        {
            string? url = null;
            for (int i = 0; i < 200 && url is null && !serving.IsCompleted; i++)
            {
                await Task.Delay(50);
                System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"rtcstack serve: (http://\S+?) ");
                url = m.Success ? m.Groups[1].Value : null;
            }

            Assert.True(url is not null, $"serve did not start: {output}{error}");
            using var client = new WebRtcSession();
            client.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv);
            client.AddLocalAddress(new Stun.TransportAddress(System.Net.IPAddress.Loopback, 40000));
            string offer = client.CreateOffer(TimeSpan.Zero);
            using var http = new HttpClient();
            using HttpResponseMessage r = await http.PostAsync(url + "/whip", new StringContent(offer, System.Text.Encoding.UTF8, "application/sdp"));
            string answer = await r.Content.ReadAsStringAsync();
            Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
            Assert.Matches(@"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ relay raddr 127\.0\.0\.1", answer);
            Assert.Contains("method=TLS", coturn.Log, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await serving.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }
}
