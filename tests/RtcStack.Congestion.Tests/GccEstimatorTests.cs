using RtcStack.Congestion;
using RtcStack.Congestion.Gcc;
using Xunit;

namespace RtcStack.Congestion.Tests;

public class GccEstimatorTests
{
    [Fact]
    public void TrendlineSlopeMatchesHandComputedLeastSquares()
    {
        // libwebrtc's constants (modules/congestion_controller/goog_cc/trendline_estimator.cc):
        // smoothing coefficient 0.9, window 20, threshold gain 4, kMinNumDeltas 60.
        // 20 groups sent 10 ms apart, each arriving 1 ms later than the one before relative to its
        // send time: accumulated delay k after group k, smoothed s_k = 0.9 s_(k-1) + 0.1 k, s_0 = 0,
        // whose closed form is s_k = k - 9 + 9 * 0.9^k. The regression is of s_k on x_k = 10 (k - 1)
        // (arrival time since the first group), so its slope is
        //   (1 + 9 Cov(k, 0.9^k) / Var(k)) / 10 over k = 1..20,
        // with Var(k) summed = 665 and Cov(k, 0.9^k) summed = -25.8367029 (worked with exact
        // fractions outside this code): 0.0650330337.
        var t = new TrendlineEstimator();
        for (int k = 1; k <= 20; k++)
        {
            t.Update(11, 10, 10 * k);
        }

        Assert.Equal(0.0650330337, t.Trend, 9);

        // Modified trend = slope x min(deltas = 20, 60) x gain 4 = 80 x slope.
        Assert.Equal(5.2026426956, t.ModifiedTrend, 9);
    }

    [Fact]
    public void AdaptiveThresholdMovesWithKUpAndKDownAndIgnoresSpikes()
    {
        var a = new AdaptiveThreshold();
        Assert.Equal(12.5, a.Threshold);
        a.Update(20, 0);      // first sample: no elapsed time
        Assert.Equal(12.5, a.Threshold, 12);
        // libwebrtc's overuse_detector.cc: k_up 0.0087, k_down 0.039, initial threshold 12.5 ms,
        // no adaptation more than 15 ms above it, time step capped at 100 ms, threshold in [6, 600].
        a.Update(20, 10);     // 12.5 + 0.0087 × (20 − 12.5) × 10
        Assert.Equal(13.1525, a.Threshold, 10);
        a.Update(5, 20);      // 13.1525 + 0.039 × (5 − 13.1525) × 10 = 13.1525 − 3.179475
        Assert.Equal(9.973025, a.Threshold, 10);
        double before = a.Threshold;
        a.Update(before + 16, 30); // more than 15 above: no adaptation
        Assert.Equal(before, a.Threshold, 12);
        a.Update(0, 1000);    // dt capped at 100 ms, clamp at 6
        Assert.Equal(6, a.Threshold, 12);
    }

    [Fact]
    public void OveruseNeedsMoreThanTenMillisecondsAndTwoGroups()
    {
        var t = new TrendlineEstimator();
        // Steep growth: 5 ms more per 5 ms group.
        int k = 0;
        for (; k < 19; k++)
        {
            t.Update(10, 5, 5 * k);
        }
        Assert.NotEqual(BandwidthUsage.Overusing, t.State);
        t.Update(10, 5, 5 * k++); // window full: trend computed, first time above: time_over_using = 2.5 ms
        Assert.NotEqual(BandwidthUsage.Overusing, t.State);
        t.Update(10, 5, 5 * k++); // 7.5 ms
        t.Update(10, 5, 5 * k++); // 12.5 ms, counter 3 → over-use
        Assert.Equal(BandwidthUsage.Overusing, t.State);
    }

    [Fact]
    public void InterArrivalGroupsBySendTimeWithinFiveMilliseconds()
    {
        var ia = new InterArrivalDelta();
        TimeSpan Ms(double v) => TimeSpan.FromMilliseconds(v);
        // Group 1 sent 0–2 ms, group 2 sent 10–11 ms, group 3 starts at 20 ms.
        Assert.False(ia.ComputeDeltas(Ms(0), Ms(50), Ms(50), 100, out _, out _, out _));
        Assert.False(ia.ComputeDeltas(Ms(2), Ms(53), Ms(53), 100, out _, out _, out _));
        Assert.False(ia.ComputeDeltas(Ms(10), Ms(62), Ms(62), 100, out _, out _, out _));
        Assert.False(ia.ComputeDeltas(Ms(11), Ms(64), Ms(64), 200, out _, out _, out _));
        Assert.True(ia.ComputeDeltas(Ms(20), Ms(75), Ms(75), 100, out TimeSpan send, out TimeSpan arrival, out int size));
        Assert.Equal(Ms(9), send);      // 11 − 2
        Assert.Equal(Ms(11), arrival);  // 64 − 53
        Assert.Equal(100, size);        // 300 − 200
    }

