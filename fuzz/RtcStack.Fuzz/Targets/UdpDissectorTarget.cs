using RtcStack.Rtp.Capture;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The link-layer, IPv4/IPv6 and UDP dissector on one frame. The first byte picks the link type;
/// the rest is the frame. A dissected datagram is classified (RFC 7983) as the streams command does.
/// </summary>
[FuzzTarget("udp-dissector")]
public sealed class UdpDissectorTarget : IFuzzTarget
{
    private static readonly LinkType[] s_linkTypes =
    [
        LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2,
        LinkType.Null, LinkType.Loop, LinkType.IPv4, LinkType.IPv6,
    ];

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<byte> frame = data[1..];
        if (UdpDatagram.TryDissect(s_linkTypes[data[0] % s_linkTypes.Length], frame, out UdpDatagram udp) != UdpDissectStatus.Ok)
        {
            return;
        }

        if (udp.Payload.Length > frame.Length || udp.UdpLength < 8 || (udp.SourceAddress.Length is not (4 or 16)) || udp.SourceAddress.Length != udp.DestinationAddress.Length)
        {
            throw new InvalidOperationException("dissected datagram out of bounds");
        }

        GC.KeepAlive(DatagramClassifier.Classify(udp.Payload));
    }
}
