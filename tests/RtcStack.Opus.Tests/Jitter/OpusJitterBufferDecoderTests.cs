using RtcStack.Opus.Jitter;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>The jitter buffer over the real libopus binding: in-band FEC found and used, and no allocation per packet.</summary>
public sealed class OpusJitterBufferDecoderTests
{
    private static List<byte[]> EncodeSpeech(int packets)
    {
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
        encoder.Bitrate = 24000;
        encoder.InbandFec = true;
        encoder.PacketLossPercentage = 20;
        var encoded = new List<byte[]>();
        var pcm = new short[960];
        var buffer = new byte[1500];
        for (int k = 0; k < packets; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, (long)k * 960, silent: false);
            int n = encoder.Encode(pcm, buffer);
            encoded.Add(buffer.AsSpan(0, n).ToArray());
        }

        return encoded;
    }

    [Fact]
    public void LostPacketIsRebuiltFromLibopusFec()
    {
        List<byte[]> packets = EncodeSpeech(100);
        using var decoder = new OpusJitterBufferDecoder(48000, 1);
        Assert.True(decoder.HasFec(packets[61]), "the encoder was asked for in-band FEC");
        Assert.Equal(960, decoder.GetDuration(packets[61]));

        // FEC needs the packet after the lost one to be there when the lost one is due: at least 40 ms of delay.
        var options = new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(40), MinimumDelay = TimeSpan.FromMilliseconds(40) };
        var buffer = new AdaptiveJitterBuffer(decoder, options);
        var pcm = new short[buffer.FrameSamples];
        var decisions = new List<JitterBufferDecision>();
        int next = 0;
        for (int t = 0; buffer.Statistics.PacketsDecoded < 99; t += 10)
        {
            while (next < packets.Count && next * 20 <= t)
            {
                if (next != 60)
                {
                    buffer.Insert(7, (ushort)next, (uint)(next * 960), TimeSpan.FromMilliseconds(next * 20), packets[next]);
                }

                next++;
            }

            decisions.Add(buffer.GetAudio(TimeSpan.FromMilliseconds(t), pcm));
        }

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.Fec, decisions);
        Assert.Equal(960, s.FecSamples);
        Assert.Equal(0, s.ConcealedSamples);
        Assert.Equal(0, s.DecodeErrors);
    }

    [Fact]
    public void SteadyPathWithLibopusAllocatesNothingPerPacket()
    {
        List<byte[]> packets = EncodeSpeech(50);
        using var decoder = new OpusJitterBufferDecoder(48000, 1);
        var buffer = new AdaptiveJitterBuffer(decoder, new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(40) });
        var pcm = new short[buffer.FrameSamples];
        var rng = new Random(5);
        var jitter = new double[3000];
        for (int i = 0; i < jitter.Length; i++)
        {
            jitter[i] = rng.NextDouble() * 15;
        }

        double nextTick = 0;
        void Round(int k)
        {
            double arrival = (20.0 * k) + jitter[k];
            while (nextTick <= arrival)
            {
                buffer.GetAudio(TimeSpan.FromMilliseconds(nextTick), pcm);
                nextTick += 10;
            }

            buffer.Insert(7, (ushort)k, (uint)(k * 960), TimeSpan.FromMilliseconds(arrival), packets[k % packets.Count]);
        }

        for (int k = 0; k < 200; k++)
        {
            Round(k);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(200, 3000, 3, Round));
        Assert.True(buffer.Statistics.PacketsDecoded > 2500);
    }
}
