namespace RtcStack.WebRtc;

/// <summary>What an audio section sends (<see cref="WebRtcSession.TryGetAudioSendFormat"/>).</summary>
/// <param name="PayloadType">The primary codec's payload type (Opus).</param>
/// <param name="ClockRate">Its RTP clock rate.</param>
/// <param name="RedPayloadType">The RED payload type (RFC 2198) the peer accepted for the primary, or null.</param>
/// <param name="TelephoneEventPayloadType">The telephone-event payload type (RFC 4733) the peer accepted at <paramref name="ClockRate"/>, or null.</param>
public readonly record struct AudioSendFormat(byte PayloadType, int ClockRate, byte? RedPayloadType, byte? TelephoneEventPayloadType);
