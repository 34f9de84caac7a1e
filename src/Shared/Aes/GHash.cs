using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RtcStack.Crypto;

/// <summary>
/// GHASH (NIST SP 800-38D §6.4) with carry-less multiplication (PCLMULQDQ). Blocks are byte
/// reversed on load so the 128-bit lanes hold GCM's bit-reflected polynomials with x^0 in the top
/// bit; the 256-bit product is shifted left once to undo the reflection and reduced modulo
/// x^128 + x^7 + x^2 + x + 1. Four blocks are folded per reduction with H, H^2, H^3 and H^4.
/// Checked against the NIST/RFC 7714 vectors and against System.Security.Cryptography.AesGcm.
/// </summary>
internal sealed class GHash
{
    private static readonly Vector128<byte> s_reverse = Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    private readonly Vector128<ulong> _h1;
    private readonly Vector128<ulong> _h2;
    private readonly Vector128<ulong> _h3;
    private readonly Vector128<ulong> _h4;

    /// <summary>Creates the hash for subkey H = E(K, 0^128) given in GCM byte order.</summary>
    public GHash(ReadOnlySpan<byte> h)
    {
        _h1 = Reverse(Vector128.Create(h[..16])).AsUInt64();
        _h2 = Multiply(_h1, _h1);
        _h3 = Multiply(_h2, _h1);
        _h4 = Multiply(_h3, _h1);
    }

    /// <summary>Gets a value indicating whether the CPU can run this implementation.</summary>
    public static bool IsSupported => Pclmulqdq.IsSupported && Ssse3.IsSupported && Sse2.IsSupported;

    /// <summary>Loads a block in GCM byte order into the internal (byte reversed) representation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Load(ReadOnlySpan<byte> block) => Reverse(Vector128.Create(block[..16])).AsUInt64();

    /// <summary>Stores an accumulator back in GCM byte order.</summary>
    public static void Store(Vector128<ulong> y, Span<byte> destination) => Reverse(y.AsByte()).CopyTo(destination);

    /// <summary>Folds whole 16-byte blocks of <paramref name="data"/> into <paramref name="y"/>; a tail shorter than 16 bytes is zero padded.</summary>
    public Vector128<ulong> Update(Vector128<ulong> y, ReadOnlySpan<byte> data)
    {
        ref byte d = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int offset = 0;
        while (length - offset >= 64)
        {
            Vector128<ulong> x0 = Reverse(Vector128.LoadUnsafe(ref d, (nuint)offset)).AsUInt64() ^ y;
            Vector128<ulong> x1 = Reverse(Vector128.LoadUnsafe(ref d, (nuint)offset + 16)).AsUInt64();
            Vector128<ulong> x2 = Reverse(Vector128.LoadUnsafe(ref d, (nuint)offset + 32)).AsUInt64();
            Vector128<ulong> x3 = Reverse(Vector128.LoadUnsafe(ref d, (nuint)offset + 48)).AsUInt64();
            MultiplyFirst(x0, _h4, out Vector128<ulong> lo, out Vector128<ulong> mid, out Vector128<ulong> hi);
            MultiplyAccumulate(x1, _h3, ref lo, ref mid, ref hi);
            MultiplyAccumulate(x2, _h2, ref lo, ref mid, ref hi);
            MultiplyAccumulate(x3, _h1, ref lo, ref mid, ref hi);
            y = Reduce(lo, mid, hi);
            offset += 64;
        }

        while (length - offset >= 16)
        {
            Vector128<ulong> x = Reverse(Vector128.LoadUnsafe(ref d, (nuint)offset)).AsUInt64() ^ y;
            y = Multiply(x, _h1);
            offset += 16;
        }

        if (offset < length)
        {
            Span<byte> last = stackalloc byte[16];
            last.Clear();
            data[offset..].CopyTo(last);
            y = Multiply(Load(last) ^ y, _h1);
        }

        return y;
    }

    /// <summary>Folds one block (already in internal representation) into <paramref name="y"/>.</summary>
    public Vector128<ulong> UpdateBlock(Vector128<ulong> y, Vector128<ulong> block) => Multiply(y ^ block, _h1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Reverse(Vector128<byte> v) => Ssse3.Shuffle(v, s_reverse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        MultiplyFirst(a, b, out Vector128<ulong> lo, out Vector128<ulong> mid, out Vector128<ulong> hi);
        return Reduce(lo, mid, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyFirst(Vector128<ulong> a, Vector128<ulong> b, out Vector128<ulong> lo, out Vector128<ulong> mid, out Vector128<ulong> hi)
    {
        lo = Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        hi = Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        mid = Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAccumulate(Vector128<ulong> a, Vector128<ulong> b, ref Vector128<ulong> lo, ref Vector128<ulong> mid, ref Vector128<ulong> hi)
    {
        lo ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        hi ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        mid ^= Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
    }

    // Folds the middle product into the 256-bit value hi:lo, shifts it left by one bit (the
    // product of two reflected 128-bit values is one bit short of reflected) and reduces it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> lo, Vector128<ulong> mid, Vector128<ulong> hi)
    {
        lo ^= Sse2.ShiftLeftLogical128BitLane(mid.AsByte(), 8).AsUInt64();
        hi ^= Sse2.ShiftRightLogical128BitLane(mid.AsByte(), 8).AsUInt64();

        Vector128<uint> l = lo.AsUInt32();
        Vector128<uint> h = hi.AsUInt32();
        Vector128<uint> lCarry = Sse2.ShiftRightLogical(l, 31);
        Vector128<uint> hCarry = Sse2.ShiftRightLogical(h, 31);
        l = Sse2.ShiftLeftLogical(l, 1);
        h = Sse2.ShiftLeftLogical(h, 1);
        Vector128<uint> crossing = Sse2.ShiftRightLogical128BitLane(lCarry.AsByte(), 12).AsUInt32();
        hCarry = Sse2.ShiftLeftLogical128BitLane(hCarry.AsByte(), 4).AsUInt32();
        lCarry = Sse2.ShiftLeftLogical128BitLane(lCarry.AsByte(), 4).AsUInt32();
        l |= lCarry;
        h |= hCarry | crossing;

        // Reduction of the low half, in two phases (shifts by 31, 30, 25 then by 1, 2, 7).
        Vector128<uint> a = Sse2.ShiftLeftLogical(l, 31) ^ Sse2.ShiftLeftLogical(l, 30) ^ Sse2.ShiftLeftLogical(l, 25);
        Vector128<uint> aHigh = Sse2.ShiftRightLogical128BitLane(a.AsByte(), 4).AsUInt32();
        a = Sse2.ShiftLeftLogical128BitLane(a.AsByte(), 12).AsUInt32();
        l ^= a;
        Vector128<uint> b = Sse2.ShiftRightLogical(l, 1) ^ Sse2.ShiftRightLogical(l, 2) ^ Sse2.ShiftRightLogical(l, 7) ^ aHigh;
        l ^= b;
        return (h ^ l).AsUInt64();
    }
}
