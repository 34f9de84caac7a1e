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
}

/// <summary>What the server sends back on each call.</summary>
internal enum ServeMode
{
    /// <summary>Every received Opus packet is sent straight back (a loopback call).</summary>
    Echo,

    /// <summary>A sine tone, encoded with libopus.</summary>
    Tone,
}
