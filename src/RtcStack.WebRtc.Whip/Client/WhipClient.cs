using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// A WHIP (RFC 9725) publisher or WHEP player on a <see cref="WebRtcSession"/> and its own <see cref="UdpSessionHost"/>:
/// POSTs the offer (<c>application/sdp</c>, with the bearer token), follows 307/308 redirects, takes the 201's answer,
/// <c>Location</c> (resolved against the URL that answered) and <c>ETag</c>, reads ICE servers from <c>Link</c> headers,
/// trickles the candidates it gathers later by PATCH (<c>application/trickle-ice-sdpfrag</c>, RFC 8840, with
/// <c>If-Match</c>), and DELETEs the session resource when disposed.
/// </summary>
/// <remarks>
/// Every request has a timeout (<see cref="WhipClientOptions.RequestTimeout"/>); an error status, a missing Location, an
/// answer that does not apply or a timeout is a <see cref="WhipClientException"/> and leaves nothing behind (the session
/// is closed and its socket freed; a session resource the endpoint created is deleted).
/// </remarks>
public sealed class WhipClient : IAsyncDisposable
{
    private const string SdpType = "application/sdp";
    private const string FragmentType = "application/trickle-ice-sdpfrag";
    private const int MaxBodyChars = 4096;

    private readonly WhipClientOptions _options;
    private readonly HttpClient _http;
    private readonly UdpSessionHost _host;
    private readonly Channel<TrickleItem> _trickle = Channel.CreateUnbounded<TrickleItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _signalled = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<PeerConnectionState> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WhipIceServerLink> _links = [];
    private readonly List<int> _patchStatuses = [];
    private readonly List<IceServer> _servers = [];
    private readonly Dtls.DtlsCertificate? _ownCertificate;
    private UdpSessionHandle? _handle;
    private Task? _trickleTask;
    private Task _linkedServers = Task.CompletedTask;
    private readonly Func<WebRtcSession> _newSession;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WhipIceRestartEvent> _restartLog = [];
    private Task _supervisor = Task.CompletedTask;
    private bool _offerSent;
    private int _disposed;
    private volatile bool _transportFailed; // DTLS failed (not ICE): a restart cannot help

    private WhipClient(WhipClientOptions options, Func<WebRtcSession> newSession, UdpSessionHost host, HttpClient http, Dtls.DtlsCertificate? ownCertificate)
    {
        _options = options;
        _newSession = newSession;
        Session = newSession();
        _host = host;
        _http = http;
        _ownCertificate = ownCertificate;
    }

    /// <summary>
    /// Gets the session (use <see cref="Invoke(Action{TimeSpan})"/> to touch it: it runs on the host's thread). After a
    /// WHEP counter-offer (406) it is a new session, made to answer the endpoint's offer.
    /// </summary>
    public WebRtcSession Session { get; private set; }

    /// <summary>Gets the audio transceiver: sendonly for WHIP, recvonly for WHEP.</summary>
    public Transceiver Audio { get; private set; } = null!;

    /// <summary>Gets the session resource URL from the 201's Location, resolved against the URL that answered.</summary>
    public Uri ResourceUrl { get; private set; } = null!;

    /// <summary>Gets the entity-tag of the ICE session from the 201 (RFC 9725 §4.3.1), or null.</summary>
    public string? ETag { get; private set; }

    /// <summary>Gets the URL that finally answered the POST (the endpoint URL, or where redirects led).</summary>
    public Uri AnsweredBy { get; private set; } = null!;

    /// <summary>Gets the redirects the POST followed.</summary>
    public int Redirects { get; private set; }

    /// <summary>Gets the offer we sent.</summary>
    public string OfferSdp { get; private set; } = "";

    /// <summary>Gets the endpoint's answer (after a WHEP 406: the endpoint's counter-offer, which <see cref="Session"/> answered).</summary>
    public string AnswerSdp { get; private set; } = "";

    /// <summary>Gets the ICE servers the endpoint listed in Link headers (on the OPTIONS answer and on the 201).</summary>
    public IReadOnlyList<WhipIceServerLink> IceServerLinks
    {
        get
        {
            lock (_links)
            {
                return [.. _links];
            }
        }
    }

    /// <summary>
    /// Gets the ICE servers the session gathers with: ours, those resolved from the endpoint's links on an OPTIONS answer
    /// before the offer, and those linked only on the 201 (added to the running ICE agent, their candidates trickled).
    /// </summary>
    public IReadOnlyList<IceServer> IceServersUsed
    {
        get
        {
            lock (_servers)
            {
                return [.. _servers];
            }
        }
    }

    /// <summary>Gets the status of each trickle PATCH sent, in order.</summary>
    public IReadOnlyList<int> PatchStatuses
    {
        get
        {
            lock (_patchStatuses)
            {
                return [.. _patchStatuses];
            }
        }
    }

    /// <summary>Gets the ICE restarts that succeeded (<see cref="RestartIceAsync"/>).</summary>
    public int IceRestarts { get; private set; }

