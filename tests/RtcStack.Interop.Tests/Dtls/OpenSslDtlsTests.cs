using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using RtcStack.Dtls;
using RtcStack.TestSupport;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.Interop.Tests.Dtls;

/// <summary>
/// Our DTLS endpoint against OpenSSL's s_server and s_client over real UDP on 127.0.0.1
/// (`openssl s_server -dtls1_2` / `s_client` with -use_srtp and -keymatexport, the arguments below). The keying material OpenSSL prints for
/// "EXTRACTOR-dtls_srtp" must equal our exporter output, and each side checks the other's
/// certificate fingerprint. The OpenSSL process is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class OpenSslDtlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-dtls-openssl").FullName;
    private readonly string _openssl = ExternalTool.Require("openssl", "openssl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, "SRTP_AES128_CM_SHA1_80")]
    [InlineData(SrtpProfile.AeadAes128Gcm, "SRTP_AEAD_AES_128_GCM")]
    public void OurClient_AgainstOpenSslServer(SrtpProfile profile, string opensslProfile)
    {
        (string certPem, string keyPem, DtlsFingerprint opensslFingerprint) = MakeOpenSslCertificate();
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        int length = profile.DtlsExporterLength();
        int port = FreeUdpPort();
        using OpenSslProcess server = OpenSslProcess.Start(_openssl,
        [
            "s_server", "-dtls1_2", "-accept", $"127.0.0.1:{port}", "-cert", certPem, "-key", keyPem, "-verify", "1",
            "-use_srtp", opensslProfile, "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        Assert.True(server.WaitForOutput("ACCEPT", TimeSpan.FromSeconds(10)), "s_server did not start: " + server.Output);

        var options = new DtlsOptions { Certificate = ours };
        options.RemoteFingerprints.Add(opensslFingerprint);
        options.SrtpProfiles.Clear();
        options.SrtpProfiles.Add(profile);
        using var endpoint = new DtlsEndpoint(DtlsRole.Client, options);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var remote = new IPEndPoint(IPAddress.Loopback, port);
        List<DtlsEvent> events = Drive(endpoint, socket, remote, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(15));

        DtlsConnectedEvent connected = Assert.Single(events.OfType<DtlsConnectedEvent>());
        Assert.Equal(profile, connected.SrtpKeys!.Profile);
        Assert.Equal(opensslFingerprint, connected.RemoteFingerprint);
        Assert.True(server.WaitForOutput("Keying material: ", TimeSpan.FromSeconds(10)), server.Output);
        Assert.Contains("SRTP Extension negotiated, profile=" + opensslProfile, server.Output, StringComparison.Ordinal);
        Assert.Equal(KeyingMaterial(server.Output), Convert.ToHexString(connected.SrtpKeys.ExporterOutput));

        // Application data both ways: s_server echoes nothing by itself, but prints what it receives.
        endpoint.Send("hello openssl\n"u8);
        Flush(endpoint, socket, remote);
        Assert.True(server.WaitForOutput("hello openssl", TimeSpan.FromSeconds(10)), server.Output);
        endpoint.Close();
        Flush(endpoint, socket, remote);
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, "SRTP_AES128_CM_SHA1_80")]
    [InlineData(SrtpProfile.AeadAes128Gcm, "SRTP_AEAD_AES_128_GCM")]
    public void OurServer_AgainstOpenSslClient(SrtpProfile profile, string opensslProfile)
    {
        (string certPem, string keyPem, DtlsFingerprint opensslFingerprint) = MakeOpenSslCertificate();
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        int length = profile.DtlsExporterLength();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        var options = new DtlsOptions { Certificate = ours };
        options.RemoteFingerprints.Add(opensslFingerprint);
        options.SrtpProfiles.Clear();
        options.SrtpProfiles.Add(profile);
        using var endpoint = new DtlsEndpoint(DtlsRole.Server, options);

        // s_client quits when its stdin ends, so stdin stays open until we stop it.
        using OpenSslProcess client = OpenSslProcess.Start(_openssl,
        [
            "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{port}", "-cert", certPem, "-key", keyPem,
            "-use_srtp", opensslProfile, "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        EndPoint? peer = null;
        List<DtlsEvent> events = Drive(endpoint, socket, null, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(15), p => peer = p);

        DtlsConnectedEvent connected = Assert.Single(events.OfType<DtlsConnectedEvent>());
        Assert.Equal(profile, connected.SrtpKeys!.Profile);
        Assert.True(client.WaitForOutput("Keying material: ", TimeSpan.FromSeconds(10)), client.Output);
        Assert.Contains("SRTP Extension negotiated, profile=" + opensslProfile, client.Output, StringComparison.Ordinal);
        Assert.Equal(KeyingMaterial(client.Output), Convert.ToHexString(connected.SrtpKeys.ExporterOutput));
        Assert.Equal(opensslFingerprint, DtlsFingerprint.Compute(connected.RemoteCertificateDer));
        Assert.Equal(opensslFingerprint, connected.RemoteFingerprint);

        endpoint.Send("hello from rtcstack\n"u8);
        Flush(endpoint, socket, peer);
        Assert.True(client.WaitForOutput("hello from rtcstack", TimeSpan.FromSeconds(10)), client.Output);
    }

    [Fact]
    public void OurFingerprint_EqualsOpenSslsFingerprint()
    {
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        string certPath = Path.Combine(_dir, "ours.pem");
        string keyPath = Path.Combine(_dir, "ours.key");
        ours.Save(certPath, keyPath);
        ProcessRunner.Result r = ProcessRunner.Run(_openssl, ["x509", "-noout", "-fingerprint", "-sha256", "-in", certPath], TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        string hex = r.StdOut.Trim().Split('=')[1];
        Assert.Equal("sha-256 " + hex, ours.Fingerprint.ToString());

        // And OpenSSL accepts the PEM private key we saved.
        ProcessRunner.Result k = ProcessRunner.Run(_openssl, ["pkey", "-in", keyPath, "-noout", "-text"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, k.ExitCode);
        Assert.Contains("prime256v1", k.StdOut, StringComparison.Ordinal);
    }

    private (string Cert, string Key, DtlsFingerprint Fingerprint) MakeOpenSslCertificate()
    {
        string cert = Path.Combine(_dir, "cert.pem");
        string key = Path.Combine(_dir, "key.pem");
        ProcessRunner.Result r = ProcessRunner.Run(_openssl,
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=test"],
            TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.StdErr);
        using X509Certificate2 x = X509Certificate2.CreateFromPem(File.ReadAllText(cert));
        return (cert, key, DtlsFingerprint.Compute(x.RawData));
    }

    private static string KeyingMaterial(string output) => KeyingMaterialRegex().Match(output).Groups[1].Value.ToUpperInvariant();

    [GeneratedRegex("Keying material: ([0-9A-Fa-f]+)")]
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

    /// <summary>A minimal real-UDP driver for the sans-IO endpoint (the WebRTC layer has the production one).</summary>
    private static List<DtlsEvent> Drive(DtlsEndpoint endpoint, Socket socket, EndPoint? remote, Func<List<DtlsEvent>, bool> done, TimeSpan limit, Action<EndPoint>? learnedPeer = null)
    {
        var events = new List<DtlsEvent>();
        var sw = Stopwatch.StartNew();
        endpoint.Start(sw.Elapsed);
        byte[] buffer = new byte[2048];
        while (sw.Elapsed < limit)
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
                waitMicros = (int)Math.Clamp((t - sw.Elapsed).TotalMicroseconds, 0, 20_000);
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

                endpoint.HandleDatagram(buffer.AsSpan(0, n), sw.Elapsed);
            }

            if (endpoint.PollTimeout() is TimeSpan due && due <= sw.Elapsed)
            {
                endpoint.HandleTimeout(sw.Elapsed);
            }
        }

        return events;
    }

    /// <summary>An OpenSSL child process with its output collected; stopped by PID on dispose.</summary>
    private sealed class OpenSslProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private OpenSslProcess(Process process)
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

        public static OpenSslProcess Start(string openssl, string[] args)
        {
            var psi = new ProcessStartInfo(openssl)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }

            var p = new Process { StartInfo = psi };
            var o = new OpenSslProcess(p);
            p.OutputDataReceived += (_, e) => o.Append(e.Data);
            p.ErrorDataReceived += (_, e) => o.Append(e.Data);
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return o;
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
                    // Stopped by its own PID, never by name.
                    Process.GetProcessById(_process.Id).Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            catch (ArgumentException)
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
