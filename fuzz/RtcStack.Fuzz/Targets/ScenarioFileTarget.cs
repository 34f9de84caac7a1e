using System.Text;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// JSON scenario file reader (<see cref="ScenarioFile.TryParse"/>): untrusted JSON must give a validated scenario or a
/// reason, never an exception. An accepted scenario is also built and run for a few simulated milliseconds, so a
/// file that passes validation but breaks the simulator shows up as a crash.
/// </summary>
[FuzzTarget("scenario-file")]
public sealed class ScenarioFileTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        string json = Encoding.UTF8.GetString(data);
        if (!ScenarioFile.TryParse(json, out ScenarioDefinition? scenario, out string? error))
        {
            if (scenario is not null || string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException("failed parse must give no scenario and a reason");
            }
            return;
        }
        // Trace files are not read while fuzzing (no file system access from untrusted input here).
        if (scenario!.Links.Exists(l => l.TraceFile is not null))
        {
            return;
        }
        ScenarioRunner.Run(scenario, "gcc", 1, new ScenarioRunOptions { Duration = TimeSpan.FromMilliseconds(10) });
    }
}
