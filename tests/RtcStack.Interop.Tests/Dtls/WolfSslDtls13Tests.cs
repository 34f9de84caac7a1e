using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using RtcStack.Dtls;
using RtcStack.Srtp;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Dtls;

/// <summary>
/// Our DTLS 1.3 endpoint (RFC 9147) against wolfSSL's example client and server built with
/// <c>--enable-dtls13</c> from Debian 12's source package by scripts/build-wolfssl-dtls13.sh
/// (test.sh runs it; Debian's libwolfssl35 has no DTLS 1.3). Over real UDP on 127.0.0.1. The
/// DTLS-SRTP keying material wolfSSL prints must equal ours, and the negotiated version must be
/// 1.3. The wolfSSL process is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class WolfSslDtls13Tests
{
    private static readonly string s_dir = Path.Combine(
        Environment.GetEnvironmentVariable("RTCSTACK_WOLFSSL_DIR") ?? "/var/tmp/rtcstack-wolfssl-dtls13", "src");

    private readonly string _client = ExternalTool.Require(Path.Combine(s_dir, "examples/client/client"), "wolfssl with DTLS 1.3 (scripts/build-wolfssl-dtls13.sh)");
    private readonly string _server = ExternalTool.Require(Path.Combine(s_dir, "examples/server/server"), "wolfssl with DTLS 1.3 (scripts/build-wolfssl-dtls13.sh)");

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void OurServer_AgainstWolfSslDtls13Client(bool x25519, bool requireCookie)
    {
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        var options = new DtlsOptions { Certificate = ours, MaxVersion = DtlsVersion.Dtls13, RequireCookie = requireCookie };
        options.RemoteFingerprints.Add(PemFingerprint("certs/client-cert.pem"));
        options.SrtpProfiles.Clear();
        options.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
        using var endpoint = new DtlsEndpoint(DtlsRole.Server, options);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        // -u DTLS, -v 4 (D)TLS 1.3, -d: do not check our self-signed certificate against its CA (WebRTC checks fingerprints instead).
        List<string> args = ["-u", "-v", "4", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", "--srtp", "SRTP_AES128_CM_SHA1_80"];
        if (x25519)
        {
            args.Add("-t");
        }

        using WolfProcess client = WolfProcess.Start(_client, args);
        EndPoint? peer = null;
        List<DtlsEvent> events = Drive(endpoint, socket, null, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(20), p => peer = p);
        Assert.True(events.OfType<DtlsConnectedEvent>().Any(), string.Join("; ", events) + " | wolfSSL: " + client.Output);
        DtlsConnectedEvent connected = events.OfType<DtlsConnectedEvent>().Single();
        Assert.Equal(DtlsVersion.Dtls13, connected.Version);
        Assert.Equal(x25519 ? DtlsNamedGroup.X25519 : DtlsNamedGroup.Secp256r1, connected.Group);
        // The example client sends a line and waits for an answer before it exits; its stdout (with the
        // exported keying material) is block-buffered into our pipe, so it is read after the exchange.
        List<DtlsEvent> data = Drive(endpoint, socket, peer, e => e.OfType<DtlsApplicationDataEvent>().Any(), TimeSpan.FromSeconds(10), start: false);
        Assert.NotEmpty(data.OfType<DtlsApplicationDataEvent>());
        endpoint.Send("I hear you fa shizzle!\0"u8);
        Flush(endpoint, socket, peer);
        Assert.True(client.WaitForOutput("Exported key material: ", TimeSpan.FromSeconds(10)), client.Output);
        Assert.Equal(KeyingMaterial(client.Output), Convert.ToHexString(connected.SrtpKeys!.ExporterOutput));
        Assert.Contains("I hear you fa shizzle!", client.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("certs/server-ecc.pem", "certs/ecc-key.pem")]
    [InlineData("certs/server-cert.pem", "certs/server-key.pem")] // RSA: its CertificateVerify is RSA-PSS
    public void OurClient_AgainstWolfSslDtls13Server(string cert, string key)
    {
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        var options = new DtlsOptions { Certificate = ours, MaxVersion = DtlsVersion.Dtls13 };
        options.RemoteFingerprints.Add(PemFingerprint(cert));
        options.SrtpProfiles.Clear();
        options.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
        int port = FreeUdpPort();
        using WolfProcess server = WolfProcess.Start(_server,
            ["-u", "-v", "4", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", "-c", cert, "-k", key, "--srtp", "SRTP_AES128_CM_SHA1_80"]);
        Thread.Sleep(300);
        using var endpoint = new DtlsEndpoint(DtlsRole.Client, options);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var remote = new IPEndPoint(IPAddress.Loopback, port);
        List<DtlsEvent> events = Drive(endpoint, socket, remote, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(20));
        Assert.True(events.OfType<DtlsConnectedEvent>().Any(), string.Join("; ", events) + " | wolfSSL: " + server.Output);
        DtlsConnectedEvent connected = events.OfType<DtlsConnectedEvent>().Single();
        Assert.Equal(DtlsVersion.Dtls13, connected.Version);
        Assert.True(server.WaitForOutput("Exported key material: ", TimeSpan.FromSeconds(10)), server.Output);
        Assert.Equal(KeyingMaterial(server.Output), Convert.ToHexString(connected.SrtpKeys!.ExporterOutput));

        // The example server answers the client's line; our final flight is acknowledged on the way.
        endpoint.Send("hello wolfssl\0"u8);
        List<DtlsEvent> data = Drive(endpoint, socket, remote, e => e.OfType<DtlsApplicationDataEvent>().Any(), TimeSpan.FromSeconds(10), start: false);
        Assert.NotEmpty(data.OfType<DtlsApplicationDataEvent>());
    }

    private static DtlsFingerprint PemFingerprint(string relative)
    {
        using X509Certificate2 cert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(s_dir, relative)));
        return DtlsFingerprint.Compute(cert.RawData);
    }

    private static string KeyingMaterial(string output) => KeyingMaterialRegex().Match(output).Groups[1].Value.ToUpperInvariant();

    [GeneratedRegex("Exported key material: ([0-9A-Fa-f]+)")]
    private static partial Regex KeyingMaterialRegex();

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static void Flush(DtlsEndpoint endpoint, Socket socket, EndPoint? remote)
    {
        while (endpoint.TryPollTransmit(out ReadOnlyMemory<byte> d))
        {
            socket.SendTo(d.Span, remote!);
        }
    }

    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    /// <summary>A minimal real-UDP driver for the sans-IO endpoint, as in <see cref="OpenSslDtlsTests"/>.</summary>
    private static List<DtlsEvent> Drive(DtlsEndpoint endpoint, Socket socket, EndPoint? remote, Func<List<DtlsEvent>, bool> done, TimeSpan limit, Action<EndPoint>? learnedPeer = null, bool start = true)
    {
        var events = new List<DtlsEvent>();
        TimeSpan end = s_clock.Elapsed + limit;
        if (start)
        {
            endpoint.Start(s_clock.Elapsed);
        }

        byte[] buffer = new byte[4096];
        while (s_clock.Elapsed < end)
        {
            if (remote is not null)
            {
                Flush(endpoint, socket, remote);
            }

            while (endpoint.TryPollEvent(out DtlsEvent? e))
            {
                events.Add(e!);
            }

            if (done(events))
            {
                break;
            }

            int waitMicros = 20_000;
            if (endpoint.PollTimeout() is TimeSpan t)
            {
                waitMicros = (int)Math.Clamp((t - s_clock.Elapsed).TotalMicroseconds, 0, 20_000);
            }

            if (socket.Poll(waitMicros, SelectMode.SelectRead))
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = socket.ReceiveFrom(buffer, ref from);
                if (remote is null)
                {
                    remote = from;
                    learnedPeer?.Invoke(from);
                }

                endpoint.HandleDatagram(buffer.AsSpan(0, n), s_clock.Elapsed);
            }

            if (endpoint.PollTimeout() is TimeSpan due && due <= s_clock.Elapsed)
            {
                endpoint.HandleTimeout(s_clock.Elapsed);
            }
        }

        return events;
    }

    /// <summary>A wolfSSL example program run from its source tree (it loads certs/ relative to it), output collected, stopped by PID.</summary>
    private sealed class WolfProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private WolfProcess(Process process)
        {
            _process = process;
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static WolfProcess Start(string program, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = s_dir,
            };
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }

            var p = new Process { StartInfo = psi };
            var w = new WolfProcess(p);
            p.OutputDataReceived += (_, e) => w.Append(e.Data);
            p.ErrorDataReceived += (_, e) => w.Append(e.Data);
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return w;
        }

        public bool WaitForOutput(string text, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < timeout)
            {
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }

                Thread.Sleep(20);
            }

            return false;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
