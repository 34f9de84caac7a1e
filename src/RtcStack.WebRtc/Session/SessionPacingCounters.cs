namespace RtcStack.WebRtc;

/// <summary>What a <see cref="WebRtcSession"/>'s pacer, probes and REMB handling did (<see cref="WebRtcSessionOptions.Pacing"/>).</summary>
public sealed class SessionPacingCounters
{
    /// <summary>Gets the media packets that waited in the pacer's queue and left through it.</summary>
    public long PacketsPaced { get; internal set; }

    /// <summary>Gets the media packets (audio) that skipped the queue; their bytes count against the pacing rate.</summary>
    public long PacketsBypassed { get; internal set; }

    /// <summary>Gets the retransmissions (NACK repairs) queued in the pacer's high-priority queue.</summary>
    public long RetransmissionsQueued { get; internal set; }

    /// <summary>Gets the queued retransmissions that left through the pacer.</summary>
    public long RetransmissionsPaced { get; internal set; }

    /// <summary>Gets the queued packets dropped because their section was gone or the transport refused them.</summary>
    public long PacketsDropped { get; internal set; }

    /// <summary>Gets the video frames refused because the pacer held <see cref="WebRtcSessionOptions.PacerQueueCapacity"/> packets.</summary>
    public long FramesRefused { get; internal set; }

    /// <summary>Gets the probe clusters the controller asked for and the pacer was given.</summary>
    public long ProbeClusters { get; internal set; }

    /// <summary>Gets the packets sent as part of a probe cluster (media and padding).</summary>
    public long ProbePackets { get; internal set; }

    /// <summary>Gets the padding-only packets sent for probes.</summary>
    public long ProbePaddingPackets { get; internal set; }

    /// <summary>Gets the probe padding the pacer asked for that no section could send (none had sent media yet).</summary>
    public long ProbePaddingUnavailable { get; internal set; }

    /// <summary>Gets the REMB packets (RTCP PSFB FMT 15, "REMB") received and honoured as a cap.</summary>
    public long RembReceived { get; internal set; }

    /// <summary>Gets the <see cref="SessionTargetBitrateEvent"/>s raised.</summary>
    public long TargetBitrateEvents { get; internal set; }
}
