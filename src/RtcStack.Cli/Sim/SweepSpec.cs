using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RtcStack.Cli.Sim;

/// <summary>One controller of a sweep with its own parameter grid (<c>cc.NAME</c> values it is created with).</summary>
/// <param name="Name">Controller name.</param>
/// <param name="Parameters">Parameter name → values to sweep, in file order.</param>
internal sealed record SweepController(string Name, IReadOnlyList<KeyValuePair<string, double[]>> Parameters);

/// <summary>
/// A sweep specification (docs/cc-research.md): scenarios × scenario parameters × controllers (each with its own
/// parameter grid) × seeds. Paths in it are relative to the spec file.
/// </summary>
internal sealed record SweepSpec
{
    /// <summary>Largest accepted spec file, characters.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Most cells one sweep may have.</summary>
    public const int MaxCells = 10_000_000;

    public string Name { get; init; } = "sweep";

    /// <summary>Preset names or scenario file paths (resolved against <see cref="BaseDirectory"/>).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Scenario parameter path → values (JSON), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?[]>> ScenarioParameters { get; init; } = [];

    public IReadOnlyList<SweepController> Controllers { get; init; } = [];

    public IReadOnlyList<int> Seeds { get; init; } = [1];

    /// <summary>Overrides every scenario's duration, seconds.</summary>
    public double? DurationSeconds { get; init; }

    public IReadOnlyList<string> CcAssemblies { get; init; } = [];

    public IReadOnlyList<string> CcProcesses { get; init; } = [];

    /// <summary>Write a PNG per cell (off by default: plots dominate a sweep's time).</summary>
    public bool Plots { get; init; }

    /// <summary>Directory of the spec file.</summary>
    public string BaseDirectory { get; init; } = ".";

