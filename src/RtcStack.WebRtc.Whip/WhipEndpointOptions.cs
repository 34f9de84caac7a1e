namespace RtcStack.WebRtc.Signalling;

/// <summary>Settings for the WHIP/WHEP HTTP endpoints.</summary>
public sealed class WhipEndpointOptions
{
    private ClientRateLimiter? _limiter;

    /// <summary>
    /// Gets or sets the bearer token clients must present (RFC 9725 §4.7.1; RFC 6750 §2.1), compared in constant time;
    /// null accepts any client.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// Gets the origins allowed by CORS (e.g. <c>http://localhost:3000</c>); <c>*</c> allows any. Empty (the default):
    /// no CORS headers, so only pages of the server's own origin (which need none) can call the endpoints.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>Gets or sets the largest offer accepted, in bytes (larger: 413, RFC 9110 §15.5.14).</summary>
    public int MaxOfferBytes { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the largest PATCH body (trickle-ice-sdpfrag) accepted, in bytes (larger: 413).</summary>
    public int MaxFragmentBytes { get; set; } = TrickleIceFragment.MaxLength;

    /// <summary>
    /// Gets or sets how many sessions per second one client address (IPv6: its /64) may create after its burst
    /// (<see cref="SessionBurstPerClient"/>); faster POSTs get 429 with Retry-After (RFC 6585 §4). 0 turns the limit off.
    /// </summary>
    public double SessionsPerSecondPerClient { get; set; } = 10;

    /// <summary>Gets or sets how many sessions one client address may create at once before the rate applies.</summary>
    public int SessionBurstPerClient { get; set; } = 20;

    /// <summary>Gets or sets the clock of the rate limit (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets the ICE servers advertised in <c>Link</c> headers (RFC 9725 §4.6), e.g. <c>&lt;stun:127.0.0.1:3478&gt;; rel="ice-server"</c>.</summary>
    public IList<string> IceServerLinks { get; } = new List<string>();

    /// <summary>Gets the rate limiter, made on first use from the settings then in force; shared by every endpoint mapped with these options.</summary>
    internal ClientRateLimiter? RateLimiter =>
        SessionsPerSecondPerClient <= 0 ? null : LazyInitializer.EnsureInitialized(ref _limiter, () => new ClientRateLimiter(SessionsPerSecondPerClient, SessionBurstPerClient, TimeProvider));
}
