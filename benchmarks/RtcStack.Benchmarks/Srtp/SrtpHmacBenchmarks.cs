using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>
/// HMAC-SHA1 over an SRTP packet plus ROC: our precomputed-pad HMAC on our SHA-1 compression
/// against .NET's reusable <see cref="IncrementalHash"/> (OpenSSL, SHA-NI where the CPU has it).
/// Picks the faster path for SRTP authentication.
/// </summary>
[MemoryDiagnoser]
public class SrtpHmacBenchmarks
{
    private readonly byte[] _roc = new byte[4];
    private readonly byte[] _mac = new byte[20];
    private HmacSha1 _ours = null!;
    private IncrementalHash _dotnet = null!;
    private byte[] _data = null!;

    [Params(172, 428, 1212)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[20];
        new Random(1).NextBytes(key);
        _ours = new HmacSha1(key, int.MaxValue);
        _dotnet = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        _data = new byte[Length];
        new Random(2).NextBytes(_data);
    }

    [GlobalCleanup]
    public void Cleanup() => _dotnet.Dispose();

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
        _ours.Compute(_data, _roc, _mac);
        return _mac[0];
    }
}
