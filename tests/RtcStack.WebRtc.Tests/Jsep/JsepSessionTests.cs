using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using Xunit;
using static RtcStack.WebRtc.Tests.Jsep.JsepTestKit;

namespace RtcStack.WebRtc.Tests.Jsep;

/// <summary>JsepSession (RFC 8829 with RFC 8843 BUNDLE): real offers answered, offers between two sessions, renegotiation, rollback, glare and errors.</summary>
public sealed class JsepSessionTests
{
    [Fact]
    public void AnswersChromiumAudioVideoDataOffer()
    {
        var us = new JsepSession(Options(1));
        Transceiver audio = us.AddTransceiver(MediaKind.Audio);
        Transceiver video = us.AddTransceiver(MediaKind.Video);
        SessionDescription offer = Fixture(ChromiumAudioVideoData);
        us.SetRemoteDescription(SdpType.Offer, offer);
        Assert.Equal(SignalingState.HaveRemoteOffer, us.SignalingState);
        SessionDescription answer = AssertClean(us.CreateAnswer());
        us.SetLocalDescription(SdpType.Answer, answer);
        Assert.Equal(SignalingState.Stable, us.SignalingState);
        Assert.Empty(us.AnswerRejections);

        Assert.Equal(["0", "1", "2"], answer.GetBundleGroups().Single().Mids);
        Assert.Equal(["111"], answer.MediaDescriptions[0].MediaLine.Formats);
        Assert.Equal(["96", "97", "102", "103", "104", "107", "108", "109", "114", "115", "45", "46", "98", "99"], answer.MediaDescriptions[1].MediaLine.Formats);
        Assert.Equal("webrtc-datachannel", answer.MediaDescriptions[2].MediaLine.Formats.Single());
        Assert.All(answer.MediaDescriptions, m => Assert.Equal(9, m.MediaLine.Port));

        // RFC 8843 §7.1.3 / RFC 8859: transport attributes once, in the answerer-tagged (first) section.
        Assert.Equal(SetupRole.Active, answer.MediaDescriptions[0].Setup);
        Assert.NotNull(answer.MediaDescriptions[0].IceUfrag);
        Assert.All(answer.MediaDescriptions.Skip(1), m => Assert.Null(m.IceUfrag));
        Assert.All(answer.MediaDescriptions.Skip(1), m => Assert.Empty(m.GetFingerprints()));

        NegotiatedSection a = us.NegotiatedSections[0];
        Assert.Equal(("0", MediaKind.Audio, MediaDirection.SendRecv), (a.Mid, a.Kind, a.Direction));
        Assert.Same(audio, a.Transceiver);
        NegotiatedCodec opus = Assert.Single(a.SendCodecs);
        Assert.Equal((111, "opus", 48000, (int?)2), (opus.PayloadType, opus.Name, opus.ClockRate, opus.Channels));
        Assert.Equal("1", opus.GetParameter("useinbandfec"));
        Assert.Equal(["transport-cc"], opus.Feedback);
        Assert.Equal("10", Assert.Single(a.ReceiveCodecs).GetParameter("minptime"));
        Assert.Equal([(1, ExtMap.AudioLevelUri), (2, ExtMap.AbsSendTimeUri), (3, ExtMap.TransportWideCcUri), (4, ExtMap.MidUri)], a.HeaderExtensions.Select(e => (e.Id, e.Uri)));
        Assert.Equal([3529830226u], a.RemoteSsrcs);
        Assert.Equal("62f253cb-f6f2-4ca9-ab13-f062a99987bb", a.RemoteMsid!.TrackId);
        Assert.Equal("P+5uhmgFP0O9CATP", a.RemoteCName);
        Assert.Equal(audio.Ssrc, a.LocalSsrc);
        Assert.Null(a.LocalRtxSsrc);

        NegotiatedSection v = us.NegotiatedSections[1];
        Assert.Same(video, v.Transceiver);
        Assert.Equal(
            ["96 VP8 rtx 97", "102 H264 rtx 103", "104 H264 rtx 107", "108 H264 rtx 109", "114 H264 rtx 115", "45 AV1 rtx 46", "98 VP9 rtx 99"],
            v.SendCodecs.Select(c => $"{c.PayloadType} {c.Name} rtx {c.RtxPayloadType}"));
        Assert.Equal(v.SendCodecs.Select(c => c.PayloadType), v.ReceiveCodecs.Select(c => c.PayloadType));
        Assert.Equal(["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"], v.SendCodecs[0].Feedback);

        // H.264 by profile (RFC 6184 §8.2.2): 42001f (baseline) and 42e01f (constrained baseline) each keep their own
        // payload types and packetization modes; main profile (4d001f) is not ours.
        Assert.Equal(
            ["42001f/1", "42001f/0", "42e01f/1", "42e01f/0"],
            v.ReceiveCodecs.Where(c => c.Name == "H264").Select(c => c.GetParameter("profile-level-id") + "/" + c.GetParameter("packetization-mode")));
        Assert.Equal("0", v.ReceiveCodecs.Single(c => c.Name == "VP9").GetParameter("profile-id"));
        Assert.Equal(
            [(2, ExtMap.AbsSendTimeUri), (3, ExtMap.TransportWideCcUri), (4, ExtMap.MidUri), (10, JsepOptions.RidUri), (11, JsepOptions.RepairedRidUri)],
            v.HeaderExtensions.Select(e => (e.Id, e.Uri)));
        Assert.Equal([335349151u, 1296855676u], v.RemoteSsrcs);
        Assert.Equal([335349151u, 1296855676u], Assert.Single(v.RemoteSsrcGroups).Ssrcs);
        Assert.Equal(video.RtxSsrc, v.LocalRtxSsrc);
        Assert.Contains(answer.MediaDescriptions[1].GetSsrcGroups(), g => g.Semantics == "FID" && g.Ssrcs.SequenceEqual([video.Ssrc, video.RtxSsrc]));

        NegotiatedSection d = us.NegotiatedSections[2];
        Assert.Equal((MediaKind.Application, "2", 5000, (long?)262144), (d.Kind, d.Mid, d.RemoteSctpPort, d.RemoteMaxMessageSize));

        NegotiatedTransport t = us.NegotiatedTransport!;
        Assert.Equal(("kusz", "jOgbsiyybcKzHnYRm+2O1q8s", "0"), (t.RemoteIceUfrag, t.RemoteIcePwd, t.TaggedMid));
        Assert.True(t.IsDtlsClient);
        Assert.False(t.IceControlling);
        Assert.False(t.IceRestart);
        Assert.Equal("sha-256", Assert.Single(t.RemoteFingerprints).HashFunction);
        Assert.Equal(["0", "1", "2"], t.BundleMids);
        Assert.NotEmpty(t.RemoteCandidates);
    }

