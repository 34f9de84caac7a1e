using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Opus;

/// <summary>
/// Ogg Opus files checked by an independent implementation, Debian's opus-tools 0.2: files we write
/// must pass opusinfo and decode with opusdec; files opusenc writes must read back with the right
/// packets and duration.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class OpusToolsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-opus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1, 20)]
    [InlineData(2, 20)]
    [InlineData(1, 60)]
    public void FileWeEncodeAndWritePassesOpusinfoAndDecodesWithOpusdec(int channels, int frameMs)
    {
        string opusinfo = ExternalTool.Require("opusinfo", "opus-tools");
        string opusdec = ExternalTool.Require("opusdec", "opus-tools");
        const int inputSamples = 48000 * 3 + 500; // not a whole number of frames: needs end trimming
        string path = Path.Combine(_dir, $"ours-{channels}-{frameMs}.opus");
        using (var encoder = new OpusEncoder(48000, channels, OpusApplication.Audio))
        {
            encoder.Bitrate = 64000 * channels;
            var options = new OggOpusWriterOptions();
            options.Head.ChannelCount = (byte)channels;
            options.Head.PreSkip = (ushort)encoder.Lookahead;
            options.Tags.Comments.Add("TITLE=RtcStack interop tone");
            using var file = File.Create(path);
            using var writer = new OggOpusWriter(file, options);
            int frame = 48 * frameMs;
            var pcm = new short[frame * channels];
            var packet = new byte[4000];
            long produced = 0;

            // Feed input plus look-ahead worth of silence so the last real sample is encoded.
            long needed = inputSamples + encoder.Lookahead;
            while (produced < needed)
            {
                for (int i = 0; i < frame; i++)
                {
                    long n = produced + i;
                    short s = n < inputSamples ? (short)(12000 * Math.Sin(2 * Math.PI * 1000 * n / 48000)) : (short)0;
                    for (int c = 0; c < channels; c++)
                    {
                        pcm[(i * channels) + c] = s;
                    }
                }

                int length = encoder.Encode(pcm, packet);
                Assert.Equal(OpusPacketStatus.Valid, writer.WritePacket(packet.AsSpan(0, length)));
                produced += frame;
            }

            writer.Finish(trimSamples: (int)(produced - needed));
        }

        ProcessRunner.Result info = ProcessRunner.Run(opusinfo, [path]);
        string report = info.StdOut + info.StdErr;
        Assert.True(info.ExitCode == 0, report);
        Assert.DoesNotContain("WARNING", report, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ERROR", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Channels: {channels}", report);
        Assert.Contains("Pre-skip: 312", report);
        Assert.Contains($"Packet duration:   {frameMs}.0ms (max)", report);
        AssertPlayback(inputSamples, report);

        string wav = Path.Combine(_dir, "decoded.wav");
        ProcessRunner.Result dec = ProcessRunner.Run(opusdec, ["--quiet", "--rate", "48000", path, wav]);
        Assert.True(dec.ExitCode == 0, dec.StdErr);
        (short[] samples, int wavChannels) = ReadWav(wav);
        Assert.Equal(channels, wavChannels);
        Assert.Equal(inputSamples, samples.Length / channels);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(GoertzelRatio(samples.AsSpan(48000 * channels / 5), channels, c, 1000) > 0.9);
        }
    }

    [Fact]
    public void RtpRecordingWithLossAndDtxPassesOpusinfoAndDecodes()
    {
        string opusinfo = ExternalTool.Require("opusinfo", "opus-tools");
        string opusdec = ExternalTool.Require("opusdec", "opus-tools");
        string path = Path.Combine(_dir, "rtp.opus");
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
        encoder.Dtx = true;
        var packetizer = new OpusRtpPacketizer(initialTimestamp: 0xFFFF0000);
        var pcm = new short[960];
        var encoded = new byte[1500];
        var payload = new byte[1500];
        int sent = 0;
        using (var file = File.Create(path))
        using (var writer = new OggOpusWriter(file, new OggOpusWriterOptions { Head = new OpusHead { ChannelCount = 1 } }))
        {
            // 4 s: tone, 1.5 s of silence (DTX), tone; every 9th RTP packet lost.
            for (int k = 0; k < 200; k++)
            {
                bool silent = k is >= 80 and < 155;
                for (int i = 0; i < 960; i++)
                {
                    pcm[i] = silent ? (short)0 : (short)(10000 * Math.Sin(2 * Math.PI * 440 * ((k * 960) + i) / 48000));
                }

                packetizer.Push(encoded.AsSpan(0, encoder.Encode(pcm, encoded)));
                while (packetizer.TryPoll(payload, out OpusRtpPayload rtp))
                {
                    if (sent++ % 9 == 4)
                    {
                        continue;
                    }

                    OggOpusWriteStatus status = writer.WriteRtpPacket(payload.AsSpan(0, rtp.Length), rtp.Timestamp);
                    Assert.True(status is OggOpusWriteStatus.Written or OggOpusWriteStatus.GapFilled, status.ToString());
                }
            }

            Assert.True(writer.GapSamplesFilled > 48000, $"{writer.GapSamplesFilled} samples filled");
        }

        ProcessRunner.Result info = ProcessRunner.Run(opusinfo, [path]);
        string report = info.StdOut + info.StdErr;
        Assert.True(info.ExitCode == 0, report);
        Assert.DoesNotContain("WARNING", report, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ERROR", report, StringComparison.OrdinalIgnoreCase);

        // 200 frames of 20 ms minus the pre-skip, the last packet's time included.
        AssertPlayback((200 * 960) - 312, report);

        string wav = Path.Combine(_dir, "rtp.wav");
        ProcessRunner.Result dec = ProcessRunner.Run(opusdec, ["--quiet", "--rate", "48000", path, wav]);
        Assert.True(dec.ExitCode == 0, dec.StdErr);
        (short[] samples, _) = ReadWav(wav);
        Assert.Equal((200 * 960) - 312, samples.Length);
        Assert.True(GoertzelRatio(samples.AsSpan(24000, 48000), 1, 0, 440) > 0.8);
    }

    [Theory]
    [InlineData(1, 48000, "20", 96123)]
    [InlineData(2, 48000, "60", 48000 * 2)]
    [InlineData(1, 16000, "10", 16000 * 3 + 7)]
    [InlineData(2, 44100, "40", 44100 + 1)]
    public void FileOpusencWritesReadsBackWithTheRightPacketsAndDuration(int channels, int rate, string frameMs, int inputFrames)
    {
        string opusenc = ExternalTool.Require("opusenc", "opus-tools");
        string opusinfo = ExternalTool.Require("opusinfo", "opus-tools");
        string wav = Path.Combine(_dir, "input.wav");
        WriteToneWav(wav, channels, rate, inputFrames);
        string path = Path.Combine(_dir, "opusenc.opus");
        ProcessRunner.Result enc = ProcessRunner.Run(opusenc, ["--quiet", "--framesize", frameMs, "--comment", "ARTIST=interop", wav, path]);
        Assert.True(enc.ExitCode == 0, enc.StdErr);

        using var reader = new OggOpusReader(File.OpenRead(path));
        Assert.Equal(OggOpusReadResult.Packet, reader.ReadHeaders());
        Assert.Equal(channels, reader.Head!.ChannelCount);
        Assert.Equal((uint)rate, reader.Head.InputSampleRate);
        Assert.Contains("ARTIST=interop", reader.Tags!.Comments);
        Assert.StartsWith("libopus", reader.Tags.Vendor);
        int frameSamples = (int)(double.Parse(frameMs, CultureInfo.InvariantCulture) * 48);
        int packets = 0, full = 0;
        long end = 0, trimmed = 0;
        OggOpusPacket last = default;
        while (reader.Read(out OggOpusPacket packet) == OggOpusReadResult.Packet)
        {
            Assert.True(packet.IsValid);

            // libopusenc may end with shorter packets to cut the padding.
            Assert.InRange(packet.SampleCount, 120, frameSamples);
            full += packet.SampleCount == frameSamples ? 1 : 0;
            Assert.Equal(end, packet.StartGranule);
            end += packet.SampleCount;
            trimmed += packet.TrimSamples;
            packets++;
            last = packet;
        }

        Assert.True(last.IsLast);
        Assert.Equal(0, reader.CorruptPages + reader.SequenceGaps + reader.GranuleMismatches);

        // The decoded duration is the input's, at 48 kHz (opusenc resamples other rates).
        long inputAt48k = (long)Math.Ceiling(inputFrames * 48000.0 / rate);
        long playable = last.EndGranule - reader.Head.PreSkip;
        Assert.InRange(playable, inputAt48k - 1, inputAt48k + 1);

        // Packets: all but the last few are whole frames, together just enough for pre-skip plus
        // input (less than one frame to spare), and end trimming removes exactly the excess.
        Assert.InRange(packets - full, 0, 3);
        Assert.InRange(end - last.EndGranule, 0, frameSamples - 1);
        Assert.Equal(end - trimmed, last.EndGranule);

        // opusinfo agrees on the duration.
        ProcessRunner.Result info = ProcessRunner.Run(opusinfo, [path]);
        AssertPlayback(playable, info.StdOut);
    }

    /// <summary>opusinfo prints the playback length truncated to milliseconds.</summary>
    private static void AssertPlayback(long samples, string report)
    {
        double seconds = PlaybackSeconds(report);
        double expected = samples / 48000.0;
        Assert.True(seconds <= expected + 1e-9 && seconds > expected - 0.001, $"opusinfo {seconds} s, expected {expected} s");
    }

    private static double PlaybackSeconds(string report)
    {
        Match m = PlaybackLength().Match(report);
        Assert.True(m.Success, report);
        return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Playback length: (\d+)m:([0-9.]+)s")]
    private static partial Regex PlaybackLength();

    private static void WriteToneWav(string path, int channels, int rate, int frames)
    {
        using var w = new BinaryWriter(File.Create(path));
        int dataLength = frames * channels * 2;
        w.Write("RIFF"u8);
        w.Write(36 + dataLength);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * 2);
        w.Write((short)(channels * 2));
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(dataLength);
        for (int i = 0; i < frames; i++)
        {
            short s = (short)(12000 * Math.Sin(2 * Math.PI * 700 * i / rate));
            for (int c = 0; c < channels; c++)
            {
                w.Write(s);
            }
        }
    }

    internal static (short[] Samples, int Channels) ReadWav(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        Assert.True(data.AsSpan(0, 4).SequenceEqual("RIFF"u8) && data.AsSpan(8, 4).SequenceEqual("WAVE"u8));
        int pos = 12, channels = 0;
        while (pos + 8 <= data.Length)
        {
            ReadOnlySpan<byte> id = data.AsSpan(pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 4));
            if (id.SequenceEqual("fmt "u8))
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 10));
                Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 22)));
            }
            else if (id.SequenceEqual("data"u8))
            {
                // opusdec writes 0xFFFFFFFF-ish sizes when streaming; use what is there.
                int length = Math.Min(size < 0 ? int.MaxValue : size, data.Length - pos - 8);
                var samples = new short[length / 2];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 8 + (2 * i)));
                }

                return (samples, channels);
            }

            pos += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk in " + path);
    }

    internal static double GoertzelRatio(ReadOnlySpan<short> pcm, int channels, int channel, double frequency)
    {
        int n = pcm.Length / channels;
        double coeff = 2 * Math.Cos(2 * Math.PI * frequency / 48000);
        double s1 = 0, s2 = 0, energy = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pcm[(i * channels) + channel];
            energy += x * x;
            double s0 = x + (coeff * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        double power = (s1 * s1) + (s2 * s2) - (coeff * s1 * s2);
        return energy == 0 ? 0 : power / (energy * n / 2);
    }
}
