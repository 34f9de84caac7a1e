using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>The "b=" line (RFC 8866 §5.8): &lt;bwtype&gt;:&lt;bandwidth&gt;, e.g. "AS:64" (kbit/s) or "TIAS:64000" (bit/s, RFC 3890).</summary>
/// <param name="Type">The bandwidth type, a token ("AS", "CT", "TIAS", "RR", "RS").</param>
/// <param name="Value">The bandwidth; its unit depends on <paramref name="Type"/>.</param>
public sealed record SdpBandwidth(string Type, ulong Value)
{
    /// <summary>Parses the value of a "b=" line.</summary>
    /// <param name="value">The text after "b=".</param>
    /// <param name="bandwidth">The bandwidth.</param>
    /// <returns>Whether the value matched RFC 8866 §5.8.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpBandwidth? bandwidth)
    {
        bandwidth = null;
        if (!SdpGrammar.TrySplit(value, ':', out ReadOnlySpan<char> type, out ReadOnlySpan<char> number)
            || !SdpGrammar.IsToken(type) || !SdpGrammar.TryParseUInt64(number, out ulong v))
        {
            return false;
        }

        bandwidth = new SdpBandwidth(type.ToString(), v);
        return true;
    }

    /// <summary>Returns the "b=" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Create('b', ToString());

    /// <summary>Returns the value of the "b=" line.</summary>
    /// <returns>The text after "b=".</returns>
    public override string ToString() => Type + ":" + SdpGrammar.Format(Value);
}