    [Fact]
    public void AimdMultiplicativeIncreaseThenDecreaseThenAdditive()
    {
        var aimd = new AimdRateControl(10_000, 10_000_000, 1_000_000);
        TimeSpan t0 = TimeSpan.FromSeconds(10);
        aimd.Update(BandwidthUsage.Normal, 1_000_000, t0); // Hold → Increase, starts the clock
        double r = aimd.Update(BandwidthUsage.Normal, 1_000_000, t0 + TimeSpan.FromSeconds(1));
        // The Hold → Increase step adds the 1 kbps minimum increase; then ×1.08 per second far from convergence.
        Assert.Equal(1_001_000 * 1.08, r, 6);
        r = aimd.Update(BandwidthUsage.Overusing, 800_000, t0 + TimeSpan.FromSeconds(1.1));
        Assert.Equal(0.85 * 800_000, r, 6);                 // 0.85 × acknowledged
        Assert.Equal(RateControlState.Hold, aimd.State);
        Assert.True(aimd.LinkCapacity.HasEstimate);
        aimd.Update(BandwidthUsage.Normal, 680_000, t0 + TimeSpan.FromSeconds(2)); // Hold → Increase
        r = aimd.Update(BandwidthUsage.Normal, 680_000, t0 + TimeSpan.FromSeconds(3));
        // Additive near convergence: frame = 680 kbps / 30 / 8 = 2833.3 B → 3 packets of 944.4 B; response time 200 + 100 ms.
        double perSecond = 8 * (680_000.0 / 30 / 8) / 3 / 0.3;
        Assert.Equal(680_000 + perSecond, r, 6);
    }

    [Fact]
    public void AimdIncreaseIsCappedAtOneAndAHalfAckedPlusTenKbps()
    {
        var aimd = new AimdRateControl(10_000, 10_000_000, 1_000_000);
        aimd.Update(BandwidthUsage.Normal, 500_000, TimeSpan.Zero);
        double r = aimd.Update(BandwidthUsage.Normal, 500_000, TimeSpan.FromSeconds(1));
        // 1.5 × 500 kbps + 10 kbps = 760 kbps is below the current 1 Mbps: no increase.
        Assert.Equal(1_000_000, r, 6);
        var aimd2 = new AimdRateControl(10_000, 10_000_000, 720_000);
        aimd2.Update(BandwidthUsage.Normal, 500_000, TimeSpan.Zero);
        r = aimd2.Update(BandwidthUsage.Normal, 500_000, TimeSpan.FromSeconds(1));
        Assert.Equal(760_000, r, 6); // 721 kbps × 1.08 = 778.7 kbps, capped at 760 kbps
    }

    [Fact]
    public void LossBasedIncreasesBelowTwoPercentAndDecreasesAboveTen()
    {
        var lb = new LossBasedBandwidthEstimation(10_000, 10_000_000, 1_000_000);
        TimeSpan t = TimeSpan.FromSeconds(1);
        lb.UpdatePacketsLost(0, 100, t);             // no loss: 1.08 × min of the last second + 1 kbps
        double r1 = 1_000_000 * 1.08 + 0.5 + 1000;
        Assert.Equal(r1, lb.TargetBps, 6);
        t += TimeSpan.FromSeconds(3);                // leave the 2 s start phase
        lb.UpdatePacketsLost(1, 100, t);             // 1 % → fraction 2/256 ≤ 2 %: increase again
        Assert.Equal(r1 * 1.08 + 0.5 + 1000, lb.TargetBps, 6);
        double before = lb.TargetBps;
        t += TimeSpan.FromSeconds(1);
        lb.UpdatePacketsLost(30, 100, t);            // 30 % → fraction 76/256: × (512 − 76) / 512
        Assert.Equal(76, lb.LastFractionLoss);
        Assert.Equal(before * (512 - 76) / 512.0, lb.TargetBps, 6);
        double after = lb.TargetBps;
        t += TimeSpan.FromSeconds(1);
        lb.UpdatePacketsLost(5, 100, t);             // 5 %: hold
        Assert.Equal(after, lb.TargetBps, 6);
    }

