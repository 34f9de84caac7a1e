using RtcStack.Dtls;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>Our client's first flight: a plain DTLS 1.2 ClientHello with what BoringSSL, NSS and OpenSSL servers expect.</summary>
public class ClientHelloTests
{
    [Fact]
    public void ClientHello_IsDtls12_WithWebRtcExtensions_AndNoSupportedVersions()
    {
        var client = new DtlsEndpoint(DtlsRole.Client, TestCertificates.Options(TestCertificates.Client, TestCertificates.Server));
        client.Start(TimeSpan.Zero);
        Assert.True(client.TryPollTransmit(out ReadOnlyMemory<byte> datagram));
        Assert.False(client.TryPollTransmit(out _));
        Assert.True(DtlsRecord.TryRead(datagram.Span, out DtlsRecord record, out int consumed));
        Assert.Equal(datagram.Length, consumed);
        Assert.Equal(ContentType.Handshake, record.Type);
        Assert.Equal(0, record.Epoch);
        var reader = new SpanReader(record.Fragment);
        Assert.True(HandshakeFragment.TryRead(ref reader, out HandshakeFragment f));
        Assert.Equal(HandshakeType.ClientHello, f.Type);
        Assert.Equal(0, f.MessageSeq);
        Assert.Equal(f.Length, f.Body.Length);
        Assert.True(ClientHelloMessage.TryParse(f.Body, out ClientHelloMessage? ch));
        Assert.Equal(ProtocolVersion.Dtls12, ch!.LegacyVersion);
        Assert.Empty(ch.Cookie);
        Assert.Empty(ch.SessionId);
        Assert.Null(ch.SupportedVersions);
        Assert.True(ch.ExtendedMasterSecret);
        Assert.NotNull(ch.RenegotiationInfo);
        Assert.Empty(ch.RenegotiationInfo!);
        Assert.True(ch.HasEcPointFormats && ch.EcPointUncompressed);
        Assert.Equal(new ushort[] { 29, 23 }, ch.SupportedGroups);
        Assert.Equal(new ushort[] { 0xC02B, 0xC02C, 0xCCA9, 0xC02F, 0xC030, 0xCCA8 }, ch.CipherSuites);
        Assert.Contains((ushort)0x0403, ch.SignatureAlgorithms!);
        Assert.Contains((ushort)0x0804, ch.SignatureAlgorithms!);
        Assert.Equal(new ushort[] { 0x0007, 0x0008, 0x0001, 0x0002 }, ch.SrtpProfiles);
        Assert.Empty(ch.SrtpMki);
    }
}
