namespace RtcStack.Rtp.Red;

/// <summary>One encoding taken out of RED payloads by <see cref="RedDecoder"/>, ready for the codec.</summary>
/// <param name="PayloadType">The block's payload type (e.g. Opus's 111).</param>
/// <param name="Timestamp">The block's RTP timestamp (header timestamp less the block's offset).</param>
/// <param name="IsRecovered">True when this is a lost primary recovered from a later packet's redundant block (RFC 2198 §4).</param>
/// <param name="Length">The number of bytes written to the caller's buffer.</param>
public readonly record struct RedFrame(byte PayloadType, uint Timestamp, bool IsRecovered, int Length);
