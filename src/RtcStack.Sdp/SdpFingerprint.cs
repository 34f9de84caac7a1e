using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// "a=fingerprint:&lt;hash function&gt; &lt;fingerprint&gt;" (RFC 8122 §5): the hash of the DTLS
/// certificate as upper-case hex pairs separated by ':' (RFC 8122 §5 UHEX; lower case is accepted
/// on input). Allowed at session or media level; a media-level fingerprint overrides.
/// </summary>
/// <param name="HashFunction">The hash function name from the IANA registry, e.g. "sha-256" (compared case-insensitively).</param>
/// <param name="Value">The fingerprint text, e.g. "1C:63:...".</param>
public sealed record SdpFingerprint(string HashFunction, string Value)
{
    /// <summary>Parses a fingerprint attribute value.</summary>
    /// <param name="value">The text after "a=fingerprint:".</param>
    /// <param name="fingerprint">The fingerprint.</param>
    /// <returns>Whether the value matched RFC 8122 §5 (a hash token, a space, hex pairs separated by ':').</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpFingerprint? fingerprint)
    {
        fingerprint = null;
        if (!SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> hash, out ReadOnlySpan<char> hex)
            || !SdpGrammar.IsToken(hash) || !IsHexPairs(hex))
        {
            return false;
        }

        fingerprint = new SdpFingerprint(hash.ToString(), hex.ToString());
        return true;
    }

    /// <summary>Builds a fingerprint from the hash bytes, written as upper-case hex pairs (RFC 8122 §5).</summary>
    /// <param name="hashFunction">The hash function name, e.g. "sha-256".</param>
    /// <param name="hash">The certificate hash.</param>
    /// <returns>The fingerprint.</returns>
    public static SdpFingerprint FromHash(string hashFunction, ReadOnlySpan<byte> hash)
    {
        SdpGrammar.RequireToken(hashFunction, nameof(hashFunction));
        if (hash.IsEmpty)
        {
            throw new ArgumentException("the hash is empty", nameof(hash));
        }

        var sb = new StringBuilder(hash.Length * 3);
        for (int i = 0; i < hash.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(':');
            }

            sb.Append(hash[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return new SdpFingerprint(hashFunction, sb.ToString());
    }

    /// <summary>Returns the hash bytes.</summary>
    /// <returns>The bytes of the fingerprint.</returns>
    /// <exception cref="FormatException">The value is not hex pairs (only possible for a hand-built instance).</exception>
    public byte[] GetHashBytes()
    {
        if (!IsHexPairs(Value))
        {
            throw new FormatException("the fingerprint is not hex pairs separated by ':'");
        }

        byte[] bytes = new byte[(Value.Length + 1) / 3];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(Value.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        return bytes;
    }

    /// <summary>Returns whether two fingerprints name the same hash function and bytes (hex case and hash-name case ignored).</summary>
    /// <param name="other">The other fingerprint.</param>
    /// <returns>Whether they match.</returns>
    public bool Matches(SdpFingerprint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(HashFunction, other.HashFunction, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Returns the "a=fingerprint:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Fingerprint, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=fingerprint:".</returns>
    public override string ToString() => HashFunction + " " + Value;

    private static bool IsHexPairs(ReadOnlySpan<char> hex)
    {
        if (hex.Length < 2 || (hex.Length + 1) % 3 != 0)
        {
            return false;
        }

        for (int i = 0; i < hex.Length; i++)
        {
            bool ok = i % 3 == 2 ? hex[i] == ':' : char.IsAsciiHexDigit(hex[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
