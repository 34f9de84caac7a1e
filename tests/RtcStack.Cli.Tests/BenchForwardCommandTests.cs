using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// `rtcstack bench forward` (issue 14) for function, not numbers: a small run (3 subscribers, 2 s) through a serve room
/// between two processes prints its table and JSON, and on an idle link every packet the subscribers were owed arrived;
/// bad arguments are refused. Timing is never asserted.
/// </summary>
public sealed class BenchForwardCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SmallRunDeliversEveryPacketToEverySubscriber()
    {
        using var dir = new TempDir();
        string json = dir.File("forward.json");
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        Assert.True(File.Exists(cli), "rtcstack.dll is not beside the test assembly: " + cli);

        // In a process of its own: the forwarder side pins itself and starts the clients' process.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { cli, "bench", "forward", "--count", "3", "--seconds", "2", "--cpu", "none", "--json", json })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdoutTask = p.StandardOutput.ReadToEndAsync();
        Task<string> stderrTask = p.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try
            {
                await p.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("bench forward did not finish within 120 s");
            }
        }

        string stdout = await stdoutTask;
        string stderr = await stderrTask;
        output.WriteLine(stdout + stderr);
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Contains("delivery %", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+3\s+low\s", stdout);

        using JsonDocument d = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("low", d.RootElement.GetProperty("layer").GetString());
        JsonElement run = Assert.Single(d.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(3, run.GetProperty("subscribers").GetInt32());
        Assert.Equal(3, run.GetProperty("connected").GetInt32());
        long owed = run.GetProperty("owed").GetInt64();
        long forwarded = run.GetProperty("forwarded").GetInt64();
        long[] publisher = [.. run.GetProperty("publisherPackets").EnumerateArray().Select(e => e.GetInt64())];

        // Every subscriber on the lowest layer: one packet of every frame of it, to each of the three.
        Assert.True(publisher[0] > 0 && publisher[1] > publisher[0] && publisher[2] > publisher[1], string.Join('/', publisher));
        Assert.Equal(3 * publisher[0], owed);
        Assert.Equal(owed, forwarded);
        Assert.Equal(owed, run.GetProperty("received").GetInt64());
        Assert.Equal(100.0, run.GetProperty("deliveryPercent").GetDouble());
        Assert.Equal(0, run.GetProperty("subscribersShort").GetInt32());
        Assert.True(run.GetProperty("microsecondsPerForwardedPacket").GetDouble() > 0);
        Assert.True(run.GetProperty("bytesPerSubscriber").GetDouble() > 0);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--count", "10,x")]
    [InlineData("--seconds", "0")]
    [InlineData("--layer", "top")]
    [InlineData("--cpu", "3")]
    [InlineData("--role", "publisher")]
    public void BadArgumentsAreRefused(string option, string value)
    {
        CliRunner.Result r = CliRunner.Run("bench", "forward", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err, StringComparison.Ordinal);
    }
}
