using System.Globalization;
using System.Text.Json.Nodes;
using RtcStack.Cli.Sim;
using RtcStack.NetSim.Scenarios;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary><c>sim sweep</c> and <c>sim merge</c>: the grid, resuming, shards and their merge.</summary>
// One at a time: sim draws its progress with Spectre.Console, which allows one live display per process.
[Collection("Sim")]
public class SimSweepTests
{
    // 1 scenario × 2 delays × (gcc + nada × 2 xRef + aimd-delay × 2 increase rates) × 3 seeds = 30 cells of 8 s.
    private static string Spec(string name = "test") => $$"""
        {
          "name": "{{name}}",
          "scenarios": ["rfc8867-5.1"],
          "parameters": { "links[fwd].propagationDelayMs": [50, 100] },
          "controllers": [
            "gcc",
            { "name": "nada", "parameters": { "xRef": [10, 20] } },
            { "name": "aimd-delay", "parameters": { "increaseBps": [50000, 200000] } }
          ],
          "seeds": { "first": 1, "count": 3 },
          "durationSeconds": 8,
          "ccAssemblies": [{{System.Text.Json.JsonSerializer.Serialize(SimTestPaths.AimdDelayDll)}}]
        }
        """;

    /// <summary>The plots' bands per step: median and 5th/95th percentiles interpolated as the tables, NaN left out.</summary>
    [Fact]
    public void MergedPlotBandsArePerStepPercentilesAcrossSeeds()
    {
        double[][] series =
        [
            [1, 10, double.NaN, 4],
            [2, 20, double.NaN, double.NaN],
            [3, 30, double.NaN, 8],
            [4, 40, double.NaN, 6],
            [5, 50, double.NaN, 2, 99], // longer than the others: cut to the shortest
        ];
        (double[] median, double[] p5, double[] p95) = SweepPlotter.Bands(series, 0.5);
        Assert.Equal(4, median.Length);
        Assert.Equal([1.5, 15, double.NaN, 2.5], median);
        // 5 values: h = 4 * 0.05 = 0.2 → v0 + 0.2 (v1 - v0); h = 3.8 → v3 + 0.8 (v4 - v3); scaled by 0.5.
        Assert.Equal(0.5 * 1.2, p5[0], 12);
        Assert.Equal(0.5 * 4.8, p95[0], 12);
        Assert.Equal(0.5 * 12, p5[1], 12);
        Assert.Equal(0.5 * 48, p95[1], 12);
        Assert.True(double.IsNaN(p5[2]) && double.IsNaN(p95[2]));
        // Step 3 has four values (2, 4, 6, 8): h = 0.15 → 2.3; h = 2.85 → 7.7.
        Assert.Equal(0.5 * 2.3, p5[3], 12);
        Assert.Equal(0.5 * 7.7, p95[3], 12);
    }

