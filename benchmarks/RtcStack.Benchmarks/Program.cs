using BenchmarkDotNet.Running;

namespace RtcStack.Benchmarks;

/// <summary>
/// Entry point: every benchmark class in this assembly is discovered, so a module adds a file
/// under its own folder (Rtp/, Srtp/, ...) and nothing here changes.
/// Run: dotnet run -c Release --project benchmarks/RtcStack.Benchmarks -- --filter '*Rtp*'
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["export-pion-inputs", string dir])
        {
            PionInputs.Export(dir);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
