using System.CommandLine;
using RtcStack.Cli.Sim;
using Spectre.Console;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack sim batch SPEC.json --shards N</c>: writes a Slurm job-array script and a Kubernetes Indexed Job manifest
/// that run the sweep's N shards (docs/cc-research.md).
/// </summary>
public static class SimBatchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Sweep specification (JSON)." };
        var shards = new Option<int>("--shards") { Description = "Number of shards (array tasks, pods).", DefaultValueFactory = _ => 4 };
        var output = new Option<string>("--out") { Description = "Results directory the jobs write shard-i into.", DefaultValueFactory = _ => "sweep" };
        var cpus = new Option<int>("--cpus") { Description = "Cores per shard.", DefaultValueFactory = _ => 2 };
        var slurm = new Option<string>("--slurm") { Description = "Where to write the Slurm script.", DefaultValueFactory = _ => "sweep.sbatch" };
        var kubernetes = new Option<string>("--kubernetes") { Description = "Where to write the Kubernetes Job manifest.", DefaultValueFactory = _ => "sweep-job.yaml" };
        var rtcstack = new Option<string>("--rtcstack") { Description = "Command that runs the tool on the Slurm nodes.", DefaultValueFactory = _ => "rtcstack" };
        var image = new Option<string>("--image") { Description = "Container image holding rtcstack (Kubernetes).", DefaultValueFactory = _ => "rtcstack:latest" };
        var claim = new Option<string>("--claim") { Description = "PersistentVolumeClaim mounted at /work, holding the spec and the results (Kubernetes).", DefaultValueFactory = _ => "rtcstack-work" };
        var cmd = new Command("batch", "Write a Slurm job-array script and a Kubernetes Indexed Job that run a sweep's shards.")
        {
            spec, shards, output, cpus, slurm, kubernetes, rtcstack, image, claim,
        };
        cmd.SetAction(parse =>
        {
            string specPath = parse.GetValue(spec)!;
            int n = parse.GetValue(shards);
            int c = parse.GetValue(cpus);
            if (n is < 1 or > 100_000 || c is < 1 or > 1024)
            {
                AnsiConsole.MarkupLine("[red]error:[/] --shards must be 1–100000 and --cpus 1–1024");
                return 2;
            }
            if (!File.Exists(specPath) || !SweepSpec.TryParse(File.ReadAllText(specPath), Path.GetDirectoryName(Path.GetFullPath(specPath))!, out SweepSpec? s, out string? error))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(specPath)}: {Markup.Escape(File.Exists(specPath) ? "not a valid sweep spec" : "no such file")}");
                return 2;
            }
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            File.WriteAllText(parse.GetValue(slurm)!, BatchScripts.Slurm(s!.Name, specPath, outDir, n, c, parse.GetValue(rtcstack)!));
            File.WriteAllText(parse.GetValue(kubernetes)!, BatchScripts.Kubernetes(s.Name, specPath, outDir, n, c, parse.GetValue(image)!, parse.GetValue(claim)!));
            AnsiConsole.MarkupLine(Markup.Escape($"wrote {parse.GetValue(slurm)} (sbatch) and {parse.GetValue(kubernetes)} (kubectl apply -f) for {n} shards; merge with: rtcstack sim merge {outDir}/shard-* --out {outDir}/merged"));
            return 0;
        });
        return cmd;
    }
}
