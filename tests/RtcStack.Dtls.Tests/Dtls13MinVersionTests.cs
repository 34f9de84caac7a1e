using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// <see cref="DtlsOptions.MinVersion"/> = DTLS 1.3: a 1.3-only endpoint refuses a 1.2-only peer with a
/// protocol_version alert (RFC 8446 §D.1 as client, §D.2 and §4.2.1 as server; RFC 9147 §5.3), in either
/// role, and both sides report <see cref="DtlsError.UnsupportedVersion"/>; with a 1.3 peer it connects as before.
/// </summary>
public class Dtls13MinVersionTests
{
    private static (DtlsEndpoint Client, DtlsEndpoint Server) Pair(Action<DtlsOptions> client, Action<DtlsOptions> server) =>
        Dtls13HandshakeTests.Pair(client, server);

    private static void AssertRefusedWithProtocolVersion(VirtualLink link, DtlsEndpoint refuser, List<DtlsEvent> refuserEvents, DtlsEndpoint other, List<DtlsEvent> otherEvents, string refusal)
    {
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        link.RunUntil(() => refuser.State == DtlsState.Failed && other.State == DtlsState.Failed, TimeSpan.FromSeconds(2));
        DtlsFailedEvent mine = Assert.Single(refuserEvents.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.UnsupportedVersion, mine.Error);
        Assert.Equal(AlertDescription.ProtocolVersion, mine.Alert);
        Assert.Contains(refusal, mine.Message, StringComparison.Ordinal);

        // The peer gets the alert and reports the same typed failure.
        Assert.Equal(DtlsState.Failed, other.State);
        DtlsFailedEvent theirs = Assert.Single(otherEvents.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.UnsupportedVersion, theirs.Error);
        Assert.Equal(AlertDescription.ProtocolVersion, theirs.Alert);
        Assert.Contains("peer sent protocol_version", theirs.Message, StringComparison.Ordinal);
        Assert.Empty(link.EventsA.OfType<DtlsConnectedEvent>());
        Assert.Empty(link.EventsB.OfType<DtlsConnectedEvent>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Server13Only_Refuses12OnlyClient_WithProtocolVersion(bool requireCookie)
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(
            client: o => o.MaxVersion = DtlsVersion.Dtls12,
            server: o =>
            {
                o.MinVersion = DtlsVersion.Dtls13;
                o.RequireCookie = requireCookie;
            });
        var serverHandshakeTypes = new List<byte>();
        VirtualLink link = Dtls13HandshakeTests.Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (!toB && d[0] == (byte)ContentType.Handshake && d.Length > 13)
            {
                serverHandshakeTypes.Add(d[13]);
            }

            return d;
        };
        AssertRefusedWithProtocolVersion(link, s, link.EventsB, c, link.EventsA, "DtlsOptions.MinVersion requires DTLS 1.3");

        // RFC 6347 §4.2.1: with cookies required the refusal comes only after the client proved its address.
        Assert.Equal(requireCookie ? [(byte)HandshakeType.HelloVerifyRequest] : [], serverHandshakeTypes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Client13Only_OffersOnly13_AndOur12OnlyServerRefusesIt(bool requireCookie)
    {
        // Our 1.2-only server reads supported_versions (RFC 8446 §4.2.1: it alone decides) and finds no 1.2 in it.
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(
            client: o =>
            {
                o.MinVersion = DtlsVersion.Dtls13;

                // One datagram for the ClientHello (the hybrid share would fragment it), so the tap can parse it.
                o.Dtls13Groups.Remove(DtlsNamedGroup.X25519MlKem768);
            },
            server: o =>
            {
                o.MaxVersion = DtlsVersion.Dtls12;
                o.RequireCookie = requireCookie;
            });
        ushort[]? offered = null;
        VirtualLink link = Dtls13HandshakeTests.Connect(c, s);
        link.Tap = (toB, d) =>
        {
            if (toB && offered is null && d[0] == (byte)ContentType.Handshake && d[13] == (byte)HandshakeType.ClientHello &&
                ClientHelloMessage.TryParse(d.AsSpan(13 + 12), out ClientHelloMessage? ch))
            {
                offered = ch!.SupportedVersions;
            }

            return d;
        };
        AssertRefusedWithProtocolVersion(link, s, link.EventsB, c, link.EventsA, "client does not offer DTLS 1.2");
        Assert.NotNull(offered);
        Assert.Equal([ProtocolVersion.Dtls13], offered);
    }

    [Fact]
    public void Client13Only_RefusesA12ServerHello_WithProtocolVersion()
    {
        // A 1.2-only server that ignores supported_versions (as OpenSSL's DTLS does) answers with a 1.2 ServerHello:
        // made here by rewriting the client's one offered version to 1.2 on the wire (same length).
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(
            client: o => o.MinVersion = DtlsVersion.Dtls13,
            server: o => o.MaxVersion = DtlsVersion.Dtls12);
        byte[] onlyDtls13 = [0x00, 0x2b, 0x00, 0x03, 0x02, 0xfe, 0xfc];
        int rewritten = 0;
        VirtualLink link = Dtls13HandshakeTests.Connect(c, s);
        link.Tap = (toB, d) =>
        {
            int at = toB ? d.AsSpan().IndexOf(onlyDtls13) : -1;
            if (at >= 0)
            {
                d[at + 6] = 0xfd;
                rewritten++;
            }

            return d;
        };
        AssertRefusedWithProtocolVersion(link, c, link.EventsA, s, link.EventsB, "server chose DTLS 1.2, but DtlsOptions.MinVersion requires DTLS 1.3");
        Assert.True(rewritten >= 1);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void OnlyThe13OnlySide_Against13_Connects13(bool client13Only, bool server13Only)
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(
            client: o => o.MinVersion = client13Only ? DtlsVersion.Dtls13 : DtlsVersion.Dtls12,
            server: o => o.MinVersion = server13Only ? DtlsVersion.Dtls13 : DtlsVersion.Dtls12);
        VirtualLink link = Dtls13HandshakeTests.Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Dtls13HandshakeTests.AssertSameSrtpKeys(link);
    }

    [Fact]
    public void MinVersionAboveMaxVersion_IsRefusedAtConstruction()
    {
        DtlsOptions o = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        o.MinVersion = DtlsVersion.Dtls13;
        o.MaxVersion = DtlsVersion.Dtls12;
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => new DtlsEndpoint(DtlsRole.Client, o));
        Assert.Contains("MinVersion", e.Message, StringComparison.Ordinal);
    }
}
