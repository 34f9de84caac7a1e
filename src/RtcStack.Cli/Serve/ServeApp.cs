using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RtcStack.Dtls;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Serve;

/// <summary>
/// The <c>rtcstack serve</c> server: a page, WHIP and WHEP endpoints, a JSON status endpoint, and one
/// <see cref="PeerSession"/> per call on a <see cref="UdpSessionHost"/> that echoes (or sends a tone) and
/// optionally records what it receives as Ogg Opus.
/// </summary>
internal sealed class ServeApp : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly UdpSessionHost _host;
    private readonly SessionWhipHandler _handler;
    private readonly DtlsCertificate _certificate;
    private readonly ConcurrentDictionary<string, ServeCall> _calls = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly WebApplication _web;
    private Task? _pump;

    public ServeApp(ServeOptions options)
    {
        _options = options;
        _certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        _host = new UdpSessionHost(new UdpSessionHostOptions
        {
            BindAddress = options.Address,
            IncludeLoopback = options.IncludeLoopback,
            TurnCertificateValidation = options.TurnTrust is null ? null : ServeNetworkOptions.TrustOnly(options.TurnTrust),
            SharedSocket = options.SharedSocket,
            SharedPort = options.UdpPortMin,
            PortRangeStart = options.UdpPortMin,
            PortRangeEnd = options.UdpPortMax,
        });
        _handler = new SessionWhipHandler(_host, kind =>
        {
            // draft-ietf-wish-whep-03 §4.2.5: the WHEP endpoint MUST answer sendonly (the player offers recvonly or
            // sendrecv). WHIP sessions stay sendrecv for the echo call (a deviation, specs/rfc9725.md).
            var o = new PeerSessionOptions
            {
                Certificate = _certificate,
                Direction = kind == WhipResourceKind.Whep ? Sdp.MediaDirection.SendOnly : Sdp.MediaDirection.SendRecv,
            };
            foreach (Ice.IceServer s in options.IceServers)
            {
                o.IceServers.Add(s);
            }

            foreach (Ice.IceNatMapping m in options.NatMappings)
            {
                o.NatMappings.Add(m);
            }

            o.NatCandidateType = options.NatCandidateType;

            return o;
        })
        {
            Event = OnEvent,
            Activity = (r, now) => (r.Tag as ServeCall)?.Poll(now),
        };

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + options.Address + "]" : options.Address.ToString())}:{options.Port}");
        _web = builder.Build();
        var whip = new WhipEndpointOptions { BearerToken = options.Token };
        whip.AllowedOrigins.Add("*");
        _web.MapGet("/", (RequestDelegate)(ctx =>
        {
            ctx.Response.ContentType = "text/html; charset=utf-8";
            return ctx.Response.WriteAsync(ServePage.Html, ctx.RequestAborted);
        }));
        _web.MapGet("/status", (RequestDelegate)WriteStatusAsync);
        _web.MapWhip("/whip", WhipResourceKind.Whip, _handler, whip);
        _web.MapWhip("/whep", WhipResourceKind.Whep, _handler, whip);
    }

    public ICollection<string> Urls => _web.Urls;

    public async Task StartAsync()
    {
        await _web.StartAsync().ConfigureAwait(false);
        _pump = Task.Run(PumpAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _handler.CloseAll();
        await _web.StopAsync().ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        _host.Dispose();
        foreach (ServeCall c in _calls.Values)
        {
            c.Dispose();
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private void OnEvent(SessionResource r, PeerSessionEvent e)
    {
        if (r.Tag is not ServeCall call)
        {
            call = new ServeCall(r, _options);
            r.Tag = call;
            _calls[r.Id] = call;
        }

        if (e is PeerConnectionStateChangedEvent s)
        {
            call.State = s.State;
            call.Stats = r.Session.GetStats(s.At);
            if (s.State == PeerConnectionState.Connected)
            {
                call.ConnectedAfter ??= s.At - (r.Session.StartedAt ?? s.At);
                if (_options.Mode == ServeMode.Tone || r.Kind == WhipResourceKind.Whep)
                {
                    call.ToneSender ??= new OpusAudioSender(r.Session);
                }
            }
            else if (s.State is PeerConnectionState.Closed or PeerConnectionState.Failed)
            {
                call.Dispose();
            }
        }
    }

    private async Task PumpAsync()
    {
        short[] frame = new short[960];
        while (!_stop.IsCancellationRequested)
        {
            foreach (ServeCall call in _calls.Values)
            {
                SessionResource r = call.Resource;
                if (r.Handle.IsRemoved)
                {
                    continue;
                }

                r.Handle.Invoke(now =>
                {
                    if (call.ToneSender is OpusAudioSender tone && call.State == PeerConnectionState.Connected)
                    {
                        call.ToneStart ??= now;
                        long due = ((now - call.ToneStart.Value).Ticks / TimeSpan.FromMilliseconds(20).Ticks) + 1;
                        for (int i = 0; i < 5 && call.ToneFrames < due; i++)
                        {
                            for (int k = 0; k < frame.Length; k++)
                            {
                                frame[k] = (short)(0.3 * 32767 * Math.Sin(2 * Math.PI * _options.ToneHz * ((call.ToneFrames * 960) + k) / 48000));
                            }

                            tone.Send(frame, now);
                            call.ToneFrames++;
                        }
                    }

                    call.Stats = r.Session.GetStats(now);
                });
            }

            try
            {
                await Task.Delay(10, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WriteStatusAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("mode", _options.Mode.ToString().ToLowerInvariant());
            w.WriteNumber("sessions", _host.SessionCount);
            w.WriteNumber("datagramsReceived", _host.DatagramsReceived);
            w.WriteNumber("datagramsSent", _host.DatagramsSent);
            w.WriteStartArray("calls");
            foreach (ServeCall c in _calls.Values.OrderBy(c => c.CreatedUtc))
            {
                w.WriteStartObject();
                w.WriteString("id", c.Resource.Id);
                w.WriteString("kind", c.Resource.Kind.ToString().ToLowerInvariant());
                w.WriteString("created", c.CreatedUtc);
                w.WriteString("state", c.State.ToString().ToLowerInvariant());
                if (c.ConnectedAfter is TimeSpan ca)
                {
                    w.WriteNumber("connectedAfterMs", ca.TotalMilliseconds);
                }

                w.WriteNumber("framesReceived", c.FramesReceived);
                w.WriteNumber("framesEchoed", c.FramesEchoed);
                w.WriteNumber("toneFrames", c.ToneFrames);
                w.WriteStartArray("recordings");
                foreach (string path in c.Recordings)
                {
                    w.WriteStringValue(path);
                }

                w.WriteEndArray();
                if (c.Stats is RtcStatsReport stats)
                {
                    w.WritePropertyName("stats");
                    stats.WriteJson(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted).ConfigureAwait(false);
    }
}