    /// <summary>Gets the steps of the automatic ICE restarts so far (<see cref="WhipClientOptions.AutoIceRestart"/>), in order.</summary>
    public IReadOnlyList<WhipIceRestartEvent> IceRestartLog
    {
        get
        {
            lock (_restartLog)
            {
                return [.. _restartLog];
            }
        }
    }

    /// <summary>
    /// Gets a task that completes when the session is over for this client: with the reason when the client ended it by
    /// itself (automatic ICE restarts could not bring it back: the resource was DELETEd and the session closed), with
    /// null when the client was disposed.
    /// </summary>
    public Task<string?> Ended => _ended.Task;

    /// <summary>Gets the status the DELETE got (null until it was sent; 0 when it failed without a status).</summary>
    public int? DeleteStatus { get; private set; }

    /// <summary>
    /// Creates the session and its socket, offers, POSTs the offer to <see cref="WhipClientOptions.EndpointUrl"/> and
    /// applies the answer. Connecting (ICE, DTLS) goes on after this returns: see <see cref="WaitConnectedAsync"/>.
    /// </summary>
    /// <exception cref="WhipClientException">The endpoint refused the offer (its status and body), answered without a
    /// Location or with an answer that does not apply, redirected too often, or did not answer in time.</exception>
    public static async Task<WhipClient> ConnectAsync(WhipClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Uri endpoint = options.EndpointUrl ?? throw new ArgumentException("EndpointUrl is required", nameof(options));
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{endpoint}' is not an http or https URL", nameof(options));
        }

        if (options.MaxIceRestartAttempts < 1 || options.IceRestartGrace < TimeSpan.Zero || options.IceRestartBackoff < TimeSpan.Zero
            || options.IceRestartTimeout <= TimeSpan.Zero || options.IceDisconnectedTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxIceRestartAttempts must be at least 1, IceRestartGrace and IceRestartBackoff not negative, IceRestartTimeout and IceDisconnectedTimeout more than 0", nameof(options));
        }

