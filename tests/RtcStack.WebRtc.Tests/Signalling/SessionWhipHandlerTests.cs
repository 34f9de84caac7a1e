using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// How WHIP/WHEP sessions end and what they give back (issue 12, "every session ends"), and the HTTP side of
/// hostile input: every refusal is a 4xx/5xx with a reason, and nothing of a refused or ended session is left in
/// the handler, the host or its sockets.
/// </summary>
public sealed partial class SessionWhipHandlerTests
{
    private const string Token = "lifecycle-token";

    internal static StringContent Sdp(string sdp) => new(sdp, Encoding.UTF8, "application/sdp");

    /// <summary>A client offer with no candidates (it can never connect) or with one host candidate nobody listens on.</summary>
    internal static string Offer(int seed, bool deadCandidate = false)
    {
        using var client = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(seed));
        client.AddTransceiver(MediaKind.Audio);
        string offer = StripCandidates(client.CreateOffer(TimeSpan.Zero));
        if (deadCandidate)
        {
            offer = offer.Replace("a=mid:0\r\n", "a=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\na=end-of-candidates\r\n", StringComparison.Ordinal);
        }

        return offer;
    }

    /// <summary>The description without its a=candidate and a=end-of-candidates lines (they follow by trickle, RFC 8838).</summary>
    internal static string StripCandidates(string sdp) => CandidateLine().Replace(sdp, "");

    /// <summary>The offer with its sha-256 fingerprint line replaced by <paramref name="line"/>.</summary>
    internal static string WithFingerprint(string offer, string line) => FingerprintLine().Replace(offer, line);

    internal static string HexBytes(int count) => string.Join(':', Enumerable.Range(0, count).Select(i => (i * 37 % 256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Whether nothing on this machine holds UDP <paramref name="port"/> on 127.0.0.1 (we can bind it).</summary>
    internal static bool PortIsFree(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A range of <paramref name="count"/> UDP ports below the ephemeral range (so no bind(0) elsewhere takes one), all free now.</summary>
    internal static int FreePortRange(int count)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int start = Random.Shared.Next(20000, 32000 - count);
            if (Enumerable.Range(start, count).All(PortIsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no free UDP port range found");
    }

    private static void AssertNothingLeft(WebRtcWhipTestServer server)
    {
        Assert.Empty(server.Handler.Resources);
        Assert.Equal(0, server.Host.SessionCount);
        Assert.Equal(server.Handler.SessionsCreated, server.Handler.SessionsRemoved);
    }

    /// <summary>
    /// Waits until every session made has been removed. FakeTimeProvider runs due timers on whichever thread is
    /// already waking them (a host receive thread rescheduling its own timer, say), so a deadline passed by
    /// <c>Advance</c> can fire just after <c>Advance</c> returns.
    /// </summary>
    private static Task SettledAsync(WebRtcWhipTestServer server) =>
        WaitForAsync(() => server.Handler.SessionsRemoved == server.Handler.SessionsCreated, "the connect deadlines to fire");

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData("md5")]
    [InlineData("sha-256 short")]
    [InlineData("sha-256 long")]
    public async Task AFingerprintDtlsCannotCheckIs422NamingTheLineAndLeavesNothing(string variant)
    {
        // Used to be a 500 with an empty body (DtlsFingerprint's constructor threw inside StartDtls) and a leaked session.
        string line = variant switch
        {
            "md5" => "a=fingerprint:md5 " + HexBytes(16),
            "sha-256 short" => "a=fingerprint:sha-256 " + HexBytes(31),
            _ => "a=fingerprint:sha-256 " + HexBytes(33),
        };
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        string offer = WithFingerprint(Offer(5001), line);
        Assert.Contains(line, offer, StringComparison.Ordinal);

        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(offer));
        string reason = await post.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode)422, post.StatusCode);
        Assert.Contains("a=fingerprint", reason, StringComparison.Ordinal);
        Assert.Contains("RFC 8122 §5", reason, StringComparison.Ordinal);
        Assert.Equal(1, server.Handler.SessionsCreated);
        AssertNothingLeft(server);
    }

    [Fact]
    public async Task ASessionThatNeverConnectsIsRemovedAtItsConnectDeadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var removed = new ConcurrentQueue<(string Label, SessionEndReason? Reason)>();
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: new UdpSessionHostOptions { TimeProvider = time },
            configureHandler: h => h.Removed = r => removed.Enqueue((r.Label, r.EndReason)));
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(Offer(5002)));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        SessionResource<WebRtcSession> r = Assert.Single(server.Handler.Resources).Value;
        int port = r.Handle.LocalAddress.Port;
        Assert.False(PortIsFree(port));

        time.Advance(TimeSpan.FromSeconds(29.5));
        Assert.Single(server.Handler.Resources);
        time.Advance(TimeSpan.FromSeconds(1));
        await SettledAsync(server);
        AssertNothingLeft(server);
        Assert.Equal((r.Label, SessionEndReason.ConnectTimeout), Assert.Single(removed));
        Assert.True(PortIsFree(port), "the session's UDP socket is still open");
        using HttpResponseMessage gone = await server.Http.DeleteAsync(post.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ASessionWhoseIceFailsIsRemoved()
    {
        // The offer's only candidate is a port nobody answers on: ICE fails after its checks time out (RFC 8445 §7.2.5.2.4).
        // The connect deadline is off, so the failure alone must remove the session.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var removed = new ConcurrentQueue<SessionEndReason?>();
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: new UdpSessionHostOptions { TimeProvider = time },
            configureHandler: h =>
            {
                h.ConnectTimeout = Timeout.InfiniteTimeSpan;
                h.Removed = r => removed.Enqueue(r.EndReason);
            });
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(Offer(5003, deadCandidate: true)));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        for (int i = 0; i < 1200 && !removed.Any(); i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        await WaitForAsync(() => server.Handler.Resources.Count == 0 && server.Handler.SessionsRemoved == server.Handler.SessionsCreated, "the failed session to be removed");
        AssertNothingLeft(server);
        Assert.Equal(SessionEndReason.Failed, Assert.Single(removed));
    }

    [Fact]
    public async Task ASessionWhoseDtlsFailsIsRemoved()
    {
        // The client's offer carries a fingerprint that is not its certificate's: DTLS fails (RFC 8122 §5) once ICE is up.
        var removed = new ConcurrentQueue<SessionEndReason?>();
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h => h.Removed = r => removed.Enqueue(r.EndReason));
        using var clientHost = new UdpSessionHost();
        (WebRtcSession client, UdpSessionHandle h, _) = Client(clientHost, 5004);
        string offer = h.Invoke(now => client.CreateOffer(now));
        string tampered = WithFingerprint(offer, "a=fingerprint:sha-256 " + HexBytes(32));
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(tampered));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string answer = await post.Content.ReadAsStringAsync();
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));
        await WaitForAsync(() => !removed.IsEmpty, "the session with the failed handshake to be removed");
        AssertNothingLeft(server);
        Assert.Equal(SessionEndReason.Failed, Assert.Single(removed));
    }

    [Fact]
    public async Task ASessionThePeerClosesIsRemoved()
    {
        var removed = new ConcurrentQueue<SessionEndReason?>();
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h => h.Removed = r => removed.Enqueue(r.EndReason));
        using var clientHost = new UdpSessionHost();
        (WebRtcSession client, UdpSessionHandle h, TaskCompletionSource connected) = Client(clientHost, 5005);
        string offer = h.Invoke(now => client.CreateOffer(now));
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(offer));
        string answer = await post.Content.ReadAsStringAsync();
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The client hangs up without a DELETE: its close_notify ends the session on the server.
        h.Invoke(now => client.Close(now));
        await WaitForAsync(() => !removed.IsEmpty, "the session the peer closed to be removed");
        AssertNothingLeft(server);
        Assert.Equal(SessionEndReason.ClosedByPeer, Assert.Single(removed));
    }

    [Fact]
    public async Task AnExceptionWhileMakingTheSessionIs500WithAReasonAndLeavesNothing()
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        server.SessionOptions = _ => new WebRtcSessionOptions { SendHistorySize = 3 };
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(Offer(5006)));
        Assert.Equal(HttpStatusCode.InternalServerError, post.StatusCode);
        Assert.Contains("SendHistorySize", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertNothingLeft(server);
    }

    [Fact]
    public async Task AnExceptionInACallbackWhileAnsweringIs500AndLeavesNothing()
    {
        var removed = new ConcurrentQueue<SessionEndReason?>();
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h =>
        {
            h.Event = (_, _) => throw new InvalidOperationException("the application's event callback broke");
            h.Removed = r => removed.Enqueue(r.EndReason);
        });
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(Offer(5007)));
        Assert.Equal(HttpStatusCode.InternalServerError, post.StatusCode);
        Assert.Contains("ended", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await WaitForAsync(() => !removed.IsEmpty, "the broken session to be removed");
        AssertNothingLeft(server);
        Assert.Equal(SessionEndReason.Error, Assert.Single(removed));
    }

    [Fact]
    public async Task AClientThatHangsUpBeforeTheAnswerLeavesNothing()
    {
        // A STUN server that never answers keeps the answer waiting for gathering; the client gives up first.
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, configureHandler: h => h.GatheringWait = TimeSpan.FromSeconds(30));
        server.SessionOptions = _ =>
        {
            WebRtcSessionOptions o = WebRtcWhipTestServer.ClientOptions(7);
            o.Transport.IceServers.Add(new Ice.IceServer(new Stun.TransportAddress(IPAddress.Loopback, 9)));
            return o;
        };
        using var cts = new CancellationTokenSource();
        Task<HttpResponseMessage> post = server.Http.PostAsync("/whip", Sdp(Offer(5008)), cts.Token);
        await WaitForAsync(() => server.Handler.Resources.Count == 1, "the session to be created");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        await WaitForAsync(() => server.Handler.Resources.Count == 0 && server.Handler.SessionsRemoved == server.Handler.SessionsCreated, "the abandoned session to be removed");
        AssertNothingLeft(server);
    }

    [Fact]
    public async Task AFullPortRangeIs503WithRetryAfterAndTheDeadlineFreesIt()
    {
        // Ten media ports, ten clients that never connect: the eleventh POST is told when to come back (RFC 9725 §4.5),
        // and after the connect deadline the ports are free again.
        int first = FreePortRange(10);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, o => o.SessionsPerSecondPerClient = 0,
            new UdpSessionHostOptions { TimeProvider = time, PortRangeStart = first, PortRangeEnd = first + 9 });
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage ok = await server.Http.PostAsync("/whip", Sdp(Offer(5100 + i)));
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        using HttpResponseMessage full = await server.Http.PostAsync("/whip", Sdp(Offer(5110)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        Assert.Contains("port", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The first session's deadline is 30 s after it was made, 10 s ago: 20 s to wait.
        Assert.Equal(TimeSpan.FromSeconds(20), full.Headers.RetryAfter!.Delta);
        Assert.Equal(10, server.Handler.Resources.Count);
        Assert.Equal(10, server.Handler.SessionsCreated);

        time.Advance(TimeSpan.FromSeconds(20.5));
        await WaitForAsync(() => server.Handler.SessionsRemoved >= 1, "the first connect deadline");
        Assert.Equal(9, server.Handler.Resources.Count);
        using HttpResponseMessage again = await server.Http.PostAsync("/whip", Sdp(Offer(5111)));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        time.Advance(TimeSpan.FromSeconds(31));
        await SettledAsync(server);
        AssertNothingLeft(server);
        Assert.True(Enumerable.Range(first, 10).All(PortIsFree), "a media port is still held");
    }

    [Fact]
    public async Task AtMaxSessionsAnOfferIs503WithRetryAfterAndNothingIsCreated()
    {
        // A cap below the descriptor limit: serve died with "Out of memory." when sessions took the last descriptor.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: new UdpSessionHostOptions { TimeProvider = time },
            configureHandler: h => h.MaxSessions = 2);
        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage ok = await server.Http.PostAsync("/whip", Sdp(Offer(5120 + i)));
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(12));
        using HttpResponseMessage full = await server.Http.PostAsync("/whep", Sdp(Offer(5122)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        Assert.Contains("limit of 2 sessions", await full.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(18), full.Headers.RetryAfter!.Delta);
        Assert.Equal(2, server.Handler.SessionsCreated);
        time.Advance(TimeSpan.FromSeconds(18));
        await WaitForAsync(() => server.Handler.SessionsRemoved >= 1, "a connect deadline");
        using HttpResponseMessage again = await server.Http.PostAsync("/whep", Sdp(Offer(5123)));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task AHostThatRefusesAdmissionMakesTheOffer503WithItsReason()
    {
        // Admission control: the host's own limit (here MaxSessions; in serve also its event loop's load) turns the
        // call away before anything is made, with the host's reason and a short Retry-After.
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, hostOptions: new UdpSessionHostOptions { MaxSessions = 1 });
        using HttpResponseMessage ok = await server.Http.PostAsync("/whip", Sdp(Offer(5130)));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using HttpResponseMessage busy = await server.Http.PostAsync("/whip", Sdp(Offer(5131)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Contains("the server is at its limit: session limit reached (1 of 1)", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter!.Delta);
        Assert.Equal(1, server.Handler.SessionsCreated);
    }

    [Fact]
    public async Task SessionUrlsCarry128RandomBits()
    {
        // RFC 9725 §5: the session URL is the capability to change or end the session.
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            using HttpResponseMessage post = await server.Http.PostAsync(i % 2 == 0 ? "/whip" : "/whep", Sdp(Offer(5200 + i)));
            string id = post.Headers.Location!.OriginalString.Split('/')[^1];
            Assert.Matches("^[0-9a-f]{32}$", id);
            Assert.True(ids.Add(id));
        }

        Assert.All(server.Handler.Resources.Values, r => Assert.DoesNotContain(r.Id, r.Label, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionUrlsActOnlyOnTheSessionTheyName()
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        using HttpResponseMessage a = await server.Http.PostAsync("/whip", Sdp(Offer(5300)));
        using HttpResponseMessage b = await server.Http.PostAsync("/whip", Sdp(Offer(5301)));
        string idA = a.Headers.Location!.OriginalString.Split('/')[^1];
        string etagA = a.Headers.ETag!.Tag;

        // A WHIP session is not reachable under /whep, nor under a prefix, a different case or an extra segment of its id.
        foreach (string url in new[] { "/whep/" + idA, "/whip/" + idA[..16], "/whip/" + idA.ToUpperInvariant(), "/whip/" + idA + "0" })
        {
            using HttpResponseMessage delete = await server.Http.DeleteAsync(url);
            Assert.True(delete.StatusCode == HttpStatusCode.NotFound, $"DELETE {url} gave {(int)delete.StatusCode}");
            using var patch = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent("a=end-of-candidates\r\n", Encoding.UTF8, "application/trickle-ice-sdpfrag") };
            patch.Headers.IfMatch.Add(new EntityTagHeaderValue(etagA));
            using HttpResponseMessage patched = await server.Http.SendAsync(patch);
            Assert.True(patched.StatusCode == HttpStatusCode.NotFound, $"PATCH {url} gave {(int)patched.StatusCode}");
            using HttpResponseMessage get = await server.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.Equal(2, server.Handler.Resources.Count);
        using HttpResponseMessage deleteA = await server.Http.DeleteAsync(a.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, deleteA.StatusCode);
        SessionResource<WebRtcSession> left = Assert.Single(server.Handler.Resources).Value;
        Assert.Equal(b.Headers.Location!.OriginalString.Split('/')[^1], left.Id);
    }

    [Fact]
    public async Task AClientCreatingSessionsTooFastGets429WithRetryAfter()
    {
        // RFC 6585 §4. A burst of 3, then one per 2 s; requests refused for their form cost nothing.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, o =>
        {
            o.SessionBurstPerClient = 3;
            o.SessionsPerSecondPerClient = 0.5;
            o.TimeProvider = time;
        });
        using HttpResponseMessage wrongType = await server.Http.PostAsync("/whip", new StringContent(Offer(5400), Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage ok = await server.Http.PostAsync("/whip", Sdp(Offer(5401 + i)));
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using HttpResponseMessage tooFast = await server.Http.PostAsync("/whip", Sdp(Offer(5404)));
        Assert.Equal(HttpStatusCode.TooManyRequests, tooFast.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), tooFast.Headers.RetryAfter!.Delta);
        Assert.Equal(3, server.Handler.Resources.Count);
        Assert.Equal(3, server.Handler.SessionsCreated);

        time.Advance(TimeSpan.FromSeconds(2));
        using HttpResponseMessage later = await server.Http.PostAsync("/whip", Sdp(Offer(5405)));
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Fact]
    public async Task CorsHeadersGoOnlyToConfiguredOrigins()
    {
        await using WebRtcWhipTestServer none = await WebRtcWhipTestServer.StartAsync(Token);
        await using WebRtcWhipTestServer one = await WebRtcWhipTestServer.StartAsync(Token, o => o.AllowedOrigins.Add("http://app.example"));
        foreach ((WebRtcWhipTestServer server, string origin, string? expected) in new[]
        {
            (none, "http://app.example", (string?)null),
            (none, "http://evil.example", null),
            (one, "http://evil.example", null),
            (one, "http://app.example", "http://app.example"),
        })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/whip");
            preflight.Headers.Add("Origin", origin);
            using HttpResponseMessage options = await server.Http.SendAsync(preflight);
            using var post = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = Sdp("v=0\r\n") };
            post.Headers.Add("Origin", origin);
            using HttpResponseMessage posted = await server.Http.SendAsync(post);
            foreach (HttpResponseMessage r in new[] { options, posted })
            {
                string? allowed = r.Headers.TryGetValues("Access-Control-Allow-Origin", out IEnumerable<string>? v) ? v.Single() : null;
                Assert.Equal(expected, allowed);
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer lifecycle-toke")]
    [InlineData("Bearer lifecycle-token2")]
    [InlineData("Bearer LIFECYCLE-TOKEN")]
    [InlineData("Basic lifecycle-token")]
    public async Task OnlyTheWholeTokenAuthorizes(string? authorization)
    {
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token);
        using var http = new HttpClient { BaseAddress = server.Http.BaseAddress };
        using var post = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = Sdp(Offer(5500)) };
        if (authorization is not null)
        {
            post.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using HttpResponseMessage r = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal(0, server.Handler.SessionsCreated);
    }

    [Fact]
    public async Task MalformedRequestsNeverDisturbAnEstablishedCall()
    {
        // The server echoes every frame; our client sends 50 frames/s while a stream of malformed, oversized,
        // unauthorised and misdirected requests arrives. The call stays connected and its media keeps coming back.
        await using WebRtcWhipTestServer server = await WebRtcWhipTestServer.StartAsync(Token, o => o.SessionsPerSecondPerClient = 0, configureHandler: h =>
        {
            h.AnswerDirection = _ => MediaDirection.SendRecv;
            h.Activity = Echo;
        });
        using var clientHost = new UdpSessionHost();
        long echoed = 0;
        (WebRtcSession client, UdpSessionHandle h, TaskCompletionSource connected) = Client(clientHost, 5600, () => Interlocked.Increment(ref echoed));
        Transceiver audio = client.Jsep.Transceivers.Single();
        string offer = h.Invoke(now => client.CreateOffer(now));
        using HttpResponseMessage post = await server.Http.PostAsync("/whip", Sdp(offer));
        Uri location = post.Headers.Location!;
        string etag = post.Headers.ETag!.Tag;
        string answer = await post.Content.ReadAsStringAsync();
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString()));
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using var stop = new CancellationTokenSource();
        Task talk = Task.Run(async () =>
        {
            uint ts = 0;
            while (!stop.IsCancellationRequested)
            {
                h.Invoke(now => client.SendAudio(audio, [0xF8, 1, 2, 3, 4, 5], ts, now));
                ts += 960;
                await Task.Delay(20);
            }
        });
        await WaitForAsync(() => Interlocked.Read(ref echoed) >= 10, "the first echoed frames");

        string id = location.OriginalString.Split('/')[^1];
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        long before = Interlocked.Read(ref echoed);
        for (int round = 0; round < 10; round++)
        {
            foreach (HttpRequestMessage bad in Malformed(location, id, etag))
            {
                using (bad)
                {
                    using HttpResponseMessage r = await (bad.Headers.Contains("X-Anonymous") ? anonymous : server.Http).SendAsync(bad);
                    Assert.True((int)r.StatusCode >= 400, $"{bad.Method} {bad.RequestUri} was accepted: {(int)r.StatusCode}");
                }
            }
        }

        await WaitForAsync(() => Interlocked.Read(ref echoed) >= before + 25, "echoed frames after the malformed requests");
        await stop.CancelAsync();
        await talk;
        SessionResource<WebRtcSession> session = Assert.Single(server.Handler.Resources).Value;
        Assert.Equal(PeerConnectionState.Connected, session.State);
        Assert.Equal(PeerConnectionState.Connected, h.Invoke(_ => client.State));
        Assert.Equal(0, h.Invoke(_ => client.Transport.Counters.GetDropped(TransportDropReason.AuthenticationFailed)));
        using HttpResponseMessage delete = await server.Http.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        AssertNothingLeft(server);

        static void Echo(SessionResource<WebRtcSession> r, TimeSpan now)
        {
            byte[] payload = new byte[WebRtcSession.MaxDatagramSize];
            while (r.Session.TryPollMedia(payload, out ReceivedMedia m))
            {
                if (r.Session.Jsep.FindTransceiver(m.Mid) is Transceiver t)
                {
                    r.Session.SendAudio(t, payload.AsSpan(0, m.Length), m.Timestamp, now);
                }
            }
        }
    }

    private static IEnumerable<HttpRequestMessage> Malformed(Uri location, string id, string etag)
    {
        const string FragmentType = "application/trickle-ice-sdpfrag";
        HttpRequestMessage Make(HttpMethod method, string url, HttpContent? content = null, string? ifMatch = null, bool anonymous = false)
        {
            var m = new HttpRequestMessage(method, url) { Content = content };
            if (ifMatch is not null)
            {
                m.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            if (anonymous)
            {
                m.Headers.Add("X-Anonymous", "1");
            }

            return m;
        }

        string url = location.OriginalString;
        yield return Make(HttpMethod.Post, "/whip", Sdp("garbage\r\n"));
        yield return Make(HttpMethod.Post, "/whip", Sdp(WithFingerprint(Offer(5601), "a=fingerprint:md5 " + HexBytes(16))));
        yield return Make(HttpMethod.Post, "/whip", Sdp(new string('v', 70 * 1024)));
        yield return Make(HttpMethod.Post, "/whip", new StringContent("v=0\r\n", Encoding.UTF8, "text/plain"));
        yield return Make(HttpMethod.Post, "/whip", Sdp(Offer(5602)), anonymous: true);
        yield return Make(HttpMethod.Patch, url, new StringContent("garbage", Encoding.UTF8, FragmentType), etag);
        yield return Make(HttpMethod.Patch, url, new StringContent("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", Encoding.UTF8, FragmentType), "\"stale\"");
        yield return Make(HttpMethod.Patch, url, new StringContent("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", Encoding.UTF8, FragmentType));
        yield return Make(HttpMethod.Patch, url, new StringContent("a=ice-ufrag:x\r\na=ice-pwd:y\r\n", Encoding.UTF8, FragmentType), "*");
        yield return Make(HttpMethod.Patch, url, new StringContent(new string('a', 70 * 1024), Encoding.UTF8, FragmentType), etag);
        yield return Make(HttpMethod.Patch, url, new StringContent("a=end-of-candidates\r\n", Encoding.UTF8, "text/plain"), etag);
        yield return Make(HttpMethod.Patch, "/whep/" + id, new StringContent("a=end-of-candidates\r\n", Encoding.UTF8, FragmentType), etag);
        yield return Make(HttpMethod.Delete, "/whep/" + id);
        yield return Make(HttpMethod.Delete, url, anonymous: true);
        yield return Make(HttpMethod.Delete, "/whip/" + new string('0', 32));
        yield return Make(HttpMethod.Put, url, Sdp("v=0\r\n"));
    }

    /// <summary>A client session with one audio transceiver on <paramref name="host"/>; <paramref name="onFrame"/> runs per packet it receives.</summary>
    internal static (WebRtcSession Session, UdpSessionHandle Handle, TaskCompletionSource Connected) Client(UdpSessionHost host, int seed, Action? onFrame = null)
    {
        var s = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(seed));
        s.AddTransceiver(MediaKind.Audio);
        byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        UdpSessionHandle h = host.Add(s, (_, _) =>
        {
            while (s.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    connected.TrySetResult();
                }
            }

            while (s.TryPollMedia(buffer, out _))
            {
                onFrame?.Invoke();
            }
        });
        return (s, h, connected);
    }

    [GeneratedRegex(@"a=fingerprint:sha-256 [0-9A-F:]+")]
    private static partial Regex FingerprintLine();

    [GeneratedRegex(@"a=(candidate:[^\r\n]*|end-of-candidates)\r\n")]
    private static partial Regex CandidateLine();
}
