using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace RtcStack.Dtls.Crypto;

/// <summary>
/// One ephemeral ECDHE key pair (RFC 8422 §5.4, §5.11): X25519 through BouncyCastle's RFC 7748
/// code (.NET has no X25519) and P-256 through System.Security.Cryptography.
/// </summary>
internal abstract class KeyExchange : IDisposable
{
    public abstract DtlsNamedGroup Group { get; }

    /// <summary>Gets the public value as sent in ServerKeyExchange / ClientKeyExchange (RFC 8422 §5.4: uncompressed point or the 32-byte X25519 u).</summary>
    public abstract byte[] PublicKey { get; }

    /// <summary>Computes the shared secret (the premaster secret); false for an invalid peer value.</summary>
    public abstract bool TryAgree(ReadOnlySpan<byte> peerPublic, out byte[] sharedSecret);

    public virtual void Dispose()
    {
    }

    /// <summary>A fresh key pair of <paramref name="group"/>; <paramref name="random"/> (tests only) replaces the system generator for X25519, and <paramref name="memo"/> (tests only, with <paramref name="random"/>) remembers its public key and agreements.</summary>
    public static KeyExchange Create(DtlsNamedGroup group, Action<Span<byte>>? random = null, IKeyMaterialMemo? memo = null) => group switch
    {
        DtlsNamedGroup.X25519 => new X25519KeyExchange(random, random is null ? null : memo),
        DtlsNamedGroup.Secp256r1 => new P256KeyExchange(),
        _ => throw new ArgumentOutOfRangeException(nameof(group)),
    };

    private sealed class X25519KeyExchange : KeyExchange
    {
        private readonly byte[] _private = new byte[X25519.ScalarSize];
        private readonly byte[] _public = new byte[X25519.PointSize];

        private readonly IKeyMaterialMemo? _memo;

        public X25519KeyExchange(Action<Span<byte>>? random, IKeyMaterialMemo? memo)
        {
            if (random is not null)
            {
                random(_private);
            }
            else
            {
                RandomNumberGenerator.Fill(_private);
            }

            _memo = memo;
            if (memo is null)
            {
                X25519.ScalarMultBase(_private, 0, _public, 0);
            }
            else
            {
                byte[] scalar = _private;
                memo.GetOrAdd("x25519-public", scalar, () =>
                {
                    var pub = new byte[X25519.PointSize];
                    X25519.ScalarMultBase(scalar, 0, pub, 0);
                    return pub;
                }).CopyTo(_public, 0);
            }
        }

        public override DtlsNamedGroup Group => DtlsNamedGroup.X25519;

        public override byte[] PublicKey => _public;

        public override bool TryAgree(ReadOnlySpan<byte> peerPublic, out byte[] sharedSecret)
        {
            sharedSecret = new byte[X25519.PointSize];
            if (peerPublic.Length != X25519.PointSize)
            {
                return false;
            }

            // RFC 7748 §6.1: an all-zero result means a low-order point; reject it (RFC 8422 §5.11).
            if (_memo is null)
            {
                return X25519.CalculateAgreement(_private, 0, peerPublic.ToArray(), 0, sharedSecret, 0);
            }

            byte[] scalar = _private;
            byte[] peer = peerPublic.ToArray();
            Agreement a = _memo.GetOrAdd("x25519-agree", [.. scalar, .. peer], () =>
            {
                var secret = new byte[X25519.PointSize];
                return new Agreement(X25519.CalculateAgreement(scalar, 0, peer, 0, secret, 0), secret);
            });
            a.Secret.CopyTo(sharedSecret, 0);
            return a.Valid;
        }

        /// <summary>A remembered agreement (<see cref="IKeyMaterialMemo"/>): whether the peer value was valid, and the secret.</summary>
        private sealed record Agreement(bool Valid, byte[] Secret);

        public override void Dispose() => CryptographicOperations.ZeroMemory(_private);
    }

    private sealed class P256KeyExchange : KeyExchange
    {
        private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        private readonly byte[] _public;

        public P256KeyExchange()
        {
            ECParameters p = _key.ExportParameters(false);
            _public = new byte[65];
            _public[0] = 4;
            p.Q.X!.CopyTo(_public, 1);
            p.Q.Y!.CopyTo(_public, 33);
        }

        public override DtlsNamedGroup Group => DtlsNamedGroup.Secp256r1;

        public override byte[] PublicKey => _public;

        public override bool TryAgree(ReadOnlySpan<byte> peerPublic, out byte[] sharedSecret)
        {
            sharedSecret = [];
            if (peerPublic.Length != 65 || peerPublic[0] != 4)
            {
                return false;
            }

            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = peerPublic.Slice(1, 32).ToArray(), Y = peerPublic.Slice(33, 32).ToArray() },
            };
            try
            {
                using ECDiffieHellman peer = ECDiffieHellman.Create(parameters);
                sharedSecret = _key.DeriveRawSecretAgreement(peer.PublicKey);
                return true;
            }
            catch (CryptographicException)
            {
                // Not a point on the curve (RFC 8422 §5.11 requires the check; OpenSSL does it on import).
                return false;
            }
        }

        public override void Dispose() => _key.Dispose();
    }
}
