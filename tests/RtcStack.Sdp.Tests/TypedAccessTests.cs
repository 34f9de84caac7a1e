namespace RtcStack.Sdp.Tests;

public class TypedAccessTests
{
    [Fact]
    public void ChromiumOfferTypedValues()
    {
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.ChromiumOffer);
        Assert.Equal("-", sdp.Origin.Username);
        Assert.Equal(8495257738735159730UL, sdp.Origin.SessionId);
        Assert.Equal(2UL, sdp.Origin.SessionVersion);
        Assert.Equal("127.0.0.1", sdp.Origin.UnicastAddress);
        Assert.Equal([new SdpTiming(0, 0)], sdp.GetTimings());
        SdpGroup bundle = Assert.Single(sdp.GetBundleGroups());
        Assert.Equal(["0"], bundle.Mids);
        Assert.True(sdp.ExtMapAllowMixed);
        Assert.False(sdp.IceLite);

        MediaDescription audio = Assert.Single(sdp.MediaDescriptions);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(35502, audio.MediaLine.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.MediaLine.Protocol);
        Assert.Equal([111, 63, 9, 0, 8, 13, 110, 126], audio.GetPayloadTypes());
        Assert.Equal(new SdpConnection("IN", "IP4", "127.0.0.1"), audio.GetConnection());
        Assert.Equal(new RtcpAddress(9, new SdpConnection("IN", "IP4", "0.0.0.0")), audio.Rtcp);
        Assert.Equal("0", audio.Mid);
        Assert.Equal("uXCP", audio.IceUfrag);
        Assert.Equal("kwo+TXr79w+XDcVuOxsbT+26", audio.IcePwd);
        Assert.Equal(["trickle"], audio.GetIceOptions());
        SdpFingerprint fp = Assert.Single(audio.GetFingerprints());
        Assert.Equal("sha-256", fp.HashFunction);
        Assert.Equal(32, fp.GetHashBytes().Length);
        Assert.Equal(0x1C, fp.GetHashBytes()[0]);
        Assert.Equal(SetupRole.ActPass, audio.Setup);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.False(audio.RtcpMuxOnly);
        Assert.True(audio.RtcpReducedSize);
        Assert.False(audio.EndOfCandidates);
        Assert.Equal(
            [
                new ExtMap(1, ExtMap.AudioLevelUri),
                new ExtMap(2, ExtMap.AbsSendTimeUri),
                new ExtMap(3, ExtMap.TransportWideCcUri),
                new ExtMap(4, ExtMap.MidUri),
            ],
            audio.GetExtMaps());
        Assert.Equal(new RtpMap(111, "opus", 48000, 2), audio.GetRtpMap(111));
        Assert.Equal(new RtpMap(9, "G722", 8000), audio.GetRtpMap(9));
        Assert.Equal(8, audio.GetRtpMaps().Count);
        FormatParameters opus = audio.GetFormatParameters("111")!;
        Assert.Equal([new FormatParameter("minptime", "10"), new FormatParameter("useinbandfec", "1")], opus.GetParameters());
        Assert.True(opus.TryGetParameter("USEINBANDFEC", out string? fec));
        Assert.Equal("1", fec);
        Assert.Equal([new FormatParameter("111/111", null)], audio.GetFormatParameters("63")!.GetParameters());
        Assert.Equal([new RtcpFeedback("111", "transport-cc")], audio.GetRtcpFeedback());
        Assert.Equal(
            [new Msid("2125aea3-8baa-4c52-9d15-f720b737a0ef", "80c2b7a1-f611-46a0-a607-f061027d8c5b")],
            audio.GetMsids());
        Assert.Equal([2463569178u], audio.GetSsrcs());
        Assert.Equal(
            [
                new SsrcAttribute(2463569178, "cname", "9wR9xkI1JNX3+WYf"),
                new SsrcAttribute(2463569178, "msid", "2125aea3-8baa-4c52-9d15-f720b737a0ef 80c2b7a1-f611-46a0-a607-f061027d8c5b"),
            ],
            audio.GetSsrcAttributes());
        Assert.Equal(
            ["1180986349 1 udp 2122260223 127.0.0.1 35502 typ host generation 0 network-id 1 network-cost 50"],
            audio.GetCandidates());
        Assert.Equal("rcvr-rtt=all", audio.GetAttribute("rtcp-xr"));
    }

    [Fact]
    public void FirefoxOfferTypedValuesIncludingSessionLevelAttributes()
    {
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.FirefoxOffer);
        Assert.Equal("mozilla...THIS_IS_SDPARTA-99.0", sdp.Origin.Username);
        Assert.Equal(0UL, sdp.Origin.SessionVersion);
        Assert.Equal(MediaDirection.SendRecv, sdp.Direction);
        Assert.Single(sdp.GetFingerprints());
        Assert.Equal(["trickle"], sdp.GetIceOptions());
        MediaDescription audio = Assert.Single(sdp.MediaDescriptions);
        Assert.Empty(audio.GetFingerprints());
        Assert.Equal(sdp.GetFingerprints(), sdp.GetEffectiveFingerprints(audio));
        Assert.Equal(["trickle"], sdp.GetEffectiveIceOptions(audio));
        Assert.Equal("0d015eff", sdp.GetEffectiveIceUfrag(audio));
        Assert.Equal("9ed703db7b592a8083e8ae8a487570e3", sdp.GetEffectiveIcePwd(audio));
        Assert.Null(sdp.IceUfrag);
        Assert.Equal(SetupRole.ActPass, sdp.GetEffectiveSetup(audio));
        Assert.True(audio.ExtMapAllowMixed);
        Assert.False(sdp.ExtMapAllowMixed);
        Assert.True(sdp.GetEffectiveExtMapAllowMixed(audio));
        Assert.Contains(new ExtMap(2, ExtMap.CsrcAudioLevelUri, MediaDirection.RecvOnly), audio.GetExtMaps());
        Assert.Equal(new ExtMap(7, ExtMap.TransportWideCcUri), audio.GetExtMaps()[3]);
        Assert.Equal(new RtpMap(109, "opus", 48000, 2), audio.GetRtpMap(109));
        Assert.Equal(new RtpMap(9, "G722", 8000, 1), audio.GetRtpMap(9));
        Assert.Equal(4, audio.GetRtcpFeedback().Count);
        Assert.True(audio.GetRtcpFeedback()[0].AppliesTo(109));
        Assert.False(audio.GetRtcpFeedback()[0].AppliesTo(9));
        Assert.Equal([new FormatParameter("0-15", null)], audio.GetFormatParameters("101")!.GetParameters());
        Assert.Equal(
            [new Msid("{e09e91fe-d384-4605-88c3-f5321c3eb2e4}", "{07211397-c708-46d3-8ca1-dd2744169fff}")],
            audio.GetMsids());
        Assert.Equal([1405788146u], audio.GetSsrcs());
        Assert.Empty(audio.GetCandidates());
    }

    [Fact]
    public void ChromiumAudioVideoDataOfferTypedValues()
    {
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.ChromiumOfferAudioVideoData);
        Assert.Equal("127.0.0.1", sdp.Origin.UnicastAddress);
        Assert.Equal(["0", "1", "2"], Assert.Single(sdp.GetBundleGroups()).Mids);
        Assert.True(sdp.ExtMapAllowMixed);
        Assert.Equal(["audio", "video", "application"], sdp.MediaDescriptions.Select(m => m.Media));
        Assert.Equal(["0", "1", "2"], sdp.MediaDescriptions.Select(m => m.Mid));
        Assert.Equal([35564, 39523, 39604], sdp.MediaDescriptions.Select(m => m.MediaLine.Port));

        // One ICE/DTLS transport's credentials repeated in every section (bundle not yet negotiated),
        // but candidates gathered per section: a UDP host and a TCP active candidate each.
        foreach (MediaDescription m in sdp.MediaDescriptions)
        {
            Assert.Equal("kusz", m.IceUfrag);
            Assert.Equal("jOgbsiyybcKzHnYRm+2O1q8s", m.IcePwd);
            Assert.Equal(0xF2, Assert.Single(m.GetFingerprints()).GetHashBytes()[0]);
            Assert.Equal(SetupRole.ActPass, m.Setup);
            Assert.Equal(new SdpConnection("IN", "IP4", "127.0.0.1"), m.GetConnection());
            Assert.Equal(2, m.GetCandidates().Count);
            Assert.Contains($"127.0.0.1 {m.MediaLine.Port} typ host", m.GetCandidates()[0], StringComparison.Ordinal);
            Assert.Contains("tcptype active", m.GetCandidates()[1], StringComparison.Ordinal);
            Assert.False(m.EndOfCandidates);
        }

        MediaDescription video = sdp.MediaDescriptions[1];
        Assert.Equal(23, video.GetPayloadTypes().Count);
        Assert.Equal(23, video.GetRtpMaps().Count);
        Assert.Equal(new RtpMap(96, "VP8", 90000), video.GetRtpMap(96));
        Assert.Equal(new RtpMap(97, "rtx", 90000), video.GetRtpMap(97));
        Assert.Equal(new RtpMap(45, "AV1", 90000), video.GetRtpMap(45));
        Assert.Equal([new FormatParameter("apt", "96")], video.GetFormatParameters("97")!.GetParameters());
        Assert.True(video.GetFormatParameters("102")!.TryGetParameter("profile-level-id", out string? profile));
        Assert.Equal("42001f", profile);
        Assert.Equal(
            [
                new RtcpFeedback("96", "goog-remb"),
                new RtcpFeedback("96", "transport-cc"),
                new RtcpFeedback("96", "ccm", "fir"),
                new RtcpFeedback("96", "nack"),
                new RtcpFeedback("96", "nack", "pli"),
            ],
            video.GetRtcpFeedback().Where(f => f.AppliesTo(96)));
        Assert.Equal(11, video.GetExtMaps().Count);
        Assert.Equal(new ExtMap(14, "urn:ietf:params:rtp-hdrext:toffset"), video.GetExtMaps()[0]);
        Assert.Contains(new ExtMap(4, ExtMap.MidUri), video.GetExtMaps());
        SsrcGroup fid = Assert.Single(video.GetSsrcGroups());
        Assert.Equal("FID", fid.Semantics);
        Assert.Equal([335349151u, 1296855676u], fid.Ssrcs);
        Assert.Equal([335349151u, 1296855676u], video.GetSsrcs());
        Assert.Equal(
            [new Msid("b366426c-46eb-4d3d-b656-8d3de35c0c73", "356d4de2-08e8-4f33-995a-8d795f5dced0")],
            video.GetMsids());
        Assert.True(video.RtcpMux);
        Assert.True(video.RtcpReducedSize);

        MediaDescription data = sdp.MediaDescriptions[2];
        Assert.Equal("UDP/DTLS/SCTP", data.MediaLine.Protocol);
        Assert.Equal(["webrtc-datachannel"], data.MediaLine.Formats);
        Assert.Empty(data.GetPayloadTypes());
        Assert.Equal("5000", data.GetAttribute("sctp-port"));
        Assert.Equal("262144", data.GetAttribute("max-message-size"));
        Assert.Null(data.Rtcp);
        Assert.False(data.RtcpMux);
        Assert.Empty(data.GetSsrcs());
    }

    [Fact]
    public void FirefoxGatheredOfferTypedValues()
    {
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.FirefoxOfferGathered);
        Assert.Equal("0.0.0.0", sdp.Origin.UnicastAddress);
        MediaDescription audio = Assert.Single(sdp.MediaDescriptions);

        // m= and c= carry the default candidate, a=rtcp the RTCP (component 2) one, even with rtcp-mux.
        Assert.Equal(58663, audio.MediaLine.Port);
        Assert.Equal(new SdpConnection("IN", "IP4", "127.0.0.1"), audio.GetConnection());
        Assert.Equal(new RtcpAddress(58971, new SdpConnection("IN", "IP4", "127.0.0.1")), audio.Rtcp);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.EndOfCandidates);
        Assert.Equal(
            [
                "0 1 UDP 2122187007 127.0.0.1 58663 typ host",
                "1 1 UDP 2122252543 ::1 42005 typ host",
                "2 1 TCP 2105458943 127.0.0.1 9 typ host tcptype active",
                "3 1 TCP 2105524479 ::1 9 typ host tcptype active",
                "0 2 UDP 2122187006 127.0.0.1 58971 typ host",
                "1 2 UDP 2122252542 ::1 48114 typ host",
                "2 2 TCP 2105458942 127.0.0.1 9 typ host tcptype active",
                "3 2 TCP 2105524478 ::1 9 typ host tcptype active",
            ],
            audio.GetCandidates());
        Assert.Equal("5c2afce6", sdp.GetEffectiveIceUfrag(audio));
        Assert.Equal("5c8e56706ea9df70888599fb6bbac641", sdp.GetEffectiveIcePwd(audio));
        Assert.Equal(0xEF, Assert.Single(sdp.GetEffectiveFingerprints(audio)).GetHashBytes()[0]);
        Assert.Equal(MediaDirection.SendRecv, sdp.Direction);
        Assert.Equal(MediaDirection.SendRecv, audio.Direction);
        Assert.Equal(new RtpMap(109, "opus", 48000, 2), audio.GetRtpMap(109));
        Assert.Equal(
            [new FormatParameter("maxplaybackrate", "48000"), new FormatParameter("stereo", "1"), new FormatParameter("useinbandfec", "1")],
            audio.GetFormatParameters("109")!.GetParameters());
        Assert.Contains(new ExtMap(2, ExtMap.CsrcAudioLevelUri, MediaDirection.RecvOnly), audio.GetExtMaps());
        Assert.Equal([2320802577u], audio.GetSsrcs());
    }

    [Fact]
    public void AnswersCarryTheirRoles()
    {
        SessionDescription chromium = SdpFixtures.Parse(SdpFixtures.ChromiumAnswer);
        Assert.Equal(SetupRole.Active, chromium.MediaDescriptions[0].Setup);
        Assert.Equal(MediaDirection.RecvOnly, chromium.MediaDescriptions[0].Direction);
        SessionDescription firefox = SdpFixtures.Parse(SdpFixtures.FirefoxAnswer);
        Assert.Equal(SetupRole.Active, firefox.GetEffectiveSetup(firefox.MediaDescriptions[0]));
        Assert.Equal(MediaDirection.RecvOnly, firefox.GetEffectiveDirection(firefox.MediaDescriptions[0]));
        Assert.Equal([new SsrcAttribute(3738902538, "cname", "{e33e4fb6-5c85-4f9e-ba43-79d533f9af0e}")], firefox.MediaDescriptions[0].GetSsrcAttributes());
    }

    [Fact]
    public void SimulcastRidAndSsrcGroupLinesAreTyped()
    {
        string text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=group:LS 0 1\r\n" +
            "m=video 0 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\nb=AS:2500\r\na=mid:1\r\na=bundle-only\r\n" +
            "a=rid:h send pt=96,97;max-width=1280;max-height=720\r\na=rid:m send\r\na=rid:l recv max-fps=15\r\n" +
            "a=simulcast:send h;m,~l recv r1\r\na=ssrc-group:FID 1111 2222\r\na=ssrc-group:SIM 1 2 3\r\n" +
            "a=rtcp-fb:* nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\na=extmap:14/sendonly urn:x:y some attrs\r\n" +
            "a=rtcp-mux-only\r\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host\r\na=end-of-candidates\r\n";
        SessionDescription sdp = SessionDescription.Parse(text);
        Assert.Equal(text, sdp.ToString());
        Assert.Equal(2, sdp.GetGroups().Count);
        Assert.Single(sdp.GetBundleGroups());
        Assert.Equal(sdp.GetBundleGroups()[0], sdp.FindBundleGroup("1"));
        MediaDescription video = sdp.MediaDescriptions[0];
        Assert.True(video.BundleOnly);
        Assert.False(video.IsRejected);
        Assert.True(video.RtcpMuxOnly);
        Assert.True(video.EndOfCandidates);
        Assert.Equal([new SdpBandwidth("AS", 2500)], video.GetBandwidths());
        IReadOnlyList<Rid> rids = video.GetRids();
        Assert.Equal(3, rids.Count);
        Assert.Equal(RidDirection.Send, rids[0].Direction);
        Assert.Equal(["96", "97"], rids[0].GetPayloadTypes());
        Assert.Equal([new FormatParameter("max-width", "1280"), new FormatParameter("max-height", "720")], rids[0].GetRestrictions());
        Assert.Null(rids[1].Parameters);
        Assert.Equal(RidDirection.Receive, rids[2].Direction);
        Simulcast sc = video.Simulcast!;
        Assert.Equal(2, sc.Send.Count);
        Assert.Equal([new SimulcastStream("m"), new SimulcastStream("l", Paused: true)], sc.Send[1]);
        Assert.Equal([new SimulcastStream("r1")], Assert.Single(sc.Receive));
        Assert.Equal("send h;m,~l recv r1", sc.ToString());
        Assert.Equal([new SsrcGroup("FID", [1111u, 2222u]), new SsrcGroup("SIM", [1u, 2u, 3u])], video.GetSsrcGroups());
        Assert.Equal(
            [new RtcpFeedback("*", "nack"), new RtcpFeedback("96", "nack", "pli"), new RtcpFeedback("96", "ccm", "fir")],
            video.GetRtcpFeedback());
        Assert.True(video.GetRtcpFeedback()[0].AppliesTo(97));
        Assert.Equal(new ExtMap(14, "urn:x:y", MediaDirection.SendOnly, "some attrs"), Assert.Single(video.GetExtMaps()));
    }

    [Fact]
    public void TypedSettersEditLinesInPlace()
    {
        SessionDescription sdp = SdpFixtures.Parse(SdpFixtures.ChromiumOffer);
        MediaDescription audio = sdp.MediaDescriptions[0];
        int index = audio.Lines.IndexOfAttribute("sendrecv");
        audio.Direction = MediaDirection.RecvOnly;
        Assert.Equal("a=recvonly", audio.Lines[index].ToString());
        audio.Setup = SetupRole.Passive;
        Assert.Equal("passive", audio.GetAttribute("setup"));
        audio.RtcpReducedSize = false;
        Assert.False(audio.HasAttribute("rtcp-rsize"));
        audio.IceUfrag = null;
        Assert.Null(audio.IceUfrag);
        audio.EndOfCandidates = true;
        Assert.Equal("a=end-of-candidates", audio.Lines[^1].ToString());
        audio.MediaLine = audio.MediaLine.WithPort(0);
        Assert.True(audio.IsRejected);
        sdp.Origin = sdp.Origin.WithSessionVersion(3);

        SessionDescription again = SessionDescription.Parse(sdp.ToString());
        Assert.Equal(sdp.ToString(), again.ToString());
        Assert.Equal(3UL, again.Origin.SessionVersion);
        Assert.Equal(MediaDirection.RecvOnly, again.MediaDescriptions[0].Direction);
    }

    [Fact]
    public void ApiMisuseThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SdpLine.Attribute("rtpmap", "x opus/48000"));
        Assert.Throws<ArgumentException>(() => SdpLine.Attribute("bad name"));
        Assert.Throws<ArgumentException>(() => SdpLine.Attribute("x", "a\r\nb=c"));
        Assert.Throws<ArgumentException>(() => SdpLine.Create('x', "1"));
        var sdp = new SessionDescription(new SdpOrigin("-", 1, 1));
        Assert.Throws<ArgumentException>(() => sdp.Lines.Add(SdpLine.Create('m', "audio 9 RTP/AVP 0")));
        var media = new MediaDescription(new SdpMediaLine("audio", 9, "RTP/AVP", ["0"]));
        Assert.Throws<ArgumentException>(() => media.Lines.Add(new SdpTiming(0, 0).ToLine()));
        Assert.Throws<ArgumentException>(() => new SdpMediaLine("audio", 9, "RTP AVP", ["0"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SdpMediaLine("audio", 70000, "RTP/AVP", ["0"]));
        Assert.Throws<ArgumentException>(() => sdp.SessionName = "");
        Assert.Throws<SdpParseException>(() => SessionDescription.Parse("v=1\r\n"));
    }
}
