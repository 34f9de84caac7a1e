using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RtcStack.Sdp;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// One test per RFC 9725 server-side requirement that <see cref="WhipEndpointTests"/> does not already check
/// (see specs/rfc9725.md). No call is connected here: the sessions only need an accepted offer, so each test
/// is a few HTTP requests on loopback.
/// </summary>
/// <typeparam name="TSession">The server's session type: every requirement is checked on both cores while both exist.</typeparam>
public abstract class WhipConformanceTests<TSession> : IAsyncLifetime
    where TSession : class, ISignalledSession
{
    private protected const string Token = "t0ken";
    private const string FragmentType = "application/trickle-ice-sdpfrag";
    private WhipTestServer<TSession> _server = null!;
    private UdpSessionHost _host = null!;
    private SessionWhipHandler<TSession> _handler = null!;
    private TestPageHost _web = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await StartServerAsync();
        (_host, _handler, _web, _http) = (_server.Host, _server.Handler, _server.Web, _server.Http);
    }

    private protected abstract Task<WhipTestServer<TSession>> StartServerAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Offer(int seed, MediaDirection direction = MediaDirection.SendRecv)
    {
        using var client = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(seed));
        client.AddTransceiver(RtcStack.WebRtc.Jsep.MediaKind.Audio, direction);
        return SessionWhipHandlerTests.StripCandidates(client.CreateOffer(TimeSpan.Zero));
    }

    private static StringContent Fragment(string text, string type = FragmentType) => new(text, Encoding.UTF8, type);

    private async Task<(Uri Location, string ETag, string Answer)> CreateAsync(int seed, MediaDirection direction = MediaDirection.SendRecv)
    {
        using HttpResponseMessage post = await _http.PostAsync("/whip", new StringContent(Offer(seed, direction), Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        return (post.Headers.Location!, post.Headers.ETag!.Tag, await post.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PatchAsync(Uri location, string body, string? ifMatch, string type = FragmentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Fragment(body, type) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task OtherMethodsOnTheEndpointAndSessionUrlsAre405()
    {
        // 405 for any method but GET/HEAD, OPTIONS and POST on the endpoint URL, and (besides the OPTIONS we keep for
        // CORS pre-flight) any method but GET/HEAD, PATCH and DELETE on a session URL (draft-ietf-wish-whip's rule;
        // RFC 9725 itself only fixes GET, tested below).
        (Uri location, _, _) = await CreateAsync(4001);
        foreach (string method in new[] { "PUT", "PATCH", "DELETE" })
        {
            using HttpResponseMessage r = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/whip"));
            Assert.True(r.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} /whip gave {(int)r.StatusCode}");
        }

        foreach (string method in new[] { "POST", "PUT" })
        {
            using HttpResponseMessage r = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), location));
            Assert.True(r.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} on the session gave {(int)r.StatusCode}");
        }

        Assert.Single(_handler.Resources);
    }

    [Fact]
    public async Task GetOnTheEndpointAndSessionUrlsIsASuccessWithNoContent()
    {
        // RFC 9725 §4.1: "the WHIP endpoints and sessions MUST return a 2xx successful response with no content when
        // a GET request is received"; HEAD answers as GET. A session URL that names no session is 404.
        (Uri location, _, _) = await CreateAsync(4012);
        foreach (string method in new[] { "GET", "HEAD" })
        {
            foreach (string url in new[] { "/whip", location.ToString() })
            {
                using HttpResponseMessage r = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
                Assert.True(r.StatusCode == HttpStatusCode.NoContent, $"{method} {url} gave {(int)r.StatusCode}");
                Assert.Empty(await r.Content.ReadAsByteArrayAsync());
            }
        }

        using HttpResponseMessage gone = await _http.GetAsync(new Uri("/whip/no-such-session", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Single(_handler.Resources);
    }

    [Fact]
    public async Task EachPostCreatesItsOwnSessionUrl()
    {
        (Uri a, string etagA, _) = await CreateAsync(4002);
        (Uri b, string etagB, _) = await CreateAsync(4003);
        Assert.NotEqual(a, b);
        Assert.NotEqual(etagA, etagB);
        Assert.Equal(2, _handler.Resources.Count);
    }

    [Fact]
    public async Task TheAnswerToASendonlyOfferIsRecvonly()
    {
        // RFC 9725 §4.2: the WHIP endpoint MUST use "recvonly" in the answer (to a sendonly offer; see the
        // deviation in specs/rfc9725.md for sendrecv offers).
        (_, _, string answer) = await CreateAsync(4004, MediaDirection.SendOnly);
        Assert.True(SessionDescription.TryParse(answer.AsSpan(), out SessionDescription? sdp, out _));
        Assert.Equal(MediaDirection.RecvOnly, sdp!.GetEffectiveDirection(sdp.FindMedia("0")!));
    }

    [Fact]
    public async Task WhepAnswersARecvonlyOfferSendonly()
    {
        // draft-ietf-wish-whep: a player's recvonly offer is answered "sendonly", with 201, Location and ETag.
        using HttpResponseMessage post = await _http.PostAsync("/whep", new StringContent(Offer(4012, MediaDirection.RecvOnly), Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.StartsWith("/whep/", post.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.NotNull(post.Headers.ETag);
        Assert.True(SessionDescription.TryParse((await post.Content.ReadAsStringAsync()).AsSpan(), out SessionDescription? sdp, out _));
        Assert.Equal(MediaDirection.SendOnly, sdp!.GetEffectiveDirection(sdp.FindMedia("0")!));
        Assert.Equal(WhipResourceKind.Whep, Assert.Single(_handler.Resources).Value.Kind);
    }

    [Fact]
    public async Task PatchWithoutIfMatchIs428AndATrickleIs204WithoutETagOrBody()
    {
        (Uri location, string etag, _) = await CreateAsync(4005);
        const string candidates = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
            + "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n";

        // RFC 9725 §4.3.1 / RFC 6585 §3: a missing entity tag is 428.
        using HttpResponseMessage missing = await PatchAsync(location, candidates, null);
        Assert.Equal((HttpStatusCode)428, missing.StatusCode);

        // §4.3.2: 204 without a body and without an ETag.
        using HttpResponseMessage trickled = await PatchAsync(location, candidates, etag);
        Assert.Equal(HttpStatusCode.NoContent, trickled.StatusCode);
        Assert.Null(trickled.Headers.ETag);
        Assert.Empty(await trickled.Content.ReadAsByteArrayAsync());

        // §4.3.2: candidates with an unsupported transport (TCP) or an address we cannot resolve (mDNS) are
        // silently discarded; the request still succeeds, and the rest of it (end-of-candidates) is applied.
        const string unusable = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
            + "a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active\r\n"
            + "a=candidate:3 1 udp 2122260223 2b4c1f6e-7d2a-4f3b-9a6e-1c2d3e4f5a6b.local 50001 typ host\r\n"
            + "a=end-of-candidates\r\n";
        using HttpResponseMessage discarded = await PatchAsync(location, unusable, etag);
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
    }

    [Fact]
    public async Task PatchBodiesMustBeWellFormedTrickleIceFragments()
    {
        (Uri location, string etag, _) = await CreateAsync(4006);

        // §4.3.1: another content type, or a malformed fragment, is a 4xx (415 and 400 here).
        using HttpResponseMessage wrongType = await PatchAsync(location, "a=end-of-candidates\r\n", etag, "application/sdp");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        using HttpResponseMessage malformed = await PatchAsync(location, "a=mid:0\r\n", etag);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using HttpResponseMessage notSdp = await PatchAsync(location, "hello\r\n", etag);
        Assert.Equal(HttpStatusCode.BadRequest, notSdp.StatusCode);
        Assert.Single(_handler.Resources);
    }

    [Fact]
    public async Task IceRestartWithIfMatchStarAnswers200WithANewETagAndRetiresTheOldOne()
    {
        (Uri location, string etag, string created) = await CreateAsync(4007);
        const string restart = "a=ice-ufrag:rstA\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";

        // §4.3.3: If-Match "*"; 200 with an application/trickle-ice-sdpfrag body carrying the new ufrag/pwd
        // and the new entity-tag in ETag.
        using HttpResponseMessage restarted = await PatchAsync(location, restart, "*");
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        Assert.Equal(FragmentType, restarted.Content.Headers.ContentType!.MediaType);
        string newETag = restarted.Headers.ETag!.Tag;
        Assert.NotEqual(etag, newETag);
        Assert.True(TrickleIceFragment.TryParse(await restarted.Content.ReadAsStringAsync(), out TrickleIceFragment? answer, out string? error), error);
        Assert.NotNull(answer!.IceUfrag);
        Assert.NotNull(answer.IcePwd);
        Assert.Equal("0", Assert.Single(answer.Media).Mid);

        // §4.3.3: the response carries the same ice-options as the answer (we write no ice-pacing or ice-lite).
        SessionDescription sdp = SessionDescription.Parse(created);
        Assert.Equal(string.Join(' ', sdp.GetEffectiveIceOptions(sdp.MediaDescriptions[0])), answer.IceOptions);
        Assert.Equal("trickle", answer.IceOptions);

        // §4.3.1: the old entity-tag no longer matches (412); the new one does.
        const string trickle = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50002 typ host\r\n";
        using HttpResponseMessage stale = await PatchAsync(location, trickle, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using HttpResponseMessage fresh = await PatchAsync(location, trickle, newETag);
        Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
        Assert.Single(_handler.Resources);
    }

    [Theory]
    [InlineData("a=ice-ufrag:ab\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")]
    [InlineData("a=ice-ufrag:\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")]
    [InlineData("a=ice-ufrag:rstB\r\na=ice-pwd:short\r\n")]
    [InlineData("a=ice-ufrag:r st\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")]
    public async Task AnIceRestartThatCannotBeDoneIsRefusedAndKeepsTheSession(string fragment)
    {
        // §4.3.3: an error status, the session is not terminated and the existing ICE session is kept.
        (Uri location, string etag, _) = await CreateAsync(4011);
        SessionResource<TSession> r = Assert.Single(_handler.Resources).Value;
        string ufrag = r.Handle.Invoke(_ => r.Session.LocalIceUfrag);
        using HttpResponseMessage refused = await PatchAsync(location, fragment + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", "*");
        Assert.Equal((HttpStatusCode)422, refused.StatusCode);
        Assert.Null(refused.Headers.ETag);
        Assert.Equal(ufrag, r.Handle.Invoke(_ => r.Session.LocalIceUfrag));
        using HttpResponseMessage trickled = await PatchAsync(location, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=end-of-candidates\r\n", etag);
        Assert.Equal(HttpStatusCode.NoContent, trickled.StatusCode);
        Assert.Single(_handler.Resources);
    }

    [Fact]
    public async Task DeleteIgnoresEntityTags()
    {
        // §4.3.1: sessions MUST ignore entity-tags where ICE session matching is not required (DELETE).
        (Uri location, _, _) = await CreateAsync(4008);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, location);
        delete.Headers.TryAddWithoutValidation("If-Match", "\"not-the-etag\"");
        using HttpResponseMessage deleted = await _http.SendAsync(delete);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Empty(_handler.Resources);
    }

    [Fact]
    public async Task EveryRequestButThePreflightNeedsTheBearerToken()
    {
        // §4.7.1: the token is checked on the endpoint and on the session URL; OPTIONS (CORS pre-flight) is not.
        (Uri location, string etag, _) = await CreateAsync(4009);
        using var anonymous = new HttpClient { BaseAddress = new Uri(_web.BaseAddress) };
        using var wrong = new HttpClient { BaseAddress = new Uri(_web.BaseAddress) };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "nope");
        foreach (HttpClient c in new[] { anonymous, wrong })
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Fragment("a=end-of-candidates\r\n") };
            patch.Headers.TryAddWithoutValidation("If-Match", etag);
            using HttpResponseMessage patched = await c.SendAsync(patch);
            Assert.Equal(HttpStatusCode.Unauthorized, patched.StatusCode);
            using HttpResponseMessage deleted = await c.DeleteAsync(location);
            Assert.Equal(HttpStatusCode.Unauthorized, deleted.StatusCode);
            using HttpResponseMessage posted = await c.PostAsync("/whip", new StringContent(Offer(4010), Encoding.UTF8, "application/sdp"));
            Assert.Equal(HttpStatusCode.Unauthorized, posted.StatusCode);
            using HttpResponseMessage got = await c.GetAsync(location);
            Assert.Equal(HttpStatusCode.Unauthorized, got.StatusCode);
        }

        using HttpResponseMessage preflight = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Options, location));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(FragmentType, preflight.Headers.GetValues("Accept-Patch").Single());
        Assert.Single(_handler.Resources);
    }
}

/// <summary>RFC 9725 server requirements on session core v2, <see cref="WebRtcSession"/>.</summary>
public sealed class WhipConformanceV2Tests : WhipConformanceTests<WebRtcSession>
{
    private protected override async Task<WhipTestServer<WebRtcSession>> StartServerAsync() => await WebRtcWhipTestServer.StartAsync(Token);
}
