using System.Globalization;
using RtcStack.NetSim.Scenarios;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>Bring your own controller: an assembly loaded with --cc-assembly and an outside process with --cc-process.</summary>
// One at a time: sim draws its progress with Spectre.Console, which allows one live display per process.
[Collection("Sim")]
public class SimControllerTests
{
    [Fact]
    public void SampleAssemblyControllerRunsBesideGccAndNadaAndIsDeterministic()
    {
        using var dir = new TempDir();
        string[] args(string outDir) =>
            ["sim", "rfc8867-5.1", "--duration", "30", "--cc-assembly", SimTestPaths.AimdDelayDll, "--cc", "gcc", "--cc", "nada", "--cc", "aimd-delay", "--no-plots", "--out", outDir];
        Assert.Equal(0, CliRunner.Run(args(dir.File("a"))).ExitCode);
        string table = File.ReadAllText(Path.Combine(dir.File("a"), "comparison.md"));
        foreach (string cc in new[] { "gcc", "nada", "aimd-delay" })
        {
            string[] row = SimTestPaths.Row(table, cc);
            Assert.Equal("rfc8867-5.1", row[0]);
            // 1 Mbps bottleneck for the first 30 s: every controller carries real media, none beyond the capacity.
            Assert.InRange(double.Parse(row[2], CultureInfo.InvariantCulture), 0.3, 1.0);
        }
        Assert.Equal(0, CliRunner.Run(args(dir.File("b"))).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), "rfc8867-5.1-aimd-delay.csv")), File.ReadAllBytes(Path.Combine(dir.File("b"), "rfc8867-5.1-aimd-delay.csv")));
    }

    [Fact]
    public void ScreamIsABuiltInControllerOfSim()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("sim", "rfc8867-5.1", "--duration", "20", "--cc", "scream", "--no-plots", "--out", dir.Path).ExitCode);
        string[] row = SimTestPaths.Row(File.ReadAllText(Path.Combine(dir.Path, "comparison.md")), "scream");
        Assert.Equal("rfc8867-5.1", row[0]);
        // 1 Mbps bottleneck for the first 20 s: SCReAM carries real media, none beyond the capacity.
        Assert.InRange(double.Parse(row[2], CultureInfo.InvariantCulture), 0.5, 1.0);
        Assert.True(File.Exists(Path.Combine(dir.Path, "rfc8867-5.1-scream.csv")));
    }

    [Fact]
    public void UnknownControllersAndAssembliesWithoutControllersAreRefused()
    {
        using var dir = new TempDir();
        Assert.Equal(2, CliRunner.Run("sim", "rfc8867-5.1", "--cc", "aimd-delay", "--out", dir.Path).ExitCode);
        Assert.Equal(2, CliRunner.Run("sim", "rfc8867-5.1", "--cc-assembly", dir.File("missing.dll"), "--cc", "gcc", "--out", dir.Path).ExitCode);
        // An assembly with no ICongestionController in it.
        string rtp = Path.Combine(AppContext.BaseDirectory, "RtcStack.Rtp.dll");
        Assert.Equal(2, CliRunner.Run("sim", "rfc8867-5.1", "--cc-assembly", rtp, "--cc", "gcc", "--out", dir.Path).ExitCode);
        Assert.Equal(2, CliRunner.Run("sim", "rfc8867-5.1", "--cc-process", "novalue", "--cc", "gcc", "--out", dir.Path).ExitCode);
        Assert.Equal(2, CliRunner.Run("sim", "rfc8867-5.1", "--cc-process", "gcc=cat", "--out", dir.Path).ExitCode);
    }

    [Fact]
    public void AProcessThatAnswersNonsenseFailsTheRun()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("sim", "rfc8867-5.1", "--duration", "2", "--cc-process", "bad=while read line; do echo nonsense; done", "--cc", "bad", "--no-plots", "--out", dir.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir.Path, "comparison.md")));
    }

    [Fact]
    public void SchemaOptionPrintsTheSchemaInTheRepository()
    {
        var r = CliRunner.Run("sim", "--schema");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "RtcStack.NetSim", "Scenarios", "scenario.schema.json")), r.Out);
    }

    /// <summary>
    /// The 35-line Python example of samples/python implements the same AIMD as the C# sample, so through the line
    /// protocol it must reach the same operating point; and virtual time waits for it, so two runs give the same bytes.
    /// </summary>
    [Fact]
    [Trait("Category", "Interop")]
    public void PythonExampleRunsOverTheLineProtocolDeterministically()
    {
        string python = ExternalTool.Require("python3", "python3");
        using var dir = new TempDir();
        string[] args(string outDir) =>
            ["sim", "rfc8867-5.1", "--duration", "30", "--cc-assembly", SimTestPaths.AimdDelayDll, "--cc-process", $"py={python} {SimTestPaths.PythonExample}",
             "--cc", "py", "--cc", "aimd-delay", "--no-plots", "--out", outDir];
        Assert.Equal(0, CliRunner.Run(args(dir.File("a"))).ExitCode);
        Assert.Equal(0, CliRunner.Run(args(dir.File("b"))).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), "rfc8867-5.1-py.csv")), File.ReadAllBytes(Path.Combine(dir.File("b"), "rfc8867-5.1-py.csv")));
        string table = File.ReadAllText(Path.Combine(dir.File("a"), "comparison.md"));
        double py = double.Parse(SimTestPaths.Row(table, "py")[2], CultureInfo.InvariantCulture);
        double cs = double.Parse(SimTestPaths.Row(table, "aimd-delay")[2], CultureInfo.InvariantCulture);
        Assert.InRange(py, 0.3, 1.0);
        Assert.InRange(py, cs * 0.95, cs * 1.05);
    }

    /// <summary>
    /// The three example files and every RFC 8867 preset are valid against the schema `sim --schema` prints, checked
    /// by an independent validator (Debian's python3-jsonschema, draft 2020-12); a broken copy of an example is not.
    /// </summary>
    [Fact]
    [Trait("Category", "Interop")]
    public void ExamplesAndPresetsValidateAgainstThePrintedSchema()
    {
        string python = ExternalTool.Require("python3", "python3");
        using var dir = new TempDir();
        var schema = CliRunner.Run("sim", "--schema");
        Assert.Equal(0, schema.ExitCode);
        File.WriteAllText(dir.File("schema.json"), schema.Out);
        var files = new List<string>();
        foreach (string name in new[] { "capacity-schedule.json", "mahimahi-replay.json", "two-rtts.json" })
        {
            files.Add(Path.Combine(SimTestPaths.ScenarioExamples, name));
        }
        foreach (string preset in Rfc8867Presets.Names)
        {
            string path = dir.File(preset + ".json");
            File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(Rfc8867Presets.Get(preset)!, ScenarioJsonContext.Default.ScenarioDefinition));
            files.Add(path);
        }
        string broken = dir.File("broken.json");
        File.WriteAllText(broken, File.ReadAllText(files[2]).Replace("\"accessDelayMs\": 10", "\"accessDelayMs\": -10", StringComparison.Ordinal));
        const string script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                sys.exit("python3-jsonschema is not installed (Debian package python3-jsonschema)")
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:]:
                errors = list(v.iter_errors(json.load(open(path))))
                print(("INVALID " if errors else "VALID ") + path + "".join("; " + e.message for e in errors))
            """;
        File.WriteAllText(dir.File("check.py"), script);
        var r = ProcessRunner.Run(python, [dir.File("check.py"), dir.File("schema.json"), .. files, broken], TimeSpan.FromMinutes(1));
        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.Split('\n');
        foreach (string f in files)
        {
            Assert.Contains("VALID " + f, lines);
        }
        Assert.Contains(lines, l => l.StartsWith("INVALID " + broken + "; ", StringComparison.Ordinal));
        // And the examples run: each through `sim` for a few seconds.
        foreach (string f in files.Take(3))
        {
            Assert.Equal(0, CliRunner.Run("sim", f, "--duration", "3", "--no-plots", "--out", dir.File(Path.GetFileNameWithoutExtension(f))).ExitCode);
        }
    }
}
