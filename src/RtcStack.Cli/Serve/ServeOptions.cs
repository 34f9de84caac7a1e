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
