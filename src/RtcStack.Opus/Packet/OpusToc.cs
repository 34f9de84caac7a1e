namespace RtcStack.Opus;

/// <summary>
/// RFC 6716 §3.1: the table-of-contents byte that starts every Opus packet. Bits 0–4 (the most
/// significant five) are the configuration number, bit 5 the stereo flag, bits 6–7 the frame count
/// code. Every value of the byte is meaningful, so construction never fails.
/// </summary>
public readonly struct OpusToc : IEquatable<OpusToc>
{
    /// <summary>Samples per frame at 48 kHz for each configuration, from RFC 6716 §3.1 Table 2.</summary>
    private static ReadOnlySpan<short> SamplesPerFrameTable =>
    [
        480, 960, 1920, 2880, // SILK NB 10/20/40/60 ms
        480, 960, 1920, 2880, // SILK MB
        480, 960, 1920, 2880, // SILK WB
        480, 960,             // Hybrid SWB 10/20 ms
        480, 960,             // Hybrid FB
        120, 240, 480, 960,   // CELT NB 2.5/5/10/20 ms
        120, 240, 480, 960,   // CELT WB
        120, 240, 480, 960,   // CELT SWB
        120, 240, 480, 960,   // CELT FB
    ];

    /// <summary>Initializes a new instance of the <see cref="OpusToc"/> struct from the raw byte.</summary>
    public OpusToc(byte value) => Value = value;

    /// <summary>Gets the raw TOC byte.</summary>
    public byte Value { get; }

    /// <summary>Gets the configuration number (0–31), RFC 6716 §3.1 Table 2.</summary>
    public int Configuration => Value >> 3;

    /// <summary>Gets a value indicating whether the packet is stereo (the "s" bit), RFC 6716 §3.1.</summary>
    public bool IsStereo => (Value & 0x04) != 0;

    /// <summary>Gets the number of channels the packet codes (1 or 2).</summary>
    public int Channels => IsStereo ? 2 : 1;

    /// <summary>Gets the frame count code "c" (0–3), RFC 6716 §3.1.</summary>
    public int FrameCountCode => Value & 0x03;

    /// <summary>Gets the operating mode, RFC 6716 §3.1 Table 2.</summary>
    public OpusMode Mode => Configuration switch
    {
        < 12 => OpusMode.Silk,
        < 16 => OpusMode.Hybrid,
        _ => OpusMode.Celt,
    };

    /// <summary>Gets the audio bandwidth, RFC 6716 §3.1 Table 2.</summary>
    public OpusBandwidth Bandwidth
    {
        get
        {
            int config = Configuration;
            if (config < 12)
            {
                return OpusBandwidth.Narrowband + (config >> 2);
            }

            if (config < 16)
            {
                return config < 14 ? OpusBandwidth.SuperWideband : OpusBandwidth.Fullband;
            }

            // CELT-only: NB, WB, SWB, FB (no medium-band).
            return (config >> 2) switch
            {
                4 => OpusBandwidth.Narrowband,
                5 => OpusBandwidth.Wideband,
                6 => OpusBandwidth.SuperWideband,
                _ => OpusBandwidth.Fullband,
            };
        }
    }

    /// <summary>Gets the duration of one frame in samples at 48 kHz (120 to 2880), RFC 6716 §3.1.</summary>
    public int SamplesPerFrame => SamplesPerFrameTable[Configuration];

    /// <summary>Gets the duration of one frame.</summary>
    public TimeSpan FrameDuration => TimeSpan.FromTicks(SamplesPerFrame * TimeSpan.TicksPerMillisecond / 48);

    /// <summary>Returns the duration of one frame in samples at <paramref name="sampleRate"/> (8, 12, 16, 24 or 48 kHz).</summary>
    public int GetSamplesPerFrame(int sampleRate) => (int)((long)SamplesPerFrame * sampleRate / 48000);

    /// <summary>Returns a TOC byte with the same configuration and stereo flag and the given frame count code.</summary>
    public OpusToc WithFrameCountCode(int code) => new((byte)((Value & 0xFC) | (code & 0x03)));

    /// <summary>Returns the TOC byte for a configuration, stereo flag and frame count code.</summary>
    public static OpusToc Create(int configuration, bool stereo, int frameCountCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(configuration);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(configuration, 31);
        ArgumentOutOfRangeException.ThrowIfNegative(frameCountCode);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameCountCode, 3);
        return new OpusToc((byte)((configuration << 3) | (stereo ? 0x04 : 0) | frameCountCode));
    }

    /// <summary>
    /// Finds the configuration number for a mode, bandwidth and frame duration (in 48 kHz samples),
    /// or returns false when RFC 6716 Table 2 has no such combination.
    /// </summary>
    public static bool TryGetConfiguration(OpusMode mode, OpusBandwidth bandwidth, int samplesPerFrame, out int configuration)
    {
        for (int config = 0; config < 32; config++)
        {
            var toc = new OpusToc((byte)(config << 3));
            if (toc.Mode == mode && toc.Bandwidth == bandwidth && toc.SamplesPerFrame == samplesPerFrame)
            {
                configuration = config;
                return true;
            }
        }

        configuration = -1;
        return false;
    }

    /// <summary>Gets a value indicating whether two TOC bytes allow their frames to share one packet (same configuration and stereo flag), RFC 6716 §3.1.</summary>
    public bool IsCompatibleWith(OpusToc other) => ((Value ^ other.Value) & 0xFC) == 0;

    /// <inheritdoc/>
    public bool Equals(OpusToc other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is OpusToc other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value;

    /// <inheritdoc/>
    public override string ToString() =>
        $"config {Configuration} ({Mode} {Bandwidth} {SamplesPerFrame / 48.0:0.#} ms) {(IsStereo ? "stereo" : "mono")} code {FrameCountCode}";

    /// <summary>Compares two TOC bytes.</summary>
    public static bool operator ==(OpusToc left, OpusToc right) => left.Equals(right);

    /// <summary>Compares two TOC bytes.</summary>
    public static bool operator !=(OpusToc left, OpusToc right) => !left.Equals(right);
}
