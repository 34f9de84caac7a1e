namespace RtcStack.Opus;

/// <summary>
/// An Opus encoder (RFC 6716 §5), whichever implementation runs it (<see cref="OpusEncoder"/> on
/// libopus, <see cref="ConcentusOpusEncoder"/> managed). Encoding takes interleaved PCM and writes
/// one Opus packet into a caller's span. The controls are those RFC 7587 §6.1's media type
/// parameters map onto (see <see cref="OpusFmtp.ConfigureEncoder"/>). Not thread-safe.
/// </summary>
public interface IOpusEncoder : IDisposable
{
    /// <summary>Gets the implementation that encodes.</summary>
    OpusImplementation Implementation { get; }

    /// <summary>Gets the input sample rate.</summary>
    int SampleRate { get; }

    /// <summary>Gets the number of interleaved input channels.</summary>
    int Channels { get; }

    /// <summary>Gets the application the encoder was created for.</summary>
    OpusApplication Application { get; }

    /// <summary>Gets or sets the target bitrate in bits per second (500–512000), <see cref="OpusEncoder.Auto"/> or <see cref="OpusEncoder.BitrateMax"/>.</summary>
    int Bitrate { get; set; }

    /// <summary>Gets or sets the computational complexity, 0 (fastest) to 10 (best).</summary>
    int Complexity { get; set; }

    /// <summary>Gets or sets a value indicating whether in-band FEC (SILK LBRR, RFC 6716 §4.2.4) is coded when the expected loss makes it worthwhile.</summary>
    bool InbandFec { get; set; }

    /// <summary>Gets or sets the expected packet loss in percent (0–100).</summary>
    int PacketLossPercentage { get; set; }

    /// <summary>Gets or sets a value indicating whether discontinuous transmission is used (RFC 7587 §3.1.3).</summary>
    bool Dtx { get; set; }

    /// <summary>Gets or sets a value indicating whether variable bitrate is used; false gives CBR (RFC 7587 §3.1.2).</summary>
    bool Vbr { get; set; }

    /// <summary>Gets or sets a value indicating whether VBR is constrained.</summary>
    bool VbrConstraint { get; set; }

    /// <summary>Gets or sets the widest audio bandwidth the encoder may use (RFC 7587 §6.1 maxplaybackrate).</summary>
    OpusBandwidth MaxBandwidth { get; set; }

    /// <summary>Gets or sets a forced channel count (1 or 2) or <see cref="OpusEncoder.Auto"/> (RFC 7587 §6.1 stereo).</summary>
    int ForceChannels { get; set; }

    /// <summary>Gets or sets the signal type hint.</summary>
    OpusSignal Signal { get; set; }

    /// <summary>Gets the look-ahead in samples at <see cref="SampleRate"/> (the Ogg Opus pre-skip, RFC 7845 §5.1).</summary>
    int Lookahead { get; }

    /// <summary>Gets the final state of the range coder after the last packet.</summary>
    uint FinalRange { get; }

    /// <summary>Resets the encoder state, as for a new stream.</summary>
    void Reset();

    /// <summary>
    /// Encodes one frame of interleaved 16-bit PCM; the frame is <c>pcm.Length / Channels</c> samples
    /// per channel, 2.5 to 120 ms. Returns the packet length written to <paramref name="packet"/>.
    /// </summary>
    int Encode(ReadOnlySpan<short> pcm, Span<byte> packet);

    /// <summary>Encodes one frame of interleaved float PCM (nominal range ±1.0); see the 16-bit overload.</summary>
    int Encode(ReadOnlySpan<float> pcm, Span<byte> packet);
}
