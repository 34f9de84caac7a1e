using System.Text.Json;
using RtcStack.Congestion.External;
using Xunit;

namespace RtcStack.Congestion.Tests;

public class ExternalControllerTests
{
    private sealed class ScriptedChannel(Func<JsonElement, string> answer) : IExternalControllerChannel
    {
        public List<string> Requests { get; } = [];

        public List<string> Sent { get; } = [];

        public string Exchange(string request)
        {
            Requests.Add(request);
            using var doc = JsonDocument.Parse(request);
            return answer(doc.RootElement);
        }

        public void Send(string message) => Sent.Add(message);
    }

    private static readonly CongestionControllerSettings s_settings = new()
    {
        MinBitrateBps = 30_000,
        MaxBitrateBps = 1_520_000,
        StartBitrateBps = 170_000,
        Parameters = new Dictionary<string, double> { ["beta"] = 0.85, ["alpha"] = 2 },
    };

    [Fact]
    public void InitCarriesTheSettingsAndTheAnswerSetsTheRates()
    {
        var channel = new ScriptedChannel(_ => """{"targetBps": 200000, "pacingBps": 400000, "paddingBps": 1000}""");
        var cc = new ExternalController("py", channel, s_settings);
        using JsonDocument init = JsonDocument.Parse(Assert.Single(channel.Requests));
        Assert.Equal("init", init.RootElement.GetProperty("type").GetString());
        Assert.Equal(ExternalControllerProtocol.Version, init.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(170_000, init.RootElement.GetProperty("startBps").GetInt64());
        Assert.Equal(1_520_000, init.RootElement.GetProperty("maxBps").GetInt64());
        Assert.Equal(0.85, init.RootElement.GetProperty("params").GetProperty("beta").GetDouble());
        Assert.Equal(200_000, cc.TargetBitrateBps);
        Assert.Equal(400_000, cc.PacingRateBps);
        Assert.Equal(1_000, cc.PaddingRateBps);
    }

    [Fact]
    public void PacingDefaultsToTwoAndAHalfTimesTheTarget()
    {
        var cc = new ExternalController("x", new ScriptedChannel(_ => """{"targetBps": 100000}"""), s_settings);
        Assert.Equal(250_000, cc.PacingRateBps);
        Assert.Equal(0, cc.PaddingRateBps);
    }

    [Fact]
    public void FeedbackGoesOutWithSendTimesSizesArrivalsAndLosses()
    {
        var channel = new ScriptedChannel(_ => """{"targetBps": 300000}""");
        var cc = new ExternalController("x", channel, s_settings);
        cc.OnPacketSent(new SentPacket(7, 1200, TimeSpan.FromMilliseconds(1000)));
        cc.OnPacketSent(new SentPacket(8, 900, TimeSpan.FromMilliseconds(1005), IsPadding: true));
        cc.OnSendQueue(4321, TimeSpan.FromMilliseconds(1010));
        cc.OnRoundTripTime(TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(1010));
        cc.OnFeedback([PacketFeedback.Arrived(7, TimeSpan.FromMilliseconds(1052.5)), PacketFeedback.Lost(8), PacketFeedback.Arrived(99, TimeSpan.FromSeconds(2))], TimeSpan.FromMilliseconds(1100));

        using JsonDocument fb = JsonDocument.Parse(channel.Requests[^1]);
        JsonElement root = fb.RootElement;
        Assert.Equal("feedback", root.GetProperty("type").GetString());
        Assert.Equal(1.1, root.GetProperty("now").GetDouble());
        Assert.Equal(4321, root.GetProperty("queuedBytes").GetInt64());
        Assert.Equal(0.12, root.GetProperty("rtt").GetDouble());
        JsonElement[] packets = [.. root.GetProperty("packets").EnumerateArray()];
        Assert.Equal(2, packets.Length); // 99 was never sent: left out
        Assert.Equal(7, packets[0].GetProperty("seq").GetInt64());
        Assert.Equal(1.0, packets[0].GetProperty("sent").GetDouble());
        Assert.Equal(1200, packets[0].GetProperty("size").GetInt32());
        Assert.Equal(1.0525, packets[0].GetProperty("arrival").GetDouble());
        Assert.False(packets[0].GetProperty("ce").GetBoolean());
        Assert.Equal(JsonValueKind.Null, packets[1].GetProperty("arrival").ValueKind);
        Assert.True(packets[1].GetProperty("padding").GetBoolean());
        Assert.Equal(300_000, cc.TargetBitrateBps);
    }

    [Fact]
    public void TicksFollowVirtualTimeAndTheIntervalTheControllerAsksFor()
    {
        int ticks = 0;
        var channel = new ScriptedChannel(r =>
        {
            if (r.GetProperty("type").GetString() == "tick")
            {
                ticks++;
                return $$"""{"targetBps": {{100_000 + ticks}}, "tickMs": 40}""";
            }
            return """{"targetBps": 100000}""";
        });
        var cc = new ExternalController("x", channel, s_settings);
        Assert.Equal(ExternalController.DefaultTickInterval, cc.PollTimeout());
        cc.HandleTimeout(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, ticks);
        cc.HandleTimeout(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, ticks);
        Assert.Equal(100_001, cc.TargetBitrateBps);
        Assert.Equal(TimeSpan.FromMilliseconds(140), cc.PollTimeout());
        cc.HandleTimeout(TimeSpan.FromMilliseconds(139));
        Assert.Equal(1, ticks);
        cc.HandleTimeout(TimeSpan.FromMilliseconds(140));
        Assert.Equal(2, ticks);
        using JsonDocument tick = JsonDocument.Parse(channel.Requests[^1]);
        Assert.Equal(0.14, tick.RootElement.GetProperty("now").GetDouble());
        // A long gap (a paused flow) gives one tick, not a backlog.
        cc.HandleTimeout(TimeSpan.FromSeconds(10));
        Assert.Equal(3, ticks);
        Assert.Equal(TimeSpan.FromSeconds(10) + TimeSpan.FromMilliseconds(40), cc.PollTimeout());
        Assert.Equal(4, cc.Exchanges);
    }

    [Fact]
    public void ABadAnswerStopsTheRunWithTheReason()
    {
        int n = 0;
        var cc = new ExternalController("x", new ScriptedChannel(_ => n++ == 0 ? """{"targetBps": 1}""" : "hello"), s_settings);
        var e = Assert.Throws<ExternalControllerException>(() => cc.HandleTimeout(TimeSpan.FromSeconds(1)));
        Assert.Contains("not JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisposeSendsEndOnceAndNoMoreRequestsAfterIt()
    {
        var channel = new ScriptedChannel(_ => """{"targetBps": 1}""");
        var cc = new ExternalController("x", channel, s_settings);
        cc.Dispose();
        cc.Dispose();
        Assert.Equal("""{"type":"end"}""", Assert.Single(channel.Sent));
        Assert.Throws<ObjectDisposedException>(() => cc.HandleTimeout(TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData(null, "no answer")]
    [InlineData("", "not JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{}", "targetBps is missing")]
    [InlineData("""{"targetBps": "fast"}""", "targetBps must be")]
    [InlineData("""{"targetBps": -1}""", "targetBps must be")]
    [InlineData("""{"targetBps": 1e300}""", "targetBps must be")]
    [InlineData("""{"targetBps": 1, "pacingBps": true}""", "pacingBps must be")]
    [InlineData("""{"targetBps": 1, "paddingBps": -5}""", "paddingBps must be")]
    [InlineData("""{"targetBps": 1, "tickMs": 0}""", "tickMs must be")]
    [InlineData("""{"targetBps": 1, "tickMs": 1e9}""", "tickMs must be")]
    [InlineData("""{"targetBps": 1""", "not JSON")]
    public void TryParseAnswerRejectsBadLinesWithAReason(string? line, string reason)
    {
        Assert.False(ExternalControllerProtocol.TryParseAnswer(line, out _, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseAnswerRejectsOverlongAndDeeplyNestedLinesWithoutThrowing()
    {
        Assert.False(ExternalControllerProtocol.TryParseAnswer(new string(' ', ExternalControllerProtocol.MaxAnswerLength + 1), out _, out _));
        Assert.False(ExternalControllerProtocol.TryParseAnswer(new string('[', 5000), out _, out _));
    }

    [Fact]
    public void TryParseAnswerAcceptsNullOptionalsAndIgnoresUnknownMembers()
    {
        Assert.True(ExternalControllerProtocol.TryParseAnswer("""{"targetBps": 5e5, "pacingBps": null, "note": "x"}""", out ExternalControllerAnswer a, out string? error), error);
        Assert.Equal(new ExternalControllerAnswer(500_000, null, null, null), a);
    }
}
