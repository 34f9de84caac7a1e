using System.CommandLine;
using System.Runtime.InteropServices;
using RtcStack.Cli.Bottleneck;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bottleneck</c> (issue 14): Chromium's GCC and ours through the same emulated bottleneck (network
/// namespaces and a tc tbf following an RFC 8867 §5.1 capacity schedule), and ours in NetSim on the same schedule:
/// the three curves on one plot (PNG, SVG), a CSV each and a table (utilisation, p95 queuing delay, time to adapt after
/// each capacity step). Needs Linux, root, iproute2 (ip, tc), coreutils' stdbuf and Chromium; <c>--sim-only</c> runs
/// the NetSim curve alone, without any of them. The code is <see cref="BottleneckComparison"/>, which the interop
/// test BottleneckComparisonTests also runs.
/// </summary>
public static class BottleneckCommand
{
    /// <summary>Exit code when the machine lacks what the real runs need (root, Linux, iproute2, Chromium).</summary>
    public const int ExitPrerequisite = 3;

    /// <summary>Exit code when interrupted (Ctrl+C, SIGTERM) after cleaning up.</summary>
    public const int ExitCancelled = 130;

    /// <summary>Builds the command.</summary>
    public static Command Create() => Create(new BottleneckEnvironment());

    internal static Command Create(BottleneckEnvironment environment)
    {
        var chromium = new Option<string?>("--chromium") { Description = "The Chromium binary (default: /usr/lib/chromium/chromium, else chromium on PATH).", HelpName = "PATH" };
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => Path.Combine("artifacts", "bottleneck"), HelpName = "DIR" };
        var schedule = new Option<string>("--schedule")
        {
            Description = "Capacity schedule: short (RFC 8867 §5.1 with 15/10/10/10 s steps, 45 s a run, about 2 minutes in all) or rfc8867 (40/20/20/20 s, 100 s a run).",
            DefaultValueFactory = _ => BottleneckSchedule.Short.Name,
        };
        schedule.AcceptOnlyFromAmong(BottleneckSchedule.Names);
        var simOnly = new Option<bool>("--sim-only") { Description = "Only the NetSim curve (no root, namespaces or browser needed)." };
        var cmd = new Command("bottleneck", "Chromium's GCC and ours through the same emulated bottleneck (network namespaces + tc tbf, RFC 8867 §5.1 schedule) and ours in NetSim: one plot, CSVs and a table. Needs root, iproute2 and Chromium (except --sim-only).")
        {
            chromium, output, schedule, simOnly,
        };
        cmd.SetAction((parse, cancellationToken) => RunAsync(
            environment, parse.GetValue(chromium), parse.GetValue(output)!, BottleneckSchedule.Get(parse.GetValue(schedule)!)!, parse.GetValue(simOnly),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return cmd;
    }

    private static async Task<int> RunAsync(BottleneckEnvironment environment, string? chromiumOption, string outDir, BottleneckSchedule schedule, bool simOnly, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(outDir))
        {
            await stderr.WriteLineAsync("error: --out needs a directory").ConfigureAwait(false);
            return Program.ExitUsage;
        }

        if (simOnly)
        {
            BottleneckCurve sim = BottleneckComparison.RunNetSim(schedule);
            return Write(outDir, [sim], schedule, Note(environment), stdout, stderr);
        }

        if (Prerequisites(environment, chromiumOption, out string chromium) is string missing)
        {
            await stderr.WriteLineAsync("error: " + missing).ConfigureAwait(false);
            return ExitPrerequisite;
        }

        // Ctrl+C (SIGINT) and SIGTERM cancel the run, whose disposal stops the browser (by PID) and deletes the
        // namespaces; the signal itself does not end the process (as in serve: the token System.CommandLine passes was
        // not seen cancelled by a SIGINT or SIGTERM sent to `rtcstack bottleneck`). Should the process end anyway
        // (Main returning), it waits for that cleanup, up to 30 s.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var cleanedUp = new ManualResetEventSlim();
        void WaitForCleanup(object? sender, EventArgs e) => cleanedUp.Wait(TimeSpan.FromSeconds(30));
        AppDomain.CurrentDomain.ProcessExit += WaitForCleanup;
        try
        {
            await stdout.WriteLineAsync($"{schedule}: Chromium's GCC, then ours, through the tbf (about {2 * (schedule.DurationSeconds + 10):0} s), then ours in NetSim").ConfigureAwait(false);
            BottleneckCurve[] curves = await environment.Run(schedule, chromium, stdout, stop.Token).ConfigureAwait(false);
            cleanedUp.Set();
            return Write(outDir, curves, schedule, Note(environment), stdout, stderr);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("interrupted: the namespaces and the browser were removed").ConfigureAwait(false);
            return ExitCancelled;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or System.Net.Sockets.SocketException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            cleanedUp.Set();
            AppDomain.CurrentDomain.ProcessExit -= WaitForCleanup;
        }
    }

