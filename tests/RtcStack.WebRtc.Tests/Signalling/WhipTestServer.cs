using System.Net.Http.Headers;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// A loopback WHIP/WHEP server for the signalling tests: a <see cref="UdpSessionHost"/>, a
/// <see cref="SessionWhipHandler{TSession}"/> behind <c>/whip</c> and <c>/whep</c> with a bearer token, and an
/// <see cref="HttpClient"/> that sends the token.
/// </summary>
internal class WhipTestServer<TSession> : IAsyncDisposable
    where TSession : class, ISignalledSession
{
    protected WhipTestServer(UdpSessionHost host, SessionWhipHandler<TSession> handler, TestPageHost web, HttpClient http, WhipEndpointOptions options)
    {
        Host = host;
        Handler = handler;
        Web = web;
        Http = http;
        Options = options;
    }

    public UdpSessionHost Host { get; }

    public SessionWhipHandler<TSession> Handler { get; }

    public TestPageHost Web { get; }

    public HttpClient Http { get; }

    public WhipEndpointOptions Options { get; }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Handler.CloseAll();
        await Web.DisposeAsync();
        Host.Dispose();
    }

    protected static async Task<(TestPageHost Web, HttpClient Http, WhipEndpointOptions Options)> StartWebAsync(string token, SessionWhipHandler<TSession> handler, Action<WhipEndpointOptions>? configure)
    {
        var options = new WhipEndpointOptions { BearerToken = token };
        configure?.Invoke(options);
        TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string>(), app =>
        {
            app.MapWhip("/whip", WhipResourceKind.Whip, handler, options);
            app.MapWhip("/whep", WhipResourceKind.Whep, handler, options);
        });
        var http = new HttpClient { BaseAddress = new Uri(web.BaseAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (web, http, options);
    }
}

/// <summary>The server on session core v2, <see cref="WebRtcSession"/>.</summary>
internal sealed class WebRtcWhipTestServer : WhipTestServer<WebRtcSession>
{
    private static readonly Lazy<Dtls.DtlsCertificate> s_certA = new(() => Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow));
    private static readonly Lazy<Dtls.DtlsCertificate> s_certB = new(() => Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    private WebRtcWhipTestServer(UdpSessionHost host, WebRtcWhipHandler handler, TestPageHost web, HttpClient http, WhipEndpointOptions options)
        : base(host, handler, web, http, options)
    {
    }

    public static async Task<WebRtcWhipTestServer> StartAsync(
        string token,
        Action<WhipEndpointOptions>? configure = null,
        UdpSessionHostOptions? hostOptions = null,
        Action<WebRtcWhipHandler>? configureHandler = null)
    {
        var host = new UdpSessionHost(hostOptions);
        WebRtcWhipTestServer? server = null;
        var handler = new WebRtcWhipHandler(host, kind => server!.SessionOptions(kind));
        configureHandler?.Invoke(handler);
        (TestPageHost web, HttpClient http, WhipEndpointOptions options) = await StartWebAsync(token, handler, configure);
        server = new WebRtcWhipTestServer(host, handler, web, http, options);
        return server;
    }

    /// <summary>Gets or sets the options of the next server session (default: <see cref="ClientOptions"/> with a random seed).</summary>
    public Func<WhipResourceKind, WebRtcSessionOptions> SessionOptions { get; set; } = _ => ClientOptions(Random.Shared.Next(1000, 2000));

    /// <summary>
    /// Options for a session seeded with <paramref name="seed"/> (its ICE credentials, SSRCs and so on). Two certificates made once are shared by parity of the seed (making one per session costs a key generation).
    /// </summary>
    public static WebRtcSessionOptions ClientOptions(int seed) => new()
    {
        Random = new Random(seed),
        Transport = new RtcStack.WebRtc.Transport.WebRtcTransportOptions { Random = new Random(seed + 1), Certificate = seed % 2 == 1 ? s_certA.Value : s_certB.Value },
    };
}
