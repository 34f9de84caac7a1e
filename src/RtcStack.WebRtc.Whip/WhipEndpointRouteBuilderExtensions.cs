using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// Maps WHIP (RFC 9725) and WHEP endpoints onto an ASP.NET Core application:
/// <c>POST {pattern}</c> with <c>application/sdp</c> creates a session (201, Location, ETag, answer);
/// <c>PATCH {pattern}/{id}</c> with <c>application/trickle-ice-sdpfrag</c> trickles candidates (204) or
/// restarts ICE (200); <c>DELETE {pattern}/{id}</c> ends it; <c>OPTIONS</c> answers CORS pre-flight
/// requests and advertises ICE servers. A handler with rooms (<see cref="IWhipRoomResourceHandler"/>) also gets
/// <c>POST {pattern}/{room}</c>, whose sessions live at <c>{pattern}/{room}/{id}</c>.
/// </summary>
/// <remarks>
/// Every refusal is a 4xx or 5xx with a plain-text reason: 401 no or wrong bearer token, 413 body over the limit,
/// 415 wrong content type, 429 a client creating sessions too fast, 503 no capacity (both with Retry-After), 500
/// an exception in the handler (the request ends; other sessions are not touched). A session URL acts only on
/// the session it names, and only under the endpoint that created it.
/// </remarks>
public static class WhipEndpointRouteBuilderExtensions
{
    private const string SdpType = "application/sdp";
    private const string FragmentType = "application/trickle-ice-sdpfrag";

