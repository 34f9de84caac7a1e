namespace RtcStack.Opus.Jitter;

/// <summary>
/// <see cref="IJitterBufferDecoder"/> over an Opus decoder: the libopus binding (<see cref="OpusDecoder"/>) or the
/// managed one (<see cref="ConcentusOpusDecoder"/>), as <see cref="OpusCodecProvider"/> chooses. Packet durations come from
/// the TOC byte (RFC 6716 §3.1) and FEC presence from the SILK LBRR flags (§4.2.4, <see cref="OpusPacketInspector"/>);
/// neither allocates.
/// </summary>
public sealed class OpusJitterBufferDecoder : IJitterBufferDecoder, IDisposable
{
    private readonly IOpusDecoder _decoder;
    private readonly bool _ownsDecoder;

    /// <summary>Creates a libopus decoder at <paramref name="sampleRate"/> Hz with <paramref name="channels"/> channels.</summary>
    /// <exception cref="OpusLibraryNotFoundException">libopus cannot be loaded.</exception>
    public OpusJitterBufferDecoder(int sampleRate = 48000, int channels = 1)
        : this(new OpusDecoder(sampleRate, channels), ownsDecoder: true)
    {
    }

    /// <summary>Wraps an existing decoder (libopus or Concentus); it is disposed with this object only when <paramref name="ownsDecoder"/> is true.</summary>
    public OpusJitterBufferDecoder(IOpusDecoder decoder, bool ownsDecoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        _decoder = decoder;
        _ownsDecoder = ownsDecoder;
    }

    /// <inheritdoc/>
    public int SampleRate => _decoder.SampleRate;

    /// <inheritdoc/>
    public int Channels => _decoder.Channels;

    /// <inheritdoc/>
    public int GetDuration(ReadOnlySpan<byte> packet)
    {
        int samples48 = OpusPacket.GetSampleCount(packet);
        return samples48 < 0 ? -1 : (int)((long)samples48 * SampleRate / 48000);
    }

    /// <inheritdoc/>
    public bool HasFec(ReadOnlySpan<byte> packet) =>
        OpusPacketInspector.Inspect(packet, out OpusPacketInfo info) == OpusPacketStatus.Valid && info.HasLbrr;

    /// <inheritdoc/>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm) => _decoder.Decode(packet, pcm);

    /// <inheritdoc/>
    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm) => _decoder.DecodeFec(nextPacket, pcm);

    /// <inheritdoc/>
    public int Conceal(Span<short> pcm) => _decoder.DecodeLost(pcm);

    /// <inheritdoc/>
    public void Reset() => _decoder.Reset();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsDecoder)
        {
            _decoder.Dispose();
        }
    }
}
