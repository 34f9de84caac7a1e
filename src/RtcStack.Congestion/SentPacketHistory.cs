namespace RtcStack.Congestion;

/// <summary>
/// Send-side record of recent packets indexed by transport-wide sequence number, so feedback (which names only the
/// sequence number) can be matched to send time and size. A fixed ring: no allocation per packet.
/// </summary>
public sealed class SentPacketHistory
{
    private readonly SentPacket[] _packets;
    private readonly bool[] _valid;
    private readonly bool[] _acked;
    private readonly int _mask;
    private long _highest = -1;

    /// <summary>Creates a history holding the last <paramref name="capacity"/> packets (rounded up to a power of two).</summary>
    public SentPacketHistory(int capacity = 1 << 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        int size = 1;
        while (size < capacity)
        {
            size <<= 1;
        }
        _packets = new SentPacket[size];
        _valid = new bool[size];
        _acked = new bool[size];
        _mask = size - 1;
    }

    /// <summary>Highest sequence number recorded, or -1.</summary>
    public long HighestSequenceNumber => _highest;

    /// <summary>Records a sent packet.</summary>
    public void Add(in SentPacket packet)
    {
        int i = (int)(packet.TransportSequenceNumber & _mask);
        _packets[i] = packet;
        _valid[i] = true;
        _acked[i] = false;
        if (packet.TransportSequenceNumber > _highest)
        {
            _highest = packet.TransportSequenceNumber;
        }
    }

    /// <summary>Finds the packet sent with <paramref name="sequenceNumber"/> if it is still in the window.</summary>
    public bool TryGet(long sequenceNumber, out SentPacket packet)
    {
        int i = (int)(sequenceNumber & _mask);
        if (_valid[i] && _packets[i].TransportSequenceNumber == sequenceNumber)
        {
            packet = _packets[i];
            return true;
        }
        packet = default;
        return false;
    }

    /// <summary>
    /// Marks a packet as reported received; returns false when it was already reported received (duplicate reports are
    /// common: TWCC repeats entries after loss).
    /// </summary>
    public bool MarkReceived(long sequenceNumber)
    {
        int i = (int)(sequenceNumber & _mask);
        if (!_valid[i] || _packets[i].TransportSequenceNumber != sequenceNumber || _acked[i])
        {
            return false;
        }
        _acked[i] = true;
        return true;
    }

    /// <summary>True when the packet was already reported received.</summary>
    public bool IsReceived(long sequenceNumber)
    {
        int i = (int)(sequenceNumber & _mask);
        return _valid[i] && _packets[i].TransportSequenceNumber == sequenceNumber && _acked[i];
    }
}
