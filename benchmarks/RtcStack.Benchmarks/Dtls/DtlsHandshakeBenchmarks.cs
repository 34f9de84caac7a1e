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
    public byte[] RtcStack() => Measured(DtlsVersion.Dtls12, null);

    /// <summary>Our DTLS 1.3 client against our DTLS 1.3 server with the hybrid X25519MLKEM768 key share (what browsers get).</summary>
    [Benchmark]
    public byte[] RtcStack13Hybrid() => Measured(DtlsVersion.Dtls13, DtlsNamedGroup.X25519MlKem768);

    /// <summary>Our DTLS 1.3 client against our DTLS 1.3 server with X25519 alone.</summary>
    [Benchmark]
    public byte[] RtcStack13X25519() => Measured(DtlsVersion.Dtls13, DtlsNamedGroup.X25519);

    private byte[] Measured(DtlsVersion version, DtlsNamedGroup? group)
    {
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        try
        {
            return RtcStackHandshake(version, group);
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

    private byte[] RtcStackHandshake(DtlsVersion version, DtlsNamedGroup? group)
    {
        var co = new DtlsOptions { Certificate = _clientCert, MaxVersion = version };
        co.RemoteFingerprints.Add(_serverCert.Fingerprint);
        co.SrtpProfiles.Clear();
        co.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
        co.CipherSuites.Clear();
        co.CipherSuites.Add(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256);
        var so = new DtlsOptions { Certificate = _serverCert, MaxVersion = version };
        if (group is DtlsNamedGroup g)
        {
            // Both sides offer only this group, so the client's first key share is taken (no HelloRetryRequest).
            co.Dtls13Groups.Clear();
            co.Dtls13Groups.Add(g);
            so.Dtls13Groups.Clear();
            so.Dtls13Groups.Add(g);
        }

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

        if (client.Version != version)
        {
            throw new InvalidOperationException($"negotiated {client.Version}, not {version}");
        }

        if (group is not null && client.NegotiatedGroup != group)
        {
            throw new InvalidOperationException($"negotiated group {client.NegotiatedGroup}, not {group}");
        }

        return client.SrtpKeys!.ExporterOutput;
    }
}
