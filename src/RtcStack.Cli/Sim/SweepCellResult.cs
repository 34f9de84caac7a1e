using System.Text.Json.Serialization;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Sim;

/// <summary>What a finished sweep cell leaves behind (<c>cells/STEM.json</c>; its presence marks the cell done).</summary>
internal sealed record SweepCellResult
{
    public int Cell { get; init; }

    public int Group { get; init; }

    public string Scenario { get; init; } = "";

    public string Controller { get; init; } = "";

    public string Parameters { get; init; } = "";

    public int Seed { get; init; }

    public ScenarioSummary Summary { get; init; } = new();
}

/// <summary>JSON source generation for cell results (NaN and ∞ as strings, as JSON has neither).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SweepCellResult))]
internal sealed partial class SweepJsonContext : JsonSerializerContext;
