using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>SRTP protect of one RTP packet (12-byte header + payload), ours against libsrtp 2 in the same run.</summary>
[MemoryDiagnoser]
public class SrtpProtectBenchmarks
{
    private SrtpContext _ours = null!;
    private LibSrtpSession _libsrtp = null!;
    private byte[] _buffer = null!;
    private int _length;
    private ushort _seq;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [Params(160, 1200)]
    public int Payload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (byte[] key, byte[] salt) = SrtpBenchmarkPackets.Keys(Profile);
        _ours = new SrtpContext(Profile, key, salt);
        _libsrtp = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true);
        byte[] packet = SrtpBenchmarkPackets.Rtp(Payload, 1);
        _buffer = new byte[packet.Length + 64];
        packet.CopyTo(_buffer, 0);
        _length = packet.Length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _libsrtp.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Libsrtp()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        int length = _length;
        return _libsrtp.Protect(_buffer, ref length) + length;
    }

    [Benchmark]
    public int RtcStack()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        return (int)_ours.ProtectRtp(_buffer, _length, out int length) + length;
    }
}
