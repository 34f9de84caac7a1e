using System.Globalization;
using System.Text.Json;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// Our WHIP/WHEP client against another stack's server: a small WHIP/WHEP endpoint on Pion v3 (Go, Peers/pionendpoint,
/// built here from Debian's sources, offline), all on 127.0.0.1. <c>rtcstack whip publish --tone 440</c> publishes to it:
/// the endpoint writes every RTP packet it received, which must decode (libopus) to 440 Hz, and must have seen the bearer
/// token on the POST and the DELETE. <c>rtcstack whep play</c> records what the endpoint sends (an Ogg file of 660 Hz),
/// which must be 660 Hz. Every process is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class PionEndpointTests(PionEndpointBuild build, ITestOutputHelper output) : IClassFixture<PionEndpointBuild>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhipPublishTone_ReachesThePionEndpoint_AsThatTone_AndEndsWithDelete()
    {
        LibOpusReference.Require();
        (string binary, string pion, string go) = await build.GetAsync();
        string dir = Directory.CreateTempSubdirectory("rtcstack-pionwhip-").FullName;
        PeerProcess.Result run;
        IReadOnlyList<JsonElement> events;
        await using (PionEndpoint endpoint = await PionEndpoint.StartAsync(binary, Path.Combine(dir, "dumps"), "-token", "s3cret"))
        {
            output.WriteLine($"Pion {pion} ({go}) endpoint at {endpoint.BaseAddress}");
            run = await RunCliAsync(["whip", "publish", new Uri(endpoint.BaseAddress, "/whip").ToString(), "--tone", "440", "--seconds", "3", "--token", "s3cret"]);
            JsonElement? ended = await endpoint.WaitForAsync(e => PionEndpoint.Is(e, "ended"), TimeSpan.FromSeconds(5));
            events = endpoint.Events;
            output.WriteLine("endpoint:\n" + endpoint.Log);
            Assert.Equal(0, await endpoint.StopAsync());
            Assert.True(ended.HasValue, "the endpoint's session did not end");
        }

        Assert.True(run.ExitCode == 0, $"whip publish exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        JsonElement post = Assert.Single(events, e => IsRequest(e, "POST"));
        Assert.Equal(201, post.GetProperty("status").GetInt32());
        Assert.Equal("Bearer s3cret", post.GetProperty("auth").GetString());
        JsonElement delete = Assert.Single(events, e => IsRequest(e, "DELETE"));
        Assert.Equal(200, delete.GetProperty("status").GetInt32());
        Assert.Equal("Bearer s3cret", delete.GetProperty("auth").GetString());
        Assert.Contains(": 200;", run.StdOut, StringComparison.Ordinal); // the client saw the DELETE's 200
        foreach (JsonElement patch in events.Where(e => IsRequest(e, "PATCH")))
        {
            // Trickle (RFC 9725 §4.3.1): If-Match with the 201's entity-tag, and the token.
            Assert.Equal(204, patch.GetProperty("status").GetInt32());
            Assert.Equal("Bearer s3cret", patch.GetProperty("auth").GetString());
            Assert.StartsWith("\"", patch.GetProperty("ifMatch").GetString(), StringComparison.Ordinal);
        }

        JsonElement end = Assert.Single(events, e => PionEndpoint.Is(e, "ended"));
        Assert.Equal("deleted", end.GetProperty("reason").GetString());
        Assert.Equal("audio/opus", end.GetProperty("codec").GetString());
        long count = end.GetProperty("packetsReceived").GetInt64();
        short[] pcm = PeerAudio.DecodeRtpDump(end.GetProperty("dump").GetString()!, out int packets, out byte pt);
        Assert.Equal(count, packets);
        Assert.Equal(111, pt); // our offer's Opus payload type, which Pion's answer keeps
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 440, "the Pion endpoint");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pion received {packets} packets, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        // 3 s of 20 ms packets is 150: at least 90 % must arrive; the sender never sends more than its clock allows.
        Assert.InRange(packets, 135, 151);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task WhipPublish_WithAnIceRestart_ThePionEndpointRestartsAndTheToneGoesOn()
    {
        LibOpusReference.Require();
        (string binary, _, _) = await build.GetAsync();
        string dir = Directory.CreateTempSubdirectory("rtcstack-pionrestart-").FullName;
        PeerProcess.Result run;
        IReadOnlyList<JsonElement> events;
        await using (PionEndpoint endpoint = await PionEndpoint.StartAsync(binary, Path.Combine(dir, "dumps")))
        {
            run = await RunCliAsync(["whip", "publish", new Uri(endpoint.BaseAddress, "/whip").ToString(), "--tone", "440", "--seconds", "4", "--ice-restart-at", "1"]);
            await endpoint.WaitForAsync(e => PionEndpoint.Is(e, "ended"), TimeSpan.FromSeconds(5));
            events = endpoint.Events;
            output.WriteLine("endpoint:\n" + endpoint.Log);
            Assert.Equal(0, await endpoint.StopAsync());
        }

        Assert.True(run.ExitCode == 0, $"whip publish exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("ICE restarts: 1;", run.StdOut, StringComparison.Ordinal);
        JsonElement created = Assert.Single(events, e => PionEndpoint.Is(e, "created"));
        JsonElement restart = Assert.Single(events, e => PionEndpoint.Is(e, "restart"));
        // RFC 9725 §4.3.3: If-Match "*", 200; the client's new ufrag is not the one of its offer, Pion's new one not its answer's.
        JsonElement patch = Assert.Single(events, e => IsRequest(e, "PATCH") && e.GetProperty("ifMatch").GetString() == "*");
        Assert.Equal(200, patch.GetProperty("status").GetInt32());
        Assert.DoesNotContain("a=ice-ufrag:" + restart.GetProperty("remoteUfrag").GetString() + "\r\n", created.GetProperty("offer").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("a=ice-ufrag:" + restart.GetProperty("localUfrag").GetString() + "\r\n", created.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Contains($"ETag now \"{restart.GetProperty("localUfrag").GetString()}\"", run.StdOut, StringComparison.Ordinal);

        JsonElement end = Assert.Single(events, e => PionEndpoint.Is(e, "ended"));
        Assert.Equal("deleted", end.GetProperty("reason").GetString());
        Assert.Equal(1, end.GetProperty("restarts").GetInt64());
        short[] pcm = PeerAudio.DecodeRtpDump(end.GetProperty("dump").GetString()!, out int packets, out _);
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 440, "the Pion endpoint");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pion received {packets} packets through the restart, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        // 4 s is 200 packets, 50 before the restart: had media stopped at the restart, about 50 would have arrived.
        Assert.InRange(packets, 180, 201);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task WhepPlay_RecordsThePionEndpointsTone_AndEndsWithDelete()
    {
        LibOpusReference.Require();
        (string binary, _, _) = await build.GetAsync();
        string dir = Directory.CreateTempSubdirectory("rtcstack-pionwhep-").FullName;
        string tone = Path.Combine(dir, "tone660.opus");
        PeerAudio.WriteToneOgg(tone, 660, 1);
        string played = Path.Combine(dir, "played");
        PeerProcess.Result run;
        IReadOnlyList<JsonElement> events;
        await using (PionEndpoint endpoint = await PionEndpoint.StartAsync(binary, Path.Combine(dir, "dumps"), "-in", tone))
        {
            run = await RunCliAsync(["whep", "play", new Uri(endpoint.BaseAddress, "/whep").ToString(), "--record", played, "--seconds", "3"]);
            await endpoint.WaitForAsync(e => PionEndpoint.Is(e, "ended"), TimeSpan.FromSeconds(5));
            events = endpoint.Events;
            output.WriteLine("endpoint:\n" + endpoint.Log);
            Assert.Equal(0, await endpoint.StopAsync());
        }

        Assert.True(run.ExitCode == 0, $"whep play exited {run.ExitCode}:\n{run.StdOut}\n{run.StdErr}");
        Assert.Equal(201, Assert.Single(events, e => IsRequest(e, "POST")).GetProperty("status").GetInt32());
        Assert.Equal(200, Assert.Single(events, e => IsRequest(e, "DELETE")).GetProperty("status").GetInt32());
        JsonElement end = Assert.Single(events, e => PionEndpoint.Is(e, "ended"));
        Assert.Equal("deleted", end.GetProperty("reason").GetString());
        Assert.Equal(0, end.GetProperty("packetsReceived").GetInt64()); // a player sends nothing
        long sent = end.GetProperty("packetsSent").GetInt64();
        string recording = Assert.Single(Directory.GetFiles(played, "*.opus"));
        short[] pcm = PeerAudio.DecodeOgg(recording, out int packets);
        (double heard, double ratio, double peak) = PeerAudio.CheckTone(pcm, 660, "whep play");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pion sent {sent} packets; whep play recorded {packets}, {pcm.Length / 48000.0:0.0} s: {heard} Hz, peak {peak} Hz, ratio {ratio:0}"));
        Assert.True(packets >= 135 && packets <= sent, $"whep play recorded {packets} packets of the {sent} Pion sent");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task AWrongToken_IsRefusedByThePionEndpoint_AndTheClientExitsWithItsStatus()
    {
        (string binary, _, _) = await build.GetAsync();
        string dir = Directory.CreateTempSubdirectory("rtcstack-piontoken-").FullName;
        PeerProcess.Result run;
        IReadOnlyList<JsonElement> events;
        await using (PionEndpoint endpoint = await PionEndpoint.StartAsync(binary, Path.Combine(dir, "dumps"), "-token", "right"))
        {
            run = await RunCliAsync(["whip", "publish", new Uri(endpoint.BaseAddress, "/whip").ToString(), "--tone", "440", "--seconds", "1", "--token", "wrong"]);
            events = endpoint.Events;
            Assert.Equal(0, await endpoint.StopAsync());
        }

        Assert.True(run.ExitCode == 4, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("401", run.StdErr, StringComparison.Ordinal);
        JsonElement post = Assert.Single(events, e => IsRequest(e, "POST"));
        Assert.Equal(401, post.GetProperty("status").GetInt32());
        Assert.DoesNotContain(events, e => IsRequest(e, "DELETE")); // nothing was created, so nothing to delete
        Assert.DoesNotContain(events, e => PionEndpoint.Is(e, "created"));
        Directory.Delete(dir, recursive: true);
    }

    private static bool IsRequest(JsonElement e, string method) => PionEndpoint.Is(e, "request") && e.GetProperty("method").GetString() == method;

    private async Task<PeerProcess.Result> RunCliAsync(string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        string dotnet = ExternalTool.Require("dotnet", "the .NET SDK");
        PeerProcess.Result r = await PeerProcess.RunAsync(dotnet, [cli, .. args], s_timeout);
        output.WriteLine($"rtcstack {string.Join(' ', args)} → {r.ExitCode} in {r.Elapsed.TotalSeconds:0.0} s\n{r.StdOut}{r.StdErr}");
        return r;
    }
}
