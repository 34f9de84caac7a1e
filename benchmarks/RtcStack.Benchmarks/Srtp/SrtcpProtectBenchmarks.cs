using BenchmarkDotNet.Attributes;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>
/// SRTCP protect of a 100-byte RTCP compound (SR + SDES), ours against libsrtp 2.5.0 in the same run,
/// on OpenSSL (the baseline) and Debian's on NSS.
/// </summary>
[MemoryDiagnoser]
public class SrtcpProtectBenchmarks
{
    private SrtpContext _ours = null!;
    private LibSrtpSession _openSsl = null!;
    private LibSrtpSession _nss = null!;
    private byte[] _buffer = null!;
    private int _length;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (byte[] key, byte[] salt) = SrtpBenchmarkPackets.Keys(Profile);
        _ours = new SrtpContext(Profile, key, salt);
        _openSsl = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true, library: LibSrtpLibrary.OpenSsl());
        _nss = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true, library: LibSrtpLibrary.Debian);
        byte[] packet = SrtpBenchmarkPackets.RtcpCompound();
        SrtpBenchmarkPackets.CheckSameBytes(Profile, SrtpBenchmarkPackets.Rtp(160, 1));
        _buffer = new byte[packet.Length + 64];
        packet.CopyTo(_buffer, 0);
        _length = packet.Length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _openSsl.Dispose();
        _nss.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int LibsrtpOpenSsl()
    {
        int length = _length;
        return _openSsl.ProtectRtcp(_buffer, ref length) + length;
    }

    [Benchmark]
    public int LibsrtpNss()
    {
        int length = _length;
        return _nss.ProtectRtcp(_buffer, ref length) + length;
    }

    [Benchmark]
    public int RtcStack()
    {
        return (int)_ours.ProtectRtcp(_buffer, _length, out int length) + length;
    }
}
