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
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Serve;

/// <summary>
/// The <c>rtcstack serve</c> server: a page, WHIP and WHEP endpoints, a JSON status endpoint, and one
/// <see cref="WebRtcSession"/> per call on a <see cref="UdpSessionHost"/> that echoes (or sends a tone) and
/// optionally records what it receives as Ogg Opus; and rooms (<see cref="ServeRooms"/>): <c>POST /whip/{room}</c>
/// publishes, <c>POST /whep/{room}</c> views, video through a simulcast forwarder per viewer, audio as it came.
/// </summary>
/// <remarks>
/// Calls end and give back what they took (issue 12): the handler removes a call that fails, that its peer closes,
/// that is deleted or that does not connect within <see cref="ServeOptions.ConnectTimeout"/>; its recorder is
/// finished and a small summary joins a history of at most <see cref="ServeOptions.History"/> finished calls.
/// /status follows the endpoints' bearer-token rule and shows calls by label, never by their session URL.
/// </remarks>
internal sealed class ServeApp : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly UdpEventLoop[] _loops;
    private readonly UdpSessionHost[] _hosts;
    private readonly SessionWhipHandlerGroup<WebRtcSession> _handler;
    private readonly ServeRooms _rooms;
    private readonly DtlsCertificate _certificate;
    private readonly ConcurrentDictionary<string, ServeCall> _calls = new(StringComparer.Ordinal);
    private readonly Queue<FinishedCall> _history = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly WebApplication _web;
    private readonly WhipEndpointOptions _whip;
    private readonly ILogger _log;
    private long _recordErrors;
    private long _finished;
    private Task? _pump;

    public ServeApp(ServeOptions options, TextWriter? log = null)
    {
        _options = options;
        _log = new TextWriterLogger(log ?? TextWriter.Null);
        _certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        // One host per loop (a thread each, one per core by default), calls spread over them; a shared socket is one
        // host on one loop. The media port range is split between the hosts so that they never probe each other's ports.
        int loops = options.SharedSocket ? Math.Min(1, options.Loops) : options.Loops;
        _loops = new UdpEventLoop[loops];
        _hosts = new UdpSessionHost[Math.Max(1, loops)];
        int portsEach = options.UdpPortMin > 0 && !options.SharedSocket ? (options.UdpPortMax - options.UdpPortMin + 1) / _hosts.Length : 0;
        var handlers = new List<SessionWhipHandler<WebRtcSession>>();
        var roomHandlers = new List<SessionWhipHandler<WebRtcSession>>();
        for (int i = 0; i < _hosts.Length; i++)
        {
            UdpEventLoop? loop = loops > 0 ? (_loops[i] = new UdpEventLoop()) : null;
            _hosts[i] = new UdpSessionHost(new UdpSessionHostOptions
            {
                BindAddress = options.Address,
                IncludeLoopback = options.IncludeLoopback,
                TurnCertificateValidation = options.TurnTrust is null ? null : ServeNetworkOptions.TrustOnly(options.TurnTrust),
                SharedSocket = options.SharedSocket,
                SharedPort = options.UdpPortMin,
                PortRangeStart = portsEach > 0 ? options.UdpPortMin + (i * portsEach) : options.UdpPortMin,
                PortRangeEnd = portsEach > 0 ? (i == _hosts.Length - 1 ? options.UdpPortMax : options.UdpPortMin + ((i + 1) * portsEach) - 1) : options.UdpPortMax,
                TimeProvider = options.TimeProvider,
                EventLoop = loop,
                MaxLoad = options.MaxLoad,
            });
            UdpSessionHost host = _hosts[i];
            // The rooms' publishers hand over whole RTP packets for forwarding; everything else is as for the calls.
            WebRtcSessionOptions SessionOptions(bool forwarding)
            {
                var transport = new WebRtcTransportOptions { Certificate = _certificate, DtlsMaxVersion = options.DtlsMaxVersion, DtlsMinVersion = options.DtlsMinVersion };
                foreach (Ice.IceServer s in options.IceServers)
                {
                    transport.IceServers.Add(s);
                }

                foreach (Ice.IceNatMapping m in options.NatMappings)
                {
                    transport.NatMappings.Add(m);
                }

                transport.NatCandidateType = options.NatCandidateType;
                // The host's retransmission budget, which shrinks as its load rises, bounds what all its calls resend.
                // The host's clock is the sessions' now; its wall-clock time at zero dates their SRs (RFC 3550 §6.4.1).
                return new WebRtcSessionOptions { Transport = transport, SharedRetransmissionBudget = host.RetransmissionBudget, WallClockAtZero = host.WallClockAtZero, ReceiveRtpPackets = forwarding };
            }

            // A room's sessions: WHIP publishers answered recvonly, WHEP viewers sendonly (the handler's defaults).
            roomHandlers.Add(new WebRtcWhipHandler(host, kind => SessionOptions(forwarding: kind == WhipResourceKind.Whip))
            {
                ConnectTimeout = options.ConnectTimeout,
                MaxSessions = options.MaxCalls > 0 ? (options.MaxCalls + _hosts.Length - 1) / _hosts.Length : 0,
                Logger = _log,
            });
            handlers.Add(new WebRtcWhipHandler(host, _ => SessionOptions(forwarding: false))
            {
                // draft-ietf-wish-whep-03 §4.2.5: the WHEP endpoint MUST answer sendonly (the player offers recvonly or
                // sendrecv). WHIP sessions answer sendrecv for the echo call (a deviation, specs/rfc9725.md).
                AnswerDirection = kind => kind == WhipResourceKind.Whep ? Sdp.MediaDirection.SendOnly : Sdp.MediaDirection.SendRecv,
                Event = OnEvent,
                Activity = (r, now) => (r.Tag as ServeCall)?.Poll(now),
                Removed = OnRemoved,
                ConnectTimeout = options.ConnectTimeout,
                MaxSessions = options.MaxCalls > 0 ? (options.MaxCalls + _hosts.Length - 1) / _hosts.Length : 0,
                Logger = _log,
            });
        }

        _handler = new SessionWhipHandlerGroup<WebRtcSession>(handlers);
        _rooms = new ServeRooms(_handler, new SessionWhipHandlerGroup<WebRtcSession>(roomHandlers), _log);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + options.Address + "]" : options.Address.ToString())}:{options.Port}");
        _web = builder.Build();
        _whip = new WhipEndpointOptions
        {
            BearerToken = options.Token,
            MaxOfferBytes = options.MaxBodyBytes,
            MaxFragmentBytes = options.MaxBodyBytes,
            SessionsPerSecondPerClient = options.SessionRate,
            SessionBurstPerClient = options.SessionBurst,
            TimeProvider = options.TimeProvider,
        };
        foreach (string origin in options.CorsOrigins)
        {
            _whip.AllowedOrigins.Add(origin);
        }

        _web.MapGet("/", (RequestDelegate)(ctx =>
        {
            ctx.Response.ContentType = "text/html; charset=utf-8";
            return ctx.Response.WriteAsync(ServePage.Html, ctx.RequestAborted);
        }));
        _web.MapGet("/status", (RequestDelegate)WriteStatusAsync);
        // POST /whip and /whep: the echo/tone calls; POST /whip/{room} and /whep/{room}: a room's publisher and viewers.
        _web.MapWhip("/whip", WhipResourceKind.Whip, _rooms, _whip);
        _web.MapWhip("/whep", WhipResourceKind.Whep, _rooms, _whip);
    }

    public ICollection<string> Urls => _web.Urls;

    /// <summary>Gets the handlers, one per host (tests look at their sessions).</summary>
    internal SessionWhipHandlerGroup<WebRtcSession> Handler => _handler;

    /// <summary>Gets the rooms (tests look at their sessions).</summary>
    internal ServeRooms Rooms => _rooms;

    /// <summary>Gets the hosts, one per event loop (tests look at their sessions).</summary>
    internal IReadOnlyList<UdpSessionHost> Hosts => _hosts;

    /// <summary>Gets the event loops, one per host (empty with --loops 0); tests keep one busy to see admission control.</summary>
    internal IReadOnlyList<UdpEventLoop> Loops => _loops;

    /// <summary>Gets the sessions every host holds.</summary>
    internal int SessionCount => _hosts.Sum(h => h.SessionCount);

    public async Task StartAsync()
    {
        await _web.StartAsync().ConfigureAwait(false);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Stops: every call is closed first (RTCP BYE and DTLS close_notify go out at once), then the web server is given
    /// a second to finish its requests, then the sockets close.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _handler.CloseAll();
        _rooms.CloseAll();
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            try
            {
                await _web.StopAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Requests still running after the grace period are cut off.
            }
        }

        await _web.DisposeAsync().ConfigureAwait(false);
        foreach (UdpSessionHost host in _hosts)
        {
            host.Dispose();
        }

        foreach (UdpEventLoop loop in _loops)
        {
            loop.Dispose();
        }
        foreach (ServeCall c in _calls.Values)
        {
            c.Dispose();
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private void OnEvent(SessionResource<WebRtcSession> r, object e)
    {
        if (r.Tag is not ServeCall call)
        {
            call = new ServeCall(r, _options, OnRecordFailed);
            r.Tag = call;
            _calls[r.Id] = call;
        }

        if (e is SessionKeyframeRequestedEvent k)
        {
            call.OnKeyframeRequested(k.Mid, r.Handle.Host.Now);
        }
        else if (e is SessionDataChannelEvent d)
        {
            call.OnDataChannelEvent(d.Event, r.Handle.Host.Now);
        }
        else if (e is SessionStateChangedEvent s)
        {
            call.State = s.State;
            call.Stats = r.Session.GetStats(s.At);
            if (s.State == PeerConnectionState.Connected)
            {
                call.ConnectedAfter ??= s.At - r.CreatedAt;
                if ((_options.Mode == ServeMode.Tone || r.Kind == WhipResourceKind.Whep) && ServeCall.AudioSender(r.Session) is RtcStack.WebRtc.Jsep.Transceiver audio)
                {
                    call.ToneSender ??= new OpusAudioSender(r.Session, audio);
                }
            }
            else if (s.State is PeerConnectionState.Closed or PeerConnectionState.Failed)
            {
                call.Dispose();
            }
        }
    }

    private void OnRecordFailed(ServeCall call, string message)
    {
        Interlocked.Increment(ref _recordErrors);
        _log.LogError("call {Label}: recording stopped: {Message} (the call goes on)", call.Resource.Label, message);
    }

    // After the handler closed and removed a session: finish its call and keep a small summary of it.
    private void OnRemoved(SessionResource<WebRtcSession> r)
    {
        if (!_calls.TryRemove(r.Id, out ServeCall? call))
        {
            return;
        }

        call.Dispose();
        Interlocked.Increment(ref _finished);
        var summary = new FinishedCall(
            r.Label,
            r.Kind.ToString().ToLowerInvariant(),
            call.CreatedUtc,
            DateTimeOffset.UtcNow,
            r.EndReason?.ToString() ?? "",
            call.State.ToString().ToLowerInvariant(),
            call.ConnectedAfter?.TotalMilliseconds,
            call.FramesReceived,
            call.FramesEchoed,
            call.ToneFrames,
            call.Recordings,
            call.RecordError,
            call.Stats is RtcStatsReport stats ? StatsJson(stats) : null);
        lock (_history)
        {
            _history.Enqueue(summary);
            while (_history.Count > _options.History)
            {
                _history.Dequeue();
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
                SessionResource<WebRtcSession> r = call.Resource;
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
        // The same rule as the endpoints: with --token, /status needs it too.
        if (!WhipEndpointRouteBuilderExtensions.IsAuthorized(ctx.Request, _whip))
        {
            await WhipEndpointRouteBuilderExtensions.Unauthorized(ctx).ConfigureAwait(false);
            return;
        }

        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("mode", _options.Mode.ToString().ToLowerInvariant());
            w.WriteNumber("sessions", SessionCount);
            w.WriteNumber("sessionsCreated", _handler.Handlers.Sum(h => h.SessionsCreated));
            w.WriteNumber("sessionsRemoved", _handler.Handlers.Sum(h => h.SessionsRemoved));
            w.WriteNumber("callsFinished", Interlocked.Read(ref _finished));
            w.WriteNumber("connectTimeoutSeconds", _options.ConnectTimeout.TotalSeconds);
            w.WriteNumber("maxCalls", _options.MaxCalls);
            w.WriteString("dtls", _options.DtlsName);
            w.WriteNumber("datagramsReceived", _hosts.Sum(h => h.DatagramsReceived));
            w.WriteNumber("datagramsSent", _hosts.Sum(h => h.DatagramsSent));

            // Each host's load and why it last turned a call away (admission control, 503 with Retry-After), and
            // what the kernel says about its sockets.
            w.WriteStartArray("hosts");
            foreach (UdpSessionHost h in _hosts)
            {
                UdpSocketStatistics sockets = h.ReadSocketStatistics();
                w.WriteStartObject();
                w.WriteString("thread", _loops.Length > 0 ? "event loop" : "runtime threads");
                w.WriteNumber("sessions", h.SessionCount);
                w.WriteNumber("load", Math.Round(h.Load, 3));
                w.WriteNumber("maxLoad", _options.MaxLoad);
                w.WriteNumber("admissionsRefused", h.AdmissionsRefused);
                if (h.LastRefusal is string why)
                {
                    w.WriteString("lastRefusal", why);
                }

                w.WriteNumber("sockets", sockets.Sockets);
                w.WriteNumber("receiveBufferBytes", sockets.ReceiveBufferBytes);
                w.WriteNumber("kernelDrops", sockets.KernelDrops);
                if (h.RetransmissionBudget is RetransmissionBudget budget)
                {
                    w.WriteNumber("retransmissionsDropped", budget.Dropped);
                }

                w.WriteNumber("sessionFaults", h.SessionFaults);
                if (h.LastFault is string fault)
                {
                    w.WriteString("lastFault", fault);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("process");
            w.WriteNumber("workingSetBytes", Environment.WorkingSet);
            w.WriteNumber("managedHeapBytes", GC.GetTotalMemory(forceFullCollection: false));
            w.WriteNumber("heapAfterLastGcBytes", GC.GetGCMemoryInfo().HeapSizeBytes);
            w.WriteEndObject();
            if (_options.RecordDirectory is DirectoryInfo dir)
            {
                w.WriteStartObject("recording");
                w.WriteString("directory", dir.FullName);
                w.WriteNumber("errors", Interlocked.Read(ref _recordErrors));
                w.WriteEndObject();
            }

            _rooms.WriteJson(w);
            w.WriteStartArray("calls");
            foreach (ServeCall c in _calls.Values.OrderBy(c => c.CreatedUtc))
            {
                // The session id is the capability to PATCH and DELETE the call: only its label is shown.
                w.WriteStartObject();
                w.WriteString("label", c.Resource.Label);
                w.WriteString("kind", c.Resource.Kind.ToString().ToLowerInvariant());
                w.WriteString("created", c.CreatedUtc);
                w.WriteString("state", c.State.ToString().ToLowerInvariant());
                if (c.ConnectedAfter is TimeSpan ca)
                {
                    w.WriteNumber("connectedAfterMs", ca.TotalMilliseconds);
                }

                w.WriteNumber("framesReceived", c.FramesReceived);
                w.WriteNumber("framesEchoed", c.FramesEchoed);
                w.WriteNumber("videoFramesReceived", c.VideoFramesReceived);
                w.WriteNumber("videoFramesEchoed", c.VideoFramesEchoed);
                w.WriteNumber("dataMessagesReceived", c.DataMessagesReceived);
                w.WriteNumber("dataMessagesEchoed", c.DataMessagesEchoed);
                w.WriteNumber("dataBytesEchoed", c.DataBytesEchoed);
                w.WriteNumber("dataEchoesDropped", c.DataEchoesDropped);
                w.WriteNumber("toneFrames", c.ToneFrames);
                WriteRecordings(w, c.Recordings, c.RecordError);
                if (c.Stats is RtcStatsReport stats)
                {
                    w.WritePropertyName("stats");
                    stats.WriteJson(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            FinishedCall[] history;
            lock (_history)
            {
                history = [.. _history];
            }

            w.WriteStartArray("finished");
            foreach (FinishedCall f in history)
            {
                w.WriteStartObject();
                w.WriteString("label", f.Label);
                w.WriteString("kind", f.Kind);
                w.WriteString("created", f.Created);
                w.WriteString("ended", f.Ended);
                w.WriteString("endReason", f.EndReason);
                w.WriteString("state", f.State);
                if (f.ConnectedAfterMs is double ms)
                {
                    w.WriteNumber("connectedAfterMs", ms);
                }

                w.WriteNumber("framesReceived", f.FramesReceived);
                w.WriteNumber("framesEchoed", f.FramesEchoed);
                w.WriteNumber("toneFrames", f.ToneFrames);
                WriteRecordings(w, f.Recordings, f.RecordError);
                if (f.Stats is byte[] json)
                {
                    w.WritePropertyName("stats");
                    w.WriteRawValue(json, skipInputValidation: true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The last stats of a finished call as compact JSON (1-3 KB): kept as bytes, not as the report's objects.</summary>
    private static byte[] StatsJson(RtcStatsReport stats)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            stats.WriteJson(w);
        }

        return buffer.ToArray();
    }

    private static void WriteRecordings(Utf8JsonWriter w, IReadOnlyList<string> recordings, string? error)
    {
        w.WriteStartArray("recordings");
        foreach (string name in recordings)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        if (error is not null)
        {
            w.WriteString("recordError", error);
        }
    }

    /// <summary>What /status keeps of a finished call: its counters and its last stats as JSON bytes (a few KB), no session.</summary>
    private sealed record FinishedCall(
        string Label,
        string Kind,
        DateTimeOffset Created,
        DateTimeOffset Ended,
        string EndReason,
        string State,
        double? ConnectedAfterMs,
        long FramesReceived,
        long FramesEchoed,
        long ToneFrames,
        IReadOnlyList<string> Recordings,
        string? RecordError,
        byte[]? Stats);
}
