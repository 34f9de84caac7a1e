using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RtcStack.Stun;
using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>
/// A coturn (turnserver) process on 127.0.0.1 with its own user database in a temp folder (long-term
/// credentials, a fixed realm, no CLI; the arguments are below). Ports are chosen per instance so parallel runs do not
/// collide. Disposing stops it by PID and removes the folder.
/// </summary>
internal sealed class CoturnServer : IDisposable
{
    public const string User = "test";
    public const string Password = "test";
    public const string Realm = "example";

    private readonly Process _process;
    private readonly string _dir;
    private readonly NetworkNamespace? _ns;
    private readonly IPAddress _listeningIp;
    private readonly StringBuilder _log = new();

    /// <summary>Starts coturn on UDP only (the default), or on plain TCP and/or TLS over TCP only (<paramref name="tls"/>: a self-signed certificate for "localhost" and 127.0.0.1 made here).</summary>
    public CoturnServer(bool udp = true, bool tcp = false, bool tls = false)
        : this(null, "127.0.0.1", "127.0.0.1", "localhost", udp, tcp, tls)
    {
    }

    /// <summary>
    /// Starts coturn inside <paramref name="ns"/> (or on this host when null), listening on <paramref name="listeningIp"/>
    /// and relaying from <paramref name="relayIp"/>; a TLS certificate names <paramref name="serverName"/> and the listening address.
    /// </summary>
    public CoturnServer(NetworkNamespace? ns, string listeningIp, string relayIp, string serverName, bool udp, bool tcp, bool tls)
    {
        _ns = ns;
        _listeningIp = IPAddress.Parse(listeningIp);
        string turnserver = ExternalTool.Require("turnserver", "coturn");
        _dir = Directory.CreateTempSubdirectory("rtcstack-coturn-").FullName;
        Port = FreeUdpPort();
        TlsPort = tls ? FreeTcpPort() : 0;
        int minPort = 50000 + (Random.Shared.Next(0, 300) * 40);
        var transportArguments = new List<string>();
        if (!udp)
        {
            transportArguments.Add("--no-udp");
        }

        if (!tcp)
        {
            transportArguments.Add("--no-tcp");
        }

        if (tls)
        {
            Certificate = MakeCertificate(out string certPath, out string keyPath, _dir, serverName, _listeningIp);
            CertificatePath = certPath;
            transportArguments.AddRange([$"--tls-listening-port={TlsPort}", $"--cert={certPath}", $"--pkey={keyPath}"]);
        }
        else
        {
            transportArguments.Add("--no-tls");
        }

        string[] arguments = new[]
        {
            "-n", $"--listening-ip={listeningIp}", $"--relay-ip={relayIp}", $"--listening-port={Port}",
            "--lt-cred-mech", $"--user={User}:{Password}", $"--realm={Realm}", "--fingerprint", "--allow-loopback-peers",
            $"--min-port={minPort}", $"--max-port={minPort + 39}", "--no-dtls", "--no-cli",
            $"--userdb={Path.Combine(_dir, "turndb")}", $"--pidfile={Path.Combine(_dir, "turnserver.pid")}",
            "--log-file=stdout", "--simple-log", "--verbose",
        }.Concat(transportArguments).ToArray();
        if (ns is not null)
        {
            // `ip netns exec` execs turnserver, so the PID is coturn's own and Dispose stops it.
            _process = ns.StartProcess(turnserver, arguments, _dir);
        }
        else
        {
            var psi = new ProcessStartInfo(turnserver)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = _dir,
            };
            foreach (string a in arguments)
            {
                psi.ArgumentList.Add(a);
            }

            _process = Process.Start(psi) ?? throw new InvalidOperationException("turnserver did not start");
        }

        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (udp)
        {
            WaitUntilAnswering();
        }
        else
        {
            WaitUntilListening(tcp ? Port : TlsPort);
        }
    }

    /// <summary>Gets the UDP and TCP port (coturn's listening port serves both).</summary>
    public int Port { get; }

    /// <summary>Gets the TLS port, or 0.</summary>
    public int TlsPort { get; }

    /// <summary>Gets the TLS certificate coturn presents (self-signed, SAN DNS localhost and IP 127.0.0.1), or null.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Gets the PEM file of <see cref="Certificate"/>, or null.</summary>
    public string? CertificatePath { get; }

    public TransportAddress TlsAddress => TransportAddress.Parse($"127.0.0.1:{TlsPort}");

    public TransportAddress Address => TransportAddress.Parse($"127.0.0.1:{Port}");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public void Dispose()
    {
        ProcessRunner.StopAndDispose(_process);
        Certificate?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    // A self-signed ECDSA P-256 certificate for the server's name and address, written as PEM for coturn's --cert/--pkey.
    private static X509Certificate2 MakeCertificate(out string certPath, out string keyPath, string dir, string serverName, IPAddress address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + serverName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(serverName);
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        certPath = Path.Combine(dir, "cert.pem");
        keyPath = Path.Combine(dir, "key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    // Connects until coturn accepts on the TCP port (it takes a moment to open its listeners).
    private void WaitUntilListening(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("turnserver exited: " + Log);
            }

            using Socket s = _ns is null
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                : _ns.Invoke(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                s.Connect(new IPEndPoint(_listeningIp, port));
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException("turnserver did not listen on TCP port " + port + ": " + Log);
    }

    // Sends plain Binding requests until coturn answers (it takes a moment to open its sockets).
    private void WaitUntilAnswering()
    {
        using Socket s = _ns is null
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : _ns.Invoke(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        s.Bind(new IPEndPoint(IPAddress.IsLoopback(_listeningIp) ? IPAddress.Loopback : IPAddress.Any, 0));
        s.ReceiveTimeout = 200;
        byte[] req = new byte[64];
        var w = new StunMessageWriter(req, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        int n = w.Length;
        byte[] buf = new byte[1500];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("turnserver exited: " + Log);
            }

            s.SendTo(req.AsSpan(0, n), SocketFlags.None, new IPEndPoint(_listeningIp, Port));
            try
            {
                int got = s.Receive(buf);
                if (got > 0 && StunMessageReader.TryParse(buf.AsSpan(0, got), out _) == StunParseStatus.Ok)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
        }

        throw new TimeoutException("turnserver did not answer on port " + Port + ": " + Log);
    }
}
