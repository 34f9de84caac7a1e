using System.Buffers.Binary;
using RtcStack.Dtls;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// Real browser ClientHellos (DTLS 1.3 + 1.2 offers with a post-quantum key share, fragmented
/// over two datagrams; Fixtures/README.md): our server must reassemble them and answer DTLS 1.2.
/// </summary>
public class BrowserClientHelloTests
{
    public static TheoryData<string> Browsers() => new() { "chromium-156-clienthello.hex", "firefox-153esr-clienthello.hex" };

    private static byte[][] Load(string name) =>
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)).Where(l => l.Length > 0).Select(Convert.FromHexString)];

    private static DtlsEndpoint Server(bool cookie)
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        o.RequireCookie = cookie;
        var s = new DtlsEndpoint(DtlsRole.Server, o);
        s.Start(TimeSpan.Zero);
        return s;
    }

    private static List<(ContentType Type, HandshakeType HsType, int MessageSeq, ulong RecordSeq, byte[] Body)> Records(DtlsEndpoint e)
    {
        var list = new List<(ContentType, HandshakeType, int, ulong, byte[])>();
        while (e.TryPollTransmit(out ReadOnlyMemory<byte> d))
        {
            ReadOnlySpan<byte> span = d.Span;
            Assert.True(span.Length <= 1200);
            while (DtlsRecord.TryRead(span, out DtlsRecord r, out int n))
            {
                if (r.Type == ContentType.Handshake && r.Epoch == 0)
                {
                    var reader = new SpanReader(r.Fragment);
                    Assert.True(HandshakeFragment.TryRead(ref reader, out HandshakeFragment f));
                    list.Add((r.Type, f.Type, f.MessageSeq, r.SequenceNumber, f.Body.ToArray()));
                }

                span = span[n..];
            }
        }

        return list;
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void Fixture_IsTwoFragmentsOfOneClientHello(string file)
    {
        byte[][] datagrams = Load(file);
        Assert.Equal(2, datagrams.Length);
        Assert.True(datagrams[0].Length + datagrams[1].Length > 1400);
        Assert.Equal(0xFEFF, BinaryPrimitives.ReadUInt16BigEndian(datagrams[0].AsSpan(1)));
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void Server_ReassemblesBrowserClientHello_AndAnswersDtls12ServerHello(string file)
    {
        using DtlsEndpoint server = Server(cookie: false);
        byte[][] datagrams = Load(file);
        server.HandleDatagram(datagrams[0], TimeSpan.Zero);
        Assert.False(server.TryPollTransmit(out _));
        server.HandleDatagram(datagrams[1], TimeSpan.FromMilliseconds(1));
        var records = Records(server);
        Assert.Equal(DtlsState.Handshaking, server.State);
        var sh = records.First();
        Assert.Equal(HandshakeType.ServerHello, sh.HsType);
        Assert.True(ServerHelloMessage.TryParse(sh.Body, out ServerHelloMessage? hello));
        Assert.Equal(ProtocolVersion.Dtls12, hello!.Version);
        Assert.False(hello.HasSupportedVersions);
        Assert.Equal((ushort)DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, hello.CipherSuite);
        Assert.True(hello.ExtendedMasterSecret);
        Assert.NotNull(hello.RenegotiationInfo);
        Assert.Empty(hello.RenegotiationInfo!);
        Assert.Equal((ushort)SrtpProfile.AeadAes128Gcm, hello.SrtpProfile);
        Assert.Equal(0, sh.MessageSeq);

        // RFC 8446 §4.1.3: a server that does not speak 1.3 must not send the downgrade sentinel.
        Assert.False(hello.Random.AsSpan(24).SequenceEqual("DOWNGRD\u0001"u8));
        Assert.Equal(
            [HandshakeType.ServerHello, HandshakeType.Certificate, HandshakeType.ServerKeyExchange, HandshakeType.CertificateRequest, HandshakeType.ServerHelloDone],
            records.Select(r => r.HsType).Distinct().ToArray());

        // X25519 is the browsers' classical share and our first choice.
        var ske = records.First(r => r.HsType == HandshakeType.ServerKeyExchange);
        Assert.Equal(3, ske.Body[0]);
        Assert.Equal((ushort)DtlsNamedGroup.X25519, BinaryPrimitives.ReadUInt16BigEndian(ske.Body.AsSpan(1)));
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void Server_ReassemblesFragmentsInReverseOrder(string file)
    {
        using DtlsEndpoint server = Server(cookie: false);
        byte[][] datagrams = Load(file);
        server.HandleDatagram(datagrams[1], TimeSpan.Zero);
        server.HandleDatagram(datagrams[1], TimeSpan.Zero);
        server.HandleDatagram(datagrams[0], TimeSpan.Zero);
        Assert.Equal(HandshakeType.ServerHello, Records(server).First().HsType);
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void Server_WithCookie_AnswersHelloVerifyRequest_Statelessly(string file)
    {
        using DtlsEndpoint server = Server(cookie: true);
        byte[][] datagrams = Load(file);
        server.HandleDatagram(datagrams[0], TimeSpan.Zero);
        server.HandleDatagram(datagrams[1], TimeSpan.Zero);
        var hvr = Assert.Single(Records(server));
        Assert.Equal(HandshakeType.HelloVerifyRequest, hvr.HsType);
        Assert.Equal(0, hvr.MessageSeq);

        // RFC 6347 §4.2.1: the HelloVerifyRequest reuses the ClientHello's record sequence number.
        Assert.Equal(1UL, hvr.RecordSeq);
        Assert.Equal(0xFEFF, BinaryPrimitives.ReadUInt16BigEndian(hvr.Body));
        Assert.Equal(20, hvr.Body[2]);
        Assert.Equal(TimeSpan.FromSeconds(30), server.PollTimeout()); // no retransmission timer: nothing kept per client
    }
}
