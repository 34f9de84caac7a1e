namespace RtcStack.WebRtc.Signalling;

/// <summary>One media section of a trickle-ICE fragment (RFC 8840 §9.2).</summary>
public sealed class TrickleIceMedia
{
    /// <summary>Gets or sets the m= line value (after <c>m=</c>), kept as received.</summary>
    public string? MediaLine { get; set; }

    /// <summary>Gets or sets the media section's mid.</summary>
    public string? Mid { get; set; }

    /// <summary>Gets the candidate attribute values (after <c>a=candidate:</c>), in order.</summary>
    public IList<string> Candidates { get; } = new List<string>();

    /// <summary>Gets or sets a value indicating whether <c>a=end-of-candidates</c> was present.</summary>
    public bool EndOfCandidates { get; set; }
}
