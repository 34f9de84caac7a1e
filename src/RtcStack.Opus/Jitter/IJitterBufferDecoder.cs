namespace RtcStack.Opus.Jitter;

/// <summary>
/// The decoder an <see cref="AdaptiveJitterBuffer"/> drives: one packet in, interleaved 16-bit PCM out, plus the two
/// kinds of synthesis a receiver needs when a packet is missing (RFC 6716 §4.4 packet loss concealment, which during
/// DTX is comfort noise, and §4.2.4 in-band FEC from the following packet). Kept small so that the libopus binding
/// (<see cref="OpusJitterBufferDecoder"/>) and a managed decoder can both sit behind it. Implementations never throw
/// on untrusted packets: a malformed one gives a negative result.
/// </summary>
public interface IJitterBufferDecoder
{
    /// <summary>Gets the output sample rate in Hz.</summary>
    int SampleRate { get; }

    /// <summary>Gets the number of interleaved output channels.</summary>
    int Channels { get; }

    /// <summary>Returns the duration of <paramref name="packet"/> in samples per channel at <see cref="SampleRate"/>, or -1 when it cannot be told (RFC 6716 §3.1).</summary>
    int GetDuration(ReadOnlySpan<byte> packet);

    /// <summary>Returns whether <paramref name="packet"/> carries in-band FEC (LBRR) data for the packet before it (RFC 6716 §4.2.4).</summary>
    bool HasFec(ReadOnlySpan<byte> packet);

    /// <summary>Decodes <paramref name="packet"/> into <paramref name="pcm"/>; returns samples per channel written, or a negative value for a malformed packet.</summary>
    int Decode(ReadOnlySpan<byte> packet, Span<short> pcm);

    /// <summary>Decodes the previous (lost) packet from the FEC data in <paramref name="nextPacket"/>, filling exactly <paramref name="pcm"/>; returns samples per channel or a negative value.</summary>
    int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm);

    /// <summary>Synthesises exactly <paramref name="pcm"/> (a multiple of 2.5 ms) by concealment, or comfort noise after a DTX packet; returns samples per channel or a negative value.</summary>
    int Conceal(Span<short> pcm);

    /// <summary>Forgets all decoder state (after a stream reset).</summary>
    void Reset();
}
