using System.Text.Json;
using RtcStack.Cli.Sim;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>
/// <c>sim batch</c>: the Slurm job-array script and the Kubernetes Indexed Job are well-formed, and the command each
/// array task or pod runs, run here the way Slurm and Kubernetes would (with the index in the environment), produces
/// shards whose merge equals the local sweep byte for byte; and a real one-node Slurm cluster runs the job array. (No
/// Kubernetes cluster runs in these tests.)
/// </summary>
[Collection("Sim")]
public class SimBatchTests
{
    private const string Spec = """
        { "name": "Batch Test", "scenarios": ["rfc8867-5.1"], "controllers": ["gcc", "nada"], "seeds": [1, 2, 3], "durationSeconds": 4 }
        """;

    private static string Rtcstack => $"dotnet {Path.Combine(AppContext.BaseDirectory, "rtcstack.dll")}";

    [Fact]
    public void SlurmArrayScriptIsValidBashAndItsTasksReproduceTheLocalSweep()
    {
        string bash = ExternalTool.Require("bash", "bash");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), Spec);
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("spec.json"), "--out", dir.File("local")).ExitCode);
        Assert.Equal(0, CliRunner.Run("sim", "batch", dir.File("spec.json"), "--shards", "3", "--cpus", "1", "--out", dir.File("out"),
            "--slurm", dir.File("sweep.sbatch"), "--kubernetes", dir.File("job.yaml"), "--rtcstack", Rtcstack).ExitCode);
        string script = File.ReadAllText(dir.File("sweep.sbatch"));
        Assert.StartsWith("#!/bin/bash\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --array=0-2\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --job-name=rtcstack-sweep-batch-test\n", script, StringComparison.Ordinal);
        Assert.True(Directory.Exists(dir.File("out")));
        Assert.Equal(0, ProcessRunner.Run(bash, ["-n", dir.File("sweep.sbatch")]).ExitCode);
        // Outside an array job it refuses to run.
        Assert.NotEqual(0, ProcessRunner.Run(bash, [dir.File("sweep.sbatch")], TimeSpan.FromMinutes(1)).ExitCode);
        for (int i = 0; i < 3; i++)
        {
            var r = ProcessRunner.Run("/usr/bin/env", [$"SLURM_ARRAY_TASK_ID={i}", "SLURM_CPUS_PER_TASK=1", bash, dir.File("sweep.sbatch")], TimeSpan.FromMinutes(5));
            Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        }
        Assert.Equal(0, CliRunner.Run("sim", "merge", dir.File("out/shard-0"), dir.File("out/shard-1"), dir.File("out/shard-2"), "--out", dir.File("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), SweepMerger.MarkdownFile)), File.ReadAllBytes(Path.Combine(dir.File("merged"), SweepMerger.MarkdownFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), SweepMerger.CsvFile)), File.ReadAllBytes(Path.Combine(dir.File("merged"), SweepMerger.CsvFile)));
    }

    /// <summary>The manifest is parsed by PyYAML (Debian's python3-yaml), not by our own reading of it.</summary>
    [Fact]
    [Trait("Category", "Interop")]
    public void KubernetesIndexedJobIsWellFormedAndItsPodCommandReproducesTheLocalSweep()
    {
        string python = ExternalTool.Require("python3", "python3");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), Spec);
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("spec.json"), "--out", dir.File("local")).ExitCode);
        Assert.Equal(0, CliRunner.Run("sim", "batch", dir.File("spec.json"), "--shards", "2", "--cpus", "1", "--out", dir.File("results"),
            "--slurm", dir.File("sweep.sbatch"), "--kubernetes", dir.File("job.yaml"), "--image", "registry.example/rtcstack:1", "--claim", "sweeps").ExitCode);
        var parsed = ProcessRunner.Run(python, ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", dir.File("job.yaml")]);
        Assert.True(parsed.ExitCode == 0, parsed.StdErr);
        using JsonDocument doc = JsonDocument.Parse(parsed.StdOut);
        JsonElement job = doc.RootElement;
        Assert.Equal("batch/v1", job.GetProperty("apiVersion").GetString());
        Assert.Equal("Job", job.GetProperty("kind").GetString());
        Assert.Equal("rtcstack-sweep-batch-test", job.GetProperty("metadata").GetProperty("name").GetString());
        JsonElement spec = job.GetProperty("spec");
        Assert.Equal("Indexed", spec.GetProperty("completionMode").GetString());
        Assert.Equal(2, spec.GetProperty("completions").GetInt32());
        Assert.Equal(2, spec.GetProperty("parallelism").GetInt32());
        JsonElement pod = spec.GetProperty("template").GetProperty("spec");
        Assert.Contains(pod.GetProperty("restartPolicy").GetString(), new[] { "Never", "OnFailure" });
        JsonElement container = Assert.Single(pod.GetProperty("containers").EnumerateArray());
        Assert.Equal("registry.example/rtcstack:1", container.GetProperty("image").GetString());
        Assert.Equal("/work", container.GetProperty("workingDir").GetString());
        Assert.Equal("sweeps", Assert.Single(pod.GetProperty("volumes").EnumerateArray()).GetProperty("persistentVolumeClaim").GetProperty("claimName").GetString());
        string[] command = [.. container.GetProperty("command").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(["/bin/sh", "-c"], command[..2]);

        // Run each pod's command as Kubernetes would: in the working directory (our temp dir stands in for the volume),
        // with JOB_COMPLETION_INDEX set and an `rtcstack` on PATH.
        Directory.CreateDirectory(dir.File("bin"));
        File.WriteAllText(dir.File("bin/rtcstack"), $"#!/bin/sh\nexec {Rtcstack} \"$@\"\n");
        Assert.Equal(0, ProcessRunner.Run("/bin/chmod", ["+x", dir.File("bin/rtcstack")]).ExitCode);
        string path = dir.File("bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        for (int i = 0; i < 2; i++)
        {
            var r = ProcessRunner.Run("/usr/bin/env", [$"JOB_COMPLETION_INDEX={i}", $"PATH={path}", "/bin/sh", "-c", command[2]], TimeSpan.FromMinutes(5), workingDirectory: dir.Path);
            Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        }
        Assert.Equal(0, CliRunner.Run("sim", "merge", dir.File("results/shard-1"), dir.File("results/shard-0"), "--out", dir.File("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), SweepMerger.MarkdownFile)), File.ReadAllBytes(Path.Combine(dir.File("merged"), SweepMerger.MarkdownFile)));
    }

    /// <summary>
    /// The Slurm path for real (issue 20): a one-node Slurm cluster started by the test (<see cref="SingleNodeSlurm"/>:
    /// munge and slurm-wlm from Debian, on 127.0.0.1) runs the script <c>sim batch</c> writes as a 4-task job array;
    /// every task completes with exit code 0 and writes its log, and the merged shards equal the local sweep byte for
    /// byte.
    /// </summary>
    [Fact]
    [Trait("Category", "Interop")]
    public void SlurmJobArrayOnASingleNodeClusterReproducesTheLocalSweep()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), Spec);
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("spec.json"), "--out", dir.File("local")).ExitCode);
        Assert.Equal(0, CliRunner.Run("sim", "batch", dir.File("spec.json"), "--shards", "4", "--cpus", "1", "--out", dir.File("out"),
            "--slurm", dir.File("sweep.sbatch"), "--rtcstack", Rtcstack).ExitCode);
        Directory.CreateDirectory(dir.File("slurm"));
        using SingleNodeSlurm slurm = SingleNodeSlurm.Start(dir.File("slurm"));
        string job = slurm.Submit(dir.File("sweep.sbatch"), dir.Path);
        slurm.WaitForJob(job, TimeSpan.FromMinutes(5));
        SortedDictionary<int, (string State, string ExitCode)> tasks = slurm.ArrayTasks(job);
        Assert.True(tasks.Count == 4, $"job {job}: {tasks.Count} array tasks reported\n{slurm.Command("scontrol", "-o", "show", "job", job).StdOut}\n{slurm.Logs()}");
        foreach ((int task, (string state, string exit)) in tasks)
        {
            string log = dir.File($"out/slurm-{job}_{task}.log");
            Assert.True(state == "COMPLETED" && exit == "0:0", $"task {task}: {state} {exit}\n{(File.Exists(log) ? File.ReadAllText(log) : "(no log)")}\n{slurm.Logs()}");
            Assert.True(File.Exists(log), "Slurm wrote no log for task " + task);
        }

        Assert.Equal(0, CliRunner.Run("sim", "merge", dir.File("out/shard-0"), dir.File("out/shard-1"), dir.File("out/shard-2"), dir.File("out/shard-3"), "--out", dir.File("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), SweepMerger.MarkdownFile)), File.ReadAllBytes(Path.Combine(dir.File("merged"), SweepMerger.MarkdownFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), SweepMerger.CsvFile)), File.ReadAllBytes(Path.Combine(dir.File("merged"), SweepMerger.CsvFile)));
    }

    [Theory]
    [InlineData("Batch Test", "rtcstack-sweep-batch-test")]
    [InlineData("a_b.c", "rtcstack-sweep-a-b-c")]
    [InlineData("-", "rtcstack-sweep")]
    public void JobNamesAreDnsLabels(string name, string expected) => Assert.Equal(expected, BatchScripts.DnsLabel(name));
}