        var http = new HttpClient(options.HttpHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: options.HttpHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            // Responses are untrusted: an answer or error body past 1 MiB is an error, not a memory hog.
            MaxResponseContentBufferSize = 1 << 20,
        };
        Dtls.DtlsCertificate? own = options.Certificate is null ? Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow) : null;
        var transport = new WebRtcTransportOptions
        {
            Certificate = options.Certificate ?? own,
            IceDisconnectedTimeout = options.IceDisconnectedTimeout,
            IceTransportPolicy = options.IceTransportPolicy,
        };
        var servers = new List<IceServer>(options.IceServers);
        var preLinks = new List<WhipIceServerLink>();
        UdpSessionHost? host = null;
        WhipClient? client = null;
        try
        {
            if (options.QueryIceServers)
            {
                await QueryIceServersAsync(http, options, endpoint, preLinks, servers, cancellationToken).ConfigureAwait(false);
            }

            foreach (IceServer s in servers)
            {
                transport.IceServers.Add(s);
            }

            host = new UdpSessionHost(new UdpSessionHostOptions
            {
                BindAddress = options.BindAddress,
                IncludeLoopback = IPAddress.IsLoopback(options.BindAddress),
                TurnCertificateValidation = options.TurnCertificateValidation,
            });
            UdpSessionHost h = host;
            client = new WhipClient(options, () => new WebRtcSession(new WebRtcSessionOptions { Transport = transport, WallClockAtZero = h.WallClockAtZero }), host, http, own);
            client._servers.AddRange(servers);
            client._links.AddRange(preLinks);
            await client.OfferAndPostAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host?.Dispose();
                http.Dispose();
                own?.Dispose();
            }

            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the session's thread, under its lock, with the host's clock.</summary>
    public void Invoke(Action<TimeSpan> action) => (_handle ?? throw new ObjectDisposedException(nameof(WhipClient))).Invoke(action);

    /// <summary>Runs <paramref name="func"/> on the session's thread, under its lock, with the host's clock.</summary>
    public T Invoke<T>(Func<TimeSpan, T> func) => (_handle ?? throw new ObjectDisposedException(nameof(WhipClient))).Invoke(func);

    /// <summary>Waits until the session is connected (ICE and DTLS).</summary>
    /// <exception cref="WhipClientException">The session failed or closed, or did not connect within <paramref name="timeout"/>.</exception>
    public async Task WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task<PeerConnectionState> settled = _settled.Task;
        Task done = await Task.WhenAny(settled, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (done != settled)
        {
            throw new WhipClientException($"the session did not connect within {timeout.TotalSeconds:0.#} s (state {Session.State})");
        }

        PeerConnectionState state = await settled.ConfigureAwait(false);
        if (state != PeerConnectionState.Connected)
        {
            throw new WhipClientException($"the session did not connect: {state}");
        }
    }

    /// <summary>
    /// Restarts ICE (RFC 9725 §4.3.3): our ICE agent takes new credentials, and a PATCH with <c>If-Match: "*"</c> sends
    /// them with our candidates as an <c>application/trickle-ice-sdpfrag</c>; the endpoint's <c>200 OK</c> fragment brings
    /// its new credentials and candidates, which replace the old ones (RFC 8445 §9), and its <c>ETag</c> becomes the
    /// entity-tag of later trickle PATCHes. DTLS and SRTP carry on; media moves to the pair that checks with the new
    /// credentials. PATCHes go out one at a time, in order, so no earlier PATCH's answer can arrive after this one's.
    /// </summary>
    /// <exception cref="WhipClientException">The endpoint refused the restart (its status and body: RFC 9725 keeps its
    /// old ICE session then, but ours has restarted, so the call lasts only until consent expires, RFC 7675 §5.1, unless
    /// another restart succeeds), its 200 carried no usable fragment, or it did not answer in time.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public async Task RestartIceAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Volatile.Read(ref _disposed) != 0 || _trickleTask is null || !_trickle.Writer.TryWrite(new TrickleItem(null, false, done)))
        {
            throw new ObjectDisposedException(nameof(WhipClient));
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends DELETE to the session resource (once; later calls return the first status), with the request timeout.
    /// Never throws for network errors: the status is 0 then.
    /// </summary>
    public async Task<int> DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (DeleteStatus is int done)
        {
            return done;
        }

        if (ResourceUrl is null)
        {
            return 0;
        }

        DeleteStatus = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, ResourceUrl);
            using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            DeleteStatus = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or WhipClientException)
        {
            // The endpoint is gone or slow: the session on its side ends by consent expiry (RFC 7675).
        }

        return DeleteStatus.Value;
    }

    /// <summary>DELETEs the session resource, closes the session (RTCP BYE, DTLS close_notify), frees the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            await _supervisor.WaitAsync(_options.RequestTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Stopped, or a restart PATCH still waiting: the DELETE below ends the resource anyway.
        }

        _trickle.Writer.TryComplete();
        if (_trickleTask is not null)
        {
            try
            {
                await _trickleTask.WaitAsync(_options.RequestTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A PATCH still waiting: the DELETE below ends the resource anyway.
            }
        }

        // DELETE first, then close our side: closed first (DTLS close_notify), the endpoint may drop the session as
        // closed by its peer before the DELETE arrives, and answer it 404.
        if (_offerSent)
        {
            await DeleteAsync().ConfigureAwait(false);
        }

        if (_handle is not null && !_handle.IsRemoved)
        {
            _handle.Invoke(now => Session.Close(now));
        }

        if (_handle is not null)
        {
            _host.Remove(_handle);
        }

        _host.Dispose();
        _http.Dispose();
        _ownCertificate?.Dispose();
        _settled.TrySetResult(PeerConnectionState.Closed);
        _ended.TrySetResult(null);
        _stop.Dispose();
    }

    // RFC 9725 §4.6: the endpoint may list ICE servers on an OPTIONS request too; those we learn here are used for
    // gathering. Anything other than a 2xx, or a network error, leaves the list as it is.
    private static async Task QueryIceServersAsync(HttpClient http, WhipClientOptions options, Uri endpoint, List<WhipIceServerLink> links, List<IceServer> servers, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, endpoint);
            Authorize(request, options);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            ReadLinks(response, links);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return;
        }

        foreach (IceServer s in await ResolveAsync(links, options.RequestTimeout, cancellationToken).ConfigureAwait(false))
        {
            if (!servers.Contains(s))
            {
                servers.Add(s);
            }
        }
    }

    // The servers of ice-server links (RFC 9725 §4.6); names are resolved within the request timeout.
    private static async Task<List<IceServer>> ResolveAsync(IEnumerable<WhipIceServerLink> links, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var servers = new List<IceServer>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        foreach (WhipIceServerLink link in links)
        {
            if (!IceServerUri.TryParse(link.Uri, out IceServerUri? uri, out _) || (uri.IsTurn && (link.Username is null || link.Credential is null)))
            {
                continue; // not a URI we can use (RFC 9725 §4.9: ignore what we do not understand)
            }

            try
            {
                servers.AddRange(await IceServerResolver.ResolveAsync(uri, link.Username, link.Credential, limit.Token).ConfigureAwait(false));
            }
            catch (System.Net.Sockets.SocketException)
            {
                // A name that does not resolve: gather without it.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break; // resolving took longer than a request may
            }
        }

        return servers;
    }

    // RFC 9725 §4.6: servers linked on the 201 (the place the RFC prefers) that gathering has not used are added to the
    // running agent; what they give is trickled like any late candidate. A TURN server over TCP or TLS (turn:...?transport=tcp,
    // turns:) is added too: the host opens its connection on the first message to it (RFC 8656 §3.1), TLS checked
    // against the server's name with WhipClientOptions.TurnCertificateValidation.
    private async Task UseLinkedServersAsync(List<WhipIceServerLink> links)
    {
        List<IceServer> found = await ResolveAsync(links, _options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
        foreach (IceServer s in found)
        {
            lock (_servers)
            {
                if (_servers.Contains(s))
                {
                    continue;
                }

                _servers.Add(s);
            }

            if (IsDisposedOrGone())
            {
                return;
            }

            try
            {
                Invoke(now => Session.AddIceServer(s, now));
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                return; // disposed, or the session closed, meanwhile
            }
        }
    }

    private static void ReadLinks(HttpResponseMessage response, List<WhipIceServerLink> links)
    {
        if (response.Headers.TryGetValues("Link", out IEnumerable<string>? values))
        {
            foreach (string v in values)
            {
                WhipIceServerLink.Parse(v, links);
            }
        }
    }

    private static void Authorize(HttpRequestMessage request, WhipClientOptions options)
    {
        if (options.BearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
    }

    private async Task OfferAndPostAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        WebRtcSession first = Session;
        _handle = _host.Add(first, (_, now) => OnActivity(first, now));
        MediaDirection direction = _options.Kind == WhipResourceKind.Whep ? MediaDirection.RecvOnly : MediaDirection.SendOnly;
        (OfferSdp, string[] inOffer) = _handle.Invoke(now =>
        {
            Audio = Session.AddTransceiver(MediaKind.Audio, direction);
            Session.CreateOffer(now);
            return (Session.GetLocalDescription(), Session.LocalCandidateValues().ToArray());
        });
        lock (_signalled)
        {
            _signalled.UnionWith(inOffer);
        }

        // The offer never says end-of-candidates: the 201 may name ICE servers to gather from (RFC 9725 §4.6), and
        // no candidate may follow an end-of-candidates (RFC 8838). It is sent by PATCH once gathering completed.
        OfferSdp = OfferSdp.Replace("a=end-of-candidates\r\n", "", StringComparison.Ordinal);
        int before;
        lock (_links)
        {
            before = _links.Count;
        }

        List<WhipIceServerLink> fromAnswer = [];

        // POST, following 307/308 (RFC 9725 §4.5) with the same offer and token; 301/302 are not for WHIP.
        Uri url = endpoint;
        HttpResponseMessage? response = null;
        try
        {
            for (int hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(OfferSdp, Encoding.UTF8) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(SdpType);
                _offerSent = true;
                response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is not (HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect))
                {
                    break;
                }

                Uri? next = response.Headers.Location;
                response.Dispose();
                response = null;
                if (next is null)
                {
                    throw new WhipClientException($"POST {url}: a redirect without a Location");
                }

                if (hop >= _options.MaxRedirects)
                {
                    throw new WhipClientException($"POST {endpoint}: more than {_options.MaxRedirects} redirects");
                }

                url = next.IsAbsoluteUri ? next : new Uri(url, next);
                Redirects++;
            }

            AnsweredBy = url;
            string body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotAcceptable && _options.Kind == WhipResourceKind.Whep
                && string.Equals(response.Content.Headers.ContentType?.MediaType, SdpType, StringComparison.OrdinalIgnoreCase)
                && response.Headers.Location is Uri counterLocation)
            {
                // WHEP -03 §4.2.2: the endpoint refused our offer and made its own; the resource exists (Location).
                ResourceUrl = counterLocation.IsAbsoluteUri ? counterLocation : new Uri(url, counterLocation);
                ETag = response.Headers.ETag?.ToString();
                lock (_links)
                {
                    ReadLinks(response, _links);
                    fromAnswer = [.. _links.Skip(before)];
                }

                AnswerSdp = body;
                long received = System.Diagnostics.Stopwatch.GetTimestamp();
                TimeSpan validFor = CounterOfferValidity(response);
                response.Dispose();
                response = null;
                await AnswerCounterOfferAsync(received, validFor, cancellationToken).ConfigureAwait(false);
                if (fromAnswer.Count > 0)
                {
                    _linkedServers = Task.Run(() => UseLinkedServersAsync(fromAnswer), CancellationToken.None);
                }

                _trickleTask = Task.Run(TrickleLoopAsync, CancellationToken.None);
                StartSupervisor();
                return;
            }

            if (response.StatusCode != HttpStatusCode.Created)
            {
                _offerSent = false; // no resource was created: nothing to DELETE
                throw new WhipClientException($"POST {url}: {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body.Trim() : "")}", (int)response.StatusCode, body);
            }

            Uri location = response.Headers.Location ?? throw new WhipClientException($"POST {url}: 201 without a Location header (RFC 9725 §4.2)", 201, body);
            ResourceUrl = location.IsAbsoluteUri ? location : new Uri(url, location);
            ETag = response.Headers.ETag?.ToString();
            lock (_links)
            {
                ReadLinks(response, _links);
                fromAnswer = [.. _links.Skip(before)];
            }

            string? contentType = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(contentType, SdpType, StringComparison.OrdinalIgnoreCase))
            {
                throw new WhipClientException($"POST {url}: the 201's body is '{contentType}', not {SdpType}", 201, body);
            }

            AnswerSdp = body;
        }
        finally
        {
            response?.Dispose();
        }

        string? error = _handle.Invoke(now => Session.TryApplyAnswer(AnswerSdp, now, out Sdp.Jsep.JsepError? e) ? null : e.ToString());
        if (error is not null)
        {
            throw new WhipClientException($"the answer from {AnsweredBy} does not apply: {error}");
        }

        if (fromAnswer.Count > 0)
        {
            _linkedServers = Task.Run(() => UseLinkedServersAsync(fromAnswer), CancellationToken.None);
        }

        _trickleTask = Task.Run(TrickleLoopAsync, CancellationToken.None);
        StartSupervisor();
        // Candidates gathered between the offer and now (they raised events the loop has queued) go out first.
    }

    /// <summary>
    /// WHEP -03 §4.2.2: a new session (ours made an offer and started ICE as the controlling agent) answers the endpoint's
    /// counter-offer (<see cref="AnswerSdp"/>) recvonly, and the answer goes to the session URL in a PATCH
    /// (<c>application/sdp</c>), which the endpoint accepts with a 2xx (the draft names 204).
    /// </summary>
    private async Task AnswerCounterOfferAsync(long received, TimeSpan validFor, CancellationToken cancellationToken)
    {
        CheckCounterOfferValid(received, validFor);
        UdpSessionHandle old = _handle!;
        WebRtcSession oldSession = Session;
        WebRtcSession session = _newSession();
        Session = session; // from here on, OnActivity ignores the old session (its closing is not ours to report)
        old.Invoke(now => oldSession.Close(now));
        _host.Remove(old);
        oldSession.Dispose();
        while (_trickle.Reader.TryRead(out _))
        {
            // Candidates of the refused offer's session: nothing to trickle.
        }

        _handle = _host.Add(session, (_, now) => OnActivity(session, now));
        (string? answer, string? error, string[] candidates) = _handle.Invoke(now =>
        {
            bool ok = session.TryAnswer(AnswerSdp, MediaDirection.RecvOnly, now, out string? a, out Sdp.Jsep.JsepError? e);
            return (ok ? a : null, ok ? null : e!.ToString(), session.LocalCandidateValues().ToArray());
        });
        if (answer is null)
        {
            throw new WhipClientException($"the counter-offer (406) from {AnsweredBy} cannot be answered: {error}", 406, AnswerSdp);
        }

        Audio = _handle.Invoke(_ => session.Jsep.Transceivers.FirstOrDefault(t => t.Kind == MediaKind.Audio))
            ?? throw new WhipClientException($"the counter-offer (406) from {AnsweredBy} has no audio", 406, AnswerSdp);
        lock (_signalled)
        {
            _signalled.Clear();
            _signalled.UnionWith(candidates);
        }

        answer = answer.Replace("a=end-of-candidates\r\n", "", StringComparison.Ordinal); // as for an offer: the 406's Links may add candidates
        CheckCounterOfferValid(received, validFor);
        using var request = new HttpRequestMessage(HttpMethod.Patch, ResourceUrl) { Content = new StringContent(answer, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(SdpType);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        lock (_patchStatuses)
        {
            _patchStatuses.Add(status);
        }

        if (!response.IsSuccessStatusCode)
        {
            string body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            throw new WhipClientException($"PATCH {ResourceUrl} (the answer to the 406 counter-offer): {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body.Trim() : "")}", status, body);
        }
    }

    /// <summary>
    /// WHEP -03 §4.2.2: how long the counter-offer stays valid: until the HTTP-date (RFC 9110 §5.6.7) of the
    /// <c>valid-until</c> parameter of its Content-Type, or 30 s after it was sent when there is none. The date is the
    /// endpoint's clock, so it is measured from the response's own <c>Date</c> (RFC 9110 §6.6.1) when there is one, not
    /// from ours. A parameter that is not an HTTP-date is ignored (the 30 s default applies).
    /// </summary>
    internal static TimeSpan CounterOfferValidity(HttpResponseMessage response)
    {
        TimeSpan validFor = TimeSpan.FromSeconds(30);
        foreach (NameValueHeaderValue p in response.Content.Headers.ContentType?.Parameters ?? [])
        {
            if (!string.Equals(p.Name, "valid-until", StringComparison.OrdinalIgnoreCase) || p.Value is not string value)
            {
                continue;
            }

            string date = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
            if (DateTimeOffset.TryParseExact(date, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset until))
            {
                DateTimeOffset sent = response.Headers.Date ?? DateTimeOffset.UtcNow;
                validFor = until - sent;
            }
        }

        return validFor;
    }

    private void CheckCounterOfferValid(long received, TimeSpan validFor)
    {
        TimeSpan age = System.Diagnostics.Stopwatch.GetElapsedTime(received);
        if (age >= validFor)
        {
            throw new WhipClientException(
                validFor <= TimeSpan.Zero
                    ? $"the counter-offer (406) from {AnsweredBy} had expired when it arrived (its valid-until is {-validFor.TotalSeconds:0.#} s before its Date)"
                    : $"the counter-offer (406) from {AnsweredBy} expired before it could be answered (valid for {validFor.TotalSeconds:0.#} s)",
                406,
                AnswerSdp);
        }
    }

    // Under the session's lock, on the host's thread.
    private void OnActivity(WebRtcSession session, TimeSpan now)
    {
        if (!ReferenceEquals(session, Session))
        {
            return; // the session a WHEP counter-offer replaced
        }

        while (Session.TryPollEvent(out SessionEvent? e))
        {
            switch (e)
            {
                case SessionCandidateEvent c:
                    _trickle.Writer.TryWrite(new TrickleItem(c.Candidate.ToString()["candidate:".Length..], false, null));
                    break;
                case SessionGatheringCompleteEvent:
                    _trickle.Writer.TryWrite(new TrickleItem(null, true, null));
                    break;
                case SessionStateChangedEvent { State: PeerConnectionState.Connected or PeerConnectionState.Failed or PeerConnectionState.Closed } s:
                    _settled.TrySetResult(s.State);
                    break;
                case SessionTransportFailedEvent { Details.Failure: not TransportFailure.IceFailed }:
                    _transportFailed = true;
                    break;
                default:
                    break;
            }

            _options.Event?.Invoke(e);
        }

        _options.Activity?.Invoke(Session, now);
    }

    private void StartSupervisor()
    {
        if (_options.AutoIceRestart)
        {
            _supervisor = Task.Run(() => SuperviseAsync(_stop.Token), CancellationToken.None);
        }
    }

    /// <summary>
    /// RFC 9725 §4.3.3, automatic ICE restarts: once the session has connected, watches its ICE agent (every 100 ms). ICE
    /// failed (every pair failed, or consent lost: RFC 7675 §5.1), or disconnected for longer than the grace, starts a
    /// restart; a restart the endpoint accepted but after which ICE does not connect within the restart timeout (the
    /// mismatched ICE information the RFC names, or a path still broken) is followed by another, up to the attempt limit,
    /// with back-off. When no restart can help (a status that repeating will not change, a DTLS failure, the attempts
    /// used up) the session is ended: DELETE, then closed (RTCP BYE, DTLS close_notify), and <see cref="Ended"/> says why.
    /// </summary>
    private async Task SuperviseAsync(CancellationToken stop)
    {
        try
        {
            if (await _settled.Task.WaitAsync(stop).ConfigureAwait(false) != PeerConnectionState.Connected)
            {
                return; // never connected: WaitConnectedAsync reports it
            }

            TimeSpan poll = TimeSpan.FromMilliseconds(100);
            long? disconnectedSince = null;
            while (true)
            {
                await Task.Delay(poll, stop).ConfigureAwait(false);
                IceConnectionState? ice = IceState();
                if (ice is null or IceConnectionState.Closed)
                {
                    return; // closed (by the peer, or we are being disposed)
                }

                if (_transportFailed)
                {
                    await GiveUpAsync(0, null, "DTLS failed; an ICE restart cannot repair that").ConfigureAwait(false);
                    return;
                }

                if (ice == IceConnectionState.Disconnected)
                {
                    disconnectedSince ??= System.Diagnostics.Stopwatch.GetTimestamp();
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(disconnectedSince.Value) < _options.IceRestartGrace)
                    {
                        continue;
                    }
                }
                else if (ice != IceConnectionState.Failed)
                {
                    disconnectedSince = null;
                    continue;
                }

                disconnectedSince = null;
                string why = ice == IceConnectionState.Failed ? "ICE failed" : $"ICE disconnected for {_options.IceRestartGrace.TotalSeconds:0.#} s";
                if (!await RestartUntilConnectedAsync(why, stop).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (ObjectDisposedException)
        {
            // The session went away under us (disposed).
        }
    }

    // One outage: restarts until ICE connects again (true) or the client gives up (false, the session ended).
    private async Task<bool> RestartUntilConnectedAsync(string why, CancellationToken stop)
    {
        TimeSpan wait = TimeSpan.Zero;
        string last = why;
        int? lastStatus = null;
        for (int attempt = 1; attempt <= _options.MaxIceRestartAttempts; attempt++)
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }

            TimeSpan backoff = _options.IceRestartBackoff * Math.Pow(2, attempt - 1);
            wait = backoff;
            Report(WhipIceRestartStep.Started, attempt, null, attempt == 1 ? why : $"{why}; attempt {attempt}");
            try
            {
                await RestartIceAsync(stop).ConfigureAwait(false);
            }
            catch (WhipClientException e)
            {
                lastStatus = e.StatusCode;
                last = e.Message;
                Report(WhipIceRestartStep.Refused, attempt, e.StatusCode, e.Message);
                if (!IsWorthRetrying(e.StatusCode))
                {
                    break;
                }

                if (e.RetryAfter is TimeSpan after && after > wait)
                {
                    wait = after < TimeSpan.FromSeconds(30) ? after : TimeSpan.FromSeconds(30);
                }

                continue;
            }

            Report(WhipIceRestartStep.Answered, attempt, 200, $"the endpoint's new ICE information applied (ETag {ETag})");
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < _options.IceRestartTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), stop).ConfigureAwait(false);
                IceConnectionState? ice = IceState();
                if (ice is null or IceConnectionState.Closed)
                {
                    return false;
                }

                if (ice is IceConnectionState.Connected or IceConnectionState.Completed)
                {
                    Report(WhipIceRestartStep.Reconnected, attempt, null, "ICE connected again after the restart");
                    return true;
                }

                if (ice == IceConnectionState.Failed)
                {
                    break;
                }
            }

            lastStatus = 200;
            last = $"ICE did not connect within {_options.IceRestartTimeout.TotalSeconds:0.#} s of the restart";
            Report(WhipIceRestartStep.NotReconnected, attempt, null, last);
        }

        await GiveUpAsync(_options.MaxIceRestartAttempts, lastStatus, $"automatic ICE restart failed ({why}): {last}").ConfigureAwait(false);
        return false;
    }

    // RFC 9725 §4.3.3: a restart the endpoint cannot satisfy gets "an appropriate HTTP error code"; the client MAY retry.
    // Retried: no answer (network error, timeout), 408, 412 (the ICE session changed under us: a new restart with "*"
    // may match), 425, 429 and 5xx but 501 (temporary). Not retried: other 4xx (the request itself is wrong, we are not
    // authorised, the session is gone: 404/410), 501 and 405/422 (restarts not supported, §4.3.1), an unusable 200.
    private static bool IsWorthRetrying(int? status) => status switch
    {
        null or 0 or 408 or 412 or 425 or 429 => true,
        501 => false,
        >= 500 and < 600 => true,
        _ => false,
    };

    private async Task GiveUpAsync(int attempts, int? status, string reason)
    {
        Report(WhipIceRestartStep.GaveUp, attempts, status, reason);
        await DeleteAsync().ConfigureAwait(false);
        try
        {
            _handle?.Invoke(now => Session.Close(now));
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // Already closed.
        }

        _ended.TrySetResult(reason);
    }

    private IceConnectionState? IceState()
    {
        if (IsDisposedOrGone())
        {
            return null;
        }

        try
        {
            return Invoke(_ => Session.Transport.IceAgent?.ConnectionState);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private void Report(WhipIceRestartStep step, int attempt, int? status, string message)
    {
        var e = new WhipIceRestartEvent(step, attempt, status, message, DateTimeOffset.UtcNow);
        lock (_restartLog)
        {
            _restartLog.Add(e);
        }

        try
        {
            _options.IceRestartEvent?.Invoke(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The application's callback is not ours to fail on.
        }
    }

    // RFC 9725 §4.3.2 / RFC 8840 §4.4: candidates the offer did not carry, and end-of-candidates, by PATCH; and ICE
    // restarts (§4.3.3), in the order they were asked for, so that every PATCH is answered before the next one is sent.
    private async Task TrickleLoopAsync()
    {
        ChannelReader<TrickleItem> reader = _trickle.Reader;
        bool endSent = false;
        bool trickling = true; // false once the endpoint said it does not take trickle
        var candidates = new List<string>();
        bool end = false;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out TrickleItem item))
            {
                if (item.Restart is TaskCompletionSource restart)
                {
                    // What was gathered before the restart goes out first, under the old credentials.
                    trickling = await FlushAsync(candidates, end, trickling, endSent).ConfigureAwait(false);
                    endSent |= end;
                    end = false;
                    endSent = await RestartAsync(restart, endSent).ConfigureAwait(false);
                    continue;
                }

                if (item.End)
                {
                    // Not before the 201's ICE servers were added, and only if gathering is still complete after that.
                    await _linkedServers.ConfigureAwait(false);
                    end = !IsDisposedOrGone() && Invoke(_ => Session.Transport.IceAgent?.GatheringState == IceGatheringState.Complete);
                    continue;
                }

                lock (_signalled)
                {
                    if (_signalled.Add(item.Candidate!))
                    {
                        candidates.Add(item.Candidate!);
                    }
                }
            }

            trickling = await FlushAsync(candidates, end, trickling, endSent).ConfigureAwait(false);
            endSent |= end;
            end = false;
        }
    }

    private bool IsDisposedOrGone() => Volatile.Read(ref _disposed) != 0 || _handle is null || _handle.IsRemoved;

    // One trickle PATCH for what was gathered, unless there is nothing new or the endpoint does not take trickle.
    private async Task<bool> FlushAsync(List<string> candidates, bool end, bool trickling, bool endSent)
    {
        if (!trickling || (candidates.Count == 0 && (!end || endSent)))
        {
            candidates.Clear();
            return trickling;
        }

        bool more = await PatchAsync([.. candidates], end).ConfigureAwait(false);
        candidates.Clear();
        return more;
    }

    // RFC 9725 §4.3.3, client side. Returns whether end-of-candidates has been sent for the new ICE session.
    private async Task<bool> RestartAsync(TaskCompletionSource done, bool endSent)
    {
        if (Volatile.Read(ref _disposed) != 0 || _handle is null || _handle.IsRemoved)
        {
            done.TrySetException(new ObjectDisposedException(nameof(WhipClient)));
            return endSent;
        }

        (IceCredentials fresh, string[] candidates, bool complete, string body) = Invoke(now =>
        {
            IceCredentials f = Session.Transport.RestartIce(now);
            string[] local = [.. Session.LocalCandidateValues().Where(c => !c.Contains(" typ prflx", StringComparison.Ordinal))];
            bool gathered = Session.Transport.IceAgent?.GatheringState == IceGatheringState.Complete;
            return (f, local, gathered, BuildFragment(f, local, gathered));
        });
        lock (_signalled)
        {
            // The candidates the agent signals again after the restart are in this PATCH already.
            _signalled.Clear();
            _signalled.UnionWith(candidates);
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, ResourceUrl) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(FragmentType);
            request.Headers.TryAddWithoutValidation("If-Match", "*"); // RFC 9725 §4.3.3
            using HttpResponseMessage response = await SendAsync(request, CancellationToken.None).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            lock (_patchStatuses)
            {
                _patchStatuses.Add(status);
            }

            string answer = await ReadBodyAsync(response, CancellationToken.None).ConfigureAwait(false);
            if (status != 200)
            {
                RetryConditionHeaderValue? retry = response.Headers.RetryAfter;
                TimeSpan? after = retry?.Delta ?? (retry?.Date is DateTimeOffset date ? date - DateTimeOffset.UtcNow : null);
                throw new WhipClientException($"ICE restart: PATCH {ResourceUrl}: {status} {response.ReasonPhrase}{(answer.Length > 0 ? ": " + answer.Trim() : "")}", status, answer)
                {
                    RetryAfter = after < TimeSpan.Zero ? TimeSpan.Zero : after,
                };
            }

            string? type = response.Content.Headers.ContentType?.MediaType;
            TrickleIceFragment? fragment = null;
            bool usable = string.Equals(type, FragmentType, StringComparison.OrdinalIgnoreCase)
                && TrickleIceFragment.TryParse(answer, out fragment, out _)
                && fragment!.IceUfrag is not null && fragment.IcePwd is not null
                && IceStrings.IsUfrag(fragment.IceUfrag) && IceStrings.IsPassword(fragment.IcePwd);
            if (!usable)
            {
                throw new WhipClientException($"ICE restart: PATCH {ResourceUrl}: the 200's body is not a {FragmentType} with a usable ice-ufrag and ice-pwd ('{type}')", status, answer);
            }

            string ufrag = fragment!.IceUfrag!;
            string pwd = fragment.IcePwd!;

            ETag = response.Headers.ETag?.ToString();
            Invoke(now =>
            {
                // RFC 9725 §4.3.3: the endpoint's new set replaces every remote candidate of before (RFC 8445 §9).
                Session.Transport.SetRemoteIceCredentials(new IceCredentials(ufrag, pwd), now);
                bool remoteEnd = false;
                foreach (TrickleIceMedia m in fragment.Media)
                {
                    foreach (string c in m.Candidates)
                    {
                        _ = Session.AddRemoteCandidate(c, now); // unusable ones are dropped (RFC 9725 §4.3.2)
                    }

                    remoteEnd |= m.EndOfCandidates;
                }

                if (remoteEnd)
                {
                    Session.AddRemoteEndOfCandidates(now);
                }
            });
            IceRestarts++;
            done.TrySetResult();
        }
        catch (WhipClientException e)
        {
            done.TrySetException(e);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            done.TrySetException(new WhipClientException($"ICE restart: PATCH {ResourceUrl}: {e.Message}", e));
        }

        return complete;
    }

    /// <summary>One trickle PATCH; false when the endpoint does not take trickle (405, 422, 501) or the client is disposed.</summary>
    private async Task<bool> PatchAsync(List<string> candidates, bool endOfCandidates)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        string body = BuildTrickleFragment(candidates, endOfCandidates);
        int status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, ResourceUrl) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(FragmentType);
            if (ETag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ETag);
            }

            using HttpResponseMessage response = await SendAsync(request, CancellationToken.None).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or WhipClientException)
        {
            status = 0;
        }

        lock (_patchStatuses)
        {
            _patchStatuses.Add(status);
        }

        return status is not (405 or 422 or 501);
    }

    /// <summary>
    /// The PATCH body (RFC 8840 §4.4, RFC 9725 §4.3.2): our current ICE credentials (unchanged, so not a restart), then the
    /// media section our candidates belong to (BUNDLE: the first), its mid, the candidates and end-of-candidates.
    /// </summary>
    internal string BuildTrickleFragment(IReadOnlyList<string> candidates, bool endOfCandidates) =>
        Invoke(_ => BuildFragment(Session.Transport.LocalCredentials, candidates, endOfCandidates));

    // Under the session's lock.
    private string BuildFragment(IceCredentials local, IReadOnlyList<string> candidates, bool endOfCandidates)
    {
        (string? iceOptions, (string Mid, string MediaLine) section) = (Session.LocalIceOptions, ((ISignalledSession)Session).CandidateSection);
        var fragment = new TrickleIceFragment { IceUfrag = local.Ufrag, IcePwd = local.Password, IceOptions = iceOptions };
        var media = new TrickleIceMedia { Mid = section.Mid, MediaLine = section.MediaLine, EndOfCandidates = endOfCandidates };
        foreach (string c in candidates)
        {
            media.Candidates.Add(c);
        }

        fragment.Media.Add(media);
        return fragment.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Authorize(request, _options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            // Headers and body both within the timeout.
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WhipClientException($"{request.Method} {request.RequestUri}: no answer within {_options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new WhipClientException($"{request.Method} {request.RequestUri}: {e.Message}", e);
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // The body is already buffered (ResponseContentRead), bounded by HttpClient's MaxResponseContentBufferSize.
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created || body.Length <= MaxBodyChars ? body : body[..MaxBodyChars];
    }

    /// <summary>A candidate to trickle, end-of-candidates, or an ICE restart asked for.</summary>
    private readonly record struct TrickleItem(string? Candidate, bool End, TaskCompletionSource? Restart);
}
