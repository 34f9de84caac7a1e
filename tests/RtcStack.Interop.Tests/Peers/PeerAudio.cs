using System.Buffers.Binary;
using RtcStack.Opus;
using RtcStack.Opus.Ogg;
using RtcStack.Rtp;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>The audio the peer tests send and what they check on what came back.</summary>
internal static class PeerAudio
{
    /// <summary>
    /// Writes <paramref name="seconds"/> of a sine as Ogg Opus (libopus through RtcStack.Opus), one 20 ms packet per page:
    /// Pion's Ogg reader returns page payloads, not packets.
    /// </summary>
    public static int WriteToneOgg(string path, double hz, int seconds)
    {
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Audio) { Bitrate = 64000 };
        var options = new OggOpusWriterOptions();
        options.Head.ChannelCount = 1;
        options.Head.PreSkip = (ushort)encoder.Lookahead;
        using FileStream file = File.Create(path);
        using var writer = new OggOpusWriter(file, options);
        short[] pcm = new short[960];
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        int frames = seconds * 50;
        for (int i = 0; i < frames; i++)
        {
            Goertzel.Tone(pcm, hz, 48000, (long)i * 960);
            int length = encoder.Encode(pcm, packet);
            Assert.Equal(OpusPacketStatus.Valid, writer.WritePacket(packet.AsSpan(0, length)));
            writer.Flush();
        }

        writer.Finish();
        return frames;
    }

    /// <summary>Decodes an Ogg Opus file (serve's recording) to 48 kHz mono.</summary>
    public static short[] DecodeOgg(string path, out int packets)
    {
        using FileStream file = File.OpenRead(path);
        using var reader = new OggOpusReader(file);
        Assert.Equal(OggOpusReadResult.Packet, reader.ReadHeaders());
        using var decoder = new OpusDecoder(48000, 1);
        var audio = new List<short>();
        short[] pcm = new short[decoder.MaxFrameSize];
        packets = 0;
        OggOpusReadResult r;
        while ((r = reader.Read(out OggOpusPacket p)) == OggOpusReadResult.Packet)
        {
            packets++;
            int n = decoder.Decode(p.Data.Span, pcm);
            audio.AddRange(pcm.AsSpan(0, n));
        }

        Assert.Equal(OggOpusReadResult.EndOfStream, r);
        return [.. audio];
    }

    /// <summary>Decodes the RTP packets the Pion peer wrote (each a 2-byte big-endian length and the packet) to 48 kHz mono.</summary>
    public static short[] DecodeRtpDump(string path, out int packets, out byte payloadType)
    {
        byte[] data = File.ReadAllBytes(path);
        using var decoder = new OpusDecoder(48000, 1);
        var audio = new List<short>();
        short[] pcm = new short[decoder.MaxFrameSize];
        packets = 0;
        payloadType = 0;
        for (int offset = 0; offset + 2 <= data.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            Assert.True(offset + 2 + length <= data.Length, "truncated RTP dump");
            Assert.True(RtpPacket.TryParse(data.AsSpan(offset + 2, length), out RtpPacket packet), "not an RTP packet");
            packets++;
            payloadType = packet.PayloadType;
            int n = decoder.Decode(packet.Payload, pcm);
            audio.AddRange(pcm.AsSpan(0, n));
            offset += 2 + length;
        }

        return [.. audio];
    }

    /// <summary>Reads a 16-bit PCM WAV file (the GStreamer peer's output), which must be 48 kHz mono.</summary>
    public static short[] ReadWav(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        Assert.True(b.Length >= 12 && b.AsSpan(0, 4).SequenceEqual("RIFF"u8) && b.AsSpan(8, 4).SequenceEqual("WAVE"u8), "not a WAV file");
        for (int i = 12; i + 8 <= b.Length;)
        {
            ReadOnlySpan<byte> id = b.AsSpan(i, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(i + 4));
            if (id.SequenceEqual("fmt "u8))
            {
                Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(i + 8))); // PCM
                Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(i + 10))); // mono
                Assert.Equal(48000, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(i + 12)));
                Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(i + 22)));
            }
            else if (id.SequenceEqual("data"u8))
            {
                int n = Math.Min(size, b.Length - i - 8) / 2;
                short[] pcm = new short[n];
                for (int k = 0; k < n; k++)
                {
                    pcm[k] = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(i + 8 + (2 * k)));
                }

                return pcm;
            }

            i += 8 + size + (size & 1);
        }

        throw new Xunit.Sdk.XunitException("WAV file without a data chunk");
    }

    /// <summary>
    /// The browser cells' tone check: after the first 0.5 s, the strongest of the candidate tones (Goertzel) must be
    /// <paramref name="expectedHz"/> with 10× the power of the next, and the spectral peak within 2 Hz of it.
    /// </summary>
    public static (double Heard, double Ratio, double Peak) CheckTone(short[] audio, double expectedHz, string who)
    {
        Assert.True(audio.Length > 48000 * 2, $"{who}: only {audio.Length} samples decoded");
        ReadOnlySpan<short> steady = audio.AsSpan(24000);
        (double heard, double ratio) = Goertzel.Strongest(steady, 48000, 440, 660, 550, 880, 1000);
        double peak = Goertzel.Peak(steady, 48000);
        Assert.True(heard == expectedHz, $"{who} heard {heard} Hz, expected {expectedHz} Hz (spectral peak {peak} Hz)");
        Assert.InRange(peak, expectedHz - 2, expectedHz + 2);
        Assert.True(ratio > 10, $"{who}: tone power ratio {ratio}");
        return (heard, ratio, peak);
    }
}
