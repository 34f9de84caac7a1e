using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.WebRtc.Tests;

public sealed class AudioTrackTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ToneSurvivesEncodeSrtpDecodeBothWays(int dropEvery)
    {
        LibOpusReference.Require();
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = PeerSessionTests.Connect(PeerSessionTests.Options(31), PeerSessionTests.Options(32));
        if (dropEvery > 0)
        {
            // Lose one RTP packet in dropEvery each way (no NACK: retransmission would hide the loss).
            int n = 0;
            net.Drop = (_, _, data) => data.Length > 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223 && ++n % dropEvery == 0;
        }

        using var sendA = new OpusAudioSender(a.Session, initialTimestamp: 1000);
        using var sendB = new OpusAudioSender(b.Session, initialTimestamp: 5000);
        using var recvA = new OpusAudioReceiver();
        using var recvB = new OpusAudioReceiver();
        var pcmA = new List<short>();
        var pcmB = new List<short>();
        short[] out1 = new short[recvA.MaxOutputSamples];
        a.OnMedia = (f, p) => pcmA.AddRange(out1.AsSpan(0, recvA.Decode(p, f, out1)).ToArray());
        b.OnMedia = (f, p) => pcmB.AddRange(out1.AsSpan(0, recvB.Decode(p, f, out1)).ToArray());
        short[] frame = new short[sendA.FrameSamples];
        long sample = 0;
        net.RunFor(TimeSpan.FromSeconds(2), now =>
        {
            Goertzel.Tone(frame, 440, 48000, sample);
            sendA.Send(frame, now);
            Goertzel.Tone(frame, 660, 48000, sample);
            sendB.Send(frame, now);
            sample += frame.Length;
        });

        // Skip the first 200 ms (encoder start-up), then check the strongest tone.
        (double fB, double ratioB) = Goertzel.Strongest(pcmB.ToArray().AsSpan(9600), 48000, 440, 660, 550, 880);
        (double fA, double ratioA) = Goertzel.Strongest(pcmA.ToArray().AsSpan(9600), 48000, 440, 660, 550, 880);
        Assert.Equal(440, fB);
        Assert.Equal(660, fA);
        Assert.True(ratioA > 100 && ratioB > 100, $"tone ratios {ratioA:0.#} {ratioB:0.#}");
        // Every 20 ms of the call is in the output: decoded, recovered or concealed.
        Assert.InRange(pcmB.Count, 99 * 960, 101 * 960);
        if (dropEvery > 0)
        {
            Assert.True(recvB.FecSamples > 0, "single losses are recovered from in-band FEC (RFC 7587 §3.3)");
            Assert.True(recvB.FecSamples + recvB.ConcealedSamples >= 10 * 960);
        }
        else
        {
            Assert.Equal(0, recvB.ConcealedSamples + recvB.FecSamples);
        }
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
