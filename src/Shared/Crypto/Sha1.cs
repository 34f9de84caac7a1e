using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RtcStack.Crypto;

/// <summary>
/// The SHA-1 compression function of FIPS 180-4 §6.1.2, exposed so HMAC can start from
/// precomputed inner and outer states (RFC 2104 §4). Tested with the FIPS 180 / RFC 3174 vectors
/// and differentially against System.Security.Cryptography.SHA1.
/// </summary>
internal static partial class Sha1
{
    public const int BlockSize = 64;
    public const int DigestSize = 20;

    /// <summary>The initial hash value H(0) of FIPS 180-4 §5.3.1.</summary>
    public static State Initial => new() { A = 0x67452301, B = 0xEFCDAB89, C = 0x98BADCFE, D = 0x10325476, E = 0xC3D2E1F0 };

    /// <summary>Runs the compression function over every whole 64-byte block of <paramref name="blocks"/>.</summary>
    public static unsafe void Compress(ref State state, ReadOnlySpan<byte> blocks)
    {
        int count = blocks.Length / BlockSize;
        if (count == 0)
        {
            return;
        }

        fixed (byte* p = blocks)
        {
            CompressBlocks(ref state, p, count);
        }
    }

    /// <summary>Hashes <paramref name="data"/> from <paramref name="state"/>, where <paramref name="prefixLength"/> bytes were already compressed into it, and writes the 20-byte digest.</summary>
    [SkipLocalsInit]
    public static void Finish(State state, long prefixLength, ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> digest)
    {
        int whole = data.Length & ~(BlockSize - 1);
        Compress(ref state, data[..whole]);
        long total = prefixLength + data.Length + suffix.Length;

        // Tail of data, the suffix (usually a few bytes: the SRTP ROC), 0x80, zeros, bit length.
        Span<byte> tail = stackalloc byte[BlockSize * 3];
        int rest = data.Length - whole;
        int used = rest + suffix.Length;
        int padded = ((used + 9 + BlockSize - 1) / BlockSize) * BlockSize;
        if (padded > tail.Length)
        {
            // A long suffix (STUN: the message after its 20-byte header): complete one block from the tail of data
            // and the suffix's start, then go on with the rest of the suffix as the data.
            int take = BlockSize - rest;
            data[whole..].CopyTo(tail);
            suffix[..take].CopyTo(tail[rest..]);
            Compress(ref state, tail[..BlockSize]);
            Finish(state, prefixLength + whole + BlockSize, suffix[take..], default, digest);
            return;
        }

        tail[..padded].Clear();
        data[whole..].CopyTo(tail);
        suffix.CopyTo(tail[rest..]);
        tail[used] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(padded - 8, 8), (ulong)total * 8);
        Compress(ref state, tail[..padded]);
        state.WriteDigest(digest);
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
