using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RtcStack.Dtls;

/// <summary>
/// This endpoint's certificate and private key. WebRTC uses self-signed certificates whose
/// fingerprint travels in SDP (RFC 8122 §5, RFC 8827 §6.5); <see cref="Generate"/> makes an
/// ECDSA P-256 one. PEM load and save let a server keep its fingerprint across restarts.
/// </summary>
public sealed class DtlsCertificate : IDisposable
{
    private readonly byte[] _der;

    private DtlsCertificate(X509Certificate2 certificate, AsymmetricAlgorithm privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        _der = certificate.RawData;
        Fingerprint = DtlsFingerprint.Compute(_der);
    }

    /// <summary>Gets the X.509 certificate (public part).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Gets the private key: an <see cref="ECDsa"/> (P-256/P-384) or <see cref="RSA"/>.</summary>
    public AsymmetricAlgorithm PrivateKey { get; }

    /// <summary>Gets the DER encoding sent in the Certificate message (RFC 5246 §7.4.2).</summary>
    public ReadOnlySpan<byte> Der => _der;

    /// <summary>Gets the SHA-256 fingerprint for <c>a=fingerprint</c> (RFC 8122 §5).</summary>
    public DtlsFingerprint Fingerprint { get; }

    internal bool IsEcdsa => PrivateKey is ECDsa;

    internal byte[] DerArray => _der;

    /// <summary>
    /// Generates a self-signed ECDSA P-256 certificate valid from one day before
    /// <paramref name="now"/> for <paramref name="lifetime"/> (default 30 days, as browsers do).
    /// The wall-clock time is an input: this library never reads the clock.
    /// </summary>
    public static DtlsCertificate Generate(DateTimeOffset now, TimeSpan? lifetime = null, string commonName = "RtcStack")
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        Span<byte> serial = stackalloc byte[8];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using X509Certificate2 withKey = request.Create(
            new X500DistinguishedName("CN=" + commonName),
            X509SignatureGenerator.CreateForECDsa(key),
            now.AddDays(-1),
            now + (lifetime ?? TimeSpan.FromDays(30)),
            serial);
        X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
        return new DtlsCertificate(publicOnly, key);
    }

    /// <summary>Loads a certificate and its private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 RSA) from PEM text.</summary>
    public static DtlsCertificate FromPem(string certificatePem, string privateKeyPem)
    {
        X509Certificate2 cert = X509Certificate2.CreateFromPem(certificatePem);
        X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);
        cert.Dispose();
        AsymmetricAlgorithm key;
        string alg = publicOnly.GetKeyAlgorithm();
        if (alg == "1.2.840.10045.2.1")
        {
            ECDsa ec = ECDsa.Create();
            ec.ImportFromPem(privateKeyPem);
            key = ec;
        }
        else if (alg == "1.2.840.113549.1.1.1")
        {
            RSA rsa = RSA.Create();
            rsa.ImportFromPem(privateKeyPem);
            key = rsa;
        }
        else
        {
            throw new NotSupportedException($"certificate key algorithm {alg} is not supported");
        }

        return new DtlsCertificate(publicOnly, key);
    }

    /// <summary>Loads from two PEM files (see <see cref="FromPem"/>).</summary>
    public static DtlsCertificate Load(string certificatePath, string privateKeyPath) =>
        FromPem(File.ReadAllText(certificatePath), File.ReadAllText(privateKeyPath));

    /// <summary>Gets the certificate as PEM ("BEGIN CERTIFICATE").</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Gets the private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). Keep it secret.</summary>
    public string PrivateKeyPem => PrivateKey switch
    {
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        _ => throw new NotSupportedException(),
    };

    /// <summary>Saves the certificate and key as two PEM files; the key file is created owner-readable only where the OS allows.</summary>
    public void Save(string certificatePath, string privateKeyPath)
    {
        File.WriteAllText(certificatePath, CertificatePem);
        File.WriteAllText(privateKeyPath, PrivateKeyPem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Certificate.Dispose();
        PrivateKey.Dispose();
    }
}
