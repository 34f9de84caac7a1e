using System.Text.Json;
using RtcStack.Cli.Commands;
using RtcStack.Congestion;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Sim;

/// <summary>Where a sweep stands after <see cref="SweepRunner.Run"/>.</summary>
/// <param name="InShard">Cells of this shard.</param>
/// <param name="Skipped">Cells already finished before this run (resumed).</param>
/// <param name="Ran">Cells run now.</param>
/// <param name="Failed">Cells that failed, with the reason.</param>
/// <param name="SimulatedSeconds">Virtual seconds simulated now.</param>
/// <param name="SimulationSeconds">Wall seconds the workers spent simulating (and summarising) cells, summed over the workers.</param>
/// <param name="OutputSeconds">Wall seconds the workers spent writing each cell's CSV, PNG and JSON, summed over the workers.</param>
internal sealed record SweepOutcome(int InShard, int Skipped, int Ran, IReadOnlyList<string> Failed, double SimulatedSeconds, double SimulationSeconds = 0, double OutputSeconds = 0);

/// <summary>
/// Runs a sweep's cells (one shard of them) into an output directory, in parallel, skipping cells whose result file
/// exists: an interrupted sweep resumes where it stopped. Each cell writes its CSV (and PNG) first and its JSON result
/// last, through a temporary file renamed into place, so a cell killed half-way is simply run again.
/// </summary>
internal static class SweepRunner
{
    public const string ManifestFile = "sweep.json";
    public const string CellsDirectory = "cells";

    public static SweepOutcome Run(SweepPlan plan, ControllerCatalog catalog, string outDir, int shardIndex, int shardCount, int jobs, Action? onCellDone)
    {
        string cells = Path.Combine(outDir, CellsDirectory);
        Directory.CreateDirectory(cells);
        var mine = plan.Cells.Where(c => c.Index % shardCount == shardIndex).ToList();
        var pending = mine.Where(c => !File.Exists(Path.Combine(cells, c.Stem + ".json"))).ToList();
        var failed = new List<string>();
        double simulated = 0;
        long simulationTicks = 0;
        long outputTicks = 0;
        object gate = new();
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, cell =>
        {
            try
            {
                (double s, long simTicks, long outTicks) = RunCell(plan, catalog, cell, cells);
                lock (gate)
                {
                    simulated += s;
                    simulationTicks += simTicks;
                    outputTicks += outTicks;
                }
            }
            catch (Exception e) when (e is Congestion.External.ExternalControllerException or System.Reflection.TargetInvocationException or ArgumentException or InvalidDataException or IOException)
            {
                string reason = (e as System.Reflection.TargetInvocationException)?.InnerException?.Message ?? e.Message;
                lock (gate)
                {
                    failed.Add($"{cell.Stem}: {reason}");
                }
            }
            onCellDone?.Invoke();
        });
        failed.Sort(StringComparer.Ordinal);
        return new SweepOutcome(mine.Count, mine.Count - pending.Count, pending.Count - failed.Count, failed, simulated,
            (double)simulationTicks / System.Diagnostics.Stopwatch.Frequency, (double)outputTicks / System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>
    /// Writes the manifest, or checks that the one already there is this sweep's (resuming into a directory of another
    /// sweep would mix results). Null when fine, else the reason.
    /// </summary>
    public static string? PrepareDirectory(SweepPlan plan, string outDir)
    {
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, ManifestFile);
        string manifest = plan.Manifest();
        if (File.Exists(path))
        {
            return File.ReadAllText(path) == manifest ? null : $"{outDir} holds results of a different sweep ({ManifestFile} differs); use another --out";
        }
        File.WriteAllText(path, manifest);
        return null;
    }

    // Returns the virtual seconds simulated and the Stopwatch ticks spent simulating and writing the cell's files.
    private static (double Simulated, long SimulationTicks, long OutputTicks) RunCell(SweepPlan plan, ControllerCatalog catalog, SweepCell cell, string cellsDir)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        (ScenarioDefinition def, string? baseDir) = plan.Scenario(cell);
        var created = new List<ICongestionController>();
        ScenarioResult result;
        try
        {
            result = ScenarioRunner.Run(def, cell.Controller, cell.Seed, new ScenarioRunOptions
            {
                Duration = plan.Spec.DurationSeconds is { } d ? TimeSpan.FromSeconds(d) : null,
                BaseDirectory = baseDir,
                ControllerFactory = catalog.Factory(cell.ControllerParameters, created),
            });
        }
        finally
        {
            ControllerCatalog.Release(created);
        }
        long simulatedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        string stem = Path.Combine(cellsDir, cell.Stem);
        ResultWriter.WriteCsv(result, stem + ".csv");
        if (plan.Spec.Plots)
        {
            ResultPlotter.Plot(result, stem + ".png");
        }
        var record = new SweepCellResult
        {
            Cell = cell.Index,
            Group = cell.Group.Index,
            Scenario = cell.Group.Scenario,
            Controller = cell.Controller,
            Parameters = cell.Group.Parameters,
            Seed = cell.Seed,
            Summary = result.Summary,
        };
        string tmp = stem + ".json.tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record, SweepJsonContext.Default.SweepCellResult));
        File.Move(tmp, stem + ".json", overwrite: true);
        long end = System.Diagnostics.Stopwatch.GetTimestamp();
        return (result.DurationSeconds, simulatedAt - start, end - simulatedAt);
    }
}
