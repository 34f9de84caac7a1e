using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RtcStack.Opus;
using RtcStack.TestSupport;

namespace RtcStack.Benchmarks.Opus;

/// <summary>
/// Issue 17: libopus (native, the baseline) against Concentus (managed) in one run, encode and
/// decode of one 20 ms frame, 48 kHz stereo, 64 kbit/s (Audio application, music-like input so
/// CELT runs as it does for real stereo content). The ratio column is Concentus's cost in units of
/// libopus's; [MemoryDiagnoser] shows what each call allocates. Both decoders decode the same
/// packet, produced once by libopus in setup.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OpusImplementationBenchmarks
{
    private const int Channels = 2;
    private const int Frame = 960;
    private readonly short[] _pcm = new short[Frame * Channels];
    private readonly short[] _decoded = new short[Frame * Channels];
    private readonly byte[] _output = new byte[1500];
    private byte[] _packet = [];
    private OpusEncoder _libEncoder = null!;
    private OpusDecoder _libDecoder = null!;
    private ConcentusOpusEncoder _concentusEncoder = null!;
    private ConcentusOpusDecoder _concentusDecoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        LibOpusReference.Require();
        for (int i = 0; i < Frame; i++)
        {
            double t = i / 48000.0;
            _pcm[2 * i] = (short)((8000 * Math.Sin(2 * Math.PI * 440 * t)) + (3000 * Math.Sin(2 * Math.PI * 3100 * t)));
            _pcm[(2 * i) + 1] = (short)((8000 * Math.Sin(2 * Math.PI * 550 * t)) + (3000 * Math.Sin(2 * Math.PI * 3800 * t)));
        }

        _libEncoder = new OpusEncoder(48000, Channels, OpusApplication.Audio) { Bitrate = 64000 };
        _concentusEncoder = new ConcentusOpusEncoder(48000, Channels, OpusApplication.Audio) { Bitrate = 64000 };
        _libDecoder = new OpusDecoder(48000, Channels);
        _concentusDecoder = new ConcentusOpusDecoder(48000, Channels);

        // Let the encoder settle, then keep one steady-state packet for both decoders.
        int length = 0;
        for (int k = 0; k < 10; k++)
        {
            length = _libEncoder.Encode(_pcm, _output);
        }

        _packet = _output.AsSpan(0, length).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _libEncoder.Dispose();
        _libDecoder.Dispose();
        _concentusEncoder.Dispose();
        _concentusDecoder.Dispose();
    }

    [Benchmark(Baseline = true, Description = "encode 20 ms: libopus")]
    [BenchmarkCategory("encode")]
    public int EncodeLibOpus() => _libEncoder.Encode(_pcm, _output);

    [Benchmark(Description = "encode 20 ms: Concentus")]
    [BenchmarkCategory("encode")]
    public int EncodeConcentus() => _concentusEncoder.Encode(_pcm, _output);

    [Benchmark(Baseline = true, Description = "decode 20 ms: libopus")]
    [BenchmarkCategory("decode")]
    public int DecodeLibOpus() => _libDecoder.Decode(_packet, _decoded);

    [Benchmark(Description = "decode 20 ms: Concentus")]
    [BenchmarkCategory("decode")]
    public int DecodeConcentus() => _concentusDecoder.Decode(_packet, _decoded);
}
