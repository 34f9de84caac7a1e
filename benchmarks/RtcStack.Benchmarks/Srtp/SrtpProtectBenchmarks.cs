using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>
/// SRTP protect of one RTP packet (12-byte header + payload), ours against libsrtp 2.5.0 in the same
/// run, built two ways: on OpenSSL (the baseline: benchmarks/libsrtp-openssl.sh) and Debian's on NSS.
/// </summary>
[MemoryDiagnoser]
public class SrtpProtectBenchmarks
{
    private SrtpContext _ours = null!;
    private LibSrtpSession _openSsl = null!;
    private LibSrtpSession _nss = null!;
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
        _openSsl = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true, library: LibSrtpLibrary.OpenSsl());
        _nss = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: true, library: LibSrtpLibrary.Debian);
        byte[] packet = SrtpBenchmarkPackets.Rtp(Payload, 1);
        SrtpBenchmarkPackets.CheckSameBytes(Profile, packet);
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
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        int length = _length;
        return _openSsl.Protect(_buffer, ref length) + length;
    }

    [Benchmark]
    public int LibsrtpNss()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        int length = _length;
        return _nss.Protect(_buffer, ref length) + length;
    }

    [Benchmark]
    public int RtcStack()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        return (int)_ours.ProtectRtp(_buffer, _length, out int length) + length;
    }
}
