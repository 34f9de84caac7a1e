using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RtcStack.Dtls;
using RtcStack.Srtp;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.Dtls;

/// <summary>
/// Our DTLS 1.3 endpoint (RFC 9147) against wolfSSL 5.5.4 built with <c>--enable-dtls13</c> from Debian
/// 12's source package (Debian's libwolfssl35 has no DTLS 1.3), through a small peer program of ours
/// linked with it (Dtls/wolfssl-dtls13-peer.c; scripts/build-wolfssl-dtls13.sh builds both, test.sh
/// runs it). Over real UDP on 127.0.0.1; loss and reordering are injected in our driver loop, which
/// sees every datagram of both directions. Each test checks: DTLS 1.3 and the group on both sides,
/// the DTLS-SRTP exporter output (RFC 5764 §4.2 through RFC 8446 §7.5) equal on both sides,
/// application data both ways, and a clean end. The wolfSSL process is stopped by PID.
/// </summary>
[Trait("Category", "Interop")]
public sealed class WolfSslDtls13Tests
{
    private static readonly string s_dir = Environment.GetEnvironmentVariable("RTCSTACK_WOLFSSL_DIR") ?? "/var/tmp/rtcstack-wolfssl-dtls13";
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    private readonly string _peer = ExternalTool.Require(Path.Combine(s_dir, "wolfssl-dtls13-peer"), "wolfSSL with DTLS 1.3 (scripts/build-wolfssl-dtls13.sh)");
    private readonly ITestOutputHelper _output;

    public WolfSslDtls13Tests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>
    /// Our server, wolfSSL's client. The cookie HelloRetryRequest (RFC 9147 §5.1) with
    /// <paramref name="requireCookie"/>; a key-share HelloRetryRequest (RFC 8446 §4.1.4) when the
    /// client's share is of a group we do not take (<paramref name="ourGroups"/>) or it sent none.
    /// </summary>
    [Theory]
    [InlineData("x25519", null, false, true, DtlsNamedGroup.X25519)]
    [InlineData("p256", null, false, false, DtlsNamedGroup.Secp256r1)]
    [InlineData("x25519,p256", "p256", false, false, DtlsNamedGroup.Secp256r1)] // share X25519, we take P-256 only: HRR for P-256
    [InlineData("x25519,p256", null, true, true, DtlsNamedGroup.X25519)] // no share at all: HRR with the cookie and X25519
    public void OurServer_WolfSslClient(string peerGroups, string? ourGroups, bool noKeyShare, bool requireCookie, DtlsNamedGroup expected)
    {
        using var session = new Session(this, DtlsRole.Server, ServerOptions(ourGroups, requireCookie));
        List<string> args = ["--groups", peerGroups];
        if (noKeyShare)
        {
            args.Add("--no-key-share");
        }

        session.StartPeer(args);
        session.Handshake(expected);
        session.ExchangeData();
    }

    /// <summary>
    /// Our client, wolfSSL's server, with its ECDSA P-256 certificate and with its RSA one (RSA-PSS
    /// CertificateVerify, RFC 8446 §4.2.3), and a HelloRetryRequest for P-256 when it takes only that.
    /// wolfSSL's server always sends a HelloRetryRequest with a cookie first (its stateless DTLS 1.3
    /// server), so every case here goes through one.
    /// </summary>
    [Theory]
    [InlineData("certs/server-ecc.pem", "certs/ecc-key.pem", null, DtlsNamedGroup.X25519)]
    [InlineData("certs/server-cert.pem", "certs/server-key.pem", null, DtlsNamedGroup.X25519)]
    [InlineData("certs/server-ecc.pem", "certs/ecc-key.pem", "p256", DtlsNamedGroup.Secp256r1)] // our X25519 share refused: HRR for P-256
    public void OurClient_WolfSslServer(string cert, string key, string? peerGroups, DtlsNamedGroup expected)
    {
        using var session = new Session(this, DtlsRole.Client, ClientOptions(), cert, key);
        session.StartPeer(peerGroups is null ? [] : ["--groups", peerGroups]);
        session.Handshake(expected);
        session.ExchangeData();
    }

