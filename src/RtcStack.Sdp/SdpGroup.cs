using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// "a=group:&lt;semantics&gt; &lt;mid&gt; ..." (RFC 5888 §5), e.g. "BUNDLE 0 1 2" (RFC 8843 §8.3.1:
/// the first mid is the tag whose transport the group uses) or "LS 0 1" (lip sync).
/// </summary>
public sealed record SdpGroup
{
    /// <summary>The BUNDLE semantics (RFC 8843 §6).</summary>
    public const string Bundle = "BUNDLE";

    /// <summary>Initializes a new instance of the <see cref="SdpGroup"/> class.</summary>
    /// <param name="semantics">The semantics token.</param>
    /// <param name="mids">The identification tags, in order.</param>
    public SdpGroup(string semantics, IEnumerable<string> mids)
    {
        SdpGrammar.RequireToken(semantics, nameof(semantics));
        ArgumentNullException.ThrowIfNull(mids);
        var list = new List<string>();
        foreach (string mid in mids)
        {
            SdpGrammar.RequireToken(mid, nameof(mids));
            list.Add(mid);
        }

        Semantics = semantics;
        Mids = list.AsReadOnly();
    }

    /// <summary>Gets the semantics ("BUNDLE", "LS", "FID", ...).</summary>
    public string Semantics { get; }

    /// <summary>Gets the identification tags (mids).</summary>
    public IReadOnlyList<string> Mids { get; }

    /// <summary>Gets a value indicating whether this is a BUNDLE group.</summary>
    public bool IsBundle => string.Equals(Semantics, Bundle, StringComparison.Ordinal);

    /// <summary>Parses a group attribute value.</summary>
    /// <param name="value">The text after "a=group:".</param>
    /// <param name="group">The group.</param>
    /// <returns>Whether the value matched RFC 5888 §5 (a semantics token, then space-separated tokens).</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpGroup? group)
    {
        group = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> semantics) || !SdpGrammar.IsToken(semantics))
        {
            return false;
        }

        var mids = new List<string>();
        while (!rest.IsEmpty)
        {
            if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> mid) || !SdpGrammar.IsToken(mid))
            {
                return false;
            }

            mids.Add(mid.ToString());
        }

        group = new SdpGroup(semantics.ToString(), mids);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(SdpGroup? other) => other is not null && Semantics == other.Semantics && Mids.SequenceEqual(other.Mids);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Semantics, Mids.Count);

    /// <summary>Returns the "a=group:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Group, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=group:".</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(Semantics);
        foreach (string mid in Mids)
        {
            sb.Append(' ').Append(mid);
        }

        return sb.ToString();
    }
}
