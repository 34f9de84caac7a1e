using FsCheck;
using FsCheck.Fluent;

namespace RtcStack.TestSupport;

/// <summary>
/// Edge-biased, full-range FsCheck arbitraries for the integer types and for <c>byte[]</c>.
/// </summary>
/// <remarks>
/// FsCheck 3 sizes its default integer generators by the test size (about ±50 over a run of 100
/// cases) and keeps arrays at 50 elements or fewer, so a wire-format property on a <c>uint</c> never
/// sees a non-zero high byte and a payload never reaches an MTU. These generators instead mix three
/// choices for every value: the type's edges and the powers of two that protocol fields wrap at
/// (0, 1, max, min, max-1, 2^7, 2^8-1, 2^15, 2^16-1, 2^31, 2^32-1, ...: a quarter of the values),
/// small values (|v| ≤ 256: a sixth) and a uniform choice over the whole range (the rest). Byte
/// arrays are up to <see cref="MaxByteArrayLength"/> long, past an Ethernet MTU (1500) and a jumbo
/// frame, with the interesting lengths (0, 1, 12, 1500, 1501, ...) as edges. Every test project
/// applies them to its properties with an assembly-level <c>[Properties(Arbitrary = ...)]</c>;
/// <see cref="Map"/> serves code that asks an <see cref="IArbMap"/> for a generator directly.
/// Shrinking uses FsCheck's default shrinkers, so a counterexample still shrinks towards zero.
/// </remarks>
public static class FullRangeArbitraries
{
    /// <summary>The longest generated <c>byte[]</c>: a 9000-byte jumbo frame, six times an Ethernet MTU.</summary>
    public const int MaxByteArrayLength = 9000;

    /// <summary>The lengths a <c>byte[]</c> is biased towards: empty, header sizes, powers of two and the MTU edges.</summary>
    public static IReadOnlyList<int> ByteArrayLengthEdges { get; } =
        [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 15, 16, 17, 20, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 257, 1023, 1024,
         1199, 1200, 1280, 1400, 1472, 1499, 1500, 1501, 1518, 2048, 4096, 8192, MaxByteArrayLength - 1, MaxByteArrayLength];

    /// <summary>Edge-biased <see cref="sbyte"/> over [-128, 127].</summary>
    public static Gen<sbyte> SByteGen { get; } = Mixed<sbyte>(
        [0, 1, -1, 2, sbyte.MaxValue, sbyte.MaxValue - 1, sbyte.MinValue, sbyte.MinValue + 1, 63, 64, -64],
        Gen.Choose(-16, 16).Select(v => (sbyte)v),
        Gen.Choose(sbyte.MinValue, sbyte.MaxValue).Select(v => (sbyte)v));

    /// <summary>Edge-biased <see cref="short"/> over the whole range.</summary>
    public static Gen<short> Int16Gen { get; } = Mixed<short>(
        [0, 1, -1, 2, -2, 127, 128, -128, -129, 255, 256, 16383, 16384, -16384, short.MaxValue, short.MaxValue - 1, short.MinValue, short.MinValue + 1],
        Gen.Choose(-256, 256).Select(v => (short)v),
        Gen.Choose(short.MinValue, short.MaxValue).Select(v => (short)v));

    /// <summary>Edge-biased <see cref="ushort"/> over [0, 65535].</summary>
    public static Gen<ushort> UInt16Gen { get; } = Mixed<ushort>(
        [0, 1, 2, 127, 128, 255, 256, 4095, 4096, 32766, 32767, 32768, 32769, 65534, ushort.MaxValue],
        Gen.Choose(0, 256).Select(v => (ushort)v),
        Gen.Choose(0, ushort.MaxValue).Select(v => (ushort)v));

    /// <summary>Edge-biased <see cref="int"/> over the whole range.</summary>
    public static Gen<int> Int32Gen { get; } = Mixed<int>(
        [0, 1, -1, 2, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536, -65536, (1 << 24) - 1, 1 << 24, 1 << 30,
         int.MaxValue, int.MaxValue - 1, int.MinValue, int.MinValue + 1],
        Gen.Choose(-256, 256),
        Bits(32).Select(v => (int)(uint)v));

    /// <summary>Edge-biased <see cref="uint"/> over [0, 2^32-1].</summary>
    public static Gen<uint> UInt32Gen { get; } = Mixed<uint>(
        [0u, 1u, 2u, 255u, 256u, 32767u, 32768u, 65535u, 65536u, (1u << 24) - 1, 1u << 24, int.MaxValue, 1u << 31,
         (1u << 31) + 1, uint.MaxValue, uint.MaxValue - 1],
        Gen.Choose(0, 256).Select(v => (uint)v),
        Bits(32).Select(v => (uint)v));

    /// <summary>Edge-biased <see cref="long"/> over the whole range.</summary>
    public static Gen<long> Int64Gen { get; } = Mixed<long>(
        [0L, 1L, -1L, 2L, 32768L, 65535L, 65536L, int.MaxValue, 1L + int.MaxValue, int.MinValue, uint.MaxValue, 1L << 32,
         -(1L << 32), (1L << 48) - 1, 1L << 48, 1L << 62, long.MaxValue, long.MaxValue - 1, long.MinValue, long.MinValue + 1],
        Gen.Choose(-256, 256).Select(v => (long)v),
        Bits(64).Select(v => (long)v));

