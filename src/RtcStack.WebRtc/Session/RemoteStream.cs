using RtcStack.Opus;
using RtcStack.Rtp;

namespace RtcStack.WebRtc;

/// <summary>What a <see cref="PeerSession"/> knows about one remote RTP source: reception statistics, the
/// RFC 7587 depacketizer, NACK state, and what the source's own sender reports say.</summary>
internal sealed class RemoteStream
{
    /// <summary>
    /// How far behind the highest sequence number a packet still counts as late rather than as a restart of the
    /// source when NACK is on: libwebrtc raises its reordering threshold to its NACK age limit (450) the same way.
    /// RFC 3550 A.1's MAX_MISORDER of 100 assumes no retransmission on the SSRC; with NACK on the same SSRC (no
    /// RTX), two resent packets more than 100 behind looked like a sender restart and reset the counters (seen in a
    /// 30-minute soak after a burst of kernel drops: "received" fell by millions).
    /// </summary>
    public const int NackMaxMisorder = 450;

    /// <summary>Sequence numbers a stream's NACK requester tracks at once.</summary>
    public const int NackCapacity = 64;

    /// <summary>Requests per missing sequence number before it is given up.</summary>
    public const int NackMaxTries = 10;

    /// <summary>How far behind the highest received a sequence number is still asked for (a few seconds of audio at 50 packets/s).</summary>
    public const int NackMaxAge = 500;

    public RemoteStream(uint ssrc, int payloadType, int clockRate, bool nack)
    {
        Ssrc = ssrc;
        PayloadType = payloadType;
        // Probation off (minSequential 1): SRTP already authenticated the source.
        Statistics = nack
            ? new RtpReceiverStatistics(ssrc, clockRate, minSequential: 1, maxMisorder: NackMaxMisorder)
            : new RtpReceiverStatistics(ssrc, clockRate, minSequential: 1);
        Nack = nack ? new Streams.NackRequester(NackCapacity, NackMaxTries, NackMaxAge) : null;
    }

    public uint Ssrc { get; }

    public int PayloadType { get; }

    public RtpReceiverStatistics Statistics { get; }

    public OpusRtpDepacketizer Depacketizer { get; } = new();

    public Streams.NackRequester? Nack { get; }

    public long BytesReceived { get; set; }

    public long HeaderBytesReceived { get; set; }

    public long PacketsDiscarded { get; set; }

    public long RetransmittedPacketsReceived { get; set; }

    public long NackCount { get; set; }

    public TimeSpan LastPacketReceived { get; set; }

    public int LastAudioLevel { get; set; } = -1;

    /// <summary>Gets or sets the sum over packets of (level as linear amplitude)² × duration: webrtc-stats totalAudioEnergy from RFC 6464 levels.</summary>
    public double TotalAudioEnergy { get; set; }

    public double TotalSamplesDuration { get; set; }

    public bool Ended { get; set; }

    public string? CName { get; set; }

    // From this source's sender reports (remote-outbound-rtp).
    public long SenderReportsReceived { get; set; }

    public uint RemotePacketsSent { get; set; }

    public uint RemoteOctetsSent { get; set; }

    public NtpTimestamp LastSenderReportNtp { get; set; }

    // From XR receiver reference time blocks (RFC 3611 §4.4), answered with DLRR.
    public LastReportTracker ReceiverReferenceTime;
}
