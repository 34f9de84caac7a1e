namespace RtcStack.Congestion;

/// <summary>
/// A sender-side congestion controller driven sans-IO: packets sent, per-packet feedback and RTT in; target bitrate,
/// pacing rate and probe requests out. GCC (<see cref="Gcc.GccController"/>) and NADA (<see cref="Nada.NadaController"/>,
/// RFC 8698) implement it, so a simulator or a session can swap them.
/// </summary>
public interface ICongestionController
{
    /// <summary>Short name used in reports ("gcc", "nada").</summary>
    string Name { get; }

    /// <summary>Bitrate the media encoders should target, bits per second.</summary>
    long TargetBitrateBps { get; }

    /// <summary>Rate the pacer should drain its queue at, bits per second.</summary>
    long PacingRateBps { get; }

    /// <summary>Rate at which the pacer may add padding when it has no media, bits per second (0: none).</summary>
    long PaddingRateBps { get; }

    /// <summary>Records a packet that left the pacer; feedback is matched to it by transport sequence number.</summary>
    void OnPacketSent(in SentPacket packet);

    /// <summary>Processes one feedback report (TWCC or RFC 8888, already converted) received at <paramref name="now"/>.</summary>
    void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now);

    /// <summary>An RTT measurement from outside (RTCP RR/DLRR). Controllers also derive RTT from feedback.</summary>
    void OnRoundTripTime(TimeSpan rtt, TimeSpan now);

    /// <summary>Bytes waiting in the sender's pacer/rate-shaping buffer (RFC 8698 §5.1 uses it; GCC ignores it).</summary>
    void OnSendQueue(long queuedBytes, TimeSpan now);

    /// <summary>Runs periodic work (probe and ALR timers, loss-based updates).</summary>
    void HandleTimeout(TimeSpan now);

    /// <summary>The next instant <see cref="HandleTimeout"/> should be called.</summary>
    TimeSpan PollTimeout();

    /// <summary>Takes the next probe cluster the controller wants the pacer to send.</summary>
    bool TryPollProbe(out ProbeClusterConfig probe);
}
