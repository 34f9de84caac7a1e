using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc;

/// <summary>What <see cref="WebRtcSession.PollOutput"/> returned.</summary>
public enum SessionOutputKind
{
    /// <summary>Nothing more will ever come: the session is closed.</summary>
    None,

    /// <summary>A datagram to send is in the caller's buffer (<see cref="SessionOutput.Transmit"/>).</summary>
    Transmit,

    /// <summary>Something happened (<see cref="SessionOutput.Event"/>).</summary>
    Event,

    /// <summary>A received audio frame or complete video frame is in the caller's buffer (<see cref="SessionOutput.Media"/>).</summary>
    Media,

    /// <summary>
    /// A received frame is waiting but does not fit the caller's buffer; <see cref="SessionOutput.Media"/> says how long it
    /// is. It stays queued: poll again with a buffer at least that long.
    /// </summary>
    MediaBufferTooSmall,

    /// <summary>Nothing to do until <see cref="SessionOutput.Timeout"/> or the next input.</summary>
    Timeout,
}

/// <summary>Whose timer a <see cref="SessionTimeout"/> is.</summary>
public enum SessionTimerReason
{
    /// <summary>The transport's: ICE checks, consent, TURN refreshes, DTLS retransmission.</summary>
    Transport,

    /// <summary>The next periodic RTCP report (RFC 3550 §6.2).</summary>
    RtcpReport,

    /// <summary>A NACK retry of a receive stream (RFC 4585 §6.2.1).</summary>
    Nack,

    /// <summary>A rate-limited key frame request of a receive stream (RFC 4585 §6.3.1, RFC 5104 §4.3.1).</summary>
    KeyframeRequest,

    /// <summary>A video frame buffer's deadline for a missing packet.</summary>
    FrameDeadline,

    /// <summary>
    /// The next transport-wide congestion control feedback about what we received (draft-holmer-rmcat-transport-wide-cc-extensions-01
    /// §3.1; every 50-100 ms while packets arrive).
    /// </summary>
    TransportFeedback,

    /// <summary>The congestion controller's own timer (<see cref="WebRtcSessionOptions.CongestionController"/>).</summary>
    CongestionControl,

    /// <summary>
    /// The session's pacer: the next queued media packet or probe packet may leave (the controller's pacing rate,
    /// <see cref="WebRtcSessionOptions.Pacing"/>).
    /// </summary>
    Pacer,

    /// <summary>The data channels' SCTP association (RFC 9260 §6.3 T3-rtx, T1/T2, delayed SACK, heartbeat, RE-CONFIG).</summary>
    DataChannel,

    /// <summary>The next RFC 4733 telephone-event packet or tone to send, or the end of a received event whose end reports were lost.</summary>
    Dtmf,
}

/// <summary>The next instant the session wants <see cref="WebRtcSession.HandleTimeout"/>, and why.</summary>
/// <param name="At">The instant, on the clock of the <c>now</c> values passed in.</param>
/// <param name="Reason">The owner due at that instant.</param>
public readonly record struct SessionTimeout(TimeSpan At, SessionTimerReason Reason);

