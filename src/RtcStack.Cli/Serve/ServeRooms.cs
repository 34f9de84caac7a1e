using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Serve;

/// <summary>
/// The WHIP/WHEP handler of <c>rtcstack serve</c>: <c>POST /whip</c> and <c>/whep</c> go to the echo/tone calls as
/// before; <c>POST /whip/{room}</c> publishes a room (one publisher a room, a second one gets 409) and
/// <c>POST /whep/{room}</c> views it (while the room has no publisher: 409 with Retry-After, draft-ietf-wish-whep-03 §4.2.8). A room's sessions live at
/// <c>/whip/{room}/{id}</c> and <c>/whep/{room}/{id}</c> (PATCH, DELETE, GET); DELETE of the publisher (or its end for
/// any reason) ends the room and closes its viewers (RTCP BYE, DTLS close_notify).
/// </summary>
internal sealed class ServeRooms : IWhipRoomResourceHandler
{
    private readonly SessionWhipHandlerGroup<WebRtcSession> _calls;
    private readonly SessionWhipHandlerGroup<WebRtcSession> _sessions;
    private readonly ConcurrentDictionary<string, ServeRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private long _roomsEnded;

    /// <summary>Creates the handler: <paramref name="calls"/> answers the echo/tone calls, <paramref name="rooms"/> the rooms' sessions (its callbacks are set here).</summary>
    public ServeRooms(SessionWhipHandlerGroup<WebRtcSession> calls, SessionWhipHandlerGroup<WebRtcSession> rooms, ILogger log)
    {
        _calls = calls;
        _sessions = rooms;
        _log = log;
        foreach (SessionWhipHandler<WebRtcSession> h in rooms.Handlers)
        {
            h.Event = OnEvent;
            h.Activity = OnActivity;
            h.Removed = OnRemoved;
        }
    }

    /// <summary>Gets the room sessions' handlers (one per host).</summary>
    public SessionWhipHandlerGroup<WebRtcSession> Sessions => _sessions;

    /// <summary>Gets the rooms that have a publisher.</summary>
    public IEnumerable<ServeRoom> Rooms => _rooms.Values;

    /// <summary>Gets how many rooms have ended (their publisher left).</summary>
    public long RoomsEnded => Interlocked.Read(ref _roomsEnded);

