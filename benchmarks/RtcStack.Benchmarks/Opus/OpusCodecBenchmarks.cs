using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RtcStack.Opus;
using RtcStack.TestSupport;

namespace RtcStack.Benchmarks.Opus;

/// <summary>
/// libopus encode and decode of one 20 ms 48 kHz mono frame (VOIP, 32 kb/s) through our
/// SafeHandle/span binding against the raw P/Invoke call on an IntPtr handle (the baseline): the
/// ratio is the binding's overhead; [MemoryDiagnoser] shows whether a call allocates.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class OpusCodecBenchmarks
{
    private readonly short[] _pcm = new short[960];
    private readonly short[] _decoded = new short[960];
    private readonly byte[] _packet = new byte[1500];
    private int _packetLength;
    private OpusEncoder _encoder = null!;
    private OpusDecoder _decoder = null!;
    private nint _rawEncoder;
    private nint _rawDecoder;

    [GlobalSetup]
    public void Setup()
    {
        LibOpusReference.Require();
        for (int i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 48000.0));
        }

        _encoder = new OpusEncoder(48000, 1, OpusApplication.Voip) { Bitrate = 32000 };
        _decoder = new OpusDecoder(48000, 1);
        int error;
        _rawEncoder = LibOpusReference.EncoderCreate(48000, 1, (int)OpusApplication.Voip, &error);
        LibOpusReference.EncoderCtl(_rawEncoder, 4002, 32000);
        _rawDecoder = LibOpusReference.DecoderCreate(48000, 1, &error);
        _packetLength = _encoder.Encode(_pcm, _packet);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _decoder.Dispose();
        LibOpusReference.EncoderDestroy(_rawEncoder);
        LibOpusReference.DecoderDestroy(_rawDecoder);
    }

    [Benchmark(Baseline = true, Description = "encode: raw P/Invoke")]
    [BenchmarkCategory("encode")]
    public int EncodeRaw()
    {
        fixed (short* pcm = _pcm)
        fixed (byte* packet = _packet)
        {
            return LibOpusReference.Encode(_rawEncoder, pcm, 960, packet, _packet.Length);
        }
    }

    [Benchmark(Description = "encode: OpusEncoder.Encode")]
    [BenchmarkCategory("encode")]
    public int Encode() => _encoder.Encode(_pcm, _packet);

    [Benchmark(Baseline = true, Description = "decode: raw P/Invoke")]
    [BenchmarkCategory("decode")]
    public int DecodeRaw()
    {
        fixed (byte* packet = _packet)
        fixed (short* pcm = _decoded)
        {
            return LibOpusReference.Decode(_rawDecoder, packet, _packetLength, pcm, 960, 0);
        }
    }

    [Benchmark(Description = "decode: OpusDecoder.Decode")]
    [BenchmarkCategory("decode")]
    public int Decode() => _decoder.Decode(_packet.AsSpan(0, _packetLength), _decoded);
}