/// <summary>A received media unit: one audio packet's payload or one complete video frame.</summary>
/// <param name="Mid">The media section (RFC 8843 §9.2 demultiplexing).</param>
/// <param name="Ssrc">The sending source.</param>
/// <param name="PayloadType">The RTP payload type (for video, of the frame's first packet).</param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="SequenceNumber">The RTP sequence number (for video, of the frame's first packet).</param>
/// <param name="Length">The bytes in the caller's buffer (or needed, for <see cref="SessionOutputKind.MediaBufferTooSmall"/>).</param>
/// <param name="IsVideo">Whether this is a video frame.</param>
/// <param name="KeyFrame">For video: whether the frame is a key frame.</param>
/// <param name="ArrivedAt">When its (last) packet arrived.</param>
public readonly record struct ReceivedMedia(string Mid, uint Ssrc, byte PayloadType, uint Timestamp, ushort SequenceNumber, int Length, bool IsVideo, bool KeyFrame, TimeSpan ArrivedAt)
{
    /// <summary>
    /// Gets the RID of the simulcast stream the frame came in (RFC 8852 §3, RFC 8853 §5.4: one receive stream per
    /// negotiated RID, bound to its SSRC by the RID header extension), or null outside simulcast.
    /// </summary>
    public string? Rid { get; init; }

    /// <summary>
    /// Gets the audio level the sender put in the packet (RFC 6464 §3, ssrc-audio-level when negotiated): 0 to 127, in
    /// -dBov (0 is the loudest, 127 silence); -1 when the packet had none. What an SFU uses to find who speaks.
    /// </summary>
    public int AudioLevel { get; init; } = -1;

    /// <summary>
    /// Gets a value indicating whether the data is one whole RTP packet as received (after SRTP, an RTX packet unwrapped
    /// to the original), not a frame or payload: <see cref="WebRtcSessionOptions.ReceiveRtpPackets"/>. Then
    /// <see cref="KeyFrame"/> is false (the session does not look into the payload) and <see cref="SequenceNumber"/>,
    /// <see cref="Timestamp"/> and <see cref="PayloadType"/> are the packet's.
    /// </summary>
    public bool IsRtpPacket { get; init; }

    /// <summary>Gets the sender's voice activity flag (RFC 6464 §3, the V bit), when <see cref="AudioLevel"/> is there.</summary>
    public bool VoiceActivity { get; init; }

    /// <summary>
    /// Gets a value indicating whether this audio payload was lost and is recovered from the redundant block of a later
    /// RED packet (RFC 2198 §4). Its <see cref="SequenceNumber"/> is inferred (the carrying packet's less the block's distance).
    /// </summary>
    public bool Recovered { get; init; }
}

/// <summary>One result of <see cref="WebRtcSession.PollOutput"/>: a transmit, an event, media, or a timeout.</summary>
public readonly struct SessionOutput
{
    private SessionOutput(SessionOutputKind kind, DatagramTransmit transmit, SessionEvent? sessionEvent, ReceivedMedia media, SessionTimeout? timeout)
    {
        Kind = kind;
        Transmit = transmit;
        Event = sessionEvent;
        Media = media;
        Timeout = timeout;
    }

    /// <summary>Gets what this output is.</summary>
    public SessionOutputKind Kind { get; }

    /// <summary>Gets the datagram to send (its bytes are in the caller's buffer) when <see cref="Kind"/> is <see cref="SessionOutputKind.Transmit"/>.</summary>
    public DatagramTransmit Transmit { get; }

    /// <summary>Gets the event when <see cref="Kind"/> is <see cref="SessionOutputKind.Event"/>.</summary>
    public SessionEvent? Event { get; }

    /// <summary>Gets the received media when <see cref="Kind"/> is <see cref="SessionOutputKind.Media"/> or <see cref="SessionOutputKind.MediaBufferTooSmall"/>.</summary>
    public ReceivedMedia Media { get; }

    /// <summary>Gets the next timeout when <see cref="Kind"/> is <see cref="SessionOutputKind.Timeout"/>.</summary>
    public SessionTimeout? Timeout { get; }

    internal static SessionOutput ForTransmit(DatagramTransmit t) => new(SessionOutputKind.Transmit, t, null, default, null);

    internal static SessionOutput ForEvent(SessionEvent e) => new(SessionOutputKind.Event, default, e, default, null);

    internal static SessionOutput ForMedia(ReceivedMedia m, bool fits) => new(fits ? SessionOutputKind.Media : SessionOutputKind.MediaBufferTooSmall, default, null, m, null);

    internal static SessionOutput ForTimeout(SessionTimeout? t) => t is null ? new(SessionOutputKind.None, default, null, default, null) : new(SessionOutputKind.Timeout, default, null, default, t);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        SessionOutputKind.Transmit => $"Transmit({Transmit.Length} B to {Transmit.Destination})",
        SessionOutputKind.Event => $"Event({Event})",
        SessionOutputKind.Media or SessionOutputKind.MediaBufferTooSmall => $"{Kind}({Media.Mid} {Media.Length} B ts={Media.Timestamp})",
        SessionOutputKind.Timeout => $"Timeout({Timeout!.Value.At}, {Timeout.Value.Reason})",
        _ => "None",
    };
}
