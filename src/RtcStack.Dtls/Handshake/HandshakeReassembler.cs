namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 6347 §4.2.2-§4.2.3: collects handshake fragments (any order, overlapping, duplicated)
/// into whole messages and hands them out strictly in message_seq order. Keeps at most
/// <see cref="Window"/> messages ahead of the next expected one, each no larger than the
/// configured maximum, so memory per peer is bounded before any length is trusted.
/// </summary>
internal sealed class HandshakeReassembler
{
    public const int Window = 8;

    private readonly int _maxMessageSize;
    private readonly PartialMessage?[] _slots = new PartialMessage?[Window];
    private int _next;

    public HandshakeReassembler(int maxMessageSize)
    {
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>Gets the message_seq expected next.</summary>
    public int NextSequence => _next;

    /// <summary>Forgets every partial message and expects <paramref name="next"/>.</summary>
    public void Reset(int next)
    {
        Array.Clear(_slots);
        _next = next;
    }

    /// <summary>Adds one fragment that arrived in a record of <paramref name="epoch"/>.</summary>
    public FragmentStatus Add(in HandshakeFragment fragment, ushort epoch)
    {
        if (fragment.MessageSeq < _next)
        {
            return FragmentStatus.Old;
        }

        int index = fragment.MessageSeq - _next;
        if (index >= Window || fragment.Length > _maxMessageSize)
        {
            return FragmentStatus.Dropped;
        }

        PartialMessage? slot = _slots[index];
        if (slot is null)
        {
            slot = new PartialMessage(fragment.Type, fragment.Length, epoch);
            _slots[index] = slot;
        }
        else if (slot.Type != fragment.Type || slot.Body.Length != fragment.Length || slot.Epoch != epoch)
        {
            return FragmentStatus.Dropped;
        }

        slot.Add(fragment.Offset, fragment.Body);
        return FragmentStatus.Accepted;
    }

    /// <summary>Takes the next whole message in sequence, if it has fully arrived.</summary>
    public bool TryTakeNext(out HandshakeType type, out byte[] body, out int messageSeq, out ushort epoch)
    {
        PartialMessage? slot = _slots[0];
        if (slot is null || !slot.IsComplete)
        {
            type = default;
            body = [];
            messageSeq = 0;
            epoch = 0;
            return false;
        }

        type = slot.Type;
        body = slot.Body;
        messageSeq = _next;
        epoch = slot.Epoch;
        Array.Copy(_slots, 1, _slots, 0, Window - 1);
        _slots[Window - 1] = null;
        _next++;
        return true;
    }

    private sealed class PartialMessage
    {
        // Received byte ranges [start, end), sorted and merged.
        private readonly List<(int Start, int End)> _ranges = [];

        public PartialMessage(HandshakeType type, int length, ushort epoch)
        {
            Type = type;
            Epoch = epoch;
            Body = new byte[length];
        }

        public HandshakeType Type { get; }

        public ushort Epoch { get; }

        public byte[] Body { get; }

        public bool IsComplete => Body.Length == 0 || (_ranges.Count == 1 && _ranges[0].Start == 0 && _ranges[0].End == Body.Length);

        public void Add(int offset, ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
            {
                return;
            }

            // A fragment list bounded by the message size: a hostile peer sending 1-byte
            // non-adjacent fragments still cannot grow this past Body.Length / 2 entries.
            data.CopyTo(Body.AsSpan(offset));
            int start = offset;
            int end = offset + data.Length;
            int i = 0;
            while (i < _ranges.Count && _ranges[i].End < start)
            {
                i++;
            }

            while (i < _ranges.Count && _ranges[i].Start <= end)
            {
                start = Math.Min(start, _ranges[i].Start);
                end = Math.Max(end, _ranges[i].End);
                _ranges.RemoveAt(i);
            }

            _ranges.Insert(i, (start, end));
        }
    }
}
