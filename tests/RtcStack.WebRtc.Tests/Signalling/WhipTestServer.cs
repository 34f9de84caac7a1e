using System.Net.Http.Headers;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.WebRtc.Tests.Signalling;

/// <summary>
/// A loopback WHIP/WHEP server for the signalling tests: a <see cref="UdpSessionHost"/>, a
/// <see cref="SessionWhipHandler"/> behind <c>/whip</c> and <c>/whep</c> with a bearer token, and an
/// <see cref="HttpClient"/> that sends the token.
/// </summary>
internal sealed class WhipTestServer : IAsyncDisposable
{
    private WhipTestServer(UdpSessionHost host, SessionWhipHandler handler, TestPageHost web, HttpClient http)
    {
        Host = host;
        Handler = handler;
        Web = web;
        Http = http;
    }

    public UdpSessionHost Host { get; }

    public SessionWhipHandler Handler { get; }

    public TestPageHost Web { get; }

    public HttpClient Http { get; }

    public static async Task<WhipTestServer> StartAsync(string token, Action<WhipEndpointOptions>? configure = null)
    {
        var host = new UdpSessionHost();
        var handler = new SessionWhipHandler(host, _ => PeerSessionTests.Options(Random.Shared.Next(1000, 2000)));
        var options = new WhipEndpointOptions { BearerToken = token };
        configure?.Invoke(options);
        TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string>(), app =>
        {
            app.MapWhip("/whip", WhipResourceKind.Whip, handler, options);
            app.MapWhip("/whep", WhipResourceKind.Whep, handler, options);
        });
        var http = new HttpClient { BaseAddress = new Uri(web.BaseAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new WhipTestServer(host, handler, web, http);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Handler.CloseAll();
        await Web.DisposeAsync();
        Host.Dispose();
    }
}
