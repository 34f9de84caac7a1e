namespace RtcStack.Opus.Ogg;

/// <summary>Settings for <see cref="OggOpusWriter"/>.</summary>
public sealed class OggOpusWriterOptions
{
    /// <summary>Gets or sets the identification header. Its PreSkip should be the encoder's look-ahead at 48 kHz (312 for libopus, the default).</summary>
    public OpusHead Head { get; set; } = new();

    /// <summary>Gets or sets the comment header.</summary>
    public OpusTags Tags { get; set; } = new();

    /// <summary>Gets or sets the logical stream serial number (RFC 3533 §6: should be random).</summary>
    public uint SerialNumber { get; set; } = (uint)Random.Shared.Next();

    /// <summary>Gets or sets the most audio held on one page before it is written (opusenc's default is 1 s). Shorter pages lose less on a crash.</summary>
    public TimeSpan MaxPageDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest RTP timestamp gap that is filled with concealment packets (RFC 7845 §4);
    /// a longer jump is treated as a discontinuity and the recording continues without the gap.
    /// </summary>
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromMinutes(10);
}
