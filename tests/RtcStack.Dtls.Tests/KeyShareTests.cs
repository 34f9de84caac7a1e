using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
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
}
