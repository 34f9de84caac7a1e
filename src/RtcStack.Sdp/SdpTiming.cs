using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>The "t=" line (RFC 8866 §5.9): &lt;start-time&gt; &lt;stop-time&gt; as NTP seconds; WebRTC uses "0 0" (unbounded).</summary>
/// <param name="Start">The start time, 0 for unbounded.</param>
/// <param name="Stop">The stop time, 0 for unbounded.</param>
public sealed record SdpTiming(ulong Start, ulong Stop)
{
    /// <summary>Parses the value of a "t=" line.</summary>
    /// <param name="value">The text after "t=".</param>
    /// <param name="timing">The timing.</param>
    /// <returns>Whether the value matched RFC 8866 §5.9.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpTiming? timing)
    {
        timing = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> start) || !SdpGrammar.TryParseUInt64(start, out ulong s)
            || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> stop) || !SdpGrammar.TryParseUInt64(stop, out ulong e)
            || !rest.IsEmpty)
        {
            return false;
        }

        timing = new SdpTiming(s, e);
        return true;
    }

    /// <summary>Returns the "t=" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Create('t', ToString());

    /// <summary>Returns the value of the "t=" line.</summary>
    /// <returns>The text after "t=".</returns>
    public override string ToString() => SdpGrammar.Format(Start) + " " + SdpGrammar.Format(Stop);
}
