namespace RtcStack.Opus;

/// <summary>
/// A libopus encoder (RFC 6716) held in a <see cref="SafeOpusEncoderHandle"/>. Encoding takes
/// interleaved PCM spans and writes one Opus packet into a caller's span; it does not allocate.
/// Not thread-safe: use one instance per stream and thread.
/// </summary>
public sealed class OpusEncoder : IOpusEncoder
{
    private const int SetBitrateRequest = 4002;
    private const int GetBitrateRequest = 4003;
    private const int SetMaxBandwidthRequest = 4004;
    private const int GetMaxBandwidthRequest = 4005;
    private const int SetVbrRequest = 4006;
    private const int GetVbrRequest = 4007;
    private const int SetBandwidthRequest = 4008;
    private const int GetBandwidthRequest = 4009;
    private const int SetComplexityRequest = 4010;
    private const int GetComplexityRequest = 4011;
    private const int SetInbandFecRequest = 4012;
    private const int GetInbandFecRequest = 4013;
    private const int SetPacketLossPercRequest = 4014;
    private const int GetPacketLossPercRequest = 4015;
    private const int SetDtxRequest = 4016;
    private const int GetDtxRequest = 4017;
    private const int SetVbrConstraintRequest = 4020;
    private const int GetVbrConstraintRequest = 4021;
    private const int SetForceChannelsRequest = 4022;
    private const int GetForceChannelsRequest = 4023;
    private const int SetSignalRequest = 4024;
    private const int GetSignalRequest = 4025;
    private const int GetLookaheadRequest = 4027;
    private const int ResetStateRequest = 4028;
    private const int GetFinalRangeRequest = 4031;
    private const int SetExpertFrameDurationRequest = 4040;
    private const int GetExpertFrameDurationRequest = 4041;
    private const int GetInDtxRequest = 4049;

    /// <summary><c>OPUS_AUTO</c>.</summary>
    public const int Auto = -1000;

    /// <summary><c>OPUS_BITRATE_MAX</c>: as many bits as the packet size allows.</summary>
    public const int BitrateMax = -1;

    /// <summary>The largest packet libopus produces for one call (RFC 6716 §3.2.1 allows 1275 bytes per frame; 4000 is libopus's recommended buffer).</summary>
    public const int MaxPacketSize = 4000;

    private readonly SafeOpusEncoderHandle _handle;

    /// <summary>Initializes a new instance of the <see cref="OpusEncoder"/> class.</summary>
    /// <param name="sampleRate">Input sample rate: 8000, 12000, 16000, 24000 or 48000 Hz.</param>
    /// <param name="channels">1 or 2 (interleaved).</param>
    /// <param name="application">The coding mode to favour.</param>
    /// <exception cref="OpusLibraryNotFoundException">libopus cannot be loaded.</exception>
    public OpusEncoder(int sampleRate, int channels, OpusApplication application)
    {
        OpusDecoder.ValidateFormat(sampleRate, channels);
        OpusLibrary.EnsureLoaded();
        _handle = OpusNative.EncoderCreate(sampleRate, channels, (int)application, out int error);
        if (error != 0 || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new OpusException((OpusError)error, "opus_encoder_create");
        }

        SampleRate = sampleRate;
        Channels = channels;
        Application = application;
    }

    /// <summary>Gets <see cref="OpusImplementation.LibOpus"/>.</summary>
    public OpusImplementation Implementation => OpusImplementation.LibOpus;

    /// <summary>Gets the input sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the number of interleaved input channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the application the encoder was created for.</summary>
    public OpusApplication Application { get; }

    /// <summary>Gets the native handle.</summary>
    public SafeOpusEncoderHandle Handle => _handle;

    /// <summary>Gets or sets the target bitrate in bits per second (500–512000), <see cref="Auto"/> or <see cref="BitrateMax"/>.</summary>
    public int Bitrate
    {
        get => Get(GetBitrateRequest);
        set => Set(SetBitrateRequest, value);
    }

    /// <summary>Gets or sets the computational complexity, 0 (fastest) to 10 (best).</summary>
    public int Complexity
    {
        get => Get(GetComplexityRequest);
        set => Set(SetComplexityRequest, value);
    }

    /// <summary>Gets or sets a value indicating whether in-band FEC (SILK LBRR frames, RFC 6716 §4.2.4) is coded when the expected loss makes it worthwhile.</summary>
    public bool InbandFec
    {
        get => Get(GetInbandFecRequest) != 0;
        set => Set(SetInbandFecRequest, value ? 1 : 0);
    }

    /// <summary>Gets or sets the expected packet loss, in percent (0–100); with <see cref="InbandFec"/> this decides how much LBRR data is sent.</summary>
    public int PacketLossPercentage
    {
        get => Get(GetPacketLossPercRequest);
        set => Set(SetPacketLossPercRequest, value);
    }

    /// <summary>Gets or sets a value indicating whether discontinuous transmission is used: during silence the encoder emits one-byte (TOC only) packets (RFC 7587 §3.1.3).</summary>
    public bool Dtx
    {
        get => Get(GetDtxRequest) != 0;
        set => Set(SetDtxRequest, value ? 1 : 0);
    }