    [Fact]
    public void MergedShardsEqualTheLocalRunByteForByte()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), Spec());
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("spec.json"), "--out", dir.File("local")).ExitCode);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("spec.json"), "--shard", $"{i}/3", "--out", dir.File($"shard{i}"), "--jobs", "1").ExitCode);
            Assert.False(File.Exists(Path.Combine(dir.File($"shard{i}"), SweepMerger.MarkdownFile))); // a shard does not merge
        }
        Assert.Equal(0, CliRunner.Run("sim", "merge", dir.File("shard2"), dir.File("shard0"), dir.File("shard1"), "--out", dir.File("merged")).ExitCode);

        foreach (string f in new[] { SweepMerger.MarkdownFile, SweepMerger.CsvFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), f)), File.ReadAllBytes(Path.Combine(dir.File("merged"), f)));
        }
        // One merged plot for the one scenario, a PNG, the same from the shards as from the local run.
        string plot = Assert.Single(Directory.GetFiles(dir.File("merged"), "merged-*.png"));
        Assert.Equal("merged-rfc8867-5.1.png", Path.GetFileName(plot));
        byte[] png = File.ReadAllBytes(plot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 20_000, $"a merged plot of {png.Length} bytes is too small to hold ten bands");
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("local"), "merged-rfc8867-5.1.png")), png);
        Assert.Equal(0, CliRunner.Run("sim", "merge", dir.File("shard0"), dir.File("shard1"), dir.File("shard2"), "--out", dir.File("merged-no-plots"), "--no-plots").ExitCode);
        Assert.Empty(Directory.GetFiles(dir.File("merged-no-plots"), "*.png"));
        string[] localCells = Directory.GetFiles(Path.Combine(dir.File("local"), "cells"), "*.csv");
        Assert.Equal(30, localCells.Length);
        foreach (string csv in localCells)
        {
            string name = Path.GetFileName(csv);
            int index = int.Parse(name[..6], CultureInfo.InvariantCulture);
            Assert.Equal(File.ReadAllBytes(csv), File.ReadAllBytes(Path.Combine(dir.File($"shard{index % 3}"), "cells", name)));
        }

        // Ten groups (rows), three seeds each, in grid order; the controller parameter reached the controller.
        string[] rows = File.ReadAllLines(Path.Combine(dir.File("merged"), SweepMerger.CsvFile));
        Assert.Equal(11, rows.Length);
        Assert.StartsWith("0,rfc8867-5.1,gcc,links[fwd].propagationDelayMs=50,3,", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("9,rfc8867-5.1,aimd-delay,\"links[fwd].propagationDelayMs=100, increaseBps=200000\",3,", rows[10], StringComparison.Ordinal);
        double slow = double.Parse(rows[9].Split(',')[6], CultureInfo.InvariantCulture);
        double fast = double.Parse(rows[10].Split(',')[6], CultureInfo.InvariantCulture);
        Assert.True(fast > slow * 1.2, $"median rate {fast} with 200 kbps/s increase vs {slow} with 50 kbps/s");
    }

    [Fact]
    public void AnInterruptedSweepResumesAndSkipsFinishedCells()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.json"), Spec());
        Assert.True(SweepSpec.TryParse(Spec(), dir.Path, out SweepSpec? spec, out string? error), error);
        var catalog = new ControllerCatalog();
        Assert.True(catalog.TryAddAssembly(SimTestPaths.AimdDelayDll, out error), error);
        Assert.True(SweepPlan.TryCreate(spec!, catalog, out SweepPlan? plan, out error), error);
        string outDir = dir.File("out");
        Assert.Null(SweepRunner.PrepareDirectory(plan!, outDir));
        SweepOutcome first = SweepRunner.Run(plan!, catalog, outDir, 0, 1, 2, null);
        Assert.Equal((30, 0, 30), (first.InShard, first.Skipped, first.Ran));
        Assert.Empty(first.Failed);
        Assert.True(first.SimulationSeconds > 0 && first.OutputSeconds > 0, $"simulation {first.SimulationSeconds} s, output {first.OutputSeconds} s");

        // "Interrupt": two cells lost their result (killed before the rename); another cell's CSV is marked so a rerun would show.
        string cells = Path.Combine(outDir, "cells");
        File.Delete(Path.Combine(cells, plan!.Cells[4].Stem + ".json"));
        File.Delete(Path.Combine(cells, plan.Cells[17].Stem + ".json"));
        File.WriteAllText(Path.Combine(cells, plan.Cells[5].Stem + ".csv"), "kept");
        SweepOutcome second = SweepRunner.Run(plan, catalog, outDir, 0, 1, 2, null);
        Assert.Equal((30, 28, 2), (second.InShard, second.Skipped, second.Ran));
        Assert.True(File.Exists(Path.Combine(cells, plan.Cells[4].Stem + ".json")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(cells, plan.Cells[5].Stem + ".csv")));

        // The same directory refuses a different sweep.
        Assert.True(SweepSpec.TryParse(Spec("other"), dir.Path, out SweepSpec? other, out error), error);
        Assert.True(SweepPlan.TryCreate(other!, catalog, out SweepPlan? otherPlan, out error), error);
        Assert.NotNull(SweepRunner.PrepareDirectory(otherPlan!, outDir));
    }

    [Fact]
    public void MergeReportsMissingCellsAndRefusesMixedSweeps()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.json"), Spec("a"));
        File.WriteAllText(dir.File("b.json"), Spec("b"));
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("a.json"), "--shard", "0/10", "--out", dir.File("a0")).ExitCode);
        Assert.Equal(0, CliRunner.Run("sim", "sweep", dir.File("b.json"), "--shard", "0/10", "--out", dir.File("b0")).ExitCode);
        Assert.Equal(1, CliRunner.Run("sim", "merge", dir.File("a0"), "--out", dir.File("m")).ExitCode);
        Assert.Contains("| 1 |", File.ReadAllText(Path.Combine(dir.File("m"), SweepMerger.MarkdownFile)), StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run("sim", "merge", dir.File("a0"), dir.File("b0"), "--out", dir.File("m2")).ExitCode);
        Assert.Equal(2, CliRunner.Run("sim", "merge", dir.File("nothing"), "--out", dir.File("m3")).ExitCode);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.05, 1.15)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.95, 3.85)]
    [InlineData(new double[] { 7 }, 0.05, 7)]
    [InlineData(new double[] { 1, double.PositiveInfinity }, 0.5, double.PositiveInfinity)]
    [InlineData(new double[] { 1, 2, double.PositiveInfinity }, 0.5, 2)]
    public void PercentilesInterpolateBetweenOrderStatistics(double[] sorted, double q, double expected) =>
        Assert.Equal(expected, SweepMerger.Percentile(sorted, q), 9);

    [Fact]
    public void ScenarioParametersSetMembersByIdIndexAndWildcard()
    {
        ScenarioDefinition d = Rfc8867Presets.Case52();
        Assert.True(SweepPlan.TryApply(d, [new("links[fwd].propagationDelayMs", JsonValue.Create(80)), new("mediaFlows[*].startBps", JsonValue.Create(300000)),
            new("links[0].capacity[1].bps", JsonValue.Create(1500000)), new("durationSeconds", JsonValue.Create(30))], out ScenarioDefinition? r, out string? error), error);
        Assert.Equal(80, r!.Links[0].PropagationDelayMs);
        Assert.All(r.MediaFlows, m => Assert.Equal(300_000, m.StartBps));
        Assert.Equal(1_500_000, r.Links[0].Capacity[1].Bps);
        Assert.Equal(30, r.DurationSeconds);
        Assert.Equal(50, d.Links[0].PropagationDelayMs); // the original is untouched
        Assert.False(SweepPlan.TryApply(d, [new("links[fwd].delayMs", JsonValue.Create(1))], out _, out error));
        Assert.Contains("no member 'delayMs'", error, StringComparison.Ordinal);
        Assert.False(SweepPlan.TryApply(d, [new("links[nope].jitterMs", JsonValue.Create(1))], out _, out error));
        Assert.False(SweepPlan.TryApply(d, [new("links[fwd].jitterMs", JsonValue.Create("high"))], out _, out _));
    }

    [Theory]
    [InlineData(null, true, 0, 1)]
    [InlineData("0/1", true, 0, 1)]
    [InlineData("3/4", true, 3, 4)]
    [InlineData("4/4", false, 0, 0)]
    [InlineData("-1/4", false, 0, 0)]
    [InlineData("1/0", false, 0, 0)]
    [InlineData("1", false, 0, 0)]
    [InlineData("a/b", false, 0, 0)]
    public void ShardArgumentIsIndexSlashCount(string? text, bool ok, int index, int count)
    {
        Assert.Equal(ok, Commands.SimSweepCommand.TryParseShard(text, out int i, out int n));
        if (ok)
        {
            Assert.Equal((index, count), (i, n));
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"scenarios": [], "controllers": ["gcc"]}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": []}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "seeds": [1, 1]}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "seeds": {"first": 1, "count": 0}}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "colour": "blue"}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": [{"name": "nada", "parameters": {"xRef": ["a"]}}]}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "parameters": {"durationSeconds": []}}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "durationSeconds": -1}""")]
    [InlineData("""{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "seeds": {"first": 1, "count": 100000}, "parameters": {"durationSeconds": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101]}}""")]
    public void BadSpecsAreRefusedWithAReason(string json)
    {
        Assert.False(SweepSpec.TryParse(json, ".", out SweepSpec? spec, out string? error));
        Assert.Null(spec);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void PlanRefusesUnknownControllersParametersAndInvalidParameterValues()
    {
        var catalog = new ControllerCatalog();
        foreach (string json in new[]
        {
            """{"scenarios": ["rfc8867-5.1"], "controllers": ["mine"]}""",
            """{"scenarios": ["rfc8867-5.1"], "controllers": [{"name": "gcc", "parameters": {"beta": [1]}}]}""",
            """{"scenarios": ["rfc8867-5.1"], "controllers": ["gcc"], "parameters": {"links[fwd].lossRate": [2]}}""",
            """{"scenarios": ["no-such-file.json"], "controllers": ["gcc"]}""",
        })
        {
            Assert.True(SweepSpec.TryParse(json, ".", out SweepSpec? spec, out string? error), error);
            Assert.False(SweepPlan.TryCreate(spec!, catalog, out _, out error));
            Assert.False(string.IsNullOrEmpty(error));
        }
    }
}
