namespace RtcStack.Congestion;

/// <summary>
/// Send-side record of recent packets indexed by transport-wide sequence number, so feedback (which names only the
/// sequence number) can be matched to send time and size. A ring that grows with the packet rate: no allocation per packet.
/// </summary>
public sealed class SentPacketHistory
{
    private const int DefaultInitialSize = 64;
    private readonly int _capacity;
    private readonly TimeSpan _retention;
    private SentPacket[] _packets;
    private bool[] _valid;
    private bool[] _acked;
    private int _mask;
    private long _highest = -1;

    /// <summary>
    /// Creates a history of up to the last <paramref name="capacity"/> packets (rounded up to a power of two) that starts
    /// at 64 slots and keeps at least 2 s of packets, growing only when that needs more.
    /// </summary>
    public SentPacketHistory(int capacity = 1 << 14)
        : this(capacity, DefaultInitialSize, TimeSpan.FromSeconds(2))
    {
    }

    /// <summary>
    /// Creates a history that starts with <paramref name="initialSize"/> slots and doubles (up to
    /// <paramref name="capacity"/>, both rounded up to powers of two) whenever a new packet would overwrite one sent less
    /// than <paramref name="retention"/> before it. A session sending 50 audio packets a second never grows past its
    /// first slots, so it does not hold (or touch, page by page) room for thousands; video at 1,000 packets a second
    /// grows to keep its last 2 s. Growing allocates; adding a packet otherwise allocates nothing.
    /// </summary>
    public SentPacketHistory(int capacity, int initialSize, TimeSpan retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSize, 16);
        _capacity = RoundUp(capacity);
        _retention = retention;
        int size = Math.Min(RoundUp(initialSize), _capacity);
        _packets = new SentPacket[size];
        _valid = new bool[size];
        _acked = new bool[size];
        _mask = size - 1;
    }

    /// <summary>Highest sequence number recorded, or -1.</summary>
    public long HighestSequenceNumber => _highest;

    /// <summary>Gets the slots the history has now (it grows up to its capacity).</summary>
    public int Size => _packets.Length;

    /// <summary>Records a sent packet.</summary>
    public void Add(in SentPacket packet)
    {
        int i = (int)(packet.TransportSequenceNumber & _mask);
        if (_valid[i] && _packets.Length < _capacity && _packets[i].TransportSequenceNumber != packet.TransportSequenceNumber
            && packet.SendTime - _packets[i].SendTime < _retention)
        {
            Grow();
            i = (int)(packet.TransportSequenceNumber & _mask);
        }

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

    private static int RoundUp(int n)
    {
        int size = 1;
        while (size < n)
        {
            size <<= 1;
        }

        return size;
    }

    // Doubles the ring; the packets it held (a run of at most the old size) keep their places modulo the new size.
    private void Grow()
    {
        int size = _packets.Length * 2;
        var packets = new SentPacket[size];
        var valid = new bool[size];
        var acked = new bool[size];
        int mask = size - 1;
        for (int j = 0; j < _packets.Length; j++)
        {
            if (_valid[j])
            {
                int k = (int)(_packets[j].TransportSequenceNumber & mask);
                packets[k] = _packets[j];
                valid[k] = true;
                acked[k] = _acked[j];
            }
        }

        (_packets, _valid, _acked, _mask) = (packets, valid, acked, mask);
    }
}
