using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Sim;

/// <summary>A group of cells that differ only in their seed: one row of the merged table.</summary>
/// <param name="Index">Row number, in grid order.</param>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Controller">Controller name.</param>
/// <param name="Parameters">The group's parameter values, "path=value" joined with ", " (empty when none).</param>
internal sealed record SweepGroup(int Index, string Scenario, string Controller, string Parameters);

/// <summary>One simulation of a sweep.</summary>
internal sealed record SweepCell(
    int Index,
    SweepGroup Group,
    int ScenarioIndex,
    IReadOnlyList<KeyValuePair<string, JsonNode?>> ScenarioParameters,
    string Controller,
    IReadOnlyDictionary<string, double> ControllerParameters,
    int Seed)
{
    /// <summary>File name stem of the cell's outputs.</summary>
    public string Stem => $"{Index:D6}-{SweepPlan.Sanitize(Group.Scenario)}-{SweepPlan.Sanitize(Controller)}-s{Seed}";
}

/// <summary>
/// The cells of a sweep in grid order: scenario, scenario-parameter combination, controller and its parameter
/// combination, then seed (innermost, so a group's cells are consecutive). Cell <c>k</c> belongs to shard
/// <c>k mod N</c>.
/// </summary>
internal sealed class SweepPlan
{
    private readonly List<(ScenarioDefinition Definition, string? BaseDirectory)> _scenarios;

    private SweepPlan(SweepSpec spec, List<(ScenarioDefinition, string?)> scenarios, List<SweepGroup> groups, List<SweepCell> cells)
    {
        Spec = spec;
        _scenarios = scenarios;
        Groups = groups;
        Cells = cells;
    }

    public SweepSpec Spec { get; }

    public IReadOnlyList<SweepGroup> Groups { get; }

    public IReadOnlyList<SweepCell> Cells { get; }

    /// <summary>Expands <paramref name="spec"/>, loading scenarios and checking every parameter combination on every scenario.</summary>
    public static bool TryCreate(SweepSpec spec, ControllerCatalog catalog, out SweepPlan? plan, out string? error)
    {
        plan = null;
        var scenarios = new List<(ScenarioDefinition, string?)>();
        foreach (string s in spec.Scenarios)
        {
            if (Rfc8867Presets.Get(s) is { } preset)
            {
                scenarios.Add((preset, null));
                continue;
            }
            string path = Path.IsPathRooted(s) ? s : Path.Combine(spec.BaseDirectory, s);
            if (!File.Exists(path))
            {
                error = $"scenario '{s}' is neither a preset nor a file";
                return false;
            }
            if (!ScenarioFile.TryParse(File.ReadAllText(path), catalog.CustomNames, out ScenarioDefinition? def, out error))
            {
                error = $"{s}: {error}";
                return false;
            }
            scenarios.Add((def!, Path.GetDirectoryName(Path.GetFullPath(path))));
        }
        foreach (SweepController c in spec.Controllers)
        {
            if (!catalog.IsKnown(c.Name))
            {
                error = $"unknown controller '{c.Name}' (known: {string.Join(", ", catalog.AllNames)})";
                return false;
            }
            if (ScenarioRunner.ParameterNames.TryGetValue(c.Name.ToLowerInvariant(), out IReadOnlyList<string>? known))
            {
                foreach (KeyValuePair<string, double[]> axis in c.Parameters)
                {
                    if (!known.Contains(axis.Key))
                    {
                        error = $"{c.Name} has no parameter '{axis.Key}' (it has: {string.Join(", ", known)})";
                        return false;
                    }
                }
            }
        }
        List<KeyValuePair<string, JsonNode?>[]> scenarioCombos = Combinations(spec.ScenarioParameters);
        var groups = new List<SweepGroup>();
        var cells = new List<SweepCell>();
        for (int si = 0; si < scenarios.Count; si++)
        {
            foreach (KeyValuePair<string, JsonNode?>[] combo in scenarioCombos)
            {
                if (!TryApply(scenarios[si].Item1, combo, out ScenarioDefinition? applied, out error))
                {
                    error = $"{scenarios[si].Item1.Name}: {error}";
                    return false;
                }
                if (ScenarioFile.Validate(applied!, catalog.CustomNames) is { } invalid)
                {
                    error = $"{scenarios[si].Item1.Name} with {Label(combo, [])}: {invalid}";
                    return false;
                }
                foreach (SweepController c in spec.Controllers)
                {
                    foreach (KeyValuePair<string, double>[] ccCombo in Combinations(c.Parameters))
                    {
                        var group = new SweepGroup(groups.Count, scenarios[si].Item1.Name, c.Name, Label(combo, ccCombo));
                        groups.Add(group);
                        var ccParameters = new Dictionary<string, double>(StringComparer.Ordinal);
                        foreach (KeyValuePair<string, double> kv in ccCombo)
                        {
                            ccParameters[kv.Key] = kv.Value;
                        }
                        foreach (int seed in spec.Seeds)
                        {
                            cells.Add(new SweepCell(cells.Count, group, si, combo, c.Name, ccParameters, seed));
                        }
                    }
                }
            }
        }
        plan = new SweepPlan(spec, scenarios, groups, cells);
        error = null;
        return true;
    }

    /// <summary>The scenario of <paramref name="cell"/> with its parameters applied, and the directory its trace files are relative to.</summary>
    public (ScenarioDefinition Definition, string? BaseDirectory) Scenario(SweepCell cell)
    {
        (ScenarioDefinition def, string? dir) = _scenarios[cell.ScenarioIndex];
        TryApply(def, cell.ScenarioParameters, out ScenarioDefinition? applied, out _);
        return (applied!, dir);
    }

