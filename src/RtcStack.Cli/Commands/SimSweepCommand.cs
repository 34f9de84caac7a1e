using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.Cli.Sim;
using Spectre.Console;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack sim sweep SPEC.json</c>: runs a grid of scenarios × parameters × controllers × seeds across all cores,
/// resumable, optionally one shard of it, and (for a whole sweep) merges the results into one table.
/// </summary>
public static class SimSweepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Sweep specification (JSON; docs/cc-research.md)." };
        var output = new Option<string>("--out") { Description = "Output directory (resumes: finished cells are skipped).", DefaultValueFactory = _ => "sweep" };
        var shard = new Option<string?>("--shard") { Description = "Run one slice: i/N runs cells k with k mod N = i (0 ≤ i < N); merge the slices with `rtcstack sim merge`." };
        var jobs = new Option<int>("--jobs") { Description = "Cells run at once (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var list = new Option<bool>("--list") { Description = "Print the cells and exit." };
        var cmd = new Command("sweep", "Run a sweep of scenarios × parameters × controllers × seeds (resumable, shardable).")
        {
            spec, output, shard, jobs, list,
        };
        cmd.SetAction(parse => Run(parse.GetValue(spec)!, parse.GetValue(output)!, parse.GetValue(shard), parse.GetValue(jobs), parse.GetValue(list), parse.InvocationConfiguration.Output));
        return cmd;
    }

    /// <summary>Parses <c>i/N</c>.</summary>
    internal static bool TryParseShard(string? text, out int index, out int count)
    {
        index = 0;
        count = 1;
        if (text is null)
        {
            return true;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && count is > 0 and <= 1_000_000 && index < count;
    }

    private static int Run(string specPath, string outDir, string? shardText, int jobs, bool list, TextWriter stdout)
    {
        if (!TryParseShard(shardText, out int shardIndex, out int shardCount))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] --shard wants i/N with 0 ≤ i < N, not '{Markup.Escape(shardText ?? "")}'");
            return 2;
        }
        if (!File.Exists(specPath))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(specPath)}: no such file");
            return 2;
        }
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        if (!SweepSpec.TryParse(File.ReadAllText(specPath), baseDir, out SweepSpec? spec, out string? error))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(specPath)}: {Markup.Escape(error!)}");
            return 2;
        }
        var catalog = new ControllerCatalog();
        if (!SimCommand.TryFillCatalog(catalog, spec!.CcAssemblies, spec.CcProcesses, baseDir, out error)
            || !SweepPlan.TryCreate(spec, catalog, out SweepPlan? plan, out error))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(specPath)}: {Markup.Escape(error!)}");
            return 2;
        }
        if (list)
        {
            foreach (SweepCell c in plan!.Cells)
            {
                stdout.WriteLine($"{c.Index}\tshard {c.Index % shardCount}/{shardCount}\t{c.Stem}\t{c.Group.Parameters}");
            }
            return 0;
        }
        if (SweepRunner.PrepareDirectory(plan!, outDir) is { } conflict)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(conflict)}");
            return 2;
        }
        var wall = Stopwatch.StartNew();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        int inShard = plan!.Cells.Count(c => c.Index % shardCount == shardIndex);
        SweepOutcome outcome = null!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask($"{spec.Name} shard {shardIndex}/{shardCount}", maxValue: Math.Max(inShard, 1));
                int already = plan.Cells.Count(c => c.Index % shardCount == shardIndex && File.Exists(Path.Combine(outDir, SweepRunner.CellsDirectory, c.Stem + ".json")));
                task.Value = already;
                outcome = SweepRunner.Run(plan, catalog, outDir, shardIndex, shardCount, jobs, () => task.Increment(1));
            });
        double runWall = wall.Elapsed.TotalSeconds;
        double mergeStart = wall.Elapsed.TotalSeconds;
        foreach (string f in outcome.Failed)
        {
            AnsiConsole.MarkupLine($"[red]failed:[/] {Markup.Escape(f)}");
        }
        int code = outcome.Failed.Count > 0 ? 1 : 0;
        string merged = "";
        if (shardCount == 1 && outcome.Failed.Count == 0)
        {
            if (!SweepMerger.TryMerge([outDir], outDir, out _, out error))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] merge: {Markup.Escape(error!)}");
                return 1;
            }
            merged = $", merged into {Path.Combine(outDir, SweepMerger.MarkdownFile)}";
        }
        double mergeSeconds = wall.Elapsed.TotalSeconds - mergeStart;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{outcome.Ran} cells run, {outcome.Skipped} already done, {outcome.Failed.Count} failed of {outcome.InShard} in shard {shardIndex}/{shardCount} ({plan.Cells.Count} in the sweep); simulated {outcome.SimulatedSeconds:F0} s in {runWall:F1} s wall ({(runWall > 0 ? outcome.SimulatedSeconds / runWall : 0):F0}× real time), {wall.Elapsed.TotalSeconds:F1} s with the merge, {cpu:F1} s CPU{merged}")));
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"where the time went: simulating and summarising the cells {outcome.SimulationSeconds:F1} s, writing each cell's files {outcome.OutputSeconds:F1} s (both summed over {jobs} workers), merging {mergeSeconds:F1} s")));
        return code;
    }
}