    /// <summary>Parses a spec (untrusted input: never throws on bad content).</summary>
    public static bool TryParse(string json, string baseDirectory, out SweepSpec? spec, out string? error)
    {
        spec = null;
        if (json.Length > MaxLength)
        {
            error = $"spec longer than {MaxLength} characters";
            return false;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            error = "not JSON: " + e.Message;
            return false;
        }
        if (root is not JsonObject o)
        {
            error = "the spec must be a JSON object";
            return false;
        }
        try
        {
            spec = Read(o, baseDirectory);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
        error = null;
        return true;
    }

    private static SweepSpec Read(JsonObject o, string baseDirectory)
    {
        foreach (KeyValuePair<string, JsonNode?> member in o)
        {
            if (member.Key is not ("name" or "scenarios" or "parameters" or "controllers" or "seeds" or "durationSeconds" or "ccAssemblies" or "ccProcesses" or "plots" or "description"))
            {
                throw new FormatException($"unknown member '{member.Key}'");
            }
        }
        var scenarios = Strings(o["scenarios"], "scenarios");
        if (scenarios.Count == 0)
        {
            throw new FormatException("scenarios: give at least one preset name or scenario file");
        }
        var scenarioParameters = new List<KeyValuePair<string, JsonNode?[]>>();
        if (o["parameters"] is JsonObject p)
        {
            foreach (KeyValuePair<string, JsonNode?> axis in p)
            {
                if (axis.Value is not JsonArray values || values.Count == 0)
                {
                    throw new FormatException($"parameters.{axis.Key}: a non-empty array of values");
                }
                scenarioParameters.Add(new(axis.Key, values.Select(v => v?.DeepClone()).ToArray()));
            }
        }
        else if (o["parameters"] is not null)
        {
            throw new FormatException("parameters: an object of path → array of values");
        }
        var controllers = new List<SweepController>();
        if (o["controllers"] is not JsonArray cs || cs.Count == 0)
        {
            throw new FormatException("controllers: a non-empty array of names or {\"name\": ..., \"parameters\": {...}} objects");
        }
        foreach (JsonNode? c in cs)
        {
            if (c is JsonValue v && v.TryGetValue(out string? name) && name.Length > 0)
            {
                controllers.Add(new SweepController(name, []));
            }
            else if (c is JsonObject co && co["name"] is JsonValue nv && nv.TryGetValue(out string? cname) && cname.Length > 0)
            {
                var grid = new List<KeyValuePair<string, double[]>>();
                if (co["parameters"] is JsonObject cp)
                {
                    foreach (KeyValuePair<string, JsonNode?> axis in cp)
                    {
                        if (axis.Value is not JsonArray values || values.Count == 0)
                        {
                            throw new FormatException($"controller {cname}: parameters.{axis.Key} must be a non-empty array of numbers");
                        }
                        var numbers = new double[values.Count];
                        for (int i = 0; i < values.Count; i++)
                        {
                            if (values[i] is not JsonValue x || !x.TryGetValue(out double d) || !double.IsFinite(d))
                            {
                                throw new FormatException($"controller {cname}: parameters.{axis.Key} must be a non-empty array of numbers");
                            }
                            numbers[i] = d;
                        }
                        grid.Add(new(axis.Key, numbers));
                    }
                }
                controllers.Add(new SweepController(cname, grid));
            }
            else
            {
                throw new FormatException("controllers: each entry is a name or {\"name\": ..., \"parameters\": {...}}");
            }
        }
        var seeds = new List<int>();
        switch (o["seeds"])
        {
            case null:
                seeds.Add(1);
                break;
            case JsonArray sa:
                foreach (JsonNode? s in sa)
                {
                    seeds.Add(s is JsonValue sv && sv.TryGetValue(out int seed) ? seed : throw new FormatException("seeds: integers"));
                }
                break;
            case JsonObject so when so["first"] is JsonValue f && f.TryGetValue(out int first) && so["count"] is JsonValue n && n.TryGetValue(out int count) && count is > 0 and <= MaxCells:
                for (int i = 0; i < count; i++)
                {
                    seeds.Add(first + i);
                }
                break;
            default:
                throw new FormatException("seeds: an array of integers or {\"first\": N, \"count\": N}");
        }
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count)
        {
            throw new FormatException("seeds: at least one, no repeats");
        }
        double? duration = null;
        if (o["durationSeconds"] is JsonNode dn)
        {
            duration = dn is JsonValue dv && dv.TryGetValue(out double d) && double.IsFinite(d) && d > 0 && d <= 86_400 ? d : throw new FormatException("durationSeconds: a number in (0, 86400]");
        }
        bool plots = o["plots"] is JsonValue pv && pv.TryGetValue(out bool b) && b;
        var spec = new SweepSpec
        {
            Name = o["name"] is JsonValue nm && nm.TryGetValue(out string? sn) ? sn : "sweep",
            Scenarios = scenarios,
            ScenarioParameters = scenarioParameters,
            Controllers = controllers,
            Seeds = seeds,
            DurationSeconds = duration,
            CcAssemblies = Strings(o["ccAssemblies"], "ccAssemblies"),
            CcProcesses = Strings(o["ccProcesses"], "ccProcesses"),
            Plots = plots,
            BaseDirectory = baseDirectory,
        };
        double cells = (double)scenarios.Count * seeds.Count;
        foreach (KeyValuePair<string, JsonNode?[]> a in scenarioParameters)
        {
            cells *= a.Value.Length;
        }
        double perScenario = 0;
        foreach (SweepController c in controllers)
        {
            double n = 1;
            foreach (KeyValuePair<string, double[]> a in c.Parameters)
            {
                n *= a.Value.Length;
            }
            perScenario += n;
        }
        if (cells * perScenario > MaxCells)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"the grid has {cells * perScenario:F0} cells, more than {MaxCells}"));
        }
        return spec;
    }

    private static List<string> Strings(JsonNode? node, string what)
    {
        if (node is null)
        {
            return [];
        }
        if (node is not JsonArray a)
        {
            throw new FormatException($"{what}: an array of strings");
        }
        var list = new List<string>();
        foreach (JsonNode? n in a)
        {
            list.Add(n is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : throw new FormatException($"{what}: an array of non-empty strings"));
        }
        return list;
    }
}
