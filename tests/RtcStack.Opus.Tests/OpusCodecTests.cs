using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests;

/// <summary>The libopus binding: round trips measured in the frequency domain, controls, FEC, PLC, allocation.</summary>
public sealed class OpusCodecTests
{
    [Theory]
    [InlineData(48000, 1, 1000.0, OpusApplication.Audio, 64000)]
    [InlineData(48000, 1, 440.0, OpusApplication.Voip, 32000)]
    [InlineData(16000, 1, 700.0, OpusApplication.Voip, 20000)]
    [InlineData(48000, 2, 1500.0, OpusApplication.Audio, 96000)]
    public void ToneSurvivesEncodeAndDecode(int rate, int channels, double frequency, OpusApplication application, int bitrate)
    {
        using var encoder = new OpusEncoder(rate, channels, application);
        using var decoder = new OpusDecoder(rate, channels);
        encoder.Bitrate = bitrate;
        int frame = rate / 50;
        var pcm = new short[frame * channels];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var decoded = new short[rate * channels]; // one second
        int written = 0;
        for (int k = 0; k < 50; k++)
        {
            Signals.FillTone(pcm, channels, rate, frequency, 0.5, (long)k * frame);
            int n = encoder.Encode(pcm, packet);
            int samples = decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(written));
            Assert.Equal(frame, samples);
            written += samples * channels;
        }

