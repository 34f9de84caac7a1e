namespace RtcStack.Congestion.Nada;

/// <summary>
/// NADA parameters with the defaults of RFC 8698 §6.3 (Figure 3 "default parameter values"). Times are in
/// milliseconds, rates in bits per second.
/// </summary>
public sealed record NadaParameters
{
    /// <summary>PRIO: weight of priority of the flow.</summary>
    public double Prio { get; init; } = 1.0;

    /// <summary>RMIN: minimum rate supported by the encoder (150 kbps).</summary>
    public double RMin { get; init; } = 150_000;

    /// <summary>RMAX: maximum rate supported by the encoder (1.5 Mbps; scenarios raise it to the source's maximum).</summary>
    public double RMax { get; init; } = 1_500_000;

    /// <summary>XREF: reference congestion level (10 ms).</summary>
    public double XRef { get; init; } = 10;

    /// <summary>KAPPA: scaling parameter for gradual rate update (0.5).</summary>
    public double Kappa { get; init; } = 0.5;

    /// <summary>ETA: scaling parameter for gradual rate update (2.0).</summary>
    public double Eta { get; init; } = 2.0;

    /// <summary>TAU: upper bound of RTT in gradual rate update (500 ms).</summary>
    public double Tau { get; init; } = 500;

    /// <summary>DELTA: target feedback interval (100 ms).</summary>
    public double Delta { get; init; } = 100;

    /// <summary>LOGWIN: observation window for receiver statistics (500 ms).</summary>
    public double LogWin { get; init; } = 500;

    /// <summary>QEPS: threshold for queuing delay build-up (10 ms).</summary>
    public double QEps { get; init; } = 10;

    /// <summary>DFILT: bound on filtering delay (120 ms).</summary>
    public double DFilt { get; init; } = 120;

    /// <summary>GAMMA_MAX: upper bound on rate increase ratio in accelerated ramp-up (0.5).</summary>
    public double GammaMax { get; init; } = 0.5;

    /// <summary>QBOUND: upper bound on self-inflicted queuing delay during ramp-up (50 ms).</summary>
    public double QBound { get; init; } = 50;

    /// <summary>MULTILOSS: multiplier of the average loss interval for loss expiry (7.0).</summary>
    public double MultiLoss { get; init; } = 7.0;

    /// <summary>QTH: delay threshold for non-linear warping (50 ms).</summary>
    public double QTh { get; init; } = 50;

    /// <summary>LAMBDA: exponent scaling of non-linear warping (0.5).</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>PLRREF: reference packet loss ratio (0.01).</summary>
    public double PlrRef { get; init; } = 0.01;

    /// <summary>PMRREF: reference packet marking ratio (0.01).</summary>
    public double PmrRef { get; init; } = 0.01;

    /// <summary>DLOSS: delay penalty for loss at PLRREF (10 ms).</summary>
    public double DLoss { get; init; } = 10;

    /// <summary>DMARK: delay penalty for ECN marking at PMRREF (2 ms).</summary>
    public double DMark { get; init; } = 2;

    /// <summary>FPS: frame rate of the video (30).</summary>
    public double Fps { get; init; } = 30;

    /// <summary>BETA_S: scaling of the sending rate by the rate-shaping buffer (0.1).</summary>
    public double BetaS { get; init; } = 0.1;

    /// <summary>BETA_V: scaling of the encoder target by the rate-shaping buffer (0.1).</summary>
    public double BetaV { get; init; } = 0.1;

    /// <summary>ALPHA: smoothing factor for loss and marking ratios (0.1).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>
    /// XMAX: upper clip of x_curr, ms. Not in RFC 8698's parameter table; the NADA reference model for ns-3 (by the
    /// RFC's authors) clips the aggregate signal at 500 ms, without which the quadratic loss penalty drives x_curr to
    /// tens of seconds under heavy loss and the x_diff term then overshoots to RMAX as the penalty decays.
    /// </summary>
    public double XMax { get; init; } = 500;

    /// <summary>Start rate (not an RFC 8698 parameter; the RFC starts at RMIN), bps.</summary>
    public double StartRate { get; init; } = 150_000;
}
