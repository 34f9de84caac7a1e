using RtcStack.Opus;

namespace RtcStack.WebRtc;

/// <summary>
/// The receiving half of an audio track: frames in, PCM out through libopus, with the gap before each frame filled
/// first: from the frame's in-band FEC when exactly one packet was lost and it carries LBRR data (RFC 7587 §3.3,
/// RFC 6716 §4.2.4), otherwise with packet loss concealment; DTX gaps get comfort noise the same way. Late frames
/// (already concealed) are not decoded. Frames come from a <see cref="WebRtcSession"/> (<see cref="ReceivedMedia"/>
/// of one audio stream: the receiver runs the RFC 7587 receive checks itself).
/// </summary>
public sealed class OpusAudioReceiver : IDisposable
{
    private const int MaxConcealedMs = 120;
    private readonly OpusDecoder _decoder;
    private OpusRtpDepacketizer? _depacketizer;
    private uint _ssrc;
    private bool _started;

    /// <summary>Creates a receiver decoding to <paramref name="sampleRate"/> Hz, <paramref name="channels"/> channels.</summary>
    public OpusAudioReceiver(int sampleRate = 48000, int channels = 1)
    {
        _decoder = new OpusDecoder(sampleRate, channels);
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Gets the output sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the number of interleaved output channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the largest number of samples per channel one call can produce (120 ms of concealment plus a 120 ms packet).</summary>
    public int MaxOutputSamples => SampleRate * 240 / 1000;

    /// <summary>Gets the number of frames decoded.</summary>
    public long FramesDecoded { get; private set; }

    /// <summary>Gets the samples per channel produced by packet loss concealment (webrtc-stats concealedSamples).</summary>
    public long ConcealedSamples { get; private set; }

    /// <summary>Gets the samples per channel recovered from in-band FEC.</summary>
    public long FecSamples { get; private set; }

    /// <summary>Gets the number of frames that could not be decoded.</summary>
    public long DecodeErrors { get; private set; }

    /// <summary>
    /// Gets the number of <see cref="ReceivedMedia"/> frames not decoded because the RFC 7587 checks refused them:
    /// not one valid Opus packet (§4.2), a duplicate, or late (§4.1), or video.
    /// </summary>
    public long FramesRefused { get; private set; }

    /// <summary>
    /// Decodes <paramref name="payload"/> (the bytes <see cref="WebRtcSession.TryPollMedia(Span{byte}, out ReceivedMedia)"/>
    /// returned for <paramref name="media"/>, one Opus payload of one audio stream) into <paramref name="pcm"/> (at least
    /// <see cref="MaxOutputSamples"/> × <see cref="Channels"/>), preceded by the recovered or concealed gap. The
    /// receiver checks the payload and finds the gap from the RTP sequence number and timestamp itself (RFC 7587
    /// §4.1-4.2, §3.3); a new SSRC starts a new stream. Returns samples per channel written (0 for a refused frame).
    /// </summary>
    public int Decode(ReadOnlySpan<byte> payload, in ReceivedMedia media, Span<short> pcm)
    {
        if (media.IsVideo)
        {
            FramesRefused++;
            return 0;
        }

        if (_depacketizer is null || media.Ssrc != _ssrc)
        {
            // A new source: its sequence numbers and timestamps start afresh; no gap to fill before its first frame.
            _depacketizer = new OpusRtpDepacketizer();
            _ssrc = media.Ssrc;
            _started = false;
        }

        OpusRtpReceivedPacket r = _depacketizer.Receive(payload, media.SequenceNumber, media.Timestamp);
        if (r.Status != OpusRtpReceiveStatus.Accepted)
        {
            FramesRefused++;
            return 0;
        }

        return Decode(payload, r.MissingSamples, r.CanRecoverWithFec, r.Info.SampleCount, pcm);
    }

    /// <inheritdoc/>
    public void Dispose() => _decoder.Dispose();

    private int Decode(ReadOnlySpan<byte> payload, long missingSamples, bool canRecoverWithFec, int sampleCount, Span<short> pcm)
    {
        int written = 0;
        if (_started && missingSamples > 0)
        {
            int missing = (int)Math.Min(missingSamples * SampleRate / 48000, SampleRate * MaxConcealedMs / 1000);
            int frameSamples = sampleCount * SampleRate / 48000;
            int fec = canRecoverWithFec ? Math.Min(frameSamples, missing) : 0;
            written += Conceal(missing - fec, pcm);
            if (fec > 0)
            {
                int n = _decoder.DecodeFec(payload, pcm.Slice(written * Channels, fec * Channels));
                if (n > 0)
                {
                    written += n;
                    FecSamples += n;
                }
            }
        }

        int decoded = _decoder.Decode(payload, pcm[(written * Channels)..]);
        if (decoded < 0)
        {
            DecodeErrors++;
            return written;
        }

        _started = true;
        FramesDecoded++;
        return written + decoded;
    }

    private int Conceal(int samples, Span<short> pcm)
    {
        // libopus conceals in multiples of 2.5 ms, at most 120 ms per call.
        int quantum = SampleRate / 400;
        samples -= samples % quantum;
        int done = 0;
        while (done < samples)
        {
            int chunk = Math.Min(samples - done, SampleRate / 50);
            int n = _decoder.DecodeLost(pcm.Slice(done * Channels, chunk * Channels));
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        ConcealedSamples += done;
        return done;
    }
}