    /// <summary>A room name: 1 to 64 letters, digits, '.', '_' or '-' (it is written into URLs and logs as it is).</summary>
    public static bool IsRoomName(string room) =>
        room.Length is >= 1 and <= 64 && room.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <inheritdoc/>
    public ValueTask<WhipCreateResult> CreateAsync(WhipResourceKind kind, string offerSdp, CancellationToken cancellationToken) =>
        _calls.CreateAsync(kind, offerSdp, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<WhipCreateResult> CreateInRoomAsync(WhipResourceKind kind, string room, string offerSdp, CancellationToken cancellationToken)
    {
        if (!IsRoomName(room))
        {
            return WhipCreateResult.Rejected(400, "a room name is 1 to 64 letters, digits, '.', '_' or '-'");
        }

        if (kind == WhipResourceKind.Whip)
        {
            // The room is claimed before its session is made, so two publishers racing for it cannot both get it.
            var made = new ServeRoom(room, _log);
            if (!_rooms.TryAdd(room, made))
            {
                return WhipCreateResult.Rejected(409, $"room {room} already has a publisher (one a room)");
            }

            WhipCreateResult result = await _sessions.CreateAsync(kind, offerSdp, cancellationToken).ConfigureAwait(false);
            if (result.ResourceId is null || Find(result.ResourceId) is not SessionResource<WebRtcSession> r)
            {
                _rooms.TryRemove(new KeyValuePair<string, ServeRoom>(room, made));
                return result.ResourceId is null ? result : WhipCreateResult.Rejected(422, "the session ended before the answer was sent");
            }

            string? error = made.AttachPublisher(r);
            if (error is not null || r.Handle.IsRemoved)
            {
                // Removed while it was attached (its Removed callback may have missed the room): end it here.
                await _sessions.DeleteAsync(kind, r.Id, cancellationToken).ConfigureAwait(false);
                await EndRoomAsync(made).ConfigureAwait(false);
                return WhipCreateResult.Rejected(422, error ?? "the session ended before the answer was sent");
            }

            _log.LogInformation("room {Room}: published by {Label} ({Codec}, {Layers} layer(s))", room, r.Label, made.VideoCodec ?? "no video", made.LayerCount);
            return result;
        }

        if (kind != WhipResourceKind.Whep || !_rooms.TryGetValue(room, out ServeRoom? target) || !target.HasPublisher)
        {
            // draft-ietf-wish-whep-03 §4.2.8: no live publication → 409 Conflict with Retry-After.
            return WhipCreateResult.NotPublished($"nothing is published in room {room} now (POST /whip/{room} publishes it)", TimeSpan.FromSeconds(5));
        }

        WhipCreateResult viewer = await _sessions.CreateAsync(kind, offerSdp, cancellationToken).ConfigureAwait(false);
        if (viewer.ResourceId is null)
        {
            return viewer;
        }

        if (Find(viewer.ResourceId) is not SessionResource<WebRtcSession> v || !target.AttachViewer(v))
        {
            await _sessions.DeleteAsync(kind, viewer.ResourceId, cancellationToken).ConfigureAwait(false);
            return WhipCreateResult.NotPublished($"room {room} ended while the viewer was added", TimeSpan.FromSeconds(5));
        }

        return viewer;
    }

    /// <inheritdoc/>
    public ValueTask<WhipPatchResult> PatchAsync(WhipResourceKind kind, string resourceId, TrickleIceFragment fragment, string? ifMatch, CancellationToken cancellationToken) =>
        Owner(kind, resourceId).PatchAsync(kind, resourceId, fragment, ifMatch, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(WhipResourceKind kind, string resourceId, CancellationToken cancellationToken) =>
        Owner(kind, resourceId).DeleteAsync(kind, resourceId, cancellationToken);

    /// <inheritdoc/>
    public bool Exists(WhipResourceKind kind, string resourceId) => _calls.Exists(kind, resourceId);

    /// <inheritdoc/>
    public bool Exists(WhipResourceKind kind, string room, string resourceId) =>
        _sessions.Exists(kind, resourceId) && Find(resourceId)?.Tag is ServeRoom.Member m && m.Room.Name == room;

    /// <summary>Closes every room session (shutdown).</summary>
    public void CloseAll() => _sessions.CloseAll();

    /// <summary>Writes the rooms for /status: each viewer's layer and estimate.</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteNumber("roomsEnded", RoomsEnded);
        w.WriteStartArray("rooms");
        foreach (ServeRoom room in _rooms.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            room.WriteJson(w);
        }

        w.WriteEndArray();
    }

    private SessionWhipHandlerGroup<WebRtcSession> Owner(WhipResourceKind kind, string resourceId) =>
        _calls.Exists(kind, resourceId) ? _calls : _sessions;

    private SessionResource<WebRtcSession>? Find(string id)
    {
        foreach (SessionWhipHandler<WebRtcSession> h in _sessions.Handlers)
        {
            if (h.Resources.TryGetValue(id, out SessionResource<WebRtcSession>? r))
            {
                return r;
            }
        }

        return null;
    }

    // Under the session's lock.
    private void OnEvent(SessionResource<WebRtcSession> r, object e)
    {
        if (r.Tag is ServeRoom.Member m)
        {
            m.OnEvent(e);
        }
    }

    // Under the session's lock, after every input: the publisher forwards what it received.
    private void OnActivity(SessionResource<WebRtcSession> r, TimeSpan now)
    {
        if (r.Tag is ServeRoom.Member { IsPublisher: true } m)
        {
            m.Room.OnPublisherActivity(now);
        }
    }

    // After a room session was closed and removed (not under a lock).
    private void OnRemoved(SessionResource<WebRtcSession> r)
    {
        if (r.Tag is not ServeRoom.Member m)
        {
            return;
        }

        m.Removed = true;
        if (m.IsPublisher)
        {
            // Runs to its end at once (each DELETE completes synchronously); the task only carries the form.
            _ = EndRoomAsync(m.Room);
        }
    }

    // The publisher left: the room is gone, and each of its viewers is closed (BYE, close_notify) and removed.
    private async Task EndRoomAsync(ServeRoom room)
    {
        if (!room.TryEnd())
        {
            return;
        }

        _rooms.TryRemove(new KeyValuePair<string, ServeRoom>(room.Name, room));
        Interlocked.Increment(ref _roomsEnded);
        int viewers = 0;
        foreach (ServeRoom.Member v in room.Viewers)
        {
            viewers++;
            await _sessions.DeleteAsync(WhipResourceKind.Whep, v.Resource.Id, CancellationToken.None).ConfigureAwait(false);
        }

        _log.LogInformation("room {Room}: the publisher left; {Viewers} viewer(s) closed", room.Name, viewers);
    }
}
