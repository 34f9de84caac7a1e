using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RtcStack.Cli.Sim;

/// <summary>What <see cref="SweepMerger.TryMerge"/> found.</summary>
/// <param name="Cells">Cells in the sweep.</param>
/// <param name="Found">Cells with a result.</param>
/// <param name="Groups">Rows written.</param>
/// <param name="Plots">The merged plots written (one PNG per scenario), empty when plots were not asked for.</param>
internal sealed record MergeOutcome(int Cells, int Found, int Groups, IReadOnlyList<string> Plots);

/// <summary>
/// Combines the result directories of a sweep (one local run, or the shards of a distributed one) into one table
/// across seeds: per group the median and the 5th–95th percentile of each headline metric (linear interpolation
/// between order statistics, as NumPy's default). The output depends only on the cell results, never on which
/// directory or shard held them, so merged shards equal the local run byte for byte.
/// </summary>
internal static class SweepMerger
{
    public const string MarkdownFile = "merged.md";
    public const string CsvFile = "merged.csv";

    public static bool TryMerge(IReadOnlyList<string> dirs, string outDir, out MergeOutcome? outcome, out string? error, bool plots = true)
    {
        outcome = null;
        string? manifest = null;
        foreach (string dir in dirs)
        {
            string path = Path.Combine(dir, SweepRunner.ManifestFile);
            if (!File.Exists(path))
            {
                error = $"{dir}: no {SweepRunner.ManifestFile} (not a sweep output directory)";
                return false;
            }
            string text = File.ReadAllText(path);
            if (manifest is not null && text != manifest)
            {
                error = $"{dir}: {SweepRunner.ManifestFile} differs from {dirs[0]}'s: the directories hold different sweeps";
                return false;
            }
            manifest = text;
        }
        if (manifest is null)
        {
            error = "give at least one directory";
            return false;
        }
        using JsonDocument m = JsonDocument.Parse(manifest);
        string name = m.RootElement.GetProperty("name").GetString() ?? "";
        int cellCount = m.RootElement.GetProperty("cells").GetInt32();
        var groups = new List<SweepGroup>();
        foreach (JsonElement g in m.RootElement.GetProperty("groups").EnumerateArray())
        {
            groups.Add(new SweepGroup(g.GetProperty("group").GetInt32(), g.GetProperty("scenario").GetString()!, g.GetProperty("controller").GetString()!, g.GetProperty("parameters").GetString()!));
        }
        var byCell = new SortedDictionary<int, SweepCellResult>();
        var csvByCell = new Dictionary<int, string>();
        foreach (string dir in dirs)
        {
            string cells = Path.Combine(dir, SweepRunner.CellsDirectory);
            if (!Directory.Exists(cells))
            {
                continue;
            }
            foreach (string file in Directory.EnumerateFiles(cells, "*.json"))
            {
                SweepCellResult? r;
                try
                {
                    r = JsonSerializer.Deserialize(File.ReadAllText(file), SweepJsonContext.Default.SweepCellResult);
                }
                catch (JsonException e)
                {
                    error = $"{file}: {e.Message}";
                    return false;
                }
                if (r is null || r.Cell < 0 || r.Cell >= cellCount || r.Group < 0 || r.Group >= groups.Count)
                {
                    error = $"{file}: not a cell of this sweep";
                    return false;
                }
                if (byCell.TryAdd(r.Cell, r))
                {
                    csvByCell[r.Cell] = Path.ChangeExtension(file, ".csv");
                }
            }
        }
        var perGroup = new List<SweepCellResult>[groups.Count];
        for (int i = 0; i < perGroup.Length; i++)
        {
            perGroup[i] = [];
        }
        foreach (SweepCellResult r in byCell.Values)
        {
            perGroup[r.Group].Add(r);
        }
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, MarkdownFile), Markdown(name, cellCount, byCell.Count, groups, perGroup));
        File.WriteAllText(Path.Combine(outDir, CsvFile), Csv(groups, perGroup));
        List<string> written = plots ? SweepPlotter.Write(outDir, groups, perGroup, csvByCell) : [];
        outcome = new MergeOutcome(cellCount, byCell.Count, groups.Count, written);
        error = null;
        return true;
    }

    /// <summary>Percentile <paramref name="q"/> (0–1) of sorted values, interpolating linearly; ∞ stays ∞.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        double h = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(h);
        double frac = h - lo;
        if (frac == 0 || lo + 1 >= sorted.Count)
        {
            return sorted[lo];
        }
        double a = sorted[lo], b = sorted[lo + 1];
        return double.IsPositiveInfinity(b) ? double.PositiveInfinity : a + (frac * (b - a));
    }

    private static (double Median, double P5, double P95, int N)[] Stats(List<SweepCellResult> cells)
    {
        int columns = HeadlineMetrics.Keys.Count;
        var values = new List<double>[columns];
        for (int c = 0; c < columns; c++)
        {
            values[c] = [];
        }
        foreach (SweepCellResult r in cells.OrderBy(r => r.Cell))
        {
            double[] v = HeadlineMetrics.From(r.Summary);
            for (int c = 0; c < columns; c++)
            {
                if (!double.IsNaN(v[c]))
                {
                    values[c].Add(v[c]);
                }
            }
        }
        var stats = new (double, double, double, int)[columns];
        for (int c = 0; c < columns; c++)
        {
            values[c].Sort();
            stats[c] = (Percentile(values[c], 0.5), Percentile(values[c], 0.05), Percentile(values[c], 0.95), values[c].Count);
        }
        return stats;
    }

    private static string Markdown(string name, int cells, int found, List<SweepGroup> groups, List<SweepCellResult>[] perGroup)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Sweep {name}: {found} of {cells} cells, {groups.Count} groups\n\n");
        sb.Append("Each value: median [5th, 95th percentile] across seeds.\n\n");
        sb.Append("| case | cc | parameters | seeds |");
        foreach (string h in HeadlineMetrics.Names)
        {
            sb.Append(' ').Append(h).Append(" |");
        }
        sb.Append('\n').Append("|---|---|---|---|");
        foreach (string _ in HeadlineMetrics.Names)
        {
            sb.Append("---|");
        }
        sb.Append('\n');
        foreach (SweepGroup g in groups)
        {
            (double Median, double P5, double P95, int N)[] stats = Stats(perGroup[g.Index]);
            sb.Append(CultureInfo.InvariantCulture, $"| {g.Scenario} | {g.Controller} | {(g.Parameters.Length == 0 ? "–" : g.Parameters.Replace("|", "\\|", StringComparison.Ordinal))} | {perGroup[g.Index].Count} |");
            for (int c = 0; c < stats.Length; c++)
            {
                sb.Append(' ').Append(Cell(stats[c], HeadlineMetrics.IsFraction(c))).Append(" |");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Cell((double Median, double P5, double P95, int N) s, bool fraction)
    {
        if (s.N == 0)
        {
            return "–";
        }
        string F(double v) => double.IsPositiveInfinity(v) ? "not reached" : fraction ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + " %" : v.ToString("G4", CultureInfo.InvariantCulture);
        return $"{F(s.Median)} [{F(s.P5)}, {F(s.P95)}]";
    }

    private static string Csv(List<SweepGroup> groups, List<SweepCellResult>[] perGroup)
    {
        var sb = new StringBuilder("group,scenario,controller,parameters,seeds");
        foreach (string k in HeadlineMetrics.Keys)
        {
            sb.Append(CultureInfo.InvariantCulture, $",{k}_median,{k}_p5,{k}_p95");
        }
        sb.Append('\n');
        foreach (SweepGroup g in groups)
        {
            (double Median, double P5, double P95, int N)[] stats = Stats(perGroup[g.Index]);
            sb.Append(CultureInfo.InvariantCulture, $"{g.Index},{Quote(g.Scenario)},{Quote(g.Controller)},{Quote(g.Parameters)},{perGroup[g.Index].Count}");
            foreach ((double median, double p5, double p95, int _) in stats)
            {
                sb.Append(',').Append(R(median)).Append(',').Append(R(p5)).Append(',').Append(R(p95));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string R(double v) => double.IsNaN(v) ? "" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal)
        ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : s;
}
