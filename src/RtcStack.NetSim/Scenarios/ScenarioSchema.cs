namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// The JSON Schema (draft 2020-12) of scenario files, <c>src/RtcStack.NetSim/Scenarios/scenario.schema.json</c>,
/// embedded in this assembly (<c>rtcstack sim --schema</c> prints it). It describes every member
/// <see cref="ScenarioFile"/> reads; <see cref="ScenarioFile"/> remains the judge of what runs (it also checks
/// cross-references such as link ids and the 1 ms round-trip minimum, which the schema states in words).
/// </summary>
public static class ScenarioSchema
{
    private static readonly Lazy<string> s_text = new(Load);

    /// <summary>Gets the schema text.</summary>
    public static string Text => s_text.Value;

    private static string Load()
    {
        using Stream stream = typeof(ScenarioSchema).Assembly.GetManifestResourceStream("RtcStack.NetSim.Scenarios.scenario.schema.json")
            ?? throw new InvalidOperationException("scenario.schema.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
