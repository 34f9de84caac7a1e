namespace RtcStack.Sctp.DataChannels;

/// <summary>Something a <see cref="DataChannelTransport"/> reports (W3C RTCDataChannel events).</summary>
public abstract record DataChannelEvent;

/// <summary>The SCTP association is up (RFC 8831 §6.1).</summary>
public sealed record DataChannelTransportConnectedEvent : DataChannelEvent;

/// <summary>A channel opened: ours once DATA_CHANNEL_OPEN is sent (or at once if negotiated), or the peer's on its DATA_CHANNEL_OPEN.</summary>
/// <param name="Channel">The channel.</param>
public sealed record DataChannelOpenEvent(DataChannel Channel) : DataChannelEvent;

/// <summary>A message on a channel (RFC 8831 §6.6); empty messages arrive with an empty array.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Data">The message.</param>
/// <param name="IsString">Whether it was sent as a string (PPID 51, 54, 56).</param>
public sealed record DataChannelMessageEvent(DataChannel Channel, byte[] Data, bool IsString) : DataChannelEvent;

/// <summary>The channel started closing (RFC 8831 §6.7).</summary>
/// <param name="Channel">The channel.</param>
public sealed record DataChannelClosingEvent(DataChannel Channel) : DataChannelEvent;

/// <summary>The channel is closed: both directions of its stream are reset.</summary>
/// <param name="Channel">The channel.</param>
public sealed record DataChannelClosedEvent(DataChannel Channel) : DataChannelEvent;

/// <summary>An error: a refused DATA_CHANNEL_OPEN, a failed reset, or the association ending.</summary>
/// <param name="Channel">The channel concerned, if any.</param>
/// <param name="Message">What happened.</param>
public sealed record DataChannelErrorEvent(DataChannel? Channel, string Message) : DataChannelEvent;

/// <summary>The channel's buffered amount fell from above its threshold to at or below it (W3C bufferedamountlow).</summary>
/// <param name="Channel">The channel.</param>
/// <param name="BufferedAmount">The bytes still buffered.</param>
public sealed record DataChannelBufferedAmountLowEvent(DataChannel Channel, long BufferedAmount) : DataChannelEvent;
