using BenchmarkDotNet.Attributes;
using RtcStack.Congestion;
using RtcStack.Congestion.Pacing;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Benchmarks.NetSim;

/// <summary>
/// Simulated time per wall second for RFC 8867 §5.1 (100 s, one GCC flow). The speed ratio is
/// 100 s / mean time per run. There is no in-process reference simulator: pion/bwe-test (Go, vnet) runs in real time
/// by design (1×), so its ratio is 1 without measurement; it cannot run here (no Go toolchain or network).
/// </summary>
[MemoryDiagnoser]
public class NetSimSpeedBenchmarks
{
    private readonly ScenarioDefinition _case51 = Rfc8867Presets.Case51();
    private readonly ScenarioDefinition _case52 = Rfc8867Presets.Case52();

    [Benchmark(Description = "RFC 8867 5.1, 100 s simulated, GCC")]
    public double Case51Gcc() => ScenarioRunner.Run(_case51, "gcc", 1).Summary.Flows[0].AvgReceiveBps;

    [Benchmark(Description = "RFC 8867 5.1, 100 s simulated, NADA")]
    public double Case51Nada() => ScenarioRunner.Run(_case51, "nada", 1).Summary.Flows[0].AvgReceiveBps;

    [Benchmark(Description = "RFC 8867 5.2, 125 s simulated, 2 GCC flows")]
    public double Case52Gcc() => ScenarioRunner.Run(_case52, "gcc", 1).Summary.Flows[0].AvgReceiveBps;
}

/// <summary>Pacer hot path: enqueue + dequeue of one packet at steady state (should allocate nothing).</summary>
[MemoryDiagnoser]
public class PacerBenchmarks
{
    private readonly Pacer _pacer = new();
    private TimeSpan _now;
    private long _id;

    [GlobalSetup]
    public void Setup() => _pacer.SetRates(1_000_000_000, 0);

    [Benchmark]
    public long EnqueueAndSend()
    {
        _now += TimeSpan.FromMilliseconds(1);
        _pacer.Enqueue(_id++, 1200, false, _now);
        return _pacer.TryPollSend(_now, out PacedSend s) ? s.PacketId : -1;
    }
}
