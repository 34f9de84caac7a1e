using BenchmarkDotNet.Attributes;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>
/// SRTP unprotect of one RTP packet, ours against libsrtp 2.5.0 in the same run, on OpenSSL (the
/// baseline: benchmarks/libsrtp-openssl.sh) and Debian's on NSS. The replay window
/// refuses a packet seen before, so each iteration unprotects a fresh run of
/// <see cref="PacketsPerIteration"/> consecutive packets, protected beforehand (outside the
/// measurement) and unprotected in place.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(PacketsPerIteration)]
public class SrtpUnprotectBenchmarks
{
    public const int PacketsPerIteration = 32768;
    private SrtpContext _sender = null!;
    private SrtpContext _ours = null!;
    private LibSrtpSession _openSsl = null!;
    private LibSrtpSession _nss = null!;
    private byte[] _plain = null!;
    private byte[] _ring = null!;
    private int _stride;
    private int _protectedLength;
    private int _next;
    private ushort _seq;
    private int _failures;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [Params(160, 1200)]
    public int Payload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (byte[] key, byte[] salt) = SrtpBenchmarkPackets.Keys(Profile);
        _sender = new SrtpContext(Profile, key, salt);
        _ours = new SrtpContext(Profile, key, salt);
        _openSsl = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: false, library: LibSrtpLibrary.OpenSsl());
        _nss = new LibSrtpSession(SrtpBenchmarkPackets.Map(Profile), key, salt, outbound: false, library: LibSrtpLibrary.Debian);
        _plain = SrtpBenchmarkPackets.Rtp(Payload, 0);
        _stride = (_plain.Length + 64 + 63) & ~63;
        _ring = new byte[_stride * PacketsPerIteration];
    }

    [IterationSetup]
    public void Refill()
    {
        for (int i = 0; i < PacketsPerIteration; i++)
        {
            Span<byte> slot = _ring.AsSpan(i * _stride, _stride);
            _plain.CopyTo(slot);
            slot[2] = (byte)(_seq >> 8);
            slot[3] = (byte)_seq;
            _seq++;
            if (_sender.ProtectRtp(slot, _plain.Length, out _protectedLength) != SrtpStatus.Ok)
            {
                throw new InvalidOperationException("could not protect the benchmark packets");
            }
        }

        _next = 0;
        _failures = 0;
    }

    [IterationCleanup]
    public void CheckEveryPacketWasAccepted()
    {
        // A packet that fails (a replay, say) returns early and would flatter the timing. (BenchmarkDotNet's
        // jitting stage runs a single invocation between setup and cleanup, so only failures are counted.)
        if (_failures != 0)
        {
            throw new InvalidOperationException($"{_failures} of {_next} packets were not accepted");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _ours.Dispose();
        _openSsl.Dispose();
        _nss.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int LibsrtpOpenSsl()
    {
        int length = _protectedLength;
        int status = _openSsl.Unprotect(_ring.AsSpan((_next++) * _stride, _stride), ref length);
        _failures += status == LibSrtpSession.StatusOk ? 0 : 1;
        return status + length;
    }

    [Benchmark]
    public int LibsrtpNss()
    {
        int length = _protectedLength;
        int status = _nss.Unprotect(_ring.AsSpan((_next++) * _stride, _stride), ref length);
        _failures += status == LibSrtpSession.StatusOk ? 0 : 1;
        return status + length;
    }

    [Benchmark]
    public int RtcStack()
    {
        SrtpStatus status = _ours.UnprotectRtp(_ring.AsSpan((_next++) * _stride, _stride), _protectedLength, out int length);
        _failures += status == SrtpStatus.Ok ? 0 : 1;
        return (int)status + length;
    }
}
