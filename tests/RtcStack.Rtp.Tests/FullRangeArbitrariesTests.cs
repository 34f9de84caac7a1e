using System.Numerics;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Rtp.Tests;

/// <summary>
/// The full-range generators (<see cref="FullRangeArbitraries"/>, issue 21) reach what they promise:
/// each integer type's edges and both halves of its range, byte arrays past the MTU; and FsCheck
/// really uses them for this assembly's [Property] parameters.
/// </summary>
public class FullRangeArbitrariesTests
{
    private const int Samples = 4000;

    // Fixed seeds: what a sample reaches does not change from run to run.
    private static readonly Rnd s_seed = new(0x5EED_2026UL, 0x21UL);

    public static TheoryData<int> Sizes => [0, 100];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SByteReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.SByteGen, v => v, sbyte.MinValue, sbyte.MaxValue, size, 0, 1, -1, sbyte.MaxValue - 1, sbyte.MinValue + 1);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Int16ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.Int16Gen, v => v, short.MinValue, short.MaxValue, size, 0, 1, -1, short.MaxValue - 1, short.MinValue + 1, 255, 256);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UInt16ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.UInt16Gen, v => v, ushort.MinValue, ushort.MaxValue, size, 1, 65534, 32767, 32768, 255, 256);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Int32ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.Int32Gen, v => v, int.MinValue, int.MaxValue, size, 0, 1, -1, int.MaxValue - 1, int.MinValue + 1, 32768, 65535, 65536);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UInt32ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.UInt32Gen, v => v, uint.MinValue, uint.MaxValue, size, 1, uint.MaxValue - 1, 1u << 31, 65535, 65536);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Int64ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.Int64Gen, v => v, long.MinValue, long.MaxValue, size, 0, 1, -1, long.MaxValue - 1, long.MinValue + 1, 1L << 32, (1L << 48) - 1);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UInt64ReachesItsEdgesAndBothHalves(int size) =>
        AssertFullRange(FullRangeArbitraries.UInt64Gen, v => v, ulong.MinValue, ulong.MaxValue, size, 1, ulong.MaxValue - 1, 1UL << 63, 1UL << 32);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ByteArraysReachEmptyTheMtuAndBeyond(int size)
    {
        byte[][] sample = Gen.Sample(FullRangeArbitraries.ByteArrayGen, Samples, s_seed, size);
        var lengths = new HashSet<int>();
        int pastMtu = 0, atMostMtu = 0, nonZeroTail = 0;
        foreach (byte[] bytes in sample)
        {
            lengths.Add(bytes.Length);
            if (bytes.Length > 1500)
            {
                pastMtu++;
            }
            else
            {
                atMostMtu++;
            }

            if (bytes.Length > 1000 && bytes[^1] != 0)
            {
                nonZeroTail++;
            }
        }

        foreach (int edge in new[] { 0, 1, 12, 1499, 1500, 1501, FullRangeArbitraries.MaxByteArrayLength })
        {
            Assert.Contains(edge, lengths);
        }

        Assert.Equal(FullRangeArbitraries.MaxByteArrayLength, lengths.Max());
        Assert.InRange(pastMtu, Samples / 10, Samples);
        Assert.InRange(atMostMtu, Samples / 2, Samples);
        Assert.True(nonZeroTail > Samples / 20, $"only {nonZeroTail} long arrays end in a non-zero byte");
        Assert.True(lengths.Count > 500, $"only {lengths.Count} distinct lengths");
    }

    [Fact]
    public void ChooseCoversASmallRangeExactlyAndAWideOneInBothHalves()
    {
        long[] small = Gen.Sample(FullRangeArbitraries.Choose(-5, 5), 1000, s_seed, 0);
        Assert.Equal(Enumerable.Range(-5, 11).Select(v => (long)v).ToArray(), small.Distinct().Order().ToArray());

        const long Top = (1L << 48) - 1;
        long[] wide = Gen.Sample(FullRangeArbitraries.Choose(0, Top), Samples, s_seed, 0);
        Assert.All(wide, v => Assert.InRange(v, 0, Top));
        int upper = wide.Count(v => v > Top / 2);
        Assert.InRange(upper, Samples * 4 / 10, Samples * 6 / 10);
        Assert.Contains(wide, v => v > Top - (Top / 100));
        Assert.Contains(wide, v => v < Top / 100);

        long[] whole = Gen.Sample(FullRangeArbitraries.Choose(long.MinValue, long.MaxValue), Samples, s_seed, 0);
        Assert.InRange(whole.Count(v => v < 0), Samples * 4 / 10, Samples * 6 / 10);
    }

    [Fact]
    public void EveryPropertyInThisAssemblyUsesTheFullRangeArbitraries()
    {
        PropertiesAttribute? attribute = typeof(FullRangeArbitrariesTests).Assembly.GetCustomAttribute<PropertiesAttribute>();
        Assert.NotNull(attribute);
        Assert.Contains(typeof(FullRangeArbitraries), attribute.Arbitrary);
    }

    private static int s_probeRuns;
    private static int s_probeLarge;

    /// <summary>
    /// The assembly-level attribute really reaches FsCheck.Xunit: under FsCheck's sized defaults
    /// no uint here would exceed 100 and no array would pass 100 bytes. Each call counts; the last
    /// one (FsCheck runs a property's cases one after another) requires that many were large.
    /// </summary>
    [Property(MaxTest = 200)]
    public void PropertyParametersAreFullRange(uint value, ushort half, byte[] payload)
    {
        int run = Interlocked.Increment(ref s_probeRuns);
        if (value > 1u << 24 && half > 1 << 12 && payload.Length > 100)
        {
            Interlocked.Increment(ref s_probeLarge);
        }

        if (run == 200)
        {
            // Expected about 200 * (7/12)^2 * 0.4 ≈ 27: fewer than 5 means the defaults are back.
            Assert.True(s_probeLarge >= 5, $"{s_probeLarge} of 200 cases had large values");
        }
    }

    private static void AssertFullRange<T>(Gen<T> gen, Func<T, BigInteger> value, BigInteger min, BigInteger max, int size, params BigInteger[] edges)
    {
        T[] sample = Gen.Sample(gen, Samples, s_seed, size);
        var seen = new HashSet<BigInteger>();
        BigInteger middle = min + ((max - min) / 2);
        int lower = 0, upper = 0, topQuarter = 0, bottomQuarter = 0;
        BigInteger quarter = (max - min) / 4;
        foreach (T item in sample)
        {
            BigInteger v = value(item);
            Assert.InRange(v, min, max);
            seen.Add(v);
            if (v <= middle)
            {
                lower++;
            }
            else
            {
                upper++;
            }

            if (v >= max - quarter)
            {
                topQuarter++;
            }

            if (v <= min + quarter)
            {
                bottomQuarter++;
            }
        }

        Assert.Contains(min, seen);
        Assert.Contains(max, seen);
        foreach (BigInteger edge in edges)
        {
            Assert.Contains(edge, seen);
        }

        // Uniform draws are 7 in 12: each half gets at least a quarter of the sample, and the outer
        // quarters (the high bytes set, the sign bit set) are reached well beyond the edge values.
        Assert.True(lower > Samples / 4, $"lower half: {lower} of {Samples}");
        Assert.True(upper > Samples / 4, $"upper half: {upper} of {Samples}");
        Assert.True(topQuarter > Samples / 10, $"top quarter: {topQuarter} of {Samples}");
        Assert.True(bottomQuarter > Samples / 10, $"bottom quarter: {bottomQuarter} of {Samples}");
        BigInteger distinct = BigInteger.Min(Samples / 3, (max - min + 1) / 2);
        Assert.True(seen.Count > distinct, $"only {seen.Count} distinct values");
    }
}
