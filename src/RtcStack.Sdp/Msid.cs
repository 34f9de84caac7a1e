using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// "a=msid:&lt;stream id&gt; [&lt;track id&gt;]" (RFC 8830 §2): the MediaStream the m= section's
/// track belongs to ("-" for none) and the track's id (appdata).
/// </summary>
/// <param name="StreamId">The MediaStream id (msid-id).</param>
/// <param name="TrackId">The track id (msid-appdata), or null.</param>
public sealed record Msid(string StreamId, string? TrackId = null)
{
    /// <summary>Parses an msid attribute value.</summary>
    /// <param name="value">The text after "a=msid:".</param>
    /// <param name="msid">The msid.</param>
    /// <returns>Whether the value is one or two tokens (RFC 8830 §2).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out Msid? msid)
    {
        msid = null;
        string? track = null;
        if (SdpGrammar.TrySplit(value, ' ', out ReadOnlySpan<char> stream, out ReadOnlySpan<char> appData))
        {
            if (!SdpGrammar.IsToken(appData))
            {
                return false;
            }

            track = appData.ToString();
        }

        if (!SdpGrammar.IsToken(stream))
        {
            return false;
        }

        msid = new Msid(stream.ToString(), track);
        return true;
    }

    /// <summary>Returns the "a=msid:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Msid, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=msid:".</returns>
    public override string ToString() => TrackId is null ? StreamId : StreamId + " " + TrackId;
}
