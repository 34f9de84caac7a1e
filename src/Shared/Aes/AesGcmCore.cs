using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace RtcStack.Crypto;

/// <summary>
/// AES-GCM (NIST SP 800-38D) with a 12-byte IV and a 16-byte tag, as RFC 7714 §7 uses it. The
/// associated data may come in two pieces (SRTCP authenticates its header and its trailing
/// E‖index word, RFC 7714 §9.2). With AES-NI and PCLMULQDQ it runs on <see cref="AesCtr"/> and
/// <see cref="GHash"/>; otherwise on System.Security.Cryptography.AesGcm. Open verifies the tag
/// before it writes anything.
/// </summary>
internal sealed class AesGcmCore : IDisposable
{
    public const int TagLength = 16;
    private readonly AesCtr? _ctr;
    private readonly GHash? _ghash;
    private readonly AesGcm? _portable;

    public AesGcmCore(ReadOnlySpan<byte> key, bool allowIntrinsics = true)
    {
        if (allowIntrinsics && GHash.IsSupported && System.Runtime.Intrinsics.X86.Aes.IsSupported)
        {
            _ctr = new AesCtr(key, allowIntrinsics: true);
            Span<byte> h = stackalloc byte[16];
            h.Clear();
            _ctr.EncryptBlock(h, h);
            _ghash = new GHash(h);
        }
        else
        {
            _portable = new AesGcm(key, TagLength);
        }
    }

    /// <summary>Gets a value indicating whether this instance runs on AES-NI and PCLMULQDQ.</summary>
    public bool UsesIntrinsics => _ghash is not null;

    /// <summary>Encrypts <paramref name="data"/> in place and writes the tag.</summary>
    public void Seal(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2, Span<byte> data, Span<byte> tag)
    {
        if (_ghash is null)
        {
            SealPortable(iv, aad1, aad2, data, tag);
            return;
        }

        Span<byte> counter = stackalloc byte[16];
        iv[..12].CopyTo(counter);
        BinaryPrimitives.WriteUInt32BigEndian(counter[12..], 2);
        _ctr!.Transform(counter, data);
        ComputeTag(iv, aad1, aad2, data, tag);
    }

    /// <summary>Verifies the tag over the ciphertext and, only if it matches, decrypts <paramref name="data"/> in place.</summary>
    public bool Open(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2, Span<byte> data, ReadOnlySpan<byte> tag)
    {
        if (_ghash is null)
        {
            return OpenPortable(iv, aad1, aad2, data, tag);
        }

        Span<byte> expected = stackalloc byte[16];
        ComputeTag(iv, aad1, aad2, data, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag[..TagLength]))
        {
            return false;
        }

        Span<byte> counter = stackalloc byte[16];
        iv[..12].CopyTo(counter);
        BinaryPrimitives.WriteUInt32BigEndian(counter[12..], 2);
        _ctr!.Transform(counter, data);
        return true;
    }

    public void Dispose()
    {
        _ctr?.Dispose();
        _portable?.Dispose();
    }

    private void ComputeTag(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        GHash g = _ghash!;
        Vector128<ulong> y = Vector128<ulong>.Zero;
        if (aad2.IsEmpty)
        {
            y = g.Update(y, aad1);
        }
        else
        {
            // aad1 ‖ aad2 as one string: whole blocks of aad1 directly, the rest through a buffer.
            int whole = aad1.Length & ~15;
            y = g.Update(y, aad1[..whole]);
            int rest = aad1.Length - whole + aad2.Length;
            Span<byte> tail = stackalloc byte[32];
            if (rest <= tail.Length)
            {
                aad1[whole..].CopyTo(tail);
                aad2.CopyTo(tail[(aad1.Length - whole)..]);
                y = g.Update(y, tail[..rest]);
            }
            else
            {
                byte[] rented = ArrayPool<byte>.Shared.Rent(rest);
                aad1[whole..].CopyTo(rented);
                aad2.CopyTo(rented.AsSpan(aad1.Length - whole));
                y = g.Update(y, rented.AsSpan(0, rest));
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        y = g.Update(y, ciphertext);
        Span<byte> lengths = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(lengths, (ulong)(aad1.Length + aad2.Length) * 8);
        BinaryPrimitives.WriteUInt64BigEndian(lengths[8..], (ulong)ciphertext.Length * 8);
        y = g.UpdateBlock(y, GHash.Load(lengths));

        Span<byte> j0 = stackalloc byte[16];
        iv[..12].CopyTo(j0);
        BinaryPrimitives.WriteUInt32BigEndian(j0[12..], 1);
        _ctr!.EncryptBlock(j0, j0);
        GHash.Store(y, tag);
        for (int i = 0; i < TagLength; i++)
        {
            tag[i] ^= j0[i];
        }
    }

    private void SealPortable(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2, Span<byte> data, Span<byte> tag)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> aad = aad2.IsEmpty ? aad1 : Join(aad1, aad2, out rented);
        _portable!.Encrypt(iv[..12], data, data, tag[..TagLength], aad);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool OpenPortable(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2, Span<byte> data, ReadOnlySpan<byte> tag)
    {
        // AesGcm clears its output when the tag fails: decrypt into a scratch buffer so a forged
        // packet leaves the caller's bytes as they were.
        byte[]? rentedAad = null;
        ReadOnlySpan<byte> aad = aad2.IsEmpty ? aad1 : Join(aad1, aad2, out rentedAad);
        byte[] plain = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        bool ok;
        try
        {
            _portable!.Decrypt(iv[..12], data, tag[..TagLength], plain.AsSpan(0, data.Length), aad);
            ok = true;
        }
        catch (AuthenticationTagMismatchException)
        {
            ok = false;
        }

        if (ok)
        {
            plain.AsSpan(0, data.Length).CopyTo(data);
        }

        ArrayPool<byte>.Shared.Return(plain, clearArray: true);
        if (rentedAad is not null)
        {
            ArrayPool<byte>.Shared.Return(rentedAad);
        }

        return ok;
    }

    private static ReadOnlySpan<byte> Join(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(a.Length + b.Length);
        a.CopyTo(rented);
        b.CopyTo(rented.AsSpan(a.Length));
        return rented.AsSpan(0, a.Length + b.Length);
    }
}
