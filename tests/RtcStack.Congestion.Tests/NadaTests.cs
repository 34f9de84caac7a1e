using RtcStack.Congestion.Nada;
using Xunit;

namespace RtcStack.Congestion.Tests;

public class NadaTests
{
    [Fact]
    public void GradualUpdateFollowsRfc8698Equations()
    {
        var n = new NadaController(new NadaParameters { RMax = 1_500_000 });
        n.SetStateForTest(rRef: 1_000_000, xCurr: 30, xPrev: 20, receiveRate: 900_000, rttMs: 100, rampUp: false);
        n.UpdateReferenceRate(100);
        // x_offset = 30 − 1 × 10 × 1.5e6 / 1e6 = 15; x_diff = 10;
        // r_ref = 1e6 − 0.5 × (100/500) × (15/500) × 1e6 − 0.5 × 2 × (10/500) × 1e6 = 977 000.
        Assert.Equal(977_000, n.RRef, 6);
        Assert.Equal(1, n.RMode);
    }

    [Fact]
    public void AcceleratedRampUpUsesGammaBoundedByQboundOverRtt()
    {
        var n = new NadaController(new NadaParameters { RMax = 3_000_000 });
        n.SetStateForTest(rRef: 500_000, xCurr: 0, xPrev: 0, receiveRate: 800_000, rttMs: 100, rampUp: true);
        n.UpdateReferenceRate(100);
        // γ = min(0.5, 50 / (100 + 100 + 120)) = 0.15625; r_ref = max(500k, 1.15625 × 800k).
        Assert.Equal(925_000, n.RRef, 6);
        Assert.Equal(0, n.RMode);
    }

    [Fact]
    public void RateIsClippedToRminRmax()
    {
        var n = new NadaController(new NadaParameters { RMin = 150_000, RMax = 1_500_000 });
        n.SetStateForTest(rRef: 200_000, xCurr: 400, xPrev: 0, receiveRate: 0, rttMs: 100, rampUp: false);
        n.UpdateReferenceRate(100);
        Assert.Equal(150_000, n.RRef, 6);
    }

    [Fact]
    public void WarpingAboveQth()
    {
        Assert.Equal(30, NadaController.Warp(30, 50, 0.5), 12);
        Assert.Equal(50 * Math.Exp(-0.5), NadaController.Warp(100, 50, 0.5), 12);
    }

    [Fact]
    public void SendRatesFollowRateShapingBuffer()
    {
        var p = new NadaParameters { RMin = 150_000, RMax = 1_500_000, StartRate = 1_000_000 };
        var n = new NadaController(p);
        n.OnSendQueue(1000, TimeSpan.Zero);
        // r_vin = r_ref − 0.1 × 8 × 1000 × 30; r_send = r_ref + 0.1 × 8 × 1000 × 30.
        Assert.Equal(1_000_000 - 24_000, n.TargetBitrateBps);
        Assert.Equal(1_000_000 + 24_000, n.PacingRateBps);
    }
}
