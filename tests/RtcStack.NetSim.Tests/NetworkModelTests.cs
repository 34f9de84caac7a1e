using RtcStack.NetSim.Endpoints;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Scenarios;
using RtcStack.NetSim.Tcp;
using Xunit;

namespace RtcStack.NetSim.Tests;

public class NetworkModelTests
{
    [Fact]
    public void LinkSerialisesAtCapacityAndDropsTail()
    {
        var sim = new Simulator(1);
        var link = new Link(sim, new LinkOptions
        {
            Capacity = CapacitySchedule.Constant(1_000_000),
            PropagationDelay = TimeSpan.FromMilliseconds(10),
            QueueLimitTime = TimeSpan.FromMilliseconds(50),
        }, 1);
        var sink = new SinkEndpoint();
        var times = new List<TimeSpan>();
        sim.OnDelivered = (p, now) => times.Add(now);
        int dropped = 0;
        link.OnDropped += (_, _) => dropped++;
        // 20 × 1000 B within 0.16 ms into a 1 Mbps link with a 50 ms (6250 B) queue.
        sim.Attach(new SimAddress(1, 1), new CbrUdpEndpoint(new SimAddress(2, 1), 1e9, 1000, TimeSpan.Zero, TimeSpan.FromTicks(1600)), 0);
        sim.Attach(new SimAddress(2, 1), sink, 1);
        sim.SetRoute(1, 2, link);
        sim.RunUntil(TimeSpan.FromSeconds(1));
        // First packet is transmitted at once, then 6 more fit the queue (6000 B ≤ 6250 B).
        Assert.Equal(7, times.Count);
        Assert.Equal(13, dropped);
        Assert.Equal(18.0, times[0].TotalMilliseconds, 6); // 8 ms serialisation + 10 ms propagation
        Assert.Equal(8.0, (times[1] - times[0]).TotalMilliseconds, 6);
    }

    [Fact]
    public void JitterNeverReorders()
    {
        var sim = new Simulator(3);
        var link = new Link(sim, new LinkOptions
        {
            PropagationDelay = TimeSpan.FromMilliseconds(50),
            Jitter = new JitterModel(TimeSpan.FromMilliseconds(20)),
            QueueLimitTime = null,
        }, 1);
        var order = new List<double>();
        sim.OnDelivered = (p, now) => order.Add(p.SentAt.TotalMilliseconds);
        sim.Attach(new SimAddress(1, 1), new CbrUdpEndpoint(new SimAddress(2, 1), 1_000_000, 125, TimeSpan.Zero, TimeSpan.FromSeconds(1)), 0);
        sim.Attach(new SimAddress(2, 1), new SinkEndpoint(), 1);
        sim.SetRoute(1, 2, link);
        sim.RunUntil(TimeSpan.FromSeconds(2));
        Assert.Equal(1000, order.Count);
        for (int i = 1; i < order.Count; i++)
        {
            Assert.True(order[i] >= order[i - 1]);
        }
    }

