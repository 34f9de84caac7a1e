using System.Globalization;

namespace RtcStack.Cli.Bottleneck;

/// <summary>A capacity schedule of the bottleneck: the rate from each step's start (s) to the next, and the run's length.</summary>
internal sealed record BottleneckSchedule(string Name, string Description, (double At, double Bps)[] Steps, double DurationSeconds)
{
    /// <summary>RFC 8867 §5.1 Table 1 (1 Mbps × 1.0 / 2.5 / 0.6 / 1.0), steps shortened from 40/20/20/20 s to 15/10/10/10 s.</summary>
    public static BottleneckSchedule Short { get; } = new("short", "RFC 8867 §5.1 shortened", [(0, 1_000_000), (15, 2_500_000), (25, 600_000), (35, 1_000_000)], 45);

    /// <summary>RFC 8867 §5.1 Table 1 as written: 1.0 / 2.5 / 0.6 / 1.0 Mbit/s at 0 / 40 / 60 / 80 s, 100 s.</summary>
    public static BottleneckSchedule Rfc8867 { get; } = new("rfc8867", "RFC 8867 §5.1", [(0, 1_000_000), (40, 2_500_000), (60, 600_000), (80, 1_000_000)], 100);

    /// <summary>Gets the names <c>--schedule</c> accepts.</summary>
    public static string[] Names { get; } = [Short.Name, Rfc8867.Name];

    /// <summary>Returns the schedule named <paramref name="name"/>, or null.</summary>
    public static BottleneckSchedule? Get(string name) => name == Short.Name ? Short : name == Rfc8867.Name ? Rfc8867 : null;

    /// <summary>Gets the end of step <paramref name="index"/>, s.</summary>
    public double End(int index) => index + 1 < Steps.Length ? Steps[index + 1].At : DurationSeconds;

    /// <summary>Gets e.g. "RFC 8867 §5.1 shortened (1.0/2.5/0.6/1.0 Mbit/s at 0/15/25/35 s, 45 s)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Description} ({string.Join('/', Steps.Select(s => (s.Bps / 1e6).ToString("0.0", CultureInfo.InvariantCulture)))} Mbit/s at {string.Join('/', Steps.Select(s => s.At.ToString("0.##", CultureInfo.InvariantCulture)))} s, {DurationSeconds:0.##} s)");
}
