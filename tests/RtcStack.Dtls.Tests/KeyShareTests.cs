using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Security;
using RtcStack.Dtls.Crypto;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>RFC 8446 §4.2.8 key shares and the X25519MLKEM768 hybrid (draft-ietf-tls-ecdhe-mlkem §3).</summary>
public class KeyShareTests
{
    [Theory]
    [InlineData(DtlsNamedGroup.X25519MlKem768, 1216, 1120, 64)]
    [InlineData(DtlsNamedGroup.X25519, 32, 32, 32)]
    [InlineData(DtlsNamedGroup.Secp256r1, 65, 65, 32)]
    public void ClientAndServer_AgreeOnTheSecret_WithTheDraftSizes(DtlsNamedGroup group, int clientShare, int serverShare, int secret)
    {
        using KeyShare client = KeyShare.CreateClient(group);
        Assert.Equal(clientShare, client.Share.Length);
        Assert.True(KeyShare.TryRespond(group, client.Share, out byte[] server, out byte[] serverSecret));
        Assert.Equal(serverShare, server.Length);
        Assert.True(client.TryComplete(server, out byte[] clientSecret));
        Assert.Equal(secret, clientSecret.Length);
        Assert.Equal(serverSecret, clientSecret);
    }

    [Fact]
    public void HybridServer_PutsMlKemFirstThenX25519_InShareAndSecret()
    {
        // A client share built by hand from BouncyCastle primitives: ML-KEM-768 key ‖ X25519 point.
        var gen = new MLKemKeyPairGenerator();
        gen.Init(new MLKemKeyGenerationParameters(new SecureRandom(), MLKemParameters.ml_kem_768));
        AsymmetricCipherKeyPair kem = gen.GenerateKeyPair();
        byte[] scalar = RandomNumberGenerator.GetBytes(32);
        byte[] point = new byte[32];
        X25519.ScalarMultBase(scalar, 0, point, 0);
        byte[] clientShare = [.. ((MLKemPublicKeyParameters)kem.Public).GetEncoded(), .. point];

        Assert.True(KeyShare.TryRespond(DtlsNamedGroup.X25519MlKem768, clientShare, out byte[] server, out byte[] secret));

        // The first 1088 bytes decapsulate to the first 32 bytes of the secret.
        var dec = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        dec.Init(kem.Private);
        byte[] kemSecret = new byte[32];
        dec.Decapsulate(server.AsSpan(0, 1088), kemSecret);
        Assert.Equal(kemSecret, secret[..32]);

        // The last 32 bytes are the server's X25519 point; its agreement is the last 32 bytes of the secret.
        byte[] ecdh = new byte[32];
        Assert.True(X25519.CalculateAgreement(scalar, 0, server, 1088, ecdh, 0));
        Assert.Equal(ecdh, secret[32..]);
    }

    [Theory]
    [InlineData(DtlsNamedGroup.X25519MlKem768, 1215)]
    [InlineData(DtlsNamedGroup.X25519MlKem768, 0)]
    [InlineData(DtlsNamedGroup.X25519, 31)]
    [InlineData(DtlsNamedGroup.Secp256r1, 64)]
    public void MalformedClientShare_IsRefused(DtlsNamedGroup group, int length)
    {
        Assert.False(KeyShare.TryRespond(group, new byte[length], out _, out _));
    }

    [Fact]
    public void HybridShareWithALowOrderX25519Point_IsRefused()
    {
        using KeyShare client = KeyShare.CreateClient(DtlsNamedGroup.X25519MlKem768);
        byte[] share = (byte[])client.Share.Clone();
        share.AsSpan(1184).Clear(); // u = 0: all-zero agreement (RFC 7748 §6.1)
        Assert.False(KeyShare.TryRespond(DtlsNamedGroup.X25519MlKem768, share, out _, out _));
    }

    [Fact]
    public void HybridShareWithAnOutOfRangeMlKemKey_IsRefused()
    {
        using KeyShare client = KeyShare.CreateClient(DtlsNamedGroup.X25519MlKem768);
        byte[] share = (byte[])client.Share.Clone();
        share.AsSpan(0, 384).Fill(0xFF); // coefficients 0xFFF > q: FIPS 203 §7.2 modulus check
        Assert.False(KeyShare.TryRespond(DtlsNamedGroup.X25519MlKem768, share, out _, out _));
    }

