using RtcStack.Dtls;
using RtcStack.Dtls.Tests.Support;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.Dtls.Tests;

public class HandshakeTests
{
    private static (DtlsEndpoint Client, DtlsEndpoint Server) Pair(Action<DtlsOptions>? client = null, Action<DtlsOptions>? server = null)
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        client?.Invoke(co);
        server?.Invoke(so);
        return (new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
    }

    [Fact]
    public void OursToOurs_Connects_WithEqualSrtpKeys()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair();
        var link = new VirtualLink(c, s);
        s.Start(link.Now);
        c.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        var ce = Assert.Single(link.EventsA.OfType<DtlsConnectedEvent>());
        var se = Assert.Single(link.EventsB.OfType<DtlsConnectedEvent>());
        Assert.Equal(SrtpProfile.AeadAes128Gcm, ce.SrtpKeys!.Profile);
        Assert.Equal(ce.SrtpKeys.ExporterOutput, se.SrtpKeys!.ExporterOutput);
        Assert.Equal(ce.SrtpKeys.LocalMasterKey, se.SrtpKeys.RemoteMasterKey);
        Assert.Equal(ce.SrtpKeys.LocalMasterSalt, se.SrtpKeys.RemoteMasterSalt);
        Assert.Equal(ce.SrtpKeys.RemoteMasterKey, se.SrtpKeys.LocalMasterKey);
        Assert.Equal(TestCertificates.Server.Fingerprint, ce.RemoteFingerprint);
        Assert.Equal(TestCertificates.Client.Fingerprint, se.RemoteFingerprint);
    }

    [Theory]
    [InlineData(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, DtlsNamedGroup.X25519)]
    [InlineData(DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384, DtlsNamedGroup.Secp256r1)]
    [InlineData(DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256, DtlsNamedGroup.X25519)]
    public void EachSuiteAndGroup_ExchangesApplicationData(DtlsCipherSuite suite, DtlsNamedGroup group)
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(o =>
        {
            o.CipherSuites.Clear();
            o.CipherSuites.Add(suite);
            o.NamedGroups.Clear();
            o.NamedGroups.Add(group);
        });
        var link = new VirtualLink(c, s);
        s.Start(link.Now);
        c.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.Equal(suite, c.CipherSuite);
        Assert.Equal(suite, s.CipherSuite);
        c.Send("hello"u8);
        s.Send("world"u8);
        link.RunUntil(() => link.EventsA.OfType<DtlsApplicationDataEvent>().Any() && link.EventsB.OfType<DtlsApplicationDataEvent>().Any(), TimeSpan.FromSeconds(1));
        Assert.Equal("hello"u8.ToArray(), link.EventsB.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());
        Assert.Equal("world"u8.ToArray(), link.EventsA.OfType<DtlsApplicationDataEvent>().Single().Data.ToArray());
    }
}
