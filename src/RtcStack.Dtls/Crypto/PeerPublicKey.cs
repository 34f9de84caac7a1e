using System.Formats.Asn1;
using System.Security.Cryptography;

namespace RtcStack.Dtls.Crypto;

/// <summary>
/// Extracts the subjectPublicKeyInfo from a DER certificate (RFC 5280 §4.1) and imports it as
/// an ECDSA or RSA key, without building a full X509Certificate2 on the handshake path (the
/// certificate object is made only if the application asks for it).
/// </summary>
internal static class PeerPublicKey
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    // RFC 5480 §2.1.1.1: namedCurve OIDs of P-256, P-384 and P-521 (RFC 8422 §5.1.1's secp256r1, secp384r1, secp521r1).
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string P521Oid = "1.3.132.0.35";

    /// <summary>Returns the key, or null when the certificate or key is malformed or of another algorithm or curve.</summary>
    public static AsymmetricAlgorithm? TryImport(ReadOnlyMemory<byte> certificateDer)
    {
        AsymmetricAlgorithm? key = null;
        try
        {
            var outer = new AsnReader(certificateDer, AsnEncodingRules.BER);
            AsnReader cert = outer.ReadSequence();
            AsnReader tbs = cert.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                tbs.ReadEncodedValue(); // version
            }

            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadEncodedValue(); // signature
            tbs.ReadEncodedValue(); // issuer
            tbs.ReadEncodedValue(); // validity
            tbs.ReadEncodedValue(); // subject
            ReadOnlyMemory<byte> spki = tbs.ReadEncodedValue();
            AsnReader algorithm = new AsnReader(spki, AsnEncodingRules.BER).ReadSequence().ReadSequence();
            string oid = algorithm.ReadObjectIdentifier();
            switch (oid)
            {
                case EcPublicKeyOid:
                    // Only the named curves the platform certainly has: any other parameters (an unknown OID, explicit
                    // curve parameters) made the import throw PlatformNotSupportedException, which no caller expects
                    // (found by the dtls13-client fuzz target, 2026-12-06).
                    if (!algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ||
                        algorithm.ReadObjectIdentifier() is not (P256Oid or P384Oid or P521Oid))
                    {
                        return null;
                    }

                    key = ECDsa.Create();
                    ((ECDsa)key).ImportSubjectPublicKeyInfo(spki.Span, out _);
                    break;
                case RsaEncryptionOid:
                    key = RSA.Create();
                    ((RSA)key).ImportSubjectPublicKeyInfo(spki.Span, out _);
                    break;
                default:
                    return null;
            }

            AsymmetricAlgorithm imported = key;
            key = null;
            return imported;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or PlatformNotSupportedException or NotSupportedException)
        {
            // A peer's bytes the platform rejects in a way the checks above did not foresee: not a usable key.
            return null;
        }
        finally
        {
            key?.Dispose();
        }
    }
}
