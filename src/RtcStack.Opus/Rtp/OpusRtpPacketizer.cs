namespace RtcStack.Opus;

/// <summary>
/// Turns encoder output into RTP payloads (RFC 7587 §4): one Opus packet per payload, timestamps
/// at 48 kHz from the packets' durations, packets merged up to the negotiated ptime when the
/// encoder's frames are shorter (with the repacketizer, never beyond 120 ms), and DTX handled as
/// libwebrtc does: the first TOC-only packet of a silence is sent, the rest are not (their time
/// still passes), and the next packet with audio carries the marker bit. Sans-IO: push packets,
/// then drain with <see cref="TryPoll"/> until it returns false.
/// </summary>
public sealed class OpusRtpPacketizer
{
    private readonly OpusRepacketizer[] _slots = [new(), new()];
    private readonly int _ptimeSamples;
    private readonly bool _suppressDtx;
    private readonly uint[] _slotTimestamp = new uint[2];
    private readonly bool[] _slotMarker = new bool[2];
    private int _accumulating;
    private bool _readyOther;
    private bool _readyAccumulating;
    private uint _nextTimestamp;
    private bool _inDtx;
    private bool _markNext = true;

    /// <summary>Initializes a new instance of the <see cref="OpusRtpPacketizer"/> class.</summary>
    /// <param name="initialTimestamp">The RTP timestamp of the first sample (RFC 3550 §5.1: random).</param>
    /// <param name="ptime">The packet duration to aim for in ms (SDP ptime, RFC 7587 §6.1); packets at least this long are sent as they are.</param>
    /// <param name="suppressDtx">Whether to hold back all but the first DTX (TOC-only) packet of a silence.</param>
    public OpusRtpPacketizer(uint initialTimestamp, int ptime = 20, bool suppressDtx = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ptime, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ptime, 120);
        _nextTimestamp = initialTimestamp;
        _ptimeSamples = ptime * 48;
        _suppressDtx = suppressDtx;
    }

    /// <summary>Gets the RTP timestamp the next pushed packet will start at.</summary>
    public uint NextTimestamp => _nextTimestamp;

    /// <summary>Gets the number of DTX packets held back so far.</summary>
    public long SuppressedDtxPackets { get; private set; }

    /// <summary>
    /// Adds one packet from the encoder. Invalid packets (RFC 6716 §3.4) are refused and their
    /// time is not counted. Drain <see cref="TryPoll"/> after every call.
    /// </summary>
    public OpusPacketStatus Push(ReadOnlySpan<byte> packet)
    {
        OpusPacketStatus status = OpusPacketInspector.Inspect(packet, out OpusPacketInfo info);
        if (status != OpusPacketStatus.Valid)
        {
            return status;
        }

        if (_readyOther || _readyAccumulating)
        {
            throw new InvalidOperationException("Drain TryPoll before pushing the next packet.");
        }

        uint start = _nextTimestamp;
        _nextTimestamp = unchecked(_nextTimestamp + (uint)info.SampleCount);
        if (info.IsDtx && _suppressDtx)
        {
            if (_inDtx)
            {
                SuppressedDtxPackets++;
                return OpusPacketStatus.Valid;
            }

            _inDtx = true;
        }
        else if (_inDtx && !info.IsDtx)
        {
            _inDtx = false;
            _markNext = true;
        }

        OpusRepacketizer current = _slots[_accumulating];
        bool contiguous = current.FrameCount == 0 || unchecked(_slotTimestamp[_accumulating] + (uint)current.SampleCount) == start;
        if (current.FrameCount > 0 && (!contiguous || current.TryAdd(packet) != OpusRepacketizerStatus.Added))
        {
            // Different configuration, a suppressed gap, or over 120 ms: send what is held, start anew.
            _readyOther = true;
            _accumulating ^= 1;
            current = _slots[_accumulating];
            current.Reset();
        }

        if (current.FrameCount == 0)
        {
            current.TryAdd(packet);
            _slotTimestamp[_accumulating] = start;
            _slotMarker[_accumulating] = _markNext;
            _markNext = false;
        }

        // A DTX packet goes out at once so the receiver learns about the silence.
        _readyAccumulating = current.SampleCount >= _ptimeSamples || (info.IsDtx && _suppressDtx);
        return OpusPacketStatus.Valid;
    }

    /// <summary>Sends whatever is held even if shorter than ptime (e.g. at the end of a stream).</summary>
    public void Flush()
    {
        if (_slots[_accumulating].FrameCount > 0)
        {
            _readyAccumulating = true;
        }
    }

    /// <summary>
    /// Writes the next ready payload into <paramref name="destination"/> (at most 1 + 2 + 48·(2 + 1275)
    /// bytes; 1500 is plenty for real-time audio). False when nothing is ready.
    /// </summary>
    public bool TryPoll(Span<byte> destination, out OpusRtpPayload payload)
    {
        payload = default;
        int slot;
        if (_readyOther)
        {
            slot = _accumulating ^ 1;
        }
        else if (_readyAccumulating)
        {
            slot = _accumulating;
        }
        else
        {
            return false;
        }

        OpusRepacketizer rp = _slots[slot];
        if (!rp.TryWrite(destination, out int written))
        {
            throw new ArgumentException($"The destination needs {rp.GetLength(0, rp.FrameCount)} bytes.", nameof(destination));
        }

        payload = new OpusRtpPayload(written, _slotTimestamp[slot], _slotMarker[slot], rp.SampleCount);
        rp.Reset();
        if (slot == _accumulating)
        {
            _readyAccumulating = false;
        }
        else
        {
            _readyOther = false;
        }

        return true;
    }
}
