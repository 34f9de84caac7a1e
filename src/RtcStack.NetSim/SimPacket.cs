namespace RtcStack.NetSim;

/// <summary>
/// One datagram in flight. <see cref="Payload"/> holds real bytes when an endpoint speaks a wire format (sessions,
/// the RTP/TWCC closed-loop endpoints); <see cref="Tag"/> lets the built-in traffic models skip serialisation.
/// <see cref="WireSize"/> (IP + UDP + payload) is what links charge.
/// </summary>
public sealed class SimPacket
{
    /// <summary>Sender.</summary>
    public SimAddress Source { get; set; }

    /// <summary>Receiver.</summary>
    public SimAddress Destination { get; set; }

    /// <summary>Bytes on the wire including IP and UDP headers.</summary>
    public int WireSize { get; set; }

    /// <summary>Datagram bytes, if the endpoint uses a wire format.</summary>
    public ReadOnlyMemory<byte> Payload { get; set; }

    /// <summary>Model data for built-in endpoints.</summary>
    public object? Tag { get; set; }

    /// <summary>Flow id for per-flow metrics (set by the network from the sending endpoint).</summary>
    public int FlowId { get; set; }

    /// <summary>When the sender handed the packet to the network.</summary>
    public TimeSpan SentAt { get; set; }

    /// <summary>Time spent waiting in link queues so far (queuing delay, RFC 8868 §2).</summary>
    public TimeSpan QueueDelay { get; set; }

    /// <summary>ECN-CE mark set by a link.</summary>
    public bool EcnCe { get; set; }

    /// <summary>Index of the next link on the route.</summary>
    internal int Hop { get; set; }

    /// <summary>The route being followed.</summary>
    internal Route? Route { get; set; }
}
