using RtcStack.Sdp.Jsep;

namespace RtcStack.Sdp.Tests;

public class JsepAudioTests
{
    internal static AudioEndpointOptions Options(string ufrag = "rtcS", string pwd = "abcdefghijklmnopqrstuvwx") => new()
    {
        IceUfrag = ufrag,
        IcePwd = pwd,
        Fingerprints = [SdpFingerprint.FromHash("sha-256", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray())],
        Ssrc = 12345678,
        CName = "rtcstack-cname",
        StreamId = "stream0",
        TrackId = "track0",
        SessionId = 4242,
    };

    private static AudioAnswer Answer(string fixture, AudioEndpointOptions? options = null)
    {
        SessionDescription offer = SdpFixtures.Parse(fixture);
        Assert.True(AudioJsep.TryCreateAnswer(offer, options ?? Options(), out AudioAnswer? answer, out JsepError? error), error?.ToString());
        // Whatever we write must parse back to the same text.
        Assert.Equal(answer.Description.ToString(), SessionDescription.Parse(answer.Description.ToString()).ToString());
        return answer;
    }

    [Fact]
    public void OfferHasEverythingJsepAsksFor()
    {
        SessionDescription offer = AudioJsep.CreateOffer(Options() with { Candidates = ["1 1 udp 2130706431 127.0.0.1 5000 typ host"], DefaultAddress = "127.0.0.1", DefaultPort = 5000 });
        string text = offer.ToString();
        Assert.StartsWith("v=0\r\no=- 4242 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\nm=audio 5000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\n", text, StringComparison.Ordinal);
        SessionDescription parsed = SessionDescription.Parse(text);
        Assert.Equal(text, parsed.ToString());
        MediaDescription audio = Assert.Single(parsed.MediaDescriptions);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(new RtpMap(111, "opus", 48000, 2), Assert.Single(audio.GetRtpMaps()));
        Assert.Equal("minptime=10;useinbandfec=1", audio.GetFormatParameters("111")!.Parameters);
        Assert.Equal([new RtcpFeedback("111", "transport-cc")], audio.GetRtcpFeedback());
        Assert.Equal(SetupRole.ActPass, audio.Setup);
        Assert.Equal("rtcS", audio.IceUfrag);
        Assert.Equal("abcdefghijklmnopqrstuvwx", audio.IcePwd);
        Assert.Equal(["trickle"], audio.GetIceOptions());
        Assert.Equal("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F", Assert.Single(audio.GetFingerprints()).Value);
        Assert.True(audio.RtcpMux);
        Assert.False(audio.RtcpMuxOnly);
        Assert.True(audio.RtcpReducedSize);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal(
            [new ExtMap(1, ExtMap.AudioLevelUri), new ExtMap(2, ExtMap.AbsSendTimeUri), new ExtMap(3, ExtMap.TransportWideCcUri), new ExtMap(4, ExtMap.MidUri)],
            audio.GetExtMaps());
        Assert.Equal([new Msid("stream0", "track0")], audio.GetMsids());
        Assert.Contains(new SsrcAttribute(12345678, "cname", "rtcstack-cname"), audio.GetSsrcAttributes());
        Assert.Equal(["1 1 udp 2130706431 127.0.0.1 5000 typ host"], audio.GetCandidates());
        Assert.False(audio.EndOfCandidates);
    }