    /// <summary>What the real runs need and is missing (null: nothing), and the Chromium binary to use.</summary>
    internal static string? Prerequisites(BottleneckEnvironment environment, string? chromiumOption, out string chromium)
    {
        chromium = "";
        if (!environment.IsLinux())
        {
            return "the real runs need Linux (network namespaces, tc); --sim-only runs the NetSim curve anywhere";
        }

        if (!environment.IsRoot())
        {
            return "the real runs need root (they create network namespaces and set a tc qdisc); run as root, or --sim-only for the NetSim curve alone";
        }

        foreach ((string program, string package) in (ReadOnlySpan<(string, string)>)[("ip", "iproute2"), ("tc", "iproute2"), ("stdbuf", "coreutils")])
        {
            if (environment.FindTool(program) is null)
            {
                return $"'{program}' is not installed (Debian package {package}: apt-get install -y {package})";
            }
        }

        if (chromiumOption is not null)
        {
            if (!File.Exists(chromiumOption))
            {
                return $"--chromium {chromiumOption}: no such file";
            }

            chromium = Path.GetFullPath(chromiumOption);
            return null;
        }

        string? found = environment.FindChromium();
        if (found is null)
        {
            return "Chromium not found (looked for /usr/lib/chromium/chromium and chromium on PATH): install it (Debian package chromium) or give --chromium PATH";
        }

        chromium = found;
        return null;
    }

    /// <summary>The load average at the end of the runs, for the table (the machine is often shared).</summary>
    private static string Note(BottleneckEnvironment environment) => environment.LoadAverage() is string load ? "load average " + load : "load average unknown";

    private static int Write(string outDir, IReadOnlyList<BottleneckCurve> curves, BottleneckSchedule schedule, string note, TextWriter stdout, TextWriter stderr)
    {
        string table;
        try
        {
            table = BottleneckComparison.WriteFiles(outDir, curves, schedule, note);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"error: cannot write to {outDir}: {e.Message}");
            return 1;
        }

        stdout.WriteLine(table);
        stdout.WriteLine("files in " + Path.GetFullPath(outDir) + ": " + string.Join(", ", curves.Select(c => BottleneckComparison.FileName(c.Name) + ".csv").Append("table.md").Append("bottleneck.png").Append("bottleneck.svg")));
        return 0;
    }
}

/// <summary>What <c>rtcstack bottleneck</c> asks of the machine; tests replace parts of it.</summary>
internal sealed class BottleneckEnvironment
{
    public Func<bool> IsLinux { get; init; } = OperatingSystem.IsLinux;

    public Func<bool> IsRoot { get; init; } = () => Environment.UserName == "root";

    public Func<string, string?> FindTool { get; init; } = ExternalTool.Find;

    public Func<string?> FindChromium { get; init; } = HeadlessBrowser.FindChromium;

    public Func<string?> LoadAverage { get; init; } = () => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null;

    public Func<BottleneckSchedule, string, TextWriter, CancellationToken, Task<BottleneckCurve[]>> Run { get; init; } = BottleneckComparison.RunAllAsync;
}
