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
/// anything starts, and SIGINT (Ctrl+C) and SIGTERM stop a running server within a second after closing its calls.
/// </summary>
[Collection(ServeShutdownTiming.Name)]
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

    /// <summary>
    /// Issue 12: "Shutdown on SIGINT and SIGTERM ends calls cleanly (RTCP BYE, DTLS close_notify) within a second."
    /// Start <c>rtcstack serve</c> as its own process (with SIGINT at its default disposition, as a terminal gives it; a
    /// process started with SIGINT ignored keeps ignoring it), connect a call with our own WebRtcSession, send the
    /// signal: the process must be gone within a second of it, with exit code 0, and our side must have received the
    /// RTCP BYE (RFC 3550 §6.6) and the DTLS close_notify (RFC 5246 §7.2.1, RFC 8446 §6.1).
    /// </summary>
    [Theory]
    [Trait("Category", "Interop")]
    [InlineData(2, "SIGINT")]
    [InlineData(15, "SIGTERM")]
    public async Task ASignalStopsServeWithinASecondAfterClosingItsCalls(int signal, string name)
    {
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

            // From the signal to the process being gone (reaped: its exit seen by this process). The wait itself is
            // bounded by 10 s so that a hang reports its log rather than the test timing out.
            var stopwatch = Stopwatch.StartNew();
            Assert.Equal(0, Kill(server.Id, signal));
            bool exited = await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully);
            TimeSpan toExit = stopwatch.Elapsed;
            output.WriteLine($"exit after {name}: {toExit.TotalMilliseconds:0} ms");
            Assert.True(exited, $"rtcstack serve is still running 10 s after {name}:\n" + log);
            Assert.Equal(0, server.ExitCode);
            Assert.Contains("rtcstack serve: stopping", log.ToString(), StringComparison.Ordinal);
            Assert.True(toExit <= TimeSpan.FromSeconds(1), $"rtcstack serve took {toExit.TotalMilliseconds:0} ms to exit after {name} (at most 1 s)");

            // What the server sent before it went: the peer closes on the close_notify (ClosedByPeer), after the BYE.
            DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (h.Invoke(_ => client.State) != PeerConnectionState.Closed && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }

            Assert.Contains(events, e => e is SessionRemoteGoodbyeEvent);
            Assert.Equal(1, h.Invoke(_ => client.RtcpCounters.GoodbyesReceived));
            Assert.True(h.Invoke(_ => client.Transport.ClosedByPeer), "no close_notify from the server");
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

/// <summary>
/// The shutdown test holds serve to a second from the signal to its exit, so it runs with no other test of this
/// assembly beside it: run next to one that keeps a core busy on purpose (ServeAppTests' busy event loop), serve's
/// shutdown (about 0.25-0.5 s of work at a load average of 25-40, most of it closing the calls and stopping the web
/// server) was starved past the second.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServeShutdownTiming
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serve shutdown timing";
}
