using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
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
        /// <summary>FIPS 203 §7.1: ML-KEM.KeyGen draws d and z, 32 bytes each; the key pair is KeyGen_internal(d, z).</summary>
        private const int MlKemSeedLength = 64;

        private readonly MLKemPrivateKeyParameters _decapsulationKey;
        private readonly byte[] _scalar = new byte[X25519.ScalarSize];
        private readonly IKeyMaterialMemo? _memo;
        private readonly byte[]? _memoKey;

        /// <summary>
        /// A fresh key pair; <paramref name="random"/> (tests only) replaces the system generator, and
        /// <paramref name="memo"/> (tests only, with <paramref name="random"/>) remembers the key pair
        /// and the shared secrets computed with it (<see cref="DtlsOptions.KeyMaterialMemo"/>).
        /// </summary>
        public ClientShare(Action<Span<byte>>? random = null, IKeyMaterialMemo? memo = null)
        {
            if (random is null)
            {
                RandomNumberGenerator.Fill(_scalar);
                var generator = new MLKemKeyPairGenerator();
                generator.Init(new MLKemKeyGenerationParameters(s_random, MLKemParameters.ml_kem_768));
                AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
                _decapsulationKey = (MLKemPrivateKeyParameters)pair.Private;
                Share = new byte[ClientShareLength];
                ((MLKemPublicKeyParameters)pair.Public).GetEncoded().CopyTo(Share, 0);
                X25519.ScalarMultBase(_scalar, 0, Share, EncapsulationKeyLength);
                return;
            }

            // The X25519 scalar first, then d ‖ z: the order in which BouncyCastle's generator drew them
            // from this source before, so that recorded server flights still decrypt.
            random(_scalar);
            var seed = new byte[MlKemSeedLength];
            random(seed);
            byte[] scalar = _scalar;
            ClientKeys keys;
            if (memo is null)
            {
                keys = Generate(seed, scalar);
            }
            else
            {
                _memo = memo;
                _memoKey = [.. seed, .. scalar];
                keys = memo.GetOrAdd("x25519mlkem768-client", _memoKey, () => Generate(seed, scalar));
            }

            _decapsulationKey = keys.DecapsulationKey;
            Share = (byte[])keys.Share.Clone();
            CryptographicOperations.ZeroMemory(seed);
        }

        public byte[] Share { get; }

        public bool TryComplete(ReadOnlySpan<byte> serverShare, out byte[] sharedSecret)
        {
            sharedSecret = [];
            if (serverShare.Length != ServerShareLength)
            {
                return false;
            }

            if (_memo is null)
            {
                return Complete(_decapsulationKey, _scalar, serverShare, out sharedSecret);
            }

            MLKemPrivateKeyParameters dk = _decapsulationKey;
            byte[] scalar = _scalar;
            byte[] server = serverShare.ToArray();
            Completion c = _memo.GetOrAdd("x25519mlkem768-complete", [.. _memoKey!, .. server], () =>
                new Completion(Complete(dk, scalar, server, out byte[] s), s));
            sharedSecret = (byte[])c.Secret.Clone();
            return c.Valid;
        }

        private static bool Complete(MLKemPrivateKeyParameters decapsulationKey, byte[] scalar, ReadOnlySpan<byte> serverShare, out byte[] sharedSecret)
        {
            sharedSecret = [];
            var secret = new byte[SecretLength];
            var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
            decapsulator.Init(decapsulationKey);

            // FIPS 203 §6.3: decapsulation of a wrong ciphertext yields a pseudorandom secret (implicit rejection), so Finished fails later.
            decapsulator.Decapsulate(serverShare[..CiphertextLength], secret.AsSpan(0, 32));
            if (!X25519.CalculateAgreement(scalar, 0, serverShare[CiphertextLength..].ToArray(), 0, secret, 32))
            {
                return false;
            }

            sharedSecret = secret;
            return true;
        }

        /// <summary>The key pair for the seed d ‖ z (FIPS 203 §6.1 ML-KEM.KeyGen_internal) and the share with the X25519 public key of <paramref name="scalar"/>.</summary>
        private static ClientKeys Generate(byte[] seed, byte[] scalar)
        {
            MLKemPrivateKeyParameters dk = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, seed);
            var share = new byte[ClientShareLength];
            dk.GetPublicKey().GetEncoded().CopyTo(share, 0);
            X25519.ScalarMultBase(scalar, 0, share, EncapsulationKeyLength);
            return new ClientKeys(dk, share);
        }

        public void Dispose() => CryptographicOperations.ZeroMemory(_scalar);

        /// <summary>A remembered key pair (<see cref="IKeyMaterialMemo"/>): the decapsulation key and our share.</summary>
        private sealed record ClientKeys(MLKemPrivateKeyParameters DecapsulationKey, byte[] Share);

        /// <summary>A remembered completion (<see cref="IKeyMaterialMemo"/>): whether the server's share was valid, and the secret.</summary>
        private sealed record Completion(bool Valid, byte[] Secret);
    }
}
