using BenchmarkDotNet.Attributes;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>SRTCP protect of a 100-byte RTCP compound (SR + SDES), ours against libsrtp 2 in the same run.</summary>
[MemoryDiagnoser]
public class SrtcpProtectBenchmarks
{
    private SrtpContext _ours = null!;
    private LibSrtpSession _libsrtp = null!;
    private byte[] _buffer = null!;
    private int _length;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (byte[] key, byte[] salt) = SrtpBenchmarkPackets.Keys(Profile);
        _ours = new SrtpContext(Profile, key, salt);
        _libsrtp = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true);
        byte[] packet = SrtpBenchmarkPackets.RtcpCompound();
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
        int length = _length;
        return _libsrtp.ProtectRtcp(_buffer, ref length) + length;
    }

    [Benchmark]
    public int RtcStack()
    {
        return (int)_ours.ProtectRtcp(_buffer, _length, out int length) + length;
    }
}
