using System.Net;
using RtcStack.Ice;

namespace RtcStack.WebRtc.Signalling;

/// <summary>Options of a <see cref="WhipClient"/>.</summary>
public sealed class WhipClientOptions
{
    /// <summary>Gets or sets the WHIP or WHEP endpoint URL (http or https) the offer is POSTed to.</summary>
    public Uri? EndpointUrl { get; set; }

    /// <summary>Gets or sets whether this is a WHIP publisher (audio sendonly) or a WHEP player (audio recvonly).</summary>
    public WhipResourceKind Kind { get; set; } = WhipResourceKind.Whip;

    /// <summary>Gets or sets the bearer token sent as <c>Authorization: Bearer</c> on every request (RFC 9725 §4.7.1), or null.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets or sets the local address the media socket binds to (the ICE host candidate). Loopback by default.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Gets or sets how long each HTTP request (POST, PATCH, DELETE, OPTIONS) may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many 307/308 redirects a POST follows (RFC 9725 §4.5).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Gets or sets a value indicating whether to ask the endpoint for ICE servers with an OPTIONS request before the
    /// offer is made, so that they are used for gathering (RFC 9725 §4.6 lets the endpoint list them there as well as on
    /// the 201). A failed or refused OPTIONS is not an error.
    /// </summary>
    public bool QueryIceServers { get; set; } = true;

    /// <summary>
    /// Gets or sets which candidates ICE may use: <see cref="IceTransportPolicy.Relay"/> uses only TURN relays (ours, or
    /// those the endpoint links, RFC 9725 §4.6), so no host address is revealed to the endpoint.
    /// </summary>
    public IceTransportPolicy IceTransportPolicy { get; set; } = IceTransportPolicy.All;

    /// <summary>
    /// Gets or sets how the certificate of a TURN server over TLS (<c>turns:</c>) is checked; null: the system's
    /// validation against the server's name.
    /// </summary>
    public System.Net.Security.RemoteCertificateValidationCallback? TurnCertificateValidation { get; set; }

    /// <summary>Gets ICE servers of our own (RFC 9725 §4.6: they may override the endpoint's), used besides those the endpoint lists.</summary>
    public IList<IceServer> IceServers { get; } = new List<IceServer>();

    /// <summary>Gets or sets the HTTP handler (tests use an in-process one); null uses a <see cref="SocketsHttpHandler"/> that does not follow redirects itself.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Gets or sets the session's DTLS certificate; null makes one.</summary>
    public Dtls.DtlsCertificate? Certificate { get; set; }

    /// <summary>
    /// Gets or sets a callback run on the session's thread, under its lock, whenever it had activity (after the client
    /// drained its events): read media here with <c>WebRtcSession.TryPollMedia</c>.
    /// </summary>
    public Action<WebRtcSession, TimeSpan>? Activity { get; set; }

    /// <summary>Gets or sets a callback for each session event (on the session's thread, under its lock).</summary>
    public Action<SessionEvent>? Event { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the client restarts ICE by itself (RFC 9725 §4.3.3, a PATCH with new
    /// credentials) once the connected session's ICE has failed, or has been disconnected for <see cref="IceRestartGrace"/>,
    /// and again when a restart does not bring connectivity back (mismatched ICE information). On by default.
    /// </summary>
    public bool AutoIceRestart { get; set; } = true;

    /// <summary>
    /// Gets or sets how long ICE may stay disconnected (no response on the selected pair for the agent's disconnected
    /// timeout, see <see cref="IceDisconnectedTimeout"/>) before an automatic restart: a short outage heals by itself.
    /// </summary>
    public TimeSpan IceRestartGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many automatic restarts are tried for one outage before the client gives up and ends the session.</summary>
    public int MaxIceRestartAttempts { get; set; } = 3;

    /// <summary>
    /// Gets or sets the wait before the second automatic restart of an outage; it doubles for each later one. A
    /// <c>Retry-After</c> on a 429 or 503 answer is honoured when it is longer (up to 30 s).
    /// </summary>
    public TimeSpan IceRestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long ICE may take to connect again after a restart the endpoint accepted before the restart is
    /// taken as failed (the endpoint's and our ICE information do not match, or the path is still broken) and another
    /// one is tried.
    /// </summary>
    public TimeSpan IceRestartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long without a response on the selected pair before ICE counts as disconnected (null: the ICE
    /// agent's default, 10 s).
    /// </summary>
    public TimeSpan? IceDisconnectedTimeout { get; set; }

    /// <summary>Gets or sets a callback for each step of an automatic ICE restart (on a thread pool thread).</summary>
    public Action<WhipIceRestartEvent>? IceRestartEvent { get; set; }
}
