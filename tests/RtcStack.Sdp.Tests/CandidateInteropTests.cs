using RtcStack.Ice;

namespace RtcStack.Sdp.Tests;

/// <summary>
/// The SDP library hands out "a=candidate" values as text (RFC 8839 §5.1's grammar belongs to the ICE
/// library). These tests show that the values it returns, from real browser offers
/// and from our own offers, parse with <see cref="IceCandidate.TryParse"/> after the "candidate:"
/// prefix the ICE parser expects, and that the WebRTC layer can drop component 2 under rtcp-mux.
/// </summary>
public class CandidateInteropTests
{
    [Theory]
    [InlineData(SdpFixtures.ChromiumOffer, 1, 0)]
    [InlineData(SdpFixtures.ChromiumOfferAudioVideoData, 2, 0)]
    [InlineData(SdpFixtures.FirefoxOfferGathered, 4, 4)]
    public void BrowserCandidatesParseWithTheIceLibrary(string fixture, int componentOne, int componentTwo)
    {
        SessionDescription sdp = SdpFixtures.Parse(fixture);
        var parsed = new List<IceCandidate>();
        foreach (string value in sdp.MediaDescriptions[0].GetCandidates())
        {
            Assert.True(IceCandidate.TryParse("candidate:" + value, out IceCandidate? candidate), value);
            parsed.Add(candidate!);
        }

        Assert.Equal(componentOne, parsed.Count(c => c.Component == 1));
        Assert.Equal(componentTwo, parsed.Count(c => c.Component == 2));
        Assert.All(parsed, c => Assert.Equal(IceCandidateType.Host, c.Type));
    }

    [Fact]
    public void CandidatesWeWriteComeBackUnchanged()
    {
        IceCandidate candidate = IceCandidate.Parse("candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host");
        string value = candidate.ToString()["candidate:".Length..];
        SessionDescription offer = SdpFixtures.Parse(SdpFixtures.ChromiumOffer);
        int before = offer.MediaDescriptions[0].GetCandidates().Count;
        offer.MediaDescriptions[0].AddCandidate(value);
        SessionDescription parsed = SessionDescription.Parse(offer.ToString());
        Assert.Equal(before + 1, parsed.MediaDescriptions[0].GetCandidates().Count);
        string back = parsed.MediaDescriptions[0].GetCandidates()[^1];
        Assert.Equal(value, back);
        Assert.True(IceCandidate.TryParse("candidate:" + back, out IceCandidate? again));
        Assert.Equal(5000, again!.Port);
    }
}
