using RtcStack.Dtls;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.Dtls.Tests;

/// <summary>Negotiation failures, alerts, close_notify, renegotiation refusal, replay.</summary>
public class ProtocolTests
{
    private static VirtualLink Connected()
    {
        var link = new VirtualLink(
            new DtlsEndpoint(DtlsRole.Client, TestCertificates.Options(TestCertificates.Client, TestCertificates.Server)),
            new DtlsEndpoint(DtlsRole.Server, TestCertificates.Options(TestCertificates.Server, TestCertificates.Client)));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        return link;
    }

    [Theory]
    [InlineData(SrtpProfile.Aes256CmHmacSha1_80)]
    [InlineData(SrtpProfile.Aes256CmHmacSha1_32)]
    public void ASrtpProfileWithoutADtlsSrtpCodePointIsRefusedInOptions(SrtpProfile profile)
    {
        // DTLS and SRTP share one profile enum; the RFC 6188 AES-256-CM profiles have SDES names only (their private
        // values never go on the wire), so an endpoint configured with one refuses to start.
        DtlsOptions o = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        o.SrtpProfiles.Add(profile);
        var e = Assert.Throws<InvalidOperationException>(() => new DtlsEndpoint(DtlsRole.Client, o));
        Assert.Contains("no DTLS-SRTP code point", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerFingerprintMismatch_FailsBothSidesWithBadCertificate()
    {
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Server);
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, TestCertificates.Options(TestCertificates.Client, TestCertificates.Server)), new DtlsEndpoint(DtlsRole.Server, so));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        link.RunUntil(() => link.A.State != DtlsState.Handshaking, TimeSpan.FromSeconds(1));
        var serverFail = Assert.Single(link.EventsB.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.FingerprintMismatch, serverFail.Error);
        Assert.Contains(TestCertificates.Client.Fingerprint.ToString(), serverFail.Message, StringComparison.Ordinal);
        var clientFail = Assert.Single(link.EventsA.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.PeerAlert, clientFail.Error);
        Assert.Equal(AlertDescription.BadCertificate, clientFail.Alert);
    }

    [Fact]
    public void NoRemoteFingerprint_IsRefusedUnlessExplicitlyAllowed()
    {
        var co = new DtlsOptions { Certificate = TestCertificates.Client };
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, TestCertificates.Options(TestCertificates.Server, TestCertificates.Client)));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.Equal(DtlsError.FingerprintMismatch, link.EventsA.OfType<DtlsFailedEvent>().Single().Error);

        co = new DtlsOptions { Certificate = TestCertificates.Client, AcceptAnyRemoteCertificate = true };
        link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, TestCertificates.Options(TestCertificates.Server, TestCertificates.Client)));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.Null(link.EventsA.OfType<DtlsConnectedEvent>().Single().RemoteFingerprint);
    }

    [Fact]
    public void NoCommonSrtpProfile_Fails()
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        co.SrtpProfiles.Clear();
        co.SrtpProfiles.Add(SrtpProfile.NullHmacSha1_32);
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, TestCertificates.Options(TestCertificates.Server, TestCertificates.Client)));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        link.RunUntil(() => link.A.State != DtlsState.Handshaking, TimeSpan.FromSeconds(1));
        Assert.Equal(DtlsError.NoCommonSrtpProfile, link.EventsB.OfType<DtlsFailedEvent>().Single().Error);
        Assert.Equal(AlertDescription.HandshakeFailure, link.EventsA.OfType<DtlsFailedEvent>().Single().Alert);
    }

    [Fact]
    public void WithoutSrtp_PlainDtlsStillConnects()
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        co.SrtpProfiles.Clear();
        so.SrtpProfiles.Clear();
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.Null(link.A.SrtpKeys);
        Assert.Equal(link.A.ExportKeyingMaterial("EXPORTER-test", 32), link.B.ExportKeyingMaterial("EXPORTER-test", 32));
    }

    [Fact]
    public void ClientHelloWithoutExtendedMasterSecret_IsRefused()
    {
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        so.RequireCookie = false;
        var server = new DtlsEndpoint(DtlsRole.Server, so);
        server.Start(TimeSpan.Zero);
        var ch = new ClientHelloMessage
        {
            LegacyVersion = ProtocolVersion.Dtls12,
            CipherSuites = [0xC02B],
            SupportedGroups = [29],
            SignatureAlgorithms = [0x0403],
            SrtpProfiles = [1],
            ExtendedMasterSecret = false,
        };
        server.HandleDatagram(HandshakeDatagram(HandshakeType.ClientHello, ch), TimeSpan.Zero);
        Assert.Equal(DtlsState.Failed, server.State);
        Assert.True(server.TryPollEvent(out DtlsEvent? e));
        Assert.Equal(DtlsError.ExtendedMasterSecretMissing, ((DtlsFailedEvent)e!).Error);
        Assert.True(server.TryPollTransmit(out ReadOnlyMemory<byte> alert));
        Assert.Equal(new byte[] { 21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40 }, alert.ToArray());
    }

    [Fact]
    public void Dtls10OnlyClientHello_IsRefusedWithProtocolVersion()
    {
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        so.RequireCookie = false;
        var server = new DtlsEndpoint(DtlsRole.Server, so);
        server.Start(TimeSpan.Zero);
        var ch = new ClientHelloMessage { LegacyVersion = ProtocolVersion.Dtls10, CipherSuites = [0xC02B], ExtendedMasterSecret = true };
        server.HandleDatagram(HandshakeDatagram(HandshakeType.ClientHello, ch), TimeSpan.Zero);
        Assert.Equal(DtlsState.Failed, server.State);
        Assert.True(server.TryPollTransmit(out ReadOnlyMemory<byte> alert));
        Assert.Equal(70, alert.Span[^1]);
    }

    [Fact]
    public void BadClientHello_BeforeTheCookie_GetsAHelloVerifyRequest_AndDoesNotFailTheServer()
    {
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        var server = new DtlsEndpoint(DtlsRole.Server, so);
        server.Start(TimeSpan.Zero);
        var ch = new ClientHelloMessage { LegacyVersion = ProtocolVersion.Dtls10, CipherSuites = [0xC02B], ExtendedMasterSecret = true };
        server.HandleDatagram(HandshakeDatagram(HandshakeType.ClientHello, ch), TimeSpan.Zero);
        Assert.Equal(DtlsState.Handshaking, server.State);
        Assert.True(server.TryPollTransmit(out ReadOnlyMemory<byte> hvr));
        Assert.Equal((byte)HandshakeType.HelloVerifyRequest, hvr.Span[DtlsRecord.HeaderLength]);
    }

    [Fact]
    public void CloseNotify_IsAnsweredAndReported()
    {
        VirtualLink link = Connected();
        link.A.Close();
        link.RunUntil(() => link.B.State == DtlsState.Closed, TimeSpan.FromSeconds(1));
        Assert.Equal(DtlsState.Closed, link.A.State);
        Assert.Equal(DtlsState.Closed, link.B.State);
        Assert.Contains(link.EventsB, e => e is DtlsAlertEvent { Description: AlertDescription.CloseNotify, Sent: false });
        Assert.Contains(link.EventsB, e => e is DtlsClosedEvent { ByPeer: true });
        Assert.Contains(link.EventsA, e => e is DtlsClosedEvent { ByPeer: false });
    }

    [Fact]
    public void ReplayedApplicationData_IsDeliveredOnce()
    {
        VirtualLink link = Connected();
        link.A.Send("once"u8);
        Assert.True(link.A.TryPollTransmit(out ReadOnlyMemory<byte> datagram));
        link.B.HandleDatagram(datagram.Span, link.Now);
        link.B.HandleDatagram(datagram.Span, link.Now);
        link.Drain();
        Assert.Single(link.EventsB.OfType<DtlsApplicationDataEvent>());
    }

    [Fact]
    public void TamperedApplicationData_IsDropped()
    {
        VirtualLink link = Connected();
        link.A.Send("secret"u8);
        Assert.True(link.A.TryPollTransmit(out ReadOnlyMemory<byte> datagram));
        byte[] bad = datagram.ToArray();
        bad[^1] ^= 1;
        link.B.HandleDatagram(bad, link.Now);
        link.Drain();
        Assert.Empty(link.EventsB.OfType<DtlsApplicationDataEvent>());
        Assert.Equal(DtlsState.Connected, link.B.State);
    }

    [Fact]
    public void Renegotiation_IsRefusedWithNoRenegotiationWarning()
    {
        VirtualLink link = Connected();

        // A new ClientHello after the handshake (message_seq 6 follows the client's 0-5:
        // ClientHello, ClientHello with cookie, Certificate, ClientKeyExchange, CertificateVerify,
        // Finished): RFC 5746 §4.5.
        var ch = new ClientHelloMessage { LegacyVersion = ProtocolVersion.Dtls12, CipherSuites = [0xC02B], ExtendedMasterSecret = true, RenegotiationInfo = [] };
        link.B.HandleDatagram(HandshakeDatagram(HandshakeType.ClientHello, ch, messageSeq: 6, recordSeq: 100), link.Now);
        link.Drain();
        Assert.Contains(link.EventsB, e => e is DtlsAlertEvent { Description: AlertDescription.NoRenegotiation, Sent: true });
        Assert.Equal(DtlsState.Connected, link.B.State);
    }

    [Fact]
    public void SendBeforeConnected_Throws()
    {
        var c = new DtlsEndpoint(DtlsRole.Client, TestCertificates.Options(TestCertificates.Client, TestCertificates.Server));
        Assert.Throws<InvalidOperationException>(() => c.Send("x"u8));
        Assert.Throws<InvalidOperationException>(() => c.ExportKeyingMaterial("x", 16));
    }

    internal static byte[] HandshakeDatagram(HandshakeType type, ClientHelloMessage ch, int messageSeq = 0, ulong recordSeq = 0)
    {
        var w = new MessageWriter();
        ch.Write(w);
        byte[] body = w.ToArray();
        var d = new byte[DtlsRecord.HeaderLength + HandshakeFragment.HeaderLength + body.Length];
        DtlsRecord.WriteHeader(d, ContentType.Handshake, ProtocolVersion.Dtls12, 0, recordSeq, HandshakeFragment.HeaderLength + body.Length);
        HandshakeFragment.WriteHeader(d.AsSpan(DtlsRecord.HeaderLength), type, body.Length, messageSeq, 0, body.Length);
        body.CopyTo(d, DtlsRecord.HeaderLength + HandshakeFragment.HeaderLength);
        return d;
    }
}
