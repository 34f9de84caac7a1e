using System.Security.Cryptography;

namespace RtcStack.Dtls.Crypto;

/// <summary>Signing and verifying handshake signatures (RFC 5246 §4.7, §7.4.3, §7.4.8).</summary>
internal static class Signatures
{
    /// <summary>Schemes we offer in signature_algorithms, most preferred first.</summary>
    public static readonly SignatureScheme[] Supported =
    [
        SignatureScheme.EcdsaSecp256r1Sha256,
        SignatureScheme.RsaPssRsaeSha256,
        SignatureScheme.RsaPkcs1Sha256,
        SignatureScheme.EcdsaSecp384r1Sha384,
        SignatureScheme.RsaPssRsaeSha384,
        SignatureScheme.RsaPkcs1Sha384,
        SignatureScheme.RsaPssRsaeSha512,
        SignatureScheme.RsaPkcs1Sha512,
    ];

    public static bool IsSupported(ushort scheme) => Array.IndexOf(Supported, (SignatureScheme)scheme) >= 0;

    public static bool IsEcdsa(SignatureScheme s) => ((ushort)s & 0xFF) == 0x03;

    public static HashAlgorithmName HashOf(SignatureScheme s) => s switch
    {
        SignatureScheme.EcdsaSecp256r1Sha256 or SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPssRsaeSha256 => HashAlgorithmName.SHA256,
        SignatureScheme.EcdsaSecp384r1Sha384 or SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.RsaPssRsaeSha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    /// <summary>Picks the scheme our key signs with, among those the peer listed (RFC 5246 §7.4.1.4.1).</summary>
    public static bool TryChoose(AsymmetricAlgorithm key, ReadOnlySpan<ushort> peerSchemes, out SignatureScheme scheme)
    {
        foreach (SignatureScheme s in Supported)
        {
            bool fits = key is ECDsa ? IsEcdsa(s) : !IsEcdsa(s);
            if (fits && (peerSchemes.IsEmpty || peerSchemes.Contains((ushort)s)))
            {
                scheme = s;
                return true;
            }
        }

        scheme = default;
        return false;
    }

    public static byte[] Sign(AsymmetricAlgorithm key, SignatureScheme scheme, ReadOnlySpan<byte> data) => key switch
    {
        ECDsa ec => ec.SignData(data, HashOf(scheme), DSASignatureFormat.Rfc3279DerSequence),
        RSA rsa => rsa.SignData(data.ToArray(), HashOf(scheme), IsPss(scheme) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(),
    };

    /// <summary>Verifies; never throws on malformed signatures.</summary>
    public static bool Verify(AsymmetricAlgorithm key, SignatureScheme scheme, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key switch
            {
                ECDsa ec when IsEcdsa(scheme) => ec.VerifyData(data, signature, HashOf(scheme), DSASignatureFormat.Rfc3279DerSequence),
                RSA rsa when !IsEcdsa(scheme) => rsa.VerifyData(data, signature, HashOf(scheme), IsPss(scheme) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool IsPss(SignatureScheme s) => ((ushort)s >> 8) == 0x08;
}
