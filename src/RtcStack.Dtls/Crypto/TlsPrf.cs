using System.Security.Cryptography;
using System.Text;

namespace RtcStack.Dtls.Crypto;

/// <summary>RFC 5246 §5: PRF(secret, label, seed) = P_hash(secret, label ‖ seed), with the suite's hash (SHA-256 or SHA-384).</summary>
internal static class TlsPrf
{
    public static void Compute(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed1, ReadOnlySpan<byte> seed2, Span<byte> output)
    {
        int labelLen = Encoding.ASCII.GetByteCount(label);
        byte[] seed = new byte[labelLen + seed1.Length + seed2.Length];
        Encoding.ASCII.GetBytes(label, seed);
        seed1.CopyTo(seed.AsSpan(labelLen));
        seed2.CopyTo(seed.AsSpan(labelLen + seed1.Length));
        PHash(hash, secret, seed, output);
    }

    /// <summary>RFC 5246 §5 P_hash: A(0) = seed, A(i) = HMAC(secret, A(i-1)); output = HMAC(secret, A(1) ‖ seed) ‖ HMAC(secret, A(2) ‖ seed) ‖ ...</summary>
    private static void PHash(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        using var hmac = IncrementalHash.CreateHMAC(hash, secret);
        int hashLen = hmac.HashLengthInBytes;
        Span<byte> a = stackalloc byte[hashLen];
        Span<byte> block = stackalloc byte[hashLen];
        hmac.AppendData(seed);
        hmac.GetHashAndReset(a);
        int written = 0;
        while (written < output.Length)
        {
            hmac.AppendData(a);
            hmac.AppendData(seed);
            hmac.GetHashAndReset(block);
            int n = Math.Min(hashLen, output.Length - written);
            block[..n].CopyTo(output[written..]);
            written += n;
            hmac.AppendData(a);
            hmac.GetHashAndReset(a);
        }
    }
}