    [Fact]
    public void AnswersFirefoxAudioVideoDataOfferWithoutLocalTracksAsReceiveOnly()
    {
        var us = new JsepSession(Options(2, answerSetup: SetupRole.Passive));
        us.SetRemoteDescription(SdpType.Offer, Fixture(FirefoxAudioVideoData));
        SessionDescription answer = AssertClean(us.CreateAnswer());
        us.SetLocalDescription(SdpType.Answer, answer);

        Assert.Equal(3, us.Transceivers.Count);
        Assert.Equal(["109"], answer.MediaDescriptions[0].MediaLine.Formats);
        Assert.Equal(["120", "124", "121", "125", "99", "100"], answer.MediaDescriptions[1].MediaLine.Formats);
        Assert.Equal(MediaDirection.RecvOnly, answer.MediaDescriptions[0].Direction);
        Assert.Empty(answer.MediaDescriptions[0].GetSsrcAttributes());
        Assert.Equal(SetupRole.Passive, answer.MediaDescriptions[0].Setup);
        Assert.True(answer.ExtMapAllowMixed);

        NegotiatedSection a = us.NegotiatedSections[0];
        Assert.Equal(MediaDirection.RecvOnly, a.Direction);
        Assert.Equal(MediaDirection.RecvOnly, us.Transceivers[0].CurrentDirection);
        Assert.Equal("48000", a.SendCodecs.Single().GetParameter("maxplaybackrate"));

        // csrc-audio-level (id 2) is not ours; the ids are Firefox's (RFC 8285 §6).
        Assert.Equal([(1, ExtMap.AudioLevelUri), (3, ExtMap.MidUri), (7, ExtMap.TransportWideCcUri)], a.HeaderExtensions.Select(e => (e.Id, e.Uri)));
        NegotiatedSection v = us.NegotiatedSections[1];
        Assert.Equal(["120 VP8 rtx 124", "121 VP9 rtx 125", "99 AV1 rtx 100"], v.SendCodecs.Select(c => $"{c.PayloadType} {c.Name} rtx {c.RtxPayloadType}"));
        Assert.Equal([(3, ExtMap.MidUri), (4, ExtMap.AbsSendTimeUri), (7, ExtMap.TransportWideCcUri)], v.HeaderExtensions.Select(e => (e.Id, e.Uri)));
        Assert.Equal([616182599u, 1150787735u], Assert.Single(v.RemoteSsrcGroups).Ssrcs);
        Assert.Equal(us.Transceivers[1].RtxSsrc, v.LocalRtxSsrc);
        Assert.Equal(1073741823, us.NegotiatedSections[2].RemoteMaxMessageSize);

        NegotiatedTransport t = us.NegotiatedTransport!;
        Assert.Equal("a3a04b81", t.RemoteIceUfrag);
        Assert.False(t.IsDtlsClient);
        Assert.Single(t.RemoteFingerprints);
    }

    [Theory]
    [InlineData(ChromiumAudio, "111", "uXCP")]
    [InlineData(FirefoxAudio, "109", null)]
    [InlineData(Pion, "111", "HhuQEiyQTumAXpPN")]
    [InlineData(GStreamer, "111", "i3WmCEjA6NfN95+afviDzx5B67YhnRzx")]
    public void AnswersAudioOnlyOffersOfBrowsersAndPeers(string fixture, string opusPt, string? ufrag)
    {
        var us = new JsepSession(Options(3));
        us.AddTransceiver(MediaKind.Audio);
        SessionDescription offer = Fixture(fixture);
        us.SetRemoteDescription(SdpType.Offer, offer);
        SessionDescription answer = AssertClean(us.CreateAnswer());
        us.SetLocalDescription(SdpType.Answer, answer);

        MediaDescription m = Assert.Single(answer.MediaDescriptions);
        Assert.Equal([opusPt], m.MediaLine.Formats);
        Assert.Equal(offer.MediaDescriptions[0].Mid, m.Mid);
        Assert.Equal(offer.MediaDescriptions[0].RtcpMuxOnly, m.RtcpMuxOnly);
        NegotiatedSection s = Assert.Single(us.NegotiatedSections);
        Assert.Equal(MediaDirection.SendRecv, s.Direction);
        Assert.Equal(int.Parse(opusPt, System.Globalization.CultureInfo.InvariantCulture), s.SendCodecs.Single().PayloadType);
        Assert.Equal(2, s.ReceiveCodecs.Single().Channels);
        if (ufrag is not null)
        {
            Assert.Equal(ufrag, us.NegotiatedTransport!.RemoteIceUfrag);
        }

        Assert.Equal(fixture == Pion, us.NegotiatedTransport!.RemoteEndOfCandidates);
    }

