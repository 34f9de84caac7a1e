using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RtcStack.Sdp.Jsep;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// The WHIP/WHEP HTTP endpoints (RFC 9725) with <see cref="SessionWhipHandler{TSession}"/>, driven by HttpClient and by
/// our own <see cref="WebRtcSession"/> as the WHIP client over loopback UDP, against <see cref="WebRtcWhipHandler"/>.
/// </summary>
public sealed class WhipEndpointTests : IAsyncLifetime
{
    private const string Token = "s3cret";
    private WebRtcWhipTestServer _server = null!;
    private UdpSessionHost _host = null!;
    private SessionWhipHandler<WebRtcSession> _handler = null!;
    private TestPageHost _web = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await WebRtcWhipTestServer.StartAsync(Token, o =>
        {
            o.AllowedOrigins.Add("http://example.test");
            o.IceServerLinks.Add("<stun:127.0.0.1:3478>; rel=\"ice-server\"");
        });
        (_host, _handler, _web, _http) = (_server.Host, _server.Handler, _server.Web, _server.Http);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static StringContent Sdp(string sdp) => new(sdp, Encoding.UTF8, "application/sdp");

    private static StringContent Fragment(string text) => new(text, Encoding.UTF8, "application/trickle-ice-sdpfrag");

    private static (WebRtcSession Session, UdpSessionHandle Handle, TaskCompletionSource Connected) Client(UdpSessionHost host, int seed) =>
        SessionWhipHandlerTests.Client(host, seed);

    [Fact]
    public async Task PostCreatesASessionThatConnectsAndDeleteEndsIt()
    {
        using var clientHost = new UdpSessionHost();
        (WebRtcSession client, UdpSessionHandle h, TaskCompletionSource connected) = Client(clientHost, 3001);
        string offer = h.Invoke(now => client.CreateOffer(now));

        using HttpResponseMessage post = await _http.PostAsync("/whip", Sdp(offer));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("application/sdp", post.Content.Headers.ContentType!.MediaType);
        Uri location = post.Headers.Location!;
        Assert.StartsWith("/whip/", location.OriginalString, StringComparison.Ordinal);
        Assert.NotNull(post.Headers.ETag);
        Assert.Contains(post.Headers.GetValues("Link"), l => l.Contains("ice-server", StringComparison.Ordinal));
        string answer = await post.Content.ReadAsStringAsync();
        Assert.Contains("a=candidate:", answer, StringComparison.Ordinal);
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(_handler.Resources);

        using HttpResponseMessage delete = await _http.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Empty(_handler.Resources);
        using HttpResponseMessage again = await _http.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        await Task.Delay(300);
        // The server's BYE and close_notify reached the client.
        Assert.Equal(PeerConnectionState.Closed, h.Invoke(_ => client.State));
    }

    [Fact]
    public async Task AnswersAndRefusalsAreSentWithTheirLengthNotChunked()
    {
        // The answer and the refusals go out whole with a Content-Length (RFC 9112 §6.2), so the client has the body
        // with its last byte instead of waiting for a terminating chunk sent after the handler returns.
        using var clientHost = new UdpSessionHost();
        (WebRtcSession client, UdpSessionHandle h, _) = Client(clientHost, 3005);
        string offer = SessionWhipHandlerTests.StripCandidates(h.Invoke(now => client.CreateOffer(now)));
        using HttpResponseMessage post = await _http.PostAsync("/whip", Sdp(offer));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string answer = await post.Content.ReadAsStringAsync();
        Assert.Contains("a=fingerprint:", answer, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(answer), post.Content.Headers.ContentLength);
        Assert.NotEqual(true, post.Headers.TransferEncodingChunked);

        using HttpResponseMessage notSdp = await _http.PostAsync("/whip", Sdp("this is not SDP"));
        Assert.Equal((HttpStatusCode)422, notSdp.StatusCode);
        string reason = await notSdp.Content.ReadAsStringAsync();
        Assert.Equal(Encoding.UTF8.GetByteCount(reason), notSdp.Content.Headers.ContentLength);
        Assert.NotEqual(true, notSdp.Headers.TransferEncodingChunked);

        using HttpResponseMessage delete = await _http.DeleteAsync(post.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
    }

    [Fact]
    public async Task RequestsAreCheckedBeforeAnythingIsCreated()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(_web.BaseAddress) };
        using HttpResponseMessage noToken = await anonymous.PostAsync("/whip", Sdp("v=0\r\n"));
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("Bearer", noToken.Headers.WwwAuthenticate.Single().Scheme);

