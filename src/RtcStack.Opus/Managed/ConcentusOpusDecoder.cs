using ConcentusDecoder = Concentus.Structs.OpusDecoder;
using ConcentusException = Concentus.OpusException;

namespace RtcStack.Opus;

/// <summary>
/// A managed Opus decoder (RFC 6716 §4) on Concentus, a C# port of libopus: no native code, so it
/// runs where libopus is not installed (Windows, macOS, slim containers). Same contract as
/// <see cref="OpusDecoder"/>: a malformed packet returns a negative <see cref="OpusError"/>, never
/// throws. Concentus is a fixed-point port, so its PCM differs slightly from libopus's float build
/// (the differential tests state by how much). Not thread-safe.
/// </summary>
public sealed class ConcentusOpusDecoder : IOpusDecoder
{
    private readonly ConcentusDecoder _decoder;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ConcentusOpusDecoder"/> class.</summary>
    /// <param name="sampleRate">Output sample rate: 8000, 12000, 16000, 24000 or 48000 Hz.</param>
    /// <param name="channels">1 or 2 output channels (interleaved).</param>
    public ConcentusOpusDecoder(int sampleRate, int channels)
    {
        OpusDecoder.ValidateFormat(sampleRate, channels);

        // The concrete type, not Concentus's OpusCodecFactory: the factory may bind a native libopus
        // behind the same interface, and this class must be the managed path whatever is installed.
#pragma warning disable CS0618 // Obsolete in favour of the factory, for exactly the reason above.
        _decoder = new ConcentusDecoder(sampleRate, channels);
#pragma warning restore CS0618
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Gets <see cref="OpusImplementation.Concentus"/>.</summary>
    public OpusImplementation Implementation => OpusImplementation.Concentus;

    /// <inheritdoc/>
    public int SampleRate { get; }

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Gain
    {
        get => _decoder.Gain;
        set => _decoder.Gain = value;
    }

    /// <inheritdoc/>
    public int LastPacketDuration => _decoder.LastPacketDuration;

    /// <inheritdoc/>
    public uint FinalRange => _decoder.FinalRange;

    /// <inheritdoc/>
    public void Reset() => _decoder.ResetState();

    /// <inheritdoc/>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
        => Run(packet, pcm, OpusPcm.FrameSize(pcm.Length, Channels), fec: false);

    /// <inheritdoc/>
    public int Decode(ReadOnlySpan<byte> packet, Span<float> pcm)
        => Run(packet, pcm, OpusPcm.FrameSize(pcm.Length, Channels), fec: false);

    /// <inheritdoc/>
    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm)
        => Run(nextPacket, pcm, OpusPcm.LossFrameSize(pcm.Length, Channels, SampleRate), fec: true);

    /// <inheritdoc/>
    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<float> pcm)
        => Run(nextPacket, pcm, OpusPcm.LossFrameSize(pcm.Length, Channels, SampleRate), fec: true);

    /// <inheritdoc/>
    public int DecodeLost(Span<short> pcm)
        => Run([], pcm, OpusPcm.LossFrameSize(pcm.Length, Channels, SampleRate), fec: false);

    /// <inheritdoc/>
    public int DecodeLost(Span<float> pcm)
        => Run([], pcm, OpusPcm.LossFrameSize(pcm.Length, Channels, SampleRate), fec: false);

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;

    // Concentus reports decode errors by throwing, and a port may trip over its own array bounds on
    // hostile input where libopus's C returns an error code; both become the error value here, as
    // the untrusted-input rule and libopus's contract require.
    private int Run(ReadOnlySpan<byte> packet, Span<short> pcm, int frameSize, bool fec)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return _decoder.Decode(packet, pcm, frameSize, fec);
        }
        catch (ConcentusException ex)
        {
            return ErrorCode(ex);
        }
        catch (IndexOutOfRangeException)
        {
            return (int)OpusError.InvalidPacket;
        }
        catch (ArgumentOutOfRangeException)
        {
            return (int)OpusError.InvalidPacket;
        }
    }

    private int Run(ReadOnlySpan<byte> packet, Span<float> pcm, int frameSize, bool fec)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return _decoder.Decode(packet, pcm, frameSize, fec);
        }
        catch (ConcentusException ex)
        {
            return ErrorCode(ex);
        }
        catch (IndexOutOfRangeException)
        {
            return (int)OpusError.InvalidPacket;
        }
        catch (ArgumentOutOfRangeException)
        {
            return (int)OpusError.InvalidPacket;
        }
    }

    private static int ErrorCode(ConcentusException ex)
        => ex.OpusErrorCode < 0 ? ex.OpusErrorCode : (int)OpusError.InvalidPacket;
}
