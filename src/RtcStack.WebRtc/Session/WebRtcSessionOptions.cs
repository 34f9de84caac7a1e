using Microsoft.Extensions.Logging;
using RtcStack.Congestion;
using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <summary>Options of a <see cref="WebRtcSession"/>: the transport's, the codec and extension policy for JSEP, RTCP and buffers.</summary>
public sealed class WebRtcSessionOptions
{
    /// <summary>Gets the transport's options (certificate, ICE servers, SRTP profiles, DTLS, randomness).</summary>
    public WebRtcTransportOptions Transport { get; init; } = new();

    /// <summary>
    /// Gets the wall-clock time (UTC) at <c>now</c> = 0 on the clock the caller gives the session, which maps <c>now</c>
    /// to the NTP time of SRs and XR (RFC 3550 §6.4.1), for example <c>UdpSessionHost.WallClockAtZero</c> so that every
    /// session of a host shares one mapping. Null (the default): the session reads <see cref="WebRtcTransportOptions.WallClock"/>
    /// once, the first time it needs NTP time, and pairs it with that <c>now</c>.
    /// </summary>
    public DateTimeOffset? WallClockAtZero { get; init; }

    /// <summary>Gets the audio codecs offered and accepted, in preference order.</summary>
    public IReadOnlyList<CodecCapability> AudioCodecs { get; init; } = JsepOptions.DefaultAudioCodecs;

    /// <summary>Gets the video codecs offered and accepted, in preference order.</summary>
    public IReadOnlyList<CodecCapability> VideoCodecs { get; init; } = JsepOptions.DefaultVideoCodecs;

    /// <summary>Gets the RTP header extensions offered and accepted (RFC 8285).</summary>
    public IReadOnlyList<HeaderExtensionCapability> HeaderExtensions { get; init; } = JsepOptions.DefaultHeaderExtensions;

    /// <summary>Gets our a=setup when we answer (RFC 8842 §5.3: active, so the answerer is the DTLS client).</summary>
    public SetupRole AnswerSetup { get; init; } = SetupRole.Active;

    /// <summary>
    /// Gets our a=setup when we offer: actpass (RFC 8842 §5.2; browsers then answer active, which makes us the DTLS
    /// server), or active or passive to insist on being the DTLS client or server (RFC 8842 §5.2 allows it).
    /// </summary>
    public SetupRole OfferSetup { get; init; } = SetupRole.ActPass;

    /// <summary>Gets the RTCP CNAME (RFC 7022: random when null).</summary>
    public string? CName { get; init; }

    /// <summary>Gets the mean interval between periodic RTCP reports (RFC 3550 §6.2; each interval is randomised).</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how many received frames may wait for <see cref="WebRtcSession.PollOutput"/> before the oldest is dropped and counted.</summary>
    public int MediaQueueCapacity { get; init; } = 256;

    /// <summary>Gets the options of each video receive stream's frame buffer.</summary>
    public VideoFrameBufferOptions VideoFrameBuffer { get; init; } = new();

    /// <summary>Gets how many packets each send stream keeps for retransmission (RFC 4588): a power of two, 16 or more.</summary>
    public int SendHistorySize { get; init; } = 512;

    /// <summary>
    /// Gets a retransmission budget shared by every session of a host (for example <c>UdpSessionHost.RetransmissionBudget</c>),
    /// consulted by each send stream after its own: it bounds what all sessions together may retransmit (RFC 4585 NACK,
    /// RFC 4588 RTX) when many lose packets at once. Null: none.
    /// </summary>
    public RetransmissionBudget? SharedRetransmissionBudget { get; init; }

    /// <summary>
    /// Gets the congestion controller fed with every packet we send with a transport-wide sequence number, the peer's
    /// transport-wide feedback about them (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, as per-packet
    /// results) and RTTs from report blocks (RFC 3550 §6.4.1) and XR DLRR (RFC 3611 §4.5), e.g.
    /// <see cref="Congestion.Gcc.GccController"/>; its timer runs through <see cref="WebRtcSession.PollOutput"/>. Null: none.
    /// </summary>
    public ICongestionController? CongestionController { get; init; }

    /// <summary>
    /// Gets the controller the session makes for itself when <see cref="CongestionController"/> is null and transport-cc
    /// is negotiated: GCC (the default, <see cref="Gcc"/>), NADA (RFC 8698, <see cref="Nada"/>) or none.
    /// </summary>
    public SessionCongestionControl CongestionControl { get; init; } = SessionCongestionControl.Gcc;

    /// <summary>Gets the options of the GCC controller the session makes (<see cref="CongestionControl"/>).</summary>
    public GccOptions Gcc { get; init; } = new();

