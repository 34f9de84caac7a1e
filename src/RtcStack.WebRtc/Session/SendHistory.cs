namespace RtcStack.WebRtc;

/// <summary>
/// The sender's history of protected RTP packets, indexed by sequence number, for retransmission on
/// a generic NACK (RFC 4585 §6.2.1). Without RTX (RFC 4588, not negotiated for audio by browsers) a
/// retransmission is the very same SRTP packet: re-protecting a changed header under the same SRTP
/// index would reuse an AEAD nonce (RFC 7714 §8.4), so the protected bytes are kept, not the plain packet.
/// </summary>
/// <remarks>
/// The bytes live in one ring allocated up front (<see cref="BytesPerSlot"/> per slot on average), written
/// in order: storing allocates nothing, and a session holds two objects here instead of one per slot (with
/// thousands of sessions that is less for the GC to mark). A slot's packet is kept until the ring has
/// wrapped over its bytes or its slot was reused, whichever comes first: with audio-sized packets all
/// slots stay available; larger packets shorten how far back the history reaches.
/// </remarks>
internal sealed class SendHistory
{
    /// <summary>
    /// The average ring space per slot: a 124-byte SRTP packet (80-byte Opus payload, 32 kbit/s) fits, so the
    /// default 256 slots (5 s of 20 ms packets) take 40 KB; packets above 160 bytes keep fewer of them.
    /// </summary>
    public const int BytesPerSlot = 160;

    private readonly byte[] _ring;
    private readonly long[] _starts;
    private readonly int[] _lengths;
    private readonly int[] _sequenceNumbers;
    private readonly TimeSpan[] _lastResent;
    private readonly int _mask;
    private long _head;

    public SendHistory(int size)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentException("the history size must be a power of two", nameof(size));
        }

        // At least one full-size datagram fits whatever the slot count.
        _ring = new byte[Math.Max(size * BytesPerSlot, PeerSession.MaxDatagramSize)];
        _starts = new long[size];
        _lengths = new int[size];
        _sequenceNumbers = new int[size];
        _lastResent = new TimeSpan[size];
        _mask = size - 1;
        Array.Fill(_sequenceNumbers, -1);
    }

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet)
    {
        int i = sequenceNumber & _mask;
        if (packet.Length > _ring.Length)
        {
            _sequenceNumbers[i] = -1;
            return;
        }

        // Absolute positions only grow; a packet that would straddle the ring's end starts at its beginning.
        int offset = (int)(_head % _ring.Length);
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
        _lastResent[i] = TimeSpan.MinValue;
    }

    /// <summary>Gets the stored packet unless it was resent less than <paramref name="minInterval"/> ago.</summary>
    public bool TryTakeForResend(ushort sequenceNumber, TimeSpan now, TimeSpan minInterval, out ReadOnlySpan<byte> packet)
    {
        int i = sequenceNumber & _mask;
        packet = default;
        if (_sequenceNumbers[i] != sequenceNumber || _starts[i] + _ring.Length < _head)
        {
            // Never stored, or its slot was reused, or later packets have overwritten its bytes.
            return false;
        }

        if (_lastResent[i] != TimeSpan.MinValue && now - _lastResent[i] < minInterval)
        {
            return false;
        }

        _lastResent[i] = now;
        packet = _ring.AsSpan((int)(_starts[i] % _ring.Length), _lengths[i]);
        return true;
    }
}