    [Fact]
    public void FixedRandomHybridShare_IsBouncyCastlesKeyPairFromTheSameStream()
    {
        // The RandomSource seam draws the X25519 scalar, then d ‖ z for ML-KEM.KeyGen (FIPS 203 §7.1),
        // the order in which BouncyCastle's generator consumed the same stream before the seam built
        // the key from the seed: the committed dtls13-client seeds were recorded that way.
        byte[] stream = new byte[96];
        Fixed()(stream);
        using KeyShare share = KeyShare.CreateClient(DtlsNamedGroup.X25519MlKem768, Fixed());

        var gen = new MLKemKeyPairGenerator();
        gen.Init(new MLKemKeyGenerationParameters(new SecureRandom(new ArrayRandom(stream[32..])), MLKemParameters.ml_kem_768));
        byte[] expected = new byte[1216];
        ((MLKemPublicKeyParameters)gen.GenerateKeyPair().Public).GetEncoded().CopyTo(expected, 0);
        X25519.ScalarMultBase(stream, 0, expected, 1184);
        Assert.Equal(expected, share.Share);
    }

    [Theory]
    [InlineData(DtlsNamedGroup.X25519MlKem768)]
    [InlineData(DtlsNamedGroup.X25519)]
    public void RememberedKeyMaterial_IsTheSameBytesAsComputed(DtlsNamedGroup group)
    {
        // DtlsOptions.KeyMaterialMemo (the dtls13-client fuzz target's speed-up): the share and the
        // secrets of a memo'd client equal those of a client that computes them, on the first run
        // (stored) and the second (remembered), for a valid and for an invalid server share.
        var memo = new DictionaryMemo();
        using KeyShare plain = KeyShare.CreateClient(group, Fixed());
        Assert.True(KeyShare.TryRespond(group, plain.Share, out byte[] server, out byte[] serverSecret));
        Assert.True(plain.TryComplete(server, out byte[] plainSecret));
        Assert.Equal(serverSecret, plainSecret);
        byte[] lowOrder = (byte[])server.Clone();
        lowOrder.AsSpan(lowOrder.Length - 32).Clear(); // X25519 u = 0: all-zero result, refused
        Assert.False(plain.TryComplete(lowOrder, out _));

        for (int run = 0; run < 2; run++)
        {
            using KeyShare memoised = KeyShare.CreateClient(group, Fixed(), memo);
            Assert.Equal(plain.Share, memoised.Share);
            Assert.True(memoised.TryComplete(server, out byte[] secret));
            Assert.Equal(plainSecret, secret);
            secret.AsSpan().Clear(); // a caller wiping its secret must not wipe the remembered one
            Assert.False(memoised.TryComplete(lowOrder, out _));
        }

        Assert.Equal(3, memo.Computed); // key, valid completion, refused completion: each computed once
        Assert.Equal(3, memo.Remembered);
    }

    /// <summary>The dtls13-client target's kind of random source: the same cheap stream on every call.</summary>
    private static Action<Span<byte>> Fixed()
    {
        uint state = 0x12345678;
        return d =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                d[i] = (byte)state;
            }
        };
    }

    private sealed class DictionaryMemo : IKeyMaterialMemo
    {
        private readonly Dictionary<string, object> _entries = [];

        public int Computed { get; private set; }

        public int Remembered { get; private set; }

        public T GetOrAdd<T>(string kind, byte[] key, Func<T> compute)
            where T : class
        {
            string k = kind + ":" + Convert.ToHexString(key);
            if (_entries.TryGetValue(k, out object? v))
            {
                Remembered++;
                return (T)v;
            }

            Computed++;
            T value = compute();
            _entries.Add(k, value);
            return value;
        }
    }

    private sealed class ArrayRandom(byte[] bytes) : IRandomGenerator
    {
        private int _position;

        public void AddSeedMaterial(byte[] seed)
        {
        }

        public void AddSeedMaterial(ReadOnlySpan<byte> seed)
        {
        }

        public void AddSeedMaterial(long seed)
        {
        }

        public void NextBytes(byte[] bytes) => NextBytes(bytes.AsSpan());

        public void NextBytes(byte[] bytes, int start, int len) => NextBytes(bytes.AsSpan(start, len));

        public void NextBytes(Span<byte> destination)
        {
            bytes.AsSpan(_position, destination.Length).CopyTo(destination);
            _position += destination.Length;
        }
    }
}
