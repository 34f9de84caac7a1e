using ConcentusApplication = Concentus.Enums.OpusApplication;
using ConcentusBandwidth = Concentus.Enums.OpusBandwidth;
using ConcentusEncoder = Concentus.Structs.OpusEncoder;
using ConcentusException = Concentus.OpusException;
using ConcentusSignal = Concentus.Enums.OpusSignal;

namespace RtcStack.Opus;

/// <summary>
/// A managed Opus encoder (RFC 6716 §5) on Concentus, a C# port of libopus: no native code. Same
/// controls and contract as <see cref="OpusEncoder"/>; its packets are ordinary Opus packets that
/// libopus and opus-tools decode (tested). Not thread-safe.
/// </summary>
public sealed class ConcentusOpusEncoder : IOpusEncoder
{
    private readonly ConcentusEncoder _encoder;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ConcentusOpusEncoder"/> class.</summary>
    /// <param name="sampleRate">Input sample rate: 8000, 12000, 16000, 24000 or 48000 Hz.</param>
    /// <param name="channels">1 or 2 (interleaved).</param>
    /// <param name="application">The coding mode to favour.</param>
    public ConcentusOpusEncoder(int sampleRate, int channels, OpusApplication application)
    {
        OpusDecoder.ValidateFormat(sampleRate, channels);
        if (!Enum.IsDefined(application))
        {
            throw new ArgumentOutOfRangeException(nameof(application), application, "Unknown Opus application.");
        }

        // The concrete type, not Concentus's OpusCodecFactory, which may bind native libopus.
#pragma warning disable CS0618
        _encoder = new ConcentusEncoder(sampleRate, channels, (ConcentusApplication)(int)application);
#pragma warning restore CS0618
        SampleRate = sampleRate;
        Channels = channels;
        Application = application;
    }

    /// <summary>Gets <see cref="OpusImplementation.Concentus"/>.</summary>
    public OpusImplementation Implementation => OpusImplementation.Concentus;

    /// <inheritdoc/>
    public int SampleRate { get; }

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public OpusApplication Application { get; }

    /// <inheritdoc/>
    public int Bitrate
    {
        get => _encoder.Bitrate;
        set => Set(() => _encoder.Bitrate = value);
    }

    /// <inheritdoc/>
    public int Complexity
    {
        get => _encoder.Complexity;
        set => Set(() => _encoder.Complexity = value);
    }

    /// <inheritdoc/>
    public bool InbandFec
    {
        get => _encoder.UseInbandFEC;
        set => _encoder.UseInbandFEC = value;
    }

    /// <inheritdoc/>
    public int PacketLossPercentage
    {
        get => _encoder.PacketLossPercent;
        set => Set(() => _encoder.PacketLossPercent = value);
    }

    /// <inheritdoc/>
    public bool Dtx
    {
        get => _encoder.UseDTX;
        set => _encoder.UseDTX = value;
    }

    /// <inheritdoc/>
    public bool Vbr
    {
        get => _encoder.UseVBR;
        set => _encoder.UseVBR = value;
    }

    /// <inheritdoc/>
    public bool VbrConstraint
    {
        get => _encoder.UseConstrainedVBR;
        set => _encoder.UseConstrainedVBR = value;
    }

    /// <inheritdoc/>
    public OpusBandwidth MaxBandwidth
    {
        get => (OpusBandwidth)(int)_encoder.MaxBandwidth;
        set => Set(() => _encoder.MaxBandwidth = (ConcentusBandwidth)(int)value);
    }

    /// <inheritdoc/>
    public int ForceChannels
    {
        get => _encoder.ForceChannels;
        set => Set(() => _encoder.ForceChannels = value);
    }

    /// <inheritdoc/>
    public OpusSignal Signal
    {
        get => (OpusSignal)(int)_encoder.SignalType;
        set => Set(() => _encoder.SignalType = (ConcentusSignal)(int)value);
    }

    /// <inheritdoc/>
    public int Lookahead => _encoder.Lookahead;

    /// <inheritdoc/>
    public uint FinalRange => _encoder.FinalRange;

    /// <inheritdoc/>
    public void Reset() => _encoder.ResetState();

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> packet)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int frameSize = OpusPcm.EncodeFrameSize(pcm.Length, Channels, SampleRate, packet.Length);
        try
        {
            return _encoder.Encode(pcm, frameSize, packet, packet.Length);
        }
        catch (ConcentusException ex)
        {
            throw new OpusException((OpusError)ex.OpusErrorCode, "Concentus encode");
        }
    }

    /// <inheritdoc/>
    public int Encode(ReadOnlySpan<float> pcm, Span<byte> packet)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int frameSize = OpusPcm.EncodeFrameSize(pcm.Length, Channels, SampleRate, packet.Length);
        try
        {
            return _encoder.Encode(pcm, frameSize, packet, packet.Length);
        }
        catch (ConcentusException ex)
        {
            throw new OpusException((OpusError)ex.OpusErrorCode, "Concentus encode");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;

    // Concentus throws its own exception (or ArgumentException) for a bad control value where libopus
    // returns OPUS_BAD_ARG; both surface as OpusException(BadArgument), as OpusEncoder does.
    private static void Set(Action set)
    {
        try
        {
            set();
        }
        catch (ConcentusException ex)
        {
            throw new OpusException(ex.OpusErrorCode < 0 ? (OpusError)ex.OpusErrorCode : OpusError.BadArgument, "Concentus control");
        }
        catch (ArgumentException)
        {
            throw new OpusException(OpusError.BadArgument, "Concentus control");
        }
    }
}
