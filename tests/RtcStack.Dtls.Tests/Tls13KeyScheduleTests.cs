using System.Security.Cryptography;
using System.Text;
using RtcStack.Dtls.Crypto;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// RFC 8446 §7.1 key schedule against the RFC 8448 §3 "Simple 1-RTT Handshake" trace (TLS 1.3
/// labels), and the DTLS 1.3 "dtls13" label prefix (RFC 9147 §5.9) by construction.
/// </summary>
public class Tls13KeyScheduleTests
{
    // RFC 8448 §3: the x25519 shared secret, and the transcript hashes it prints.
    private const string Shared = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
    private const string HelloHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
    private const string ServerFinishedHash = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static Tls13KeySchedule Rfc8448()
    {
        var k = new Tls13KeySchedule(HashAlgorithmName.SHA256, Tls13KeySchedule.TlsPrefix);
        k.SetSharedSecret(H(Shared));
        return k;
    }

    [Fact]
    public void EarlyAndHandshakeSecrets_MatchRfc8448()
    {
        Tls13KeySchedule k = Rfc8448();
        Assert.Equal(H("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"), k.EarlySecret);
        Assert.Equal(H("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"), k.HandshakeSecret);
        (byte[] c, byte[] s) = k.HandshakeTrafficSecrets(H(HelloHash));
        Assert.Equal(H("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"), c);
        Assert.Equal(H("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"), s);
    }

    [Fact]
    public void TrafficKeysAndIvs_MatchRfc8448()
    {
        Tls13KeySchedule k = Rfc8448();
        (byte[] c, byte[] s) = k.HandshakeTrafficSecrets(H(HelloHash));
        (byte[] sKey, byte[] sIv, _) = k.TrafficKeys(s, 16);
        Assert.Equal(H("3fce516009c21727d0f2e4e86ee403bc"), sKey);
        Assert.Equal(H("5d313eb2671276ee13000b30"), sIv);
        (byte[] cKey, byte[] cIv, _) = k.TrafficKeys(c, 16);
        Assert.Equal(H("dbfaa693d1762c5b666af5d950258d01"), cKey);
        Assert.Equal(H("5bd3c71b836e0b76bb73265f"), cIv);
    }

    [Fact]
    public void MasterApplicationAndExporterSecrets_MatchRfc8448()
    {
        Tls13KeySchedule k = Rfc8448();
        k.DeriveMasterSecret();
        Assert.Equal(H("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"), k.MasterSecret);
        (byte[] c, byte[] s, byte[] exp) = k.ApplicationSecrets(H(ServerFinishedHash));
        Assert.Equal(H("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"), c);
        Assert.Equal(H("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"), s);
        Assert.Equal(H("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"), exp);
        (byte[] key, byte[] iv, _) = k.TrafficKeys(s, 16);
        Assert.Equal(H("9f02283b6c9c07efc26bb9f2ac92e356"), key);
        Assert.Equal(H("cf782b88dd83549aadf1e984"), iv);
    }

    [Fact]
    public void ClientFinished_MatchesRfc8448()
    {
        Tls13KeySchedule k = Rfc8448();
        (byte[] c, _) = k.HandshakeTrafficSecrets(H(HelloHash));

        // RFC 8448 §3: the client's Finished is over the transcript through the server's Finished.
        Assert.Equal(H("a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"), k.FinishedVerifyData(c, H(ServerFinishedHash)));
    }

    [Fact]
    public void DtlsPrefix_IsDtls13WithoutASpace_InTheHkdfLabel()
    {
        // RFC 9147 §5.9: HkdfLabel = length ‖ len ‖ "dtls13" ‖ label ‖ len ‖ context, built here by hand.
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[] label = Encoding.ASCII.GetBytes("dtls13key");
        byte[] info = [0x00, 0x10, (byte)label.Length, .. label, 0x00];
        byte[] expected = HKDF.Expand(HashAlgorithmName.SHA256, secret, 16, info);
        var k = new Tls13KeySchedule(HashAlgorithmName.SHA256, Tls13KeySchedule.DtlsPrefix);
        Assert.Equal(expected, k.ExpandLabel(secret, "key", default, 16));

        // And it differs from the TLS label of the same secret (key separation).
        var t = new Tls13KeySchedule(HashAlgorithmName.SHA256, Tls13KeySchedule.TlsPrefix);
        Assert.NotEqual(expected, t.ExpandLabel(secret, "key", default, 16));
    }

    [Fact]
    public void DtlsSnKey_AndExporter_FollowTheLabelsByConstruction()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var k = new Tls13KeySchedule(HashAlgorithmName.SHA256, Tls13KeySchedule.DtlsPrefix);
        (_, _, byte[] sn) = k.TrafficKeys(secret, 16);
        byte[] snInfo = [0x00, 0x10, 8, .. Encoding.ASCII.GetBytes("dtls13sn"), 0x00];
        Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA256, secret, 16, snInfo), sn);

        // RFC 8446 §7.5 with the RFC 5764 label and no context: Derive-Secret(ems, label, "") then "exporter" over Hash("").
        byte[] emptyHash = SHA256.HashData([]);
        byte[] l1 = Encoding.ASCII.GetBytes("dtls13EXTRACTOR-dtls_srtp");
        byte[] inner = HKDF.Expand(HashAlgorithmName.SHA256, secret, 32, [0x00, 0x20, (byte)l1.Length, .. l1, 32, .. emptyHash]);
        byte[] l2 = Encoding.ASCII.GetBytes("dtls13exporter");
        byte[] expected = HKDF.Expand(HashAlgorithmName.SHA256, inner, 60, [0x00, 60, (byte)l2.Length, .. l2, 32, .. emptyHash]);
        Assert.Equal(expected, k.Export(secret, "EXTRACTOR-dtls_srtp", default, 60));
    }

    [Fact]
    public void KeyUpdate_UsesTrafficUpd()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(48);
        var k = new Tls13KeySchedule(HashAlgorithmName.SHA384, Tls13KeySchedule.DtlsPrefix);
        byte[] l = Encoding.ASCII.GetBytes("dtls13traffic upd");
        Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA384, secret, 48, [0x00, 48, (byte)l.Length, .. l, 0x00]), k.NextTrafficSecret(secret));
    }
}
