using RtcStack.Dtls.Tests.Support;
using RtcStack.Srtp;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>Our DTLS 1.3 client against our DTLS 1.3 server in virtual time (RFC 9147 §5).</summary>
public class Dtls13HandshakeTests
{
    internal static (DtlsEndpoint Client, DtlsEndpoint Server) Pair(Action<DtlsOptions>? client = null, Action<DtlsOptions>? server = null)
    {
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        DtlsOptions so = TestCertificates.Options(TestCertificates.Server, TestCertificates.Client);
        co.MaxVersion = DtlsVersion.Dtls13;
        so.MaxVersion = DtlsVersion.Dtls13;
        client?.Invoke(co);
        server?.Invoke(so);
        return (new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
    }

    internal static VirtualLink Connect(DtlsEndpoint c, DtlsEndpoint s, int seed = 1)
    {
        var link = new VirtualLink(c, s, seed);
        s.Start(link.Now);
        c.Start(link.Now);
        return link;
    }

    internal static void AssertSameSrtpKeys(VirtualLink link)
    {
        var ce = Assert.Single(link.EventsA.OfType<DtlsConnectedEvent>());
        var se = Assert.Single(link.EventsB.OfType<DtlsConnectedEvent>());
        Assert.Equal(DtlsVersion.Dtls13, ce.Version);
        Assert.Equal(DtlsVersion.Dtls13, se.Version);
        Assert.Equal(ce.SrtpKeys!.Profile, se.SrtpKeys!.Profile);
        Assert.Equal(ce.SrtpKeys.ExporterOutput, se.SrtpKeys.ExporterOutput);
        Assert.Equal(ce.SrtpKeys.LocalMasterKey, se.SrtpKeys.RemoteMasterKey);
        Assert.Equal(ce.SrtpKeys.LocalMasterSalt, se.SrtpKeys.RemoteMasterSalt);
        Assert.Equal(ce.SrtpKeys.RemoteMasterKey, se.SrtpKeys.LocalMasterKey);
        Assert.Equal(TestCertificates.Server.Fingerprint, ce.RemoteFingerprint);
        Assert.Equal(TestCertificates.Client.Fingerprint, se.RemoteFingerprint);
    }

    [Fact]
    public void OursToOurs_Connects13_WithTheHybridGroup_AndEqualSrtpKeys()
    {
        (DtlsEndpoint c, DtlsEndpoint s) = Pair(server: o => o.RequireCookie = false);
        VirtualLink link = Connect(c, s);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        AssertSameSrtpKeys(link);
        Assert.Equal(DtlsNamedGroup.X25519MlKem768, c.NegotiatedGroup);
        Assert.Equal(DtlsNamedGroup.X25519MlKem768, s.NegotiatedGroup);
        Assert.Equal(DtlsCipherSuite.Tls13Aes128GcmSha256, c.CipherSuite);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, c.SrtpProfile);

        // One round trip: client flight 1, server flight, client final flight, server ACK.
        link.RunUntil(() => false, TimeSpan.FromSeconds(3));
        Assert.Null(c.PollTimeout());
        
    }
}
