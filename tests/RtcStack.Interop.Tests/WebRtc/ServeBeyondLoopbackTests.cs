using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// <c>rtcstack serve</c> beyond loopback, in network namespaces these tests build (veth pairs, IPv4 and IPv6, a router
/// with an nftables 1:1 NAT and a client-side stateful firewall); nothing leaves the test's namespaces. The server runs
/// as a process inside its namespace (<c>ip netns exec</c>); the caller is a <see cref="WebRtcSession"/> of this test process whose
/// sockets (UDP and the WHIP HTTP connection) were created inside the caller's namespace. Each call sends Opus frames to
/// the echo server and counts those that come back.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class ServeBeyondLoopbackTests(ITestOutputHelper output)
{
    private static readonly byte[] s_opus = [0xF8, 0x10, 0x20, 0x30, 0x40, 0x50];
    private static readonly Lazy<DtlsCertificate> s_certificate = new(() => DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    /// <summary>
    /// <c>serve --address 0.0.0.0</c> on a host with two networks (each with an IPv4 and a global IPv6 address, plus the
    /// link-local IPv6 and loopback every namespace has) announces a host candidate on each of the four addresses, on
    /// one port, and none on loopback or link-local; a caller that only sits on the second network (a phone on the
    /// Wi-Fi) calls it over IPv4, another over IPv6, and both hear their audio come back; the same with
    /// <c>--address :: --shared-socket</c> (one shared socket per address, on the one given port).
    /// </summary>
    [Fact]
    public async Task EveryInterface_GathersEachAddress_AndCallersOnTheSecondNetworkConnect_OverIPv4AndIPv6()
    {
        using NetworkNamespace server = NetworkNamespace.Create("rtcs-srv");
        using NetworkNamespace lan1 = NetworkNamespace.Create("rtcs-lan1");
        using NetworkNamespace lan2 = NetworkNamespace.Create("rtcs-lan2");
        NetworkNamespace.Link(server, "eth1", lan1, "eth0");
        NetworkNamespace.Link(server, "eth2", lan2, "eth0");
        server.AddAddress("eth1", "10.61.1.1/24");
        server.AddAddress("eth1", "2001:db8:61:1::1/64");
        server.AddAddress("eth2", "10.61.2.1/24");
        server.AddAddress("eth2", "2001:db8:61:2::1/64");
        lan1.AddAddress("eth0", "10.61.1.2/24");
        lan2.AddAddress("eth0", "10.61.2.2/24");
        lan2.AddAddress("eth0", "2001:db8:61:2::2/64");

        // Two servers started side by side: a socket per call, and one shared socket per address (--shared-socket).
        int port = 18000 + Random.Shared.Next(0, 2000);
        int sharedUdp = 40000 + Random.Shared.Next(0, 2000);
        Task<ServeProcess> perCallTask = ServeProcess.StartAsync(server, ["--address", "0.0.0.0", "--port", port.ToString(CultureInfo.InvariantCulture)], output);
        Task<ServeProcess> sharedTask = ServeProcess.StartAsync(server, ["--address", "::", "--port", (port + 1).ToString(CultureInfo.InvariantCulture), "--shared-socket", "--udp-port-min", sharedUdp.ToString(CultureInfo.InvariantCulture)], output);
        using ServeProcess perCall = await perCallTask;
        using ServeProcess shared = await sharedTask;
        Assert.Contains("ICE host candidates on 10.61.1.1, 2001:db8:61:1::1, 10.61.2.1, 2001:db8:61:2::1", perCall.Log, StringComparison.Ordinal);

        foreach ((string callerAddress, string url, int? udpPort) in new[]
        {
            ("10.61.2.2", $"http://10.61.2.1:{port}/whip", (int?)null),
            ("2001:db8:61:2::2", $"http://10.61.2.1:{port}/whip", null),
            ("10.61.2.2", $"http://[2001:db8:61:2::1]:{port + 1}/whip", sharedUdp),
            ("2001:db8:61:2::2", $"http://[2001:db8:61:2::1]:{port + 1}/whip", sharedUdp),
        })
        {
            CallResult call = await CallAsync(lan2, IPAddress.Parse(callerAddress), url);
            output.WriteLine($"caller {callerAddress} -> {url}: candidates [{string.Join(", ", call.AnswerCandidates)}], connected in {call.ConnectMs:F0} ms, {call.FramesBack}/50 frames back");

            // Four host candidates, one per address, all on one port; no loopback, no link-local.
            string[] addresses = call.AnswerCandidates.Select(c => c.Split(' ')[4]).ToArray();
            Assert.Equal(["10.61.1.1", "10.61.2.1", "2001:db8:61:1::1", "2001:db8:61:2::1"], addresses.Order(StringComparer.Ordinal).ToArray());
            string candidatePort = Assert.Single(call.AnswerCandidates.Select(c => c.Split(' ')[5]).Distinct());
            if (udpPort is int p)
            {
                Assert.Equal(p.ToString(CultureInfo.InvariantCulture), candidatePort);
            }

            Assert.All(call.AnswerCandidates, c => Assert.Contains(" typ host", c, StringComparison.Ordinal));

            // The pair that works is the one on the caller's network and family.
            Assert.Equal(callerAddress.Contains(':', StringComparison.Ordinal) ? "2001:db8:61:2::1" : "10.61.2.1", call.SelectedRemote.AddressToString());
            Assert.InRange(call.FramesBack, 45, 50);
        }
    }

    /// <summary>
    /// A server behind a 1:1 NAT (a cloud VM: private 10.62.0.2, public 203.0.113.62, an nftables router between) and a
    /// caller behind a stateful firewall that only lets in replies. With <c>--public-ip 203.0.113.62</c> the answer's
    /// host candidate carries the public address (the private one never appears), the caller's checks reach the server
    /// through the NAT and the call carries audio. Without it (the control, run at the same time) the answer names
    /// 10.62.0.2, which the caller cannot route to, the server's own checks are dropped by the caller's firewall, and the
    /// call does not connect.
    /// </summary>
    [Fact]
    public async Task BehindOneToOneNat_PublicIp_IsAnnounced_AndTheCallConnects_WhileWithoutItItCannot()
    {
        using NetworkNamespace priv = NetworkNamespace.Create("rtcs-priv");
        using NetworkNamespace router = NetworkNamespace.Create("rtcs-nat");
        using NetworkNamespace pub = NetworkNamespace.Create("rtcs-pub");
        NetworkNamespace.Link(priv, "eth0", router, "inside");
        NetworkNamespace.Link(pub, "eth0", router, "outside");
        priv.AddAddress("eth0", "10.62.0.2/24");
        priv.Ip("route", "add", "default", "via", "10.62.0.1");
        router.AddAddress("inside", "10.62.0.1/24");
        router.AddAddress("outside", "192.0.2.1/24");
        router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        router.Nft("""
            table ip nat {
              chain prerouting { type nat hook prerouting priority dstnat; ip daddr 203.0.113.62 dnat to 10.62.0.2; }
              chain postrouting { type nat hook postrouting priority srcnat; ip saddr 10.62.0.2 snat to 203.0.113.62; }
            }
            """);
        pub.AddAddress("eth0", "192.0.2.2/24");
        pub.Ip("route", "add", "203.0.113.0/24", "via", "192.0.2.1");
        pub.Nft("""
            table inet firewall {
              chain input { type filter hook input priority filter; policy accept; ct state established,related accept; iif "lo" accept; counter drop; }
            }
            """);

        int port = 20000 + Random.Shared.Next(0, 2000);
        Task<ServeProcess> withTask = ServeProcess.StartAsync(priv, ["--address", "0.0.0.0", "--port", port.ToString(CultureInfo.InvariantCulture), "--public-ip", "203.0.113.62"], output);
        Task<ServeProcess> withoutTask = ServeProcess.StartAsync(priv, ["--address", "0.0.0.0", "--port", (port + 1).ToString(CultureInfo.InvariantCulture)], output);
        using ServeProcess with = await withTask;
        using ServeProcess without = await withoutTask;

        CallResult call = await CallAsync(pub, IPAddress.Parse("192.0.2.2"), $"http://203.0.113.62:{port}/whip");
        output.WriteLine($"--public-ip: candidates [{string.Join(", ", call.AnswerCandidates)}], connected in {call.ConnectMs:F0} ms, {call.FramesBack}/50 frames back");
        string candidate = Assert.Single(call.AnswerCandidates);
        Assert.Contains(" 203.0.113.62 ", candidate, StringComparison.Ordinal);
        Assert.Contains(" typ host", candidate, StringComparison.Ordinal);
        Assert.DoesNotContain("10.62.0.2", call.AnswerSdp, StringComparison.Ordinal);
        Assert.Equal("203.0.113.62", call.SelectedRemote.AddressToString());
        Assert.Equal(IceCandidateType.Host, call.SelectedRemoteType);
        Assert.InRange(call.FramesBack, 45, 50);

        long droppedBefore = FirewallDrops(pub);
        CallResult control = await CallAsync(pub, IPAddress.Parse("192.0.2.2"), $"http://203.0.113.62:{port + 1}/whip", connectWithin: TimeSpan.FromSeconds(4));
        long dropped = FirewallDrops(pub) - droppedBefore;
        output.WriteLine($"control: candidates [{string.Join(", ", control.AnswerCandidates)}], state {control.State}, firewall drops {dropped}");
        Assert.Contains(" 10.62.0.2 ", Assert.Single(control.AnswerCandidates), StringComparison.Ordinal);
        Assert.NotEqual(PeerConnectionState.Connected, control.State);
        Assert.True(dropped > 0, "the server's checks should have reached the caller's firewall and been dropped");
    }

    private static long FirewallDrops(NetworkNamespace ns)
    {
        Match m = PacketsRegex().Match(ns.Exec("nft", "list", "chain", "inet", "firewall", "input"));
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>A WHIP call from <paramref name="from"/> inside <paramref name="ns"/>: offer, answer, ICE/DTLS, 50 frames to the echo server.</summary>
    private static async Task<CallResult> CallAsync(NetworkNamespace ns, IPAddress from, string whipUrl, TimeSpan? connectWithin = null)
    {
        using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = from });
        var session = new WebRtcSession(new WebRtcSessionOptions { Transport = new WebRtcTransportOptions { Certificate = s_certificate.Value } });
        Transceiver audio = session.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv);
        var frames = new ConcurrentQueue<ReceivedMedia>();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
        UdpSessionHandle handle = ns.Invoke(() => host.Add(session, (_, _) =>
        {
            while (session.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    connected.TrySetResult();
                }
            }

            while (session.TryPollMedia(buffer, out ReceivedMedia m))
            {
                frames.Enqueue(m);
            }
        }));

        handle.Invoke(now => session.CreateOffer(now));
        string offer = handle.Invoke(_ => session.GetLocalDescription());
        using HttpClient http = ns.CreateHttpClient();
        using HttpResponseMessage response = await http.PostAsync(whipUrl, new StringContent(offer, Encoding.UTF8, "application/sdp"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"WHIP POST: {(int)response.StatusCode} {answer}");
        var started = Stopwatch.StartNew();
        handle.Invoke(now =>
        {
            if (!session.TryApplyAnswer(answer, now, out RtcStack.Sdp.Jsep.JsepError? error))
            {
                throw new InvalidOperationException(error.ToString());
            }
        });

        string[] candidates = answer.Split("\r\n").Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal)).Select(l => l["a=candidate:".Length..]).ToArray();
        bool ok = await Task.WhenAny(connected.Task, Task.Delay(connectWithin ?? TimeSpan.FromSeconds(15))) == connected.Task;
        double connectMs = started.Elapsed.TotalMilliseconds;
        if (!ok)
        {
            PeerConnectionState state = handle.Invoke(_ => session.State);
            host.Remove(handle);
            return new CallResult(answer, candidates, state, default, IceCandidateType.Host, connectMs, 0);
        }

        uint ts = 0;
        for (int i = 0; i < 50; i++)
        {
            handle.Invoke(now => session.SendAudio(audio, s_opus, ts, now, marker: i == 0));
            ts += 960;
            await Task.Delay(20);
        }

        await Task.Delay(500);
        IceCandidatePair pair = handle.Invoke(_ => session.Transport.SelectedPair!);
        PeerConnectionState final = handle.Invoke(_ => session.State);
        handle.Invoke(now => session.Close(now));
        host.Remove(handle);
        return new CallResult(answer, candidates, final, pair.Remote.Address, pair.Remote.Type, connectMs, frames.Count);
    }

    [GeneratedRegex(@"counter packets (\d+)")]
    private static partial Regex PacketsRegex();

    private sealed record CallResult(string AnswerSdp, string[] AnswerCandidates, PeerConnectionState State, Stun.TransportAddress SelectedRemote, IceCandidateType SelectedRemoteType, double ConnectMs, int FramesBack);

    /// <summary>`rtcstack serve` inside a namespace, stopped by PID.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        private ServeProcess(Process process)
        {
            _process = process;
        }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static async Task<ServeProcess> StartAsync(NetworkNamespace ns, string[] args, ITestOutputHelper output)
        {
            LibOpusReference.Require();
            string dll = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
            string dotnet = ExternalTool.Require("dotnet", "the .NET SDK");
            var p = new ServeProcess(ns.StartProcess(dotnet, [dll, "serve", .. args]));
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (p._log)
                {
                    p._log.AppendLine(line);
                }

                if (line.StartsWith("Open the page", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }

            p._process.OutputDataReceived += (_, e) => OnLine(e.Data);
            p._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            p._process.BeginOutputReadLine();
            p._process.BeginErrorReadLine();
            await Task.WhenAny(ready.Task, p._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
            if (!ready.Task.IsCompleted)
            {
                string log = p.Log;
                p.Dispose();
                throw new InvalidOperationException("rtcstack serve did not start in " + ns.Name + ":\n" + log);
            }

            output.WriteLine($"serve {string.Join(' ', args)}:\n{p.Log}");
            return p;
        }

        // `ip netns exec` execs the program, so this PID is rtcstack itself.
        public void Dispose() => ProcessRunner.StopAndDispose(_process);
    }
}
