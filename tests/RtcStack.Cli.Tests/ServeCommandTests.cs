using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using RtcStack.TestSupport;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// <c>rtcstack serve</c> as a command: bad options and an unwritable <c>--record</c> directory exit with 2 before
/// anything starts, and SIGINT (Ctrl+C) stops a running server after closing its calls.
/// </summary>
public sealed partial class ServeCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("serve", "--port", "abc")]
    [InlineData("serve", "--no-such-option")]
    [InlineData("serve", "--connect-timeout", "0")]
    [InlineData("serve", "--history", "-1")]
    [InlineData("serve", "--cors-origin", "not an origin")]
    [InlineData("serve", "--cors-origin", "https://app.example/path")]
    [InlineData("serve", "--max-body", "10")]
    [InlineData("serve", "--rate-burst", "0")]
    [InlineData("serve", "--max-calls", "-1")]
    [InlineData("serve", "--mode", "loud")]
    [InlineData("pcap", "streams", "--no-such-option", "x.pcap")]
    public void BadOptionsExitWith2(params string[] args)
    {
        CliRunner.Result r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Err}");
        Assert.False(string.IsNullOrWhiteSpace(r.Err));
    }

    [Fact]
    public async Task AnUnwritableRecordDirectoryIsAnErrorAtStartUp()
    {
        // A directory below a plain file cannot be made, even by root.
        using var dir = new TempDir();
        string file = dir.File("plain");
        await File.WriteAllTextAsync(file, "x");
        string record = Path.Combine(file, "recordings");
        CliRunner.Result r = await Task.Run(() => CliRunner.Run("serve", "--port", "0", "--record", record)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Out} {r.Err}");
        Assert.Contains("--record", r.Err, StringComparison.Ordinal);
        Assert.Contains("cannot write", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task SigintStopsServeAfterClosingItsCalls()
    {
        // Start `rtcstack serve` as its own process (with SIGINT at its default disposition, as a terminal gives it; a
        // process started with SIGINT ignored keeps ignoring it), connect a call with our own WebRtcSession, press
        // "Ctrl+C": the server must exit with 0 and our side must have received the RTCP BYE and DTLS close_notify.
        LibOpusReference.Require();
        string env = ExternalTool.Require("env", "coreutils");
        int port = FreeTcpPort();
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo(env) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "rtcstack.dll"), "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using Process server = Process.Start(psi)!;
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.StartsWith("rtcstack serve: http://", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        server.OutputDataReceived += (_, e) => OnLine(e.Data);
        server.ErrorDataReceived += (_, e) => OnLine(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(ready.Task, server.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(ready.Task.IsCompleted, "rtcstack serve did not start:\n" + log);

            using var clientHost = new UdpSessionHost();
            var events = new ConcurrentQueue<SessionEvent>();
            var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var client = new WebRtcSession();
            client.AddTransceiver(MediaKind.Audio);
            UdpSessionHandle h = clientHost.Add(client, (_, _) =>
            {
                while (client.TryPollEvent(out SessionEvent? e))
                {
                    events.Enqueue(e);
                    if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                    {
                        connected.TrySetResult();
                    }
                }
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            string offer = h.Invoke(now => client.CreateOffer(now));
            using HttpResponseMessage post = await http.PostAsync("/whip", new StringContent(offer, Encoding.UTF8, "application/sdp"));
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
            string answer = await post.Content.ReadAsStringAsync();
            h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out RtcStack.Sdp.Jsep.JsepError? error), error?.ToString()));
            await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));

            var stopwatch = Stopwatch.StartNew();
            Assert.Equal(0, Kill(server.Id, 2));
            bool exited = await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully);
            output.WriteLine($"exit after SIGINT: {stopwatch.ElapsedMilliseconds} ms");
            Assert.True(exited, "rtcstack serve is still running 10 s after SIGINT:\n" + log);
            Assert.Equal(0, server.ExitCode);
            Assert.Contains("rtcstack serve: stopping", log.ToString(), StringComparison.Ordinal);

            DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (h.Invoke(_ => client.State) != PeerConnectionState.Closed && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }

            // RFC 3550 §6.6 BYE for the server's stream, RFC 5246 §7.2.1 close_notify (our side reports it as Closed).
            Assert.Contains(events, e => e is SessionRemoteGoodbyeEvent);
            Assert.Equal(PeerConnectionState.Closed, h.Invoke(_ => client.State));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            output.WriteLine(log.ToString());
        }
    }

    private static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