    [Fact]
    public void OfferOptionsRtcpMuxOnlyIceLiteEndOfCandidates()
    {
        SessionDescription offer = AudioJsep.CreateOffer(Options() with { RtcpMuxOnly = true, IceLite = true, EndOfCandidates = true, DefaultAddress = "::1" });
        Assert.True(offer.IceLite);
        MediaDescription audio = offer.MediaDescriptions[0];
        Assert.True(audio.RtcpMuxOnly);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.EndOfCandidates);
        Assert.Equal(new SdpConnection("IN", "IP6", "::1"), audio.GetConnection());
    }

    [Fact]
    public void AnOfferWithRtcpMuxOnlyGetsItInTheAnswer()
    {
        // RFC 8843 §9.3.1.2 (and RFC 9725 §4.4.1 for WHIP): the answerer-tagged section repeats "rtcp-mux-only".
        SessionDescription muxOnly = SessionDescription.Parse(AudioJsep.CreateOffer(Options("offA") with { RtcpMuxOnly = true }).ToString());
        Assert.True(AudioJsep.TryCreateAnswer(muxOnly, Options(), out AudioAnswer? answer, out JsepError? error), error?.ToString());
        MediaDescription audio = SessionDescription.Parse(answer.Description.ToString()).MediaDescriptions[0];
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpMuxOnly);

        SessionDescription plain = SessionDescription.Parse(AudioJsep.CreateOffer(Options("offB")).ToString());
        Assert.True(AudioJsep.TryCreateAnswer(plain, Options(), out answer, out error), error?.ToString());
        Assert.False(answer.Description.MediaDescriptions[0].RtcpMuxOnly);
    }

    [Fact]
    public void AnswersChromiumOffer()
    {
        AudioAnswer answer = Answer(SdpFixtures.ChromiumOffer);
        NegotiatedAudio n = answer.Negotiated;
        Assert.Equal(111, n.PayloadType);
        Assert.Equal("0", n.Mid);
        Assert.Equal(0, n.MediaIndex);
        Assert.Equal(SetupRole.Active, n.LocalSetup);
        Assert.Equal(MediaDirection.SendRecv, n.LocalDirection);
        Assert.Equal(["0"], n.BundleMids);
        Assert.True(n.RtcpReducedSize);
        Assert.True(n.ExtMapAllowMixed);
        Assert.Equal([new FormatParameter("minptime", "10"), new FormatParameter("useinbandfec", "1")], n.RemoteOpusParameters);
        Assert.Equal(
            [new ExtMap(1, ExtMap.AudioLevelUri), new ExtMap(2, ExtMap.AbsSendTimeUri), new ExtMap(3, ExtMap.TransportWideCcUri), new ExtMap(4, ExtMap.MidUri)],
            n.HeaderExtensions);
        Assert.Equal([new RtcpFeedback("111", "transport-cc")], n.RtcpFeedback);
        Assert.Equal("uXCP", n.Remote.IceUfrag);
        Assert.Equal("kwo+TXr79w+XDcVuOxsbT+26", n.Remote.IcePwd);
        Assert.Equal(["trickle"], n.Remote.IceOptions);
        Assert.Single(n.Remote.Candidates);
        Assert.False(n.Remote.EndOfCandidates);
        Assert.Equal("1C", n.Remote.Fingerprints[0].Value[..2]);
        Assert.Equal([new RemoteSource(2463569178, "9wR9xkI1JNX3+WYf")], n.RemoteSources);
        Assert.Equal("2125aea3-8baa-4c52-9d15-f720b737a0ef", n.RemoteMsid!.StreamId);

        SessionDescription sdp = answer.Description;
        Assert.Equal(SdpGroup.Bundle + " 0", sdp.GetAttribute("group"));
        Assert.True(sdp.ExtMapAllowMixed);
        MediaDescription audio = Assert.Single(sdp.MediaDescriptions);
        Assert.Equal("audio 9 UDP/TLS/RTP/SAVPF 111", audio.MediaLine.ToString());
        Assert.Equal(SetupRole.Active, audio.Setup);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpReducedSize);
        Assert.Equal([new RtpMap(111, "opus", 48000, 2)], audio.GetRtpMaps());
        Assert.Equal(n.HeaderExtensions, audio.GetExtMaps());
        Assert.Contains(new SsrcAttribute(12345678, "cname", "rtcstack-cname"), audio.GetSsrcAttributes());
    }

    [Fact]
    public void AnswersFirefoxOfferWithSessionLevelAttributes()
    {
        AudioAnswer answer = Answer(SdpFixtures.FirefoxOffer);
        NegotiatedAudio n = answer.Negotiated;
        Assert.Equal(109, n.PayloadType);
        Assert.Equal(SetupRole.Active, n.LocalSetup);
        Assert.Equal("0d015eff", n.Remote.IceUfrag);
        Assert.Equal(["trickle"], n.Remote.IceOptions);
        Assert.Single(n.Remote.Fingerprints);
        Assert.False(n.RtcpReducedSize);
        Assert.True(n.ExtMapAllowMixed);

        // csrc-audio-level (2/recvonly) is not in our list; abs-send-time was not offered.
        Assert.Equal([new ExtMap(1, ExtMap.AudioLevelUri), new ExtMap(3, ExtMap.MidUri), new ExtMap(7, ExtMap.TransportWideCcUri)], n.HeaderExtensions);
        Assert.Equal([new RtcpFeedback("109", "transport-cc")], n.RtcpFeedback);
        Assert.Contains(new FormatParameter("stereo", "1"), n.RemoteOpusParameters);
        Assert.Equal([new RemoteSource(1405788146, "{8f80c2a5-f1c8-48f5-9965-fd9400f0e117}")], n.RemoteSources);

        MediaDescription audio = answer.Description.MediaDescriptions[0];
        Assert.Equal("audio 9 UDP/TLS/RTP/SAVPF 109", audio.MediaLine.ToString());
        Assert.True(audio.ExtMapAllowMixed);
        Assert.False(answer.Description.ExtMapAllowMixed);
        Assert.False(audio.RtcpReducedSize);
        Assert.Equal([new RtpMap(109, "opus", 48000, 2)], audio.GetRtpMaps());
    }

    [Fact]
    public void AnswersFirefoxOfferWithComponentTwoCandidatesAndRtcpLine()
    {
        AudioAnswer answer = Answer(SdpFixtures.FirefoxOfferGathered);
        RemoteTransport remote = answer.Negotiated.Remote;
        Assert.Equal(8, remote.Candidates.Count);
        Assert.Contains("0 2 UDP 2122187006 127.0.0.1 58971 typ host", remote.Candidates);
        Assert.Contains("3 1 TCP 2105524479 ::1 9 typ host tcptype active", remote.Candidates);
        Assert.True(remote.EndOfCandidates);
        Assert.True(answer.Negotiated.RtcpMux);
        Assert.Equal(109, answer.Negotiated.PayloadType);
        Assert.Null(answer.Description.MediaDescriptions[0].Rtcp);
    }

    [Fact]
    public void RejectsVideoAndDataChannelSectionsWithPortZero()
    {
        AudioAnswer answer = Answer(SdpFixtures.ChromiumOfferAudioVideoData);
        SessionDescription sdp = answer.Description;
        Assert.Equal(3, sdp.MediaDescriptions.Count);
        Assert.Equal(["0"], answer.Negotiated.BundleMids);
        Assert.Equal("BUNDLE 0", sdp.GetAttribute("group"));
        Assert.False(sdp.MediaDescriptions[0].IsRejected);
        Assert.Equal("video 0 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109 114 115 116 117 39 40 45 46 98 99 100 101 118 119 120", sdp.MediaDescriptions[1].MediaLine.ToString());
        Assert.Equal("1", sdp.MediaDescriptions[1].Mid);
        Assert.True(sdp.MediaDescriptions[1].IsRejected);
        Assert.Equal("application 0 UDP/DTLS/SCTP webrtc-datachannel", sdp.MediaDescriptions[2].MediaLine.ToString());
        Assert.Equal("2", sdp.MediaDescriptions[2].Mid);
        Assert.True(sdp.MediaDescriptions[2].IsRejected);
        Assert.Empty(sdp.MediaDescriptions[1].GetCandidates());
    }

    [Fact]
    public void SetupRoleFollowsRfc8842()
    {
        SessionDescription offer = SdpFixtures.Parse(SdpFixtures.ChromiumOffer);
        offer.MediaDescriptions[0].Setup = SetupRole.Active;
        Assert.True(AudioJsep.TryCreateAnswer(offer, Options(), out AudioAnswer? a1, out _));
        Assert.Equal(SetupRole.Passive, a1.Negotiated.LocalSetup);
        Assert.Equal(SetupRole.Passive, a1.Description.MediaDescriptions[0].Setup);

        offer.MediaDescriptions[0].Setup = SetupRole.Passive;
        Assert.True(AudioJsep.TryCreateAnswer(offer, Options(), out AudioAnswer? a2, out _));
        Assert.Equal(SetupRole.Active, a2.Negotiated.LocalSetup);

        offer.MediaDescriptions[0].Setup = SetupRole.ActPass;
        Assert.True(AudioJsep.TryCreateAnswer(offer, Options() with { AnswerSetup = SetupRole.Passive }, out AudioAnswer? a3, out _));
        Assert.Equal(SetupRole.Passive, a3.Negotiated.LocalSetup);

        offer.MediaDescriptions[0].Setup = null;
        Assert.True(AudioJsep.TryCreateAnswer(offer, Options(), out AudioAnswer? a4, out _));
        Assert.Equal(SetupRole.Active, a4.Negotiated.LocalSetup);
    }

    [Theory]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendRecv, MediaDirection.SendRecv)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendRecv, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.SendRecv, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.Inactive, MediaDirection.SendRecv, MediaDirection.Inactive)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.RecvOnly, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendOnly, MediaDirection.Inactive)]
    public void AnswerDirectionIsLimitedByTheOffer(MediaDirection offered, MediaDirection wanted, MediaDirection expected)
    {
        SessionDescription offer = SdpFixtures.Parse(SdpFixtures.ChromiumOffer);
        offer.MediaDescriptions[0].Direction = offered;
        Assert.True(AudioJsep.TryCreateAnswer(offer, Options() with { Direction = wanted }, out AudioAnswer? answer, out _));
        Assert.Equal(expected, answer.Negotiated.LocalDirection);
        MediaDescription audio = answer.Description.MediaDescriptions[0];
        Assert.Equal(expected, audio.Direction);

        // RFC 5576 / RFC 8830: only a sender announces its SSRC and msid.
        Assert.Equal(expected.Sends(), audio.GetSsrcAttributes().Count > 0);
        Assert.Equal(expected.Sends(), audio.GetMsids().Count > 0);
    }

    public static TheoryData<string, Action<SessionDescription>, JsepErrorCode> UnanswerableOffers() => new()
    {
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].RemoveAttributes("fingerprint"), JsepErrorCode.NoFingerprint },
        { SdpFixtures.FirefoxOffer, o => o.RemoveAttributes("fingerprint"), JsepErrorCode.NoFingerprint },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].IceUfrag = null, JsepErrorCode.NoIceCredentials },
        { SdpFixtures.FirefoxOffer, o => o.MediaDescriptions[0].IcePwd = null, JsepErrorCode.NoIceCredentials },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].IceUfrag = "ab", JsepErrorCode.InvalidIceCredentials },
        { SdpFixtures.ChromiumOffer, o => RemoveOpus(o.MediaDescriptions[0], 111), JsepErrorCode.NoCommonCodec },
        { SdpFixtures.FirefoxOffer, o => RemoveOpus(o.MediaDescriptions[0], 109), JsepErrorCode.NoCommonCodec },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].RtcpMux = false, JsepErrorCode.RtcpMuxRequired },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].Setup = SetupRole.HoldConn, JsepErrorCode.InvalidSetup },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].MediaLine = new SdpMediaLine("audio", 9, "RTP/AVP", ["111"]), JsepErrorCode.UnsupportedProtocol },
        { SdpFixtures.ChromiumOffer, o => o.MediaDescriptions[0].MediaLine = o.MediaDescriptions[0].MediaLine.WithPort(0), JsepErrorCode.NoAudioSection },
        { SdpFixtures.ChromiumOfferAudioVideoData, o => o.MediaDescriptions.RemoveAt(0), JsepErrorCode.NoAudioSection },
        { SdpFixtures.ChromiumOfferAudioVideoData, o => o.SetAttribute("group", "BUNDLE 1 0 2"), JsepErrorCode.BundleTagRejected },
    };

    [Theory]
    [MemberData(nameof(UnanswerableOffers))]
    public void UnanswerableOffersGiveAClearError(string fixture, Action<SessionDescription> spoil, JsepErrorCode code)
    {
        SessionDescription offer = SdpFixtures.Parse(fixture);
        spoil(offer);
        SessionDescription reparsed = SessionDescription.Parse(offer.ToString());
        Assert.False(AudioJsep.TryCreateAnswer(reparsed, Options(), out AudioAnswer? answer, out JsepError? error));
        Assert.Null(answer);
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void AppliesChromiumAnswerToOurOffer()
    {
        SessionDescription offer = AudioJsep.CreateOffer(Options());
        SessionDescription answer = SdpFixtures.Parse(SdpFixtures.ChromiumAnswer);
        Assert.True(AudioJsep.TryApplyAnswer(offer, answer, out NegotiatedAudio? n, out JsepError? error), error?.ToString());
        Assert.Equal(111, n.PayloadType);
        Assert.Equal(SetupRole.Passive, n.LocalSetup);
        Assert.Equal(MediaDirection.SendOnly, n.LocalDirection);
        Assert.Equal("nhqE", n.Remote.IceUfrag);
        Assert.Equal("Xuw+GLBjvZ/X5IDzyiPCAkO+", n.Remote.IcePwd);
        Assert.Equal("C6", n.Remote.Fingerprints[0].Value[..2]);
        Assert.Equal(4, n.HeaderExtensions.Count);
        Assert.Equal([new RtcpFeedback("111", "transport-cc")], n.RtcpFeedback);
        Assert.True(n.RtcpReducedSize);
        Assert.Equal(["0"], n.BundleMids);
        Assert.Empty(n.RemoteSources);
        Assert.Equal([new FormatParameter("minptime", "10"), new FormatParameter("useinbandfec", "1")], n.RemoteOpusParameters);
    }

    [Fact]
    public void AppliesFirefoxAnswerToOurOfferWithItsPayloadType()
    {
        SessionDescription offer = AudioJsep.CreateOffer(Options() with { OpusPayloadType = 109 });
        SessionDescription answer = SdpFixtures.Parse(SdpFixtures.FirefoxAnswer);
        Assert.True(AudioJsep.TryApplyAnswer(offer, answer, out NegotiatedAudio? n, out JsepError? error), error?.ToString());
        Assert.Equal(109, n.PayloadType);
        Assert.Equal(SetupRole.Passive, n.LocalSetup);
        Assert.Equal("ae18e777", n.Remote.IceUfrag);
        Assert.Equal([new ExtMap(1, ExtMap.AudioLevelUri), new ExtMap(3, ExtMap.MidUri), new ExtMap(7, ExtMap.TransportWideCcUri)], n.HeaderExtensions);
        Assert.Equal([new RemoteSource(3738902538, "{e33e4fb6-5c85-4f9e-ba43-79d533f9af0e}")], n.RemoteSources);
        Assert.False(n.RtcpReducedSize);
        Assert.Contains(new FormatParameter("stereo", "1"), n.RemoteOpusParameters);
    }

    [Fact]
    public void OurOfferAndOurAnswerAgree()
    {
        AudioEndpointOptions alice = Options() with { StreamId = "a", Ssrc = 1 };
        AudioEndpointOptions bob = Options("bobB", "0123456789012345678901ab") with { StreamId = "b", Ssrc = 2, CName = "bob", HeaderExtensions = [ExtMap.TransportWideCcUri, ExtMap.MidUri], RtcpFeedback = ["transport-cc", "nack"] };
        SessionDescription offer = AudioJsep.CreateOffer(alice with { RtcpFeedback = ["nack", "transport-cc"] });
        Assert.True(AudioJsep.TryCreateAnswer(SessionDescription.Parse(offer.ToString()), bob, out AudioAnswer? answer, out JsepError? e1), e1?.ToString());
        Assert.True(AudioJsep.TryApplyAnswer(offer, SessionDescription.Parse(answer.Description.ToString()), out NegotiatedAudio? atAlice, out JsepError? e2), e2?.ToString());
        NegotiatedAudio atBob = answer.Negotiated;

        Assert.Equal(atBob.PayloadType, atAlice.PayloadType);
        Assert.Equal(atBob.HeaderExtensions, atAlice.HeaderExtensions);
        Assert.Equal([new ExtMap(3, ExtMap.TransportWideCcUri), new ExtMap(4, ExtMap.MidUri)], atAlice.HeaderExtensions);
        Assert.Equal(atBob.RtcpFeedback, atAlice.RtcpFeedback);
        Assert.Equal(2, atAlice.RtcpFeedback.Count);
        Assert.Equal(SetupRole.Active, atBob.LocalSetup);
        Assert.Equal(SetupRole.Passive, atAlice.LocalSetup);
        Assert.Equal("rtcS", atBob.Remote.IceUfrag);
        Assert.Equal("bobB", atAlice.Remote.IceUfrag);
        Assert.Equal([new RemoteSource(1, "rtcstack-cname")], atBob.RemoteSources);
        Assert.Equal([new RemoteSource(2, "bob")], atAlice.RemoteSources);
        Assert.Equal(new Msid("b", "track0"), atAlice.RemoteMsid);
        Assert.Equal(MediaDirection.SendRecv, atAlice.LocalDirection);
    }

    public static TheoryData<Action<SessionDescription>, JsepErrorCode> UnapplicableAnswers() => new()
    {
        { a => a.MediaDescriptions.Add(new MediaDescription(new SdpMediaLine("video", 0, "UDP/TLS/RTP/SAVPF", ["96"]))), JsepErrorCode.MediaCountMismatch },
        { a => a.MediaDescriptions[0].Mid = "7", JsepErrorCode.MidMismatch },
        { a => { a.MediaDescriptions[0].MediaLine = a.MediaDescriptions[0].MediaLine.WithPort(0); a.RemoveAttributes("group"); }, JsepErrorCode.AudioRejected },
        { a => a.MediaDescriptions[0].Setup = SetupRole.ActPass, JsepErrorCode.InvalidSetup },
        { a => a.MediaDescriptions[0].RemoveAttributes("fingerprint"), JsepErrorCode.NoFingerprint },
        { a => a.MediaDescriptions[0].IcePwd = null, JsepErrorCode.NoIceCredentials },
        { a => a.MediaDescriptions[0].RtcpMux = false, JsepErrorCode.RtcpMuxRequired },
        { a => a.MediaDescriptions[0].MediaLine = a.MediaDescriptions[0].MediaLine.WithFormats(["9"]), JsepErrorCode.NoCommonCodec },
    };

    [Theory]
    [MemberData(nameof(UnapplicableAnswers))]
    public void BadAnswersGiveAClearError(Action<SessionDescription> spoil, JsepErrorCode code)
    {
        SessionDescription offer = AudioJsep.CreateOffer(Options());
        SessionDescription answer = SdpFixtures.Parse(SdpFixtures.ChromiumAnswer);
        spoil(answer);
        Assert.False(AudioJsep.TryApplyAnswer(offer, answer, out NegotiatedAudio? n, out JsepError? error));
        Assert.Null(n);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void BadOptionsAreApiMisuse()
    {
        Assert.Throws<ArgumentException>(() => AudioJsep.CreateOffer(Options(ufrag: "abc")));
        Assert.Throws<ArgumentException>(() => AudioJsep.CreateOffer(Options(pwd: "short")));
        Assert.Throws<ArgumentException>(() => AudioJsep.CreateOffer(Options() with { Fingerprints = [] }));
        Assert.Throws<ArgumentException>(() => AudioJsep.CreateOffer(Options() with { OpusPayloadType = 200 }));
    }

    private static void RemoveOpus(MediaDescription media, int pt)
    {
        for (int i = media.Lines.Count - 1; i >= 0; i--)
        {
            if (media.Lines[i].IsAttributeNamed("rtpmap") && media.Lines[i].AttributeValue!.StartsWith(pt + " ", StringComparison.Ordinal))
            {
                media.Lines.RemoveAt(i);
            }
        }
    }
}

public class JsepLargeInputTests
{
    [Fact]
    public void NearLimitOfferWithThousandsOfFormatsAndSourcesIsHandled()
    {
        // About 1 MB: an m= line with ~3000 formats, as many rtpmaps, and 20 000 a=ssrc lines. Quadratic work
        // anywhere in parse or answer would take minutes here; linear work takes well under a second.
        var sb = new System.Text.StringBuilder();
        sb.Append("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n");
        sb.Append("m=audio 9 UDP/TLS/RTP/SAVPF");
        for (int i = 0; i < 3000; i++)
        {
            sb.Append(' ').Append(i % 128);
        }

        sb.Append(" 111\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n");
        sb.Append("a=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=rtcp-mux\r\n");
        for (int i = 0; i < 3000; i++)
        {
            sb.Append("a=rtpmap:").Append(i % 111).Append(" x/8000\r\n");
        }

        sb.Append("a=rtpmap:111 opus/48000/2\r\n");
        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("a=ssrc:").Append(i).Append(" cname:c").Append(i).Append("\r\n");
        }

        Assert.True(sb.Length < SdpParserOptions.DefaultMaxInputLength);
        Assert.True(SessionDescription.TryParse(sb.ToString(), out SessionDescription? offer, out SdpParseError error), error.ToString());
        Assert.True(AudioJsep.TryCreateAnswer(offer, JsepAudioTests.Options(), out AudioAnswer? answer, out JsepError? jsepError), jsepError?.ToString());
        Assert.Equal(111, answer.Negotiated.PayloadType);
        Assert.Equal(20_000, answer.Negotiated.RemoteSources.Count);
        Assert.Equal("c19999", answer.Negotiated.RemoteSources[^1].CName);
    }
}

