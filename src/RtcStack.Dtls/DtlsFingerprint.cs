using System.Security.Cryptography;
using System.Text;

namespace RtcStack.Dtls;

/// <summary>
/// A certificate fingerprint as carried in SDP (RFC 8122 §5): <c>a=fingerprint:sha-256 AB:CD:...</c>.
/// The hash is taken over the DER encoding of the certificate.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    private readonly byte[] _value;

    /// <summary>Creates a fingerprint from a hash function name (RFC 8122 §5 "hash-func") and its value.</summary>
    public DtlsFingerprint(string algorithm, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        string alg = algorithm.ToLowerInvariant();
        if (HashLength(alg) is not int len)
        {
            throw new ArgumentException($"unsupported fingerprint hash '{algorithm}'", nameof(algorithm));
        }

        if (value.Length != len)
        {
            throw new ArgumentException($"a {alg} fingerprint has {len} bytes, not {value.Length}", nameof(value));
        }

        Algorithm = alg;
        _value = value.ToArray();
    }

    /// <summary>Gets the lower-case hash function name: "sha-1", "sha-224", "sha-256", "sha-384" or "sha-512".</summary>
    public string Algorithm { get; }

    /// <summary>Gets the hash value.</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>Computes the <paramref name="algorithm"/> fingerprint of a DER-encoded certificate.</summary>
    public static DtlsFingerprint Compute(ReadOnlySpan<byte> certificateDer, string algorithm = "sha-256")
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        string alg = algorithm.ToLowerInvariant();
        Span<byte> hash = stackalloc byte[64];
        int n = alg switch
        {
            "sha-1" => SHA1.HashData(certificateDer, hash),
            "sha-256" => SHA256.HashData(certificateDer, hash),
            "sha-384" => SHA384.HashData(certificateDer, hash),
            "sha-512" => SHA512.HashData(certificateDer, hash),
            _ => throw new ArgumentException($"unsupported fingerprint hash '{algorithm}'", nameof(algorithm)),
        };
        return new DtlsFingerprint(alg, hash[..n]);
    }

    /// <summary>
    /// Parses the value of an <c>a=fingerprint</c> attribute ("sha-256 AB:CD:..."; RFC 8122 §5).
    /// Hex digits may be upper or lower case. Returns false on anything malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        text = text.Trim();
        int space = text.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            return false;
        }

        string alg = text[..space].ToString().ToLowerInvariant();
        if (HashLength(alg) is not int len)
        {
            return false;
        }

        ReadOnlySpan<char> hex = text[(space + 1)..].Trim();
        if (hex.Length != (len * 3) - 1)
        {
            return false;
        }

        var value = new byte[len];
        for (int i = 0; i < len; i++)
        {
            int p = i * 3;
            if (i > 0 && hex[p - 1] != ':')
            {
                return false;
            }

            int hi = HexValue(hex[p]);
            int lo = HexValue(hex[p + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            value[i] = (byte)((hi << 4) | lo);
        }

        fingerprint = new DtlsFingerprint(alg, value);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/> and throws <see cref="FormatException"/> on failure.</summary>
    public static DtlsFingerprint Parse(string text) =>
        TryParse(text, out DtlsFingerprint? f) ? f! : throw new FormatException($"not an RFC 8122 fingerprint: '{text}'");

    /// <summary>Gets a value indicating whether this fingerprint matches the DER certificate (constant-time compare).</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        DtlsFingerprint actual = Compute(certificateDer, Algorithm);
        return CryptographicOperations.FixedTimeEquals(actual._value, _value);
    }

    /// <summary>Formats as the SDP attribute value: "sha-256 AB:CD:..." (upper-case hex, RFC 8122 §5).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Algorithm.Length + 1 + (_value.Length * 3));
        sb.Append(Algorithm).Append(' ');
        for (int i = 0; i < _value.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(':');
            }

            sb.Append(Convert.ToHexString(_value, i, 1));
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(DtlsFingerprint? other) =>
        other is not null && other.Algorithm == Algorithm && other._value.AsSpan().SequenceEqual(_value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Algorithm);
        h.AddBytes(_value);
        return h.ToHashCode();
    }

    private static int? HashLength(string alg) => alg switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => null,
    };

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
