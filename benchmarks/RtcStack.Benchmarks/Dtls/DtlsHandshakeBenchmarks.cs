using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using CipherSuite = Org.BouncyCastle.Tls.CipherSuite;
using NamedGroup = Org.BouncyCastle.Tls.NamedGroup;
using RtcStack.Dtls;
using RtcStack.TestSupport.Dtls;
using RtcStack.Srtp;

namespace RtcStack.Benchmarks.Dtls;

/// <summary>
/// One complete DTLS 1.2 + DTLS-SRTP handshake (cookie exchange, ECDHE_ECDSA_AES_128_GCM_SHA256,
/// X25519, mutual ECDSA P-256 certificates, SRTP_AES128_CM_HMAC_SHA1_80, exporter) in memory:
/// our client against our server, and BouncyCastle's DtlsClientProtocol against its
/// DtlsServerProtocol in the same run. Certificates are made once, outside the measurement.
/// BouncyCastle's protocol classes block, so its server runs on a pool thread and the two sides
/// hand datagrams over blocking queues; its handshake is strictly ping-pong, so the wall time
/// measured is essentially the CPU time of both sides plus queue hand-offs.
/// Because the target is stated in CPU time and the machine is shared, each invocation also adds
/// the process CPU time it used (all threads: both BouncyCastle peers, GC) to a per-method total
/// that is printed at cleanup as "DTLS CPU per handshake".
/// </summary>
[MemoryDiagnoser]
public class DtlsHandshakeBenchmarks
{
    private DtlsCertificate _clientCert = null!;
    private DtlsCertificate _serverCert = null!;
    private BcDtlsPeer _bcClient = null!;
    private BcDtlsPeer _bcServer = null!;
    private TimeSpan _cpu;
    private int _count;

    [GlobalSetup]
    public void Setup()
    {
        _clientCert = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "client");
        _serverCert = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "server");
        _bcClient = new BcDtlsPeer(_clientCert.Der.ToArray(), ((ECDsa)_clientCert.PrivateKey).ExportPkcs8PrivateKey())
        {
            CipherSuites = [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
            NamedGroups = [NamedGroup.x25519],
        };
        _bcServer = new BcDtlsPeer(_serverCert.Der.ToArray(), ((ECDsa)_serverCert.PrivateKey).ExportPkcs8PrivateKey())
        {
            CipherSuites = [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        };
    }

    [GlobalCleanup]
    public void Report()
    {
        if (_count > 0)
        {
            Console.WriteLine($"// DTLS CPU per handshake: {_cpu.TotalMilliseconds / _count:0.000} ms over {_count} handshakes");
        }
    }

    [Benchmark(Baseline = true)]
    public byte[] BouncyCastle()
    {
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        try
        {
            return BouncyCastleHandshake();
        }
        finally
        {
            _cpu += Environment.CpuUsage.TotalTime - cpu0;
            _count++;
        }
    }

    [Benchmark]
    public byte[] RtcStack()
    {
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        try
        {
            return RtcStackHandshake();
        }
        finally
        {
            _cpu += Environment.CpuUsage.TotalTime - cpu0;
            _count++;
        }
    }

    private byte[] BouncyCastleHandshake()
    {
        (DatagramPipe c, DatagramPipe s) = DatagramPipe.CreatePair();
        Task<byte[]> server = Task.Run(() => _bcServer.Accept(s, 60).Exported);
        byte[] clientKeys = _bcClient.Connect(c, 60).Exported;
        byte[] serverKeys = server.GetAwaiter().GetResult();
        return clientKeys[0] == serverKeys[0] ? clientKeys : throw new InvalidOperationException("keys differ");
    }

    private byte[] RtcStackHandshake()
    {
        var co = new DtlsOptions { Certificate = _clientCert };
        co.RemoteFingerprints.Add(_serverCert.Fingerprint);
        co.SrtpProfiles.Clear();
        co.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
        co.CipherSuites.Clear();
        co.CipherSuites.Add(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256);
        var so = new DtlsOptions { Certificate = _serverCert };
        so.RemoteFingerprints.Add(_clientCert.Fingerprint);
        using var client = new DtlsEndpoint(DtlsRole.Client, co);
        using var server = new DtlsEndpoint(DtlsRole.Server, so);
        TimeSpan now = TimeSpan.Zero;
        server.Start(now);
        client.Start(now);
        bool moved = true;
        while (moved)
        {
            moved = false;
            while (client.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                server.HandleDatagram(d.Span, now);
                moved = true;
            }

            while (server.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                client.HandleDatagram(d.Span, now);
                moved = true;
            }
        }

        if (client.State != DtlsState.Connected || server.State != DtlsState.Connected)
        {
            throw new InvalidOperationException($"handshake failed: {client.State}/{server.State}");
        }

        return client.SrtpKeys!.ExporterOutput;
    }
}