    /// <summary>Gets a value indicating whether the last encoded frame was a DTX frame (<c>OPUS_GET_IN_DTX</c>, libopus 1.3 and later).</summary>
    public bool InDtx => Get(GetInDtxRequest) != 0;

    /// <summary>Gets or sets a value indicating whether variable bitrate is used (the default); false gives CBR (RFC 7587 §3.1.2).</summary>
    public bool Vbr
    {
        get => Get(GetVbrRequest) != 0;
        set => Set(SetVbrRequest, value ? 1 : 0);
    }

    /// <summary>Gets or sets a value indicating whether VBR is constrained (a bit reservoir, like "CBR" in MP3/AAC).</summary>
    public bool VbrConstraint
    {
        get => Get(GetVbrConstraintRequest) != 0;
        set => Set(SetVbrConstraintRequest, value ? 1 : 0);
    }

    /// <summary>Gets or sets the widest audio bandwidth the encoder may use (e.g. from the remote maxplaybackrate, RFC 7587 §6.1).</summary>
    public OpusBandwidth MaxBandwidth
    {
        get => (OpusBandwidth)Get(GetMaxBandwidthRequest);
        set => Set(SetMaxBandwidthRequest, (int)value);
    }

    /// <summary>Gets the bandwidth of the last packet, or sets a forced bandwidth; <c>(OpusBandwidth)Auto</c> restores automatic choice.</summary>
    public OpusBandwidth Bandwidth
    {
        get => (OpusBandwidth)Get(GetBandwidthRequest);
        set => Set(SetBandwidthRequest, (int)value);
    }

    /// <summary>Gets or sets the signal type hint.</summary>
    public OpusSignal Signal
    {
        get => (OpusSignal)Get(GetSignalRequest);
        set => Set(SetSignalRequest, (int)value);
    }

    /// <summary>Gets or sets a forced channel count (1 or 2), or <see cref="Auto"/>; e.g. mono when the peer's fmtp says stereo=0 (RFC 7587 §6.1).</summary>
    public int ForceChannels
    {
        get => Get(GetForceChannelsRequest);
        set => Set(SetForceChannelsRequest, value);
    }

    /// <summary>Gets or sets the expert frame duration (<c>OPUS_FRAMESIZE_*</c>, 5000 = from the argument, the default).</summary>
    public int ExpertFrameDuration
    {
        get => Get(GetExpertFrameDurationRequest);
        set => Set(SetExpertFrameDurationRequest, value);
    }

    /// <summary>Gets the encoder's look-ahead in samples at <see cref="SampleRate"/>: the pre-skip to write in an Ogg Opus header (RFC 7845 §5.1).</summary>
    public int Lookahead => Get(GetLookaheadRequest);

    /// <summary>Gets the final state of the range coder after the last packet (for conformance checks against the decoder).</summary>
    public uint FinalRange => unchecked((uint)Get(GetFinalRangeRequest));

    /// <summary>Resets the encoder state (<c>OPUS_RESET_STATE</c>), as for a new stream.</summary>
    public void Reset() => Check(OpusNative.EncoderCtl(_handle, ResetStateRequest), "OPUS_RESET_STATE");

    /// <summary>
    /// Encodes one frame of interleaved 16-bit PCM. The frame size is <c>pcm.Length / Channels</c>
    /// and must be 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms at <see cref="SampleRate"/>. Returns the
    /// packet length written to <paramref name="packet"/> (1 or 2 bytes during DTX).
    /// </summary>
    public unsafe int Encode(ReadOnlySpan<short> pcm, Span<byte> packet)
    {
        int frameSize = CheckFrame(pcm.Length, packet.Length);
        int result;
        fixed (short* input = pcm)
        fixed (byte* output = packet)
        {
            result = OpusNative.Encode(_handle, input, frameSize, output, packet.Length);
        }

        return Check(result, "opus_encode");
    }

    /// <summary>Encodes one frame of interleaved float PCM (nominal range ±1.0); see the 16-bit overload.</summary>
    public unsafe int Encode(ReadOnlySpan<float> pcm, Span<byte> packet)
    {
        int frameSize = CheckFrame(pcm.Length, packet.Length);
        int result;
        fixed (float* input = pcm)
        fixed (byte* output = packet)
        {
            result = OpusNative.EncodeFloat(_handle, input, frameSize, output, packet.Length);
        }

        return Check(result, "opus_encode_float");
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    private int CheckFrame(int samples, int packetLength) => OpusPcm.EncodeFrameSize(samples, Channels, SampleRate, packetLength);

    private int Get(int request)
    {
        Check(OpusNative.EncoderCtl(_handle, request, out int value), "opus_encoder_ctl");
        return value;
    }

    private void Set(int request, int value) => Check(OpusNative.EncoderCtl(_handle, request, value), "opus_encoder_ctl");

    private static int Check(int result, string operation)
    {
        if (result < 0)
        {
            throw new OpusException((OpusError)result, operation);
        }

        return result;
    }
}
