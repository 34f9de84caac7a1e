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

    /// <summary>Receive window in bytes (caps the flight; 128 KiB like a default Linux/ns-3 buffer).</summary>
    public long ReceiveWindowBytes { get; init; } = 131_072;

    /// <summary>Bytes per file for short flows; 0 or less for a long-lived flow.</summary>
    public long FileBytes { get; init; }

    /// <summary>Mean idle time between files of a short flow (exponential).</summary>
    public TimeSpan MeanIdle { get; init; } = TimeSpan.FromSeconds(10);
}