    /// <summary>Edge-biased <see cref="ulong"/> over [0, 2^64-1].</summary>
    public static Gen<ulong> UInt64Gen { get; } = Mixed<ulong>(
        [0UL, 1UL, 2UL, 65535UL, 65536UL, uint.MaxValue, 1UL << 32, (1UL << 48) - 1, 1UL << 48, long.MaxValue, 1UL << 63,
         (1UL << 63) + 1, ulong.MaxValue, ulong.MaxValue - 1],
        Gen.Choose(0, 256).Select(v => (ulong)v),
        Bits(64));

    /// <summary>A <c>byte[]</c> of 0 to <see cref="MaxByteArrayLength"/> bytes, biased to the lengths in <see cref="ByteArrayLengthEdges"/>.</summary>
    public static Gen<byte[]> ByteArrayGen { get; } =
        from length in Gen.Frequency(
            (3, Gen.Elements(ByteArrayLengthEdges.ToArray())),
            (3, Gen.Choose(0, 64)),
            (3, Gen.Choose(0, 1500)),
            (1, Gen.Choose(1501, MaxByteArrayLength)))
        from fill in Gen.Choose(0, 7)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select Fill(length, fill, seed);

    /// <summary>The default arbitrary map with these generators merged over it (declared after the generators it reads).</summary>
    public static IArbMap Map { get; } = ArbMap.Default.Merge(typeof(FullRangeArbitraries));

    /// <summary>FsCheck entry point for <see cref="sbyte"/>.</summary>
    public static Arbitrary<sbyte> SByte() => WithDefaultShrinker(SByteGen);

    /// <summary>FsCheck entry point for <see cref="short"/>.</summary>
    public static Arbitrary<short> Int16() => WithDefaultShrinker(Int16Gen);

    /// <summary>FsCheck entry point for <see cref="ushort"/>.</summary>
    public static Arbitrary<ushort> UInt16() => WithDefaultShrinker(UInt16Gen);

    /// <summary>FsCheck entry point for <see cref="int"/>.</summary>
    public static Arbitrary<int> Int32() => WithDefaultShrinker(Int32Gen);

    /// <summary>FsCheck entry point for <see cref="uint"/>.</summary>
    public static Arbitrary<uint> UInt32() => WithDefaultShrinker(UInt32Gen);

    /// <summary>FsCheck entry point for <see cref="long"/>.</summary>
    public static Arbitrary<long> Int64() => WithDefaultShrinker(Int64Gen);

    /// <summary>FsCheck entry point for <see cref="ulong"/>.</summary>
    public static Arbitrary<ulong> UInt64() => WithDefaultShrinker(UInt64Gen);

    /// <summary>FsCheck entry point for <c>byte[]</c>.</summary>
    public static Arbitrary<byte[]> ByteArray() => WithDefaultShrinker(ByteArrayGen);

    /// <summary>
    /// A uniform choice over [<paramref name="low"/>, <paramref name="high"/>], for properties whose
    /// meaning bounds the input (e.g. a step below 2^15): every value in the range, no sizing.
    /// </summary>
    public static Gen<long> Choose(long low, long high)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(low, high);
        ulong span = (ulong)(high - low);
        if (span <= int.MaxValue)
        {
            return Gen.Choose(0, (int)span).Select(v => low + v);
        }

        // Rejection keeps it exactly uniform: draws past the last whole multiple of span + 1 are redrawn.
        ulong count = span + 1;
        ulong limit = count == 0 ? ulong.MaxValue : ulong.MaxValue - (((ulong.MaxValue % count) + 1) % count);
        return Bits(64).Where(v => v <= limit).Select(v => low + (long)(count == 0 ? v : v % count));
    }

    private static Gen<ulong> Bits(int count) =>
        from a in Gen.Choose(0, ushort.MaxValue)
        from b in Gen.Choose(0, ushort.MaxValue)
        from c in Gen.Choose(0, ushort.MaxValue)
        from d in Gen.Choose(0, ushort.MaxValue)
        select ((ulong)(uint)a << 48 | (ulong)(uint)b << 32 | (ulong)(uint)c << 16 | (uint)d) >> (64 - count);

    private static Gen<T> Mixed<T>(T[] edges, Gen<T> small, Gen<T> uniform) =>
        Gen.Frequency((3, Gen.Elements(edges)), (2, small), (7, uniform));

    private static Arbitrary<T> WithDefaultShrinker<T>(Gen<T> gen)
    {
        Arbitrary<T> fallback = ArbMap.Default.ArbFor<T>();
        return Arb.From(gen, fallback.Shrinker);
    }

    private static byte[] Fill(int length, int fill, int seed)
    {
        var bytes = new byte[length];
        switch (fill)
        {
            case 0:
                break;
            case 1:
                bytes.AsSpan().Fill(0xFF);
                break;
            default:
                new Random(seed).NextBytes(bytes);
                break;
        }

        return bytes;
    }
}
