namespace RtcStack.WebRtc.Streams;

/// <summary>
/// The sender's history of plain RTP packets, indexed by sequence number, for retransmission on a generic NACK
/// (RFC 4585 §6.2.1) or as RTX (RFC 4588 §4). The packets are kept before SRTP, so an RTX wrap gets a fresh
/// sequence number (and SRTP index) of its own (the first release's session kept protected packets and resent them
/// unchanged).
/// </summary>
/// <remarks>
/// One ring of bytes, written in order: storing allocates nothing once the ring has its size. It starts at
/// <see cref="InitialBytesPerSlot"/> per slot (audio packets fit with room to spare) and doubles, up to the byte limit given, whenever it comes round with fewer packets in it than
/// there are slots (larger packets: video). So an audio stream keeps 80 KB, not the 600 KB a video stream may need,
/// and a stream whose peer negotiated neither NACK nor RTX keeps none (<see cref="RtpSendStreamOptions.KeepHistory"/>):
/// with thousands of sessions per host this is most of a session's memory. A slot's packet is available
/// until the ring wrapped over its bytes or its slot was reused, whichever comes first, and for
/// <c>maxAge</c> after it was stored (RFC 4588 §8: rtx-time, how long the sender keeps a packet).
/// </remarks>
internal sealed class PacketHistory
{
    /// <summary>The ring's first size per slot: a 124-byte SRTP audio packet (80-byte Opus payload) fits.</summary>
    public const int InitialBytesPerSlot = 160;

    private readonly int _maxBytes;
    private byte[] _ring;
    private int _lapStores;
    private readonly long[] _starts;
    private readonly int[] _lengths;
    private readonly int[] _sequenceNumbers;
    private readonly TimeSpan[] _stored;
    private readonly TimeSpan[] _lastResent;
    private readonly int _mask;
    private long _head;

    public PacketHistory(int size, int bytes)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentException("the history size must be a power of two", nameof(size));
        }

        _maxBytes = Math.Max(bytes, 1500);
        _ring = new byte[Math.Min(_maxBytes, Math.Max(size * InitialBytesPerSlot, 1500))];
        _starts = new long[size];
        _lengths = new int[size];
        _sequenceNumbers = new int[size];
        _stored = new TimeSpan[size];
        _lastResent = new TimeSpan[size];
        _mask = size - 1;
        Array.Fill(_sequenceNumbers, -1);
    }

    public int Size => _mask + 1;

    /// <summary>Gets the ring's current size in bytes.</summary>
    public int RingBytes => _ring.Length;

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet, TimeSpan now)
    {
        int i = sequenceNumber & _mask;
        if (packet.Length > _ring.Length)
        {
            _sequenceNumbers[i] = -1;
            return;
        }

        int offset = (int)(_head % _ring.Length);
        if (_head > 0 && (offset == 0 || offset + packet.Length > _ring.Length))
        {
            // A lap is over: grow if it held fewer packets than there are slots.
            if (_lapStores < Size && _ring.Length < _maxBytes)
            {
                Grow();
                offset = (int)(_head % _ring.Length);
            }
            else
            {
                _lapStores = 0;
            }
        }

        if (offset + packet.Length > _ring.Length)
        {
            _head += _ring.Length - offset;
            offset = 0;
        }

        packet.CopyTo(_ring.AsSpan(offset));
        _starts[i] = _head;
        _head += packet.Length;
        _lengths[i] = packet.Length;
        _sequenceNumbers[i] = sequenceNumber;
        _stored[i] = now;
        _lastResent[i] = TimeSpan.MinValue;
        _lapStores++;
    }

    /// <summary>Outcome of a lookup.</summary>
    public enum Lookup
    {
        Found,
        Missing,
        TooOld,
        TooSoon,
    }

    /// <summary>Gets the stored packet unless it is gone, older than <paramref name="maxAge"/>, or was resent less than <paramref name="minInterval"/> ago.</summary>
    public Lookup TryTakeForResend(ushort sequenceNumber, TimeSpan now, TimeSpan minInterval, TimeSpan maxAge, out ReadOnlySpan<byte> packet)
    {
        int i = sequenceNumber & _mask;
        packet = default;
        if (_sequenceNumbers[i] != sequenceNumber || _starts[i] + _ring.Length < _head)
        {
            return Lookup.Missing;
        }

        if (now - _stored[i] > maxAge)
        {
            return Lookup.TooOld;
        }

        if (_lastResent[i] != TimeSpan.MinValue && now - _lastResent[i] < minInterval)
        {
            return Lookup.TooSoon;
        }

        _lastResent[i] = now;
        packet = _ring.AsSpan((int)(_starts[i] % _ring.Length), _lengths[i]);
        return Lookup.Found;
    }

    /// <summary>Undoes the resend mark of a packet whose retransmission was refused after all (budget).</summary>
    public void ClearResent(ushort sequenceNumber)
    {
        int i = sequenceNumber & _mask;
        if (_sequenceNumbers[i] == sequenceNumber)
        {
            _lastResent[i] = TimeSpan.MinValue;
        }
    }

    // Doubles the ring (up to the limit), moving the packets still available to its start in the order they were stored.
    // Rare (a few times per stream, while its packet sizes are learnt), so the temporary arrays do not matter.
    private void Grow()
    {
        byte[] old = _ring;
        long[] starts = new long[Size];
        int[] slots = new int[Size];
        int count = 0;
        for (int s = 0; s <= _mask; s++)
        {
            if (_sequenceNumbers[s] >= 0 && _starts[s] + old.Length >= _head)
            {
                starts[count] = _starts[s];
                slots[count++] = s;
            }
            else
            {
                _sequenceNumbers[s] = -1;
            }
        }

        Array.Sort(starts, slots, 0, count);
        _ring = new byte[(int)Math.Min(_maxBytes, 2L * old.Length)];
        int cursor = 0;
        for (int k = 0; k < count; k++)
        {
            int s = slots[k];
            old.AsSpan((int)(_starts[s] % old.Length), _lengths[s]).CopyTo(_ring.AsSpan(cursor));
            _starts[s] = cursor;
            cursor += _lengths[s];
        }

        _head = cursor;
        _lapStores = count;
    }
}
