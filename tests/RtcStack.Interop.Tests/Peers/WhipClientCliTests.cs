using System.Globalization;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// The WHIP/WHEP client commands as processes against <c>rtcstack serve</c> as a process, all on 127.0.0.1:
/// <c>rtcstack whip publish --tone 440</c> publishes to serve, whose recording must hold 440 Hz; <c>rtcstack whep play</c>
/// records serve's WHEP tone (660 Hz here, <c>--tone-hz</c>), which must be 660 Hz. Both must DELETE their session
/// (serve lists the call as finished, ended by "deleted"). Every process is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class WhipClientCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhipPublishTone_IsRecordedByServe_AsThatTone()
    {
        LibOpusReference.Require();
        string dir = Directory.CreateTempSubdirectory("rtcstack-whipcli-").FullName;
        string record = Path.Combine(dir, "record");
        PeerProcess.Result run;
        System.Text.Json.JsonElement status;
        await using (ServeProcess serve = await ServeProcess.StartAsync(record, "--token", "t0k"))
        {
            run = await RunCliAsync(["whip", "publish", new Uri(serve.BaseAddress, "/whip").ToString(), "--tone", "440", "--seconds", "3", "--token", "t0k"]);
            status = await serve.StatusAsync(authorization: "t0k");
            Assert.Equal(0, await serve.StopAsync());
            output.WriteLine("serve:\n" + serve.Log);
        }

        Assert.True(run.ExitCode == 0, $"whip publish exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("DELETE ", run.StdOut, StringComparison.Ordinal);
        Assert.Contains(": 200;", run.StdOut, StringComparison.Ordinal);
        System.Text.Json.JsonElement call = Assert.Single(status.GetProperty("finished").EnumerateArray().ToArray());
        Assert.Equal("deleted", call.GetProperty("endReason").GetString()?.ToLowerInvariant());

        string recording = Assert.Single(Directory.GetFiles(record, "*.opus"));
        short[] pcm = PeerAudio.DecodeOgg(recording, out int packets);
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 440, "serve");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serve recorded {packets} packets, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        Assert.InRange(packets, 135, 160);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task WhipPublishFile_IsRecordedByServe_AsTheFilesTone()
    {
        LibOpusReference.Require();
        string dir = Directory.CreateTempSubdirectory("rtcstack-whipfile-").FullName;
        string record = Path.Combine(dir, "record");
        string file = Path.Combine(dir, "tone550.opus");
        int frames = PeerAudio.WriteToneOgg(file, 550, 3);
        PeerProcess.Result run;
        await using (ServeProcess serve = await ServeProcess.StartAsync(record))
        {
            run = await RunCliAsync(["whip", "publish", new Uri(serve.BaseAddress, "/whip").ToString(), "--file", file]);
            Assert.Equal(0, await serve.StopAsync());
        }

        Assert.True(run.ExitCode == 0, $"whip publish exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains($"sent {frames} Opus packets", run.StdOut, StringComparison.Ordinal);
        string recording = Assert.Single(Directory.GetFiles(record, "*.opus"));
        short[] pcm = PeerAudio.DecodeOgg(recording, out int packets);
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 550, "serve");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file of {frames} packets; serve recorded {packets}, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        Assert.True(packets >= frames * 9 / 10 && packets <= frames, $"serve recorded {packets} of the file's {frames} packets");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task WhepPlay_RecordsServesTone()
    {
        LibOpusReference.Require();
        string dir = Directory.CreateTempSubdirectory("rtcstack-whepcli-").FullName;
        string played = Path.Combine(dir, "played");
        PeerProcess.Result run;
        await using (ServeProcess serve = await ServeProcess.StartAsync(Path.Combine(dir, "record"), "--tone-hz", "660"))
        {
            run = await RunCliAsync(["whep", "play", new Uri(serve.BaseAddress, "/whep").ToString(), "--record", played, "--seconds", "3"]);
            Assert.Equal(0, await serve.StopAsync());
            output.WriteLine("serve:\n" + serve.Log);
        }

        Assert.True(run.ExitCode == 0, $"whep play exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains(": 200;", run.StdOut, StringComparison.Ordinal);
        string recording = Assert.Single(Directory.GetFiles(played, "*.opus"));
        short[] pcm = PeerAudio.DecodeOgg(recording, out int packets);
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 660, "whep play");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whep play recorded {packets} packets, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        // At least 90 % of 3 s of 20-ms packets. No upper bound: serve's tone clock starts when serve sees the call
        // connected (before the player does) and its pump catches up late frames in bursts, so a loaded run saw 170.
        Assert.True(packets >= 135, $"whep play recorded {packets} packets");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task BadOptions_Exit2()
    {
        foreach (string[] args in new[]
        {
            new[] { "whip", "publish", "http://127.0.0.1:9/whip" },
            ["whip", "publish", "http://127.0.0.1:9/whip", "--tone", "--file", "x.ogg"],
            ["whip", "publish", "ftp://127.0.0.1/whip", "--tone"],
            ["whip", "publish", "http://127.0.0.1:9/whip", "--tone", "abc"],
            ["whip", "publish", "http://127.0.0.1:9/whip", "--tone", "--seconds", "-1"],
            ["whep", "play", "http://127.0.0.1:9/whep"],
            ["whep", "play", "http://127.0.0.1:9/whep", "--record", "x", "--bogus"],
        })
        {
            PeerProcess.Result r = await RunCliAsync(args);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        }

        // Nobody listening: a clear error, exit 4, no hang.
        PeerProcess.Result refused = await RunCliAsync(["whip", "publish", "http://127.0.0.1:9/whip", "--tone", "--request-timeout", "5"]);
        Assert.True(refused.ExitCode == 4, $"exit {refused.ExitCode}\n{refused.StdOut}\n{refused.StdErr}");
        Assert.Contains("error: POST http://127.0.0.1:9/whip", refused.StdErr, StringComparison.Ordinal);
    }

    private async Task<PeerProcess.Result> RunCliAsync(string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        string dotnet = ExternalTool.Require("dotnet", "the .NET SDK");
        PeerProcess.Result r = await PeerProcess.RunAsync(dotnet, [cli, .. args], s_timeout);
        output.WriteLine($"rtcstack {string.Join(' ', args)} → {r.ExitCode} in {r.Elapsed.TotalSeconds:0.0} s\n{r.StdOut}{r.StdErr}");
        return r;
    }
}
