using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>
/// HMAC-SHA1 over an SRTP packet plus ROC on each of our paths: libcrypto's SHA-1 with precomputed
/// SHA_CTX pad states (the default on Linux), our managed SHA-1 with precomputed pads, and .NET's
/// reusable <see cref="IncrementalHash"/> (the long-message half of the fallback where libcrypto is absent).
/// </summary>
[MemoryDiagnoser]
public class SrtpHmacBenchmarks
{
    private readonly byte[] _roc = new byte[4];
    private readonly byte[] _mac = new byte[20];
    private HmacSha1 _libcrypto = null!;
    private HmacSha1 _managed = null!;
    private IncrementalHash _dotnet = null!;
    private byte[] _data = null!;

    [Params(172, 428, 1212)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[20];
        new Random(1).NextBytes(key);
        _libcrypto = new HmacSha1(key, HmacSha1Path.Libcrypto);
        _managed = new HmacSha1(key, HmacSha1Path.Managed);
        _dotnet = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        _data = new byte[Length];
        new Random(2).NextBytes(_data);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _libcrypto.Dispose();
        _managed.Dispose();
        _dotnet.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte DotnetIncrementalHash()
    {
        _dotnet.AppendData(_data);
        _dotnet.AppendData(_roc);
        _dotnet.GetHashAndReset(_mac);
        return _mac[0];
    }

    [Benchmark]
    public byte OwnSha1Compression()
    {
        _managed.Compute(_data, _roc, _mac);
        return _mac[0];
    }

    [Benchmark]
    public byte LibcryptoSha1PadStates()
    {
        _libcrypto.Compute(_data, _roc, _mac);
        return _mac[0];
    }
}
