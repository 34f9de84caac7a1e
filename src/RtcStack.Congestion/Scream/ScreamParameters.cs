namespace RtcStack.Congestion.Scream;

/// <summary>
/// SCReAM constants (RFC 8298 §4.1.1.1 network congestion control, §4.1.2.x sender transmission control, §4.2.1
/// media rate control). Defaults are the RFC's recommended values; where the RFC gives a range the value chosen is
/// stated. Times are in seconds, sizes in bytes, rates in bits per second.
/// </summary>
public sealed record ScreamParameters
{
    /// <summary>QDELAY_TARGET_LO: target value for the minimum qdelay (0.1 s).</summary>
    public double QdelayTargetLo { get; init; } = 0.1;

    /// <summary>QDELAY_TARGET_HI: upper limit of the adjusted qdelay target (0.4 s).</summary>
    public double QdelayTargetHi { get; init; } = 0.4;

    /// <summary>QDELAY_WEIGHT: EWMA weight of qdelay_fraction_avg (0.1).</summary>
    public double QdelayWeight { get; init; } = 0.1;

    /// <summary>QDELAY_TREND_TH: qdelay_trend at or above which fast increase mode ends (0.2).</summary>
    public double QdelayTrendTh { get; init; } = 0.2;

    /// <summary>MIN_CWND: minimum congestion window (3000 bytes).</summary>
    public double MinCwnd { get; init; } = 3000;

    /// <summary>MAX_BYTES_IN_FLIGHT_HEAD_ROOM: cwnd ≤ this × max_bytes_in_flight (1.1).</summary>
    public double MaxBytesInFlightHeadRoom { get; init; } = 1.1;

    /// <summary>GAIN: congestion window gain, as LEDBAT's (1.0).</summary>
    public double Gain { get; init; } = 1.0;

    /// <summary>BETA_LOSS: cwnd scale factor on a loss event (0.8).</summary>
    public double BetaLoss { get; init; } = 0.8;

    /// <summary>BETA_ECN: cwnd and target scale factor on an ECN event (0.8).</summary>
    public double BetaEcn { get; init; } = 0.8;

    /// <summary>BETA_R: target bitrate scale factor on a loss event (0.9).</summary>
    public double BetaR { get; init; } = 0.9;

    /// <summary>MSS: maximum segment size = maximum RTP packet size (1000 bytes).</summary>
    public double Mss { get; init; } = 1000;

    /// <summary>RATE_ADJUST_INTERVAL: media rate control interval (0.2 s).</summary>
    public double RateAdjustInterval { get; init; } = 0.2;

    /// <summary>TARGET_BITRATE_MIN, bps (the RFC leaves it to the media; the host's minimum).</summary>
    public double TargetBitrateMin { get; init; } = 30_000;

    /// <summary>TARGET_BITRATE_MAX, bps (the RFC leaves it to the media; the host's maximum).</summary>
    public double TargetBitrateMax { get; init; } = 10_000_000;

    /// <summary>Target bitrate at start, bps (RFC 8298 starts at 0, which the min/max clamp lifts to TARGET_BITRATE_MIN).</summary>
    public double StartBitrate { get; init; } = 300_000;

    /// <summary>RAMP_UP_SPEED: fast increase ramp-up speed (200000 bps/s).</summary>
    public double RampUpSpeed { get; init; } = 200_000;

    /// <summary>PRE_CONGESTION_GUARD: guard against early congestion onset (RFC range 0.0..0.2; 0.1 chosen).</summary>
    public double PreCongestionGuard { get; init; } = 0.1;

    /// <summary>TX_QUEUE_SIZE_FACTOR: guard against RTP queue build-up (1.0).</summary>
    public double TxQueueSizeFactor { get; init; } = 1.0;

    /// <summary>RTP_QDELAY_TH: RTP queue delay above which the target is scaled down (0.02 s).</summary>
    public double RtpQdelayTh { get; init; } = 0.02;

    /// <summary>TARGET_RATE_SCALE_RTP_QDELAY: that scale (0.95).</summary>
    public double TargetRateScaleRtpQdelay { get; init; } = 0.95;

    /// <summary>QDELAY_TREND_LO: qdelay_trend below which fast increase may resume (0.2).</summary>
    public double QdelayTrendLo { get; init; } = 0.2;

    /// <summary>T_RESUME_FAST_INCREASE: time qdelay_trend must stay low before fast increase resumes (5 s).</summary>
    public double TResumeFastIncrease { get; init; } = 5.0;

    /// <summary>RATE_PACE_MIN: minimum pacing rate (50000 bps).</summary>
    public double RatePaceMin { get; init; } = 50_000;

    /// <summary>
    /// RFC 8298 §4.1.2.3 competing-flows compensation (adjust_qdelay_target); the RFC says it MAY be turned off where
    /// no competing flows can share the bottleneck.
    /// </summary>
    public bool CompensateCompetingFlows { get; init; } = true;

    /// <summary>
    /// Not in RFC 8298: when data is in flight and no feedback has arrived for max(this, 4·s_rtt) seconds, the packets
    /// in flight are taken as lost (cwnd to MIN_CWND, bytes in flight to 0) so the self-clock cannot stall for good
    /// when every packet of a window is lost (the role of TCP's retransmission timeout).
    /// </summary>
    public double FeedbackTimeout { get; init; } = 1.0;
}
