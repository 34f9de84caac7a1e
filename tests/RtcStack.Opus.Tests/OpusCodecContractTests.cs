using Xunit;

namespace RtcStack.Opus.Tests;

/// <summary>
/// What every <see cref="IOpusEncoder"/> and <see cref="IOpusDecoder"/> must do, run on both
/// implementations: round trip, controls, FEC and PLC, hostile packets, misuse.
/// </summary>
public sealed class OpusCodecContractTests
{
    public static TheoryData<OpusImplementation> Implementations => new() { OpusImplementation.LibOpus, OpusImplementation.Concentus };

    [Theory]
    [MemberData(nameof(Implementations))]
    public void StereoToneRoundTripsAndChannelsStaySeparate(OpusImplementation kind)
    {
        var provider = Provider(kind);
        using IOpusEncoder encoder = provider.CreateEncoder(48000, 2, OpusApplication.Audio);
        using IOpusDecoder decoder = provider.CreateDecoder(48000, 2);
        Assert.Equal(kind, encoder.Implementation);
        Assert.Equal(kind, decoder.Implementation);
        encoder.Bitrate = 128000;
        var pcm = new short[1920];
        var packet = new byte[1500];
        var decoded = new short[96000];
        for (int k = 0; k < 50; k++)
        {
            for (int i = 0; i < 960; i++)
            {
                double t = ((k * 960) + i) / 48000.0;
                pcm[2 * i] = (short)(16000 * Math.Sin(2 * Math.PI * 600 * t));
                pcm[(2 * i) + 1] = (short)(16000 * Math.Sin(2 * Math.PI * 2500 * t));
            }

            int n = encoder.Encode(pcm, packet);
            Assert.Equal(960, decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(k * 1920)));
            Assert.Equal(960, decoder.LastPacketDuration);
        }

