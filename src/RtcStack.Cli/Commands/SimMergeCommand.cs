using System.CommandLine;
using RtcStack.Cli.Sim;
using Spectre.Console;

namespace RtcStack.Cli.Commands;

/// <summary><c>rtcstack sim merge DIR...</c>: combines the output directories of a sweep's shards into one table.</summary>
public static class SimMergeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dirs = new Argument<string[]>("dirs") { Description = "Output directories of the sweep's shards (or of one local run).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Where merged.md, merged.csv and the merged plots (merged-SCENARIO.png) go.", DefaultValueFactory = _ => "merged" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the merged plots (one PNG per scenario: media rate and queuing delay, median and 5th–95th percentile band across seeds per group)." };
        var cmd = new Command("merge", "Merge sweep shards: per group the median and 5th–95th percentile across seeds (merged.md, merged.csv, and a plot per scenario).")
        {
            dirs, output, noPlots,
        };
        cmd.SetAction(parse =>
        {
            string[] d = parse.GetValue(dirs) ?? [];
            if (!SweepMerger.TryMerge(d, parse.GetValue(output)!, out MergeOutcome? outcome, out string? error, plots: !parse.GetValue(noPlots)))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error!)}");
                return 2;
            }
            if (outcome!.Found < outcome.Cells)
            {
                AnsiConsole.MarkupLine($"[yellow]incomplete:[/] {outcome.Found} of {outcome.Cells} cells have results; the table covers those (run the missing shards, then merge again)");
                return 1;
            }
            AnsiConsole.MarkupLine(Markup.Escape($"{outcome.Found} cells in {outcome.Groups} groups merged into {Path.Combine(parse.GetValue(output)!, SweepMerger.MarkdownFile)}" +
                (outcome.Plots.Count > 0 ? $" and {outcome.Plots.Count} plot(s): {string.Join(", ", outcome.Plots.Select(Path.GetFileName))}" : "")));
            return 0;
        });
        return cmd;
    }
}
