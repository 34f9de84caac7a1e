using RtcStack.Opus;
using RtcStack.Opus.Jitter;

namespace RtcStack.WebRtc;

/// <summary>Settings of the session's audio playout path (<see cref="WebRtcSessionOptions.AudioPlayout"/>): jitter buffer, output format, decoder.</summary>
public sealed class AudioPlayoutOptions
{
    /// <summary>Gets the jitter buffer's settings (its <see cref="JitterBufferOptions.ClockRate"/> stays 48000 for Opus, RFC 7587 §4.1).</summary>
    public JitterBufferOptions JitterBuffer { get; init; } = new();

    /// <summary>Gets the output sample rate: 8000, 12000, 16000, 24000 or 48000.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>Gets the number of interleaved output channels: 1 or 2.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>
    /// Gets where decoders come from: null for <see cref="OpusCodecProvider.Default"/> (libopus where it loads, Concentus
    /// where it does not); the choice is the inbound-rtp entry's decoderImplementation.
    /// </summary>
    public OpusCodecProvider? Codecs { get; init; }
}
