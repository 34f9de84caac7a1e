using System.Text.Json;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Does Chromium use our transport-wide congestion control feedback? Two otherwise equal calls: in one
/// our session sends TWCC feedback, in the other it does not (transport-cc is negotiated in both).
/// Chromium's send-side estimate (candidate-pair availableOutgoingBitrate, sampled every 250 ms) was
/// measured to behave like this: with our feedback it settles and stays (301,000 bit/s for a 30 kbit/s
/// audio stream that never fills it); without it, once the feedback is overdue, Chromium backs off by
/// 20 % steps (352,000 → 281,600 → 225,280). So: with feedback the estimate never falls; without, it does.
/// </summary>
[Trait("Category", "Interop")]
[Collection(QuietMachineCollection.Name)]
public sealed class TransportFeedbackProofTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ChromiumEstimateHoldsWithOurFeedbackAndBacksOffWithout()
    {
        LibOpusReference.Require();
        double[] with = await EstimatesAsync(sendFeedback: true);
        double[] without = await EstimatesAsync(sendFeedback: false);
        output.WriteLine("with our TWCC feedback:    " + string.Join(", ", with));
        output.WriteLine("without our TWCC feedback: " + string.Join(", ", without));
        Assert.True(with.Length >= 8 && without.Length >= 8);
        Assert.True(with.Min() >= with[0] * 0.95, "the estimate fell although we sent feedback");
        Assert.True(without[^1] < without.Max() * 0.85, "the estimate did not back off without our feedback");
    }

    private static async Task<double[]> EstimatesAsync(bool sendFeedback)
    {
        await using CallServer server = await CallServer.StartAsync();
        server.Options = () => new PeerSessionOptions { SendTransportFeedback = sendFeedback };
        using HeadlessBrowser b = HeadlessBrowser.Launch(BrowserKind.Chromium, $"{server.Web.BaseAddress}/call.html?mode=browser-offer&seconds=4");
        JsonElement result = await server.Web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
        Assert.True(result.GetProperty("ok").GetBoolean(), server.Web.PageLog);
        Assert.True(server.Calls.TryPeek(out ServerCall? call));
        RtcTransportStats t = call!.LastStats!.Get<RtcTransportStats>()!;
        Assert.Equal(sendFeedback, t.TransportFeedbackSent > 0);
        return result.GetProperty("estimates").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }
}
