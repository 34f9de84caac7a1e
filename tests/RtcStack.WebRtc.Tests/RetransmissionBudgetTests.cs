using Xunit;

namespace RtcStack.WebRtc.Tests;

public sealed class RetransmissionBudgetTests
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void NothingIsRetransmittedBeforeMediaWasSent()
    {
        var budget = new RetransmissionBudget();
        Assert.False(budget.TryTake(100, Ms(0)));
        Assert.Equal(1, budget.Dropped);
        Assert.Equal(100, budget.DroppedBytes);
    }

    [Fact]
    public void RetransmissionsStayWithinTheFractionOfTheLastSecondsMedia()
    {
        var budget = new RetransmissionBudget(0.5);
        for (int t = 0; t < 1000; t += 20)
        {
            budget.OnMediaSent(100, Ms(t)); // 50 packets, 5,000 bytes in the second
        }

        Assert.True(budget.TryTake(2_000, Ms(990)));
        Assert.True(budget.TryTake(500, Ms(990)));
        Assert.False(budget.TryTake(1, Ms(990)));   // 2,500 = half of 5,000: full
        Assert.Equal(1, budget.Dropped);

        // A packet that could not be sent after all gives its bytes back.
        budget.Return(500, Ms(990));
        Assert.True(budget.TryTake(400, Ms(995)));
    }

    [Fact]
    public void TheWindowSlides()
    {
        var budget = new RetransmissionBudget();
        budget.OnMediaSent(1_000, Ms(0));
        Assert.True(budget.TryTake(1_000, Ms(50)));
        Assert.False(budget.TryTake(1, Ms(900)));

        // 1.1 s later the media and the retransmission of the first bucket have left the window together.
        Assert.False(budget.TryTake(1, Ms(1_100)));
        budget.OnMediaSent(300, Ms(1_100));
        Assert.True(budget.TryTake(300, Ms(1_150)));
        Assert.False(budget.TryTake(1, Ms(1_150)));

        // A jump of many seconds clears everything, and a time slightly in the past counts in the current bucket.
        budget.OnMediaSent(10, Ms(60_000));
        Assert.True(budget.TryTake(10, Ms(59_990)));
        Assert.False(budget.TryTake(1, Ms(60_000)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(11.0)]
    public void FractionOutsideItsRangeIsApiMisuse(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetransmissionBudget(fraction));
}