    /// <summary>Gets the parameters of the NADA controller the session makes (<see cref="CongestionControl"/>).</summary>
    public NadaParameters Nada { get; init; } = new();

    /// <summary>
    /// Gets a value indicating whether the session paces what it sends and acts on its controller (on by default): media
    /// leaves through a pacer at the controller's pacing rate (<see cref="SessionTimerReason.Pacer"/>), probe clusters
    /// are sent as padding, the peer's REMB caps the target, and <see cref="SessionTargetBitrateEvent"/>s tell the
    /// application the target. Off: the controller is only fed (packets sent, feedback, RTT), as before the session
    /// owned a pacer, for a caller that paces the session's datagrams itself.
    /// </summary>
    public bool Pacing { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether audio skips the pacer's queue (on by default, as libwebrtc sends audio unless its
    /// audio pacing is turned on); its bytes still count against the pacing rate.
    /// </summary>
    public bool AudioBypassesPacer { get; init; } = true;

    /// <summary>
    /// Gets how many packets may wait in the pacer before <see cref="WebRtcSession.SendVideoFrame(Jsep.Transceiver, ReadOnlyMemory{byte}, uint, bool, TimeSpan)"/> refuses the next frame
    /// (the frame that is taken is queued whole).
    /// </summary>
    public int PacerQueueCapacity { get; init; } = 2048;

    /// <summary>
    /// Gets the relative change of the target bitrate that raises a new <see cref="SessionTargetBitrateEvent"/> (0.05: a
    /// change of 5 % or more since the last event; 0: every change). Events allocate; an encoder needs no finer steps.
    /// </summary>
    public double TargetBitrateEventThreshold { get; init; } = 0.05;

    /// <summary>
    /// Gets a value indicating whether the peer's transport-wide feedback is also reported as a
    /// <see cref="SessionTransportFeedbackEvent"/> per feedback packet (off by default: each allocates its results).
    /// </summary>
    public bool TransportFeedbackEvents { get; init; }

    /// <summary>
    /// Gets a value indicating whether we send transport-wide feedback about what we receive when transport-cc is
    /// negotiated (on by default). Turning it off is a diagnostic: it shows what a peer's send-side estimate does without it.
    /// </summary>
    public bool SendTransportFeedback { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether we offer and accept <c>a=rtcp-xr:rcvr-rtt=all</c> (RFC 3611 §5.1): XR receiver
    /// reference time and DLRR blocks (§4.4-4.5), so a side that only receives learns its RTT.
    /// </summary>
    public bool RtcpXrReceiverRtt { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether we offer and accept RFC 8888 congestion control feedback
    /// (<c>a=rtcp-fb:* ack ccfb</c>, §6) in audio and video sections (off by default: the browsers do not offer it unless
    /// told to). When both sides ask for it, it replaces transport-cc as the feedback we send (an RTPFB FMT 11 report
    /// every <see cref="Rfc8888FeedbackInterval"/> about every RTP packet received, by SSRC and sequence number) and as
    /// the feedback our congestion controller takes; the peer's transport-cc feedback, if it still sends any, is then
    /// counted and ignored, so the controller never hears of a packet twice.
    /// </summary>
    public bool Rfc8888Feedback { get; init; }

    /// <summary>Gets how often an RFC 8888 report goes out while packets arrive (default 50 ms; §3.1 leaves it to the receiver).</summary>
    public TimeSpan Rfc8888FeedbackInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets our SCTP port for data channels ("a=sctp-port", RFC 8841 §5; 5000 like the browsers).</summary>
    public ushort SctpPort { get; init; } = 5000;

    /// <summary>Gets the largest data channel message we accept ("a=max-message-size", RFC 8841 §6; 256 KiB by default).</summary>
    public int MaxMessageSize { get; init; } = 256 * 1024;

    /// <summary>
    /// Gets the SCTP stream scheduler of the data channels (RFC 8260 §3): round robin by default; strict priority or
    /// weighted fair queueing use each channel's priority (<see cref="RtcStack.Sctp.DataChannels.DataChannelOptions.Priority"/>,
    /// carried in DCEP, RFC 8831 §6.4).
    /// </summary>
    public RtcStack.Sctp.SctpStreamSchedulerKind DataChannelScheduler { get; init; } = RtcStack.Sctp.SctpStreamSchedulerKind.RoundRobin;

    /// <summary>
    /// Gets whether the data channels' SCTP association offers and uses zero checksums (RFC 9653 with method 1, SCTP over
    /// DTLS, which is how WebRTC carries it). Off by default: see specs/rfc9653.md.
    /// </summary>
    public bool DataChannelZeroChecksum { get; init; }

    /// <summary>
    /// Gets the data channels' SCTP Max.Burst (RFC 9260 §6.1, §16: 4): at most this many packets of new DATA per
    /// transmission, the rest clocked out by the peer's SACKs; 0 turns the limit off. See
    /// <see cref="RtcStack.Sctp.SctpAssociationOptions.MaxBurst"/>.
    /// </summary>
    public int DataChannelMaxBurst { get; init; } = 4;

    /// <summary>
    /// Gets the playout path of received audio, or null (the default) to hand every Opus payload to the application
    /// through <see cref="WebRtcSession.PollOutput"/>. When set, each remote Opus stream (after RED recovery) goes
    /// through an adaptive jitter buffer and a decoder instead, and the application takes PCM with
    /// <see cref="WebRtcSession.TryGetPlayoutAudio"/> every 10 or 20 ms; the W3C jitter buffer statistics appear in
    /// its inbound-rtp entry.
    /// </summary>
    public AudioPlayoutOptions? AudioPlayout { get; init; }

    /// <summary>
    /// Gets a value indicating whether received media is handed over as whole RTP packets, for forwarding (an SFU's
    /// publisher side, see <see cref="Forwarding.SimulcastForwarder"/> and <see cref="WebRtcSession.SendRtp"/>), instead
    /// of assembled video frames and audio payloads. Each packet the receive stream accepts, and each one repaired from
    /// RTX (unwrapped, RFC 4588 §4), comes out of <see cref="WebRtcSession.PollOutput"/> as media with
    /// <see cref="ReceivedMedia.IsRtpPacket"/> set: the packet as it arrived after SRTP, header extensions included,
    /// with its simulcast RID and audio level. NACKs and key frame requests of the receive streams go on as before;
    /// there is no frame buffer, no RED unwrapping, no telephone events and no playout.
    /// </summary>
    public bool ReceiveRtpPackets { get; init; }

    /// <summary>Gets the source of randomness (SSRCs, CNAME, RTCP intervals); cryptographic when null. Set it for deterministic tests.</summary>
    public Random? Random { get; init; }

    /// <summary>Gets the logger.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Throws when a value would only fail later, in the middle of a negotiation (a send stream's history is made when
    /// a section is negotiated): the session checks its options when it is made.
    /// </summary>
    internal void Validate()
    {
        if (SendHistorySize < 16 || (SendHistorySize & (SendHistorySize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SendHistorySize), SendHistorySize, "SendHistorySize must be a power of two, 16 or more.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MediaQueueCapacity, nameof(MediaQueueCapacity));
        if (DataChannelMaxBurst is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(DataChannelMaxBurst), DataChannelMaxBurst, "DataChannelMaxBurst must be 0 (off) to 65535 packets.");
        }

        if (Rfc8888FeedbackInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Rfc8888FeedbackInterval), Rfc8888FeedbackInterval, "Rfc8888FeedbackInterval must be positive.");
        }

        if (RtcpInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RtcpInterval), RtcpInterval, "RtcpInterval must be positive.");
        }

        // RFC 8841 §5: an SCTP port is 1-65535; §6: a limit of 0 would mean "any size", which we cannot buffer.
        ArgumentOutOfRangeException.ThrowIfZero(SctpPort, nameof(SctpPort));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMessageSize, nameof(MaxMessageSize));
        ArgumentNullException.ThrowIfNull(Transport, nameof(Transport));
        ArgumentNullException.ThrowIfNull(VideoFrameBuffer, nameof(VideoFrameBuffer));
        ArgumentNullException.ThrowIfNull(Gcc, nameof(Gcc));
        ArgumentNullException.ThrowIfNull(Nada, nameof(Nada));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PacerQueueCapacity, nameof(PacerQueueCapacity));
        if (!(TargetBitrateEventThreshold >= 0 && TargetBitrateEventThreshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetBitrateEventThreshold), TargetBitrateEventThreshold, "TargetBitrateEventThreshold must be in [0, 1).");
        }

        // A jitter buffer or decoder setting that cannot work would otherwise throw on the first packet received.
        if (AudioPlayout is not null)
        {
            new AudioPlayout(AudioPlayout).Dispose();
        }
    }
}

/// <summary>Which congestion controller a <see cref="WebRtcSession"/> makes when the caller gives none.</summary>
public enum SessionCongestionControl
{
    /// <summary>Google Congestion Control as libwebrtc runs it (<see cref="GccController"/>, specs/gcc.md).</summary>
    Gcc,

    /// <summary>NADA (RFC 8698, <see cref="NadaController"/>).</summary>
    Nada,

    /// <summary>None: no estimate, no pacing.</summary>
    None,
}
