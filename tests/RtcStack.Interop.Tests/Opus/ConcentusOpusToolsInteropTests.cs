using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Opus;

/// <summary>
/// Issue 17: packets the managed encoder (Concentus) writes are ordinary Opus: in an Ogg Opus file
/// (our writer) they pass opusinfo and decode with opus-tools' opusdec, which runs libopus.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ConcentusOpusToolsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-concentus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1, OpusApplication.Voip, 24000, 440.0)]
    [InlineData(2, OpusApplication.Audio, 64000, 1000.0)]
    public void ConcentusPacketsDecodeWithOpusdec(int channels, OpusApplication application, int bitrate, double frequency)
    {
        string opusinfo = ExternalTool.Require("opusinfo", "opus-tools");
        string opusdec = ExternalTool.Require("opusdec", "opus-tools");
        const int seconds = 2;
        string path = Path.Combine(_dir, $"concentus-{channels}.opus");
        int preSkip;
        using (var encoder = new ConcentusOpusEncoder(48000, channels, application))
        {
            encoder.Bitrate = bitrate;
            var options = new OggOpusWriterOptions();
            options.Head.ChannelCount = (byte)channels;
            preSkip = encoder.Lookahead;
            options.Head.PreSkip = (ushort)preSkip;
            using var file = File.Create(path);
            using var writer = new OggOpusWriter(file, options);
            var pcm = new short[960 * channels];
            var packet = new byte[4000];
            for (int k = 0; k < seconds * 50; k++)
            {
                for (int i = 0; i < 960; i++)
                {
                    short s = (short)(12000 * Math.Sin(2 * Math.PI * frequency * ((k * 960) + i) / 48000));
                    for (int c = 0; c < channels; c++)
                    {
                        pcm[(i * channels) + c] = s;
                    }
                }

                int length = encoder.Encode(pcm, packet);
                Assert.Equal(OpusPacketStatus.Valid, writer.WritePacket(packet.AsSpan(0, length)));
            }

            writer.Finish(trimSamples: 0);
        }

        ProcessRunner.Result info = ProcessRunner.Run(opusinfo, [path]);
        string report = info.StdOut + info.StdErr;
        Assert.True(info.ExitCode == 0, report);
        Assert.DoesNotContain("ERROR", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Channels: {channels}", report);

        string wav = Path.Combine(_dir, "decoded.wav");
        ProcessRunner.Result dec = ProcessRunner.Run(opusdec, ["--quiet", "--rate", "48000", path, wav]);
        Assert.True(dec.ExitCode == 0, dec.StdErr);
        (short[] samples, int wavChannels) = OpusToolsInteropTests.ReadWav(wav);
        Assert.Equal(channels, wavChannels);
        Assert.Contains($"Pre-skip: {preSkip}", report);

        // opusdec plays the final granule position (every sample fed) less the pre-skip.
        Assert.Equal((seconds * 48000) - preSkip, samples.Length / channels);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(OpusToolsInteropTests.GoertzelRatio(samples.AsSpan(48000 * channels / 5), channels, c, frequency) > 0.9);
        }
    }
}
