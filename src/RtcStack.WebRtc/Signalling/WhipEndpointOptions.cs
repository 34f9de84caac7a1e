namespace RtcStack.WebRtc.Signalling;

/// <summary>Settings for the WHIP/WHEP HTTP endpoints.</summary>
public sealed class WhipEndpointOptions
{
    /// <summary>Gets or sets the bearer token clients must present (RFC 9725, bearer token authentication; RFC 6750); null accepts any client.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets the origins allowed by CORS (e.g. <c>http://localhost:3000</c>); <c>*</c> allows any.</summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>Gets or sets the largest offer accepted, in bytes.</summary>
    public int MaxOfferBytes { get; set; } = 64 * 1024;

    /// <summary>Gets the ICE servers advertised in <c>Link</c> headers (RFC 9725 §4.6), e.g. <c>&lt;stun:127.0.0.1:3478&gt;; rel="ice-server"</c>.</summary>
    public IList<string> IceServerLinks { get; } = new List<string>();
}
