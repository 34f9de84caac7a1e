using RtcStack.TestSupport;

namespace RtcStack.Sdp.Tests;

/// <summary>Loads the browser SDP fixtures under tests/RtcStack.Sdp.Tests/Fixtures (see README.md there for their source).</summary>
internal static class SdpFixtures
{
    public const string ChromiumOffer = "chromium-156-offer.sdp";
    public const string ChromiumAnswer = "chromium-156-answer.sdp";
    public const string FirefoxOffer = "firefox-153esr-offer.sdp";
    public const string FirefoxAnswer = "firefox-153esr-answer.sdp";

    /// <summary>Chromium 156 offer after ICE gathering: audio and video tracks and a data channel, one port per section.</summary>
    public const string ChromiumOfferAudioVideoData = "chromium-156-offer-audio-video-data.sdp";

    /// <summary>Firefox 153 ESR audio offer after ICE gathering: component-1 and -2 candidates (UDP and TCP, IPv4 and IPv6), a=rtcp, end-of-candidates.</summary>
    public const string FirefoxOfferGathered = "firefox-153esr-offer-gathered.sdp";

    public static readonly string[] Real = [ChromiumOffer, ChromiumAnswer, FirefoxOffer, FirefoxAnswer, ChromiumOfferAudioVideoData, FirefoxOfferGathered];

    public static string PathOf(string name) => Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static SessionDescription Parse(string name)
    {
        Assert.True(SessionDescription.TryParse(Text(name), out SessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }
}
