using RtcStack.NetSim.Scenarios;
using Xunit;

namespace RtcStack.NetSim.Tests;

public class ScenarioFileTests
{
    private const string Minimal = """
        { "name": "t", "durationSeconds": 20,
          "links": [ { "id": "fwd", "capacity": [ { "atSeconds": 0, "bps": 1000000 } ], "propagationDelayMs": 50 },
                     { "id": "bwd", "propagationDelayMs": 50 } ],
          "mediaFlows": [ { "id": "m", "forward": ["fwd"], "backward": ["bwd"], "startSeconds": 1, "stopSeconds": 19, "audioBps": 20000 } ],
          "crossTraffic": [ { "id": "c", "type": "tcp-short", "forward": ["fwd"], "backward": ["bwd"], "count": 3, "initiallyOn": 1, "fileBytes": 30000, "fileBytesMax": 50000 } ],
          "bottlenecks": ["fwd"] }
        """;

    [Fact]
    public void ReadsAValidFileWithDefaults()
    {
        Assert.True(ScenarioFile.TryParse(Minimal, out ScenarioDefinition? d, out string? error), error);
        Assert.Equal(1_500_000, d!.MediaFlows[0].MaxBps);
        Assert.Equal(300, d.Links[1].QueueMs);
        Assert.Empty(d.Links[1].Capacity);
        Assert.Equal(50_000, d.CrossTraffic[0].FileBytesMax);
        ScenarioResult r = ScenarioRunner.Run(d, "gcc", 1);
        Assert.True(r.Flows[0].ReceiveBps.Sum() > 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"durationSeconds\": -1}")]
    [InlineData("{\"durationSeconds\": 1e308}")]
    [InlineData("{\"links\": null, \"mediaFlows\": [ { \"forward\": [\"x\"] } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\", \"capacity\": [ null ] } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\" }, { \"id\": \"a\" } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\", \"capacity\": [ { \"atSeconds\": 0, \"bps\": 0 } ] } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\" } ], \"crossTraffic\": [ { \"type\": \"tcp\", \"forward\": [\"a\"], \"count\": 100000 } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\" } ], \"mediaFlows\": [ { \"forward\": [\"a\"], \"pauses\": [[5]] } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\" } ], \"mediaFlows\": [ { \"forward\": [\"a\"], \"feedback\": \"remb\" } ]}")]
    [InlineData("{\"bottlenecks\": [\"nope\"]}")]
    [InlineData("{\"durationSeconds\": \"ten\"}")]
    // A TCP flow (or media flow) whose round trip has no delay: over unconstrained links its window opened without
    // bound at t = 0 and the run never ended (found by the scenario-file fuzz target).
    [InlineData("{\"links\": [ { \"id\": \"a\" } ], \"crossTraffic\": [ { \"type\": \"tcp\", \"forward\": [\"a\"] } ]}")]
    [InlineData("{\"links\": [ { \"id\": \"a\" }, { \"id\": \"b\", \"propagationDelayMs\": 0.5 } ], \"mediaFlows\": [ { \"forward\": [\"a\"], \"backward\": [\"b\"] } ]}")]
    public void RejectsBadFilesWithAReason(string json)
    {
        Assert.False(ScenarioFile.TryParse(json, out ScenarioDefinition? d, out string? error));
        Assert.Null(d);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ZeroDelayCbrIsAcceptedAndOneMillisecondRoundTripRuns()
    {
        // CBR has its own clock, so it needs no delay; a 1 ms loop is the shortest a TCP flow may have. A TCP flow also
        // needs a link with a capacity on its way: over unconstrained links alone it is refused with the reason.
        const string unconstrained = """
            { "durationSeconds": 1, "links": [ { "id": "a" }, { "id": "b", "propagationDelayMs": 1 } ],
              "crossTraffic": [ { "id": "u", "type": "cbr", "forward": ["a"] }, { "id": "t", "type": "tcp", "forward": ["a"], "backward": ["b"] } ] }
            """;
        Assert.False(ScenarioFile.TryParse(unconstrained, out _, out string? refused));
        Assert.Equal("cross traffic t: a TCP flow's forward links must include one with a capacity (capacity steps or a trace file)", refused);
        string json = unconstrained.Replace("{ \"id\": \"a\" }", "{ \"id\": \"a\", \"capacity\": [ { \"atSeconds\": 0, \"bps\": 10000000 } ] }", StringComparison.Ordinal);
        Assert.True(ScenarioFile.TryParse(json, out ScenarioDefinition? d, out string? error), error);
        ScenarioResult r = ScenarioRunner.Run(d!, "gcc", 1, new ScenarioRunOptions { Duration = TimeSpan.FromMilliseconds(50) });
        Assert.True(r.Events > 0);
    }

    [Fact]
    public void RunShorterThanOneMetricsIntervalSummarisesWithoutSamples()
    {
        // Found by fuzzing: a 10 ms run has packet delays but no 200 ms sample, and the phase analysis indexed an empty series.
        Assert.True(ScenarioFile.TryParse(Minimal, out ScenarioDefinition? d, out string? error), error);
        d!.MediaFlows[0].StartSeconds = 0;
        ScenarioResult r = ScenarioRunner.Run(d, "gcc", 1, new ScenarioRunOptions { Duration = TimeSpan.FromMilliseconds(150) });
        Assert.Empty(r.Times);
        Assert.NotEmpty(r.Flows[0].PacketQueueDelays);
        Assert.Empty(r.Summary.Phases);
    }
}