        // Skip the first 200 ms (encoder look-ahead and convergence).
        ReadOnlySpan<short> steady = decoded.AsSpan(rate / 5 * channels);
        for (int c = 0; c < channels; c++)
        {
            double atTone = Signals.GoertzelRatio(steady, channels, c, rate, frequency);
            double offTone = Signals.GoertzelRatio(steady, channels, c, rate, frequency * 1.37);
            Assert.True(atTone > 0.9, $"tone energy ratio {atTone:F3}");
            Assert.True(offTone < 0.01, $"off-tone energy ratio {offTone:F4}");

            // A sine of amplitude 0.5 has an RMS of -9.03 dBFS.
            Assert.InRange(Signals.RmsDbfs(steady, channels, c), -10.0, -8.0);
        }
    }

    [Fact]
    public void FloatPathRoundTrips()
    {
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Audio);
        using var decoder = new OpusDecoder(48000, 1);
        var pcm = new float[960];
        var packet = new byte[1500];
        var decoded = new float[48000];
        int written = 0;
        for (int k = 0; k < 50; k++)
        {
            Signals.FillTone(pcm, 1, 48000, 2000, 0.25, k * 960L);
            int n = encoder.Encode(pcm, packet);
            written += decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(written));
        }

        Assert.Equal(48000, written);
        var asShort = new short[48000 - 9600];
        for (int i = 0; i < asShort.Length; i++)
        {
            asShort[i] = (short)Math.Clamp(decoded[9600 + i] * 32768f, short.MinValue, short.MaxValue);
        }

        Assert.True(Signals.GoertzelRatio(asShort, 1, 0, 48000, 2000) > 0.9);
        Assert.InRange(Signals.RmsDbfs(asShort, 1, 0), -16.0, -14.0); // 0.25 amplitude: -15.05 dBFS
    }

    [Fact]
    public void StereoChannelsStaySeparate()
    {
        using var encoder = new OpusEncoder(48000, 2, OpusApplication.Audio);
        using var decoder = new OpusDecoder(48000, 2);
        encoder.Bitrate = 128000;
        var pcm = new short[960 * 2];
        var packet = new byte[1500];
        var decoded = new short[48000 * 2];
        int written = 0;
        for (int k = 0; k < 50; k++)
        {
            for (int i = 0; i < 960; i++)
            {
                double t = ((k * 960) + i) / 48000.0;
                pcm[2 * i] = (short)(16000 * Math.Sin(2 * Math.PI * 600 * t));
                pcm[(2 * i) + 1] = (short)(16000 * Math.Sin(2 * Math.PI * 2500 * t));
            }

            int n = encoder.Encode(pcm, packet);
            written += decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(written)) * 2;
        }

        ReadOnlySpan<short> steady = decoded.AsSpan(9600 * 2);
        Assert.True(Signals.GoertzelRatio(steady, 2, 0, 48000, 600) > 0.9);
        Assert.True(Signals.GoertzelRatio(steady, 2, 0, 48000, 2500) < 0.02);
        Assert.True(Signals.GoertzelRatio(steady, 2, 1, 48000, 2500) > 0.9);
        Assert.True(Signals.GoertzelRatio(steady, 2, 1, 48000, 600) < 0.02);
    }

    [Fact]
    public void ControlsAreSetReadBackAndChangeTheOutput()
    {
        // opus_encoder_ctl is variadic; this checks both the int (SET) and pointer (GET) calls reach
        // libopus intact, and that a SET really changes the encoder.
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
        encoder.Bitrate = 12345;
        Assert.Equal(12345, encoder.Bitrate);
        encoder.Complexity = 3;
        Assert.Equal(3, encoder.Complexity);
        encoder.PacketLossPercentage = 17;
        Assert.Equal(17, encoder.PacketLossPercentage);
        encoder.InbandFec = true;
        Assert.True(encoder.InbandFec);
        encoder.Dtx = true;
        Assert.True(encoder.Dtx);
        encoder.Dtx = false;
        Assert.False(encoder.Dtx);
        encoder.Vbr = false;
        Assert.False(encoder.Vbr);
        encoder.MaxBandwidth = OpusBandwidth.Wideband;
        Assert.Equal(OpusBandwidth.Wideband, encoder.MaxBandwidth);
        encoder.Signal = OpusSignal.Voice;
        Assert.Equal(OpusSignal.Voice, encoder.Signal);
        encoder.ForceChannels = 1;
        Assert.Equal(1, encoder.ForceChannels);
        Assert.Equal(312, encoder.Lookahead); // 2.5 ms + 4 ms delay compensation at 48 kHz in VOIP mode

        // A bad value comes back as OPUS_BAD_ARG, not silently accepted.
        OpusException ex = Assert.Throws<OpusException>(() => encoder.Complexity = 11);
        Assert.Equal(OpusError.BadArgument, ex.Error);

        double low = MeanPacketSize(encoder, 12000);
        double high = MeanPacketSize(encoder, 96000);

        // CBR (Vbr = false above): packet size is bitrate * 20 ms / 8.
        Assert.InRange(low, 28, 32);
        Assert.InRange(high, 235, 245);

        // MaxBandwidth = Wideband shows in the TOC of every packet.
        var packet = new byte[1500];
        var pcm = new short[960];
        Signals.FillTone(pcm, 1, 48000, 300, 0.3, 0);
        int n = encoder.Encode(pcm, packet);
        Assert.True(OpusPacket.TryParse(packet.AsSpan(0, n), out OpusPacket parsed));
        Assert.True(parsed.Toc.Bandwidth <= OpusBandwidth.Wideband);
    }

    [Fact]
    public void LostPacketsAreConcealedAndRecoveredFromFec()
    {
        // Encode speech with in-band FEC, lose every 10th packet, and compare with a decode that
        // lost nothing: FEC recovery must be closer to it than plain concealment.
        const int rate = 16000, frame = 320, packets = 150;
        using var encoder = new OpusEncoder(rate, 1, OpusApplication.Voip);
        encoder.Bitrate = 24000;
        encoder.InbandFec = true;
        encoder.PacketLossPercentage = 20;
        var encoded = new List<byte[]>();
        var pcm = new short[frame];
        var buffer = new byte[1500];
        for (int k = 0; k < packets; k++)
        {
            Signals.FillSpeechLike(pcm, 1, rate, (long)k * frame, silent: false);
            int n = encoder.Encode(pcm, buffer);
            encoded.Add(buffer.AsSpan(0, n).ToArray());
        }

        short[] reference = DecodeAll(encoded, lose: _ => false, useFec: false);
        short[] plc = DecodeAll(encoded, lose: k => k % 10 == 5, useFec: false);
        short[] fec = DecodeAll(encoded, lose: k => k % 10 == 5, useFec: true);

        double plcError = 0, fecError = 0;
        for (int k = 5; k < packets; k += 10)
        {
            plcError += SquaredError(reference, plc, k * frame, frame);
            fecError += SquaredError(reference, fec, k * frame, frame);
        }

        Assert.True(fecError < plcError * 0.5, $"FEC error {fecError:E3} vs PLC error {plcError:E3}");

        static short[] DecodeAll(List<byte[]> packetsIn, Func<int, bool> lose, bool useFec)
        {
            using var decoder = new OpusDecoder(rate, 1);
            var output = new short[packetsIn.Count * frame];
            for (int k = 0; k < packetsIn.Count; k++)
            {
                Span<short> slot = output.AsSpan(k * frame, frame);
                int result = !lose(k) ? decoder.Decode(packetsIn[k], slot)
                    : useFec && k + 1 < packetsIn.Count ? decoder.DecodeFec(packetsIn[k + 1], slot)
                    : decoder.DecodeLost(slot);
                Assert.Equal(frame, result);
            }

            return output;
        }
    }

    [Fact]
    public void MalformedPacketsReturnAnErrorInsteadOfThrowing()
    {
        using var decoder = new OpusDecoder(48000, 1);
        var pcm = new short[5760];
        Assert.Equal((int)OpusError.InvalidPacket, decoder.Decode([0x01, 1], pcm));
        Assert.Equal((int)OpusError.InvalidPacket, decoder.Decode([0x03, 0x00], pcm));

        // A 60 ms packet into a 20 ms buffer.
        Assert.Equal((int)OpusError.BufferTooSmall, decoder.Decode([0x1B, 0x01, 0x00], pcm.AsSpan(0, 960)));

        // An empty packet is a loss: concealment for the buffer's duration.
        Assert.Equal(960, decoder.Decode([], pcm.AsSpan(0, 960)));
        Assert.Equal(480, decoder.DecodeLost(pcm.AsSpan(0, 480)));
        Assert.Throws<ArgumentException>(() => decoder.DecodeLost(pcm.AsSpan(0, 100)));
    }

    [Fact]
    public void MisuseThrowsArgumentExceptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(44100, 1, OpusApplication.Audio));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusDecoder(48000, 3));
        using var encoder = new OpusEncoder(48000, 2, OpusApplication.Audio);
        var packet = new byte[100];
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[961], packet));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[2 * 1000], packet));
    }

    [Fact]
    public void EncodeAndDecodeDoNotAllocate()
    {
        using var encoder = new OpusEncoder(48000, 2, OpusApplication.Voip);
        using var decoder = new OpusDecoder(48000, 2);
        var pcm = new short[1920];
        var pcmFloat = new float[1920];
        var output = new short[1920];
        var outputFloat = new float[1920];
        var packet = new byte[1500];
        Signals.FillTone(pcm, 2, 48000, 440, 0.3, 0);
        Signals.FillTone(pcmFloat, 2, 48000, 440, 0.3, 0);
        RunOnce();
        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 200, 4, _ => RunOnce()));

        void RunOnce()
        {
            int n = encoder.Encode(pcm, packet);
            decoder.Decode(packet.AsSpan(0, n), output);
            n = encoder.Encode(pcmFloat, packet);
            decoder.Decode(packet.AsSpan(0, n), outputFloat);
            decoder.DecodeFec(packet.AsSpan(0, n), output);
            decoder.DecodeLost(outputFloat);
            _ = encoder.Bitrate;
        }
    }

    [Fact]
    public void LibraryReportsVersionAndWhereItWasLoadedFrom()
    {
        Assert.StartsWith("libopus 1.", OpusLibrary.Version);
        Assert.True(OpusLibrary.IsAvailable);
        Assert.Equal("libopus.so.0", OpusLibrary.LoadedFrom);
    }

    [Fact]
    public void MissingLibraryGivesAClearException()
    {
        OpusLibraryNotFoundException ex = Assert.Throws<OpusLibraryNotFoundException>(
            () => OpusLibrary.Load(null, null, ["libopus-missing.so.9", "also-missing.so"], typeof(OpusLibrary).Assembly, out _));
        Assert.Contains("libopus-missing.so.9", ex.Message);
        Assert.Contains("also-missing.so", ex.Message);
        Assert.Contains(OpusLibrary.EnvironmentVariable, ex.Message);
        Assert.Contains("apt-get install libopus0", ex.Message);
        Assert.IsAssignableFrom<DllNotFoundException>(ex);

        ex = Assert.Throws<OpusLibraryNotFoundException>(
            () => OpusLibrary.Load("/nonexistent/libopus.so", null, ["libopus.so.0"], typeof(OpusLibrary).Assembly, out _));
        Assert.Contains("/nonexistent/libopus.so", ex.Message);
        Assert.Contains("OpusLibrary.LibraryPath", ex.Message);

        ex = Assert.Throws<OpusLibraryNotFoundException>(
            () => OpusLibrary.Load(null, "/nonexistent/env/libopus.so", ["libopus.so.0"], typeof(OpusLibrary).Assembly, out _));
        Assert.Contains(OpusLibrary.EnvironmentVariable, ex.Message);

        // An explicit full path to a real build loads.
        string multiarch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64
            ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        string fullPath = $"/usr/lib/{multiarch}/libopus.so.0";
        nint handle = OpusLibrary.Load(fullPath, null, [], typeof(OpusLibrary).Assembly, out string? from);
        Assert.NotEqual(0, handle);
        Assert.Equal(fullPath, from);
    }

    private static double MeanPacketSize(OpusEncoder encoder, int bitrate)
    {
        encoder.Bitrate = bitrate;
        var pcm = new short[960];
        var packet = new byte[1500];
        long total = 0;
        for (int k = 0; k < 50; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, k * 960L, silent: false);
            total += encoder.Encode(pcm, packet);
        }

        return total / 50.0;
    }

    private static double SquaredError(short[] a, short[] b, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }
}
