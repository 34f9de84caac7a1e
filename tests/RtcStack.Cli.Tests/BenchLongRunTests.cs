using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests;

/// <summary>
/// The CI versions of the long runs: `bench churn` (2,000 sessions, the baseline after 1,000) and a 2-minute
/// `bench soak` (100 pairs). Each runs in a process of its own, since they judge the process's RSS, descriptors and
/// threads, which other tests in this process would disturb. The full runs are in benchmarks/README.md. They are
/// [Category=LongRun], which test.sh runs in a pass of its own after the others, so that the server measured has the
/// machine to itself (beside the browser and peer tests on 2 cores its loop was starved: 85 % delivery, 294,000
/// kernel drops).
/// </summary>
[Trait("Category", "LongRun")]
public sealed class BenchLongRunTests(ITestOutputHelper output)
{
    private (int ExitCode, string Out) RunCli(TimeSpan limit, params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        Assert.True(File.Exists(cli), "rtcstack.dll is not beside the test assembly: " + cli);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"rtcstack {string.Join(' ', args)} did not finish within {limit}");
        }

        p.WaitForExit();
        string text = stdout.Result + stderr.Result;
        output.WriteLine(text);
        return (p.ExitCode, text);
    }

    [Fact]
    public void ChurnOf2000SessionsLeavesNothingBehind()
    {
        (int code, string text) = RunCli(TimeSpan.FromMinutes(5), "bench", "churn", "--sessions", "2000", "--batch", "100", "--warm-up-sessions", "1000");
        Assert.Contains("hosts empty: yes", text, StringComparison.Ordinal);
        Assert.Contains("calls that heard nothing: 0", text, StringComparison.Ordinal);
        Assert.Contains(": back;", text, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    [Fact]
    public void TwoMinuteSoakStaysFlatAndDeliversEveryPacket()
    {
        (int code, string text) = RunCli(TimeSpan.FromMinutes(5), "bench", "soak", "--minutes", "2", "--pairs", "100", "--sample-seconds", "10", "--warm-up-minutes", "0.5");
        Assert.Contains(": flat", text, StringComparison.Ordinal);
        Assert.Contains(": met", text, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }
}
