using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using RtcStack.Crypto;

namespace RtcStack.Stun;

/// <summary>HMAC and CRC helpers shared by the reader and the writer (RFC 8489 §14.5-§14.7).</summary>
internal static class StunIntegrity
{
    public const int Sha1Length = 20;
    public const int Sha256Length = 32;
    public const uint FingerprintXor = 0x5354554E;

    private const int StackLimit = 1024;

    public enum Algorithm
    {
        Sha1,
        Sha256,
    }

    /// <summary>
    /// HMAC over <paramref name="prefix"/> (header + attributes before the integrity attribute)
    /// with the header's length field replaced by <paramref name="lengthField"/>. The prefix is
    /// copied (to the stack for ordinary sizes) because the length field must change.
    /// </summary>
    public static void ComputeHmac(Algorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, int lengthField, Span<byte> mac)
    {
        if (algorithm == Algorithm.Sha1)
        {
            // Our HMAC takes the message in two parts, so only the 20-byte header is copied to patch its length.
            Span<byte> header = stackalloc byte[StunMessageReader.HeaderLength];
            prefix[..StunMessageReader.HeaderLength].CopyTo(header);
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)lengthField);
            HmacSha1.ComputeOnce(key, header, prefix[StunMessageReader.HeaderLength..], mac);
            return;
        }

        byte[]? rented = null;
        Span<byte> copy = prefix.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length));
        copy = copy[..prefix.Length];
        prefix.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)lengthField);
        HMACSHA256.HashData(key, copy, mac);

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>RFC 8489 §14.7: CRC-32 (ISO 3309 / ITU-T V.42) of the message before FINGERPRINT, XOR 0x5354554E.</summary>
    public static uint ComputeFingerprint(ReadOnlySpan<byte> prefix) => Crc32.HashToUInt32(prefix) ^ FingerprintXor;

    public static bool FixedTimeEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);
}
