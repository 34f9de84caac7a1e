using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.NetSim.Scenarios;
using Xunit;

namespace RtcStack.NetSim.Tests;

public class ControllerParameterTests
{
    [Fact]
    public void BuiltInControllersTakeTheirNamedParameters()
    {
        ScenarioDefinition d = Rfc8867Presets.Case51();
        var low = (NadaController)ScenarioRunner.CreateController("nada", d.MediaFlows[0], new Dictionary<string, double> { ["xRef"] = 5 });
        var high = (NadaController)ScenarioRunner.CreateController("nada", d.MediaFlows[0], new Dictionary<string, double> { ["xRef"] = 40 });
        ScenarioResult a = ScenarioRunner.Run(d, "nada", 1, new ScenarioRunOptions { Duration = TimeSpan.FromSeconds(20), ControllerFactory = (_, _) => low });
        ScenarioResult b = ScenarioRunner.Run(d, "nada", 1, new ScenarioRunOptions { Duration = TimeSpan.FromSeconds(20), ControllerFactory = (_, _) => high });
        Assert.NotEqual(a.Summary.Flows[0].AvgTargetBps, b.Summary.Flows[0].AvgTargetBps);
        Assert.IsType<GccController>(ScenarioRunner.CreateController("gcc", d.MediaFlows[0], new Dictionary<string, double> { ["pacingFactor"] = 1.5 }));
    }

    [Theory]
    [InlineData("gcc", "beta")]
    [InlineData("nada", "pacingFactor")]
    public void AnUnknownParameterIsRefusedWithTheKnownOnes(string controller, string parameter)
    {
        var e = Assert.Throws<ArgumentException>(() => ScenarioRunner.CreateController(controller, new MediaFlowDefinition(), new Dictionary<string, double> { [parameter] = 1 }));
        Assert.Contains(ScenarioRunner.ParameterNames[controller][0], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsCoverVideoAndAudioOnTheWire()
    {
        var flow = new MediaFlowDefinition { MinBps = 150_000, MaxBps = 1_500_000, StartBps = 150_000, AudioBps = 20_000 };
        Congestion.CongestionControllerSettings s = ScenarioRunner.SettingsFor(flow);
        Assert.Equal(1_520_000, s.MaxBitrateBps);
        Assert.Equal(170_000, s.StartBitrateBps);
        Assert.Equal(30_000, s.MinBitrateBps);
    }

    [Fact]
    public void AScenarioMayNameAnAddedControllerOnlyWhenTheCallerKnowsIt()
    {
        const string json = """{"links": [ { "id": "a", "propagationDelayMs": 5 } ], "mediaFlows": [ { "forward": ["a"], "backward": ["a"], "controller": "mine" } ]}""";
        Assert.False(ScenarioFile.TryParse(json, out _, out string? error));
        Assert.Contains("unknown controller", error, StringComparison.Ordinal);
        Assert.True(ScenarioFile.TryParse(json, ["MINE"], out _, out error), error);
    }
}