public class JsepDetailTests
{
    [Fact]
    public void WildcardFeedbackSessionLevelExtmapAndIceLiteAreHandled()
    {
        string offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=ice-ufrag:srvr\r\na=ice-pwd:0123456789012345678901\r\n" +
            "a=fingerprint:sha-256 AA:BB\r\na=setup:passive\r\na=extmap:5 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n" +
            "m=audio 40000 UDP/TLS/RTP/SAVPF 96 0\r\nc=IN IP4 127.0.0.1\r\na=mid:a\r\na=sendonly\r\na=rtcp-mux\r\n" +
            "a=rtpmap:96 OPUS/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtcp-fb:* nack\r\na=rtcp-fb:* transport-cc\r\na=rtcp-fb:0 goog-remb\r\n" +
            "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n";
        AudioEndpointOptions options = JsepAudioTests.Options() with { RtcpFeedback = ["nack", "transport-cc"] };
        Assert.True(AudioJsep.TryCreateAnswer(SessionDescription.Parse(offer), options, out AudioAnswer? answer, out JsepError? error), error?.ToString());
        NegotiatedAudio n = answer.Negotiated;
        Assert.Equal(96, n.PayloadType);
        Assert.Equal("a", n.Mid);
        Assert.Empty(n.BundleMids);
        Assert.Null(answer.Description.GetAttribute("group"));
        Assert.True(n.Remote.IceLite);
        Assert.Equal("srvr", n.Remote.IceUfrag);
        Assert.True(n.Remote.EndOfCandidates);
        Assert.Equal(SetupRole.Active, n.LocalSetup);
        Assert.Equal(MediaDirection.RecvOnly, n.LocalDirection);
        Assert.Equal([new RtcpFeedback("96", "nack"), new RtcpFeedback("96", "transport-cc")], n.RtcpFeedback);
        Assert.Equal([new ExtMap(5, ExtMap.TransportWideCcUri)], n.HeaderExtensions);
        MediaDescription audio = answer.Description.MediaDescriptions[0];
        Assert.Equal("audio 9 UDP/TLS/RTP/SAVPF 96", audio.MediaLine.ToString());
        Assert.Equal([new RtpMap(96, "opus", 48000, 2)], audio.GetRtpMaps());
        Assert.Empty(audio.GetSsrcAttributes());
        Assert.False(answer.Description.IceLite);
    }

