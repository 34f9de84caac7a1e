using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RtcStack.Cli.Sim;
using RtcStack.NetSim.Scenarios;
using Spectre.Console;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack sim</c>: runs RFC 8867 presets or a JSON scenario in NetSim with GCC and/or NADA and writes CSV time
/// series, a JSON summary, PNG plots and a Markdown table comparing controllers.
/// </summary>
public static class SimCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var scenario = new Argument<string?>("scenario")
        {
            Description = "Preset name (" + string.Join(", ", Rfc8867Presets.Names) + ") or a JSON scenario file.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cc = new Option<string[]>("--cc") { Description = "Controller(s): gcc, nada, scream, or one loaded with --cc-assembly / --cc-process (repeatable; default gcc).", AllowMultipleArgumentsPerToken = true };
        var ccAssembly = new Option<string[]>("--cc-assembly") { Description = "Load controllers from a .NET assembly: public ICongestionController classes, named by [CongestionController(\"name\")] or class name (repeatable; docs/cc-research.md)." };
        var ccProcess = new Option<string[]>("--cc-process") { Description = "NAME=COMMAND: an outside controller speaking the line protocol on stdin/stdout, one process per flow and run (repeatable; docs/cc-research.md)." };
        var schema = new Option<bool>("--schema") { Description = "Print the JSON Schema of scenario files and exit." };
        var all = new Option<bool>("--all") { Description = "Run every RFC 8867 preset (with every built-in and loaded controller unless --cc is given)." };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same results).", DefaultValueFactory = _ => 1 };
        var duration = new Option<double?>("--duration") { Description = "Override the simulated duration, seconds." };
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "results" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG plots." };
        var rtpLog = new Option<bool>("--rtp-log") { Description = "Write RFC 8868 §3.1 per-packet RTP logs (large)." };
        var list = new Option<bool>("--list") { Description = "List the presets and exit." };
        var cmd = new Command("sim", "Run congestion-control scenarios in the network simulator (RFC 8867 test cases, RFC 8868 metrics).")
        {
            scenario, cc, ccAssembly, ccProcess, schema, all, seed, duration, output, noPlots, rtpLog, list,
        };
        cmd.Subcommands.Add(SimSweepCommand.Create());
        cmd.Subcommands.Add(SimMergeCommand.Create());
        cmd.Subcommands.Add(SimBatchCommand.Create());
        cmd.Subcommands.Add(SimJitterCommand.Create());
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(schema))
            {
                parse.InvocationConfiguration.Output.Write(ScenarioSchema.Text);
                return 0;
            }
            var catalog = new ControllerCatalog();
            if (!TryFillCatalog(catalog, parse.GetValue(ccAssembly) ?? [], parse.GetValue(ccProcess) ?? [], null, out string? error))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error!)}");
                return 2;
            }
            return Run(
                parse.GetValue(scenario), parse.GetValue(cc) ?? [], catalog, parse.GetValue(all), parse.GetValue(seed),
                parse.GetValue(duration), parse.GetValue(output)!, !parse.GetValue(noPlots), parse.GetValue(rtpLog), parse.GetValue(list));
        });
        return cmd;
    }

    /// <summary>Adds <c>--cc-assembly</c> and <c>--cc-process</c> controllers to <paramref name="catalog"/>.</summary>
    internal static bool TryFillCatalog(ControllerCatalog catalog, IEnumerable<string> assemblies, IEnumerable<string> processes, string? baseDirectory, out string? error)
    {
        foreach (string a in assemblies)
        {
            string path = baseDirectory is null || Path.IsPathRooted(a) ? a : Path.Combine(baseDirectory, a);
            if (!catalog.TryAddAssembly(path, out error))
            {
                return false;
            }
        }
        foreach (string p in processes)
        {
            if (!catalog.TryAddProcess(p, baseDirectory, out error))
            {
                return false;
            }
        }
        error = null;
        return true;
    }

    private static int Run(string? scenarioArg, string[] ccs, ControllerCatalog catalog, bool all, int seed, double? duration, string outDir, bool plots, bool rtpLog, bool list)
    {
        if (list)
        {
            foreach (string n in Rfc8867Presets.Names)
            {
                AnsiConsole.MarkupLine($"[bold]{n}[/]  {Markup.Escape(Rfc8867Presets.Get(n)!.Description)}");
            }
            return 0;
        }
        var scenarios = new List<(ScenarioDefinition Def, string? BaseDir)>();
        if (all)
        {
            foreach (string n in Rfc8867Presets.Names)
            {
                scenarios.Add((Rfc8867Presets.Get(n)!, null));
            }
        }
        else if (scenarioArg is null)
        {
            AnsiConsole.MarkupLine("[red]error:[/] give a scenario (preset or JSON file) or --all. Presets: " + string.Join(", ", Rfc8867Presets.Names));
            return 2;
        }
        else if (Rfc8867Presets.Get(scenarioArg) is { } preset)
        {
            scenarios.Add((preset, null));
        }
        else if (File.Exists(scenarioArg))
        {
            if (!ScenarioFile.TryParse(File.ReadAllText(scenarioArg), catalog.CustomNames, out ScenarioDefinition? def, out string? error))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(scenarioArg)}: {Markup.Escape(error!)}");
                return 2;
            }
            scenarios.Add((def!, Path.GetDirectoryName(Path.GetFullPath(scenarioArg))));
        }
        else
        {
            AnsiConsole.MarkupLine($"[red]error:[/] unknown scenario '{Markup.Escape(scenarioArg)}'. Presets: " + string.Join(", ", Rfc8867Presets.Names));
            return 2;
        }
        var controllers = new List<string>();
        foreach (string c in ccs)
        {
            foreach (string part in c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!catalog.IsKnown(part))
                {
                    AnsiConsole.MarkupLine($"[red]error:[/] unknown controller '{Markup.Escape(part)}' (known: {Markup.Escape(string.Join(", ", catalog.AllNames))})");
                    return 2;
                }
                controllers.Add(ScenarioRunner.Controllers.Contains(part.ToLowerInvariant()) ? part.ToLowerInvariant() : part);
            }
        }
        if (controllers.Count == 0)
        {
            controllers.AddRange(all ? catalog.AllNames : ["gcc"]);
        }
        Directory.CreateDirectory(outDir);
        var summaries = new List<ScenarioSummary>();
        var total = Stopwatch.StartNew();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        double simulated = 0;
        string? failure = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                foreach ((ScenarioDefinition def, string? baseDir) in scenarios)
                {
                    foreach (string controller in controllers)
                    {
                        ProgressTask task = ctx.AddTask($"{def.Name} {controller}", maxValue: 1.0);
                        string stem = Path.Combine(outDir, $"{def.Name}-{controller}");
                        using StreamWriter? log = rtpLog ? new StreamWriter(stem + "-rtp.log") : null;
                        var created = new List<Congestion.ICongestionController>();
                        ScenarioResult result;
                        try
                        {
                            result = ScenarioRunner.Run(def, controller, seed, new ScenarioRunOptions
                            {
                                Duration = duration is { } d ? TimeSpan.FromSeconds(d) : null,
                                Progress = f => task.Value = f,
                                RtpLog = log,
                                BaseDirectory = baseDir,
                                ControllerFactory = catalog.Factory(null, created),
                            });
                        }
                        catch (Exception e) when (e is Congestion.External.ExternalControllerException or System.Reflection.TargetInvocationException or ArgumentException or InvalidDataException)
                        {
                            failure = $"{def.Name} {controller}: {(e as System.Reflection.TargetInvocationException)?.InnerException?.Message ?? e.Message}";
                            return;
                        }
                        finally
                        {
                            ControllerCatalog.Release(created);
                        }
                        simulated += result.DurationSeconds;
                        ResultWriter.WriteCsv(result, stem + ".csv");
                        ResultWriter.WriteJson(result.Summary, stem + ".json");
                        if (plots)
                        {
                            ResultPlotter.Plot(result, stem + ".png");
                        }
                        summaries.Add(result.Summary);
                        task.Value = 1;
                    }
                }
            });
        if (failure is not null)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(failure)}");
            return 1;
        }
        string table = ResultWriter.ComparisonMarkdown(summaries);
        File.WriteAllText(Path.Combine(outDir, "comparison.md"), table);
        AnsiConsole.WriteLine(table);
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Simulated {simulated:F0} s in {total.Elapsed.TotalSeconds:F1} s wall ({simulated / total.Elapsed.TotalSeconds:F0}× real time), {cpu:F1} s CPU, including output. Output: {Markup.Escape(Path.GetFullPath(outDir))}"));
        return 0;
    }
}
