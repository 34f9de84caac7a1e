namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// An <see cref="IWhipResourceHandler"/> whose endpoint also takes a room name: <c>POST {pattern}/{room}</c> creates a
/// session in that room (a WHIP publisher, a WHEP viewer) and its session URL is <c>{pattern}/{room}/{id}</c>. Rooms are
/// the application's (what a room is, who may join it, which status answers a refusal); the HTTP layer only routes.
/// </summary>
/// <remarks>
/// <see cref="WhipEndpointRouteBuilderExtensions.MapWhip"/> maps the room routes when the handler implements this
/// interface. <c>{pattern}/{x}</c> is then both a room's endpoint (POST) and a session URL without a room (PATCH, DELETE,
/// GET): the two are told apart by the method, and a GET on it answers for the session.
/// </remarks>
public interface IWhipRoomResourceHandler : IWhipResourceHandler
{
    /// <summary>RFC 9725 §4.2: creates a session in <paramref name="room"/> (the route value, unescaped) for <paramref name="offerSdp"/>.</summary>
    ValueTask<WhipCreateResult> CreateInRoomAsync(WhipResourceKind kind, string room, string offerSdp, CancellationToken cancellationToken);

    /// <summary>Whether a session of <paramref name="kind"/> exists at <paramref name="resourceId"/> in <paramref name="room"/>: a room session URL names both.</summary>
    bool Exists(WhipResourceKind kind, string room, string resourceId);
}
