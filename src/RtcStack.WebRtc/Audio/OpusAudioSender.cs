using RtcStack.Opus;
using RtcStack.Rtp.Red;

namespace RtcStack.WebRtc;

/// <summary>
/// The sending half of an audio track: PCM frames in, libopus-encoded RTP out through a
/// <see cref="WebRtcSession"/> audio transceiver, with the RTP timestamp advanced by the frame duration (RFC 7587 §4.1:
/// 48 kHz whatever the input rate), the marker bit on the first packet (RFC 3551 §4.1) and the
/// RFC 6464 audio level computed from the samples. When the peer accepted RFC 2198 redundancy for Opus
/// (<c>red/48000/2</c>, <see cref="Jsep.JsepOptions.OpusRed"/>), each packet is a RED payload carrying the new frame and
/// the <see cref="RedDistance"/> frames before it, so the receiver recovers lost packets from the next ones.
/// </summary>
public sealed class OpusAudioSender : IDisposable
{
    private readonly WebRtcSession _session;
    private readonly Jsep.Transceiver _transceiver;
    private readonly OpusEncoder _encoder;
    private readonly byte[] _packet = new byte[1275];

    // A RED payload: the primary plus earlier ones, the oldest left out first when they do not fit (RFC 2198 §3).
    private readonly byte[] _redPacket = new byte[1000];
    private RedEncoder? _red;
    private int _redDistance = 1;
    private uint _timestamp;
    private bool _first = true;

    /// <summary>Creates a sender for the audio <paramref name="transceiver"/> of <paramref name="session"/>.</summary>
    /// <param name="session">The session to send through.</param>
    /// <param name="transceiver">Its audio transceiver.</param>
    /// <param name="sampleRate">Input rate: 8000, 12000, 16000, 24000 or 48000.</param>
    /// <param name="channels">1 or 2 (interleaved).</param>
    /// <param name="bitrate">Target bit rate, bit/s.</param>
    /// <param name="frameDuration">10, 20, 40 or 60 ms.</param>
    /// <param name="initialTimestamp">The first RTP timestamp (RFC 3550 §5.1: random).</param>
    public OpusAudioSender(WebRtcSession session, Jsep.Transceiver transceiver, int sampleRate = 48000, int channels = 1, int bitrate = 32000, TimeSpan? frameDuration = null, uint? initialTimestamp = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(transceiver);
        _session = session;
        _transceiver = transceiver;
        SampleRate = sampleRate;
        Channels = channels;
        FrameDuration = frameDuration ?? TimeSpan.FromMilliseconds(20);
        _encoder = new OpusEncoder(sampleRate, channels, OpusApplication.Voip)
        {
            Bitrate = bitrate,
            // RFC 7587 §3.3: in-band FEC lets the receiver recover a single lost packet.
            InbandFec = true,
            PacketLossPercentage = 10,
        };
        _timestamp = initialTimestamp ?? (uint)Random.Shared.Next();
    }

    /// <summary>Gets the input sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the number of interleaved input channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the frame duration.</summary>
    public TimeSpan FrameDuration { get; }

    /// <summary>Gets the number of samples per channel in one frame.</summary>
    public int FrameSamples => (int)(SampleRate * FrameDuration.Ticks / TimeSpan.TicksPerSecond);

    /// <summary>Gets the encoder, to change bit rate, FEC or complexity (e.g. from a congestion controller's target).</summary>
    public OpusEncoder Encoder => _encoder;

    /// <summary>Gets the number of frames encoded.</summary>
    public long FramesEncoded { get; private set; }

    /// <summary>Gets the number of frames the session accepted for sending.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Gets the number of frames sent wrapped in RED (RFC 2198).</summary>
    public long RedPacketsSent { get; private set; }

    /// <summary>
    /// Gets or sets how many earlier frames each RED packet repeats when RED is negotiated (1 by default, as Chromium;
    /// up to 32). 0 sends plain Opus even when RED is negotiated.
    /// </summary>
    public int RedDistance
    {
        get => _redDistance;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, RedPayload.MaxBlocks);
            _redDistance = value;
        }
    }

    /// <summary>
    /// Encodes one frame (<see cref="FrameSamples"/> × <see cref="Channels"/> interleaved samples) and
    /// sends it. The RTP clock advances whether or not the session can send yet. False when the session
    /// could not send it.
    /// </summary>
    public bool Send(ReadOnlySpan<short> pcm, TimeSpan now)
    {
        if (pcm.Length != FrameSamples * Channels)
        {
            throw new ArgumentException($"a frame is {FrameSamples * Channels} samples", nameof(pcm));
        }

        int n = _encoder.Encode(pcm, _packet);
        FramesEncoded++;
        uint ts = _timestamp;
        _timestamp += (uint)(48000 * FrameDuration.Ticks / TimeSpan.TicksPerSecond);
        int level = AudioLevel(pcm);
        bool sent;
        if (_redDistance > 0 && _session.TryGetAudioSendFormat(_transceiver, out AudioSendFormat format) && format.RedPayloadType is byte redPt)
        {
            if (_red is null || _red.Distance != _redDistance)
            {
                _red = new RedEncoder(_redDistance);
            }

            int length = _red.Encode(format.PayloadType, ts, _packet.AsSpan(0, n), _redPacket);
            sent = length > 0 && _session.SendAudioPayload(_transceiver, redPt, _redPacket.AsSpan(0, length), ts, now, _first, level, voiceActivity: level < 60);
            RedPacketsSent += sent ? 1 : 0;
        }
        else
        {
            sent = _session.SendAudio(_transceiver, _packet.AsSpan(0, n), ts, now, _first, level, voiceActivity: level < 60);
        }

        if (sent)
        {
            _first = false;
            FramesSent++;
        }

        return sent;
    }

    /// <summary>RFC 6464 §3: the level in -dBov (0 loudest, 127 silence) of 16-bit samples, from their RMS.</summary>
    public static int AudioLevel(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty)
        {
            return 127;
        }

        double sum = 0;
        foreach (short s in pcm)
        {
            double x = s / 32768.0;
            sum += x * x;
        }

        double rms = Math.Sqrt(sum / pcm.Length);
        if (rms <= 0)
        {
            return 127;
        }

        double dbov = 20 * Math.Log10(rms);
        return (int)Math.Clamp(Math.Round(-dbov), 0, 127);
    }

    /// <inheritdoc/>
    public void Dispose() => _encoder.Dispose();
}
