using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using Xunit;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// A room between two Chromium pages: `rtcstack serve` (the built CLI) runs; one page publishes its fake camera in three
/// simulcast layers (the page's `sendEncodings` q, h, f) and its fake microphone with `?room=stage&amp;publish=1`,
/// another watches with `?room=stage&amp;watch=1`. /status shows the room's layers arriving and the viewer on a layer;
/// the watching page's getStats shows the forwarded video decoded and the audio received.
/// </summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task AChromiumPagePublishesSimulcastIntoARoomAndAnotherDecodesIt()
    {
        int port = FreeTcpPort();
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The CLI built with this test project (its output is copied beside it), not run.sh: run.sh builds first, which
        // took more than the 3 minutes allowed for start-up on a loaded machine.
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "rtcstack.dll"), "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
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
            await Task.WhenAny(ready.Task, server.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.True(ready.Task.IsCompleted, "rtcstack serve did not start:\n" + log);
            string baseUrl = $"http://127.0.0.1:{port}";
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using HeadlessBrowser publisher = HeadlessBrowser.Launch(BrowserKind.Chromium, baseUrl + "/?room=stage&publish=1&log=1", ["--enable-logging=stderr"]);

            // The room exists once the publisher's POST is answered.
            JsonElement room = await WaitForRoomAsync(http, r => r.GetProperty("videoPacketsReceived").GetInt64() > 100, "the publisher's video", publisher);
            using HeadlessBrowser viewer = HeadlessBrowser.Launch(BrowserKind.Chromium, baseUrl + "/?room=stage&watch=1&log=1", ["--enable-logging=stderr"]);
            room = await WaitForRoomAsync(
                http,
                r => r.GetProperty("viewers").EnumerateArray().Any(v => v.GetProperty("layer").GetInt32() >= 0 && v.GetProperty("videoPacketsSent").GetInt64() > 300 && v.GetProperty("audioPacketsSent").GetInt64() > 100),
                "a viewer on a layer with video and audio sent",
                viewer);

            // What the watching browser decoded: our forwarded VP8 (one continuous stream whatever the layer).
            JsonElement? seen = null;
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                seen = LastConsoleJson(viewer.Log, "rtcstack-room ");
                JsonElement[] inbound = seen is JsonElement s ? [.. s.GetProperty("in").EnumerateArray()] : [];
                if (inbound.Any(x => x.TryGetProperty("framesDecoded", out JsonElement f) && f.ValueKind == JsonValueKind.Number && f.GetInt64() >= 60)
                    && inbound.Any(x => x.TryGetProperty("audioPackets", out JsonElement a) && a.ValueKind == JsonValueKind.Number && a.GetInt64() >= 100))
                {
                    break;
                }

                await Task.Delay(500);
            }

            output.WriteLine("room: " + room);
            output.WriteLine("viewer: " + seen);
            output.WriteLine("publisher: " + LastConsoleJson(publisher.Log, "rtcstack-room "));
            Assert.NotNull(seen);
            JsonElement video = seen.Value.GetProperty("in").EnumerateArray().First(x => x.TryGetProperty("framesDecoded", out _));
            Assert.True(video.GetProperty("framesDecoded").GetInt64() >= 60, seen.ToString());
            Assert.True(video.GetProperty("frameWidth").GetInt32() > 0, seen.ToString());
            JsonElement audio = seen.Value.GetProperty("in").EnumerateArray().First(x => x.TryGetProperty("audioPackets", out _));
            Assert.True(audio.GetProperty("audioPackets").GetInt64() >= 100, seen.ToString());

            // The publisher's three RIDs were negotiated, and Chromium sent more than one of them.
            Assert.Equal("VP8", room.GetProperty("videoCodec").GetString());
            Assert.Equal(["q", "h", "f"], room.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("rid").GetString()));
            Assert.True(room.GetProperty("layers").EnumerateArray().Count(l => l.GetProperty("bitrateBps").GetInt64() > 0) >= 2, room.ToString());
        }
        finally
        {
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
    }

    private static async Task<JsonElement> WaitForRoomAsync(HttpClient http, Func<JsonElement, bool> condition, string what, HeadlessBrowser browser)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using JsonDocument status = JsonDocument.Parse(await http.GetStringAsync("/status"));
            last = status.RootElement.GetProperty("rooms").ToString();
            foreach (JsonElement r in status.RootElement.GetProperty("rooms").EnumerateArray())
            {
                if (r.GetProperty("name").GetString() == "stage" && condition(r))
                {
                    return r.Clone();
                }
            }

            await Task.Delay(500);
        }

        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; rooms: {last}\nbrowser:\n{browser.Log}");
    }
}
