using RtcStack.Sctp.DataChannels;

namespace RtcStack.WebRtc;

/// <summary>
/// Something happened on the data channels (RFC 8831; W3C RTCDataChannel events): the association came up, a channel
/// opened (ours or the peer's, RFC 8832 §6), a message arrived, a channel is closing or closed (RFC 8831 §6.7), its
/// buffered amount fell low, or an error.
/// </summary>
/// <param name="Event">The data channel event.</param>
public sealed record SessionDataChannelEvent(DataChannelEvent Event) : SessionEvent;
