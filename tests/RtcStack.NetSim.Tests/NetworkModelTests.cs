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
        const double P = 0.01, R = 0.2;
        var rng = new Random(5);
        LossModel ge = LossModel.GilbertElliott(P, R, 0, 1);
        int lost = 0, bursts = 0;
        bool previous = false;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            bool drop = ge.Drop(rng);
            lost += drop ? 1 : 0;
            bursts += drop && !previous ? 1 : 0;
            previous = drop;
        }

        // With no loss in the good state and all loss in the bad one, a drop is the state of a
        // two-state Markov chain: stationary bad-state probability pi = p / (p + r), second eigenvalue
        // lambda = 1 - p - r. The mean of n correlated steps has variance
        // pi (1 - pi) (1 + lambda) / ((1 - lambda) n) (the chain's integrated autocorrelation time),
        // here sigma = 0.0014; the bound is 4.5 sigma, where rounding both sides to two places allowed
        // anything from 0.045 to 0.055.
        double pi = P / (P + R);
        double lambda = 1 - P - R;
        double sigma = Math.Sqrt(pi * (1 - pi) * (1 + lambda) / ((1 - lambda) * n));
        Assert.InRange((double)lost / n, pi - (4.5 * sigma), pi + (4.5 * sigma));

        // Losses come in bursts of geometric length, mean 1 / r = 5 packets (standard deviation
        // sqrt(1 - r) / r per burst): independent drops at the same rate would average 1.05.
        double meanBurst = (double)lost / bursts;
        double burstSigma = Math.Sqrt(1 - R) / R / Math.Sqrt(bursts);
        Assert.InRange(meanBurst, (1 / R) - (4.5 * burstSigma), (1 / R) + (4.5 * burstSigma));
    }

    [Fact]
    public void MahimahiTraceParsesAndRejectsGarbage()
    {
        Assert.True(MahimahiTrace.TryParse("1\n1\n5\n10\n", out MahimahiTrace? t, out _));
        Assert.Equal(10, t!.PeriodMs);
        Assert.Equal(TimeSpan.FromMilliseconds(5), t.NextOpportunity(TimeSpan.FromMilliseconds(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(11), t.NextOpportunity(TimeSpan.FromMilliseconds(10.5)));
        Assert.Equal(4 * 1500 * 8 / 0.010, t.AverageBps, 6);
        // Found by fuzzing (mahimahi-trace): a huge millisecond value overflowed TimeSpan in NextOpportunity.
        Assert.False(MahimahiTrace.TryParse("44444444444444444", out _, out _));
        Assert.True(MahimahiTrace.TryParse("86400000", out MahimahiTrace? day, out _));
        Assert.Equal(TimeSpan.FromDays(1), day!.NextOpportunity(TimeSpan.FromHours(23)));
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

    // A lone Linux-like TCP flow (SACK + RACK loss recovery) keeps a 2 Mbps / 100 ms RTT link busy whether the
    // drop-tail queue is larger than the BDP (300 ms ≈ 50 packets vs a 17-packet BDP) or BDP-sized (100 ms): after a
    // window reduction (NewReno halves, CUBIC keeps 70 %) the standing queue never fully drains. Losses are repaired
    // by SACK recovery, never by a retransmission timeout.
    [Theory]
    [InlineData(TcpCongestionAlgorithm.NewReno, 300, 0.97)]
    [InlineData(TcpCongestionAlgorithm.Cubic, 300, 0.97)]
    [InlineData(TcpCongestionAlgorithm.NewReno, 100, 0.90)]
    [InlineData(TcpCongestionAlgorithm.Cubic, 100, 0.90)]
    public void LongTcpFlowFillsTheBottleneckWithoutTimeouts(TcpCongestionAlgorithm algorithm, double queueMs, double minUtilisation)
    {
        var sim = new Simulator(1);
        var fwd = new Link(sim, new LinkOptions { Capacity = new CapacitySchedule([(TimeSpan.Zero, 2_000_000)]), PropagationDelay = TimeSpan.FromMilliseconds(50), QueueLimitTime = TimeSpan.FromMilliseconds(queueMs) }, 1);
        var bwd = new Link(sim, new LinkOptions { PropagationDelay = TimeSpan.FromMilliseconds(50), QueueLimitTime = null }, 2);
        long bits = 0;
        fwd.OnTransmitted = (p, now) => bits += now > TimeSpan.FromSeconds(10) ? p.WireSize * 8 : 0;
        int drops = 0;
        fwd.OnDropped = (_, _) => drops++;
        var tcp = new TcpSenderEndpoint(new TcpSenderOptions { Algorithm = algorithm }, new SimAddress(2, 1), sim.CreateRandom(3));
        var receiver = new TcpReceiverEndpoint();
        sim.Attach(new SimAddress(1, 1), tcp, 0);
        sim.Attach(new SimAddress(2, 1), receiver, 1);
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);
        sim.RunUntil(TimeSpan.FromSeconds(60));
        double utilisation = bits / (2_000_000 * 50.0);
        Assert.True(utilisation > minUtilisation, $"utilisation {utilisation:P1}");
        Assert.True(drops > 0, "the flow never filled the queue");
        Assert.True(tcp.FastRetransmits > 0);
        Assert.Equal(0, tcp.Timeouts);
        // Everything acknowledged was delivered in order; the difference is ACKs still on the way back.
        Assert.InRange(receiver.BytesReceived / TcpSenderEndpoint.Mss - tcp.SegmentsAcked, 0, 20);
    }

    [Fact]
    public void SackBlocksReportTheLatestSegmentFirst()
    {
        var r = new TcpReceiverEndpoint();
        var from = new SimAddress(1, 1);
        TcpSegment Deliver(long seq)
        {
            r.HandleDatagram(new SimPacket { Source = from, Tag = new TcpSegment(seq, false) }, TimeSpan.Zero);
            Assert.True(r.TryPollTransmit(out SimPacket ack));
            return (TcpSegment)ack.Tag!;
        }
        Assert.Equal(1, Deliver(0).Sequence);
        TcpSegment a = Deliver(3); // hole at 1–2
        Assert.Equal((1, 1, (3L, 4L)), (a.Sequence, a.SackCount, a.Sack0));
        TcpSegment b = Deliver(6); // second hole at 4–5
        Assert.Equal((2, (6L, 7L), (3L, 4L)), (b.SackCount, b.Sack0, b.Sack1));
        TcpSegment c = Deliver(4); // extends the first block
        Assert.Equal((2, (3L, 5L), (6L, 7L)), (c.SackCount, c.Sack0, c.Sack1));
        TcpSegment d = Deliver(5); // joins both blocks
        Assert.Equal((1, (3L, 7L)), (d.SackCount, d.Sack0));
        TcpSegment e = Deliver(1);
        Assert.Equal((2L, 1), (e.Sequence, e.SackCount));
        TcpSegment f = Deliver(2); // fills the hole: everything up to 7 is in order
        Assert.Equal((7L, 0), (f.Sequence, f.SackCount));
        Assert.Equal(7L * TcpSenderEndpoint.Mss, r.BytesReceived);
    }

    [Fact]
    public void JitterSamplesFollowRfc8868TruncatedGaussian()
    {
        var model = new JitterModel(JitterModel.RecommendedStdDev);
        var rng = new Random(11);
        double sum = 0, max = 0;
        const int n = 100_000;
        for (int i = 0; i < n; i++)
        {
            double ms = model.Sample(rng).TotalMilliseconds;
            Assert.InRange(ms, 0, 15);
            sum += ms;
            max = Math.Max(max, ms);
        }
        // E|N(0, σ²)| = σ·sqrt(2/π) ≈ 3.99 ms for σ = 5 ms (the clamp at 3σ changes it by < 0.01 ms).
        Assert.Equal(5 * Math.Sqrt(2 / Math.PI), sum / n, 1);
        Assert.True(max > 14.9, "clamped samples sit at N_STD·std");
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
