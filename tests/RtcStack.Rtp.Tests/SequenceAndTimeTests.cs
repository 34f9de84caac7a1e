using FsCheck.Xunit;
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

    [Property(MaxTest = 500)]
    public void UnwrapRecoversAnyWalkWithSmallSteps(short[] steps, ushort start)
    {
        var u = new SequenceNumberUnwrapper();
        long expected = start;
        u.Unwrap(start);
        foreach (short step in steps ?? [])
        {
            long next = expected + (step / 2);
            if (next < 0)
            {
                continue;
            }

            expected = next;
            Assert.Equal(expected, u.Unwrap((ushort)expected));
        }
    }

    [Property(MaxTest = 500)]
    public void TimestampUnwrapRecoversSmallSteps(int[] steps, uint start)
    {
        var u = new TimestampUnwrapper();
        long expected = start;
        u.Unwrap(start);
        foreach (int step in steps ?? [])
        {
            expected += step / 2;
            Assert.Equal(expected, u.Unwrap((uint)expected));
        }
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

    [Property(MaxTest = 500)]
    public void NtpRoundTripsWithin100Nanoseconds(long ticks)
    {
        ticks = Math.Abs(ticks % (TimeSpan.TicksPerDay * 365 * 100));
        var span = TimeSpan.FromTicks(ticks);
        TimeSpan back = NtpTimestamp.FromTimeSinceEpoch(span).ToTimeSinceEpoch();
        Assert.InRange((span - back).Ticks, 0, 1);
    }
}
