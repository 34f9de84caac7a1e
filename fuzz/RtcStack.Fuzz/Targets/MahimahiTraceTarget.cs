using System.Text;
using RtcStack.NetSim.Links;

namespace RtcStack.Fuzz.Targets;

/// <summary>Mahimahi trace parser (<see cref="MahimahiTrace.TryParse"/>, one delivery-opportunity millisecond per line) and the queries the link makes.</summary>
[FuzzTarget("mahimahi-trace")]
public sealed class MahimahiTraceTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        if (!MahimahiTrace.TryParse(text, out MahimahiTrace? trace, out string? error))
        {
            if (trace is not null || string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException("failed parse must give no trace and a reason");
            }
            return;
        }
        if (trace is null || !double.IsFinite(trace.AverageBps) || trace.AverageBps <= 0)
        {
            throw new InvalidOperationException("accepted trace must have a positive finite rate");
        }
        // The link asks for the next opportunity and the count at it; both must move forward and stay bounded.
        TimeSpan t = TimeSpan.Zero;
        for (int i = 0; i < 64; i++)
        {
            TimeSpan next = trace.NextOpportunity(t);
            if (next < t)
            {
                throw new InvalidOperationException("next opportunity went back in time");
            }
            int n = trace.OpportunitiesAt((long)Math.Round(next.TotalMilliseconds));
            if (n <= 0)
            {
                throw new InvalidOperationException("an opportunity instant with no opportunity");
            }
            t = next + TimeSpan.FromMilliseconds(1);
        }
    }
}