    [Fact]
    public void SecondAudioSectionIsRejectedAndFirstUsableOneAnswered()
    {
        string offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE x y z\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n" +
            "a=fingerprint:sha-256 AA:BB\r\n" +
            "m=audio 9 RTP/AVP 0\r\na=mid:x\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:y\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:z\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";

        // x is the BUNDLE tag and cannot be used (no DTLS-SRTP): RFC 8843 §7.3.3 forbids rejecting it.
        Assert.False(AudioJsep.TryCreateAnswer(SessionDescription.Parse(offer), JsepAudioTests.Options(), out _, out JsepError? error));
        Assert.Equal(JsepErrorCode.BundleTagRejected, error.Code);

        // Without that group: y is answered, x and z rejected.
        SessionDescription unbundled = SessionDescription.Parse(offer.Replace("a=group:BUNDLE x y z\r\n", "", StringComparison.Ordinal));
        Assert.True(AudioJsep.TryCreateAnswer(unbundled, JsepAudioTests.Options(), out AudioAnswer? answer, out error), error?.ToString());
        Assert.Equal(1, answer.Negotiated.MediaIndex);
        Assert.Equal("y", answer.Negotiated.Mid);
        Assert.Equal([true, false, true], answer.Description.MediaDescriptions.Select(m => m.IsRejected));
        Assert.Equal("audio 0 RTP/AVP 0", answer.Description.MediaDescriptions[0].MediaLine.ToString());
    }
}
