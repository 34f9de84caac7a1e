using System.CommandLine;
using System.Globalization;
using RtcStack.Cli.Bottleneck;
using RtcStack.Cli.Commands;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>
/// <c>rtcstack bottleneck</c>: the NetSim curve alone (<c>--sim-only</c>, no root or browser), the clear errors when
/// the machine lacks what the real runs need (simulated through <see cref="BottleneckEnvironment"/>) and argument
/// errors. The real comparison (namespaces, tbf, Chromium) runs once, in the interop suite's BottleneckComparisonTests,
/// through the same <see cref="BottleneckComparison"/>.
/// </summary>
[Collection("Sim")]
public class BottleneckCommandTests
{
    private const string Header = "t_s,capacity_bps,estimate_bps,encoder_target_bps,throughput_bps,queue_delay_ms,sender_queue_bytes";

    [Fact]
    public void SimOnlyWritesTheNetSimCurveTablePlotAndCsv()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "nested", "out");
        CliRunner.Result r = CliRunner.Run("bottleneck", "--sim-only", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);

        string[] csv = File.ReadAllLines(Path.Combine(outDir, "our-gcc--netsim-.csv"));
        Assert.Equal(Header, csv[0]);
        double[][] rows = [.. csv.Skip(1).Select(l => l.Split(',').Select(v => v.Length == 0 ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
        Assert.All(rows, row => Assert.Equal(7, row.Length));

        // 45 s of the shortened schedule: the capacity column follows it, and the estimate is there in every row.
        Assert.InRange(rows.Length, 45 / BottleneckComparison.Step * 0.8, 45 / 0.01);
        Assert.InRange(rows[^1][0], 44, 45.01);
        foreach (double[] row in rows)
        {
            double expected = row[0] <= 15 ? 1_000_000 : row[0] <= 25 ? 2_500_000 : row[0] <= 35 ? 600_000 : 1_000_000;
            if (Math.Abs(row[0] - 15) > 0.5 && Math.Abs(row[0] - 25) > 0.5 && Math.Abs(row[0] - 35) > 0.5)
            {
                Assert.Equal(expected, row[1]);
            }

            Assert.False(double.IsNaN(row[2]), "estimate at " + row[0]);
            Assert.True(double.IsNaN(row[3]), "NetSim has no encoder target");
        }

        // The table: one run, utilisation over the run and per step, p95 queuing delay, adaptation after each step.
        string table = File.ReadAllText(Path.Combine(outDir, "table.md"));
        Assert.StartsWith("RFC 8867 §5.1 shortened (1.0/2.5/0.6/1.0 Mbit/s at 0/15/25/35 s, 45 s), 50 ms one-way delay each way, 300 ms drop-tail; load average", table, StringComparison.Ordinal);
        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            "| run | utilisation | util. 0-15 s (1.0) | util. 15-25 s (2.5) | util. 25-35 s (0.6) | util. 35-45 s (1.0) | p95 queuing delay | start: ≥ 0.8 Mbit/s | 15 s ↑2.5: ≥ 2.0 | 25 s ↓0.6: ≤ 0.6 | 35 s ↑1.0: ≥ 0.8 | drops |",
            lines[1]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("|---" + string.Concat(Enumerable.Repeat("|---:", 11)) + "|", lines[2]);
        string[] cells = lines[3].Trim('|').Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal(12, cells.Length);
        Assert.Equal("our GCC (NetSim)", cells[0]);
        Assert.Equal(lines[1].Trim('|').Split('|').Length, cells.Length);
        Assert.Equal(lines[3], r.Out.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("| our GCC", StringComparison.Ordinal)));
        double utilisation = double.Parse(cells[1].TrimEnd('%').Trim(), CultureInfo.InvariantCulture) / 100;
        Assert.InRange(utilisation, 0.0, 1.02);

        Assert.True(new FileInfo(Path.Combine(outDir, "bottleneck.png")).Length > 10_000);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "bottleneck.svg")), StringComparison.Ordinal);
        Assert.Contains("table.md", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFullRfc8867ScheduleHas100SecondsAndItsOwnSteps()
    {
        using var dir = new TempDir();
        CliRunner.Result r = CliRunner.Run("bottleneck", "--sim-only", "--schedule", "rfc8867", "--out", dir.Path);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        string table = File.ReadAllText(dir.File("table.md"));
        Assert.StartsWith("RFC 8867 §5.1 (1.0/2.5/0.6/1.0 Mbit/s at 0/40/60/80 s, 100 s)", table, StringComparison.Ordinal);
        Assert.Contains("| util. 40-60 s (2.5) |", table, StringComparison.Ordinal);
        Assert.Contains("| 60 s ↓0.6: ≤ 0.6 |", table, StringComparison.Ordinal);
        string last = File.ReadLines(dir.File("our-gcc--netsim-.csv")).Last();
        Assert.InRange(double.Parse(last.Split(',')[0], CultureInfo.InvariantCulture), 99, 100.01);
    }

    [Fact]
    public void WithoutRootItIsAClearErrorAndNothingRuns()
    {
        using var dir = new TempDir();
        bool ran = false;
        var env = new BottleneckEnvironment { IsRoot = () => false, Run = (_, _, _, _) => { ran = true; return Task.FromResult<BottleneckCurve[]>([]); } };
        CliRunner.Result r = Run(env, "bottleneck", "--out", dir.File("out"));
        Assert.Equal(BottleneckCommand.ExitPrerequisite, r.ExitCode);
        Assert.Contains("need root", r.Err, StringComparison.Ordinal);
        Assert.Contains("--sim-only", r.Err, StringComparison.Ordinal);
        Assert.False(ran);
        Assert.False(Directory.Exists(dir.File("out")));

        CliRunner.Result notLinux = Run(new BottleneckEnvironment { IsLinux = () => false, Run = env.Run }, "bottleneck");
        Assert.Equal(BottleneckCommand.ExitPrerequisite, notLinux.ExitCode);
        Assert.Contains("need Linux", notLinux.Err, StringComparison.Ordinal);
        Assert.False(ran);
    }

    [Fact]
    public void AMissingBrowserOrTcIsAClearError()
    {
        Task<BottleneckCurve[]> NeverRun(BottleneckSchedule s, string c, TextWriter w, CancellationToken t) => throw new InvalidOperationException("must not run");

        var noChromium = new BottleneckEnvironment { IsRoot = () => true, FindTool = p => "/usr/bin/" + p, FindChromium = () => null, Run = NeverRun };
        CliRunner.Result r = Run(noChromium, "bottleneck");
        Assert.Equal(BottleneckCommand.ExitPrerequisite, r.ExitCode);
        Assert.Contains("Chromium not found", r.Err, StringComparison.Ordinal);
        Assert.Contains("--chromium", r.Err, StringComparison.Ordinal);

        using var dir = new TempDir();
        CliRunner.Result wrongPath = Run(noChromium, "bottleneck", "--chromium", dir.File("no-such-chromium"));
        Assert.Equal(BottleneckCommand.ExitPrerequisite, wrongPath.ExitCode);
        Assert.Contains("no-such-chromium: no such file", wrongPath.Err, StringComparison.Ordinal);

        var noTc = new BottleneckEnvironment { IsRoot = () => true, FindTool = p => p == "tc" ? null : "/usr/bin/" + p, FindChromium = () => "/usr/lib/chromium/chromium", Run = NeverRun };
        CliRunner.Result tc = Run(noTc, "bottleneck");
        Assert.Equal(BottleneckCommand.ExitPrerequisite, tc.ExitCode);
        Assert.Contains("'tc' is not installed", tc.Err, StringComparison.Ordinal);
        Assert.Contains("iproute2", tc.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedOrInterruptedRunIsAnExitCodeNotAnException()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("chromium"), "");
        string? chromiumSeen = null;
        var failing = new BottleneckEnvironment
        {
            IsRoot = () => true,
            FindTool = p => "/usr/bin/" + p,
            FindChromium = () => null,
            Run = (_, chromium, _, _) =>
            {
                chromiumSeen = chromium;
                throw new InvalidOperationException("ip netns add bn-a-123456 failed (1): permission denied");
            },
        };
        CliRunner.Result r = Run(failing, "bottleneck", "--chromium", dir.File("chromium"), "--out", dir.File("out"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: ip netns add bn-a-123456 failed", r.Err, StringComparison.Ordinal);
        Assert.Equal(dir.File("chromium"), chromiumSeen);
        Assert.False(Directory.Exists(dir.File("out")));

        using var cts = new CancellationTokenSource();
        var interrupted = new BottleneckEnvironment
        {
            IsRoot = () => true,
            FindTool = p => "/usr/bin/" + p,
            FindChromium = () => dir.File("chromium"),
            Run = async (_, _, _, token) =>
            {
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
                return [];
            },
        };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await new RootCommand { BottleneckCommand.Create(interrupted) }.Parse(["bottleneck", "--out", dir.File("out")])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cts.Token);
        Assert.Equal(BottleneckCommand.ExitCancelled, code);
        Assert.Contains("interrupted", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentErrorsExitWithTwo()
    {
        CliRunner.Result schedule = CliRunner.Run("bottleneck", "--sim-only", "--schedule", "fast");
        Assert.Equal(Program.ExitUsage, schedule.ExitCode);
        Assert.Contains("fast", schedule.Err, StringComparison.Ordinal);

        Assert.Equal(Program.ExitUsage, CliRunner.Run("bottleneck", "--sim-only", "--seconds", "10").ExitCode);
        Assert.Equal(Program.ExitUsage, CliRunner.Run("bottleneck", "--sim-only", "--out").ExitCode);
        Assert.Equal(Program.ExitUsage, CliRunner.Run("bottleneck", "--sim-only", "--out", " ").ExitCode);

        CliRunner.Result help = CliRunner.Run("bottleneck", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (string option in (string[])["--chromium", "--out", "--schedule", "--sim-only"])
        {
            Assert.Contains(option, help.Out, StringComparison.Ordinal);
        }
    }

    private static CliRunner.Result Run(BottleneckEnvironment environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        ParseResult parse = new RootCommand { BottleneckCommand.Create(environment) }.Parse(args);
        int code = parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return new CliRunner.Result(parse.Errors.Count > 0 ? Program.ExitUsage : code, output.ToString(), error.ToString());
    }
}