    /// <summary>Maps a WHIP or WHEP endpoint at <paramref name="pattern"/> (e.g. <c>/whip</c>).</summary>
    public static IEndpointRouteBuilder MapWhip(this IEndpointRouteBuilder endpoints, string pattern, WhipResourceKind kind, IWhipResourceHandler handler, WhipEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(pattern);
        options ??= new WhipEndpointOptions();
        string basePath = pattern.TrimEnd('/');
        string resourcePattern = basePath + "/{id}";

        endpoints.MapMethods(basePath, ["OPTIONS"], ctx =>
        {
            AddCors(ctx, options, "POST, OPTIONS");
            ctx.Response.Headers["Accept-Post"] = SdpType;
            AddLinks(ctx, options);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        bool hasRooms = handler is IWhipRoomResourceHandler;
        endpoints.MapMethods(resourcePattern, ["OPTIONS"], ctx =>
        {
            // With rooms, {pattern}/{x} is also a room's endpoint (POST).
            AddCors(ctx, options, hasRooms ? "POST, PATCH, DELETE, OPTIONS" : "PATCH, DELETE, OPTIONS");
            ctx.Response.Headers["Accept-Patch"] = FragmentType;
            if (hasRooms)
            {
                ctx.Response.Headers["Accept-Post"] = SdpType;
                AddLinks(ctx, options);
            }

            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });

        // RFC 9725 §4.1: the endpoint and session resources have no representation, and a GET on them MUST get a
        // 2xx with no content (HEAD answers as GET, RFC 9110 §9.3.2). An unknown session URL is not a resource: 404.
        endpoints.MapMethods(basePath, ["GET", "HEAD"], async ctx =>
        {
            AddCors(ctx, options, "POST, OPTIONS");
            if (!IsAuthorized(ctx.Request, options))
            {
                await Unauthorized(ctx).ConfigureAwait(false);
                return;
            }

            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        endpoints.MapMethods(resourcePattern, ["GET", "HEAD"], ctx => GuardAsync(ctx, async () =>
        {
            AddCors(ctx, options, "PATCH, DELETE, OPTIONS");
            if (!IsAuthorized(ctx.Request, options))
            {
                await Unauthorized(ctx).ConfigureAwait(false);
                return;
            }

            if (handler.Exists(kind, (string)ctx.Request.RouteValues["id"]!))
            {
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await Problem(ctx, 404, "no such session").ConfigureAwait(false);
        }));

        endpoints.MapPost(basePath, ctx => GuardAsync(ctx, () => CreateAsync(ctx, options, basePath, (offer, ct) => handler.CreateAsync(kind, offer, ct))));

        endpoints.MapPatch(resourcePattern, ctx => GuardAsync(ctx, () => PatchAsync(ctx, options, handler, kind, room: null)));
        endpoints.MapDelete(resourcePattern, ctx => GuardAsync(ctx, () => DeleteAsync(ctx, options, handler, kind, room: null)));
        if (handler is IWhipRoomResourceHandler rooms)
        {
            MapRooms(endpoints, basePath, kind, rooms, options);
        }

        return endpoints;
    }

    // The room routes of a handler that has rooms: POST {base}/{room} creates a session in the room (its Location is
    // {base}/{room}/{id}), and the session URL {base}/{room}/{id} takes PATCH, DELETE, GET and OPTIONS like {base}/{id}.
    private static void MapRooms(IEndpointRouteBuilder endpoints, string basePath, WhipResourceKind kind, IWhipRoomResourceHandler handler, WhipEndpointOptions options)
    {
        string roomPattern = basePath + "/{room}";
        string sessionPattern = roomPattern + "/{id}";
        endpoints.MapPost(roomPattern, ctx => GuardAsync(ctx, () =>
        {
            string room = (string)ctx.Request.RouteValues["room"]!;
            return CreateAsync(ctx, options, basePath + "/" + Uri.EscapeDataString(room), (offer, ct) => handler.CreateInRoomAsync(kind, room, offer, ct));
        }));
        endpoints.MapMethods(sessionPattern, ["OPTIONS"], ctx =>
        {
            AddCors(ctx, options, "PATCH, DELETE, OPTIONS");
            ctx.Response.Headers["Accept-Patch"] = FragmentType;
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        endpoints.MapMethods(sessionPattern, ["GET", "HEAD"], ctx => GuardAsync(ctx, async () =>
        {
            AddCors(ctx, options, "PATCH, DELETE, OPTIONS");
            if (!IsAuthorized(ctx.Request, options))
            {
                await Unauthorized(ctx).ConfigureAwait(false);
                return;
            }

            if (handler.Exists(kind, (string)ctx.Request.RouteValues["room"]!, (string)ctx.Request.RouteValues["id"]!))
            {
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await Problem(ctx, 404, "no such session").ConfigureAwait(false);
        }));
        endpoints.MapPatch(sessionPattern, ctx => GuardAsync(ctx, () => PatchAsync(ctx, options, handler, kind, (string)ctx.Request.RouteValues["room"]!)));
        endpoints.MapDelete(sessionPattern, ctx => GuardAsync(ctx, () => DeleteAsync(ctx, options, handler, kind, (string)ctx.Request.RouteValues["room"]!)));
    }

    // RFC 9725 §4.2: an offer in, a session (201, Location under locationBase, ETag, answer) out, or a refusal.
    private static async Task CreateAsync(HttpContext ctx, WhipEndpointOptions options, string locationBase, Func<string, CancellationToken, ValueTask<WhipCreateResult>> create)
    {
        AddCors(ctx, options, "POST, OPTIONS");
        if (!IsAuthorized(ctx.Request, options))
        {
            await Unauthorized(ctx).ConfigureAwait(false);
            return;
        }

        if (!HasContentType(ctx.Request, SdpType))
        {
            await Problem(ctx, 415, $"the offer must be sent as Content-Type: {SdpType} (RFC 9725 §4.2)").ConfigureAwait(false);
            return;
        }

        string? offer = await ReadBodyAsync(ctx.Request, options.MaxOfferBytes, ctx.RequestAborted).ConfigureAwait(false);
        if (offer is null)
        {
            await Problem(ctx, 413, $"the offer is larger than {options.MaxOfferBytes} bytes").ConfigureAwait(false);
            return;
        }

        // RFC 6585 §4: a client creating sessions faster than its budget waits (counted after the cheap checks,
        // so requests refused for their form cost no token).
        if (options.RateLimiter is ClientRateLimiter limiter && !limiter.TryAcquire(ctx.Connection.RemoteIpAddress, out TimeSpan wait))
        {
            SetRetryAfter(ctx, wait);
            await Problem(ctx, 429, $"too many sessions from this client: at most {options.SessionBurstPerClient} at once and {options.SessionsPerSecondPerClient.ToString(CultureInfo.InvariantCulture)} per second").ConfigureAwait(false);
            return;
        }

        WhipCreateResult result = await create(offer, ctx.RequestAborted).ConfigureAwait(false);
        if (result.ResourceId is null || result.AnswerSdp is null)
        {
            if (result.RetryAfter is TimeSpan retry)
            {
                SetRetryAfter(ctx, retry);
            }

            await Problem(ctx, result.ErrorStatus == 0 ? 400 : result.ErrorStatus, result.ErrorMessage ?? "offer refused").ConfigureAwait(false);
            return;
        }

        ctx.Response.Headers.Location = locationBase + "/" + Uri.EscapeDataString(result.ResourceId);
        if (result.ETag is not null)
        {
            ctx.Response.Headers.ETag = Quote(result.ETag);
        }

        AddLinks(ctx, options);
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        ctx.Response.ContentType = SdpType;
        await WriteBodyAsync(ctx, result.AnswerSdp).ConfigureAwait(false);
    }

    // RFC 9725 §4.3: trickle or ICE restart on the session the URL names (in the room it names, when it names one).
    private static async Task PatchAsync(HttpContext ctx, WhipEndpointOptions options, IWhipResourceHandler handler, WhipResourceKind kind, string? room)
    {
        string id = (string)ctx.Request.RouteValues["id"]!;
        AddCors(ctx, options, "PATCH, DELETE, OPTIONS");
        if (!IsAuthorized(ctx.Request, options))
        {
            await Unauthorized(ctx).ConfigureAwait(false);
            return;
        }

        if (!HasContentType(ctx.Request, FragmentType))
        {
            await Problem(ctx, 415, $"PATCH bodies must be Content-Type: {FragmentType} (RFC 9725 §4.3.1)").ConfigureAwait(false);
            return;
        }

        string? body = await ReadBodyAsync(ctx.Request, options.MaxFragmentBytes, ctx.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Problem(ctx, 413, $"the fragment is larger than {options.MaxFragmentBytes} bytes").ConfigureAwait(false);
            return;
        }

        if (!TrickleIceFragment.TryParse(body, out TrickleIceFragment? fragment, out string? error))
        {
            await Problem(ctx, 400, "malformed trickle-ice-sdpfrag (RFC 8840 §9.2): " + error).ConfigureAwait(false);
            return;
        }

        if (room is not null && !((IWhipRoomResourceHandler)handler).Exists(kind, room, id))
        {
            await Problem(ctx, 404, "no such session").ConfigureAwait(false);
            return;
        }

        string? ifMatch = ctx.Request.Headers.IfMatch.Count > 0 ? Unquote(ctx.Request.Headers.IfMatch.ToString()) : null;
        WhipPatchResult result = await handler.PatchAsync(kind, id, fragment!, ifMatch, ctx.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case 204:
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case 200:
                ctx.Response.Headers.ETag = Quote(result.ETag!);
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = FragmentType;
                await WriteBodyAsync(ctx, result.AnswerFragment ?? "").ConfigureAwait(false);
                return;
            default:
                await Problem(ctx, result.Status, result.ErrorMessage ?? "refused").ConfigureAwait(false);
                return;
        }
    }

    // RFC 9725 §4.2: DELETE ends the session the URL names (in the room it names, when it names one).
    private static async Task DeleteAsync(HttpContext ctx, WhipEndpointOptions options, IWhipResourceHandler handler, WhipResourceKind kind, string? room)
    {
        string id = (string)ctx.Request.RouteValues["id"]!;
        AddCors(ctx, options, "PATCH, DELETE, OPTIONS");
        if (!IsAuthorized(ctx.Request, options))
        {
            await Unauthorized(ctx).ConfigureAwait(false);
            return;
        }

        if ((room is null || ((IWhipRoomResourceHandler)handler).Exists(kind, room, id)) && await handler.DeleteAsync(kind, id, ctx.RequestAborted).ConfigureAwait(false))
        {
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        await Problem(ctx, 404, "no such session").ConfigureAwait(false);
    }

    /// <summary>
    /// Whether <paramref name="request"/> may use endpoints protected by <paramref name="options"/>: any request when
    /// <see cref="WhipEndpointOptions.BearerToken"/> is null, otherwise one with <c>Authorization: Bearer</c> and that
    /// token (RFC 6750 §2.1), compared in constant time (both sides are hashed first, so neither the contents nor
    /// the length of the token leak through timing). Other endpoints of the application (a status page) use it to
    /// follow the same rule.
    /// </summary>
    public static bool IsAuthorized(HttpRequest request, WhipEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BearerToken is null)
        {
            return true;
        }

        string header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), given);
        SHA256.HashData(Encoding.UTF8.GetBytes(options.BearerToken), expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    /// <summary>Answers 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3) and a reason.</summary>
    public static Task Unauthorized(HttpContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        return Problem(ctx, 401, "a valid bearer token is required (Authorization: Bearer <token>)");
    }

    // An exception in the handler or while reading the request ends this request with a 500 and a reason (when the
    // response has not started), never the server or another session.
    private static async Task GuardAsync(HttpContext ctx, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (e is not OutOfMemoryException && !ctx.Response.HasStarted)
        {
            ctx.Response.Clear();
            await Problem(ctx, 500, $"internal error ({e.GetType().Name}: {e.Message})").ConfigureAwait(false);
        }
    }

    private static Task Problem(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return WriteBodyAsync(ctx, message + "\n");
    }

    // The whole body with its Content-Length (RFC 9112 §6.2), in one write: the status, headers and body leave in one
    // send, and the client knows the body is complete with its last byte. Without a length Kestrel sends the body
    // chunked and its terminating chunk in a second send when the request delegate returns, which the client has to
    // wait for before fetch()'s text() resolves (the WHIP answer on the connect-time benchmark's critical path).
    private static Task WriteBodyAsync(HttpContext ctx, string text)
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(text);
        ctx.Response.ContentLength = body.Length;
        return ctx.Response.Body.WriteAsync(body.AsMemory(), ctx.RequestAborted).AsTask();
    }

    private static void SetRetryAfter(HttpContext ctx, TimeSpan wait) =>
        ctx.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static bool HasContentType(HttpRequest request, string expected) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) &&
        string.Equals(parsed.MediaType.Value, expected, StringComparison.OrdinalIgnoreCase);

    private static async Task<string?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        byte[] buffer = new byte[Math.Min(limit, 4096)];
        using var body = new MemoryStream();
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > limit)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
    }

    private static void AddCors(HttpContext ctx, WhipEndpointOptions options, string methods)
    {
        string? origin = ctx.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin) || options.AllowedOrigins.Count == 0)
        {
            return;
        }

        bool any = options.AllowedOrigins.Contains("*");
        if (!any && !options.AllowedOrigins.Contains(origin))
        {
            return;
        }

        IHeaderDictionary h = ctx.Response.Headers;
        h.AccessControlAllowOrigin = any ? "*" : origin;
        h.AccessControlAllowMethods = methods;
        h.AccessControlAllowHeaders = "Authorization, Content-Type, If-Match";
        h.AccessControlExposeHeaders = "Location, ETag, Link, Accept-Patch, Accept-Post, Retry-After";
        if (!any)
        {
            h.Vary = "Origin";
        }
    }

    private static void AddLinks(HttpContext ctx, WhipEndpointOptions options)
    {
        if (options.IceServerLinks.Count > 0)
        {
            ctx.Response.Headers.Link = options.IceServerLinks.ToArray();
        }
    }

    private static string Quote(string etag) => etag.StartsWith('"') ? etag : "\"" + etag + "\"";

    private static string Unquote(string etag) => etag.Trim().Trim('"');
}
