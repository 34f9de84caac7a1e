namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// What the WHIP/WHEP HTTP layer (<see cref="WhipEndpointRouteBuilderExtensions"/>) asks of the
/// application: create a session from an offer, apply trickled candidates or an ICE restart, and
/// end a session. The HTTP layer handles content types, authentication, CORS and status codes.
/// A session URL names one resource of one kind: <c>/whep/{id}</c> never reaches a WHIP session.
/// </summary>
public interface IWhipResourceHandler
{
    /// <summary>RFC 9725 §4.2: creates a session for <paramref name="offerSdp"/> and returns its answer.</summary>
    ValueTask<WhipCreateResult> CreateAsync(WhipResourceKind kind, string offerSdp, CancellationToken cancellationToken);

    /// <summary>RFC 9725 §4.3: applies a trickle-ICE fragment (candidates, or new credentials for an ICE restart).</summary>
    ValueTask<WhipPatchResult> PatchAsync(WhipResourceKind kind, string resourceId, TrickleIceFragment fragment, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>RFC 9725 §4.2: ends the session; false when no session of <paramref name="kind"/> exists at <paramref name="resourceId"/>.</summary>
    ValueTask<bool> DeleteAsync(WhipResourceKind kind, string resourceId, CancellationToken cancellationToken);

    /// <summary>Whether a session of <paramref name="kind"/> exists at <paramref name="resourceId"/> (RFC 9725 §4.1: a GET on it gets a 2xx).</summary>
    bool Exists(WhipResourceKind kind, string resourceId);
}
