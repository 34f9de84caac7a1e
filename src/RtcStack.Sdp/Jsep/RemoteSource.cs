namespace RtcStack.Sdp.Jsep;

/// <summary>An RTP source the peer announced with "a=ssrc" lines (RFC 5576 §4.1).</summary>
/// <param name="Ssrc">The SSRC.</param>
/// <param name="CName">Its "cname" source attribute, or null.</param>
public sealed record RemoteSource(uint Ssrc, string? CName);
