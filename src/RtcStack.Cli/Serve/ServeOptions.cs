using System.Net;
using RtcStack.Ice;

namespace RtcStack.Cli.Serve;

/// <summary>What <c>rtcstack serve</c> was asked to do.</summary>
internal sealed class ServeOptions
{
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    public int Port { get; set; } = 8080;

    public int UdpPortMin { get; set; }

    public int UdpPortMax { get; set; }

    public bool SharedSocket { get; set; }

    public List<IceServer> IceServers { get; } = [];

    /// <summary>Gets the STUN/TURN servers as given (names resolved into <see cref="IceServers"/> at start-up).</summary>
    public List<ServeIceServer> IceServerUris { get; } = [];

    /// <summary>Gets or sets the roots trusted for turns: servers (--turn-ca), or null for the system's.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TurnTrust { get; set; }

    /// <summary>Gets the 1:1 NAT mappings (--public-ip).</summary>
    public List<IceNatMapping> NatMappings { get; } = [];

    public IceCandidateType NatCandidateType { get; set; } = IceCandidateType.Host;

    /// <summary>Gets or sets a value indicating whether every-interface binding also gathers on loopback.</summary>
    public bool IncludeLoopback { get; set; }

    public string? Token { get; set; }

    public ServeMode Mode { get; set; } = ServeMode.Echo;

    public double ToneHz { get; set; } = 440;

    public DirectoryInfo? RecordDirectory { get; set; }

    /// <summary>Gets or sets how long a call may take to connect before it is closed and removed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many finished calls /status keeps (a small summary each).</summary>
    public int History { get; set; } = 100;

    /// <summary>Gets the origins allowed to call WHIP/WHEP from their pages (CORS); none by default.</summary>
    public List<string> CorsOrigins { get; } = [];

    /// <summary>Gets or sets the largest WHIP/WHEP body (offer or PATCH fragment) accepted, in bytes.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the sessions per second one client address may create after its burst (0: no limit).</summary>
    public double SessionRate { get; set; } = 10;

    /// <summary>Gets or sets how many sessions one client address may create at once.</summary>
    public int SessionBurst { get; set; } = 20;

    /// <summary>Gets or sets the most calls at once (0: no limit); more get 503 with Retry-After.</summary>
    public int MaxCalls { get; set; }

    /// <summary>
    /// Gets or sets how many UdpEventLoops (one thread each) carry the calls: by default one per core, each with
    /// its own host, calls spread over them; 0 runs one host on the runtime's threads instead. With a shared
    /// socket there is one loop (see specs/webrtc-session.md).
    /// </summary>
    public int Loops { get; set; } = DefaultLoops;

    /// <summary>Gets or sets the load past which a host turns new calls away with 503 (UdpSessionHostOptions.MaxLoad).</summary>
    public double MaxLoad { get; set; } = 0.8;

    /// <summary>Gets the default for <see cref="Loops"/>: one per core where the loop exists (Linux x64), else 0.</summary>
    public static int DefaultLoops => RtcStack.WebRtc.Io.UdpEventLoop.IsSupported ? Environment.ProcessorCount : 0;

    /// <summary>
    /// Gets or sets the highest DTLS version (--dtls): DTLS 1.3 by default (RFC 9147), with 1.2 for peers that lack it;
    /// DTLS 1.2 with <c>--dtls 1.2</c> (RFC 6347). Goes to <see cref="RtcStack.WebRtc.Transport.WebRtcTransportOptions.DtlsMaxVersion"/>.
    /// </summary>
    public RtcStack.Dtls.DtlsVersion DtlsMaxVersion { get; set; } = RtcStack.Dtls.DtlsVersion.Dtls13;

    /// <summary>
    /// Gets or sets the lowest DTLS version (--dtls): DTLS 1.2 by default; DTLS 1.3 with <c>--dtls 1.3</c>, so a
    /// 1.2-only peer is refused with a protocol_version alert (RFC 8446 §D.1, §D.2). Goes to
    /// <see cref="RtcStack.WebRtc.Transport.WebRtcTransportOptions.DtlsMinVersion"/>.
    /// </summary>
    public RtcStack.Dtls.DtlsVersion DtlsMinVersion { get; set; } = RtcStack.Dtls.DtlsVersion.Dtls12;

    /// <summary>Gets the --dtls value these versions stand for: auto, 1.2 or 1.3.</summary>
    public string DtlsName => (DtlsMinVersion, DtlsMaxVersion) switch
    {
        (RtcStack.Dtls.DtlsVersion.Dtls13, _) => "1.3",
        (_, RtcStack.Dtls.DtlsVersion.Dtls12) => "1.2",
        _ => "auto",
    };

    /// <summary>Gets or sets the clock (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>What the server sends back on each call.</summary>
internal enum ServeMode
{
    /// <summary>Every received Opus packet is sent straight back (a loopback call).</summary>
    Echo,

    /// <summary>A sine tone, encoded with libopus.</summary>
    Tone,
}
