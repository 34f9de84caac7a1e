namespace RtcStack.Opus;

/// <summary>
/// An Opus decoder (RFC 6716 §4), whichever implementation runs it (<see cref="OpusDecoder"/> on
/// libopus, <see cref="ConcentusOpusDecoder"/> managed). Packets are untrusted: a malformed one makes
/// a decode call return a negative <see cref="OpusError"/> value, never throw. Exceptions are for
/// misuse only (a PCM buffer that is not a whole number of channels or of 2.5 ms for a loss).
/// Not thread-safe.
/// </summary>
public interface IOpusDecoder : IDisposable
{
    /// <summary>Gets the implementation that decodes.</summary>
    OpusImplementation Implementation { get; }

    /// <summary>Gets the output sample rate (8000, 12000, 16000, 24000 or 48000 Hz).</summary>
    int SampleRate { get; }

    /// <summary>Gets the number of interleaved output channels (1 or 2).</summary>
    int Channels { get; }

    /// <summary>Gets or sets the output gain in Q8 dB (RFC 7845 §5.1 output gain).</summary>
    int Gain { get; set; }

    /// <summary>Gets the duration, in samples per channel, of the last packet decoded or concealed.</summary>
    int LastPacketDuration { get; }

    /// <summary>Gets the final state of the range decoder after the last packet (RFC 6716 §4.1.6 conformance value).</summary>
    uint FinalRange { get; }

    /// <summary>Resets the decoder state, as for a new stream.</summary>
    void Reset();

    /// <summary>
    /// Decodes one packet (RFC 6716 §3) into interleaved 16-bit PCM. Returns samples per channel, or
    /// a negative <see cref="OpusError"/> for a malformed packet or too small a buffer. An empty
    /// packet is concealed like <see cref="DecodeLost(Span{short})"/>.
    /// </summary>
    int Decode(ReadOnlySpan<byte> packet, Span<short> pcm);

    /// <summary>Decodes one packet into interleaved float PCM (nominal range ±1.0); see the 16-bit overload.</summary>
    int Decode(ReadOnlySpan<byte> packet, Span<float> pcm);

    /// <summary>
    /// Recovers a lost packet from the in-band FEC (LBRR) data of the packet that followed it
    /// (RFC 6716 §4.2.4, RFC 7587 §3.3); <paramref name="pcm"/> is exactly the lost duration.
    /// </summary>
    int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm);

    /// <summary>Recovers a lost packet from the next packet's FEC data into float PCM; see the 16-bit overload.</summary>
    int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<float> pcm);

    /// <summary>Conceals a lost packet (RFC 6716 §4.4); <paramref name="pcm"/> is exactly the lost duration, a multiple of 2.5 ms.</summary>
    int DecodeLost(Span<short> pcm);

    /// <summary>Conceals a lost packet into float PCM; see the 16-bit overload.</summary>
    int DecodeLost(Span<float> pcm);
}
