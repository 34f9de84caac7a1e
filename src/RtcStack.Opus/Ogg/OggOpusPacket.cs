namespace RtcStack.Opus.Ogg;

/// <summary>One audio packet read from an Ogg Opus stream, with its timing (RFC 7845 §4).</summary>
public readonly struct OggOpusPacket
{
    internal OggOpusPacket(ReadOnlyMemory<byte> data, long startGranule, int sampleCount, int trimSamples, int preSkip, bool isValid, bool isLast)
    {
        Data = data;
        StartGranule = startGranule;
        SampleCount = sampleCount;
        TrimSamples = trimSamples;
        PreSkip = preSkip;
        IsValid = isValid;
        IsLast = isLast;
    }

    /// <summary>Gets the packet bytes. They stay valid only until the next read.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the granule position (48 kHz samples, including pre-skip) of the packet's first sample.</summary>
    public long StartGranule { get; }

    /// <summary>Gets the packet duration in 48 kHz samples from its TOC (0 for an invalid packet).</summary>
    public int SampleCount { get; }

    /// <summary>Gets the samples to drop from the end of this packet's decoded output (end trimming, RFC 7845 §4.4).</summary>
    public int TrimSamples { get; }

    /// <summary>Gets the granule position after the packet, after end trimming.</summary>
    public long EndGranule => StartGranule + SampleCount - TrimSamples;

    /// <summary>Gets the stream's pre-skip (RFC 7845 §4.2).</summary>
    public int PreSkip { get; }

    /// <summary>Gets the PCM sample position of the packet's first sample: granule minus pre-skip (RFC 7845 §4.3); negative inside the pre-skip.</summary>
    public long PcmStart => StartGranule - PreSkip;

    /// <summary>Gets the playback time of the packet's first sample (RFC 7845 §4.3); negative inside the pre-skip.</summary>
    public TimeSpan PlaybackTime => TimeSpan.FromTicks(PcmStart * TimeSpan.TicksPerSecond / 48000);

    /// <summary>Gets a value indicating whether the packet has a valid TOC sequence (RFC 7845 §3: a zero-length packet is treated as invalid).</summary>
    public bool IsValid { get; }

    /// <summary>Gets a value indicating whether this is the last packet of a stream that ended with an end-of-stream page.</summary>
    public bool IsLast { get; }
}
