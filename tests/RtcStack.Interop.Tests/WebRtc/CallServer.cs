using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.Sdp;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// The server side of a browser interop call: Kestrel on 127.0.0.1 serving call.html, WHIP (browser
/// offers) and a server-offer endpoint (POST /offer, then POST /offer/{id}/answer), <see cref="WebRtcSession"/>s
/// (session core v2) on a <see cref="UdpSessionHost"/>. Each session answers the browser's audio sendrecv (or offers
/// one sendrecv audio section), decodes what it receives (libopus) and sends a tone back at 50 packets/s once
/// connected.
/// </summary>
internal sealed class CallServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private CallServer(UdpSessionHost host, SessionWhipHandler<WebRtcSession> handler, TestPageHost web)
    {
        Host = host;
        Handler = handler;
        Web = web;
        _pump = Task.Run(PumpAsync);
    }

    public UdpSessionHost Host { get; }

    public SessionWhipHandler<WebRtcSession> Handler { get; }

    public TestPageHost Web { get; }

    /// <summary>
    /// Gets or sets the options for the next session (the cell's DTLS role, SRTP profiles...), given its transport
    /// options (the shared certificate already set).
    /// </summary>
    public Func<WebRtcTransportOptions, WebRtcSessionOptions> Options { get; set; } = transport => new WebRtcSessionOptions { Transport = transport };

    /// <summary>Gets or sets the tone the server sends, Hz.</summary>
    public double ToneHz { get; set; } = 660;

    public ConcurrentQueue<ServerCall> Calls { get; } = new();

    public static readonly Lazy<RtcStack.Dtls.DtlsCertificate> Certificate = new(() => RtcStack.Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow));

    public static async Task<CallServer> StartAsync(UdpSessionHostOptions? hostOptions = null, WhipEndpointOptions? whipOptions = null)
    {
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "call.html"));
        var host = new UdpSessionHost(hostOptions);
        CallServer? server = null;
        var handler = new SessionWhipHandler<WebRtcSession>(host, kind =>
        {
            var session = new WebRtcSession(server!.Options(new WebRtcTransportOptions { Certificate = Certificate.Value }));
            if (kind == WhipResourceKind.Call)
            {
                // POST /offer: a two-way call we offer, with one audio section we send and receive on (JSEP, RFC 8829 §5.2).
                session.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv);
            }

            return session;
        })
        {
            // The browser's offer (WHIP) is a two-way call: we send our tone back on its audio section.
            AnswerDirection = _ => MediaDirection.SendRecv,
        };
        TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/call.html"] = page }, app =>
        {
            app.MapWhip("/whip", WhipResourceKind.Whip, handler, whipOptions);
            app.MapPost("/offer", async (HttpContext ctx) =>
            {
                (SessionResource<WebRtcSession> r, string offer) = await handler.CreateOfferAsync(WhipResourceKind.Call, ctx.RequestAborted);
                ctx.Response.StatusCode = 201;
                ctx.Response.Headers.Location = "/offer/" + r.Id;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(offer);
            });
            app.MapPost("/offer/{id}/answer", async (string id, HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string answer = await reader.ReadToEndAsync();
                if (!handler.TryApplyAnswer(id, answer, out string? error))
                {
                    ctx.Response.StatusCode = 422;
                    await ctx.Response.WriteAsync(error ?? "refused");
                    return;
                }

                ctx.Response.StatusCode = 204;
            });
        });
        server = new CallServer(host, handler, web);
        handler.Event = server.OnEvent;
        handler.Activity = server.OnActivity;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _pump;
        Handler.CloseAll();
        await Web.DisposeAsync();
        Host.Dispose();
        foreach (ServerCall c in Calls)
        {
            c.Dispose();
        }

        _stop.Dispose();
    }

    private void OnEvent(SessionResource<WebRtcSession> r, object e)
    {
        if (r.Tag is not ServerCall call)
        {
            call = new ServerCall(r);
            r.Tag = call;
            Calls.Enqueue(call);
        }

        call.Events.Enqueue((SessionEvent)e);
        call.Timeline.Enqueue((r.Handle.Host.Now, e.GetType().Name + (e is SessionStateChangedEvent sc ? " " + sc.State : "")));
        if (e is SessionStateChangedEvent s)
        {
            if (s.State == PeerConnectionState.Connected)
            {
                call.ConnectedAt ??= s.At;
                if (call.Sender is null && AudioSender(r.Session) is Transceiver audio)
                {
                    call.Sender = new OpusAudioSender(r.Session, audio);
                }
            }

            if (s.State is PeerConnectionState.Closed or PeerConnectionState.Failed)
            {
                call.Closed = true;
            }

            // Keep a last look at the stats: DELETE removes the session.
            call.LastStats = r.Session.GetStats(s.At);
        }
    }

    /// <summary>The first audio transceiver that sends (the one section of these calls).</summary>
    private static Transceiver? AudioSender(WebRtcSession s)
    {
        foreach (MediaSectionInfo section in s.Sections)
        {
            if (section.Kind == MediaKind.Audio && section.Direction.Sends() && s.Jsep.FindTransceiver(section.Mid) is Transceiver t)
            {
                return t;
            }
        }

        return null;
    }

    private void OnActivity(SessionResource<WebRtcSession> r, TimeSpan now)
    {
        if (r.Tag is not ServerCall call)
        {
            return;
        }

        call.Poll(now);
    }

    private async Task PumpAsync()
    {
        short[] frame = new short[960];
        while (!_stop.IsCancellationRequested)
        {
            foreach (ServerCall call in Calls)
            {
                SessionResource<WebRtcSession> r = call.Resource;
                if (call.Sender is null || r.Handle.IsRemoved || call.Closed)
                {
                    continue;
                }

                r.Handle.Invoke(now =>
                {
                    call.SendStart ??= now;
                    // Catch up on the 20 ms schedule: a loaded machine wakes the pump late.
                    long due = (long)((now - call.SendStart.Value).Ticks / TimeSpan.FromMilliseconds(20).Ticks) + 1;
                    for (int i = 0; i < 5 && call.FramesSent < due; i++)
                    {
                        Goertzel.Tone(frame, ToneHz, 48000, call.FramesSent * 960);
                        call.Sender.Send(frame, now);
                        call.FramesSent++;
                    }

                    if (now - call.LastStatsAt > TimeSpan.FromMilliseconds(250))
                    {
                        call.LastStats = r.Session.GetStats(now);
                        call.LastStatsAt = now;
                    }
                });
            }

            try
            {
                await Task.Delay(10, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>What the server saw of one call.</summary>
internal sealed class ServerCall : IDisposable
{
    private readonly byte[] _payload = new byte[WebRtcSession.MaxDatagramSize];
    private readonly short[] _pcm;
    private readonly List<short> _decoded = [];

    public ServerCall(SessionResource<WebRtcSession> resource)
    {
        Resource = resource;
        Receiver = new OpusAudioReceiver();
        _pcm = new short[Receiver.MaxOutputSamples];
    }

    public SessionResource<WebRtcSession> Resource { get; }

    public OpusAudioSender? Sender { get; set; }

    public OpusAudioReceiver Receiver { get; }

    public ConcurrentQueue<SessionEvent> Events { get; } = new();

    public ConcurrentQueue<(TimeSpan At, string What)> Timeline { get; } = new();

    public TimeSpan? ConnectedAt { get; set; }

    public TimeSpan? SendStart { get; set; }

    public long FramesSent { get; set; }

    public long FramesReceived { get; private set; }

    /// <summary>Gets how many of the received frames the session rebuilt from RFC 2198 redundancy.</summary>
    public long FramesRecovered { get; private set; }

    public bool Closed { get; set; }

    public RtcStatsReport? LastStats { get; set; }

    public TimeSpan LastStatsAt { get; set; }

    /// <summary>Gets a copy of the decoded audio (48 kHz mono).</summary>
    public short[] DecodedAudio()
    {
        lock (_decoded)
        {
            return [.. _decoded];
        }
    }

    /// <summary>Gets our local ICE credentials each time they changed (an ICE restart adds one), with when.</summary>
    public ConcurrentQueue<(TimeSpan At, RtcStack.Ice.IceCredentials Local)> IceGenerations { get; } = new();

    /// <summary>Gets each change of our selected pair (a new pair object), with when and the audio frames received by then.</summary>
    public ConcurrentQueue<(TimeSpan At, long FramesReceived, System.Net.IPEndPoint Local)> SelectedPairChanges { get; } = new();

    private RtcStack.Ice.IceCandidatePair? _lastSelected;

    /// <summary>Gets the browser's ICE username fragment our session uses now.</summary>
    public string? RemoteUfrag { get; private set; }

    public void Poll(TimeSpan now)
    {
        // The ICE generations and selected pairs as they happen (on the session's thread).
        RtcStack.Ice.IceCredentials local = Resource.Session.Transport.LocalCredentials;
        if (IceGenerations.IsEmpty || IceGenerations.Last().Local.Ufrag != local.Ufrag)
        {
            IceGenerations.Enqueue((now, local));
        }

        RemoteUfrag = Resource.Session.Transport.IceAgent?.RemoteCredentials?.Ufrag ?? RemoteUfrag;
        if (Resource.Session.Transport.SelectedPair is RtcStack.Ice.IceCandidatePair pair && !ReferenceEquals(pair, _lastSelected))
        {
            _lastSelected = pair;
            SelectedPairChanges.Enqueue((now, FramesReceived, pair.Local.Address.ToIPEndPoint()));
        }

        while (Resource.Session.TryPollMedia(_payload, out ReceivedMedia m))
        {
            FramesReceived++;
            if (m.Recovered)
            {
                FramesRecovered++;
            }

            int n = Receiver.Decode(_payload.AsSpan(0, m.Length), m, _pcm);
            lock (_decoded)
            {
                if (_decoded.Count < 48000 * 20)
                {
                    _decoded.AddRange(_pcm.AsSpan(0, n));
                }
            }
        }
    }

    public void Dispose()
    {
        Sender?.Dispose();
        Receiver.Dispose();
    }
}
