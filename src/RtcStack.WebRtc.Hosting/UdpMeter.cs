using System.Diagnostics.Metrics;

namespace RtcStack.WebRtc.Io;

/// <summary>The one meter ("RtcStack.WebRtc.Udp") both UDP drivers publish their datagram counters on.</summary>
internal static class UdpMeter
{
    /// <summary>Gets the shared meter.</summary>
    public static Meter Instance { get; } = new("RtcStack.WebRtc.Udp");
}
