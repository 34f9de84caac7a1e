namespace RtcStack.NetSim.Links;

/// <summary>How a link behaves.</summary>
public sealed record LinkOptions
{
    /// <summary>Name for reports.</summary>
    public string Name { get; init; } = "link";

    /// <summary>Capacity over time (ignored when <see cref="Trace"/> is set). Null: unconstrained.</summary>
    public CapacitySchedule? Capacity { get; init; }

    /// <summary>Mahimahi trace-driven capacity.</summary>
    public MahimahiTrace? Trace { get; init; }

    /// <summary>One-way propagation delay.</summary>
    public TimeSpan PropagationDelay { get; init; }

    /// <summary>Delay variation (null: none).</summary>
    public JitterModel? Jitter { get; init; }

    /// <summary>Drop-tail queue limit in time at the current capacity (RFC 8867 gives queues in ms). Null if bytes are used.</summary>
    public TimeSpan? QueueLimitTime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Drop-tail queue limit in bytes (used when <see cref="QueueLimitTime"/> is null).</summary>
    public long QueueLimitBytes { get; init; } = 1_000_000;

    /// <summary>Random or Gilbert–Elliott loss.</summary>
    public LossModel Loss { get; init; } = LossModel.None;
}
