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

    /// <summary>Returns the key, or null when the certificate or key is malformed or of another algorithm.</summary>
    public static AsymmetricAlgorithm? TryImport(ReadOnlyMemory<byte> certificateDer)
    {
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
                    ECDsa ec = ECDsa.Create();
                    ec.ImportSubjectPublicKeyInfo(spki.Span, out _);
                    return ec;
                case RsaEncryptionOid:
                    RSA rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(spki.Span, out _);
                    return rsa;
                default:
                    return null;
            }
        }
        catch (AsnContentException)
        {
            return null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
