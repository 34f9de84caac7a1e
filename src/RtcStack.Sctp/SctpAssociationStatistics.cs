namespace RtcStack.Sctp;

/// <summary>Counters of one association (for tests, logs and a W3C-style stats report).</summary>
public sealed class SctpAssociationStatistics
{
    /// <summary>Gets the packets sent.</summary>
    public long PacketsSent { get; internal set; }

    /// <summary>Gets the packets received and accepted.</summary>
    public long PacketsReceived { get; internal set; }

    /// <summary>Gets the datagrams dropped (bad checksum, bad length, wrong tag or port).</summary>
    public long PacketsDropped { get; internal set; }

    /// <summary>Gets the packets sent with a zero checksum (RFC 9653 §5.2).</summary>
    public long ZeroChecksumPacketsSent { get; internal set; }

    /// <summary>Gets the packets accepted with a zero checksum field (RFC 9653 §5.3).</summary>
    public long ZeroChecksumPacketsReceived { get; internal set; }

    /// <summary>Gets DATA chunks sent for the first time.</summary>
    public long DataChunksSent { get; internal set; }

    /// <summary>Gets DATA chunks retransmitted (timer or fast retransmit).</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Gets chunks marked for fast retransmit (RFC 9260 §7.2.4).</summary>
    public long FastRetransmits { get; internal set; }

    /// <summary>Gets T3-rtx expirations (RFC 9260 §6.3.3).</summary>
    public long T3Expirations { get; internal set; }

    /// <summary>Gets duplicate TSNs received.</summary>
    public long DuplicateTsnsReceived { get; internal set; }

    /// <summary>Gets messages abandoned under partial reliability (RFC 3758 §3.5).</summary>
    public long MessagesAbandoned { get; internal set; }

    /// <summary>Gets FORWARD TSN chunks sent.</summary>
    public long ForwardTsnsSent { get; internal set; }

    /// <summary>Gets SACK chunks sent.</summary>
    public long SacksSent { get; internal set; }

    /// <summary>
    /// Gets how many times Max.Burst (RFC 9260 §6.1, <see cref="SctpAssociationOptions.MaxBurst"/>) stopped new DATA while
    /// the congestion window still had room and data was waiting; that data left with the next acknowledgement.
    /// </summary>
    public long MaxBurstLimited { get; internal set; }

    /// <summary>Gets heartbeats sent.</summary>
    public long HeartbeatsSent { get; internal set; }

    /// <summary>Gets path MTU probes sent (RFC 8899 §4.1: HEARTBEAT and PAD chunks).</summary>
    public long PathMtuProbesSent { get; internal set; }

    /// <summary>Gets path MTU probes answered by a HEARTBEAT ACK.</summary>
    public long PathMtuProbesAcknowledged { get; internal set; }

    /// <summary>Gets path MTU probes whose PROBE_TIMER expired unanswered.</summary>
    public long PathMtuProbesLost { get; internal set; }

    /// <summary>Gets black holes detected (RFC 8899 §4.3): the PLPMTU fell back to BASE_PLPMTU.</summary>
    public long PathMtuBlackHolesDetected { get; internal set; }
}
