using Xunit;

namespace RtcStack.Sctp.Tests;

public class RetransmissionTimeoutTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void StartsAtRtoInitial()
    {
        var rto = new RetransmissionTimeout(Ms(1000), Ms(200), Ms(60000));
        Assert.Equal(Ms(1000), rto.Rto);
        Assert.Null(rto.SmoothedRtt);
    }

    [Fact]
    public void FirstMeasurementSetsSrttAndHalfVariance()
    {
        // RFC 9260 §6.3.1 C2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR.
        var rto = new RetransmissionTimeout(Ms(1000), Ms(10), Ms(60000));
        rto.AddMeasurement(Ms(100));
        Assert.Equal(Ms(100), rto.SmoothedRtt);
        Assert.Equal(Ms(50), rto.RttVariation);
        Assert.Equal(Ms(300), rto.Rto);
    }

    [Fact]
    public void LaterMeasurementsUseAlphaOneEighthAndBetaOneQuarter()
    {
        // C3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| (old SRTT), then SRTT = 7/8 SRTT + 1/8 R'.
        var rto = new RetransmissionTimeout(Ms(1000), Ms(10), Ms(60000));
        rto.AddMeasurement(Ms(100));
        rto.AddMeasurement(Ms(180));
        Assert.Equal(Ms((0.75 * 50) + (0.25 * 80)), rto.RttVariation);
        Assert.Equal(Ms((0.875 * 100) + (0.125 * 180)), rto.SmoothedRtt);
        Assert.Equal(Ms(110 + (4 * 57.5)), rto.Rto);
    }

    [Fact]
    public void ClampsToMinAndMax()
    {
        // C6, C7: RTO.Min and RTO.Max.
        var rto = new RetransmissionTimeout(Ms(1000), Ms(1000), Ms(3000));
        rto.AddMeasurement(Ms(10));
        Assert.Equal(Ms(1000), rto.Rto);
        rto.AddMeasurement(Ms(5000));
        Assert.Equal(Ms(3000), rto.Rto);
    }

    [Fact]
    public void GranularityIsTheFloorOfTheVarianceTerm()
    {
        // C3: RTO = SRTT + max(G, 4 RTTVAR); a steady RTT drives RTTVAR towards zero.
        var rto = new RetransmissionTimeout(Ms(1000), Ms(1), Ms(60000), granularity: Ms(10));
        for (int i = 0; i < 200; i++)
        {
            rto.AddMeasurement(Ms(100));
        }

        Assert.Equal(Ms(110), rto.Rto);
    }

    [Fact]
    public void BackoffDoublesUpToMax()
    {
        // §6.3.3 E2: RTO = RTO * 2, no more than RTO.Max.
        var rto = new RetransmissionTimeout(Ms(1000), Ms(1000), Ms(5000));
        rto.Backoff();
        Assert.Equal(Ms(2000), rto.Rto);
        rto.Backoff();
        Assert.Equal(Ms(4000), rto.Rto);
        rto.Backoff();
        Assert.Equal(Ms(5000), rto.Rto);
        rto.AddMeasurement(Ms(100));
        Assert.Equal(Ms(1000), rto.Rto);
    }
}
