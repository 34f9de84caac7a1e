using Microsoft.Extensions.Logging;
using RtcStack.Congestion;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <summary>Configuration of a <see cref="PeerSession"/>.</summary>
public sealed class PeerSessionOptions
{
    /// <summary>
    /// Gets or sets the DTLS certificate (RFC 8827 §6.5: both sides present one). Share one between
    /// sessions of a server: generating an ECDSA certificate costs milliseconds. Null generates one per session.
    /// </summary>
    public DtlsCertificate? Certificate { get; set; }

    /// <summary>
    /// Gets the SRTP protection profiles offered (as DTLS client) or accepted (as DTLS server), most
    /// preferred first (RFC 5764 §4.1.1). Browsers support AEAD_AES_128_GCM and AES128_CM_HMAC_SHA1_80.
    /// </summary>
    public IList<SrtpProfile> SrtpProfiles { get; } = new List<SrtpProfile>
    {
        SrtpProfile.AeadAes128Gcm,
        SrtpProfile.Aes128CmHmacSha1_80,
    };

    /// <summary>
    /// Gets or sets the a=setup value of our offers. JSEP (RFC 8829 §5.2.1) and RFC 8842 §5.2 say
    /// <see cref="SetupRole.ActPass"/>; <see cref="SetupRole.Active"/> or <see cref="SetupRole.Passive"/>
    /// force our DTLS role when we offer (browsers accept them), for tests and interop matrices.
    /// </summary>
    public SetupRole OfferSetup { get; set; } = SetupRole.ActPass;

    /// <summary>
    /// Gets or sets the a=setup value we answer an actpass offer with: <see cref="SetupRole.Active"/>
    /// (DTLS client, what RFC 8829 §5.3.1 recommends) or <see cref="SetupRole.Passive"/> (DTLS server).
    /// </summary>
    public SetupRole AnswerSetup { get; set; } = SetupRole.Active;

    /// <summary>
    /// Gets or sets a value indicating whether our DTLS server sends a HelloVerifyRequest (RFC 6347
    /// §4.2.1). Off by default: ICE connectivity checks have already verified the peer's address
    /// (RFC 8445 §7, RFC 7675), as libwebrtc's server also assumes, and the cookie costs a round trip.
    /// </summary>
    public bool DtlsRequireCookie { get; set; }

    /// <summary>Gets or sets the DTLS MTU (records and handshake fragments are cut to fit).</summary>
    public int DtlsMtu { get; set; } = 1200;

    /// <summary>Gets or sets the first DTLS retransmission timeout (RFC 6347 §4.2.4.1 says 1 s; browsers use less).</summary>
    public TimeSpan DtlsInitialRetransmitTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the STUN and TURN servers ICE gathers from (RFC 8445 §5.1.1).</summary>
    public IList<IceServer> IceServers { get; } = new List<IceServer>();

    /// <summary>
    /// Gets or sets a value indicating whether we are an ICE lite agent (RFC 8445 §2.5): host candidates only, we answer
    /// checks and never send them, and our SDP carries <c>a=ice-lite</c> (RFC 8839 §5.3), so the peer must control and
    /// nominate (§6.1.1). What servers with public addresses such as Janus and mediasoup do; off by default.
    /// </summary>
    public bool IceLite { get; set; }

    /// <summary>
    /// Gets the 1:1 NAT mappings for a host behind a static NAT (<see cref="IceAgentOptions.NatMappings"/>,
    /// Pion's NAT1To1IPs): its host candidates announce the public address.
    /// </summary>
    public IList<IceNatMapping> NatMappings { get; } = new List<IceNatMapping>();

    /// <summary>Gets or sets how a NAT-mapped address is announced (<see cref="IceAgentOptions.NatCandidateType"/>: host by default).</summary>
    public IceCandidateType NatCandidateType { get; set; } = IceCandidateType.Host;

    /// <summary>Gets or sets the ICE transport policy.</summary>
    public IceTransportPolicy IceTransportPolicy { get; set; } = IceTransportPolicy.All;

    /// <summary>Gets or sets the interval of RTCP consent checks (RFC 7675 §5.1: 5 s on average).</summary>
    public TimeSpan? IceConsentInterval { get; set; }

    /// <summary>Gets or sets how long ICE waits without responses before "disconnected".</summary>
    public TimeSpan? IceDisconnectedTimeout { get; set; }