        ReadOnlySpan<short> steady = decoded.AsSpan(9600 * 2);
        Assert.True(Signals.GoertzelRatio(steady, 2, 0, 48000, 600) > 0.9);
        Assert.True(Signals.GoertzelRatio(steady, 2, 0, 48000, 2500) < 0.02);
        Assert.True(Signals.GoertzelRatio(steady, 2, 1, 48000, 2500) > 0.9);
        Assert.True(Signals.GoertzelRatio(steady, 2, 1, 48000, 600) < 0.02);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void FloatPathRoundTrips(OpusImplementation kind)
    {
        var provider = Provider(kind);
        using IOpusEncoder encoder = provider.CreateEncoder(48000, 1, OpusApplication.Audio);
        using IOpusDecoder decoder = provider.CreateDecoder(48000, 1);
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
        Assert.InRange(Signals.RmsDbfs(asShort, 1, 0), -16.0, -14.0);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void ControlsAreSetAndReadBack(OpusImplementation kind)
    {
        using IOpusEncoder encoder = Provider(kind).CreateEncoder(48000, 2, OpusApplication.Voip);
        Assert.Equal(OpusApplication.Voip, encoder.Application);
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
        encoder.Vbr = false;
        Assert.False(encoder.Vbr);
        encoder.VbrConstraint = false;
        Assert.False(encoder.VbrConstraint);
        encoder.MaxBandwidth = OpusBandwidth.Wideband;
        Assert.Equal(OpusBandwidth.Wideband, encoder.MaxBandwidth);
        encoder.Signal = OpusSignal.Music;
        Assert.Equal(OpusSignal.Music, encoder.Signal);
        encoder.ForceChannels = 1;
        Assert.Equal(1, encoder.ForceChannels);
        encoder.ForceChannels = OpusEncoder.Auto;
        Assert.Equal(OpusEncoder.Auto, encoder.ForceChannels);
        Assert.Equal(312, encoder.Lookahead); // 2.5 ms + 4 ms delay compensation at 48 kHz in VOIP mode

        OpusException ex = Assert.Throws<OpusException>(() => encoder.Complexity = 11);
        Assert.Equal(OpusError.BadArgument, ex.Error);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void FecRecoversBetterThanConcealment(OpusImplementation kind)
    {
        const int rate = 16000, frame = 320, count = 150;
        var provider = Provider(kind);
        using IOpusEncoder encoder = provider.CreateEncoder(rate, 1, OpusApplication.Voip);
        encoder.Bitrate = 24000;
        encoder.InbandFec = true;
        encoder.PacketLossPercentage = 20;
        var packets = new List<byte[]>();
        var pcm = new short[frame];
        var buffer = new byte[1500];
        int withLbrr = 0;
        for (int k = 0; k < count; k++)
        {
            Signals.FillSpeechLike(pcm, 1, rate, (long)k * frame, silent: false);
            int n = encoder.Encode(pcm, buffer);
            packets.Add(buffer.AsSpan(0, n).ToArray());
            if (OpusPacketInspector.Inspect(packets[^1], out OpusPacketInfo info) == OpusPacketStatus.Valid && info.HasLbrr)
            {
                withLbrr++;
            }
        }

        Assert.True(withLbrr > count / 2, $"{withLbrr} of {count} packets carry LBRR");
        short[] reference = DecodeAll(_ => false, useFec: false);
        short[] plc = DecodeAll(k => k % 10 == 5, useFec: false);
        short[] fec = DecodeAll(k => k % 10 == 5, useFec: true);
        double plcError = 0, fecError = 0;
        for (int k = 5; k < count; k += 10)
        {
            for (int i = k * frame; i < (k + 1) * frame; i++)
            {
                plcError += Math.Pow(reference[i] - plc[i], 2);
                fecError += Math.Pow(reference[i] - fec[i], 2);
            }
        }

        Assert.True(fecError < plcError * 0.5, $"FEC error {fecError:E3} vs PLC error {plcError:E3}");

        short[] DecodeAll(Func<int, bool> lose, bool useFec)
        {
            using IOpusDecoder decoder = provider.CreateDecoder(rate, 1);
            var output = new short[count * frame];
            for (int k = 0; k < count; k++)
            {
                Span<short> slot = output.AsSpan(k * frame, frame);
                int result = !lose(k) ? decoder.Decode(packets[k], slot)
                    : useFec ? decoder.DecodeFec(packets[k + 1], slot)
                    : decoder.DecodeLost(slot);
                Assert.Equal(frame, result);
            }

            return output;
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void MalformedPacketsReturnAnErrorInsteadOfThrowing(OpusImplementation kind)
    {
        using IOpusDecoder decoder = Provider(kind).CreateDecoder(48000, 1);
        var pcm = new short[5760];
        Assert.Equal((int)OpusError.InvalidPacket, decoder.Decode([0x01, 1], pcm));
        Assert.Equal((int)OpusError.InvalidPacket, decoder.Decode([0x03, 0x00], pcm));
        Assert.Equal((int)OpusError.BufferTooSmall, decoder.Decode([0x1B, 0x01, 0x00], pcm.AsSpan(0, 960)));
        Assert.Equal(960, decoder.Decode([], pcm.AsSpan(0, 960)));
        Assert.Equal(480, decoder.DecodeLost(pcm.AsSpan(0, 480)));
        Assert.Throws<ArgumentException>(() => decoder.DecodeLost(pcm.AsSpan(0, 100)));

        // Random bytes: a sample count or an OpusError, never an exception, and the decoder still
        // works after a reset. (Concentus has been seen to return BadArgument, without throwing, for a
        // packet libopus decodes, after a run of garbage packets; a fresh Concentus decoder decodes
        // that packet. Hostile input may be refused; it must not crash.)
        var random = new Random(7);
        var junk = new byte[1500];
        for (int i = 0; i < 2000; i++)
        {
            Span<byte> packet = junk.AsSpan(0, random.Next(1, junk.Length));
            random.NextBytes(packet);
            int result = decoder.Decode(packet, pcm);
            Assert.True(result >= 0 ? result <= 5760 : Enum.IsDefined((OpusError)result), $"result {result}");
        }

        decoder.Reset();
        Assert.Equal(960, decoder.Decode([0xFC, 0xFF, 0xFE], pcm.AsSpan(0, 960)));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void MisuseThrowsArgumentExceptions(OpusImplementation kind)
    {
        var provider = Provider(kind);
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateEncoder(44100, 1, OpusApplication.Audio));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateDecoder(48000, 3));
        using IOpusEncoder encoder = provider.CreateEncoder(48000, 2, OpusApplication.Audio);
        var packet = new byte[100];
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[961], packet));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[2 * 1000], packet));
    }

    private static OpusCodecProvider Provider(OpusImplementation kind)
        => new(kind == OpusImplementation.LibOpus ? OpusImplementationPreference.LibOpus : OpusImplementationPreference.Concentus);
}
