namespace RtcStack.NetSim.Tcp;

/// <summary>Configuration of a TCP cross-traffic flow.</summary>
public sealed record TcpSenderOptions
{
    /// <summary>Congestion avoidance.</summary>
    public TcpCongestionAlgorithm Algorithm { get; init; } = TcpCongestionAlgorithm.NewReno;

    /// <summary>Start time.</summary>
    public TimeSpan Start { get; init; }

    /// <summary>Stop time.</summary>
    public TimeSpan Stop { get; init; } = TimeSpan.MaxValue;

    /// <summary>Receive window in bytes (caps the flight; default 6 MiB, Linux's default tcp_rmem maximum).</summary>
    public long ReceiveWindowBytes { get; init; } = 6 * 1024 * 1024;

    /// <summary>Bytes per file for short flows (lower end of a uniform range with <see cref="FileBytesMax"/>); 0 or less for a long-lived flow.</summary>
    public long FileBytes { get; init; }

    /// <summary>Upper end of the uniform file size, bytes (≤ <see cref="FileBytes"/>: fixed size).</summary>
    public long FileBytesMax { get; init; }

    /// <summary>A short flow that starts in the OFF state: an idle period before its first file (RFC 8867 §5.7).</summary>
    public bool StartsIdle { get; init; }

    /// <summary>Mean idle time between files of a short flow (exponential).</summary>
    public TimeSpan MeanIdle { get; init; } = TimeSpan.FromSeconds(10);
}