    /// <summary>
    /// RFC 9147 §8 KeyUpdate both ways, in both roles: wolfSSL updates before its first message (we
    /// must read it under epoch 4), we update and ask it to update (it must read ours and answer under
    /// its next epoch), and it updates once more on our request.
    /// </summary>
    [Theory]
    [InlineData(DtlsRole.Server)]
    [InlineData(DtlsRole.Client)]
    public void KeyUpdate_BothWays(DtlsRole ourRole)
    {
        using var session = ourRole == DtlsRole.Server
            ? new Session(this, DtlsRole.Server, ServerOptions(null, true))
            : new Session(this, DtlsRole.Client, ClientOptions(), "certs/server-ecc.pem", "certs/ecc-key.pem");
        session.StartPeer(["--groups", "x25519", "--key-update"]);
        session.Handshake(DtlsNamedGroup.X25519);
        session.ExchangeData(keyUpdates: true);
    }

    /// <summary>
    /// Loss and reordering in both directions (RFC 9147 §5.8, §7): the first encrypted datagram each
    /// side sends in the handshake lost, the rest of the peer's encrypted handshake datagrams delivered
    /// in reverse order, and our first datagram after we connected lost (the server's ACK of the
    /// client's Finished, or the client's first application data, which the test sends again as an
    /// application would: DTLS does not retransmit application data).
    /// </summary>
    [Theory]
    [InlineData(DtlsRole.Server)]
    [InlineData(DtlsRole.Client)]
    public void LossAndReordering(DtlsRole ourRole)
    {
        using var session = ourRole == DtlsRole.Server
            ? new Session(this, DtlsRole.Server, ServerOptions(null, true))
            : new Session(this, DtlsRole.Client, ClientOptions(), "certs/server-ecc.pem", "certs/ecc-key.pem");
        session.Impair = true;
        session.StartPeer(["--groups", "x25519"]);
        session.Handshake(DtlsNamedGroup.X25519);
        session.ExchangeData();
        Assert.True(session.Dropped >= 3, $"dropped {session.Dropped}");
        Assert.True(session.Reordered >= 1, $"reordered {session.Reordered}");
    }

    private static DtlsOptions ServerOptions(string? groups, bool requireCookie)
    {
        var options = new DtlsOptions { MaxVersion = DtlsVersion.Dtls13, RequireCookie = requireCookie };
        if (groups == "p256")
        {
            options.Dtls13Groups.Clear();
            options.Dtls13Groups.Add(DtlsNamedGroup.Secp256r1);
        }

        return options;
    }

    /// <summary>
    /// Our client offering X25519 first. Its default offer, X25519MLKEM768 and X25519 shares as
    /// browsers send them, makes a 1,412-byte ClientHello that wolfSSL 5.5.4 cannot take: fragmented
    /// at our default 1,200-byte MTU it is dropped ("DTLS1.3 not accepting fragmented plaintext
    /// message", its dtls13.c), and in one 1,412-byte datagram (MTU 1,500) wolfSSL parses it, then
    /// logs "More records in input" and a sequence error, sends only an ACK and answers the
    /// retransmission with unexpected_message; see specs/rfc9147.md.
    /// </summary>
    private static DtlsOptions ClientOptions()
    {
        var options = new DtlsOptions { MaxVersion = DtlsVersion.Dtls13 };
        options.Dtls13Groups.Clear();
        options.Dtls13Groups.Add(DtlsNamedGroup.X25519);
        options.Dtls13Groups.Add(DtlsNamedGroup.Secp256r1);
        return options;
    }

    private static DtlsFingerprint PemFingerprint(string path)
    {
        using X509Certificate2 cert = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        return DtlsFingerprint.Compute(cert.RawData);
    }

    /// <summary>One connection: our sans-IO endpoint on a loopback socket, the wolfSSL peer process, and the driver between them.</summary>
    private sealed class Session : IDisposable
    {
        private readonly WolfSslDtls13Tests _test;
        private readonly DtlsEndpoint _endpoint;
        private readonly Socket _socket;
        private readonly DtlsRole _role;
        private readonly string _cert;
        private readonly string _key;
        private readonly List<DtlsEvent> _events = [];
        private readonly Queue<byte[]> _heldIncoming = new();
        private readonly DtlsCertificate _ours;
        private WolfPeer? _peer;
        private EndPoint? _remote;
        private int _incomingCount;
        private int _taken;
        private int _outgoingCount;
        private bool _droppedIncoming;
        private bool _droppedOutgoing;
        private bool _droppedOutgoingConnected;

