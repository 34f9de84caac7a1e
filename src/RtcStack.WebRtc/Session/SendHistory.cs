namespace RtcStack.WebRtc;

/// <summary>
/// The sender's history of protected RTP packets, indexed by sequence number, for retransmission on
/// a generic NACK (RFC 4585 §6.2.1). Without RTX (RFC 4588, not negotiated for audio by browsers) a
/// retransmission is the very same SRTP packet: re-protecting a changed header under the same SRTP
/// index would reuse an AEAD nonce (RFC 7714 §8.4), so the protected bytes are kept, not the plain packet.
/// </summary>
internal sealed class SendHistory
{
    private readonly byte[]?[] _packets;
    private readonly int[] _lengths;
    private readonly int[] _sequenceNumbers;
    private readonly TimeSpan[] _lastResent;
    private readonly int _mask;

    public SendHistory(int size)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentException("the history size must be a power of two", nameof(size));
        }

        _packets = new byte[]?[size];
        _lengths = new int[size];
        _sequenceNumbers = new int[size];
        _lastResent = new TimeSpan[size];
        _mask = size - 1;
        Array.Fill(_sequenceNumbers, -1);
    }

    public void Store(ushort sequenceNumber, ReadOnlySpan<byte> packet)
    {
        int i = sequenceNumber & _mask;
        byte[]? slot = _packets[i];
        if (slot is null || slot.Length < packet.Length)
        {
            // Round up so a slot is reallocated rarely as payload sizes vary.
            slot = new byte[(packet.Length + 255) & ~255];
            _packets[i] = slot;
        }

        packet.CopyTo(slot);
        _lengths[i] = packet.Length;
        _sequenceNumbers[i] = sequenceNumber;
        _lastResent[i] = TimeSpan.MinValue;
    }

    /// <summary>Gets the stored packet unless it was resent less than <paramref name="minInterval"/> ago.</summary>
    public bool TryTakeForResend(ushort sequenceNumber, TimeSpan now, TimeSpan minInterval, out ReadOnlySpan<byte> packet)
    {
        int i = sequenceNumber & _mask;
        packet = default;
        if (_sequenceNumbers[i] != sequenceNumber || _packets[i] is not byte[] slot)
        {
            return false;
        }

        if (_lastResent[i] != TimeSpan.MinValue && now - _lastResent[i] < minInterval)
        {
            return false;
        }

        _lastResent[i] = now;
        packet = slot.AsSpan(0, _lengths[i]);
        return true;
    }
}
