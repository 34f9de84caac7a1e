namespace RtcStack.Opus;

/// <summary>
/// The receive side of RFC 7587: checks that each RTP payload is exactly one valid Opus packet
/// (§4.2), drops duplicates (§4.1), and tells the decoder what happened since the previous payload:
/// samples to conceal, whether the gap is DTX (timestamps jump, sequence numbers do not, §3.1.3) or
/// loss, and whether in-band FEC can recover it (§3.3). It holds no payloads; a jitter buffer sits
/// in front of it if reordering must be undone. Never throws on network input.
/// </summary>
public sealed class OpusRtpDepacketizer
{
    private const int DuplicateWindow = 64;
    private bool _started;
    private long _highestSequence;
    private ulong _seenMask;
    private uint _expectedTimestamp;

    /// <summary>Gets the number of payloads accepted.</summary>
    public long Accepted { get; private set; }

    /// <summary>Gets the number of malformed payloads dropped.</summary>
    public long Malformed { get; private set; }

    /// <summary>Gets the number of duplicates dropped.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Gets the number of reordered (late) payloads.</summary>
    public long Late { get; private set; }

    /// <summary>Processes one payload with the sequence number and timestamp from its RTP header.</summary>
    public OpusRtpReceivedPacket Receive(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp)
    {
        if (OpusPacketInspector.Inspect(payload, out OpusPacketInfo info) != OpusPacketStatus.Valid)
        {
            Malformed++;
            return new OpusRtpReceivedPacket(OpusRtpReceiveStatus.Malformed, timestamp, Unwrap(sequenceNumber), default, 0, 0, false);
        }

        if (!_started)
        {
            _started = true;
            _highestSequence = sequenceNumber;
            _seenMask = 1;
            _expectedTimestamp = unchecked(timestamp + (uint)info.SampleCount);
            Accepted++;
            return new OpusRtpReceivedPacket(OpusRtpReceiveStatus.Accepted, timestamp, sequenceNumber, info, 0, 0, false);
        }

        long extended = Unwrap(sequenceNumber);
        long delta = extended - _highestSequence;
        if (delta <= 0)
        {
            if (-delta < DuplicateWindow && (_seenMask & (1UL << (int)-delta)) != 0)
            {
                Duplicates++;
                return new OpusRtpReceivedPacket(OpusRtpReceiveStatus.Duplicate, timestamp, extended, info, 0, 0, false);
            }

            if (-delta < DuplicateWindow)
            {
                _seenMask |= 1UL << (int)-delta;
            }

            Late++;
            return new OpusRtpReceivedPacket(OpusRtpReceiveStatus.Late, timestamp, extended, info, 0, 0, false);
        }

        _seenMask = delta >= DuplicateWindow ? 1 : (_seenMask << (int)delta) | 1;
        _highestSequence = extended;
        long lost = delta - 1;

        // Signed 32-bit difference: RTP timestamps wrap.
        long missing = unchecked((int)(timestamp - _expectedTimestamp));
        _expectedTimestamp = unchecked(timestamp + (uint)info.SampleCount);
        Accepted++;
        return new OpusRtpReceivedPacket(OpusRtpReceiveStatus.Accepted, timestamp, extended, info, lost, Math.Max(0, missing), missing > 0 && lost == 0);
    }

    private long Unwrap(ushort sequenceNumber)
    {
        if (!_started)
        {
            return sequenceNumber;
        }

        // Pick the value closest to the highest seen (RFC 3550 Appendix A.1 style).
        long candidate = (_highestSequence & ~0xFFFFL) | sequenceNumber;
        if (candidate - _highestSequence > 0x8000)
        {
            candidate -= 0x10000;
        }
        else if (_highestSequence - candidate > 0x8000)
        {
            candidate += 0x10000;
        }

        return candidate;
    }
}
