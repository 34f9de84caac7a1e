namespace RtcStack.NetSim.Metrics;

/// <summary>Per-flow time series at the RFC 8868 sampling interval (200 ms).</summary>
public sealed class FlowSeries
{
    /// <summary>Creates a series.</summary>
    public FlowSeries(string id, string kind, string controller)
    {
        Id = id;
        Kind = kind;
        Controller = controller;
    }

    /// <summary>Flow id.</summary>
    public string Id { get; }

    /// <summary>"media", "tcp" or "cbr".</summary>
    public string Kind { get; }

    /// <summary>Controller name (media flows).</summary>
    public string Controller { get; }

    /// <summary>Sending rate (wire), bps.</summary>
    public List<double> SendBps { get; } = [];

    /// <summary>Receiving rate (wire), bps.</summary>
    public List<double> ReceiveBps { get; } = [];

    /// <summary>Controller target, bps (media).</summary>
    public List<double> TargetBps { get; } = [];

    /// <summary>Median queuing delay of packets received in the interval, ms (NaN if none).</summary>
    public List<double> QueueDelayP50Ms { get; } = [];

    /// <summary>Maximum queuing delay in the interval, ms.</summary>
    public List<double> QueueDelayMaxMs { get; } = [];

    /// <summary>Packets lost / packets sent in the interval.</summary>
    public List<double> LossRate { get; } = [];

    /// <summary>Mean frame delay (capture to complete), ms (NaN if no frame completed).</summary>
    public List<double> FrameDelayMs { get; } = [];

    /// <summary>Every received media packet: (arrival s, queuing delay ms).</summary>
    public List<(double T, double DelayMs)> PacketQueueDelays { get; } = [];

    /// <summary>Every completed frame: (time s, frame delay ms).</summary>
    public List<(double T, double DelayMs)> FrameDelays { get; } = [];

    /// <summary>Media bytes sent (wire).</summary>
    public long MediaBytesSent { get; set; }

    /// <summary>Feedback bytes sent by the receiver (wire).</summary>
    public long FeedbackBytes { get; set; }

    /// <summary>Packets sent.</summary>
    public long PacketsSent { get; set; }

    /// <summary>Packets dropped on links.</summary>
    public long PacketsDropped { get; set; }

    /// <summary>Start of the flow, s.</summary>
    public double StartSeconds { get; set; }

    /// <summary>Stop of the flow, s.</summary>
    public double StopSeconds { get; set; }
}