    [Fact]
    public void GilbertElliottLongRunLossMatchesStationaryRate()
    {
        var rng = new Random(5);
        LossModel ge = LossModel.GilbertElliott(0.01, 0.2, 0, 1);
        int lost = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            lost += ge.Drop(rng) ? 1 : 0;
        }
        // Stationary bad-state probability = 0.01 / (0.01 + 0.2).
        Assert.Equal(0.01 / 0.21, (double)lost / n, 2);
    }

    [Fact]
    public void MahimahiTraceParsesAndRejectsGarbage()
    {
        Assert.True(MahimahiTrace.TryParse("1\n1\n5\n10\n", out MahimahiTrace? t, out _));
        Assert.Equal(10, t!.PeriodMs);
        Assert.Equal(TimeSpan.FromMilliseconds(5), t.NextOpportunity(TimeSpan.FromMilliseconds(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(11), t.NextOpportunity(TimeSpan.FromMilliseconds(10.5)));
        Assert.Equal(4 * 1500 * 8 / 0.010, t.AverageBps, 6);
        Assert.False(MahimahiTrace.TryParse("5\n3\n", out _, out string? err));
        Assert.NotNull(err);
        Assert.False(MahimahiTrace.TryParse("abc", out _, out _));
        Assert.False(MahimahiTrace.TryParse("", out _, out _));
    }

    [Fact]
    public void TraceDrivenLinkCarriesTraceCapacity()
    {
        // One 1500-byte opportunity per ms = 12 Mbps.
        var sb = new System.Text.StringBuilder();
        for (int i = 1; i <= 100; i++)
        {
            sb.Append(i).Append('\n');
        }
        Assert.True(MahimahiTrace.TryParse(sb.ToString(), out MahimahiTrace? trace, out _));
        var sim = new Simulator(1);
        var link = new Link(sim, new LinkOptions { Trace = trace, QueueLimitBytes = 1_000_000, QueueLimitTime = null }, 1);
        var sink = new SinkEndpoint();
        sim.Attach(new SimAddress(1, 1), new CbrUdpEndpoint(new SimAddress(2, 1), 20_000_000, 1500, TimeSpan.Zero, TimeSpan.FromSeconds(2)), 0);
        sim.Attach(new SimAddress(2, 1), sink, 1);
        sim.SetRoute(1, 2, link);
        sim.RunUntil(TimeSpan.FromSeconds(1));
        // Opportunities from 1 ms to 1000 ms inside the first second: 990 × 1500 B.
        Assert.InRange(sink.BytesReceived * 8.0, 11.8e6, 12.0e6);
    }

    // Buffer (300 ms = 50 packets) exceeds the BDP (17 packets), so a lone flow should keep the link busy. The model has
    // no SACK: several losses in one window are repaired one per RTT (RFC 6582) and a retransmission dropped at the
    // full drop-tail queue costs an RTO. NewReno loses one packet per overflow and stays above 90 %; CUBIC's faster
    // probing loses several per overflow and measured 83.6 % (seed 1), hence the lower bound for it.
    [Theory]
    [InlineData(TcpCongestionAlgorithm.NewReno, 0.9)]
    [InlineData(TcpCongestionAlgorithm.Cubic, 0.8)]
    public void LongTcpFlowFillsTheBottleneck(TcpCongestionAlgorithm algorithm, double minUtilisation)
    {
        var def = new ScenarioDefinition
        {
            Name = "tcp-only",
            DurationSeconds = 60,
            Links =
            [
                new LinkDefinition { Id = "fwd", Capacity = [new CapacityStep(0, 2_000_000)], PropagationDelayMs = 50, QueueMs = 300 },
                new LinkDefinition { Id = "bwd", PropagationDelayMs = 50 },
            ],
            CrossTraffic = [new CrossTrafficDefinition { Id = "tcp", Type = "tcp", Algorithm = algorithm == TcpCongestionAlgorithm.Cubic ? "cubic" : "newreno", Forward = ["fwd"], Backward = ["bwd"] }],
            Bottlenecks = ["fwd"],
        };
        ScenarioResult r = ScenarioRunner.Run(def, "gcc", 1);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < r.Times.Count; i++)
        {
            if (r.Times[i] > 10)
            {
                sum += r.Links[0].Utilisation[i];
                n++;
            }
        }
        Assert.True(sum / n > minUtilisation, $"utilisation {sum / n:P1}");
    }

    [Fact]
    public void EveryPresetRunsAndProducesSeries()
    {
        foreach (string name in Rfc8867Presets.Names)
        {
            ScenarioDefinition def = Rfc8867Presets.Get(name)! with { DurationSeconds = 10 };
            ScenarioResult r = ScenarioRunner.Run(def, "gcc", 1);
            Assert.Equal(50, r.Times.Count);
            Assert.Contains(r.Flows, f => f.Kind == "media" && f.ReceiveBps.Sum() > 0);
        }
    }

    [Fact]
    public void RtpLogLineHasRfc8868Fields()
    {
        var info = new MediaPacketInfo { PayloadType = 96, Ssrc = 0x1000, SequenceNumber = 7, Timestamp = 9000, Marker = true, PayloadSize = 1180 };
        Assert.Equal("12.000345 96 00001000 7 9000 1 1180", RtpLogLine.Format(TimeSpan.FromTicks(120_003_450), info));
    }

    [Fact]
    public void ScenarioJsonRoundTrips()
    {
        ScenarioDefinition d = Rfc8867Presets.Case56();
        string json = System.Text.Json.JsonSerializer.Serialize(d, ScenarioJsonContext.Default.ScenarioDefinition);
        ScenarioDefinition back = System.Text.Json.JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.ScenarioDefinition)!;
        Assert.Equal(d.Name, back.Name);
        Assert.Equal(d.Links[0].Capacity, back.Links[0].Capacity);
        Assert.Equal(d.CrossTraffic[0].Type, back.CrossTraffic[0].Type);
    }
}
