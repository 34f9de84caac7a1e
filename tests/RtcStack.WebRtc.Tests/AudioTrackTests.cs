using RtcStack.TestSupport;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Session;
using Xunit;

namespace RtcStack.WebRtc.Tests;

public sealed class AudioTrackTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ToneSurvivesEncodeSrtpDecodeBothWaysOnWebRtcSession(int dropEvery)
    {
        LibOpusReference.Require();
        using var net = new WebRtcSessionTests.Pair(seed: 41);
        (Transceiver aAudio, _, Transceiver bAudio, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.CanSendMedia, TimeSpan.FromSeconds(10)));
        if (dropEvery > 0)
        {
            // Lose one RTP packet in dropEvery each way (audio has no NACK negotiated: nothing hides the loss).
            int n = 0;
            net.Drop = (_, data) => data.Length > 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223 && ++n % dropEvery == 0;
        }

        using var sendA = new OpusAudioSender(net.A.Session, aAudio, initialTimestamp: 1000);
        using var sendB = new OpusAudioSender(net.B.Session, bAudio, initialTimestamp: 5000);
        short[] frame = new short[sendA.FrameSamples];
        for (long sample = 0; sample < 100 * 960; sample += frame.Length)
        {
            Goertzel.Tone(frame, 440, 48000, sample);
            Assert.True(sendA.Send(frame, net.Now));
            Goertzel.Tone(frame, 660, 48000, sample);
            Assert.True(sendB.Send(frame, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(100));
        using var recvA = new OpusAudioReceiver();
        using var recvB = new OpusAudioReceiver();
        short[] pcmA = Decode(recvA, net.A.Media);
        short[] pcmB = Decode(recvB, net.B.Media);

        (double fB, double ratioB) = Goertzel.Strongest(pcmB.AsSpan(9600), 48000, 440, 660, 550, 880);
        (double fA, double ratioA) = Goertzel.Strongest(pcmA.AsSpan(9600), 48000, 440, 660, 550, 880);
        Assert.Equal(440, fB);
        Assert.Equal(660, fA);
        Assert.True(ratioA > 100 && ratioB > 100, $"tone ratios {ratioA:0.#} {ratioB:0.#}");

        // Every 20 ms from the first packet received to the last is in the output: decoded, recovered or concealed.
        Assert.InRange(pcmB.Length, 98 * 960, 100 * 960);
        Assert.Equal(0, recvB.FramesRefused);
        if (dropEvery > 0)
        {
            Assert.True(recvB.FecSamples > 0, "single losses are recovered from in-band FEC (RFC 7587 §3.3)");
            Assert.True(recvB.FecSamples + recvB.ConcealedSamples >= 10 * 960);
            Assert.Equal(pcmB.Length, (recvB.FramesDecoded * 960) + recvB.FecSamples + recvB.ConcealedSamples);
        }
        else
        {
            Assert.Equal(100, recvB.FramesDecoded);
            Assert.Equal(0, recvB.ConcealedSamples + recvB.FecSamples);
        }
    }

    /// <summary>A duplicate, a late packet and a video frame are refused; a new SSRC starts a new stream without a gap.</summary>
    [Fact]
    public void ReceivedMediaThatIsNotTheNextOpusPacketOfItsStreamIsNotDecoded()
    {
        LibOpusReference.Require();
        using var encoder = new RtcStack.Opus.OpusEncoder(48000, 1, RtcStack.Opus.OpusApplication.Voip);
        byte[] packet = new byte[1275];
        short[] frame = new short[960];
        Goertzel.Tone(frame, 440, 48000, 0);
        int length = encoder.Encode(frame, packet);
        ReadOnlySpan<byte> opus = packet.AsSpan(0, length);
        using var receiver = new OpusAudioReceiver();
        short[] pcm = new short[receiver.MaxOutputSamples];
        static ReceivedMedia Media(uint ssrc, ushort seq, uint ts, bool video = false) => new("0", ssrc, 111, ts, seq, 0, video, false, TimeSpan.Zero);

        Assert.Equal(960, receiver.Decode(opus, Media(1, 10, 0), pcm));
        Assert.Equal(0, receiver.Decode(opus, Media(1, 10, 0), pcm)); // duplicate (RFC 7587 §4.1)
        Assert.Equal(960 * 2, receiver.Decode(opus, Media(1, 12, 960 * 2), pcm)); // one lost (no FEC in this packet): concealed, then decoded
        Assert.Equal(0, receiver.Decode(opus, Media(1, 11, 960), pcm)); // late: its time was concealed already
        Assert.Equal(0, receiver.Decode(opus, Media(1, 13, 960 * 3, video: true), pcm));
        Assert.Equal(0, receiver.Decode([0xFF], Media(1, 13, 960 * 3), pcm)); // not one valid Opus packet (§4.2)
        Assert.Equal(960, receiver.Decode(opus, Media(2, 500, 123456), pcm)); // a new source: no gap to fill
        Assert.Equal(4, receiver.FramesRefused);
        Assert.Equal(3, receiver.FramesDecoded);
        Assert.Equal(960, receiver.ConcealedSamples);
    }

    private static short[] Decode(OpusAudioReceiver receiver, List<(ReceivedMedia Media, byte[] Data)> received)
    {
        var pcm = new List<short>();
        short[] buffer = new short[receiver.MaxOutputSamples];
        foreach ((ReceivedMedia m, byte[] data) in received)
        {
            Assert.False(m.IsVideo);
            pcm.AddRange(buffer.AsSpan(0, receiver.Decode(data, m, buffer)).ToArray());
        }

        return [.. pcm];
    }

    [Theory]
    [InlineData(0, 127)]
    [InlineData(32767, 0)]
    [InlineData(3277, 20)]
    public void AudioLevelIsRmsInDbov(short amplitude, int level)
    {
        // RFC 6464 §3: a full-scale square wave is 0 dBov; silence is 127.
        short[] pcm = new short[960];
        for (int i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(i % 2 == 0 ? amplitude : -amplitude);
        }

        Assert.Equal(level, OpusAudioSender.AudioLevel(pcm));
    }
}
