using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Rtp.Tests;

public class SequenceAndTimeTests
{
    [Fact]
    public void UnwrapsAcrossTheWrapBothWays()
    {
        var u = new SequenceNumberUnwrapper();
        Assert.Equal(65534, u.Unwrap(65534));
        Assert.Equal(65535, u.Unwrap(65535));
        Assert.Equal(65536, u.Unwrap(0));
        Assert.Equal(65535, u.Unwrap(65535)); // late packet from before the wrap
        Assert.Equal(65537, u.Unwrap(1));
        Assert.Equal(65536 + 32768, u.Unwrap(32768));
    }

    [Fact]
    public void UnwrapStaysNonNegativeAtTheStart()
    {
        var u = new SequenceNumberUnwrapper();
        Assert.Equal(2, u.Unwrap(2));
        Assert.Equal(65535, u.Unwrap(65535)); // "before" 2 would be -1: kept non-negative
    }

    // The unwrappers are defined for steps strictly inside half the number space (|step| < 2^15 for
    // sequence numbers, < 2^31 for timestamps): a step of exactly half is ambiguous. The walks take
    // every such step, biased to the largest ones and to small forward steps, long enough to cross
    // 65535 (2^32) both ways; SequenceWalksCrossTheWrapBothWays checks that they do.
    private const int MaxSequenceStep = 32767;
    private const long MaxTimestampStep = int.MaxValue;

    private static Gen<(ushort Start, int[] Steps)> SequenceWalks { get; } =
        from start in FullRangeArbitraries.UInt16Gen
        from length in Gen.Choose(1, 300)
        from steps in Gen.Frequency(
                (4, Gen.Choose(-MaxSequenceStep, MaxSequenceStep)),
                (1, Gen.Elements(-MaxSequenceStep, MaxSequenceStep, MaxSequenceStep - 1, -MaxSequenceStep + 1, 0, 1, -1)),
                (3, Gen.Choose(0, 64)))
            .ArrayOf(length)
        select (start, steps);

    private static Gen<(uint Start, long[] Steps)> TimestampWalks { get; } =
        from start in FullRangeArbitraries.UInt32Gen
        from length in Gen.Choose(1, 300)
        from steps in Gen.Frequency(
                (4, FullRangeArbitraries.Choose(-MaxTimestampStep, MaxTimestampStep)),
                (1, Gen.Elements(-MaxTimestampStep, MaxTimestampStep, MaxTimestampStep - 1, -MaxTimestampStep + 1, 0L, 960L, -960L)),
                (3, Gen.Choose(0, 96_000).Select(v => (long)v)))
            .ArrayOf(length)
        select (start, steps);

    /// <summary>The values a sequence walk visits: a step that would go below zero is left out (the unwrapper starts at the first value and stays non-negative).</summary>
    private static List<long> Visit(ushort start, int[] steps)
    {
        var values = new List<long> { start };
        long current = start;
        foreach (int step in steps)
        {
            if (current + step >= 0)
            {
                current += step;
                values.Add(current);
            }
        }

        return values;
    }

    private static (int Up, int Down) Crossings(IReadOnlyList<long> values, long modulus)
    {
        int up = 0, down = 0;
        for (int i = 1; i < values.Count; i++)
        {
            long before = Math.DivRem(values[i - 1], modulus, out long r1) - (r1 < 0 ? 1 : 0);
            long after = Math.DivRem(values[i], modulus, out long r2) - (r2 < 0 ? 1 : 0);
            up += after > before ? 1 : 0;
            down += after < before ? 1 : 0;
        }

        return (up, down);
    }

    [Property(MaxTest = 500)]
    public Property UnwrapRecoversAnyWalkWithSmallSteps() =>
        Prop.ForAll(SequenceWalks.ToArbitrary(), walk =>
        {
            var u = new SequenceNumberUnwrapper();
            List<long> values = Visit(walk.Start, walk.Steps);
            foreach (long expected in values)
            {
                Assert.Equal(expected, u.Unwrap((ushort)expected));
            }
        });

    [Property(MaxTest = 500)]
    public Property TimestampUnwrapRecoversSmallSteps() =>
        Prop.ForAll(TimestampWalks.ToArbitrary(), walk =>
        {
            var u = new TimestampUnwrapper();
            long expected = walk.Start;
            Assert.Equal(expected, u.Unwrap(walk.Start));
            foreach (long step in walk.Steps)
            {
                expected += step;
                Assert.Equal(expected, u.Unwrap((uint)expected));
            }
        });

    [Fact]
    public void SequenceWalksCrossTheWrapBothWays()
    {
        (ushort Start, int[] Steps)[] sample = Gen.Sample(SequenceWalks, 500, new Rnd(21UL, 1UL), 100);
        int up = 0, down = 0, maxStep = 0;
        foreach ((ushort start, int[] steps) in sample)
        {
            (int u, int d) = Crossings(Visit(start, steps), 65536);
            up += u > 0 ? 1 : 0;
            down += d > 0 ? 1 : 0;
            maxStep = Math.Max(maxStep, steps.Length == 0 ? 0 : steps.Max(Math.Abs));
        }

        // Most walks go past 65535 and come back below a multiple of 65536 at least once.
        Assert.True(up > 300, $"{up} of 500 walks cross a multiple of 65536 upwards");
        Assert.True(down > 200, $"{down} of 500 walks cross one downwards");
        Assert.Equal(MaxSequenceStep, maxStep);
    }

