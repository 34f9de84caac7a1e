using Xunit;

namespace RtcStack.Opus.Tests;

/// <summary>
/// RFC 7587 §6.1 and §7.1: the remote receiver's fmtp applied to our encoder, one parameter per
/// test, on both implementations, checked on the packets the encoder then produces (not just the
/// control values).
/// </summary>
public sealed class OpusFmtpEncoderTests
{
    public static TheoryData<OpusImplementation> Implementations => new() { OpusImplementation.LibOpus, OpusImplementation.Concentus };

    [Theory]
    [MemberData(nameof(Implementations))]
    public void StereoZeroOrAbsentMeansMonoPacketsStereoOneAllowsStereo(OpusImplementation kind)
    {
        // Different content per channel, so an encoder left to itself codes stereo.
        Assert.All(EncodeStereoMusic(kind, ""), p => Assert.False(Toc(p).IsStereo));
        Assert.All(EncodeStereoMusic(kind, "stereo=0"), p => Assert.False(Toc(p).IsStereo));
        Assert.All(EncodeStereoMusic(kind, "stereo=1"), p => Assert.True(Toc(p).IsStereo));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void SpropStereoDescribesTheSenderAndDoesNotMakeUsSendStereo(OpusImplementation kind)
    {
        // sprop-stereo=1 is the remote telling us it sends stereo: our decoder gets 2 channels,
        // our encoder still must not send stereo to a receiver that did not ask for it.
        Assert.All(EncodeStereoMusic(kind, "sprop-stereo=1"), p => Assert.False(Toc(p).IsStereo));
        Assert.Equal(2, OpusFmtp.Parse("sprop-stereo=1").DecoderChannels);
        Assert.Equal(1, OpusFmtp.Parse("sprop-stereo=0").DecoderChannels);
        Assert.Equal(1, OpusFmtp.Parse("stereo=1").DecoderChannels);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void MaxAverageBitrateCapsTheBitrate(OpusImplementation kind)
    {
        List<byte[]> free = EncodeSpeech(kind, "", bitrate: 64000, out _);
        List<byte[]> capped = EncodeSpeech(kind, "maxaveragebitrate=20000", bitrate: 64000, out IOpusEncoder encoder);
        Assert.Equal(20000, encoder.Bitrate);
        double freeRate = BitsPerSecond(free), cappedRate = BitsPerSecond(capped);
        Assert.True(cappedRate <= 20000 * 1.1, $"{cappedRate:F0} b/s with maxaveragebitrate=20000");
        Assert.True(freeRate > 40000, $"{freeRate:F0} b/s without a cap");

        // Below the cap the requested rate stands.
        EncodeSpeech(kind, "maxaveragebitrate=20000", bitrate: 16000, out encoder);
        Assert.Equal(16000, encoder.Bitrate);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void MaxPlaybackRateLimitsTheCodedBandwidth(OpusImplementation kind)
    {
        Assert.Contains(EncodeSpeech(kind, "", 64000, out _), p => Toc(p).Bandwidth == OpusBandwidth.Fullband);
        Assert.All(EncodeSpeech(kind, "maxplaybackrate=16000", 64000, out _), p => Assert.True(Toc(p).Bandwidth <= OpusBandwidth.Wideband));
        Assert.All(EncodeSpeech(kind, "maxplaybackrate=8000", 64000, out _), p => Assert.Equal(OpusBandwidth.Narrowband, Toc(p).Bandwidth));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void UseInbandFecTurnsOnLbrr(OpusImplementation kind)
    {
        Assert.DoesNotContain(EncodeSpeech(kind, "maxplaybackrate=16000", 24000, out _, loss: 20), HasLbrr);
        List<byte[]> fec = EncodeSpeech(kind, "maxplaybackrate=16000;useinbandfec=1", 24000, out IOpusEncoder encoder, loss: 20);
        Assert.True(encoder.InbandFec);
        Assert.True(fec.Count(HasLbrr) > fec.Count / 2, $"{fec.Count(HasLbrr)} of {fec.Count} packets carry LBRR");
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void UseDtxShrinksSilenceToTocOnlyPackets(OpusImplementation kind)
    {
        List<byte[]> normal = EncodeSilence(kind, "");
        List<byte[]> dtx = EncodeSilence(kind, "usedtx=1");
        Assert.DoesNotContain(normal, p => p.Length <= 2);
        Assert.True(dtx.Count(p => p.Length <= 2) > dtx.Count / 2, $"{dtx.Count(p => p.Length <= 2)} of {dtx.Count} DTX packets");
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void CbrMakesEveryPacketTheSameSize(OpusImplementation kind)
    {
        List<byte[]> vbr = EncodeSpeech(kind, "", 32000, out IOpusEncoder encoder);
        Assert.True(encoder.Vbr);
        Assert.True(vbr.Select(p => p.Length).Distinct().Count() > 5, "VBR packets all had one size");
        List<byte[]> cbr = EncodeSpeech(kind, "cbr=1", 32000, out encoder);
        Assert.False(encoder.Vbr);
        Assert.All(cbr, p => Assert.Equal(80, p.Length)); // 32000 b/s * 20 ms / 8
    }

    [Theory]
    [InlineData(null, 960, 1)]
    [InlineData("ptime=20", 960, 1)]
    [InlineData("ptime=3", 120, 1)]
    [InlineData("ptime=5", 240, 1)]
    [InlineData("ptime=10", 480, 1)]
    [InlineData("ptime=13", 120, 5)]
    [InlineData("ptime=30", 480, 3)]
    [InlineData("ptime=40", 1920, 1)]
    [InlineData("ptime=60", 2880, 1)]
    [InlineData("ptime=120", 2880, 2)]
    [InlineData("ptime=7", 240, 1)]
    [InlineData("ptime=60;maxptime=40", 1920, 1)]
    public void PtimeChoosesTheFrameLayout(string? fmtp, int frameSamples48k, int framesPerPacket)
        => Assert.Equal((frameSamples48k, framesPerPacket), OpusFmtp.Parse(fmtp).EncoderFrameLayout);

    [Theory]
    [MemberData(nameof(Implementations))]
    public void PtimeGivesPacketsOfThatDurationThroughThePacketizer(OpusImplementation kind)
    {
        OpusFmtp fmtp = OpusFmtp.Parse("ptime=30");
        (int frame, int perPacket) = fmtp.EncoderFrameLayout;
        // CELT only and a steady tone: an encoder switching mode or bandwidth (as it does on speech)
        // cuts packets short, because frames with different TOCs cannot share one Opus packet
        // (RFC 6716 §3.2), which is the packetizer's rule, not ptime's.
        using IOpusEncoder encoder = Provider(kind).CreateEncoder(48000, 1, OpusApplication.RestrictedLowDelay);
        fmtp.ConfigureEncoder(encoder, 32000);
        var packetizer = new OpusRtpPacketizer(0, fmtp.EffectivePtime);
        var pcm = new short[frame];
        var packet = new byte[1500];
        var payload = new byte[1500];
        var durations = new List<uint>();
        uint? last = null;
        for (int k = 0; k < 30; k++)
        {
            Signals.FillTone(pcm, 1, 48000, 1000, 0.3, (long)k * frame);
            Assert.Equal(OpusPacketStatus.Valid, packetizer.Push(packet.AsSpan(0, encoder.Encode(pcm, packet))));
            while (packetizer.TryPoll(payload, out OpusRtpPayload rtp))
            {
                if (last is uint previous)
                {
                    durations.Add(rtp.Timestamp - previous);
                }

                last = rtp.Timestamp;
            }
        }

        Assert.Equal(3, perPacket);
        Assert.Equal(9, durations.Count);
        Assert.All(durations, d => Assert.Equal(1440u, d)); // 30 ms at 48 kHz
    }

    private static OpusCodecProvider Provider(OpusImplementation kind)
        => new(kind == OpusImplementation.LibOpus ? OpusImplementationPreference.LibOpus : OpusImplementationPreference.Concentus);

    private static OpusToc Toc(byte[] packet)
    {
        Assert.True(OpusPacket.TryParse(packet, out OpusPacket parsed));
        return parsed.Toc;
    }

    private static bool HasLbrr(byte[] packet)
        => OpusPacketInspector.Inspect(packet, out OpusPacketInfo info) == OpusPacketStatus.Valid && info.HasLbrr;

    private static double BitsPerSecond(List<byte[]> packets) => packets.Sum(p => p.Length) * 8.0 / (packets.Count * 0.02);

    private static List<byte[]> EncodeStereoMusic(OpusImplementation kind, string fmtp)
    {
        using IOpusEncoder encoder = Provider(kind).CreateEncoder(48000, 2, OpusApplication.Audio);
        OpusFmtp.Parse(fmtp).ConfigureEncoder(encoder, 96000);
        var pcm = new short[1920];
        var buffer = new byte[1500];
        var packets = new List<byte[]>();
        for (int k = 0; k < 25; k++)
        {
            ConcentusDifferentialTests.Fill(pcm, 2, ConcentusDifferentialTests.Content.Music, k * 960L);
            packets.Add(buffer.AsSpan(0, encoder.Encode(pcm, buffer)).ToArray());
        }

        return packets.GetRange(5, 20); // after the encoder has settled on a mode
    }

    private static List<byte[]> EncodeSpeech(OpusImplementation kind, string fmtp, int bitrate, out IOpusEncoder encoder, int loss = 0)
    {
        encoder = Provider(kind).CreateEncoder(48000, 1, OpusApplication.Voip);
        encoder.PacketLossPercentage = loss;
        OpusFmtp.Parse(fmtp).ConfigureEncoder(encoder, bitrate);
        var pcm = new short[960];
        var buffer = new byte[1500];
        var packets = new List<byte[]>();
        for (int k = 0; k < 60; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, k * 960L, silent: false);
            packets.Add(buffer.AsSpan(0, encoder.Encode(pcm, buffer)).ToArray());
        }

        return packets.GetRange(10, 50);
    }

    private static List<byte[]> EncodeSilence(OpusImplementation kind, string fmtp)
    {
        using IOpusEncoder encoder = Provider(kind).CreateEncoder(48000, 1, OpusApplication.Voip);
        OpusFmtp.Parse(fmtp).ConfigureEncoder(encoder, 32000);
        var pcm = new short[960];
        var buffer = new byte[1500];
        var packets = new List<byte[]>();
        for (int k = 0; k < 100; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, k * 960L, silent: k >= 20);
            packets.Add(buffer.AsSpan(0, encoder.Encode(pcm, buffer)).ToArray());
        }

        return packets.GetRange(40, 60);
    }
}
