using System.Globalization;
using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Pcap;

/// <summary>
/// The clock rate per payload type for jitter: <c>PT=RATE</c> pairs from the command line first,
/// then RFC 3551's static table, then the default for dynamic types (a bare <c>RATE</c> sets it).
/// </summary>
internal sealed class ClockRateMap
{
    private readonly Dictionary<byte, int> _explicit = [];
    private int _dynamic = RtpClockRates.DefaultDynamic;

    /// <summary>Parses values like <c>90000</c>, <c>96=90000</c> or <c>0=8000,111=48000</c>; returns an error message or null.</summary>
    public static string? TryParse(IEnumerable<string> values, out ClockRateMap map)
    {
        map = new ClockRateMap();
        foreach (string value in values)
        {
            foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] pair = part.Split('=');
                if (pair.Length == 1 && TryRate(pair[0], out int rate))
                {
                    map._dynamic = rate;
                }
                else if (pair.Length == 2 && byte.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out byte pt) && pt < 128 && TryRate(pair[1], out rate))
                {
                    map._explicit[pt] = rate;
                }
                else
                {
                    return $"--clock-rate '{part}' is neither RATE nor PT=RATE (examples: --clock-rate 90000, --clock-rate 96=90000,111=48000); RATE is in Hz, 1 to 10000000, PT is 0 to 127";
                }
            }
        }

        return null;
    }

    /// <summary>Returns the clock rate for <paramref name="payloadType"/>.</summary>
    public int Get(byte payloadType)
    {
        if (_explicit.TryGetValue(payloadType, out int rate))
        {
            return rate;
        }

        rate = RtpClockRates.GetStatic(payloadType);
        return rate != 0 ? rate : _dynamic;
    }

    private static bool TryRate(string text, out int rate) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out rate) && rate is > 0 and <= 10_000_000;
}
