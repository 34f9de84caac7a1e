using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using RtcStack.Cli.Commands;
using RtcStack.Cli.Serve;
using RtcStack.Dtls;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>
/// <c>rtcstack serve --dtls auto|1.2|1.3</c>: the option parses (and nothing else does), and the versions reach every
/// call's session: a real loopback call from our own <see cref="WebRtcSession"/> connects with the pinned version, and a
/// 1.2-only caller of a <c>--dtls 1.3</c> server is refused with the typed failure (RFC 8446 §D.1, §D.2).
/// </summary>
public sealed class ServeDtlsTests
{
    [Theory]
    [InlineData("auto", DtlsVersion.Dtls12, DtlsVersion.Dtls13)]
    [InlineData("1.2", DtlsVersion.Dtls12, DtlsVersion.Dtls12)]
    [InlineData("1.3", DtlsVersion.Dtls13, DtlsVersion.Dtls13)]
    public void EachValue_MapsToTheVersionsAndBack(string value, DtlsVersion min, DtlsVersion max)
    {
        var options = new ServeOptions();
        ServeCommand.ApplyDtls(value, options);
        Assert.Equal(min, options.DtlsMinVersion);
        Assert.Equal(max, options.DtlsMaxVersion);
        Assert.Equal(value, options.DtlsName);
    }

    [Fact]
    public void DefaultIsAuto()
    {
        Assert.Equal("auto", new ServeOptions().DtlsName);
    }

    [Theory]
    [InlineData("1.4")]
    [InlineData("1.0")]
    [InlineData("dtls13")]
    public void AnotherValue_IsAUsageError(string value)
    {
        CliRunner.Result r = CliRunner.Run("serve", "--port", "0", "--dtls", value);
        Assert.Equal(ServeCommand.ExitUsage, r.ExitCode);
        Assert.Contains(value, r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public void EachValue_Parses(string value)
    {
        // A later bad value is what stops it: --dtls itself passed the parser.
        CliRunner.Result r = CliRunner.Run("serve", "--port", "0", "--dtls", value, "--tone-hz", "0");
        Assert.Equal(ServeCommand.ExitUsage, r.ExitCode);
        Assert.DoesNotContain("--dtls", r.Err, StringComparison.Ordinal);
        Assert.Contains("--tone-hz", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpNamesTheOption()
    {
        CliRunner.Result r = CliRunner.Run("serve", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--dtls <auto|1.2|1.3>", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2", DtlsVersion.Dtls13, "FEFD")]
    [InlineData("1.3", DtlsVersion.Dtls13, "FEFC")]
    [InlineData("auto", DtlsVersion.Dtls12, "FEFD")]
    [InlineData("auto", DtlsVersion.Dtls13, "FEFC")]
    public async Task ACall_ConnectsWithTheVersionServeAllows(string dtls, DtlsVersion callerMax, string tlsVersion)
    {
        var options = new ServeOptions();
        ServeCommand.ApplyDtls(dtls, options);
        (PeerConnectionState state, List<SessionEvent> events, RtcTransportStats? stats, JsonElement status) = await CallAsync(options, callerMax);
        Assert.True(state == PeerConnectionState.Connected, $"{state}: {string.Join("; ", events)}");
        Assert.Equal(tlsVersion, stats?.TlsVersion);
        Assert.Equal(dtls, status.GetProperty("dtls").GetString());
    }

    [Fact]
    public async Task A12OnlyCaller_OfA13OnlyServe_IsRefusedWithUnsupportedVersion()
    {
        var options = new ServeOptions();
        ServeCommand.ApplyDtls("1.3", options);
        (PeerConnectionState state, List<SessionEvent> events, _, JsonElement status) = await CallAsync(options, DtlsVersion.Dtls12);
        Assert.Equal(PeerConnectionState.Failed, state);
        TransportFailedEvent failed = Assert.Single(events.OfType<SessionTransportFailedEvent>()).Details;
        Assert.Equal(DtlsError.UnsupportedVersion, failed.DtlsError);
        Assert.DoesNotContain(events, e => e is SessionStateChangedEvent { State: PeerConnectionState.Connected });
        Assert.Equal("1.3", status.GetProperty("dtls").GetString());
    }

    /// <summary>
    /// Runs serve in-process with <paramref name="options"/>, calls it over loopback UDP with our own session whose DTLS
    /// versions top out at <paramref name="callerMax"/>, waits for connected or failed; returns the caller's state, its
    /// events, its transport stats and serve's /status.
    /// </summary>
    private static async Task<(PeerConnectionState State, List<SessionEvent> Events, RtcTransportStats? Stats, JsonElement Status)> CallAsync(ServeOptions options, DtlsVersion callerMax)
    {
        options.Port = 0;
        options.Loops = 0;
        await using var app = new ServeApp(options, TextWriter.Null);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var clientHost = new UdpSessionHost();
        var events = new ConcurrentQueue<SessionEvent>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new WebRtcSession(new WebRtcSessionOptions { Transport = new WebRtcTransportOptions { DtlsMaxVersion = callerMax } });
        client.AddTransceiver(MediaKind.Audio);
        UdpSessionHandle h = clientHost.Add(client, (_, _) =>
        {
            while (client.TryPollEvent(out SessionEvent? e))
            {
                events.Enqueue(e);
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected or PeerConnectionState.Failed })
                {
                    done.TrySetResult();
                }
            }
        });
        string offer = h.Invoke(now => client.CreateOffer(now));
        using HttpResponseMessage post = await http.PostAsync("/whip", new StringContent(offer, Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string answer = await post.Content.ReadAsStringAsync();
        h.Invoke(now => Assert.True(client.TryApplyAnswer(answer, now, out RtcStack.Sdp.Jsep.JsepError? error), error?.ToString()));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));

        (PeerConnectionState state, RtcTransportStats? stats) = h.Invoke(now => (client.State, client.GetStats(now).Get<RtcTransportStats>()));
        string json = await http.GetStringAsync("/status");
        using JsonDocument doc = JsonDocument.Parse(json);
        return (state, [.. events], stats, doc.RootElement.Clone());
    }
}
