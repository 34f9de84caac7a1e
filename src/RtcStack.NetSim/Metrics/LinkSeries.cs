namespace RtcStack.NetSim.Metrics;

/// <summary>Per-link time series at 200 ms.</summary>
public sealed class LinkSeries
{
    /// <summary>Creates a series.</summary>
    public LinkSeries(string id)
    {
        Id = id;
    }

    /// <summary>Link id.</summary>
    public string Id { get; }

    /// <summary>Capacity (average over the interval), bps.</summary>
    public List<double> CapacityBps { get; } = [];

    /// <summary>Bits transmitted / interval, bps.</summary>
    public List<double> ThroughputBps { get; } = [];

    /// <summary>Throughput / capacity.</summary>
    public List<double> Utilisation { get; } = [];

    /// <summary>Queue occupancy at the end of the interval, bytes.</summary>
    public List<double> QueueBytes { get; } = [];

    /// <summary>Packets dropped in the interval.</summary>
    public List<double> Drops { get; } = [];
}
