using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>"a=ssrc-group:&lt;semantics&gt; &lt;ssrc-id&gt; ..." (RFC 5576 §4.2), e.g. "FID 1111 2222" (RTX, RFC 4588) or "SIM 1 2 3".</summary>
public sealed record SsrcGroup
{
    /// <summary>Initializes a new instance of the <see cref="SsrcGroup"/> class.</summary>
    /// <param name="semantics">The semantics token: "FID", "FEC-FR", "SIM", ...</param>
    /// <param name="ssrcs">The sources, in order.</param>
    public SsrcGroup(string semantics, IEnumerable<uint> ssrcs)
    {
        SdpGrammar.RequireToken(semantics, nameof(semantics));
        ArgumentNullException.ThrowIfNull(ssrcs);
        Semantics = semantics;
        Ssrcs = new List<uint>(ssrcs).AsReadOnly();
    }

    /// <summary>Gets the semantics.</summary>
    public string Semantics { get; }

    /// <summary>Gets the sources.</summary>
    public IReadOnlyList<uint> Ssrcs { get; }

    /// <summary>Parses an ssrc-group attribute value.</summary>
    /// <param name="value">The text after "a=ssrc-group:".</param>
    /// <param name="group">The group.</param>
    /// <returns>Whether the value matched RFC 5576 §4.2.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SsrcGroup? group)
    {
        group = null;
        ReadOnlySpan<char> rest = value;
        if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> semantics) || !SdpGrammar.IsToken(semantics))
        {
            return false;
        }

        var ssrcs = new List<uint>();
        while (!rest.IsEmpty)
        {
            if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> id) || !SdpGrammar.TryParseUInt32(id, out uint ssrc))
            {
                return false;
            }

            ssrcs.Add(ssrc);
        }

        group = new SsrcGroup(semantics.ToString(), ssrcs);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(SsrcGroup? other) =>
        other is not null && Semantics == other.Semantics && Ssrcs.SequenceEqual(other.Ssrcs);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Semantics, Ssrcs.Count);

    /// <summary>Returns the "a=ssrc-group:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.SsrcGroup, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=ssrc-group:".</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(Semantics);
        foreach (uint s in Ssrcs)
        {
            sb.Append(' ').Append(SdpGrammar.Format(s));
        }

        return sb.ToString();
    }
}
