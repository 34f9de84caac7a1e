using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using Xunit;

namespace RtcStack.WebRtc.Tests.Jsep;

/// <summary>SdpCodec: reading payload types from an m= section and the codec matching rules (RFC 3264 §6.1, RFC 6184 §8.2.2, RFC 9628 §6).</summary>
public sealed class SdpCodecTests
{
    private static readonly CodecCapability s_cb31 = H264("42e01f", "1");

    private static CodecCapability H264(string profileLevelId, string mode) => new("H264", 90000)
    {
        Parameters = [new FormatParameter("level-asymmetry-allowed", "1"), new FormatParameter("packetization-mode", mode), new FormatParameter("profile-level-id", profileLevelId)],
    };

    private static SdpCodec Offered(string rtpmap, string? fmtp = null, params string[] feedback)
    {
        int pt = int.Parse(rtpmap[..rtpmap.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        var m = new MediaDescription(new SdpMediaLine("video", 9, "UDP/TLS/RTP/SAVPF", [pt.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        m.AddAttribute("rtpmap", rtpmap);
        if (fmtp is not null)
        {
            m.AddAttribute("fmtp", pt + " " + fmtp);
        }

        foreach (string fb in feedback)
        {
            m.AddAttribute("rtcp-fb", fb);
        }

        return Assert.Single(SdpCodec.Read(m));
    }

    [Theory]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", true)]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034", true)]
    [InlineData("packetization-mode=1;profile-level-id=42e00a", true)]
    [InlineData("packetization-mode=1", true)]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f", false)]
    [InlineData("level-asymmetry-allowed=1;profile-level-id=42e01f", false)]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", false)]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f", false)]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f", false)]
    [InlineData("packetization-mode=1;profile-level-id=zzzzzz", false)]
    public void H264MatchesByProfileAndPacketizationModeNotLevel(string fmtp, bool matches) =>
        Assert.Equal(matches, Offered("102 H264/90000", fmtp).Matches(s_cb31));

    [Theory]
    [InlineData("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e00a", "42e01f")]
    [InlineData("packetization-mode=1;profile-level-id=42e00a", "42e00a")]
    [InlineData("packetization-mode=1;profile-level-id=42e034", "42e01f")]
    [InlineData("packetization-mode=1", "42e01f")]
    public void H264AnswerLevelFollowsLevelAsymmetry(string fmtp, string answered)
    {
        IReadOnlyList<FormatParameter> p = Offered("102 H264/90000", fmtp).AnswerParameters(s_cb31);
        Assert.Equal(answered, p.Single(x => x.Name == "profile-level-id").Value);
        Assert.Equal("1", p.Single(x => x.Name == "packetization-mode").Value);
    }

    [Theory]
    [InlineData("98 VP9/90000", null, "0", true)]
    [InlineData("98 VP9/90000", "profile-id=0", "0", true)]
    [InlineData("98 VP9/90000", "profile-id=2", "0", false)]
    [InlineData("98 VP9/90000", "profile-id=2", "2", true)]
    public void Vp9MatchesByProfileId(string rtpmap, string? fmtp, string profile, bool matches) =>
        Assert.Equal(matches, Offered(rtpmap, fmtp).Matches(new CodecCapability("VP9", 90000) { Parameters = [new FormatParameter("profile-id", profile)] }));

    [Theory]
    [InlineData("111 opus/48000/2", true)]
    [InlineData("111 OPUS/48000", true)]
    [InlineData("111 opus/48000/1", false)]
    [InlineData("111 opus/16000/2", false)]
    public void OpusWithoutAChannelCountIsStereo(string rtpmap, bool matches) =>
        Assert.Equal(matches, Offered(rtpmap).Matches(new CodecCapability("opus", 48000, 2)));

    [Fact]
    public void ReadsRtxAptAndExpandsWildcardFeedback()
    {
        var m = new MediaDescription(new SdpMediaLine("video", 9, "UDP/TLS/RTP/SAVPF", ["96", "97", "98", "96"]));
        m.AddAttribute("rtpmap", "96 VP8/90000");
        m.AddAttribute("rtpmap", "97 rtx/90000");
        m.AddAttribute("fmtp", "97 apt=96");
        m.AddAttribute("rtpmap", "98 rtx/90000");
        m.AddAttribute("fmtp", "98 apt=300");
        m.AddAttribute("rtcp-fb", "* nack");
        m.AddAttribute("rtcp-fb", "96 nack pli");
        m.AddAttribute("rtcp-fb", "96 nack");
        List<SdpCodec> codecs = SdpCodec.Read(m);
        Assert.Equal([96, 97, 98], codecs.Select(c => c.PayloadType));
        Assert.Equal(["nack", "nack pli"], codecs[0].Feedback);
        Assert.Equal((-1, 96, -1), (codecs[0].Apt, codecs[1].Apt, codecs[2].Apt));
        Assert.True(codecs[1].IsRtx);
    }

    [Fact]
    public void PayloadTypesWithoutRtpmapAreReadOnlyWhenStatic()
    {
        var m = new MediaDescription(new SdpMediaLine("audio", 9, "UDP/TLS/RTP/SAVPF", ["0", "8", "100"]));
        Assert.Equal(["PCMU", "PCMA"], SdpCodec.Read(m).Select(c => c.Name));
    }
}
