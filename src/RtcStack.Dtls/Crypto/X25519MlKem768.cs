using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Security;

namespace RtcStack.Dtls.Crypto;

/// <summary>
/// The X25519MLKEM768 hybrid group (codepoint 0x11EC, draft-ietf-tls-ecdhe-mlkem §3). Unlike the
/// other hybrids of that draft, the ML-KEM part comes first everywhere: the client's share is the
/// ML-KEM-768 encapsulation key (1184 bytes) ‖ its X25519 public key (32), the server's share the
/// ML-KEM-768 ciphertext (1088) ‖ its X25519 public key (32), and the shared secret the ML-KEM
/// shared secret (32) ‖ the X25519 shared secret (32). ML-KEM (FIPS 203) is BouncyCastle's.
/// </summary>
internal static class X25519MlKem768
{
    public const int EncapsulationKeyLength = 1184;
    public const int CiphertextLength = 1088;
    public const int ClientShareLength = EncapsulationKeyLength + X25519.PointSize;
    public const int ServerShareLength = CiphertextLength + X25519.PointSize;
    public const int SecretLength = 64;

    private static readonly SecureRandom s_random = new();

    /// <summary>Server side: encapsulates to the client's key and answers with our X25519 share; false for a malformed or invalid client share.</summary>
    public static bool TryRespond(ReadOnlySpan<byte> clientShare, out byte[] serverShare, out byte[] sharedSecret)
    {
        serverShare = [];
        sharedSecret = [];
        if (clientShare.Length != ClientShareLength)
        {
            return false;
        }

        MLKemPublicKeyParameters encapsulationKey;
        try
        {
            // FIPS 203 §7.2 input checks (length, modulus) happen on decoding.
            encapsulationKey = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, clientShare[..EncapsulationKeyLength].ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }

        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(encapsulationKey, s_random));
        var share = new byte[ServerShareLength];
        var secret = new byte[SecretLength];
        encapsulator.Encapsulate(share.AsSpan(0, CiphertextLength), secret.AsSpan(0, 32));

        byte[] scalar = RandomNumberGenerator.GetBytes(X25519.ScalarSize);
        try
        {
            X25519.ScalarMultBase(scalar, 0, share, CiphertextLength);

            // RFC 7748 §6.1 / RFC 8446 §7.4.2: an all-zero X25519 result is refused.
            if (!X25519.CalculateAgreement(scalar, 0, clientShare[EncapsulationKeyLength..].ToArray(), 0, secret, 32))
            {
                CryptographicOperations.ZeroMemory(secret);
                return false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }

        serverShare = share;
        sharedSecret = secret;
        return true;
    }

    /// <summary>The client's half: an ML-KEM-768 key pair and an X25519 key pair.</summary>
    internal sealed class ClientShare : IDisposable
    {
        private readonly MLKemPrivateKeyParameters _decapsulationKey;
        private readonly byte[] _scalar = new byte[X25519.ScalarSize];

        /// <summary>A fresh key pair; <paramref name="random"/> (tests only) replaces the system generator.</summary>
        public ClientShare(Action<Span<byte>>? random = null)
        {
            SecureRandom source = s_random;
            if (random is not null)
            {
                random(_scalar);
                source = new SecureRandom(new DelegateRandomGenerator(random));
            }
            else
            {
                RandomNumberGenerator.Fill(_scalar);
            }

            var generator = new MLKemKeyPairGenerator();
            generator.Init(new MLKemKeyGenerationParameters(source, MLKemParameters.ml_kem_768));
            AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
            _decapsulationKey = (MLKemPrivateKeyParameters)pair.Private;
            Share = new byte[ClientShareLength];
            ((MLKemPublicKeyParameters)pair.Public).GetEncoded().CopyTo(Share, 0);
            X25519.ScalarMultBase(_scalar, 0, Share, EncapsulationKeyLength);
        }

        public byte[] Share { get; }

        public bool TryComplete(ReadOnlySpan<byte> serverShare, out byte[] sharedSecret)
        {
            sharedSecret = [];
            if (serverShare.Length != ServerShareLength)
            {
                return false;
            }

            var secret = new byte[SecretLength];
            var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
            decapsulator.Init(_decapsulationKey);

            // FIPS 203 §6.3: decapsulation of a wrong ciphertext yields a pseudorandom secret (implicit rejection), so Finished fails later.
            decapsulator.Decapsulate(serverShare[..CiphertextLength], secret.AsSpan(0, 32));
            if (!X25519.CalculateAgreement(_scalar, 0, serverShare[CiphertextLength..].ToArray(), 0, secret, 32))
            {
                return false;
            }

            sharedSecret = secret;
            return true;
        }

        public void Dispose() => CryptographicOperations.ZeroMemory(_scalar);
    }

    /// <summary>BouncyCastle's random interface over a caller's fill function (the <see cref="DtlsOptions.RandomSource"/> test seam).</summary>
    private sealed class DelegateRandomGenerator : IRandomGenerator
    {
        private readonly Action<Span<byte>> _fill;

        public DelegateRandomGenerator(Action<Span<byte>> fill)
        {
            _fill = fill;
        }

        public void AddSeedMaterial(byte[] seed)
        {
        }

        public void AddSeedMaterial(ReadOnlySpan<byte> seed)
        {
        }

        public void AddSeedMaterial(long seed)
        {
        }

        public void NextBytes(byte[] bytes) => _fill(bytes);

        public void NextBytes(byte[] bytes, int start, int len) => _fill(bytes.AsSpan(start, len));

        public void NextBytes(Span<byte> bytes) => _fill(bytes);
    }
}
