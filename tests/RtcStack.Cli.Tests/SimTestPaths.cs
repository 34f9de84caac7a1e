using RtcStack.TestSupport;

namespace RtcStack.Cli.Tests;

/// <summary>Where the sample controllers are, as the build leaves them.</summary>
internal static class SimTestPaths
{
    /// <summary>The configuration this test assembly was built in (the sample is built in the same one).</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string AimdDelayDll
    {
        get
        {
            string path = Path.Combine(RepoPaths.Root, "samples", "AimdDelayController", "bin", Configuration, "net10.0", "AimdDelayController.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("the sample controller is built with this test project; not found", path);
        }
    }

    public static string PythonExample => Path.Combine(RepoPaths.Root, "samples", "python", "aimd_delay.py");

    public static string ScenarioExamples => Path.Combine(RepoPaths.Root, "samples", "scenarios");

    /// <summary>Reads one row of a comparison.md: the cells after "| case | cc |".</summary>
    public static string[] Row(string markdown, string controller)
    {
        foreach (string line in markdown.Split('\n'))
        {
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length > 3 && cells[2] == controller)
            {
                return cells[1..^1];
            }
        }
        throw new InvalidOperationException($"no row for {controller} in:\n{markdown}");
    }
}
