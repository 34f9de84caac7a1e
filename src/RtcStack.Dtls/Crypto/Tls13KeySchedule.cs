using System.Security.Cryptography;
using System.Text;

namespace RtcStack.Dtls.Crypto;

/// <summary>
/// RFC 8446 §7.1 key schedule: HKDF-Extract/Expand (RFC 5869) with HKDF-Expand-Label and
/// Derive-Secret. DTLS 1.3 uses the label prefix "dtls13" (no trailing space) where TLS 1.3 uses
/// "tls13 " (RFC 9147 §5.9); the prefix is a constructor argument so the same code is checked
/// against the RFC 8448 TLS 1.3 traces.
/// </summary>
internal sealed class Tls13KeySchedule
{
    /// <summary>The DTLS 1.3 HKDF-Expand-Label prefix (RFC 9147 §5.9).</summary>
    public const string DtlsPrefix = "dtls13";

    /// <summary>The TLS 1.3 HKDF-Expand-Label prefix (RFC 8446 §7.1).</summary>
    public const string TlsPrefix = "tls13 ";

    private readonly string _prefix;
    private byte[] _secret;

    public Tls13KeySchedule(HashAlgorithmName hash, string prefix)
    {
        Hash = hash;
        _prefix = prefix;
        HashLength = HashLengthOf(hash);

        // RFC 8446 §7.1: Early Secret = HKDF-Extract(salt 0, IKM = PSK or Hash.length zeros).
        _secret = HKDF.Extract(hash, new byte[HashLength], new byte[HashLength]);
        EarlySecret = _secret;
    }

    public HashAlgorithmName Hash { get; }

    public int HashLength { get; }

    public byte[] EarlySecret { get; }

    public byte[]? HandshakeSecret { get; private set; }

    public byte[]? MasterSecret { get; private set; }

    public static int HashLengthOf(HashAlgorithmName hash) => hash == HashAlgorithmName.SHA384 ? 48 : 32;

    public static byte[] HashData(HashAlgorithmName hash, ReadOnlySpan<byte> data) =>
        hash == HashAlgorithmName.SHA384 ? SHA384.HashData(data) : SHA256.HashData(data);

    /// <summary>
    /// RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret,
    /// HkdfLabel, Length) with HkdfLabel = uint16 length ‖ opaque label&lt;7..255&gt; = prefix ‖ Label ‖
    /// opaque context&lt;0..255&gt;.
    /// </summary>
    public static void ExpandLabel(HashAlgorithmName hash, string prefix, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, Span<byte> output)
    {
        int labelLength = Encoding.ASCII.GetByteCount(prefix) + Encoding.ASCII.GetByteCount(label);
        Span<byte> info = stackalloc byte[2 + 1 + labelLength + 1 + context.Length];
        info[0] = (byte)(output.Length >> 8);
        info[1] = (byte)output.Length;
        info[2] = (byte)labelLength;
        int n = 3 + Encoding.ASCII.GetBytes(prefix, info[3..]);
        n += Encoding.ASCII.GetBytes(label, info[n..]);
        info[n++] = (byte)context.Length;
        context.CopyTo(info[n..]);
        HKDF.Expand(hash, secret, output, info);
    }

    public byte[] ExpandLabel(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        var output = new byte[length];
        ExpandLabel(Hash, _prefix, secret, label, context, output);
        return output;
    }

    /// <summary>RFC 8446 §7.1 Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length); the caller passes the hash.</summary>
    public byte[] DeriveSecret(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> transcriptHash) =>
        ExpandLabel(secret, label, transcriptHash, HashLength);

    /// <summary>Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE).</summary>
    public void SetSharedSecret(ReadOnlySpan<byte> sharedSecret)
    {
        byte[] derived = DeriveSecret(_secret, "derived", HashData(Hash, default));
        _secret = HKDF.Extract(Hash, sharedSecret.ToArray(), derived);
        HandshakeSecret = _secret;
    }

    /// <summary>Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0).</summary>
    public void DeriveMasterSecret()
    {
        byte[] derived = DeriveSecret(_secret, "derived", HashData(Hash, default));
        _secret = HKDF.Extract(Hash, new byte[HashLength], derived);
        MasterSecret = _secret;
    }

    /// <summary>client/server_handshake_traffic_secret over ClientHello…ServerHello.</summary>
    public (byte[] Client, byte[] Server) HandshakeTrafficSecrets(ReadOnlySpan<byte> helloHash) =>
        (DeriveSecret(HandshakeSecret!, "c hs traffic", helloHash), DeriveSecret(HandshakeSecret!, "s hs traffic", helloHash));

    /// <summary>client/server_application_traffic_secret_0 and exporter_master_secret over ClientHello…server Finished.</summary>
    public (byte[] Client, byte[] Server, byte[] Exporter) ApplicationSecrets(ReadOnlySpan<byte> serverFinishedHash) =>
        (DeriveSecret(MasterSecret!, "c ap traffic", serverFinishedHash),
         DeriveSecret(MasterSecret!, "s ap traffic", serverFinishedHash),
         DeriveSecret(MasterSecret!, "exp master", serverFinishedHash));

    /// <summary>RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash), finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length).</summary>
    public byte[] FinishedVerifyData(ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> transcriptHash)
    {
        byte[] finishedKey = ExpandLabel(baseKey, "finished", default, HashLength);
        byte[] mac = Hash == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(finishedKey, transcriptHash) : HMACSHA256.HashData(finishedKey, transcriptHash);
        CryptographicOperations.ZeroMemory(finishedKey);
        return mac;
    }

    /// <summary>RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length).</summary>
    public byte[] NextTrafficSecret(ReadOnlySpan<byte> secret) => ExpandLabel(secret, "traffic upd", default, HashLength);

    /// <summary>
    /// RFC 8446 §7.5 TLS-Exporter(label, context, length) = HKDF-Expand-Label(Derive-Secret(
    /// exporter_master_secret, label, ""), "exporter", Hash(context), length); "no context" and an
    /// empty context are the same.
    /// </summary>
    public byte[] Export(ReadOnlySpan<byte> exporterMasterSecret, string label, ReadOnlySpan<byte> context, int length)
    {
        byte[] secret = DeriveSecret(exporterMasterSecret, label, HashData(Hash, default));
        byte[] output = ExpandLabel(secret, "exporter", HashData(Hash, context), length);
        CryptographicOperations.ZeroMemory(secret);
        return output;
    }

    /// <summary>RFC 8446 §7.3 / RFC 9147 §4.2.3: the write key, IV and record-number key of one traffic secret.</summary>
    public (byte[] Key, byte[] Iv, byte[] SnKey) TrafficKeys(ReadOnlySpan<byte> trafficSecret, int keyLength) =>
        (ExpandLabel(trafficSecret, "key", default, keyLength), ExpandLabel(trafficSecret, "iv", default, 12), ExpandLabel(trafficSecret, "sn", default, keyLength));
}
