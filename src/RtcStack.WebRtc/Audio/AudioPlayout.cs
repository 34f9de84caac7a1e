using RtcStack.Opus;
using RtcStack.Opus.Jitter;

namespace RtcStack.WebRtc;

/// <summary>One remote stream's playout: an Opus decoder (libopus or Concentus) behind an <see cref="AdaptiveJitterBuffer"/>.</summary>
internal sealed class AudioPlayout : IDisposable
{
    private readonly OpusJitterBufferDecoder _decoder;

    public AudioPlayout(AudioPlayoutOptions options)
    {
        OpusCodecProvider codecs = options.Codecs ?? OpusCodecProvider.Default;
        IOpusDecoder opus = codecs.CreateDecoder(options.SampleRate, options.Channels);
        try
        {
            _decoder = new OpusJitterBufferDecoder(opus, ownsDecoder: true);
            Buffer = new AdaptiveJitterBuffer(_decoder, options.JitterBuffer);
        }
        catch
        {
            opus.Dispose();
            throw;
        }

        DecoderImplementation = codecs.ImplementationName;
    }

    /// <summary>Gets the jitter buffer.</summary>
    public AdaptiveJitterBuffer Buffer { get; }

    /// <summary>Gets the decoder's name for statistics (libopus or Concentus).</summary>
    public string DecoderImplementation { get; }

    /// <summary>Gets when the last packet went in, or null.</summary>
    public TimeSpan? LastInsertAt { get; private set; }

    public void Insert(uint ssrc, ushort sequenceNumber, uint timestamp, TimeSpan arrival, ReadOnlySpan<byte> payload)
    {
        Buffer.Insert(ssrc, sequenceNumber, timestamp, arrival, payload);
        LastInsertAt = arrival;
    }

    public void Dispose() => _decoder.Dispose();
}