    /// <summary>
    /// RFC 8842 §5.2: an offerer that insists on a DTLS role writes active or passive instead of actpass; the answerer
    /// takes the other role (§5.3), and our next offer keeps the one established.
    /// </summary>
    [Theory]
    [InlineData(SetupRole.Active, SetupRole.Passive, true)]
    [InlineData(SetupRole.Passive, SetupRole.Active, false)]
    public void AnOfferThatInsistsOnADtlsRoleGetsTheOtherOneFromTheAnswerer(SetupRole offered, SetupRole answered, bool weAreClient)
    {
        var us = new JsepSession(Options(21, offerSetup: offered));
        var them = new JsepSession(Options(22));
        us.AddTransceiver(MediaKind.Audio);
        SessionDescription offer = AssertClean(us.CreateOffer());
        Assert.Equal(offered, offer.MediaDescriptions[0].Setup);
        us.SetLocalDescription(SdpType.Offer, offer);
        them.SetRemoteDescription(SdpType.Offer, SessionDescription.Parse(offer.ToString()));
        SessionDescription answer = them.CreateAnswer();
        Assert.Equal(answered, answer.MediaDescriptions[0].Setup);
        them.SetLocalDescription(SdpType.Answer, answer);
        us.SetRemoteDescription(SdpType.Answer, SessionDescription.Parse(answer.ToString()));
        Assert.Equal(weAreClient, us.NegotiatedTransport!.IsDtlsClient);
        Assert.Equal(!weAreClient, them.NegotiatedTransport!.IsDtlsClient);

        SessionDescription next = us.CreateOffer();
        Assert.Equal(offered, next.MediaDescriptions[0].Setup);
        Assert.Throws<ArgumentException>(() => new JsepSession(Options(23, offerSetup: SetupRole.HoldConn)));
    }

