using System.Net;

namespace RtcStack.Rtp.Capture;

/// <summary>The UDP 5-tuple (the protocol is always UDP): source and destination address and port.</summary>
/// <param name="SourceAddress">The IPv4 or IPv6 source address.</param>
/// <param name="SourcePort">The UDP source port.</param>
/// <param name="DestinationAddress">The destination address, of the same family as <paramref name="SourceAddress"/>.</param>
/// <param name="DestinationPort">The UDP destination port.</param>
public readonly record struct UdpFlow(IPAddress SourceAddress, ushort SourcePort, IPAddress DestinationAddress, ushort DestinationPort)
{
    /// <summary>Gets the source as an endpoint.</summary>
    public IPEndPoint Source => new(SourceAddress, SourcePort);

    /// <summary>Gets the destination as an endpoint.</summary>
    public IPEndPoint Destination => new(DestinationAddress, DestinationPort);

    /// <summary>Returns the flow of the opposite direction.</summary>
    public UdpFlow Reverse() => new(DestinationAddress, DestinationPort, SourceAddress, SourcePort);

    /// <summary>Formats as <c>192.0.2.1:5004 -> 192.0.2.2:5006</c> (IPv6 addresses in brackets).</summary>
    public override string ToString() => $"{Source} -> {Destination}";
}