        public Session(WolfSslDtls13Tests test, DtlsRole role, DtlsOptions options, string cert = "certs/client-ecc-cert.pem", string key = "certs/ecc-client-key.pem")
        {
            _test = test;
            _role = role;
            _cert = Path.Combine(s_dir, "src", cert);
            _key = Path.Combine(s_dir, "src", key);
            _ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
            options.Certificate = _ours;
            options.RemoteFingerprints.Add(PemFingerprint(_cert));
            options.SrtpProfiles.Clear();
            options.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80);
            _endpoint = new DtlsEndpoint(role, options);
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public bool Impair { get; set; }

        public int Dropped { get; private set; }

        public int Reordered { get; private set; }

        public void StartPeer(List<string> options)
        {
            if (_role == DtlsRole.Server)
            {
                int port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
                _peer = WolfPeer.Start(_test._peer, ["client", port.ToString(CultureInfo.InvariantCulture), _cert, _key, .. options, "--debug"]);
            }
            else
            {
                _peer = WolfPeer.Start(_test._peer, ["server", "0", _cert, _key, .. options, "--debug"]);
                string listening = _peer.WaitForLine("LISTENING ", TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("peer did not start: " + _peer.Output);
                _remote = new IPEndPoint(IPAddress.Loopback, int.Parse(listening, CultureInfo.InvariantCulture));
            }
        }

        public void Handshake(DtlsNamedGroup expectedGroup)
        {
            _endpoint.Start(s_clock.Elapsed);
            Drive(() => _events.Any(e => e is DtlsConnectedEvent or DtlsFailedEvent) || _peer!.HasExited, TimeSpan.FromSeconds(15));
            DtlsConnectedEvent? connected = _events.OfType<DtlsConnectedEvent>().SingleOrDefault();
            Assert.True(connected is not null, "not connected: " + string.Join("; ", _events) + "\n" + _peer!.Output);
            Assert.Equal(DtlsVersion.Dtls13, connected.Version);
            Assert.Equal(expectedGroup, connected.Group);

            // The peer prints what it negotiated and its exporter output once its handshake is done
            // (a server finishes when it takes our Finished, which may still be in flight: keep driving).
            string? ekm = null;
            Drive(() => (ekm = _peer!.Line("EKM ")) is not null || _peer.HasExited, TimeSpan.FromSeconds(10));
            Assert.True(ekm is not null, "peer did not finish its handshake:\n" + _peer!.Output);
            Assert.Equal("DTLSv1.3", _peer.Line("VERSION "));
            Assert.Equal(expectedGroup == DtlsNamedGroup.X25519 ? "X25519" : "SECP256R1", _peer.Line("GROUP "));
            Assert.Equal("TLS_AES_128_GCM_SHA256", _peer.Line("CIPHER "));
            Assert.Equal(ekm, Convert.ToHexString(connected.SrtpKeys!.ExporterOutput));
            Assert.Equal(60, connected.SrtpKeys.ExporterOutput.Length);
        }

        public void ExchangeData(bool keyUpdates = false)
        {
            // wolfSSL's first message (after its own KeyUpdate when asked).
            Assert.Equal("ping from wolfSSL", ReceiveText());

            string[] messages = keyUpdates ? ["before our key update", "after our key update", "key-update", "after its second key update"] : ["hello from RtcStack"];
            foreach (string message in messages)
            {
                if (keyUpdates && message == "after our key update")
                {
                    _endpoint.UpdateKeys(requestPeerUpdate: true);
                }

                Send(message);
                Assert.Equal("echo: " + message, ReceiveText(message));
                Assert.True(_peer!.WaitForLine("RECV " + message, TimeSpan.FromSeconds(5)) is not null, _peer.Output);
            }

            Send("bye");
            Assert.Equal("echo: bye", ReceiveText("bye"));
            Assert.True(_peer!.WaitForLine("DONE", TimeSpan.FromSeconds(10)) is not null, _peer.Output);
        }

        private void Send(string text)
        {
            _endpoint.Send(Encoding.UTF8.GetBytes(text));
        }

        /// <summary>
        /// Drives until the next application-data message not yet taken arrives (it may have come
        /// while the handshake was finishing); <paramref name="resend"/> is sent again each second
        /// until the peer reports it (DTLS does not retransmit application data).
        /// </summary>
        private string ReceiveText(string? resend = null)
        {
            TimeSpan end = s_clock.Elapsed + TimeSpan.FromSeconds(10);
            TimeSpan nextResend = s_clock.Elapsed + TimeSpan.FromSeconds(1);
            while (s_clock.Elapsed < end)
            {
                Drive(() => _events.OfType<DtlsApplicationDataEvent>().Count() > _taken || _peer!.HasExited, TimeSpan.FromMilliseconds(200));
                if (_events.OfType<DtlsApplicationDataEvent>().Count() > _taken)
                {
                    break;
                }

                if (_peer!.HasExited)
                {
                    // The peer may exit right after its last datagram (the echo of "bye"): read what is still in
                    // our socket before giving up (a fresh-clone CI run lost two echoes to this race).
                    Drive(() => _events.OfType<DtlsApplicationDataEvent>().Count() > _taken, TimeSpan.FromMilliseconds(500));
                    break;
                }

                if (resend is not null && s_clock.Elapsed >= nextResend && _peer.Line("RECV " + resend) is null)
                {
                    Send(resend);
                    nextResend = s_clock.Elapsed + TimeSpan.FromSeconds(1);
                }
            }

            DtlsApplicationDataEvent? data = _events.OfType<DtlsApplicationDataEvent>().Skip(_taken).FirstOrDefault();
            Assert.True(data is not null, "no application data: " + string.Join("; ", _events) + "\n" + _peer!.Output);
            _taken++;
            return Encoding.UTF8.GetString(data.Data.Span);
        }

        private void Drive(Func<bool> done, TimeSpan limit)
        {
            TimeSpan end = s_clock.Elapsed + limit;
            byte[] buffer = new byte[4096];
            while (s_clock.Elapsed < end)
            {
                FlushOutgoing();
                while (_endpoint.TryPollEvent(out DtlsEvent? e))
                {
                    _events.Add(e!);
                }

                if (done())
                {
                    return;
                }

                int waitMicros = 20_000;
                if (_endpoint.PollTimeout() is TimeSpan t)
                {
                    waitMicros = (int)Math.Clamp((t - s_clock.Elapsed).TotalMicroseconds, 0, 20_000);
                }

                if (_socket.Poll(waitMicros, SelectMode.SelectRead))
                {
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    int n = _socket.ReceiveFrom(buffer, ref from);
                    _remote ??= from;
                    Incoming(buffer.AsSpan(0, n).ToArray());
                }
                else if (_heldIncoming.Count > 0)
                {
                    // Nothing more came: deliver what was held back, newest first (reordered).
                    while (_heldIncoming.Count > 0)
                    {
                        byte[][] held = [.. _heldIncoming];
                        _heldIncoming.Clear();
                        Array.Reverse(held);
                        Reordered += held.Length > 1 ? 1 : 0;
                        foreach (byte[] d in held)
                        {
                            Deliver(d);
                        }
                    }
                }

                if (_endpoint.PollTimeout() is TimeSpan due && due <= s_clock.Elapsed)
                {
                    _endpoint.HandleTimeout(s_clock.Elapsed);
                }
            }
        }

        private void Incoming(byte[] datagram)
        {
            int index = _incomingCount++;
            _test._output.WriteLine($"{s_clock.Elapsed.TotalMilliseconds:F0} ms in #{index} {Describe(datagram)}");
            bool unified = HasEncryptedRecord(datagram);
            if (Impair && unified && _endpoint.State != DtlsState.Connected)
            {
                if (!_droppedIncoming)
                {
                    // The first encrypted datagram of the peer's handshake: lost.
                    _droppedIncoming = true;
                    Dropped++;
                    _test._output.WriteLine($"dropped incoming #{index} ({datagram.Length} bytes)");
                    return;
                }

                // The rest of its encrypted handshake datagrams are held and delivered in reverse order.
                _heldIncoming.Enqueue(datagram);
                return;
            }

            Deliver(datagram);
        }

        /// <summary>A one-line trace of a datagram's records: DTLSPlaintext headers with the handshake fragment header, unified headers as sent (record numbers are encrypted).</summary>
        private static string Describe(ReadOnlySpan<byte> d)
        {
            var text = new StringBuilder($"{d.Length} B:");
            int offset = 0;
            while (offset < d.Length)
            {
                byte first = d[offset];
                if ((first & 0xE0) == 0x20)
                {
                    // RFC 9147 §4: 001CSLEE; with L the 16-bit length follows the 8- or 16-bit sequence number.
                    int seqLength = (first & 0x08) != 0 ? 2 : 1;
                    int header = 1 + seqLength + ((first & 0x04) != 0 ? 2 : 0);
                    int length = (first & 0x04) != 0 && offset + header <= d.Length ? (d[offset + header - 2] << 8) | d[offset + header - 1] : d.Length - offset - header;
                    text.Append(CultureInfo.InvariantCulture, $" [ciphertext epoch&3={first & 3} {length} B]");
                    offset += header + length;
                    continue;
                }

                if (offset + 13 > d.Length)
                {
                    text.Append(" [truncated]");
                    break;
                }

                int epoch = (d[offset + 3] << 8) | d[offset + 4];
                int recordLength = (d[offset + 11] << 8) | d[offset + 12];
                text.Append(CultureInfo.InvariantCulture, $" [plaintext type {first} epoch {epoch} {recordLength} B");
                if (first == 22 && offset + 25 <= d.Length)
                {
                    ReadOnlySpan<byte> h = d.Slice(offset + 13, 12);
                    text.Append(CultureInfo.InvariantCulture, $" hs {h[0]} len {(h[1] << 16) | (h[2] << 8) | h[3]} seq {(h[4] << 8) | h[5]} frag {(h[6] << 16) | (h[7] << 8) | h[8]}+{(h[9] << 16) | (h[10] << 8) | h[11]}");
                }

                text.Append(']');
                offset += 13 + recordLength;
            }

            return text.ToString();
        }

        /// <summary>Whether the datagram holds a record with the unified header (RFC 9147 §4: first bits 001), after any DTLSPlaintext records.</summary>
        private static bool HasEncryptedRecord(ReadOnlySpan<byte> datagram)
        {
            int offset = 0;
            while (offset < datagram.Length)
            {
                byte first = datagram[offset];
                if ((first & 0xE0) == 0x20)
                {
                    return true;
                }

                if (first is < 20 or > 25 || offset + 13 > datagram.Length)
                {
                    return false;
                }

                offset += 13 + ((datagram[offset + 11] << 8) | datagram[offset + 12]);
            }

            return false;
        }

        private void Deliver(byte[] datagram) => _endpoint.HandleDatagram(datagram, s_clock.Elapsed);

        private void FlushOutgoing()
        {
            while (_endpoint.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                int index = _outgoingCount++;
                _test._output.WriteLine($"{s_clock.Elapsed.TotalMilliseconds:F0} ms out #{index} {Describe(d.Span)}");
                bool unified = HasEncryptedRecord(d.Span);
                if (Impair && unified && (!_droppedOutgoing || (!_droppedOutgoingConnected && _endpoint.State == DtlsState.Connected)))
                {
                    // Our first encrypted handshake datagram, and our first datagram once connected (as the
                    // server the ACK of the client's Finished, which it must get again; as the client our
                    // last flight or our first application data, which the test sends again): lost.
                    _droppedOutgoingConnected |= _droppedOutgoing && _endpoint.State == DtlsState.Connected;
                    _droppedOutgoing = true;
                    Dropped++;
                    _test._output.WriteLine($"dropped outgoing #{index} ({d.Length} bytes, {_endpoint.State})");
                    continue;
                }

                if (_remote is not null)
                {
                    _socket.SendTo(d.Span, _remote);
                }
            }
        }

        public void Dispose()
        {
            _test._output.WriteLine(_peer?.Output ?? "(no peer)");
            _peer?.Dispose();
            _endpoint.Dispose();
            _socket.Dispose();
            _ours.Dispose();
        }
    }

