using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace RtcStack.Crypto;

/// <summary>
/// AES in counter mode with a 32-bit big-endian block counter in the last four bytes of the
/// counter block. That covers SRTP's AES-CM (RFC 3711 §4.1.1, whose 16-bit block counter never
/// carries for packets under 1 MiB) and GCM's inc32 (NIST SP 800-38D §6.2). Uses AES-NI when the
/// CPU has it; otherwise System.Security.Cryptography.Aes in ECB mode produces the keystream.
/// </summary>
internal sealed class AesCtr : IDisposable
{
    private const int PortableChunk = 512;
    private readonly RoundKeys _roundKeys;
    private readonly int _rounds;
    private readonly System.Security.Cryptography.Aes? _portable;

    public AesCtr(ReadOnlySpan<byte> key, bool allowIntrinsics = true)
    {
        _rounds = AesKeySchedule.Rounds(key.Length);
        UsesIntrinsics = allowIntrinsics && X86Aes.IsSupported;
        if (UsesIntrinsics)
        {
            Span<byte> expanded = stackalloc byte[15 * 16];
            AesKeySchedule.Expand(key, expanded);
            for (int r = 0; r <= _rounds; r++)
            {
                _roundKeys[r] = Vector128.Create((ReadOnlySpan<byte>)expanded.Slice(r * 16, 16));
            }

            expanded.Clear();
        }
        else
        {
            _portable = System.Security.Cryptography.Aes.Create();
            _portable.Key = key.ToArray();
        }
    }

    /// <summary>Gets a value indicating whether this instance runs on AES-NI.</summary>
    public bool UsesIntrinsics { get; }

    /// <summary>Encrypts one 16-byte block (used for derived keys, GCM's H and tag mask).</summary>
    public void EncryptBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (UsesIntrinsics)
        {
            Vector128<byte> b = Vector128.Create(input[..16]);
            EncryptBlock(ref b);
            b.CopyTo(output);
        }
        else
        {
            _portable!.EncryptEcb(input[..16], output[..16], System.Security.Cryptography.PaddingMode.None);
        }
    }

    /// <summary>XORs <paramref name="data"/> in place with the keystream starting at counter block <paramref name="counter"/>.</summary>
    public void Transform(ReadOnlySpan<byte> counter, Span<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (UsesIntrinsics)
        {
            TransformIntrinsics(counter, data);
        }
        else
        {
            TransformPortable(counter, data);
        }
    }

    public void Dispose() => _portable?.Dispose();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EncryptBlock(ref Vector128<byte> b)
    {
        ReadOnlySpan<Vector128<byte>> rk = _roundKeys;
        b ^= rk[0];
        for (int r = 1; r < _rounds; r++)
        {
            b = X86Aes.Encrypt(b, rk[r]);
        }

        b = X86Aes.EncryptLast(b, rk[_rounds]);
    }

    private void TransformIntrinsics(ReadOnlySpan<byte> counter, Span<byte> data)
    {
        ReadOnlySpan<Vector128<byte>> rk = _roundKeys;
        int rounds = _rounds;
        Vector128<uint> baseBlock = Vector128.Create(counter[..16]).AsUInt32();
        uint ctr = BinaryPrimitives.ReadUInt32BigEndian(counter.Slice(12, 4));
        ref byte d = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int offset = 0;
        Vector128<byte> k0 = rk[0];
        Vector128<byte> kLast = rk[rounds];

        while (length - offset >= 64)
        {
            Vector128<byte> b0 = Vector128.WithElement(baseBlock, 3, BinaryPrimitives.ReverseEndianness(ctr)).AsByte() ^ k0;
            Vector128<byte> b1 = Vector128.WithElement(baseBlock, 3, BinaryPrimitives.ReverseEndianness(ctr + 1)).AsByte() ^ k0;
            Vector128<byte> b2 = Vector128.WithElement(baseBlock, 3, BinaryPrimitives.ReverseEndianness(ctr + 2)).AsByte() ^ k0;
            Vector128<byte> b3 = Vector128.WithElement(baseBlock, 3, BinaryPrimitives.ReverseEndianness(ctr + 3)).AsByte() ^ k0;
            ctr += 4;
            for (int r = 1; r < rounds; r++)
            {
                Vector128<byte> k = rk[r];
                b0 = X86Aes.Encrypt(b0, k);
                b1 = X86Aes.Encrypt(b1, k);
                b2 = X86Aes.Encrypt(b2, k);
                b3 = X86Aes.Encrypt(b3, k);
            }

            b0 = X86Aes.EncryptLast(b0, kLast);
            b1 = X86Aes.EncryptLast(b1, kLast);
            b2 = X86Aes.EncryptLast(b2, kLast);
            b3 = X86Aes.EncryptLast(b3, kLast);
            ref byte p = ref Unsafe.Add(ref d, offset);
            (Vector128.LoadUnsafe(ref p) ^ b0).StoreUnsafe(ref p);
            (Vector128.LoadUnsafe(ref p, (nuint)16) ^ b1).StoreUnsafe(ref p, (nuint)16);
            (Vector128.LoadUnsafe(ref p, (nuint)32) ^ b2).StoreUnsafe(ref p, (nuint)32);
            (Vector128.LoadUnsafe(ref p, (nuint)48) ^ b3).StoreUnsafe(ref p, (nuint)48);
            offset += 64;
        }

        while (offset < length)
        {
            Vector128<byte> b = Vector128.WithElement(baseBlock, 3, BinaryPrimitives.ReverseEndianness(ctr)).AsByte() ^ k0;
            ctr++;
            for (int r = 1; r < rounds; r++)
            {
                b = X86Aes.Encrypt(b, rk[r]);
            }

            b = X86Aes.EncryptLast(b, kLast);
            int n = length - offset;
            if (n >= 16)
            {
                ref byte p = ref Unsafe.Add(ref d, offset);
                (Vector128.LoadUnsafe(ref p) ^ b).StoreUnsafe(ref p);
                offset += 16;
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    Unsafe.Add(ref d, offset + i) ^= b.GetElement(i);
                }

                offset = length;
            }
        }
    }

    private void TransformPortable(ReadOnlySpan<byte> counter, Span<byte> data)
    {
        Span<byte> blocks = stackalloc byte[PortableChunk];
        Span<byte> stream = stackalloc byte[PortableChunk];
        uint ctr = BinaryPrimitives.ReadUInt32BigEndian(counter.Slice(12, 4));
        int offset = 0;
        while (offset < data.Length)
        {
            int n = Math.Min(PortableChunk, data.Length - offset);
            int nBlocks = (n + 15) / 16;
            for (int i = 0; i < nBlocks; i++)
            {
                Span<byte> blk = blocks.Slice(i * 16, 16);
                counter[..12].CopyTo(blk);
                BinaryPrimitives.WriteUInt32BigEndian(blk[12..], ctr++);
            }

            _portable!.EncryptEcb(blocks[..(nBlocks * 16)], stream, System.Security.Cryptography.PaddingMode.None);
            Span<byte> chunk = data.Slice(offset, n);
            for (int i = 0; i < n; i++)
            {
                chunk[i] ^= stream[i];
            }

            offset += n;
        }
    }

    [InlineArray(15)]
    private struct RoundKeys
    {
        private Vector128<byte> _element;
    }
}