    [Fact]
    public void LossBasedNeedsTwentyPackets()
    {
        var lb = new LossBasedBandwidthEstimation(10_000, 10_000_000, 1_000_000);
        lb.UpdatePacketsLost(10, 10, TimeSpan.FromSeconds(5));
        Assert.Equal(0, lb.LastFractionLoss);
        lb.UpdatePacketsLost(0, 10, TimeSpan.FromSeconds(6));
        Assert.Equal(128, lb.LastFractionLoss); // 10 of 20
    }

    [Fact]
    public void ProbeResultUsesNinetyFivePercentOfReceiveRateWhenSaturated()
    {
        var est = new ProbeBitrateEstimator();
        var cfg = new ProbeClusterConfig(7, 2_000_000, TimeSpan.FromMilliseconds(15), 5, TimeSpan.Zero);
        double result = double.NaN;
        for (int i = 0; i < 5; i++)
        {
            var sent = new SentPacket(i, 1000, TimeSpan.FromMilliseconds(i), 7);
            result = est.HandleProbe(new PacketResult(sent, TimeSpan.FromMilliseconds(100 + 2 * i), true, false), cfg);
        }
        // Send: 4000 B over 4 ms = 8 Mbps; receive: 4000 B over 8 ms = 4 Mbps; 4 < 0.9 × 8 → 0.95 × 4 Mbps.
        Assert.Equal(0.95 * 4_000_000, result, 3);
    }

    [Fact]
    public void ProbeClusterNeedsEightyPercentOfPackets()
    {
        var est = new ProbeBitrateEstimator();
        var cfg = new ProbeClusterConfig(1, 2_000_000, TimeSpan.FromMilliseconds(15), 10, TimeSpan.Zero);
        double result = double.NaN;
        for (int i = 0; i < 7; i++)
        {
            var sent = new SentPacket(i, 1000, TimeSpan.FromMilliseconds(i), 1);
            result = est.HandleProbe(new PacketResult(sent, TimeSpan.FromMilliseconds(50 + i), true, false), cfg);
        }
        Assert.True(double.IsNaN(result)); // 7 < 0.8 × 10
    }

    [Fact]
    public void BitrateEstimatorFirstWindowIsFiveHundredMilliseconds()
    {
        var b = new BitrateEstimator();
        for (int ms = 0; ms <= 500; ms += 10)
        {
            b.Update(ms, 1000, false);
        }
        // 50 packets of 1000 B in the 500 ms window: 8 × 50000 / 500 = 800 kbps.
        Assert.Equal(800_000, b.BitrateBps, 6);
    }

    [Fact]
    public void AlrStartsWhenSendingFarBelowEstimate()
    {
        var alr = new AlrDetector();
        alr.SetEstimatedBitrate(1_000_000);
        for (int ms = 0; ms < 2000; ms += 20)
        {
            alr.OnBytesSent(100, TimeSpan.FromMilliseconds(ms)); // 40 kbps ≪ 65 % of 1 Mbps
        }
        Assert.NotNull(alr.AlrStartTime);
        for (int ms = 2000; ms < 4000; ms += 5)
        {
            alr.OnBytesSent(1000, TimeSpan.FromMilliseconds(ms)); // 1.6 Mbps
        }
        Assert.Null(alr.AlrStartTime);
    }

    [Fact]
    public void ProbeControllerStartsWithThreeAndSixTimesStartRate()
    {
        var pc = new ProbeController(10_000_000, true);
        pc.Start(300_000, TimeSpan.Zero);
        Assert.True(pc.TryPoll(out ProbeClusterConfig a));
        Assert.True(pc.TryPoll(out ProbeClusterConfig b));
        Assert.False(pc.TryPoll(out _));
        Assert.Equal(900_000, a.TargetRateBps);
        Assert.Equal(1_800_000, b.TargetRateBps);
        // A result above 70 % of the last probe asks for 2× more.
        pc.SetEstimatedBitrate(1_500_000, TimeSpan.FromMilliseconds(500));
        Assert.True(pc.TryPoll(out ProbeClusterConfig c));
        Assert.Equal(3_000_000, c.TargetRateBps);
    }
}
