using BenchmarkDotNet.Attributes;
using RtcStack.Opus;
using RtcStack.TestSupport;

namespace RtcStack.Benchmarks.Opus;

/// <summary>
/// RFC 6716 §3 packet parsing: our <see cref="OpusPacket"/> against libopus's opus_packet_parse
/// called through P/Invoke in the same process (the baseline), on a real 20 ms voice packet (code 0)
/// and a 6-frame code 3 VBR packet with padding. Both produce frame offsets and sizes.
/// </summary>
[MemoryDiagnoser]
public unsafe class OpusPacketBenchmarks
{
    private byte[] _packet = [];
    private readonly byte*[] _frames = new byte*[48];
    private readonly short[] _sizes = new short[48];

    [Params("code0-voice", "code3-vbr-6")]
    public string Packet { get; set; } = "code0-voice";

    [GlobalSetup]
    public void Setup()
    {
        LibOpusReference.Require();
        if (Packet == "code0-voice")
        {
            using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
            encoder.Bitrate = 32000;
            var pcm = new short[960];
            var buffer = new byte[1500];
            int n = 0;
            for (int k = 0; k < 10; k++)
            {
                for (int i = 0; i < pcm.Length; i++)
                {
                    pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 300 * ((k * 960) + i) / 48000.0));
                }

                n = encoder.Encode(pcm, buffer);
            }

            _packet = buffer[..n];
        }
        else
        {
            var rp = new OpusRepacketizer();
            var random = new Random(1);
            for (int i = 0; i < 6; i++)
            {
                byte[] frame = new byte[1 + random.Next(40, 300)];
                random.NextBytes(frame);
                frame[0] = 0xF0; // CELT FB 10 ms, code 0
                rp.TryAdd(frame);
            }

            var buffer = new byte[4000];
            rp.TryWriteRange(0, 6, buffer, rp.GetLength(0, 6) + 40, out int n);
            _packet = buffer[..n];
        }
    }

    [Benchmark(Baseline = true, Description = "libopus opus_packet_parse (P/Invoke)")]
    public int LibopusParse()
    {
        byte toc;
        int offset;
        fixed (byte* data = _packet)
        fixed (byte** frames = _frames)
        fixed (short* sizes = _sizes)
        {
            int count = LibOpusReference.PacketParse(data, _packet.Length, &toc, frames, sizes, &offset);
            int sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += sizes[i];
            }

            return sum + offset;
        }
    }

    [Benchmark(Description = "OpusPacket.Parse + GetFrames")]
    public int OurParse()
    {
        if (OpusPacket.Parse(_packet, out OpusPacket packet) != OpusPacketStatus.Valid)
        {
            return -1;
        }

        int sum = 0;
        foreach (ReadOnlySpan<byte> frame in packet.GetFrames())
        {
            sum += frame.Length;
        }

        return sum + packet.HeaderLength;
    }

    [Benchmark(Description = "OpusPacketInspector.Inspect (parse + LBRR/VAD/DTX)")]
    public int OurInspect()
    {
        OpusPacketInspector.Inspect(_packet, out OpusPacketInfo info);
        return info.LbrrFrameCount + info.EmptyFrameCount;
    }
}
