using RtcStack.Opus.Jitter;

namespace RtcStack.WebRtc;

/// <summary>One frame of decoded audio from <see cref="WebRtcSession.TryGetPlayoutAudio"/>.</summary>
/// <param name="Mid">The media section.</param>
/// <param name="Ssrc">The remote stream played.</param>
/// <param name="Samples">Samples per channel written.</param>
/// <param name="Channels">Interleaved channels.</param>
/// <param name="SampleRate">The sample rate.</param>
/// <param name="Decision">How the jitter buffer made it (decoded, stretched, FEC, concealed, comfort noise, or silence before playout starts).</param>
public readonly record struct AudioPlayoutFrame(string Mid, uint Ssrc, int Samples, int Channels, int SampleRate, JitterBufferDecision Decision);
