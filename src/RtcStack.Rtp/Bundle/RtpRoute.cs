namespace RtcStack.Rtp.Bundle;

/// <summary>Where <see cref="RtpStreamRouter.Route"/> sent a packet.</summary>
/// <param name="Status">Whether the packet is for decoding, and if not, why.</param>
/// <param name="Section">The index of the media section (as <see cref="RtpStreamRouter.AddSection"/> returned it), or -1.</param>
/// <param name="RidIndex">The index of the encoding's RID in the section's list, or -1 (no RID bound).</param>
/// <param name="IsRepair">The stream is the repair (RTX) stream of that encoding (RFC 8852 §3.2).</param>
public readonly record struct RtpRoute(RtpRouteStatus Status, int Section, int RidIndex, bool IsRepair);

/// <summary>The outcome of routing one RTP packet in a BUNDLE group (RFC 8843 §9.2).</summary>
public enum RtpRouteStatus
{
    /// <summary>Associated with a section: decode it there.</summary>
    Routed,

    /// <summary>The MID header extension names no section of the group: discard.</summary>
    UnknownMid,

    /// <summary>The SSRC's section does not receive this payload type: discard.</summary>
    PayloadTypeNotInSection,

    /// <summary>No MID, an SSRC not bound, and a payload type that no single section receives: discard.</summary>
    Unroutable,

    /// <summary>The RID (or repaired RID) is not one the section receives: discard.</summary>
    UnknownRid,

    /// <summary>A new SSRC while the table is full (<see cref="RtpStreamRouter.MaxBoundSsrcs"/>): discard.</summary>
    TooManyStreams,
}
