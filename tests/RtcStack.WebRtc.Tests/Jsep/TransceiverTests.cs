using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using Xunit;
using static RtcStack.WebRtc.Tests.Jsep.JsepTestKit;

namespace RtcStack.WebRtc.Tests.Jsep;

/// <summary>Transceiver (RFC 8829 §3.4.1, §4.2): stop, direction, codec preferences.</summary>
public sealed class TransceiverTests
{
    [Fact]
    public void StoppingBeforeAnyOfferStopsAtOnceAndTakesNoMLine()
    {
        var s = new JsepSession(Options(40));
        Transceiver a = s.AddTransceiver(MediaKind.Audio);
        Transceiver v = s.AddTransceiver(MediaKind.Video);
        a.Stop();
        Assert.True(a.Stopped);
        Assert.Equal(MediaDirection.Inactive, a.Direction);
        Assert.Throws<InvalidOperationException>(() => a.Direction = MediaDirection.SendRecv);
        SessionDescription offer = s.CreateOffer();
        Assert.Equal("video", Assert.Single(offer.MediaDescriptions).Media);
        s.SetLocalDescription(SdpType.Offer, offer);
        Assert.Equal(("0", 0), (v.Mid, v.MLineIndex));
        Assert.Null(a.Mid);
    }

    [Fact]
    public void StoppingAnAssociatedTransceiverWaitsForTheExchange()
    {
        var x = new JsepSession(Options(41));
        var y = new JsepSession(Options(42));
        Transceiver a = x.AddTransceiver(MediaKind.Audio);
        Exchange(x, y);
        a.Stop();
        Assert.True(a.Stopping);
        Assert.False(a.Stopped);
        Exchange(x, y);
        Assert.True(a.Stopped);
        Assert.Null(a.CurrentDirection);
    }

    [Fact]
    public void CodecPreferencesLimitWhatIsOfferedAndAccepted()
    {
        var x = new JsepSession(Options(43));
        var y = new JsepSession(Options(44));
        Transceiver v = x.AddTransceiver(MediaKind.Video);
        v.SetCodecPreferences([JsepOptions.DefaultVideoCodecs[6], JsepOptions.DefaultVideoCodecs[0]]);
        SessionDescription offer = x.CreateOffer();
        Assert.Equal(["45", "46", "96", "97"], offer.MediaDescriptions[0].MediaLine.Formats);

        Transceiver w = y.AddTransceiver(MediaKind.Video);
        w.SetCodecPreferences([JsepOptions.DefaultVideoCodecs[0]]);
        Exchange(x, y);
        AssertConsistent(x, y);
        Assert.Equal(["VP8"], x.NegotiatedSections[0].SendCodecs.Select(c => c.Name));

        // New codecs in a later offer keep the payload types already agreed.
        v.SetCodecPreferences(null);
        SessionDescription later = x.CreateOffer();
        Assert.Equal(["96", "97"], later.MediaDescriptions[0].MediaLine.Formats.Where(f => f is "96" or "97"));
        Assert.Equal(14, later.MediaDescriptions[0].MediaLine.Formats.Count);
    }

    [Fact]
    public void TheDataSectionIsOneAndHasNoCodecs()
    {
        var s = new JsepSession(Options(45));
        Transceiver d = s.AddDataSection();
        Assert.Same(d, s.AddDataSection());
        Assert.Equal(MediaKind.Application, d.Kind);
        Assert.Throws<InvalidOperationException>(() => d.SetCodecPreferences([JsepOptions.DefaultVideoCodecs[0]]));
        Assert.Throws<ArgumentException>(() => s.AddTransceiver(MediaKind.Application));
    }
}
