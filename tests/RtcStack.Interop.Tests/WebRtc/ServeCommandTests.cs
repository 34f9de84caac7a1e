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
/// ?autostart=1 (the same Start a person presses), its fake microphone goes to the server and comes back; the server's
/// /status endpoint shows the call connected with audio both ways, the browser's own statistics (the page's ?log=1
/// line on its console) show the echo received and played out, and the recording the server wrote decodes, every
/// packet, to as much audio as the browser sent. A third cell runs the page's data channel beside the call (?data=1): a
/// chat line and a 16 MiB transfer come back byte for byte, /status counts every echoed message, and audio keeps flowing.
/// Everything is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed partial class ServeCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task RunShServesAPageThatCompletesACall(bool camera, bool data)
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
            JsonElement browserView;
            using (HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, baseUrl + "/?autostart=1&log=1" + (camera ? "&camera=1" : "") + (data ? "&data=1" : ""), ["--enable-logging=stderr"]))
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
                        // The stats in /status are a snapshot the server's pump refreshes (every 10 ms when it is not
                        // starved) while framesEchoed is live, so under load the snapshot lagged the count: CI saw a call
                        // pass this wait with fewer than 150 packets in its stats. Wait for the snapshot itself.
                        if (c.GetProperty("state").GetString() == "connected" && c.GetProperty("framesEchoed").GetInt64() >= 150
                            && SenderReportsReceived(c) >= 1
                            && AudioPackets(c, "inbound-rtp", "packetsReceived") >= 150
                            && AudioPackets(c, "outbound-rtp", "packetsSent") >= 150
                            && (!camera || (c.GetProperty("videoFramesEchoed").GetInt64() >= 100 && VideoReportsReceived(c) >= 1)))
                        {
                            call = c.Clone();
                            done = true;
                        }
                    }
                }

                Assert.True(done, "no call with 3 s of echoed audio and a sender report in /status; server log:\n" + log + "\nbrowser:\n" + browser.Log);
                if (data)
                {
                    // ?data=1: the page's data channel beside the call sends a chat line and 16 MiB (messages of the
                    // largest size both sides allow), and checks every echo byte for byte.
                    var dataDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
                    JsonElement? dataLine = null;
                    while (dataLine is null && DateTime.UtcNow < dataDeadline)
                    {
                        await Task.Delay(500);
                        dataLine = LastConsoleJson(browser.Log, "rtcstack-data ");
                    }

                    Assert.True(dataLine is not null, "the page logged no rtcstack-data line; browser:\n" + browser.Log);
                    output.WriteLine("data channel: " + dataLine);
                    JsonElement d = dataLine.Value;
                    Assert.False(d.TryGetProperty("error", out _), d.ToString());
                    Assert.Equal("hello rtcstack", d.GetProperty("chatEcho").GetString());
                    JsonElement transfer = d.GetProperty("transfer");
                    Assert.Equal(16 * 1024 * 1024, transfer.GetProperty("bytes").GetInt64());
                    Assert.Equal(0, transfer.GetProperty("mismatches").GetInt32());
                    Assert.Equal(262144, transfer.GetProperty("messageSize").GetInt32());
                    int messages = transfer.GetProperty("messages").GetInt32();
                    Assert.Equal(64, messages);

                    using JsonDocument status = JsonDocument.Parse(await http.GetStringAsync("/status"));
                    JsonElement c = status.RootElement.GetProperty("calls").EnumerateArray().Single(x => x.GetProperty("state").GetString() == "connected");
                    Assert.True(c.GetProperty("dataMessagesReceived").GetInt64() == messages + 1, c.ToString());
                    Assert.True(c.GetProperty("dataMessagesEchoed").GetInt64() == messages + 1, c.ToString());
                    Assert.True(c.GetProperty("dataBytesEchoed").GetInt64() == (16 * 1024 * 1024) + "hello rtcstack".Length, c.ToString());
                    Assert.Equal(0, c.GetProperty("dataEchoesDropped").GetInt64());
                }

                await Task.Delay(1500);
                browserView = LastStatsLine(browser.Log) ?? throw new Xunit.Sdk.XunitException("the page logged no rtcstack-stats line; browser:\n" + browser.Log);
            }

            // What the browser received: the echo's packets, decoded and played out (3 s at 48 kHz at least), little of it
            // concealed, none lost on loopback; with the camera, our echoed video decoded at the size it sent.
            output.WriteLine("browser: " + browserView);
            JsonElement audioIn = browserView.GetProperty("audioIn");
            Assert.True(audioIn.GetProperty("packetsReceived").GetInt64() >= 150, audioIn.ToString());
            if (!data)
            {
                Assert.Equal(0, audioIn.GetProperty("packetsLost").GetInt64());
            }
            long samples = audioIn.GetProperty("totalSamplesReceived").GetInt64();
            Assert.True(samples >= 3 * 48000, audioIn.ToString());
            long concealed = audioIn.GetProperty("concealedSamples").GetInt64();
            if (data)
            {
                // The 16 MiB went both ways beside the audio for most of this call: audio kept flowing (the packet
                // count above); what was lost (loopback socket buffers overflowing in the transfer's bursts) and
                // concealed meanwhile is reported, not bounded here (it also depends on the browser's CPU while it
                // moves 32 MiB).
                output.WriteLine($"audio beside the data transfer: {audioIn.GetProperty("packetsLost").GetInt64()} packets lost, {concealed} of {samples} samples concealed ({100.0 * concealed / samples:F1} %)");
            }
            else
            {
                Assert.True(concealed < samples / 10, audioIn.ToString());
            }
            Assert.Equal(camera, browserView.GetProperty("videoIn").ValueKind == JsonValueKind.Object);
            if (camera)
            {
                Assert.True(browserView.GetProperty("videoIn").GetProperty("framesDecoded").GetInt64() >= 50, browserView.ToString());
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
                Assert.True(call.GetProperty("videoFramesEchoed").GetInt64() >= 100, call.ToString());
            }

            Assert.True(inbound.GetProperty("packetsReceived").GetInt64() >= 150, inbound.ToString());
            Assert.True(outbound.GetProperty("packetsSent").GetInt64() >= 150, outbound.ToString());
            Assert.Equal(0, transport.GetProperty("srtpAuthenticationFailures").GetInt64());
            Assert.Equal("connected", transport.GetProperty("dtlsState").GetString());
            Assert.True(transport.GetProperty("senderReportsReceived").GetInt64() >= 1, transport.ToString());
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

        // The recording is what the browser sent: every packet decodes (libopus), to at least as much audio as the
        // 150 packets the server counted before the browser closed (20 ms each).
        short[] pcm = DecodeFirstChannel(ogg, out int decodedPackets);
        output.WriteLine($"recording: {decodedPackets} packets, {pcm.Length / 48000.0:F1} s decoded");
        Assert.True(decodedPackets >= 150, $"{decodedPackets} packets in the recording");
        Assert.True(pcm.Length >= 150 * 960, $"{pcm.Length} samples decoded from {decodedPackets} packets");

        // And it is the browser's microphone, not noise or silence: Chromium's fake capture device beeps at 400 Hz
        // (measured here 2026-12-07: every 1-s window of a recording that had sound peaked at 400 Hz in a 100-4,000 Hz
        // scan, amplitude 0.006-0.024 of full scale at 400 Hz; the one quiet window 0.0001). Over the whole recording
        // the scan must find 400 Hz, and 400 Hz must beat the other candidates tenfold at a real level.
        double peak = RtcStack.TestSupport.Goertzel.Peak(pcm, 48000, 100, 4000, 5);
        (double heard, double ratio) = RtcStack.TestSupport.Goertzel.Strongest(pcm, 48000, [400, 550, 660, 880, 1000], 0.003);
        output.WriteLine($"recording: strongest tone {peak} Hz in a 100-4000 Hz scan; {heard} Hz among the candidates, power ratio {ratio:F1}");
        Assert.InRange(peak, 395, 405);
        Assert.Equal(400, heard);
        Assert.True(ratio > 10, $"400 Hz is only {ratio:F1}x the next candidate's power");
        Directory.Delete(recordDir, recursive: true);
    }

    // The page's last "rtcstack-stats {json}" console line, as Chromium prints it with --enable-logging=stderr.
    private static JsonElement? LastStatsLine(string browserLog) => LastConsoleJson(browserLog, "rtcstack-stats ");

    // The page's last console line "MARKER{json}", as Chromium prints it with --enable-logging=stderr.
    private static JsonElement? LastConsoleJson(string browserLog, string marker)
    {
        foreach (string line in browserLog.Split('\n').Reverse())
        {
            int i = line.IndexOf(marker, StringComparison.Ordinal);
            if (i < 0)
            {
                continue;
            }

            // CONSOLE lines quote the message: "rtcstack-stats {...}", source: ...
            string json = line[(i + marker.Length)..];
            int end = json.LastIndexOf("\", source:", StringComparison.Ordinal);
            json = end >= 0 ? json[..end] : json.TrimEnd('"', '\r');
            using JsonDocument doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }

        return null;
    }

    private static short[] DecodeFirstChannel(byte[] ogg, out int packets)
    {
        using var reader = new RtcStack.Opus.Ogg.OggOpusReader(new MemoryStream(ogg));
        Assert.Equal(RtcStack.Opus.Ogg.OggOpusReadResult.Packet, reader.ReadHeaders());
        int channels = reader.Head!.ChannelCount;
        using RtcStack.Opus.IOpusDecoder decoder = RtcStack.Opus.OpusCodecProvider.Default.CreateDecoder(48000, channels);
        var frame = new short[5760 * channels];
        var pcm = new List<short>();
        packets = 0;
        while (reader.Read(out RtcStack.Opus.Ogg.OggOpusPacket packet) == RtcStack.Opus.Ogg.OggOpusReadResult.Packet)
        {
            int n = decoder.Decode(packet.Data.Span, frame);
            Assert.True(n > 0, $"packet {packets} of the recording did not decode ({n})");
            packets++;
            for (int i = 0; i < n; i++)
            {
                pcm.Add(frame[i * channels]);
            }
        }

        return [.. pcm];
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

    // A counter of the call's audio stream of the given stats type, from the server's stats snapshot.
    private static long AudioPackets(JsonElement call, string type, string counter)
    {
        if (!call.TryGetProperty("stats", out JsonElement stats))
        {
            return 0;
        }

        foreach (JsonProperty p in stats.EnumerateObject())
        {
            if (p.Value.TryGetProperty("type", out JsonElement t) && t.GetString() == type
                && p.Value.TryGetProperty("kind", out JsonElement kind) && kind.GetString() == "audio"
                && p.Value.TryGetProperty(counter, out JsonElement n))
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