        using HttpResponseMessage wrongType = await _http.PostAsync("/whip", new StringContent("v=0\r\n", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);

        using HttpResponseMessage notSdp = await _http.PostAsync("/whip", Sdp("this is not SDP"));
        Assert.Equal((HttpStatusCode)422, notSdp.StatusCode);
        Assert.Contains("SDP", await notSdp.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using HttpResponseMessage tooBig = await _http.PostAsync("/whip", Sdp(new string('a', 70 * 1024)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        using HttpResponseMessage unknown = await _http.PatchAsync("/whip/nope", Fragment("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(_handler.Resources);

        // CORS pre-flight for an allowed origin.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/whip");
        preflight.Headers.Add("Origin", "http://example.test");
        using HttpResponseMessage options = await anonymous.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
        Assert.Equal("http://example.test", options.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("application/sdp", options.Headers.GetValues("Accept-Post").Single());
    }

    [Fact]
    public async Task PatchTricklesCandidatesAndRestartsIce()
    {
        using var clientHost = new UdpSessionHost();
        (WebRtcSession client, UdpSessionHandle h, TaskCompletionSource connected) = Client(clientHost, 3002);
        // Offer without candidates; they follow in a PATCH (RFC 9725 §4.3.1).
        string offer = SessionWhipHandlerTests.StripCandidates(h.Invoke(now => client.CreateOffer(now)));
        using HttpResponseMessage post = await _http.PostAsync("/whip", Sdp(offer));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Uri location = post.Headers.Location!;
        string etag = post.Headers.ETag!.Tag;
        string answer = await post.Content.ReadAsStringAsync();
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));

        var frag = new TrickleIceFragment { IceUfrag = client.LocalIceUfrag, IcePwd = client.Transport.LocalCredentials.Password };
        var media = new TrickleIceMedia { Mid = "0", EndOfCandidates = true };
        foreach (string c in h.Invoke(_ => client.LocalCandidateValues()))
        {
            media.Candidates.Add(c);
        }

        frag.Media.Add(media);
        using var trickle = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Fragment(frag.ToString()) };
        trickle.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using HttpResponseMessage trickled = await _http.SendAsync(trickle);
        Assert.Equal(HttpStatusCode.NoContent, trickled.StatusCode);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // A stale ETag is refused (RFC 9725 §4.3.1).
        using var stale = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Fragment(frag.ToString()) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"old\""));
        using HttpResponseMessage refused = await _http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);

        // ICE restart: new client credentials; the server answers 200 with its own new ones and a new ETag.
        Ice.IceCredentials fresh = h.Invoke(now => client.Transport.RestartIce(now));
        var restartFrag = new TrickleIceFragment { IceUfrag = fresh.Ufrag, IcePwd = fresh.Password };
        var rm = new TrickleIceMedia { Mid = "0", EndOfCandidates = true };
        foreach (string c in h.Invoke(_ => client.LocalCandidateValues()))
        {
            rm.Candidates.Add(c);
        }

        restartFrag.Media.Add(rm);
        using var restart = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Fragment(restartFrag.ToString()) };
        restart.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using HttpResponseMessage restarted = await _http.SendAsync(restart);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        Assert.Equal("application/trickle-ice-sdpfrag", restarted.Content.Headers.ContentType!.MediaType);
        Assert.NotEqual(etag, restarted.Headers.ETag!.Tag);
        Assert.True(TrickleIceFragment.TryParse(await restarted.Content.ReadAsStringAsync(), out TrickleIceFragment? serverFrag, out string? parseError), parseError);
        Assert.NotNull(serverFrag!.IceUfrag);
        Assert.Equal(restarted.Headers.ETag!.Tag.Trim('"'), serverFrag.IceUfrag);
        h.Invoke(now =>
        {
            client.Transport.SetRemoteIceCredentials(new Ice.IceCredentials(serverFrag.IceUfrag!, serverFrag.IcePwd!), now);
            foreach (string c in serverFrag.Media[0].Candidates)
            {
                client.AddRemoteCandidate(c, now);
            }
        });
        await Task.Delay(1500);
        SessionResource<WebRtcSession> r = Assert.Single(_handler.Resources).Value;
        Assert.Equal(PeerConnectionState.Connected, h.Invoke(_ => client.State));
        Assert.Equal(serverFrag.IceUfrag, r.Handle.Invoke(_ => r.Session.LocalIceUfrag));
        Assert.Contains(h.Invoke(_ => client.Transport.IceAgent!.ConnectionState), new[] { Ice.IceConnectionState.Connected, Ice.IceConnectionState.Completed });
        Assert.Equal(fresh.Ufrag, h.Invoke(_ => client.LocalIceUfrag));
    }

    [Theory]
    [InlineData("a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n", 1, true)]
    [InlineData("a=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\na=candidate:2 1 udp 1 127.0.0.1 5001 typ host\n", 2, false)]
    public void FragmentsParse(string text, int candidates, bool end)
    {
        Assert.True(TrickleIceFragment.TryParse(text, out TrickleIceFragment? f, out string? error), error);
        TrickleIceMedia m = Assert.Single(f!.Media);
        Assert.Equal(candidates, m.Candidates.Count);
        Assert.Equal(end, m.EndOfCandidates);
        Assert.True(TrickleIceFragment.TryParse(f.ToString(), out TrickleIceFragment? again, out _));
        Assert.Equal(candidates, again!.Media[0].Candidates.Count);
    }

    [Theory]
    [InlineData("a=mid:0\r\n")]
    [InlineData("garbage\r\n")]
    public void MalformedFragmentsAreRefused(string text)
    {
        Assert.False(TrickleIceFragment.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
    }
}
