using System.Net;
using System.Net.Sockets;
using RtcStack.Dtls;
using Xunit;

namespace RtcStack.Interop.Tests.Dtls;

/// <summary>
/// A 1.3-only endpoint of ours (<see cref="DtlsOptions.MinVersion"/> = DTLS 1.3) against OpenSSL 3.0, whose DTLS is
/// 1.2 only, in both roles: the handshake ends with a protocol_version alert that OpenSSL reports, and our side fails
/// with <see cref="DtlsError.UnsupportedVersion"/> (RFC 8446 §D.1 as client, §D.2 as server; RFC 9147 §5.3).
/// </summary>
public sealed partial class OpenSslDtlsTests
{
    [Fact]
    public void Our13OnlyClient_RefusesOpenSsls12ServerHello_WithProtocolVersion()
    {
        (string certPem, string keyPem, DtlsFingerprint opensslFingerprint) = MakeOpenSslCertificate();
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        int port = FreeUdpPort();
        using OpenSslProcess server = OpenSslProcess.Start(_openssl,
            ["s_server", "-dtls", "-accept", $"127.0.0.1:{port}", "-cert", certPem, "-key", keyPem, "-verify", "1", "-use_srtp", "SRTP_AES128_CM_SHA1_80"]);
        Assert.True(server.WaitForOutput("ACCEPT", TimeSpan.FromSeconds(10)), "s_server did not start: " + server.Output);

        var options = new DtlsOptions { Certificate = ours, MaxVersion = DtlsVersion.Dtls13, MinVersion = DtlsVersion.Dtls13 };
        options.RemoteFingerprints.Add(opensslFingerprint);
        using var endpoint = new DtlsEndpoint(DtlsRole.Client, options);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var remote = new IPEndPoint(IPAddress.Loopback, port);
        List<DtlsEvent> events = Drive(endpoint, socket, remote, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(15));
        Flush(endpoint, socket, remote);

        // OpenSSL ignores supported_versions in DTLS and answers with a 1.2 ServerHello, which we refuse.
        DtlsFailedEvent failed = Assert.Single(events.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.UnsupportedVersion, failed.Error);
        Assert.Equal(AlertDescription.ProtocolVersion, failed.Alert);
        Assert.Contains("server chose DTLS 1.2", failed.Message, StringComparison.Ordinal);
        Assert.Empty(events.OfType<DtlsConnectedEvent>());
        Assert.True(server.WaitForOutput("protocol version", TimeSpan.FromSeconds(10)), "OpenSSL did not report the protocol_version alert:\n" + server.Output);
    }

    [Fact]
    public void Our13OnlyServer_RefusesOpenSsls12ClientHello_WithProtocolVersion()
    {
        (string certPem, string keyPem, DtlsFingerprint opensslFingerprint) = MakeOpenSslCertificate();
        using DtlsCertificate ours = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        // With the cookie exchange (the default): the refusal comes after OpenSSL proved its address.
        var options = new DtlsOptions { Certificate = ours, MaxVersion = DtlsVersion.Dtls13, MinVersion = DtlsVersion.Dtls13 };
        options.RemoteFingerprints.Add(opensslFingerprint);
        using var endpoint = new DtlsEndpoint(DtlsRole.Server, options);
        using OpenSslProcess client = OpenSslProcess.Start(_openssl,
            ["s_client", "-dtls", "-connect", $"127.0.0.1:{port}", "-cert", certPem, "-key", keyPem, "-use_srtp", "SRTP_AES128_CM_SHA1_80"]);
        EndPoint? peer = null;
        List<DtlsEvent> events = Drive(endpoint, socket, null, e => e.OfType<DtlsConnectedEvent>().Any() || e.OfType<DtlsFailedEvent>().Any(), TimeSpan.FromSeconds(15), p => peer = p);
        Flush(endpoint, socket, peer);

        DtlsFailedEvent failed = Assert.Single(events.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.UnsupportedVersion, failed.Error);
        Assert.Equal(AlertDescription.ProtocolVersion, failed.Alert);
        Assert.Contains("DtlsOptions.MinVersion requires DTLS 1.3", failed.Message, StringComparison.Ordinal);
        Assert.Empty(events.OfType<DtlsConnectedEvent>());
        Assert.True(client.WaitForOutput("protocol version", TimeSpan.FromSeconds(10)), "OpenSSL did not report the protocol_version alert:\n" + client.Output);
    }
}
