using System.Text;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Jsep;
using Xunit;

namespace RtcStack.WebRtc.Tests.Jsep;

/// <summary>Options, fixtures and the checks the JSEP tests share.</summary>
internal static class JsepTestKit
{
    public const string ChromiumAudioVideoData = "chromium-156-offer-audio-video-data.sdp";
    public const string FirefoxAudioVideoData = "firefox-153esr-offer-audio-video-data.sdp";
    public const string ChromiumAudio = "chromium-156-offer.sdp";
    public const string FirefoxAudio = "firefox-153esr-offer.sdp";
    public const string FirefoxAudioGathered = "firefox-153esr-offer-gathered.sdp";
    public const string Pion = "pion-3.1.56-offer.sdp";
    public const string GStreamer = "gstreamer-1.22.0-offer.sdp";

    public static JsepOptions Options(int seed, string ufrag = "ufrag", SetupRole answerSetup = SetupRole.Active, SetupRole offerSetup = SetupRole.ActPass) => new()
    {
        OfferSetup = offerSetup,
        IceUfrag = ufrag + seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IcePwd = "0123456789abcdefghijkl" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Fingerprints = [SdpFingerprint.FromHash("sha-256", Enumerable.Range(seed, 32).Select(i => (byte)i).ToArray())],
        AnswerSetup = answerSetup,
        Random = new Random(seed),
    };

    public static SessionDescription Fixture(string name)
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.WebRtc.Tests", "Jsep", "Fixtures", name), Encoding.UTF8);
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }

    /// <summary>What `rtcstack sdp lint` requires of a clean description: the tolerant parser has no warning and the strict parser accepts it.</summary>
    public static SessionDescription AssertClean(SessionDescription written)
    {
        string text = written.ToString();
        Assert.True(SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError error), error + "\n" + text);
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? tolerant, out _));
        Assert.True(tolerant.ParseWarnings.Count == 0, string.Join('\n', tolerant.ParseWarnings) + "\n" + text);
        Assert.Equal(text, strict.ToString());
        return strict;
    }

    /// <summary>Offer from <paramref name="offerer"/>, answer from <paramref name="answerer"/>, through text both ways.</summary>
    public static void Exchange(JsepSession offerer, JsepSession answerer)
    {
        SessionDescription offer = offerer.CreateOffer();
        offerer.SetLocalDescription(SdpType.Offer, offer);
        answerer.SetRemoteDescription(SdpType.Offer, AssertClean(offer));
        SessionDescription answer = answerer.CreateAnswer();
        answerer.SetLocalDescription(SdpType.Answer, answer);
        offerer.SetRemoteDescription(SdpType.Answer, AssertClean(answer));
        Assert.Equal(SignalingState.Stable, offerer.SignalingState);
        Assert.Equal(SignalingState.Stable, answerer.SignalingState);
    }

    /// <summary>Both sides' results describe the same m= sections from opposite ends.</summary>
    public static void AssertConsistent(JsepSession a, JsepSession b)
    {
        IReadOnlyList<NegotiatedSection> x = a.NegotiatedSections;
        IReadOnlyList<NegotiatedSection> y = b.NegotiatedSections;
        Assert.Equal(x.Count, y.Count);
        for (int i = 0; i < x.Count; i++)
        {
            NegotiatedSection p = x[i];
            NegotiatedSection q = y[i];
            Assert.Equal(i, p.MLineIndex);
            Assert.Equal(p.Mid, q.Mid);
            Assert.Equal(p.Kind, q.Kind);
            Assert.Equal(p.Stopped, q.Stopped);
            if (p.Stopped)
            {
                Assert.True(p.Transceiver is null || p.Transceiver.Stopped);
                Assert.True(q.Transceiver is null || q.Transceiver.Stopped);
                continue;
            }

            Assert.Equal(p.Direction, Reverse(q.Direction));
            Assert.Equal(p.Direction, p.Transceiver!.CurrentDirection);
            Assert.Equal(p.Mid, p.Transceiver.Mid);
            Assert.Equal(q.Mid, q.Transceiver!.Mid);
            if (p.Kind == MediaKind.Application)
            {
                Assert.NotNull(p.RemoteSctpPort);
                continue;
            }

            Assert.NotEmpty(p.SendCodecs);
            Assert.Equal(Describe(p.SendCodecs), Describe(q.ReceiveCodecs));
            Assert.Equal(Describe(q.SendCodecs), Describe(p.ReceiveCodecs));
            Assert.Equal(p.HeaderExtensions.Select(e => (e.Id, e.Uri)), q.HeaderExtensions.Select(e => (e.Id, e.Uri)));
            Assert.Equal(p.Mid is null ? null : p.GetExtensionId(ExtMap.MidUri), q.GetExtensionId(ExtMap.MidUri));
            AssertStreams(p, q);
            AssertStreams(q, p);
        }

        if (x.All(s => s.Stopped))
        {
            return;
        }

        Assert.NotNull(a.NegotiatedTransport);
        Assert.NotNull(b.NegotiatedTransport);
        Assert.NotEqual(a.NegotiatedTransport!.LocalSetup, b.NegotiatedTransport!.LocalSetup);
        Assert.NotEqual(a.NegotiatedTransport.IceControlling, b.NegotiatedTransport.IceControlling);
    }

    public static MediaDirection Reverse(MediaDirection d) => d.Reverse();

    private static void AssertStreams(NegotiatedSection sender, NegotiatedSection receiver)
    {
        if (sender.Direction.Sends())
        {
            Assert.Contains(sender.LocalSsrc!.Value, receiver.RemoteSsrcs);
            if (sender.LocalRtxSsrc is uint rtx)
            {
                Assert.Contains(receiver.RemoteSsrcGroups, g => g.Semantics == "FID" && g.Ssrcs.SequenceEqual([sender.LocalSsrc.Value, rtx]));
            }

            Assert.Equal(sender.Transceiver!.TrackId, receiver.RemoteMsid!.TrackId);
        }
    }

    private static string Describe(IReadOnlyList<NegotiatedCodec> codecs) =>
        string.Join(", ", codecs.Select(c => $"{c.PayloadType} {c.Name.ToUpperInvariant()}/{c.ClockRate} rtx {c.RtxPayloadType} fb [{string.Join(";", c.Feedback)}]"));
}