    /// <summary>
    /// The manifest every output directory of this sweep holds (<c>sweep.json</c>): the same for every shard, so
    /// <c>merge</c> can check that the directories it combines come from one sweep.
    /// </summary>
    public string Manifest()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", Spec.Name);
            w.WriteNumber("cells", Cells.Count);
            w.WriteStartArray("seeds");
            foreach (int s in Spec.Seeds)
            {
                w.WriteNumberValue(s);
            }
            w.WriteEndArray();
            if (Spec.DurationSeconds is { } d)
            {
                w.WriteNumber("durationSeconds", d);
            }
            w.WriteStartArray("groups");
            foreach (SweepGroup g in Groups)
            {
                w.WriteStartObject();
                w.WriteNumber("group", g.Index);
                w.WriteString("scenario", g.Scenario);
                w.WriteString("controller", g.Controller);
                w.WriteString("parameters", g.Parameters);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>Keeps letters, digits, '.', '_' and '-'; anything else becomes '_'.</summary>
    public static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }
        return sb.ToString();
    }

    private static string Label(KeyValuePair<string, JsonNode?>[] scenario, KeyValuePair<string, double>[] controller)
    {
        var parts = new List<string>();
        foreach (KeyValuePair<string, JsonNode?> kv in scenario)
        {
            parts.Add($"{kv.Key}={kv.Value?.ToJsonString() ?? "null"}");
        }
        foreach (KeyValuePair<string, double> kv in controller)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:R}"));
        }
        return string.Join(", ", parts);
    }

    private static List<KeyValuePair<string, T>[]> Combinations<T>(IReadOnlyList<KeyValuePair<string, T[]>> axes)
    {
        var result = new List<KeyValuePair<string, T>[]> { Array.Empty<KeyValuePair<string, T>>() };
        foreach (KeyValuePair<string, T[]> axis in axes)
        {
            var next = new List<KeyValuePair<string, T>[]>(result.Count * axis.Value.Length);
            foreach (KeyValuePair<string, T>[] prefix in result)
            {
                foreach (T v in axis.Value)
                {
                    next.Add([.. prefix, new(axis.Key, v)]);
                }
            }
            result = next;
        }
        return result;
    }

    /// <summary>
    /// Sets scenario members by path on a copy: <c>durationSeconds</c>, <c>links[fwd].propagationDelayMs</c>,
    /// <c>mediaFlows[*].startBps</c>, <c>links[0].capacity[1].bps</c> (a bracket selects by index, by <c>id</c>, or all
    /// with <c>*</c>). Every named member must exist in the scenario format.
    /// </summary>
    internal static bool TryApply(ScenarioDefinition definition, IReadOnlyList<KeyValuePair<string, JsonNode?>> parameters, out ScenarioDefinition? result, out string? error)
    {
        result = null;
        JsonNode root = JsonNode.Parse(JsonSerializer.Serialize(definition, ScenarioJsonContext.Default.ScenarioDefinition))!;
        foreach (KeyValuePair<string, JsonNode?> p in parameters)
        {
            if (!TrySet(root, p.Key, p.Value, out error))
            {
                error = $"parameter '{p.Key}': {error}";
                return false;
            }
        }
        try
        {
            result = root.Deserialize(ScenarioJsonContext.Default.ScenarioDefinition);
        }
        catch (JsonException e)
        {
            error = $"parameters give a value of the wrong type: {e.Message}";
            return false;
        }
        error = result is null ? "parameters produced an empty scenario" : null;
        return result is not null;
    }

    private static bool TrySet(JsonNode root, string path, JsonNode? value, out string? error)
    {
        var current = new List<JsonNode> { root };
        string[] parts = path.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            string? selector = null;
            int open = part.IndexOf('[', StringComparison.Ordinal);
            if (open >= 0)
            {
                if (!part.EndsWith(']') || open == 0)
                {
                    error = $"cannot read '{part}'";
                    return false;
                }
                selector = part[(open + 1)..^1];
                part = part[..open];
            }
            bool last = i == parts.Length - 1;
            var next = new List<JsonNode>();
            foreach (JsonNode node in current)
            {
                if (node is not JsonObject obj || !obj.ContainsKey(part))
                {
                    error = $"no member '{part}'";
                    return false;
                }
                if (selector is null)
                {
                    if (last)
                    {
                        obj[part] = value?.DeepClone();
                    }
                    else if (obj[part] is JsonNode child)
                    {
                        next.Add(child);
                    }
                    else
                    {
                        error = $"'{part}' is null";
                        return false;
                    }
                    continue;
                }
                if (obj[part] is not JsonArray array)
                {
                    error = $"'{part}' is not a list";
                    return false;
                }
                int matched = 0;
                for (int k = 0; k < array.Count; k++)
                {
                    JsonNode? element = array[k];
                    bool match = selector == "*"
                        || (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index == k)
                        || (element is JsonObject eo && eo["id"] is JsonValue id && id.TryGetValue(out string? s) && s == selector);
                    if (!match)
                    {
                        continue;
                    }
                    matched++;
                    if (last)
                    {
                        array[k] = value?.DeepClone();
                    }
                    else if (element is not null)
                    {
                        next.Add(element);
                    }
                }
                if (matched == 0)
                {
                    error = $"'{part}[{selector}]' matches nothing";
                    return false;
                }
            }
            current = next;
        }
        error = null;
        return true;
    }
}
