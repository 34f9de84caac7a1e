namespace RtcStack.Opus;

/// <summary>
/// RFC 6716 §2 and §3.1: the audio bandwidth of a packet. The numeric values are libopus's
/// <c>OPUS_BANDWIDTH_*</c> constants, so they can be passed to and compared with the codec directly.
/// </summary>
public enum OpusBandwidth
{
    /// <summary>Narrowband: 4 kHz audio bandwidth, 8 kHz effective sample rate.</summary>
    Narrowband = 1101,

    /// <summary>Medium-band: 6 kHz audio bandwidth, 12 kHz effective sample rate (SILK only).</summary>
    Mediumband = 1102,

    /// <summary>Wideband: 8 kHz audio bandwidth, 16 kHz effective sample rate.</summary>
    Wideband = 1103,

    /// <summary>Super-wideband: 12 kHz audio bandwidth, 24 kHz effective sample rate.</summary>
    SuperWideband = 1104,

    /// <summary>Fullband: 20 kHz audio bandwidth, 48 kHz effective sample rate.</summary>
    Fullband = 1105,
}
