namespace RtcStack.Opus;

/// <summary>
/// A libopus decoder (RFC 6716) held in a <see cref="SafeOpusDecoderHandle"/>. Decoding writes
/// interleaved PCM into a caller's span and does not allocate. Packets are untrusted: a malformed
/// one makes the call return a negative <see cref="OpusError"/> value, never throw. Exceptions
/// are raised only for misuse (a PCM buffer that is not a whole number of 2.5 ms frames, etc.).
/// Not thread-safe.
/// </summary>
public sealed class OpusDecoder : IOpusDecoder
{
    private const int ResetStateRequest = 4028;
    private const int GetFinalRangeRequest = 4031;
    private const int GetPitchRequest = 4033;
    private const int SetGainRequest = 4034;
    private const int GetLastPacketDurationRequest = 4039;
    private const int GetGainRequest = 4045;

    private readonly SafeOpusDecoderHandle _handle;

    /// <summary>Initializes a new instance of the <see cref="OpusDecoder"/> class.</summary>
    /// <param name="sampleRate">Output sample rate: 8000, 12000, 16000, 24000 or 48000 Hz (any packet decodes at any rate, RFC 6716 §2).</param>
    /// <param name="channels">1 or 2 output channels (interleaved); stereo packets are down-mixed for 1.</param>
    /// <exception cref="OpusLibraryNotFoundException">libopus cannot be loaded.</exception>
    public OpusDecoder(int sampleRate, int channels)
    {
        ValidateFormat(sampleRate, channels);
        OpusLibrary.EnsureLoaded();
        _handle = OpusNative.DecoderCreate(sampleRate, channels, out int error);
        if (error != 0 || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new OpusException((OpusError)error, "opus_decoder_create");
        }

        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Gets <see cref="OpusImplementation.LibOpus"/>.</summary>
    public OpusImplementation Implementation => OpusImplementation.LibOpus;

    /// <summary>Gets the output sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the number of interleaved output channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the native handle.</summary>
    public SafeOpusDecoderHandle Handle => _handle;

    /// <summary>Gets the largest frame, in samples per channel, one packet can decode to (120 ms).</summary>
    public int MaxFrameSize => SampleRate * 120 / 1000;

    /// <summary>Gets or sets the output gain in Q8 dB (-32768..32767), e.g. from an Ogg Opus header (RFC 7845 §5.1).</summary>
    public int Gain
    {
        get => Get(GetGainRequest);
        set => Check(OpusNative.DecoderCtl(_handle, SetGainRequest, value), "opus_decoder_ctl");
    }

    /// <summary>Gets the duration, in samples per channel, of the last packet decoded or concealed.</summary>
    public int LastPacketDuration => Get(GetLastPacketDurationRequest);

    /// <summary>Gets the pitch period of the last decoded frame, in samples at 48 kHz, or 0 for unvoiced frames.</summary>
    public int Pitch => Get(GetPitchRequest);

    /// <summary>Gets the final state of the range decoder after the last packet.</summary>
    public uint FinalRange => unchecked((uint)Get(GetFinalRangeRequest));

    /// <summary>Resets the decoder state (<c>OPUS_RESET_STATE</c>).</summary>
    public void Reset() => Check(OpusNative.DecoderCtl(_handle, ResetStateRequest), "OPUS_RESET_STATE");

    /// <summary>
    /// Decodes one packet into interleaved 16-bit PCM. <paramref name="pcm"/> must hold at least the
    /// packet's duration (up to 120 ms). Returns samples per channel, or a negative
    /// <see cref="OpusError"/> (e.g. InvalidPacket) for a malformed packet or too small a buffer.
    /// An empty packet is concealed like <see cref="DecodeLost(Span{short})"/>.
    /// </summary>
    public unsafe int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        int frameSize = FrameSize(pcm.Length);
        fixed (byte* data = packet)
        fixed (short* output = pcm)
        {
            return OpusNative.Decode(_handle, packet.IsEmpty ? null : data, packet.Length, output, frameSize, 0);
        }
    }

    /// <summary>Decodes one packet into interleaved float PCM; see the 16-bit overload.</summary>
    public unsafe int Decode(ReadOnlySpan<byte> packet, Span<float> pcm)
    {
        int frameSize = FrameSize(pcm.Length);
        fixed (byte* data = packet)
        fixed (float* output = pcm)
        {
            return OpusNative.DecodeFloat(_handle, packet.IsEmpty ? null : data, packet.Length, output, frameSize, 0);
        }
    }

    /// <summary>
    /// Recovers a lost packet from the in-band FEC (LBRR) data of the packet that followed it
    /// (RFC 6716 §4.2.4, RFC 7587 §3.3). <paramref name="pcm"/> must be exactly the lost duration, a
    /// multiple of 2.5 ms; where <paramref name="nextPacket"/> has no LBRR data the decoder conceals.
    /// Afterwards decode <paramref name="nextPacket"/> itself normally. Returns samples per channel
    /// or a negative <see cref="OpusError"/>.
    /// </summary>
    public unsafe int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm)
    {
        int frameSize = LossFrameSize(pcm.Length);
        fixed (byte* data = nextPacket)
        fixed (short* output = pcm)
        {
            return OpusNative.Decode(_handle, nextPacket.IsEmpty ? null : data, nextPacket.Length, output, frameSize, 1);
        }
    }

    /// <summary>Recovers a lost packet from the next packet's FEC data into float PCM; see the 16-bit overload.</summary>
    public unsafe int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<float> pcm)
    {
        int frameSize = LossFrameSize(pcm.Length);
        fixed (byte* data = nextPacket)
        fixed (float* output = pcm)
        {
            return OpusNative.DecodeFloat(_handle, nextPacket.IsEmpty ? null : data, nextPacket.Length, output, frameSize, 1);
        }
    }

    /// <summary>
    /// Conceals a lost packet (packet loss concealment, or comfort noise during DTX).
    /// <paramref name="pcm"/> must be exactly the lost duration, a multiple of 2.5 ms.
    /// Returns samples per channel or a negative <see cref="OpusError"/>.
    /// </summary>
    public unsafe int DecodeLost(Span<short> pcm)
    {
        int frameSize = LossFrameSize(pcm.Length);
        fixed (short* output = pcm)
        {
            return OpusNative.Decode(_handle, null, 0, output, frameSize, 0);
        }
    }

    /// <summary>Conceals a lost packet into float PCM; see the 16-bit overload.</summary>
    public unsafe int DecodeLost(Span<float> pcm)
    {
        int frameSize = LossFrameSize(pcm.Length);
        fixed (float* output = pcm)
        {
            return OpusNative.DecodeFloat(_handle, null, 0, output, frameSize, 0);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    internal static void ValidateFormat(int sampleRate, int channels)
    {
        if (sampleRate is not (8000 or 12000 or 16000 or 24000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Opus runs at 8000, 12000, 16000, 24000 or 48000 Hz.");
        }

        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Opus encoders and decoders take 1 or 2 channels.");
        }
    }

    private int FrameSize(int samples) => OpusPcm.FrameSize(samples, Channels);

    private int LossFrameSize(int samples) => OpusPcm.LossFrameSize(samples, Channels, SampleRate);

    private int Get(int request)
    {
        Check(OpusNative.DecoderCtl(_handle, request, out int value), "opus_decoder_ctl");
        return value;
    }

    private static void Check(int result, string operation)
    {
        if (result < 0)
        {
            throw new OpusException((OpusError)result, operation);
        }
    }
}
