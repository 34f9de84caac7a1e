using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RtcStack.Dtls;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

public class CertificateTests
{
    [Fact]
    public void Generate_MakesSelfSignedEcdsaP256_WithSdpFingerprint()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        using DtlsCertificate c = DtlsCertificate.Generate(now);
        Assert.Equal("1.2.840.10045.2.1", c.Certificate.GetKeyAlgorithm());
        Assert.Equal(256, c.Certificate.GetECDsaPublicKey()!.KeySize);
        Assert.Equal(now.AddDays(-1).UtcDateTime, c.Certificate.NotBefore.ToUniversalTime());
        Assert.Equal(now.AddDays(30).UtcDateTime, c.Certificate.NotAfter.ToUniversalTime());
        string sdp = c.Fingerprint.ToString();
        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", sdp);
        Assert.Equal(SHA256.HashData(c.Der), c.Fingerprint.Value.ToArray());
    }

    [Fact]
    public void Pem_RoundTrip_KeepsFingerprint_AndStillHandshakes()
    {
        string dir = Directory.CreateTempSubdirectory("dtls-pem").FullName;
        try
        {
            string certPath = Path.Combine(dir, "cert.pem");
            string keyPath = Path.Combine(dir, "key.pem");
            TestCertificates.Server.Save(certPath, keyPath);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(certPath), StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyPath), StringComparison.Ordinal);
            using DtlsCertificate loaded = DtlsCertificate.Load(certPath, keyPath);
            Assert.Equal(TestCertificates.Server.Fingerprint, loaded.Fingerprint);

            DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
            var so = new DtlsOptions { Certificate = loaded };
            so.RemoteFingerprints.Add(TestCertificates.Client.Fingerprint);
            var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
            link.B.Start(link.Now);
            link.A.Start(link.Now);
            Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("sha-256 AB:cd:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD", true)]
    [InlineData("SHA-256 AB:CD:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD", true)]
    [InlineData("sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", true)]
    [InlineData("sha-256 AB:CD", false)]
    [InlineData("sha-256 AB-CD-00-11-22-33-44-55-66-77-88-99-AA-BB-CC-DD-EE-FF-00-11-22-33-44-55-66-77-88-99-AA-BB-CC-DD", false)]
    [InlineData("md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", false)]
    [InlineData("sha-256", false)]
    [InlineData("", false)]
    [InlineData("sha-256 ZZ:CD:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD", false)]
    public void Fingerprint_Parse(string text, bool ok)
    {
        Assert.Equal(ok, DtlsFingerprint.TryParse(text, out DtlsFingerprint? f));
        if (ok)
        {
            Assert.Equal(text.ToUpperInvariant().Replace("SHA-", "sha-", StringComparison.Ordinal), f!.ToString());
        }
    }

    [Fact]
    public void RsaCertificates_AreAcceptedForVerification_BothWays()
    {
        using RSA rsaServer = RSA.Create(2048);
        using RSA rsaClient = RSA.Create(2048);
        using DtlsCertificate server = SelfSignedRsa(rsaServer, "rsa-server");
        using DtlsCertificate client = SelfSignedRsa(rsaClient, "rsa-client");
        var co = new DtlsOptions { Certificate = client };
        co.RemoteFingerprints.Add(server.Fingerprint);
        var so = new DtlsOptions { Certificate = server };
        so.RemoteFingerprints.Add(client.Fingerprint);
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, so));
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.True(link.RunUntilConnected(TimeSpan.FromSeconds(5)), string.Join("; ", link.EventsA.Concat(link.EventsB)));
        Assert.Equal(DtlsCipherSuite.EcdheRsaWithAes128GcmSha256, link.A.CipherSuite);
        Assert.Equal(link.A.SrtpKeys!.ExporterOutput, link.B.SrtpKeys!.ExporterOutput);
    }

    private static DtlsCertificate SelfSignedRsa(RSA key, string cn)
    {
        var req = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return DtlsCertificate.FromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
