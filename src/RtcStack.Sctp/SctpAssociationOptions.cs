namespace RtcStack.Sctp;

/// <summary>
/// Settings of an <see cref="SctpAssociation"/>. Defaults follow RFC 9260 §16 (protocol parameters)
/// and RFC 8831/8841 for WebRTC (port 5000, 1,200-byte packets, 256 KiB messages).
/// </summary>
public sealed class SctpAssociationOptions
{
    /// <summary>Gets the local SCTP port (RFC 8841 a=sctp-port; 5000 by default).</summary>
    public ushort LocalPort { get; init; } = 5000;

    /// <summary>Gets the remote SCTP port.</summary>
    public ushort RemotePort { get; init; } = 5000;

    /// <summary>Gets the largest SCTP packet sent, common header included (RFC 8261 §5: 1,200 bytes keeps DTLS under common MTUs).</summary>
    public int MaxPacketSize { get; init; } = 1200;

    /// <summary>Gets the largest user message sent or accepted (RFC 8841 a=max-message-size; 256 KiB by default).</summary>
    public int MaxMessageSize { get; init; } = 256 * 1024;

    /// <summary>Gets the receive buffer that sets the advertised receiver window (RFC 9260 §6.2); at least <see cref="MaxMessageSize"/>.</summary>
    public int ReceiveBufferSize { get; init; } = 1024 * 1024;

    /// <summary>Gets the number of outbound streams requested (RFC 9260 §3.3.2; WebRTC asks for 65,535).</summary>
    public ushort OutboundStreams { get; init; } = ushort.MaxValue;

    /// <summary>Gets the number of inbound streams allowed.</summary>
    public ushort InboundStreams { get; init; } = ushort.MaxValue;

    /// <summary>Gets RTO.Initial (RFC 9260 §16: 1 s).</summary>
    public TimeSpan RtoInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets RTO.Min (RFC 9260 §16: 1 s).</summary>
    public TimeSpan RtoMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets RTO.Max (RFC 9260 §16: 60 s).</summary>
    public TimeSpan RtoMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the delayed SACK timeout (RFC 9260 §6.2: at most 500 ms; 200 ms by default).</summary>
    public TimeSpan DelayedAckTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets Max.Burst (RFC 9260 §6.1, §16: 4): when new DATA goes out, at most this many packets' worth (of
    /// <see cref="MaxPacketSize"/>, or the PLPMTU in use) beyond what was in flight when the packets started to be built,
    /// as §6.1 puts it: cwnd is taken as min(cwnd, flightsize + Max.Burst × PMTU) for that transmission, not changed.
    /// A SACK that opens a large window (or a burst of <see cref="SctpAssociation.Send"/> calls into an open window)
    /// then releases at most this many packets at once, and the acknowledgements clock out the rest. Retransmissions
    /// are not limited by it. 0 turns the limit off (the whole congestion window may go out at once).
    /// </summary>
    public int MaxBurst { get; init; } = 4;

    /// <summary>Gets HB.interval (RFC 9260 §16: 30 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets Association.Max.Retrans (RFC 9260 §16: 10).</summary>
    public int MaxRetransmissions { get; init; } = 10;

    /// <summary>Gets Max.Init.Retransmits (RFC 9260 §16: 8).</summary>
    public int MaxInitRetransmissions { get; init; } = 8;

    /// <summary>Gets Valid.Cookie.Life (RFC 9260 §16: 60 s).</summary>
    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets whether I-DATA and I-FORWARD-TSN (RFC 8260 §2) are offered in the Supported Extensions parameter;
    /// they are used only when the peer lists I-DATA too (§2.2.1), otherwise DATA and FORWARD TSN. On by default:
    /// RFC 8831 §6.1 says data channels SHOULD use message interleaving when both ends support it.
    /// </summary>
    public bool EnableMessageInterleaving { get; init; } = true;

    /// <summary>
    /// Gets whether zero checksums (RFC 9653) are offered and used. Set it only when the association's packets travel
    /// in DTLS records (RFC 8261), as they do under WebRTC: the association cannot see its transport, and this setting is
    /// the caller's statement that DTLS is the alternate error detection method (RFC 9653 §6, method 1). When set, INIT
    /// and INIT ACK carry the Zero Checksum Acceptable parameter naming method 1 (§4, §5.1) and packets whose checksum
    /// field is zero are accepted (§5.3); packets go out with a zero checksum only when the peer announced method 1 as
    /// well, and never those with INIT or COOKIE ECHO (§5.2). Off by default: every packet then carries its CRC32c and
    /// a zero checksum is a bad one.
    /// </summary>
    public bool EnableZeroChecksum { get; init; }

    /// <summary>
    /// Gets the stream scheduler (RFC 8260 §3): which stream's message (DATA) or fragment (I-DATA) goes next.
    /// Round robin by default.
    /// </summary>
    public SctpStreamSchedulerKind StreamScheduler { get; init; } = SctpStreamSchedulerKind.RoundRobin;

    /// <summary>
    /// Gets whether Packetization Layer Path MTU Discovery (RFC 8899, datagram PLPMTUD; §6.2 for SCTP) runs. Off by default:
    /// every packet then fits <see cref="MaxPacketSize"/>. When set, <see cref="MaxPacketSize"/> is BASE_PLPMTU (the size
    /// used, and confirmed with a probe, once the association is established); probes (a HEARTBEAT chunk and a PAD chunk,
    /// RFC 4820) then search up to <see cref="MaxPathMtu"/>, and DATA is fragmented and bundled up to the size confirmed.
    /// <see cref="SctpAssociation.PathMtu"/> and <see cref="SctpPathMtuChangedEvent"/> report the result.
    /// </summary>
    public bool EnablePathMtuDiscovery { get; init; }

    /// <summary>
    /// Gets MAX_PLPMTU (RFC 8899 §5.1.2), the largest SCTP packet the search tries, common header included; rounded down to
    /// a multiple of 4 (SCTP packets are). 1,412 by default: a 1,500-byte Ethernet MTU less IPv6 (40), UDP (8) and a DTLS 1.2
    /// AES-GCM record (13 header, 8 explicit nonce, 16 tag) is 1,415. Set it from the local link MTU and the DTLS cipher.
    /// </summary>
    public int MaxPathMtu { get; init; } = 1412;

    /// <summary>
    /// Gets MIN_PLPMTU (RFC 8899 §5.1.2), the packet size used in the ERROR state, when even BASE_PLPMTU
    /// (<see cref="MaxPacketSize"/>) probes go unanswered. 1,200 by default (equal to BASE_PLPMTU, as §5.2 allows); a
    /// value above <see cref="MaxPacketSize"/> is taken as <see cref="MaxPacketSize"/>.
    /// </summary>
    public int MinPathMtu { get; init; } = 1200;

    /// <summary>Gets PROBE_TIMER (RFC 8899 §5.1.1: at least 1 s, SHOULD be more than 15 s): how long a probe waits for its HEARTBEAT ACK. 20 s by default.</summary>
    public TimeSpan PathMtuProbeTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets PMTU_RAISE_TIMER (RFC 8899 §5.1.1: 600 s): how long a completed search is kept before searching again.</summary>
    public TimeSpan PathMtuRaiseInterval { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Gets MAX_PROBES (RFC 8899 §5.1.2: 3 by default): unanswered probes of one size before that size counts as failed.</summary>
    public int PathMtuMaxProbes { get; init; } = 3;

    /// <summary>Gets the random source for tags, initial TSNs, the cookie key and heartbeat nonces (seed it for deterministic tests).</summary>
    public Random? Random { get; init; }
}
