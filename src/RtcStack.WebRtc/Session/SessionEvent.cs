using RtcStack.Congestion;
using RtcStack.Ice;
using RtcStack.Rtp.Dtmf;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <summary>Something a <see cref="WebRtcSession"/> reports through <see cref="WebRtcSession.PollOutput"/>.</summary>
public abstract record SessionEvent;

/// <summary>A local ICE candidate to signal (trickle ICE, RFC 8838 §8.1).</summary>
/// <param name="Candidate">The candidate.</param>
/// <param name="Mid">The media section it is signalled in (the BUNDLE-tagged one).</param>
public sealed record SessionCandidateEvent(IceCandidate Candidate, string? Mid) : SessionEvent;

/// <summary>Candidate gathering finished: a=end-of-candidates may be signalled (RFC 8838 §8.2).</summary>
public sealed record SessionGatheringCompleteEvent : SessionEvent;

/// <summary>The connection state changed (W3C <c>RTCPeerConnectionState</c>).</summary>
/// <param name="State">The new state.</param>
/// <param name="At">The time of the input that changed it.</param>
public sealed record SessionStateChangedEvent(PeerConnectionState State, TimeSpan At) : SessionEvent;

/// <summary>DTLS connected and SRTP is keyed (RFC 5764 §4.2).</summary>
/// <param name="Details">The transport's event.</param>
public sealed record SessionDtlsConnectedEvent(TransportDtlsConnectedEvent Details) : SessionEvent;

/// <summary>The transport failed (ICE or DTLS).</summary>
/// <param name="Details">The transport's event.</param>
public sealed record SessionTransportFailedEvent(TransportFailedEvent Details) : SessionEvent;

/// <summary>The peer asked for a key frame on one of our video streams (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1): encode one.</summary>
/// <param name="Mid">The media section.</param>
/// <param name="Request">Which request, from whom, when.</param>
public sealed record SessionKeyframeRequestedEvent(string Mid, KeyframeRequest Request) : SessionEvent
{
    /// <summary>Gets the RID of the simulcast layer whose SSRC the request named (RFC 8853), or null outside simulcast.</summary>
    public string? Rid { get; init; }
}

/// <summary>A remote source left (RTCP BYE, RFC 3550 §6.6).</summary>
/// <param name="Ssrc">The source.</param>
/// <param name="Reason">Its reason, if it gave one.</param>
public sealed record SessionRemoteGoodbyeEvent(uint Ssrc, string? Reason) : SessionEvent;

/// <summary>A remote stream sent its first packet in a media section.</summary>
/// <param name="Mid">The media section.</param>
/// <param name="Ssrc">The stream's SSRC.</param>
/// <param name="Rid">Its RID, when simulcast names one (RFC 8852).</param>
public sealed record SessionRemoteStreamEvent(string Mid, uint Ssrc, string? Rid) : SessionEvent;

/// <summary>
/// The peer's transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)
/// matched to what we sent: one event per feedback packet, raised only when
/// <see cref="WebRtcSessionOptions.TransportFeedbackEvents"/> is set.
/// </summary>
/// <param name="At">When the feedback arrived.</param>
/// <param name="FeedbackPacketCount">The packet's feedback packet count (8 bits, to spot lost feedback).</param>
/// <param name="Results">
/// Per packet, in transport-wide sequence order: the packet as we sent it (unwrapped sequence number, size on the wire
/// with the SRTP tag, send time) and whether and when it arrived, on the peer's clock (reference time plus deltas, 250 µs
/// resolution). Entries about packets we never sent or no longer remember are left out.
/// </param>
public sealed record SessionTransportFeedbackEvent(TimeSpan At, byte FeedbackPacketCount, IReadOnlyList<PacketResult> Results) : SessionEvent;

/// <summary>
/// A remote stream's RFC 4733 telephone event began or ended (§2.5.2): one Started when its first report arrives, one
/// Ended when the report with the E bit does (the repeated final reports are dropped), or, when every end report was
/// lost, when the next event begins or its reports stop for half a second.
/// </summary>
/// <param name="Mid">The media section.</param>
/// <param name="Ssrc">The remote stream.</param>
/// <param name="Kind">Started or Ended.</param>
/// <param name="Event">The event code (RFC 4733 §3.2: 0-15 are DTMF).</param>
/// <param name="Digit">The DTMF character ('0'-'9', '*', '#', 'A'-'D'), or null for other events.</param>
/// <param name="Duration">The duration so far (Started) or in all (Ended), from the reports' timestamp units.</param>
/// <param name="EndReceived">For Ended: whether a report with the E bit arrived.</param>
/// <param name="At">When the report that caused it arrived (or the timeout fired).</param>
public sealed record SessionDtmfEvent(string Mid, uint Ssrc, DtmfReportKind Kind, byte Event, char? Digit, TimeSpan Duration, bool EndReceived, TimeSpan At) : SessionEvent
{
    /// <summary>
    /// Gets the event's RTP timestamp (RFC 4733 §2.5.1.2: when the event began, on the sender's RTP clock): the spacing of
    /// events as the sender made it, which arrival times (<see cref="At"/>) blur. Chromium and Firefox send events on
    /// their Opus stream's SSRC and advance this on its 48 kHz clock, not at <see cref="ClockRate"/> (measured here).
    /// </summary>
    public uint RtpTimestamp { get; init; }

    /// <summary>Gets the negotiated telephone-event clock rate (Hz), the unit of the reports' durations.</summary>
    public int ClockRate { get; init; }
}

/// <summary>
/// A DTMF tone of <see cref="WebRtcSession.InsertDtmf"/> starts being sent, or the tones are done (W3C webrtc-pc §7.2
/// tonechange: the empty string after the last tone's gap).
/// </summary>
/// <param name="Mid">The media section.</param>
/// <param name="Tone">The tone ('0'-'9', 'A'-'D', '#', '*', ','), or empty when the buffer has run out.</param>
/// <param name="At">When.</param>
public sealed record SessionDtmfToneChangeEvent(string Mid, string Tone, TimeSpan At) : SessionEvent;

/// <summary>
/// The target bitrate changed (by <see cref="WebRtcSessionOptions.TargetBitrateEventThreshold"/> or more since the last
/// event; the first comes when media can flow): what the encoders together should produce, on the wire, to set them or
/// choose layers. Raised only while the session paces (<see cref="WebRtcSessionOptions.Pacing"/>).
/// </summary>
/// <param name="At">When it changed.</param>
/// <param name="TargetBitrateBps">The target: the controller's, capped by the peer's REMB (never below the controller's minimum).</param>
/// <param name="ControllerTargetBitrateBps">The controller's own target.</param>
/// <param name="RemoteEstimateBps">The peer's last REMB (RTCP PSFB FMT 15), if it sent one.</param>
/// <param name="PacingRateBps">The rate the pacer sends queued media at.</param>
/// <param name="ApplicationLimited">Whether the application sends well below the target (ALR, from what it handed the session).</param>
public sealed record SessionTargetBitrateEvent(TimeSpan At, long TargetBitrateBps, long ControllerTargetBitrateBps, long? RemoteEstimateBps, long PacingRateBps, bool ApplicationLimited) : SessionEvent
{
    /// <summary>
    /// Gets the rate left for the encoders: <see cref="TargetBitrateBps"/> less the share of the last second's bytes
    /// that were retransmissions (at most half), as <see cref="WebRtcSession.MediaTargetBitrateBps"/> says.
    /// </summary>
    public long MediaTargetBitrateBps { get; init; } = TargetBitrateBps;
}