    [Fact]
    public void InitialMaxBundleOfferMarksLaterSectionsBundleOnly()
    {
        var a = new JsepSession(Options(4));
        a.AddTransceiver(MediaKind.Audio);
        a.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
        a.AddDataSection();
        SessionDescription offer = AssertClean(a.CreateOffer());

        Assert.Equal(["0", "1", "2"], offer.GetBundleGroups().Single().Mids);
        Assert.Equal([9, 0, 0], offer.MediaDescriptions.Select(m => m.MediaLine.Port));
        Assert.Equal([false, true, true], offer.MediaDescriptions.Select(m => m.BundleOnly));
        Assert.False(offer.MediaDescriptions[1].IsRejected);
        Assert.Equal(SetupRole.ActPass, offer.MediaDescriptions[0].Setup);
        Assert.All(offer.MediaDescriptions.Skip(1), m => Assert.Null(m.IceUfrag));
        Assert.True(offer.MediaDescriptions[0].RtcpMuxOnly);
        Assert.True(offer.MediaDescriptions[1].RtcpReducedSize);
        Assert.Equal(["96", "97", "98", "99", "102", "103", "104", "105", "106", "107", "108", "109", "45", "46"], offer.MediaDescriptions[1].MediaLine.Formats);
        Assert.Equal("UDP/DTLS/SCTP", offer.MediaDescriptions[2].MediaLine.Protocol);
        Assert.Equal("5000", offer.MediaDescriptions[2].GetAttribute("sctp-port"));
        Assert.Equal("262144", offer.MediaDescriptions[2].GetAttribute("max-message-size"));
        Assert.Equal(2, offer.MediaDescriptions[1].GetSsrcs().Count);

        // Not max-bundle: every section of the initial offer carries its own transport, still one group.
        var b = new JsepSession(new JsepOptions { IceUfrag = "abcd", IcePwd = "0123456789abcdefghijkl", Fingerprints = Options(5).Fingerprints, MaxBundle = false, Random = new Random(5) });
        b.AddTransceiver(MediaKind.Audio);
        b.AddTransceiver(MediaKind.Video);
        SessionDescription balanced = AssertClean(b.CreateOffer());
        Assert.All(balanced.MediaDescriptions, m => Assert.Equal((9, "abcd"), (m.MediaLine.Port, m.IceUfrag)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OfferAndAnswerBetweenTwoSessionsAgree(bool aOffers)
    {
        var a = new JsepSession(Options(6));
        var b = new JsepSession(Options(7));
        JsepSession offerer = aOffers ? a : b;
        JsepSession answerer = aOffers ? b : a;
        offerer.AddTransceiver(MediaKind.Audio);
        offerer.AddTransceiver(MediaKind.Video);
        offerer.AddDataSection();
        answerer.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
        Exchange(offerer, answerer);
        AssertConsistent(a, b);

        IReadOnlyList<NegotiatedSection> o = offerer.NegotiatedSections;
        IReadOnlyList<NegotiatedSection> r = answerer.NegotiatedSections;
        Assert.Equal([MediaDirection.SendOnly, MediaDirection.RecvOnly, MediaDirection.SendRecv], o.Select(s => s.Direction));
        Assert.Equal([MediaDirection.RecvOnly, MediaDirection.SendOnly, MediaDirection.SendRecv], r.Select(s => s.Direction));
        Assert.Equal(7, o[1].SendCodecs.Count);
        Assert.All(o[1].SendCodecs, c => Assert.NotNull(c.RtxPayloadType));
        Assert.Equal(offerer.Transceivers[1].RtxSsrc, o[1].LocalRtxSsrc);
        Assert.True(offerer.NegotiatedTransport!.IceControlling);
        Assert.False(offerer.NegotiatedTransport.IsDtlsClient);
        Assert.True(answerer.NegotiatedTransport!.IsDtlsClient);
        Assert.Equal(answerer.CurrentLocalDescription!.MediaDescriptions[0].GetFingerprints().Single(), offerer.NegotiatedTransport.RemoteFingerprints.Single());
    }

    [Fact]
    public void RenegotiationAddsStopsRecyclesAndAddsFromTheOtherSide()
    {
        var a = new JsepSession(Options(8));
        var b = new JsepSession(Options(9));
        a.AddTransceiver(MediaKind.Audio);
        b.AddTransceiver(MediaKind.Audio);
        Exchange(a, b);
        AssertConsistent(a, b);

        // Add a video track to the audio call.
        Transceiver video = a.AddTransceiver(MediaKind.Video);
        SessionDescription addVideo = a.CreateOffer();
        Assert.Equal([9, 9], addVideo.MediaDescriptions.Select(m => m.MediaLine.Port));
        Assert.All(addVideo.MediaDescriptions, m => Assert.False(m.BundleOnly));
        Assert.Null(addVideo.MediaDescriptions[1].IceUfrag);
        Exchange(a, b);
        AssertConsistent(a, b);
        Assert.Equal(("1", 1), (video.Mid, video.MLineIndex));
        Assert.Equal(MediaDirection.SendOnly, video.CurrentDirection);
        Transceiver remoteVideo = b.Transceivers.Single(t => t.Kind == MediaKind.Video);
        Assert.Equal(MediaDirection.RecvOnly, remoteVideo.CurrentDirection);
        IReadOnlyList<string> videoPts = a.CurrentLocalDescription!.MediaDescriptions[1].MediaLine.Formats;

        // Stop it: port 0, out of the BUNDLE group, stopped on both sides.
        video.Stop();
        SessionDescription stopOffer = a.CreateOffer();
        Assert.Equal(0, stopOffer.MediaDescriptions[1].MediaLine.Port);
        Assert.True(stopOffer.MediaDescriptions[1].IsRejected);
        Assert.Equal(["0"], stopOffer.GetBundleGroups().Single().Mids);
        Exchange(a, b);
        AssertConsistent(a, b);
        Assert.True(video.Stopped);
        Assert.True(remoteVideo.Stopped);
        Assert.True(a.NegotiatedSections[1].Stopped);

        // Add video again: the m-line is recycled, same index, new mid.
        Transceiver again = a.AddTransceiver(MediaKind.Video);
        SessionDescription recycle = a.CreateOffer();
        Assert.Equal(2, recycle.MediaDescriptions.Count);
        Assert.Equal("2", recycle.MediaDescriptions[1].Mid);
        Exchange(a, b);
        AssertConsistent(a, b);
        Assert.Equal(("2", 1), (again.Mid, again.MLineIndex));
        Assert.Null(video.MLineIndex);
        Assert.Equal(videoPts, a.CurrentLocalDescription!.MediaDescriptions[1].MediaLine.Formats);

        // The answerer's side offers a new track.
        Transceiver fromB = b.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly);
        Exchange(b, a);
        AssertConsistent(a, b);
        Assert.Equal(3, a.NegotiatedSections.Count);
        Assert.Equal(("3", 2), (fromB.Mid, fromB.MLineIndex));
        Assert.Equal(MediaDirection.RecvOnly, a.NegotiatedSections[2].Direction);

        // Payload types stay: b's offer writes a's video payload types and a's audio one.
        Assert.Equal(videoPts, b.CurrentLocalDescription!.MediaDescriptions[1].MediaLine.Formats);
        Assert.Equal(a.NegotiatedSections[0].ReceiveCodecs.Select(c => c.PayloadType), b.NegotiatedSections[0].SendCodecs.Select(c => c.PayloadType));
        Assert.Equal("0", a.NegotiatedTransport!.TaggedMid);
        Assert.False(a.NegotiatedTransport.IceRestart);
    }

    public static TheoryData<MediaDirection, MediaDirection, bool> DirectionCells()
    {
        var data = new TheoryData<MediaDirection, MediaDirection, bool>();
        foreach (MediaDirection x in Enum.GetValues<MediaDirection>())
        {
            foreach (MediaDirection y in Enum.GetValues<MediaDirection>())
            {
                data.Add(x, y, true);
                data.Add(x, y, false);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DirectionCells))]
    public void DirectionsFollowTheAnswerTable(MediaDirection offered, MediaDirection wanted, bool initial)
    {
        var a = new JsepSession(Options(10));
        var b = new JsepSession(Options(11));
        Transceiver ta = a.AddTransceiver(MediaKind.Audio, initial ? offered : MediaDirection.SendRecv);
        Transceiver tb;
        if (initial)
        {
            tb = b.AddTransceiver(MediaKind.Audio, wanted);
        }
        else
        {
            // A subsequent offer changes the direction each way: b offered first, now a re-offers.
            tb = b.AddTransceiver(MediaKind.Audio);
            Exchange(b, a);
            ta = a.Transceivers.Single();
            ta.Direction = offered;
            tb.Direction = wanted;
        }

        Exchange(a, b);
        AssertConsistent(a, b);

        // RFC 3264 §6.1 / RFC 8829 §5.3.1: the answer sends only what the offer receives and receives only what it sends.
        MediaDirection answered = MediaDirectionExtensions.FromSendReceive(wanted.Sends() && offered.Receives(), wanted.Receives() && offered.Sends());
        Assert.Equal(answered, b.CurrentLocalDescription!.MediaDescriptions[0].Direction);
        Assert.Equal(answered, tb.CurrentDirection);
        Assert.Equal(answered.Reverse(), ta.CurrentDirection);
    }

    [Fact]
    public void RollbackOfALocalOfferRestoresTheStateBefore()
    {
        var a = new JsepSession(Options(12));
        var b = new JsepSession(Options(13));
        a.AddTransceiver(MediaKind.Audio);
        Exchange(a, b);
        IReadOnlyList<NegotiatedSection> before = a.NegotiatedSections;

        Transceiver video = a.AddTransceiver(MediaKind.Video);
        a.SetLocalDescription(SdpType.Offer, a.CreateOffer());
        Assert.Equal(("1", 1), (video.Mid, video.MLineIndex));
        Assert.Equal(SignalingState.HaveLocalOffer, a.SignalingState);

        a.SetLocalDescription(SdpType.Rollback, null);
        Assert.Equal(SignalingState.Stable, a.SignalingState);
        Assert.Null(a.PendingLocalDescription);
        Assert.Equal((null, (int?)null), (video.Mid, video.MLineIndex));
        Assert.Same(before, a.NegotiatedSections);
        Assert.Contains(video, a.Transceivers);

        // The transceiver is offered again afterwards, with the same mid.
        Exchange(a, b);
        AssertConsistent(a, b);
        Assert.Equal("1", video.Mid);
    }

    [Fact]
    public void RollbackOfARemoteOfferRemovesTheTransceiversItCreated()
    {
        var a = new JsepSession(Options(14));
        var b = new JsepSession(Options(15));
        a.AddTransceiver(MediaKind.Audio);
        Exchange(a, b);
        Transceiver stopped = b.Transceivers.Single();

        a.AddTransceiver(MediaKind.Video);
        a.Transceivers[0].Stop();
        SessionDescription offer = a.CreateOffer();
        b.SetRemoteDescription(SdpType.Offer, offer);
        Assert.Equal(2, b.Transceivers.Count);
        Assert.True(stopped.Stopping);

        b.SetRemoteDescription(SdpType.Rollback, null);
        Assert.Equal(SignalingState.Stable, b.SignalingState);
        Assert.Same(stopped, Assert.Single(b.Transceivers));
        Assert.False(stopped.Stopping);
        Assert.Equal(MediaDirection.RecvOnly, stopped.Direction);
        Assert.Null(b.PendingRemoteDescription);

        // Applying the same offer again works as if the first had never come.
        b.SetRemoteDescription(SdpType.Offer, offer);
        b.SetLocalDescription(SdpType.Answer, b.CreateAnswer());
        a.SetLocalDescription(SdpType.Offer, offer);
        a.SetRemoteDescription(SdpType.Answer, b.CurrentLocalDescription!);
        AssertConsistent(a, b);
        Assert.True(stopped.Stopped);
    }

    [Fact]
    public void GlareIsResolvedByThePoliteSideRollingBack()
    {
        var impolite = new JsepSession(Options(16));
        var polite = new JsepSession(Options(17));
        impolite.AddTransceiver(MediaKind.Audio);
        polite.AddTransceiver(MediaKind.Audio);
        Exchange(impolite, polite);

        Transceiver v1 = impolite.AddTransceiver(MediaKind.Video);
        Transceiver v2 = polite.AddTransceiver(MediaKind.Video);
        SessionDescription o1 = impolite.CreateOffer();
        impolite.SetLocalDescription(SdpType.Offer, o1);
        SessionDescription o2 = polite.CreateOffer();
        polite.SetLocalDescription(SdpType.Offer, o2);

        // Both offers cross. The impolite side ignores the other's offer (it is in have-local-offer).
        Assert.False(impolite.TrySetRemoteDescription(SdpType.Offer, o2, out JsepError? error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.Equal(SignalingState.HaveLocalOffer, impolite.SignalingState);

        // The polite side rolls back and answers; its own video is matched to the offered section.
        polite.SetLocalDescription(SdpType.Rollback, null);
        polite.SetRemoteDescription(SdpType.Offer, o1);
        SessionDescription answer = polite.CreateAnswer();
        polite.SetLocalDescription(SdpType.Answer, answer);
        impolite.SetRemoteDescription(SdpType.Answer, answer);
        AssertConsistent(impolite, polite);
        Assert.Equal("1", v1.Mid);
        Assert.Equal("1", v2.Mid);
        Assert.Equal(MediaDirection.SendRecv, v1.CurrentDirection);
        Assert.Equal(MediaDirection.SendRecv, v2.CurrentDirection);

        // Then the polite side offers its next change.
        v2.Direction = MediaDirection.SendOnly;
        Exchange(polite, impolite);
        AssertConsistent(impolite, polite);
        Assert.Equal(MediaDirection.SendOnly, v2.CurrentDirection);
        Assert.Equal(MediaDirection.RecvOnly, v1.CurrentDirection);
    }

    [Fact]
    public void WrongStatesAndRollbacksAreTypedErrors()
    {
        var a = new JsepSession(Options(18));
        a.AddTransceiver(MediaKind.Audio);
        Assert.False(a.TryCreateAnswer(out _, out JsepError? error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.False(a.TrySetRemoteDescription(SdpType.Answer, Fixture(ChromiumAudio), out error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.False(a.TrySetLocalDescription(SdpType.Answer, Fixture(ChromiumAudio), out error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.False(a.TrySetLocalDescription(SdpType.Rollback, null, out error));
        Assert.Equal(JsepErrorCode.InvalidRollback, error.Code);
        Assert.False(a.TrySetRemoteDescription(SdpType.Rollback, null, out error));
        Assert.Equal(JsepErrorCode.InvalidRollback, error.Code);
        JsepException thrown = Assert.Throws<JsepException>(() => a.CreateAnswer());
        Assert.Equal(JsepErrorCode.InvalidState, thrown.Error.Code);

        // SetLocalDescription takes the description created, not another one.
        Assert.False(a.TrySetLocalDescription(SdpType.Offer, Fixture(ChromiumAudioVideoData), out error));
        Assert.Equal(JsepErrorCode.DescriptionMismatch, error.Code);

        a.SetLocalDescription(SdpType.Offer, a.CreateOffer());
        Assert.False(a.TryCreateAnswer(out _, out error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.False(a.TrySetRemoteDescription(SdpType.Rollback, null, out error));
        Assert.Equal(JsepErrorCode.InvalidRollback, error.Code);

        var b = new JsepSession(Options(19));
        b.SetRemoteDescription(SdpType.Offer, Fixture(ChromiumAudio));
        Assert.False(b.TryCreateOffer(out _, out error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);
        Assert.False(b.TrySetLocalDescription(SdpType.Rollback, null, out error));
        Assert.Equal(JsepErrorCode.InvalidRollback, error.Code);
    }

    public static TheoryData<string, string, string, JsepErrorCode> BadRemoteOffers() => new()
    {
        { "no fingerprint", "a=fingerprint:sha-256 1C:63:4F:54:40:D1:3B:7F:DC:3A:40:C8:D4:27:75:2B:77:74:AE:8F:22:29:38:E8:B1:45:56:23:36:EE:9F:A0\r\n", "", JsepErrorCode.NoFingerprint },
        { "no ice-pwd", "a=ice-pwd:kwo+TXr79w+XDcVuOxsbT+26\r\n", "", JsepErrorCode.NoIceCredentials },
        { "short ice-pwd", "a=ice-pwd:kwo+TXr79w+XDcVuOxsbT+26\r\n", "a=ice-pwd:short\r\n", JsepErrorCode.InvalidIceCredentials },
        { "md5 fingerprint only", "a=fingerprint:sha-256 1C:63:4F:54:40:D1:3B:7F:DC:3A:40:C8:D4:27:75:2B:77:74:AE:8F:22:29:38:E8:B1:45:56:23:36:EE:9F:A0", "a=fingerprint:md5 1C:63:4F:54:40:D1:3B:7F:DC:3A:40:C8:D4:27:75:2B", JsepErrorCode.InvalidFingerprint },
        { "sha-256 fingerprint of 31 bytes", "1C:63:4F:54:40:D1:3B:7F:DC:3A:40:C8:D4:27:75:2B:77:74:AE:8F:22:29:38:E8:B1:45:56:23:36:EE:9F:A0", "1C:63:4F:54:40:D1:3B:7F:DC:3A:40:C8:D4:27:75:2B:77:74:AE:8F:22:29:38:E8:B1:45:56:23:36:EE:9F", JsepErrorCode.InvalidFingerprint },
        { "holdconn", "a=setup:actpass", "a=setup:holdconn", JsepErrorCode.InvalidSetup },
        { "no mid", "a=mid:0\r\n", "", JsepErrorCode.InvalidMid },
        { "bundle names a missing mid", "a=group:BUNDLE 0", "a=group:BUNDLE 0 7", JsepErrorCode.BundleMismatch },
        { "bundle names no mid (found by the sdp fuzz target: an index exception)", "a=group:BUNDLE 0", "a=group:BUNDLE", JsepErrorCode.BundleMismatch },
        { "no common codec in the tagged section", "a=rtpmap:111 opus/48000/2", "a=rtpmap:111 speex/48000/2", JsepErrorCode.NoCommonCodec },
        { "no rtcp-mux in the tagged section", "a=rtcp-mux\r\n", "", JsepErrorCode.RtcpMuxRequired },
        { "plain RTP", "UDP/TLS/RTP/SAVPF", "RTP/AVP", JsepErrorCode.UnsupportedProtocol },
    };

    [Theory]
    [MemberData(nameof(BadRemoteOffers))]
    public void UnanswerableRemoteOffersAreRefusedWithTheirCode(string name, string find, string replace, JsepErrorCode code)
    {
        string text = Fixture(ChromiumAudio).ToString();
        Assert.Contains(find, text, StringComparison.Ordinal);
        Assert.True(SessionDescription.TryParse(text.Replace(find, replace, StringComparison.Ordinal), out SessionDescription? offer, out _), name);
        var us = new JsepSession(Options(20));
        Assert.False(us.TrySetRemoteDescription(SdpType.Offer, offer, out JsepError? error), name);
        Assert.Equal(code, error.Code);
        Assert.Equal(SignalingState.Stable, us.SignalingState);
        Assert.Empty(us.Transceivers);
    }

    [Fact]
    public void SectionsWeCannotUseAreRejectedWithPortZeroAndTheReason()
    {
        string text = Fixture(ChromiumAudioVideoData).ToString()
            .Replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 3", StringComparison.Ordinal)
            + "m=text 9 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:3\r\na=rtcp-mux\r\na=rtpmap:98 t140/1000\r\n";
        SessionDescription offer = SessionDescription.Parse(text.Replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP7/90000", StringComparison.Ordinal));
        var options = Options(21);
        var us = new JsepSession(new JsepOptions
        {
            IceUfrag = options.IceUfrag,
            IcePwd = options.IcePwd,
            Fingerprints = options.Fingerprints,
            VideoCodecs = [new CodecCapability("VP8", 90000) { Rtx = true }],
            Random = new Random(21),
        });
        us.SetRemoteDescription(SdpType.Offer, offer);
        us.Transceivers.Single(t => t.Kind == MediaKind.Application).Stop();
        SessionDescription answer = AssertClean(us.CreateAnswer());
        Assert.Equal([9, 0, 0, 0], answer.MediaDescriptions.Select(m => m.MediaLine.Port));
        Assert.Equal(["0"], answer.GetBundleGroups().Single().Mids);
        Assert.Equal(
            [(JsepErrorCode.NoCommonCodec, "1"), (JsepErrorCode.TransceiverStopped, "2"), (JsepErrorCode.UnsupportedMedia, "3")],
            us.AnswerRejections.Select(e => (e.Code, e.Mid!)));
        us.SetLocalDescription(SdpType.Answer, answer);
        Assert.Equal([false, true, true, true], us.NegotiatedSections.Select(s => s.Stopped));
        Assert.All(us.Transceivers.Where(t => t.Kind != MediaKind.Audio), t => Assert.True(t.Stopped));
    }

    [Fact]
    public void InconsistentSubsequentRemoteOffersAreRefused()
    {
        var a = new JsepSession(Options(22));
        var b = new JsepSession(Options(23));
        a.AddTransceiver(MediaKind.Audio);
        a.AddTransceiver(MediaKind.Video);
        Exchange(a, b);
        a.Transceivers[1].Direction = MediaDirection.RecvOnly;
        string offer = a.CreateOffer().ToString();

        JsepErrorCode Refusal(string text)
        {
            Assert.False(b.TrySetRemoteDescription(SdpType.Offer, SessionDescription.Parse(text), out JsepError? e));
            Assert.Equal(SignalingState.Stable, b.SignalingState);
            return e.Code;
        }

        int video = offer.IndexOf("m=video", StringComparison.Ordinal);
        Assert.Equal(JsepErrorCode.MediaSectionRemoved, Refusal(offer[..video].Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.KindMismatch, Refusal(offer.Replace("m=video", "m=audio", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.InvalidMid, Refusal(offer.Replace("a=mid:1", "a=mid:0", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.InvalidMid, Refusal(offer.Replace("a=mid:1", "a=mid:9", StringComparison.Ordinal).Replace("BUNDLE 0 1", "BUNDLE 0 9", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.BundleMismatch, Refusal(offer[..video] + offer[video..].Replace("m=video 9", "m=video 0", StringComparison.Ordinal)));

        // Stop video, then a recycled m-line must bring a new mid: with the old one it is the rejected section coming
        // back (InvalidMid), or, with another media type, a kind change (KindMismatch).
        a.Transceivers[1].Stop();
        Exchange(a, b);
        Transceiver audio = a.AddTransceiver(MediaKind.Audio);
        string recycled = a.CreateOffer().ToString();
        Assert.Contains("m=audio 9 UDP/TLS/RTP/SAVPF", recycled[recycled.LastIndexOf("m=", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal(JsepErrorCode.KindMismatch, Refusal(recycled.Replace("a=mid:2", "a=mid:1", StringComparison.Ordinal).Replace("BUNDLE 0 2", "BUNDLE 0 1", StringComparison.Ordinal)));
        audio.Stop();
        a.AddTransceiver(MediaKind.Video);
        string revived = a.CreateOffer().ToString();
        Assert.Equal(JsepErrorCode.InvalidMid, Refusal(revived.Replace("a=mid:2", "a=mid:1", StringComparison.Ordinal).Replace("BUNDLE 0 2", "BUNDLE 0 1", StringComparison.Ordinal)));
        b.SetRemoteDescription(SdpType.Offer, SessionDescription.Parse(revived));
        Assert.Equal(2, b.Transceivers.Count(t => t.Kind == MediaKind.Video));
    }

    [Fact]
    public void BadRemoteAnswersAreTypedErrors()
    {
        var a = new JsepSession(Options(24));
        var b = new JsepSession(Options(25));
        a.AddTransceiver(MediaKind.Audio);
        a.AddTransceiver(MediaKind.Video);
        SessionDescription offer = a.CreateOffer();
        a.SetLocalDescription(SdpType.Offer, offer);
        b.SetRemoteDescription(SdpType.Offer, offer);
        string answer = b.CreateAnswer().ToString();

        JsepErrorCode Refusal(string text)
        {
            Assert.False(a.TrySetRemoteDescription(SdpType.Answer, SessionDescription.Parse(text), out JsepError? e));
            Assert.Equal(SignalingState.HaveLocalOffer, a.SignalingState);
            return e.Code;
        }

        int video = answer.IndexOf("m=video", StringComparison.Ordinal);
        Assert.Equal(JsepErrorCode.MediaCountMismatch, Refusal(answer[..video]));
        Assert.Equal(JsepErrorCode.MidMismatch, Refusal(answer.Replace("a=mid:1", "a=mid:7", StringComparison.Ordinal).Replace("BUNDLE 0 1", "BUNDLE 0 7", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.InvalidSetup, Refusal(answer.Replace("a=setup:active", "a=setup:actpass", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.BundleMismatch, Refusal(answer.Replace("BUNDLE 0 1", "BUNDLE 0", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.NoCommonCodec, Refusal(answer.Replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9 UDP/TLS/RTP/SAVPF 0", StringComparison.Ordinal)));
        Assert.Equal(JsepErrorCode.NoFingerprint, Refusal(string.Join("\r\n", answer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint", StringComparison.Ordinal)))));

        // The real answer still applies after the refusals.
        Assert.True(a.TrySetRemoteDescription(SdpType.Answer, SessionDescription.Parse(answer), out _));
        b.SetLocalDescription(SdpType.Answer, SessionDescription.Parse(answer));
        AssertConsistent(a, b);
    }

    [Fact]
    public void IceRestartIsDetectedWhenTheRemoteCredentialsChange()
    {
        var a = new JsepSession(Options(26));
        var b = new JsepSession(Options(27));
        a.AddTransceiver(MediaKind.Audio);
        Exchange(a, b);
        Exchange(a, b);
        Assert.False(a.NegotiatedTransport!.IceRestart);

        SessionDescription offer = a.CreateOffer();
        a.SetLocalDescription(SdpType.Offer, offer);
        b.SetRemoteDescription(SdpType.Offer, offer);
        string answer = b.CreateAnswer().ToString();
        b.SetLocalDescription(SdpType.Answer, SessionDescription.Parse(answer));
        a.SetRemoteDescription(SdpType.Answer, SessionDescription.Parse(answer.Replace("a=ice-ufrag:ufrag27", "a=ice-ufrag:fresh27", StringComparison.Ordinal)));
        Assert.True(a.NegotiatedTransport!.IceRestart);
        Assert.Equal("fresh27", a.NegotiatedTransport.RemoteIceUfrag);
        Assert.True(a.NegotiatedTransport.IceControlling);
    }

    [Fact]
    public void PayloadTypesAndSsrcsComeFromTheOptionsRandomSourceDeterministically()
    {
        string Run()
        {
            var s = new JsepSession(Options(28));
            s.AddTransceiver(MediaKind.Audio);
            s.AddTransceiver(MediaKind.Video);
            return s.CreateOffer().ToString();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void ProvisionalAnswersMoveThroughThePranswerStates()
    {
        var a = new JsepSession(Options(29));
        var b = new JsepSession(Options(30));
        a.AddTransceiver(MediaKind.Audio);
        SessionDescription offer = a.CreateOffer();
        a.SetLocalDescription(SdpType.Offer, offer);
        b.SetRemoteDescription(SdpType.Offer, offer);
        SessionDescription answer = b.CreateAnswer();
        b.SetLocalDescription(SdpType.Pranswer, answer);
        a.SetRemoteDescription(SdpType.Pranswer, answer);
        Assert.Equal(SignalingState.HaveLocalPranswer, b.SignalingState);
        Assert.Equal(SignalingState.HaveRemotePranswer, a.SignalingState);
        Assert.Empty(a.NegotiatedSections);
        Assert.False(a.TryCreateOffer(out _, out JsepError? error));
        Assert.Equal(JsepErrorCode.InvalidState, error.Code);

        b.SetLocalDescription(SdpType.Answer, answer);
        a.SetRemoteDescription(SdpType.Answer, answer);
        AssertConsistent(a, b);
    }

    [Fact]
    public void AStoppedTransceiverInTheTaggedSectionIsAnsweredInactiveThenRejectedByOurNextOffer()
    {
        var a = new JsepSession(Options(31));
        var b = new JsepSession(Options(32));
        Transceiver audio = a.AddTransceiver(MediaKind.Audio);
        a.AddTransceiver(MediaKind.Video);
        Exchange(a, b);
        audio.Stop();

        // b offers first: its audio section is the BUNDLE tag, which a cannot reject (RFC 8843 §7.3.3).
        SessionDescription offer = b.CreateOffer();
        b.SetLocalDescription(SdpType.Offer, offer);
        a.SetRemoteDescription(SdpType.Offer, offer);
        SessionDescription answer = AssertClean(a.CreateAnswer());
        Assert.Equal([9, 9], answer.MediaDescriptions.Select(m => m.MediaLine.Port));
        Assert.Equal(MediaDirection.Inactive, answer.MediaDescriptions[0].Direction);
        Assert.Equal(["0", "1"], answer.GetBundleGroups().Single().Mids);
        Assert.Empty(a.AnswerRejections);
        a.SetLocalDescription(SdpType.Answer, answer);
        b.SetRemoteDescription(SdpType.Answer, answer);
        AssertConsistent(a, b);
        Assert.True(audio.Stopping);
        Assert.False(audio.Stopped);
        Assert.Equal(MediaDirection.Inactive, audio.CurrentDirection);

        // a's own offer then rejects it and tags the video section.
        SessionDescription reject = a.CreateOffer();
        Assert.Equal(0, reject.MediaDescriptions[0].MediaLine.Port);
        Assert.Equal(["1"], reject.GetBundleGroups().Single().Mids);
        Assert.NotNull(reject.MediaDescriptions[1].IceUfrag);
        Exchange(a, b);
        AssertConsistent(a, b);
        Assert.True(audio.Stopped);
        Assert.Equal("1", a.NegotiatedTransport!.TaggedMid);
    }
    /// <summary>
    /// RFC 8858 §4.1: an offer writes "a=rtcp-mux-only" beside "a=rtcp-mux" when RTCP muxing is required (the default,
    /// as rtcpMuxPolicy "require"); RFC 8843 §9.3.1.2 (and RFC 9725 §4.4.1 for WHIP): the answer repeats it in the
    /// answerer-tagged section when the offerer-tagged section had it, and writes "a=rtcp-mux" alone when it did not.
    /// </summary>
    [Fact]
    public void RtcpMuxOnlyIsOfferedWhenRequiredAndRepeatedInTheAnswerOnlyWhenOffered()
    {
        foreach (bool muxOnly in new[] { true, false })
        {
            JsepOptions o = Options(40);
            var offerer = new JsepSession(new JsepOptions { IceUfrag = o.IceUfrag, IcePwd = o.IcePwd, Fingerprints = o.Fingerprints, Random = new Random(40), RtcpMuxOnly = muxOnly });
            offerer.AddTransceiver(MediaKind.Audio);
            offerer.AddTransceiver(MediaKind.Video);
            var answerer = new JsepSession(Options(41));
            answerer.AddTransceiver(MediaKind.Audio);
            answerer.AddTransceiver(MediaKind.Video);

            SessionDescription offer = AssertClean(offerer.CreateOffer());
            Assert.All(offer.MediaDescriptions, m => Assert.True(m.RtcpMux));
            Assert.All(offer.MediaDescriptions, m => Assert.Equal(muxOnly, m.RtcpMuxOnly));
            offerer.SetLocalDescription(SdpType.Offer, offer);
            answerer.SetRemoteDescription(SdpType.Offer, offer);
            SessionDescription answer = AssertClean(answerer.CreateAnswer());
            Assert.True(answer.MediaDescriptions[0].RtcpMux);
            Assert.Equal(muxOnly, answer.MediaDescriptions[0].RtcpMuxOnly);
            // JSEP's dummy "a=rtcp" (RFC 8829 §5.2.1, RFC 3605), once, in the tagged section (RFC 8859).
            Assert.Equal("9 IN IP4 0.0.0.0", answer.MediaDescriptions[0].Rtcp?.ToString());
            Assert.All(answer.MediaDescriptions.Skip(1), m => Assert.Null(m.Rtcp));
        }

        // GStreamer's offer carries rtcp-mux-only; Chromium's does not.
        foreach ((string fixture, bool expected) in new[] { (GStreamer, true), (ChromiumAudio, false) })
        {
            var us = new JsepSession(Options(42));
            us.AddTransceiver(MediaKind.Audio);
            us.SetRemoteDescription(SdpType.Offer, Fixture(fixture));
            SessionDescription answer = AssertClean(us.CreateAnswer());
            Assert.True(answer.MediaDescriptions[0].RtcpMux, fixture);
            Assert.Equal(expected, answer.MediaDescriptions[0].RtcpMuxOnly);
        }
    }

    /// <summary>
    /// Firefox writes "a=rtcp:" and component-2 candidates beside "a=rtcp-mux" (captured in the gathered fixture). With
    /// rtcp-mux agreed (RFC 8858 §4.3) both are accepted: every candidate line is passed on to ICE as written (the
    /// session's ICE layer ignores component 2), end-of-candidates is read, and the answer's "a=rtcp" is JSEP's dummy
    /// value, not an RTCP port of ours.
    /// </summary>
    [Fact]
    public void AnswersFirefoxOfferWithComponentTwoCandidatesAndAnRtcpLine()
    {
        var us = new JsepSession(Options(43));
        us.AddTransceiver(MediaKind.Audio);
        SessionDescription offer = Fixture(FirefoxAudioGathered);
        Assert.NotNull(offer.MediaDescriptions[0].Rtcp);
        us.SetRemoteDescription(SdpType.Offer, offer);
        SessionDescription answer = AssertClean(us.CreateAnswer());
        us.SetLocalDescription(SdpType.Answer, answer);

        NegotiatedTransport t = us.NegotiatedTransport!;
        Assert.Equal(8, t.RemoteCandidates.Count);
        Assert.Contains("0 2 UDP 2122187006 127.0.0.1 58971 typ host", t.RemoteCandidates);
        Assert.Contains("3 1 TCP 2105524479 ::1 9 typ host tcptype active", t.RemoteCandidates);
        Assert.True(t.RemoteEndOfCandidates);
        Assert.Equal(109, Assert.Single(us.NegotiatedSections[0].SendCodecs).PayloadType);
        Assert.True(answer.MediaDescriptions[0].RtcpMux);
        Assert.Equal("58971 IN IP4 127.0.0.1", offer.MediaDescriptions[0].Rtcp?.ToString());
        Assert.Equal("9 IN IP4 0.0.0.0", answer.MediaDescriptions[0].Rtcp?.ToString());
    }
}
