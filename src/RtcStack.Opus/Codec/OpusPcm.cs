namespace RtcStack.Opus;

/// <summary>PCM buffer checks shared by every <see cref="IOpusEncoder"/> and <see cref="IOpusDecoder"/>, so misuse fails the same way on each implementation.</summary>
internal static class OpusPcm
{
    /// <summary>Samples per channel in an interleaved buffer of <paramref name="samples"/> (must be a positive multiple of the channel count).</summary>
    public static int FrameSize(int samples, int channels)
    {
        if (samples % channels != 0 || samples == 0)
        {
            throw new ArgumentException($"PCM length {samples} is not a positive multiple of the channel count {channels}.", "pcm");
        }

        return samples / channels;
    }

    /// <summary>Samples per channel for a loss (PLC or FEC): a multiple of 2.5 ms (RFC 6716 §2).</summary>
    public static int LossFrameSize(int samples, int channels, int sampleRate)
    {
        int frameSize = FrameSize(samples, channels);
        if (frameSize % (sampleRate / 400) != 0)
        {
            throw new ArgumentException($"{frameSize} samples per channel is not a multiple of 2.5 ms at {sampleRate} Hz.", "pcm");
        }

        return frameSize;
    }

    /// <summary>Samples per channel of one frame to encode: 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms (RFC 6716 §2.1.4, and libopus's multi-frame sizes).</summary>
    public static int EncodeFrameSize(int samples, int channels, int sampleRate, int packetLength)
    {
        if (samples % channels != 0)
        {
            throw new ArgumentException($"PCM length {samples} is not a multiple of the channel count {channels}.", "pcm");
        }

        int frameSize = samples / channels;
        int unit = sampleRate / 400;
        int units = frameSize / unit;
        if (frameSize % unit != 0 || units is not (1 or 2 or 4 or 8 or 16 or 24 or 32 or 40 or 48))
        {
            throw new ArgumentException($"{frameSize} samples per channel is not an Opus frame size at {sampleRate} Hz (2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms).", "pcm");
        }

        if (packetLength < 1)
        {
            throw new ArgumentException("The packet buffer is empty.", "packet");
        }

        return frameSize;
    }
}