    [Fact]
    public void TimestampWalksCrossTheWrapBothWays()
    {
        (uint Start, long[] Steps)[] sample = Gen.Sample(TimestampWalks, 500, new Rnd(21UL, 5UL), 100);
        int up = 0, down = 0;
        foreach ((uint start, long[] steps) in sample)
        {
            var values = new List<long> { start };
            foreach (long step in steps)
            {
                values.Add(values[^1] + step);
            }

            (int u, int d) = Crossings(values, 1L << 32);
            up += u > 0 ? 1 : 0;
            down += d > 0 ? 1 : 0;
        }

        Assert.True(up > 300, $"{up} of 500 walks cross a multiple of 2^32 upwards");
        Assert.True(down > 300, $"{down} of 500 walks cross one downwards");
    }

    [Fact]
    public void SerialComparison()
    {
        Assert.True(SequenceNumberUnwrapper.IsNewer(1, 65535));
        Assert.False(SequenceNumberUnwrapper.IsNewer(65535, 1));
        Assert.Equal(2, SequenceNumberUnwrapper.Distance(65535, 1));
        Assert.Equal(-2, SequenceNumberUnwrapper.Distance(1, 65535));
        Assert.True(TimestampUnwrapper.IsNewer(5, uint.MaxValue));
    }

    [Fact]
    public void NtpTimestampConversions()
    {
        // 1970-01-01 is 2208988800 s after the NTP epoch (RFC 5905 §6).
        var unix = NtpTimestamp.FromDateTime(DateTime.UnixEpoch);
        Assert.Equal(2_208_988_800u, unix.Seconds);
        Assert.Equal(0u, unix.Fraction);

        var t = new NtpTimestamp(0xB7108000, 0x80000000);
        Assert.Equal(0x80008000u, t.ToCompact());
        Assert.Equal(TimeSpan.FromSeconds(0.5), NtpTimestamp.CompactToTimeSpan(0x8000));
        Assert.Equal(0x00054000u, NtpTimestamp.TimeSpanToCompact(TimeSpan.FromSeconds(5.25)));
        Assert.Equal(uint.MaxValue, NtpTimestamp.TimeSpanToCompact(TimeSpan.FromDays(2)));
        Assert.Equal(0u, NtpTimestamp.TimeSpanToCompact(TimeSpan.FromSeconds(-1)));

        DateTime when = new(2025, 6, 1, 12, 0, 0, 250, DateTimeKind.Utc);
        Assert.Equal(when, NtpTimestamp.FromDateTime(when).ToDateTime());
        Assert.Equal("e8a5f2c1.80000000", new NtpTimestamp(0xE8A5F2C1, 0x80000000).ToString());
    }

    // Era 0 of the NTP timestamp: [0, 2^32 s) after 1900-01-01, in 100 ns ticks (RFC 5905 §6).
    private const long EraTicks = (1L << 32) * TimeSpan.TicksPerSecond;

    private static Gen<long> EraTicksGen { get; } = Gen.Frequency(
        (1, Gen.Elements(0L, 1L, TimeSpan.TicksPerSecond - 1, TimeSpan.TicksPerSecond, EraTicks / 2, EraTicks - TimeSpan.TicksPerSecond, EraTicks - 1)),
        (5, FullRangeArbitraries.Choose(0, EraTicks - 1)));

    [Property(MaxTest = 1000)]
    public Property NtpRoundTripsWithin100Nanoseconds() =>
        Prop.ForAll(EraTicksGen.ToArbitrary(), ticks =>
        {
            var span = TimeSpan.FromTicks(ticks);
            NtpTimestamp ntp = NtpTimestamp.FromTimeSinceEpoch(span);
            Assert.Equal((uint)(ticks / TimeSpan.TicksPerSecond), ntp.Seconds);
            TimeSpan back = ntp.ToTimeSinceEpoch();
            Assert.InRange((span - back).Ticks, 0, 1);
        });

    [Fact]
    public void NtpTicksCoverTheWholeEra()
    {
        long[] sample = Gen.Sample(EraTicksGen, 2000, new Rnd(21UL, 3UL), 100);
        Assert.Contains(0L, sample);
        Assert.Contains(EraTicks - 1, sample);
        Assert.InRange(sample.Count(t => t >= EraTicks / 2), 600, 1400);

        // Seconds with every byte in use: past 2^24 s (1900 + 0.53 years) most of the time.
        Assert.True(sample.Count(t => t / TimeSpan.TicksPerSecond >= 1L << 24) > 1500);
    }
}
