namespace RtcStack.NetSim.Tcp;

/// <summary>
/// TCP receiver model: an ACK for every segment (no delayed ACK, as the rmcat ns-3 suite configures), out-of-order
/// segments buffered, and up to three SACK blocks per ACK (RFC 2018 §4: the first block holds the segment that
/// triggered the ACK, then the most recently reported other blocks).
/// </summary>
public sealed class TcpReceiverEndpoint : ISimEndpoint
{
    private readonly List<(long Start, long End)> _blocks = new();
    private readonly List<long> _recent = new();
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
        long s = seg.Sequence;
        if (s == _next)
        {
            _next++;
            BytesReceived += TcpSenderEndpoint.Mss;
            if (_blocks.Count > 0 && _blocks[0].Start == _next)
            {
                BytesReceived += (_blocks[0].End - _blocks[0].Start) * TcpSenderEndpoint.Mss;
                _next = _blocks[0].End;
                _recent.Remove(_blocks[0].Start);
                _blocks.RemoveAt(0);
            }
        }
        else if (s > _next)
        {
            AddOutOfOrder(s);
        }
        var ack = new TcpSegment(_next, true);
        int n = 0;
        (long, long) b0 = default, b1 = default, b2 = default;
        for (int i = 0; i < _recent.Count && n < 3; i++)
        {
            int idx = _blocks.FindIndex(b => b.Start == _recent[i]);
            if (idx < 0)
            {
                continue;
            }
            switch (n++)
            {
                case 0: b0 = _blocks[idx]; break;
                case 1: b1 = _blocks[idx]; break;
                default: b2 = _blocks[idx]; break;
            }
        }
        ack = ack with { SackCount = n, Sack0 = b0, Sack1 = b1, Sack2 = b2 };
        _outbox.Enqueue(new SimPacket { Destination = packet.Source, WireSize = TcpSenderEndpoint.AckWireSize, Tag = ack });
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => TimeSpan.MaxValue;

    private void AddOutOfOrder(long s)
    {
        // Find the block that s extends or falls into, merging neighbours; keep blocks sorted by start.
        int i = 0;
        while (i < _blocks.Count && _blocks[i].End < s)
        {
            i++;
        }
        long start;
        if (i < _blocks.Count && _blocks[i].Start <= s && s < _blocks[i].End)
        {
            start = _blocks[i].Start; // duplicate
        }
        else if (i < _blocks.Count && _blocks[i].End == s)
        {
            (long st, long en) = _blocks[i];
            en = s + 1;
            _recent.Remove(st);
            if (i + 1 < _blocks.Count && _blocks[i + 1].Start == en)
            {
                en = _blocks[i + 1].End;
                _recent.Remove(_blocks[i + 1].Start);
                _blocks.RemoveAt(i + 1);
            }
            _blocks[i] = (st, en);
            start = st;
        }
        else if (i < _blocks.Count && _blocks[i].Start == s + 1)
        {
            _recent.Remove(_blocks[i].Start);
            _blocks[i] = (s, _blocks[i].End);
            start = s;
        }
        else
        {
            _blocks.Insert(i, (s, s + 1));
            start = s;
        }
        _recent.Remove(start);
        _recent.Insert(0, start);
    }
}
