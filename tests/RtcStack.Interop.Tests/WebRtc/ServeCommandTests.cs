using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// `./run.sh` (the main job) starts `rtcstack serve`; headless Chromium opens the page it serves with
/// ?autostart=1 (the same Start a person presses), its fake microphone goes to the server and comes
/// back; the server's /status endpoint shows the call connected with audio both ways, and the
/// recording it wrote is an Ogg Opus file. Everything is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class ServeCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunShServesAPageThatCompletesACall(bool camera)
    {
        LibOpusReference.Require();
        int port = FreeTcpPort();
        string recordDir = Directory.CreateTempSubdirectory("rtcstack-serve-rec-").FullName;
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (string a in new[] { Path.Combine(RepoPaths.Root, "run.sh"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--record", recordDir })
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
            // run.sh builds the CLI first (incremental: it was built with this test project).
            Task started = await Task.WhenAny(ready.Task, server.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.True(ready.Task.IsCompleted, "rtcstack serve did not start:\n" + log);
            string baseUrl = $"http://127.0.0.1:{port}";
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            string page = await http.GetStringAsync("/");
            Assert.Contains("<canvas", page, StringComparison.Ordinal);

            JsonElement call = default;
            using (HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, baseUrl + "/?autostart=1" + (camera ? "&camera=1" : "")))
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
                bool done = false;
                while (!done && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    using JsonDocument status = JsonDocument.Parse(await http.GetStringAsync("/status"));
                    foreach (JsonElement c in status.RootElement.GetProperty("calls").EnumerateArray())
                    {
                        // Chromium's RTCP interval for audio is about 5 s (libwebrtc's default), so 3 s of echoed
                        // audio did not always include its first sender report (a loaded CI run saw 162 frames and
                        // no SR yet): wait for both.
                        // With the camera box ticked ("camera and microphone"), 100 video frames echoed too, and the
                        // browser's receiver report about our echoed video (its RTCP comes with its audio's).
                        if (c.GetProperty("state").GetString() == "connected" && c.GetProperty("framesEchoed").GetInt64() >= 150
                            && SenderReportsReceived(c) >= 1
                            && (!camera || (c.GetProperty("videoFramesEchoed").GetInt64() >= 100 && VideoReportsReceived(c) >= 1)))
                        {
                            call = c.Clone();
                            done = true;
                        }
                    }
                }

                Assert.True(done, "no call with 3 s of echoed audio and a sender report in /status; server log:\n" + log + "\nbrowser:\n" + browser.Log);
            }

            output.WriteLine(call.ToString());
            JsonElement stats = call.GetProperty("stats");
            JsonElement inbound = default, outbound = default, transport = default, videoIn = default;
            foreach (JsonProperty p in stats.EnumerateObject())
            {
                string? kind = p.Value.TryGetProperty("kind", out JsonElement k) ? k.GetString() : null;
                switch (p.Value.GetProperty("type").GetString())
                {
                    case "inbound-rtp" when kind == "audio": inbound = p.Value; break;
                    case "inbound-rtp" when kind == "video": videoIn = p.Value; break;
                    case "outbound-rtp" when kind == "audio": outbound = p.Value; break;
                    case "transport": transport = p.Value; break;
                }
            }

            Assert.Equal(camera, videoIn.ValueKind == JsonValueKind.Object);
            if (camera)
            {
                Assert.True(videoIn.GetProperty("framesReceived").GetInt64() >= 100, videoIn.ToString());
                Assert.True(call.GetProperty("videoFramesEchoed").GetInt64() >= 100);
            }

            Assert.True(inbound.GetProperty("packetsReceived").GetInt64() >= 150);
            Assert.True(outbound.GetProperty("packetsSent").GetInt64() >= 150);
            Assert.Equal(0, transport.GetProperty("srtpAuthenticationFailures").GetInt64());
            Assert.Equal("connected", transport.GetProperty("dtlsState").GetString());
            Assert.True(transport.GetProperty("senderReportsReceived").GetInt64() >= 1);
        }
        finally
        {
            // SIGTERM: serve closes its calls (BYE) and finishes its recordings.
            if (!server.HasExited)
            {
                _ = Kill(server.Id, 15);
                if (!server.WaitForExit(15000))
                {
                    server.Kill(entireProcessTree: true);
                }
            }

            output.WriteLine(log.ToString());
        }

        Assert.Equal(0, server.ExitCode);
        string[] files = Directory.GetFiles(recordDir, "*.opus");
        Assert.Single(files);
        byte[] ogg = await File.ReadAllBytesAsync(files[0]);
        Assert.True(ogg.Length > 5000, $"recording is {ogg.Length} bytes");
        Assert.Equal("OggS", Encoding.ASCII.GetString(ogg, 0, 4));
        Assert.Contains("OpusHead", Encoding.ASCII.GetString(ogg, 0, 100), StringComparison.Ordinal);
        Directory.Delete(recordDir, recursive: true);
    }

    private static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static long SenderReportsReceived(JsonElement call)
    {
        if (!call.TryGetProperty("stats", out JsonElement stats))
        {
            return 0;
        }

        foreach (JsonProperty p in stats.EnumerateObject())
        {
            if (p.Value.TryGetProperty("type", out JsonElement type) && type.GetString() == "transport"
                && p.Value.TryGetProperty("senderReportsReceived", out JsonElement n))
            {
                return n.GetInt64();
            }
        }

        return 0;
    }

    // reportsReceived of the remote-inbound-rtp entry about our echoed video: the browser's RTCP about it.
    private static long VideoReportsReceived(JsonElement call)
    {
        if (!call.TryGetProperty("stats", out JsonElement stats))
        {
            return 0;
        }

        foreach (JsonProperty p in stats.EnumerateObject())
        {
            if (p.Value.TryGetProperty("type", out JsonElement type) && type.GetString() == "remote-inbound-rtp"
                && p.Value.TryGetProperty("kind", out JsonElement kind) && kind.GetString() == "video"
                && p.Value.TryGetProperty("reportsReceived", out JsonElement n))
            {
                return n.GetInt64();
            }
        }

        return 0;
    }
}
