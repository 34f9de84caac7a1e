using RtcStack.Opus.Jitter;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

public sealed class RelativeDelayHistogramTests
{
    private static long Ms(double ms) => (long)(ms * TimeSpan.TicksPerMillisecond);

    /// <summary>500 packets of 20 ms on time, then <paramref name="late"/> packets held for 1 s, arriving as <paramref name="arrivalOf"/> says.</summary>
    private static RelativeDelayHistogram AfterStall(int late, Func<int, double> arrivalOf)
    {
        var h = new RelativeDelayHistogram(1000, 0.97, 0.998);
        for (int k = 0; k < 500; k++)
        {
            h.Update(960L * k, Ms(20 * k), 48000);
        }

        Assert.True(h.QuantileMs <= 1, $"steady stream: {h.QuantileMs} ms");
        for (int k = 500; k < 500 + late; k++)
        {
            h.Update(960L * k, Ms(arrivalOf(k)), 48000);
        }

        return h;
    }

    [Fact]
    public void PacketsQueuedBehindAStallCountOnce()
    {
        // A 1 s radio stall: 50 packets queue and are released 0.5 ms apart. The first is 1 s late; covering it covers
        // the others (the buffer holds through the stall), so they add nothing and the target stays at the steady jitter.
        RelativeDelayHistogram h = AfterStall(50, k => (20 * 500) + 1000 + ((k - 500) * 0.5));
        Assert.True(h.QuantileMs <= 2, $"after a stall: {h.QuantileMs} ms");
    }

    [Fact]
    public void ADelayStepStillRaisesTheTarget()
    {
        // The same 50 packets 1 s late but arriving at their normal 20 ms spacing (the path got 1 s slower): every
        // one counts, and the target follows.
        RelativeDelayHistogram h = AfterStall(50, k => (20 * k) + 1000);
        Assert.True(h.QuantileMs >= 900, $"after a delay step: {h.QuantileMs} ms");
    }
}
