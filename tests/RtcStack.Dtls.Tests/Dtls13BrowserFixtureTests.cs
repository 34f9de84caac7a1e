using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// Real Chromium 156 and Firefox 153 DTLS 1.3 traffic (Fixtures/README.md): their fragmented
/// ClientHellos answered by our server with DTLS 1.3, their own ServerHellos read by our parser,
/// their unified-header records framed by our record reader.
/// </summary>
public class Dtls13BrowserFixtureTests
{
    public static TheoryData<string> Browsers() => new() { "chromium-156", "firefox-153esr" };

    private static byte[][] Load(string name) =>
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)).Where(l => l.Length > 0).Select(Convert.FromHexString)];

    private static DtlsEndpoint Server(bool cookie)
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        o.RequireCookie = cookie;
        o.MaxVersion = DtlsVersion.Dtls13;
        var s = new DtlsEndpoint(DtlsRole.Server, o);
        s.Start(TimeSpan.Zero);
        return s;
    }

    private static List<byte[]> Drain(DtlsEndpoint e)
    {
        var list = new List<byte[]>();
        while (e.TryPollTransmit(out ReadOnlyMemory<byte> d))
        {
            list.Add(d.ToArray());
        }

        return list;
    }

    private static ServerHelloMessage FirstServerHello(byte[] datagram)
    {
        Assert.True(DtlsRecord.TryRead(datagram, out DtlsRecord r, out _));
        Assert.Equal(0, r.Epoch);
        var reader = new SpanReader(r.Fragment);
        Assert.True(HandshakeFragment.TryRead(ref reader, out HandshakeFragment f));
        Assert.Equal(HandshakeType.ServerHello, f.Type);
        Assert.Equal(f.Length, f.Body.Length);
        Assert.True(ServerHelloMessage.TryParse(f.Body, out ServerHelloMessage? sh));
        return sh!;
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserClientHello_IsAnsweredWithADtls13ServerHello_WithTheHybridShare(string browser)
    {
        using DtlsEndpoint server = Server(cookie: false);
        byte[][] hello = Load(browser + "-clienthello.hex");
        server.HandleDatagram(hello[0], TimeSpan.Zero);
        Assert.Empty(Drain(server));
        server.HandleDatagram(hello[1], TimeSpan.FromMilliseconds(1));
        List<byte[]> sent = Drain(server);
        Assert.Equal(DtlsState.Handshaking, server.State);
        Assert.Equal(DtlsVersion.Dtls13, server.Version);

        ServerHelloMessage sh = FirstServerHello(sent[0]);
        Assert.False(sh.IsHelloRetryRequest);
        Assert.Equal(0xFEFD, sh.Version);
        Assert.Equal((ushort)0xFEFC, sh.SelectedVersion);
        Assert.Equal((ushort)0x1301, sh.CipherSuite);
        Assert.Equal((ushort)0x11EC, sh.KeyShareGroup);
        Assert.Equal(1120, sh.KeyShare!.Length);
        Assert.Empty(sh.SessionId);

        // After the ServerHello: only unified-header records of epoch 2, every datagram within the MTU.
        int records13 = 0;
        foreach (byte[] d in sent)
        {
            Assert.True(d.Length <= 1200);
            ReadOnlySpan<byte> span = d;
            while (!span.IsEmpty)
            {
                if (Dtls13Record.IsUnifiedHeader(span[0]))
                {
                    Assert.True(Dtls13Record.TryRead(span, out Dtls13Record r, out int n));
                    Assert.Equal(2, r.EpochBits);
                    records13++;
                    span = span[n..];
                }
                else
                {
                    Assert.True(DtlsRecord.TryRead(span, out _, out int n));
                    span = span[n..];
                }
            }
        }

        Assert.True(records13 >= 1);
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserClientHello_WithACookieRequired_GetsAHelloRetryRequestWithOnlyACookie(string browser)
    {
        using DtlsEndpoint server = Server(cookie: true);
        byte[][] hello = Load(browser + "-clienthello.hex");
        server.HandleDatagram(hello[0], TimeSpan.Zero);
        server.HandleDatagram(hello[1], TimeSpan.FromMilliseconds(1));
        byte[] hrr = Assert.Single(Drain(server));
        ServerHelloMessage sh = FirstServerHello(hrr);
        Assert.True(sh.IsHelloRetryRequest);
        Assert.Equal((ushort)0xFEFC, sh.SelectedVersion);
        Assert.NotNull(sh.Cookie13);

        // The browser sent a share we take, so no group is asked for; and nothing is kept (RFC 9147 §5.1).
        Assert.Null(sh.KeyShareGroup);
        Assert.Equal(DtlsVersion.Dtls12, server.Version);
        Assert.Equal(TimeSpan.FromSeconds(30), server.PollTimeout());
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserClientHello_WithoutTheHybridOnOurSide_UsesTheBrowsersX25519Share(string browser)
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        o.RequireCookie = false;
        o.MaxVersion = DtlsVersion.Dtls13;
        o.Dtls13Groups.Remove(DtlsNamedGroup.X25519MlKem768);
        using var server = new DtlsEndpoint(DtlsRole.Server, o);
        server.Start(TimeSpan.Zero);
        foreach (byte[] d in Load(browser + "-clienthello.hex"))
        {
            server.HandleDatagram(d, TimeSpan.Zero);
        }

        ServerHelloMessage sh = FirstServerHello(Drain(server)[0]);
        Assert.Equal((ushort)29, sh.KeyShareGroup);
        Assert.Equal(32, sh.KeyShare!.Length);
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserServerHello_IsReadByOurParser(string browser)
    {
        byte[] datagram = Load(browser + "-dtls13-serverhello.hex")[0];
        ServerHelloMessage sh = FirstServerHello(datagram);
        Assert.False(sh.IsHelloRetryRequest);
        Assert.Equal((ushort)0xFEFC, sh.SelectedVersion);
        Assert.Equal((ushort)0x1301, sh.CipherSuite);
        Assert.Equal((ushort)0x11EC, sh.KeyShareGroup);
        Assert.Equal(1120, sh.KeyShare!.Length);
        Assert.Empty(sh.SessionId);
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserCiphertextRecords_AreFramedByTheUnifiedHeaderReader(string browser)
    {
        // Frames 4-8: epoch 2 server flight, epoch 2 client flight, epoch 3 ACK, two epoch-3 alerts.
        byte[][] datagrams = Load(browser + "-dtls13-ciphertext.hex");
        var epochs = new List<int>();
        foreach (byte[] d in datagrams)
        {
            ReadOnlySpan<byte> span = d;
            while (!span.IsEmpty)
            {
                Assert.True(Dtls13Record.TryRead(span, out Dtls13Record r, out int n));
                Assert.True(r.LongSequenceNumber);
                epochs.Add(r.EpochBits);
                span = span[n..];
            }
        }

        Assert.Equal(2, epochs[0]);
        Assert.Equal(3, epochs[^1]);

        // The ACK datagram: one record whose 35-byte ciphertext fits one RecordNumber (2 + 16) + type + tag.
        Assert.True(Dtls13Record.TryRead(datagrams[2], out Dtls13Record ack, out int consumed));
        Assert.Equal(datagrams[2].Length, consumed);
        Assert.Equal(3, ack.EpochBits);
        Assert.Equal(0, (ack.Ciphertext.Length - 16 - 1 - 2) % AckMessage.EntryLength);
    }

    [Theory]
    [MemberData(nameof(Browsers))]
    public void BrowserClientHello_FragmentsInReverseOrder_StillGetA13ServerHello(string browser)
    {
        using DtlsEndpoint server = Server(cookie: false);
        byte[][] hello = Load(browser + "-clienthello.hex");
        server.HandleDatagram(hello[1], TimeSpan.Zero);
        server.HandleDatagram(hello[0], TimeSpan.Zero);
        Assert.Equal((ushort)0xFEFC, FirstServerHello(Drain(server)[0]).SelectedVersion);
    }
}