    /// <summary>The wolfSSL peer process: stdout lines collected (it flushes each), stderr (its debug log) kept for failures, stopped by PID.</summary>
    private sealed class WolfPeer : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly List<string> _lines = [];

        private WolfPeer(Process process)
        {
            _process = process;
        }

        public bool HasExited => _process.HasExited;

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

        public static WolfPeer Start(string program, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }

            var p = new Process { StartInfo = psi };
            var w = new WolfPeer(p);
            p.OutputDataReceived += (_, e) => w.Append(e.Data, stdout: true);
            p.ErrorDataReceived += (_, e) => w.Append(e.Data, stdout: false);
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return w;
        }

        /// <summary>The rest of the first stdout line starting with <paramref name="prefix"/>, or null.</summary>
        public string? Line(string prefix)
        {
            lock (_output)
            {
                string? line = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                return line?[prefix.Length..];
            }
        }

        public string? WaitForLine(string prefix, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < timeout)
            {
                if (Line(prefix) is string found)
                {
                    return found;
                }

                Thread.Sleep(10);
            }

            return null;
        }

        public void Dispose() => ProcessRunner.StopAndDispose(_process);

        private void Append(string? line, bool stdout)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                if (stdout)
                {
                    _lines.Add(line);
                    _output.Append("OUT ");
                }

                _output.AppendLine(line);
            }
        }
    }
}
