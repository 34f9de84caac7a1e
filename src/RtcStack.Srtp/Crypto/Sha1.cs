using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RtcStack.Srtp.Crypto;

/// <summary>
/// The SHA-1 compression function of FIPS 180-4 §6.1.2, exposed so HMAC can start from
/// precomputed inner and outer states (RFC 2104 §4). Tested with the FIPS 180 / RFC 3174 vectors
/// and differentially against System.Security.Cryptography.SHA1.
/// </summary>
internal static class Sha1
{
    public const int BlockSize = 64;
    public const int DigestSize = 20;

    /// <summary>The initial hash value H(0) of FIPS 180-4 §5.3.1.</summary>
    public static State Initial => new() { A = 0x67452301, B = 0xEFCDAB89, C = 0x98BADCFE, D = 0x10325476, E = 0xC3D2E1F0 };

    /// <summary>Runs the compression function over every whole 64-byte block of <paramref name="blocks"/>.</summary>
    public static void Compress(ref State state, ReadOnlySpan<byte> blocks)
    {
        Span<uint> w = stackalloc uint[16];
        ref byte src = ref MemoryMarshal.GetReference(blocks);
        int count = blocks.Length / BlockSize;
        uint h0 = state.A, h1 = state.B, h2 = state.C, h3 = state.D, h4 = state.E;
        for (int blk = 0; blk < count; blk++)
        {
            ref byte p = ref Unsafe.Add(ref src, blk * BlockSize);
            for (int i = 0; i < 16; i++)
            {
                w[i] = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i * 4)));
            }

            uint a = h0, b = h1, c = h2, d = h3, e = h4;

            // Rounds 0-15 use the message words directly; from 16 on, W[t] is computed in a
            // 16-word circular buffer (FIPS 180-4 §6.1.3).
            for (int t = 0; t < 16; t++)
            {
                uint f = d ^ (b & (c ^ d));
                uint tmp = BitOperations.RotateLeft(a, 5) + f + e + 0x5A827999 + w[t];
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = tmp;
            }

            for (int t = 16; t < 20; t++)
            {
                uint x = Schedule(w, t);
                uint f = d ^ (b & (c ^ d));
                uint tmp = BitOperations.RotateLeft(a, 5) + f + e + 0x5A827999 + x;
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = tmp;
            }

            for (int t = 20; t < 40; t++)
            {
                uint x = Schedule(w, t);
                uint tmp = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0x6ED9EBA1 + x;
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = tmp;
            }

            for (int t = 40; t < 60; t++)
            {
                uint x = Schedule(w, t);
                uint f = (b & c) | (d & (b | c));
                uint tmp = BitOperations.RotateLeft(a, 5) + f + e + 0x8F1BBCDC + x;
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = tmp;
            }

            for (int t = 60; t < 80; t++)
            {
                uint x = Schedule(w, t);
                uint tmp = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0xCA62C1D6 + x;
                e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = tmp;
            }

            h0 += a; h1 += b; h2 += c; h3 += d; h4 += e;
        }

        state.A = h0; state.B = h1; state.C = h2; state.D = h3; state.E = h4;
    }

    /// <summary>Hashes <paramref name="data"/> from <paramref name="state"/>, where <paramref name="prefixLength"/> bytes were already compressed into it, and writes the 20-byte digest.</summary>
    public static void Finish(State state, long prefixLength, ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> digest)
    {
        int whole = data.Length & ~(BlockSize - 1);
        Compress(ref state, data[..whole]);
        long total = prefixLength + data.Length + suffix.Length;

        // Tail of data, the suffix (at most a few bytes: the SRTP ROC), 0x80, zeros, bit length.
        Span<byte> tail = stackalloc byte[BlockSize * 3];
        int rest = data.Length - whole;
        int used = rest + suffix.Length;
        int padded = ((used + 9 + BlockSize - 1) / BlockSize) * BlockSize;
        if (padded > tail.Length)
        {
            // A suffix longer than two blocks: hash its whole blocks through the general path.
            throw new ArgumentException("suffix too long", nameof(suffix));
        }

        tail[..padded].Clear();
        data[whole..].CopyTo(tail);
        suffix.CopyTo(tail[rest..]);
        tail[used] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(padded - 8, 8), (ulong)total * 8);
        Compress(ref state, tail[..padded]);
        state.WriteDigest(digest);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Schedule(Span<uint> w, int t)
    {
        uint x = BitOperations.RotateLeft(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
        w[t & 15] = x;
        return x;
    }

    /// <summary>The five 32-bit chaining words.</summary>
    internal struct State
    {
        public uint A;
        public uint B;
        public uint C;
        public uint D;
        public uint E;

        public readonly void WriteDigest(Span<byte> digest)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest, A);
            BinaryPrimitives.WriteUInt32BigEndian(digest[4..], B);
            BinaryPrimitives.WriteUInt32BigEndian(digest[8..], C);
            BinaryPrimitives.WriteUInt32BigEndian(digest[12..], D);
            BinaryPrimitives.WriteUInt32BigEndian(digest[16..], E);
        }
    }
}
