using RtcStack.Congestion.Scream;
using Xunit;

namespace RtcStack.Congestion.Tests;

/// <summary>
/// SCReAM (RFC 8298) against values computed by hand from the RFC's pseudocode: update_cwnd (§4.1.2.2), loss and ECN
/// events, the send window (§4.1.2.5), pacing (§4.1.2.6), the qdelay trend (§4.1.2.1), fast increase exit and resume,
/// competing-flow target adjustment (§4.1.2.3) and the media rate control (§4.2). Packets are 1000 bytes (= MSS).
/// </summary>
public class ScreamTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static void Send(ScreamController c, long from, long to, double t)
    {
        for (long s = from; s <= to; s++)
        {
            c.OnPacketSent(new SentPacket(s, 1000, S(t)));
        }
    }

    private static void Ack(ScreamController c, double now, params (long Seq, double Arrival)[] arrivals)
    {
        var fb = new PacketFeedback[arrivals.Length];
        for (int i = 0; i < arrivals.Length; i++)
        {
            fb[i] = PacketFeedback.Arrived(arrivals[i].Seq, S(arrivals[i].Arrival));
        }
        c.OnFeedback(fb, S(now));
    }

    [Fact]
    public void BytesInFlightCountsEverythingAfterTheHighestAcknowledgedPacketLostOnesIncluded()
    {
        var c = new ScreamController();
        Send(c, 0, 9, 0);
        Assert.Equal(10_000, c.BytesInFlight);
        Ack(c, 0.1, (0, 0.05), (1, 0.05), (2, 0.05), (3, 0.05), (4, 0.05));
        // RFC 8298 §4.1.2: highest acknowledged SN-5 → in flight are SN-4 … SN (here 5..9).
        Assert.Equal(5_000, c.BytesInFlight);
        // 5 is missing, 6 acknowledged: 5's bytes leave bytes_in_flight all the same, and 5 is a loss.
        Ack(c, 0.2, (6, 0.15));
        Assert.Equal(3_000, c.BytesInFlight);
        Assert.Equal(1, c.LossEvents);
    }

    [Fact]
    public void FastIncreaseGrowsCwndByNewlyAckedBytesOnlyWhileTheWindowIsUsed()
    {
        var c = new ScreamController();
        Assert.Equal(3000, c.Cwnd); // MIN_CWND
        Assert.True(c.InFastIncrease);
        Send(c, 0, 2, 0);
        Ack(c, 0.1, (0, 0.05), (1, 0.05));
        // bytes_in_flight 1000 · 1.5 + bytes_newly_acked 2000 = 3500 > cwnd 3000 → cwnd += 2000.
        Assert.Equal(5000, c.Cwnd, 9);
        // pace_bitrate = max(RATE_PACE_MIN, cwnd · 8 / s_rtt) = 5000 · 8 / 0.1.
        Assert.Equal(400_000, c.PacingRateBps);
        Send(c, 3, 3, 0.1);
        Ack(c, 0.2, (2, 0.15), (3, 0.15));
        // 0 · 1.5 + 2000 = 2000 ≤ 5000: the window was not used, no growth.
        Assert.Equal(5000, c.Cwnd, 9);
    }

    [Fact]
    public void CwndGrowsWithOffTargetBelowTheQdelayTarget()
    {
        var c = new ScreamController();
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false);
        Send(c, 0, 9, 0);
        // Base delay 50 ms (packet 0); the highest acknowledged packet took 100 ms: qdelay = 0.05 s.
        Ack(c, 0.3, (0, 0.05), (1, 0.10), (2, 0.10), (3, 0.10), (4, 0.10));
        Assert.Equal(0.05, c.Qdelay, 9);
        // off_target = (0.1 − 0.05) / 0.1 = 0.5; bytes_in_flight 5000 · 1.25 + 5000 > 10000 so the window is used;
        // cwnd += GAIN · 0.5 · 5000 · MSS / 10000 = 250; min(10250, 1.1 · max_bytes_in_flight 10000) = 10250.
        Assert.Equal(10_250, c.Cwnd, 9);
    }

    [Fact]
    public void CwndShrinksInProportionToHowFarQdelayIsAboveTheTarget()
    {
        var c = new ScreamController();
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false);
        Send(c, 0, 9, 0);
        Ack(c, 0.3, (0, 0.05), (1, 0.25), (2, 0.25), (3, 0.25), (4, 0.25));
        Assert.Equal(0.2, c.Qdelay, 9);
        // off_target = (0.1 − 0.2) / 0.1 = −1; cwnd += 1 · (−1) · 5000 · 1000 / 10000 = −500.
        Assert.Equal(9_500, c.Cwnd, 9);
    }

    [Fact]
    public void CwndIsCappedAtHeadroomTimesMaxBytesInFlightAndFlooredAtMinCwnd()
    {
        var c = new ScreamController();
        c.SetStateForTest(cwnd: 50_000, inFastIncrease: false);
        Send(c, 0, 9, 0);
        Ack(c, 0.1, (0, 0.05), (1, 0.05), (2, 0.05), (3, 0.05), (4, 0.05));
        // Under-used window → delta 0, then cwnd = min(50000, MAX_BYTES_IN_FLIGHT_HEAD_ROOM 1.1 · 10000).
        Assert.Equal(11_000, c.Cwnd, 9);

        var d = new ScreamController();
        Send(d, 0, 2, 0);
        Ack(d, 0.1, (0, 0.05), (2, 0.05));
        // Loss event: max(MIN_CWND, 3000 · BETA_LOSS) = 3000.
        Assert.Equal(1, d.LossEvents);
        Assert.Equal(3000, d.Cwnd, 9);
    }

    [Fact]
    public void LossEventScalesCwndByBetaLossAndTargetByBetaRAtMostOncePerSmoothedRtt()
    {
        var c = new ScreamController(new ScreamParameters { TargetBitrateMax = 5_000_000 });
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: true, targetBitrate: 1_000_000);
        Send(c, 0, 9, 0);
        Ack(c, 0.1, (0, 0.05), (1, 0.05), (3, 0.05), (4, 0.05));
        Assert.Equal(1, c.LossEvents);
        Assert.Equal(8_000, c.Cwnd, 9);              // 10000 · BETA_LOSS 0.8
        Assert.Equal(900_000, c.TargetBitrate, 6);   // 1e6 · BETA_R 0.9
        Assert.Equal(1_000_000, c.TargetBitrateLastMax, 6);
        Assert.False(c.InFastIncrease);

        // 20 ms later (< s_rtt 0.1 s) packet 5 is missing too: no second event; update_cwnd runs instead, and with
        // bytes_in_flight 3000 · 1.25 + 2000 ≤ 8000 the window is under-used, so cwnd stays.
        Ack(c, 0.12, (6, 0.07));
        Assert.Equal(1, c.LossEvents);
        Assert.Equal(8_000, c.Cwnd, 9);

        // s_rtt = 7/8 · 0.1 + 1/8 · 0.12 = 0.1025 s; at 0.25 s the next loss is a new event.
        Assert.Equal(0.1025, c.SmoothedRtt, 9);
        Ack(c, 0.25, (8, 0.06));
        Assert.Equal(2, c.LossEvents);
        Assert.Equal(6_400, c.Cwnd, 9);
        Assert.Equal(810_000, c.TargetBitrate, 6);
    }

    [Fact]
    public void EcnCeScalesCwndAndTargetByBetaEcn()
    {
        var c = new ScreamController(new ScreamParameters { TargetBitrateMax = 5_000_000 });
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false, targetBitrate: 1_000_000);
        Send(c, 0, 4, 0);
        c.OnFeedback([PacketFeedback.Arrived(0, S(0.05)), new PacketFeedback(1, S(0.05), true, EcnCe: true)], S(0.1));
        Assert.Equal(8_000, c.Cwnd, 9);
        Assert.Equal(800_000, c.TargetBitrate, 6);
        Assert.Equal(0, c.LossEvents);
    }

    [Fact]
    public void SendWindowAllowsOneMssBeyondCwndOnlyWhileQdelayIsWithinTarget()
    {
        var p = new ScreamParameters { CompensateCompetingFlows = false };
        var c = new ScreamController(p);
        Send(c, 0, 2, 0);
        // qdelay 0 ≤ target: send_wnd = cwnd + MSS − bytes_in_flight = 3000 + 1000 − 3000.
        Assert.Equal(1000, c.SendWindow, 9);
        Assert.True(c.CanSend(S(0)));
        Send(c, 3, 3, 0);
        Assert.False(c.CanSend(S(0)));

        var d = new ScreamController(p);
        d.SetStateForTest(cwnd: 10_000, inFastIncrease: false);
        Send(d, 0, 9, 0);
        Ack(d, 0.3, (0, 0.05), (1, 0.30), (2, 0.30));
        // qdelay 0.25 > 0.1: cwnd += 1 · (−1.5) · 3000 · 1000 / 10000 = −450 → 9550; send_wnd = cwnd − bytes_in_flight.
        Assert.Equal(9_550, d.Cwnd, 9);
        Assert.Equal(9_550 - 7_000, d.SendWindow, 9);
        Assert.True(d.CanSend(S(0.3)));
        Send(d, 10, 12, 0.3);
        Assert.False(d.CanSend(S(0.3)));
    }

    [Fact]
    public void PacingRateHasTheRatePaceMinFloor()
    {
        var c = new ScreamController();
        Send(c, 0, 0, 0);
        Ack(c, 2.0, (0, 0.05));
        // cwnd 3000 · 8 / s_rtt 2 s = 12 kbps < RATE_PACE_MIN.
        Assert.Equal(50_000, c.PacingRateBps);
    }

    [Fact]
    public void QdelayTrendFollowsTheAutocorrelationOfTheFractionHistoryAndEndsFastIncrease()
    {
        var c = new ScreamController(new ScreamParameters { CompensateCompetingFlows = false });
        double[] expected =
        [
            0,                                  // one sample: R(1) = 0
            0.5 * (1 - Math.Pow(0.9, 2)),       // R(1)/R(0) = 1/2, qdelay_fraction_avg = 1 − 0.9²
            2.0 / 3 * (1 - Math.Pow(0.9, 3)),
            0.75 * (1 - Math.Pow(0.9, 4)),      // 0.2579 ≥ QDELAY_TREND_TH: fast increase ends here
            0.8 * (1 - Math.Pow(0.9, 5)),
        ];
        for (int k = 1; k <= 5; k++)
        {
            // qdelay = target: qdelay_fraction = 1.0 each 50 ms.
            c.OnAcknowledgement(0.05 * k, 0.1, loss: false, ecn: false);
            Assert.Equal(expected[k - 1], c.QdelayTrend, 9);
            Assert.Equal(k < 4, c.InFastIncrease);
        }
        Assert.Equal(expected[4], c.QdelayTrendMem, 9);
    }

    [Fact]
    public void FastIncreaseResumesAfterTheTrendStaysLowForFiveSeconds()
    {
        var c = new ScreamController(new ScreamParameters { CompensateCompetingFlows = false });
        double t = 0;
        for (int k = 0; k < 5; k++)
        {
            t += 0.05;
            c.OnAcknowledgement(t, 0.1, false, false);
        }
        Assert.False(c.InFastIncrease);
        double lowSince = double.NaN, resumedAt = double.NaN;
        while (t < 20 && double.IsNaN(resumedAt))
        {
            t += 0.05;
            c.OnAcknowledgement(t, 0, false, false);
            if (double.IsNaN(lowSince) && c.QdelayTrend < 0.2)
            {
                lowSince = t;
            }
            if (c.InFastIncrease)
            {
                resumedAt = t;
            }
        }
        Assert.False(double.IsNaN(lowSince));
        Assert.Equal(lowSince + 5, resumedAt, 6);
    }

    [Fact]
    public void QdelayTargetRisesToMeanPlusDeviationOfStableQueueingAndIsClampedToHi()
    {
        var c = new ScreamController();
        for (int k = 1; k <= 10; k++)
        {
            c.OnAcknowledgement(0.05 * k, 0.2, false, false);
        }
        // qdelay_norm = 2 every sample: variance 0 < 0.2 → qdelay_target = (2 + 0) · QDELAY_TARGET_LO.
        Assert.Equal(0.2, c.QdelayTarget, 9);

        var d = new ScreamController();
        for (int k = 1; k <= 10; k++)
        {
            d.OnAcknowledgement(0.05 * k, 0.5, false, false);
        }
        Assert.Equal(0.4, d.QdelayTarget, 9); // QDELAY_TARGET_HI

        var e = new ScreamController(new ScreamParameters { CompensateCompetingFlows = false });
        e.OnAcknowledgement(0.05, 0.5, false, false);
        Assert.Equal(0.1, e.QdelayTarget, 9);
    }

    [Fact]
    public void MediaRateRampsUpInFastIncrease()
    {
        var c = new ScreamController(new ScreamParameters { StartBitrate = 300_000, TargetBitrateMax = 10_000_000 });
        c.HandleTimeout(S(0));
        Send(c, 0, 9, 0.1);
        c.HandleTimeout(S(0.2));
        Assert.Equal(400_000, c.RateTransmit, 6); // 10000 bytes in 0.2 s
        // ramp_up_speed = min(RAMP_UP_SPEED, 300k / 2) = 150k; scale 1 (target_bitrate_last_max 1 bps);
        // target += 150k · RATE_ADJUST_INTERVAL 0.2 = 330k, below the 2 · 400k media limit.
        Assert.Equal(330_000, c.TargetBitrate, 6);
    }

    [Fact]
    public void MediaRateOutsideFastIncreaseFollowsThroughputAndBacksOffOnRtpQueue()
    {
        var c = new ScreamController(new ScreamParameters { TargetBitrateMax = 10_000_000 });
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false, targetBitrate: 500_000, targetBitrateLastMax: 400_000);
        c.HandleTimeout(S(0));
        Send(c, 0, 9, 0.1);
        c.OnSendQueue(2_000, S(0.2));
        c.HandleTimeout(S(0.2));
        // scale = max(0.2, min(1, (0.25 · 4)²)) = 1; current_rate 400k; delta = 400k − 16000 bits of RTP queue,
        // capped at min(200k, 500k/2) · 0.2 = 40k → 540k; RTP queue delay 16000 / 400k = 0.04 s > RTP_QDELAY_TH
        // → · 0.95 = 513k; media limit max(400k, rate_media 480k) · 2 does not bind.
        Assert.Equal(480_000, c.RateMedia, 6);
        Assert.Equal(513_000, c.TargetBitrate, 6);

        var d = new ScreamController(new ScreamParameters { TargetBitrateMax = 10_000_000 });
        d.SetStateForTest(cwnd: 10_000, inFastIncrease: false, targetBitrate: 500_000, targetBitrateLastMax: 400_000);
        d.HandleTimeout(S(0));
        Send(d, 0, 9, 0.1);
        d.OnSendQueue(100_000, S(0.2));
        d.HandleTimeout(S(0.2));
        // delta = 400k − 800k bits = −400k → 100k, · 0.95 = 95k.
        Assert.Equal(95_000, d.TargetBitrate, 6);
    }

    [Fact]
    public void LossCutsTheTargetAtOnceAndTheNextRateAdjustmentExits()
    {
        var c = new ScreamController(new ScreamParameters { TargetBitrateMax = 10_000_000 });
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false, targetBitrate: 1_000_000);
        c.HandleTimeout(S(0));
        Send(c, 0, 9, 0);
        Ack(c, 0.1, (0, 0.05), (1, 0.05), (3, 0.05));
        Assert.Equal(900_000, c.TargetBitrate, 6);
        c.HandleTimeout(S(0.2));
        Assert.Equal(400_000, c.RateTransmit, 6);
        Assert.Equal(900_000, c.TargetBitrate, 6);
    }

    [Fact]
    public void ReorderingWidensTheLossWindow()
    {
        var c = new ScreamController();
        c.SetStateForTest(cwnd: 10_000, inFastIncrease: false);
        Send(c, 0, 9, 0);
        Ack(c, 0.1, (0, 0.05), (1, 0.05), (3, 0.05));
        Assert.Equal(1, c.LossEvents);
        Ack(c, 0.15, (2, 0.06));          // 2 was only late: reordering window 0.05 s
        Assert.Equal(0.05, c.ReorderWindow, 9);
        Ack(c, 0.3, (4, 0.25), (6, 0.25)); // 5 missing since 0.3: not lost yet
        Assert.Equal(1, c.LossEvents);
        Ack(c, 0.36, (7, 0.3));            // 5 missing for 0.06 s ≥ 0.05 s: lost
        Assert.Equal(2, c.LossEvents);
    }

    [Fact]
    public void WithoutFeedbackForTheTimeoutTheWindowReopens()
    {
        var c = new ScreamController();
        c.HandleTimeout(S(0));
        Send(c, 0, 3, 0);
        Assert.False(c.CanSend(S(0)));
        c.HandleTimeout(S(0.99));
        Assert.Equal(4000, c.BytesInFlight);
        Assert.Equal(S(1.0), c.PollTimeout()); // the feedback deadline: last send 0 s + FeedbackTimeout 1 s
        c.HandleTimeout(S(1.0));
        Assert.Equal(0, c.BytesInFlight);
        Assert.Equal(3000, c.Cwnd, 9);
        Assert.True(c.CanSend(S(1.0)));
    }

    [Fact]
    public void FeedbackForUnknownOrDuplicatePacketsIsIgnored()
    {
        var c = new ScreamController();
        Ack(c, 0.1, (5, 0.05));
        Send(c, 0, 1, 0);
        Ack(c, 0.1, (0, 0.05), (0, 0.05), (99, 0.05), (-3, 0.05));
        Assert.Equal(1000, c.BytesInFlight);
        Assert.Equal(0, c.LossEvents);
    }

    [Fact]
    public void SteadyStateFeedbackAllocatesNothing()
    {
        var c = new ScreamController();
        var fb = new PacketFeedback[10];
        long seq = 0;
        void Round(double t)
        {
            for (int i = 0; i < 10; i++)
            {
                c.OnPacketSent(new SentPacket(seq + i, 1000, S(t)));
                fb[i] = PacketFeedback.Arrived(seq + i, S(t + 0.05));
            }
            c.OnSendQueue(500, S(t));
            c.OnFeedback(fb, S(t + 0.1));
            c.HandleTimeout(S(t + 0.1));
            _ = c.CanSend(S(t + 0.1));
            _ = c.PollTimeout();
            seq += 10;
        }
        for (int k = 0; k < 100; k++)
        {
            Round(k * 0.1);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 100; k < 1100; k++)
        {
            Round(k * 0.1);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
