namespace RtcStack.NetSim.Tcp;

/// <summary>TCP receiver model: cumulative ACK for every segment (no delayed ACK), out-of-order segments buffered.</summary>
public sealed class TcpReceiverEndpoint : ISimEndpoint
{
    private readonly SortedSet<long> _outOfOrder = new();
    private readonly Queue<SimPacket> _outbox = new();
    private long _next;

    /// <summary>Payload bytes delivered in order.</summary>
    public long BytesReceived { get; private set; }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        if (packet.Tag is not TcpSegment seg || seg.IsAck)
        {
            return;
        }
        if (seg.Sequence == _next)
        {
            _next++;
            BytesReceived += TcpSenderEndpoint.Mss;
            while (_outOfOrder.Remove(_next))
            {
                _next++;
                BytesReceived += TcpSenderEndpoint.Mss;
            }
        }
        else if (seg.Sequence > _next)
        {
            _outOfOrder.Add(seg.Sequence);
        }
        _outbox.Enqueue(new SimPacket { Destination = packet.Source, WireSize = TcpSenderEndpoint.AckWireSize, Tag = new TcpSegment(_next, true) });
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => TimeSpan.MaxValue;
}
