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

    /// <summary>Pion 3.1.56's WHIP offer (our Go client): ends its four a=rtcp-fb lines in a space.</summary>
    public const string PionOffer = "pion-3.1.56-offer.sdp";

    /// <summary><c>rtcstack serve</c>'s answer to <see cref="PionOffer"/>.</summary>
    public const string PionServeAnswer = "pion-3.1.56-serve-answer.sdp";

    /// <summary>GStreamer 1.22.0 webrtcbin's WHIP offer (our Python client): a=rtpmap:111 OPUS/48000 without a channel count, no end-of-candidates.</summary>
    public const string GStreamerOffer = "gstreamer-1.22.0-offer.sdp";

    /// <summary><c>rtcstack serve</c>'s answer to <see cref="GStreamerOffer"/>.</summary>
    public const string GStreamerServeAnswer = "gstreamer-1.22.0-serve-answer.sdp";

    /// <summary>The non-browser peers' offers and serve's answers, captured by the interop suite's PeerCallTests.</summary>
    public static readonly string[] Peers = [PionOffer, PionServeAnswer, GStreamerOffer, GStreamerServeAnswer];

    public static string PathOf(string name) => Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", name);

    /// <summary>
    /// Gets the path of the text a tolerant parse of <paramref name="name"/> writes back when that differs from the
    /// input (Fixtures/repaired/NAME: a real stack's deviations, each repaired with a warning), or null.
    /// </summary>
    public static string? RepairedPathOf(string name)
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", "repaired", name);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Gets what parse → write must give for <paramref name="name"/>: the file itself, or its repaired twin.</summary>
    public static string Written(string name) => File.ReadAllText(RepairedPathOf(name) ?? PathOf(name));

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static SessionDescription Parse(string name)
    {
        Assert.True(SessionDescription.TryParse(Text(name), out SessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }
}
