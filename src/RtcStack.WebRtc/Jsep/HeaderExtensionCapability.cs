namespace RtcStack.WebRtc.Jsep;

/// <summary>An RTP header extension (RFC 8285) this endpoint offers and accepts for one kind of media.</summary>
/// <param name="Uri">The extension URI (e.g. urn:ietf:params:rtp-hdrext:sdes:mid, RFC 8843 §15.1).</param>
/// <param name="Kind">The media kind it applies to.</param>
/// <param name="PreferredId">The id used in our offers while no peer has chosen another (1-14: one-byte form, RFC 8285 §4.2).</param>
public sealed record HeaderExtensionCapability(string Uri, MediaKind Kind, int PreferredId);