    /// <summary>Gets or sets the SSRC of the audio stream we send; null picks a random one (RFC 3550 §8.1).</summary>
    public uint? Ssrc { get; set; }

    /// <summary>Gets or sets the RTCP CNAME (RFC 7022: random, per session); null generates one.</summary>
    public string? CName { get; set; }

    /// <summary>Gets or sets our media direction.</summary>
    public MediaDirection Direction { get; set; } = MediaDirection.SendRecv;

    /// <summary>Gets or sets the Opus payload type of our offers (an answer uses the offerer's).</summary>
    public int OpusPayloadType { get; set; } = 111;

    /// <summary>
    /// Gets the RTCP feedback we support for Opus (RFC 4585 §4.2): transport-cc (TWCC feedback and
    /// transport-wide sequence numbers) and nack (generic NACK and retransmission from a send history).
    /// </summary>
    public IList<string> RtcpFeedback { get; } = new List<string> { "transport-cc", "nack" };

    /// <summary>
    /// Gets or sets a value indicating whether we offer and accept <c>a=rtcp-xr:rcvr-rtt=all</c>
    /// (RFC 3611 §5.1, §4.4-4.5): XR receiver reference time and DLRR blocks, so a receive-only side learns its RTT.
    /// </summary>
    public bool RtcpXrReceiverRtt { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether we send transport-wide congestion control feedback when
    /// transport-cc is negotiated (on by default). Turning it off is a diagnostic: it shows what a peer's
    /// send-side bandwidth estimate does without our feedback.
    /// </summary>
    public bool SendTransportFeedback { get; set; } = true;

    /// <summary>Gets or sets the mean interval between our RTCP reports (RFC 3550 §6.2; randomized ×[0.5, 1.5], §6.3.1).</summary>
    public TimeSpan RtcpInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many sent RTP packets are kept for NACK retransmission (a power of two; 0 disables).</summary>
    public int SendHistorySize { get; set; } = 256;

    /// <summary>Gets or sets how many received frames wait for <see cref="PeerSession.TryPollMedia"/> before the oldest is dropped.</summary>
    public int MaxQueuedMediaFrames { get; set; } = 256;

    /// <summary>
    /// Gets or sets the share of the media sent in the last second that NACK retransmissions may use in this
    /// session (1: never more bytes retransmitted than sent, as libwebrtc caps them at the media rate). Requests
    /// over the budget are dropped and counted (<c>retransmissionsDropped</c> in the outbound-rtp stats).
    /// </summary>
    public double RetransmissionBudgetFraction { get; set; } = 1.0;

    /// <summary>
    /// Gets or sets a budget shared by every session of a host (for example <c>UdpSessionHost.RetransmissionBudget</c>),
    /// consulted after the session's own: it bounds what all sessions together may retransmit when many lose
    /// packets at once. Null: none.
    /// </summary>
    public RetransmissionBudget? SharedRetransmissionBudget { get; set; }

    /// <summary>Gets or sets the SRTP replay window (RFC 3711 §3.3.2).</summary>
    public int SrtpReplayWindow { get; set; } = 1024;

    /// <summary>
    /// Gets or sets the congestion controller fed with what we send and the peer's TWCC feedback
    /// (e.g. <see cref="Congestion.Gcc.GccController"/>); its target shows up as
    /// <c>availableOutgoingBitrate</c> in the candidate-pair stats. Null: none.
    /// </summary>
    public ICongestionController? CongestionController { get; set; }

    /// <summary>
    /// Gets or sets the wall-clock time that corresponds to session time zero, used for the NTP timestamps
    /// of sender reports (RFC 3550 §6.4.1) and to date a generated certificate (valid from a day before,
    /// as browsers make them). The driver sets it (UdpSessionHost, NetSim); null reads
    /// <see cref="WallClock"/> once, when the session is created. Protocol timing never uses it: time is
    /// the <c>now</c> passed to each call.
    /// </summary>
    public DateTimeOffset? WallClockAtZero { get; set; }

    /// <summary>
    /// Gets or sets where <see cref="WallClockAtZero"/> comes from when it is not set: read once, when the
    /// session is created (tests pass a FakeTimeProvider). The system clock by default, never the Unix epoch.
    /// </summary>
    public TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the random source (tests pass a seeded one); null uses a cryptographic generator for secrets.</summary>
    public Random? Random { get; set; }

    /// <summary>Gets or sets the logger.</summary>
    public ILogger? Logger { get; set; }
}
