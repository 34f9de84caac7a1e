using System.Security.Cryptography;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Records;
using RtcStack.Dtls.Tests.Support;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// The peer certificate's key import never throws on a certificate whose EC key names a curve the platform does not
/// have. The dtls13-client fuzz target found (2026-12-06) that such a certificate made
/// <c>ImportSubjectPublicKeyInfo</c> throw <see cref="PlatformNotSupportedException"/> out of
/// <see cref="DtlsEndpoint.HandleDatagram"/>: any peer whose certificate matched its own signalled fingerprint could
/// end the process. Now the key is refused and the handshake fails with bad_certificate.
/// </summary>
public class PeerPublicKeyTests
{
    // DER of the namedCurve OID 1.2.840.10045.3.1.7 (P-256) in our certificates' subjectPublicKeyInfo.
    private static readonly byte[] s_p256Oid = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    /// <summary>The server's certificate with its curve OID replaced by another OID of the same length.</summary>
    private static byte[] WithCurveOid(ReadOnlySpan<byte> der, byte[] oid)
    {
        byte[] copy = der.ToArray();
        int at = copy.AsSpan().IndexOf(s_p256Oid);
        Assert.True(at > 0, "the certificate has no P-256 namedCurve OID");
        oid.CopyTo(copy, at);
        return copy;
    }

    [Fact]
    public void OurCertificate_ImportsAsAnEcdsaKey()
    {
        using AsymmetricAlgorithm? key = PeerPublicKey.TryImport(TestCertificates.Server.Der.ToArray());
        Assert.IsAssignableFrom<ECDsa>(key);
    }

    [Theory]
    [InlineData(new byte[] { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x64, 0x00, 0x00, 0x00 })] // 1.2.840.10084.0.0.0 (crash 0)
    [InlineData(new byte[] { 0x06, 0x08, 0x2A, 0x86, 0x48, 0x8E, 0x3D, 0x03, 0x01, 0x07 })] // 1.2.840.1853.3.1.7 (crash 1)
    [InlineData(new byte[] { 0x06, 0x08, 0x2A, 0x86, 0x00, 0x7F, 0x3D, 0x03, 0x01, 0x07 })] // 1.2.768.127.61.3.1.7 (crash 2)
    [InlineData(new byte[] { 0x05, 0x00, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00 })] // no OID at all (NULLs)
    public void CurveParametersThePlatformLacks_AreRefused_NotThrown(byte[] parameters)
    {
        byte[] der = WithCurveOid(TestCertificates.Server.Der, parameters);
        Assert.Null(PeerPublicKey.TryImport(der));
    }

    [Fact]
    public void A12ServerCertificateWithAnUnknownCurve_FailsTheClientWithBadCertificate()
    {
        // On the wire, in the plaintext DTLS 1.2 Certificate message; the client takes any certificate, so the key
        // import is what refuses it (with a fingerprint from signalling the peer would sign its own such certificate).
        DtlsOptions co = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        co.RemoteFingerprints.Clear();
        co.AcceptAnyRemoteCertificate = true;
        var link = new VirtualLink(new DtlsEndpoint(DtlsRole.Client, co), new DtlsEndpoint(DtlsRole.Server, TestCertificates.Options(TestCertificates.Server, TestCertificates.Client)));
        byte[] unknownCurve = [0x06, 0x08, 0x2A, 0x86, 0x48, 0x8E, 0x3D, 0x03, 0x01, 0x07];
        int tampered = 0;
        link.Tap = (toB, d) =>
        {
            int at = !toB && d[0] == (byte)ContentType.Handshake ? d.AsSpan().IndexOf(s_p256Oid) : -1;
            if (at >= 0)
            {
                unknownCurve.CopyTo(d, at);
                tampered++;
            }

            return d;
        };
        link.B.Start(link.Now);
        link.A.Start(link.Now);
        Assert.False(link.RunUntilConnected(TimeSpan.FromSeconds(5)));
        Assert.True(tampered >= 1);
        DtlsFailedEvent failed = Assert.Single(link.EventsA.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.BadCertificate, failed.Error);
        Assert.Equal(AlertDescription.BadCertificate, failed.Alert);
    }
}
