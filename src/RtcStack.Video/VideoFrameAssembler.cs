namespace RtcStack.Video;

/// <summary>
/// Puts video frames together from RTP packets for any payload format with an <see cref="IVideoDepacketizer"/>.
/// Packets may arrive in any order, twice, and across the 16-bit sequence number wrap; each is copied into a window of
/// preallocated slots (a bounded number of packets, indexed by sequence number). A frame is complete when the packets
/// from one that can start a frame (<see cref="VideoPayloadHeader.FrameStart"/>) through one with the RTP marker bit
/// (RFC 3550 §5.1; RFC 7741 §4.1, RFC 6184 §5.1: set on a frame's last packet) are all there with no gap and one
/// timestamp. Complete frames are written in decode (sequence number) order through
/// <see cref="IVideoDepacketizer.WriteFrameData"/> into an internal reusable buffer or the caller's, and reported with
/// <see cref="TryPollEvent"/>, together with skipped sequence numbers (for NACK), frames given up and malformed
/// payloads.
/// </summary>
/// <remarks>
/// <para>
/// Sans-IO and clock-free: the assembler never waits. When a later frame completes before an earlier one, the earlier
/// one is dropped at once (decode order is kept); a frame whose packets leave the window is dropped too. Waiting for
/// retransmissions up to a deadline, and asking for a key frame, belong to the session that owns the clock.
/// </para>
/// <para>
/// The first packet of a frame is found from the marker packet backwards: the run of packets with its timestamp back to
/// a gap, another timestamp or a marker. Where the packet before the run is missing, the depacketizer's FrameStart
/// decides (exact for VP8's S bit with PID 0; for H.264 it means "can begin an access unit", so a frame whose leading
/// SPS was lost may be output from its PPS or first slice). A frame ends only at a marker: a stream that never sets it
/// yields no frames.
/// </para>
/// <para>After any <c>Insert</c>, drain <see cref="TryPollEvent"/>; a completed frame's bytes stay in
/// <see cref="LastFrame"/> until the next <c>Insert</c>. Steady-state operation allocates nothing; the internal frame
/// buffer grows (by doubling, up to <see cref="MaxFrameSize"/>) only when a frame is larger than any before.</para>
/// </remarks>
public sealed class VideoFrameAssembler
{
    private const byte MarkerFlag = 0x01;
    private const byte StartFlag = 0x02;
    private const byte KeyFlag = 0x04;
    private const byte ContinuousFlag = 0x08;
    private const byte MalformedFlag = 0x10;

    private readonly IVideoDepacketizer _depacketizer;
    private readonly int _capacity;
    private readonly long _mask;
    private readonly int _slotSize;
    private readonly long[] _seq;
    private readonly uint[] _timestamp;
    private readonly byte[] _flags;
    private readonly int[] _length;
    private readonly byte[] _data;
    private readonly VideoAssemblerEvent[] _events;
    private int _eventHead;
    private int _eventCount;
    private byte[] _frame;
    private int _frameLength;
    private bool _started;
    private long _highest;
    private long _doneThrough;
    private long _floor;
    private bool _hasLastDropped;
    private uint _lastDroppedTimestamp;

    /// <summary>Initializes a new instance of the <see cref="VideoFrameAssembler"/> class.</summary>
    /// <param name="depacketizer">Reads the payloads (its state is reset before each frame is written).</param>
    /// <param name="windowSize">Packets kept (at least 16); sequence numbers more than this behind the highest are late.</param>
    /// <param name="maxPayloadSize">The largest payload a slot holds (RTP payload, after SRTP); longer ones are refused.</param>
    /// <param name="maxFrameSize">The largest frame the internal buffer grows to.</param>
    public VideoFrameAssembler(IVideoDepacketizer depacketizer, int windowSize = 512, int maxPayloadSize = 1500, int maxFrameSize = 8 << 20)
    {
        ArgumentNullException.ThrowIfNull(depacketizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowSize, 32768);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        _depacketizer = depacketizer;
        _capacity = windowSize;
        _mask = (windowSize & (windowSize - 1)) == 0 ? windowSize - 1 : -1;
        _slotSize = maxPayloadSize;
        MaxFrameSize = maxFrameSize;
        _seq = new long[windowSize];
        _timestamp = new uint[windowSize];
        _flags = new byte[windowSize];
        _length = new int[windowSize];
        _data = new byte[checked(windowSize * maxPayloadSize)];
        _events = new VideoAssemblerEvent[windowSize + 16];
        _frame = new byte[Math.Min(maxFrameSize, 64 * 1024)];
        Array.Fill(_seq, -1L);
    }

    /// <summary>Gets the codec of the depacketizer.</summary>
    public VideoCodec Codec => _depacketizer.Codec;

    /// <summary>Gets the number of packets the window holds.</summary>
    public int WindowSize => _capacity;

    /// <summary>Gets the largest frame the internal buffer grows to.</summary>
    public int MaxFrameSize { get; }

    /// <summary>Gets the bytes of the frame most recently completed into the internal buffer (valid until the next Insert).</summary>
    public ReadOnlySpan<byte> LastFrame => _frame.AsSpan(0, _frameLength);

    /// <summary>Gets how many frames were completed.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Gets how many frames were dropped.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Gets how many events were overwritten because they were not polled.</summary>
    public long EventsLost { get; private set; }

    /// <summary>Takes one RTP packet's payload; a completed frame is written to the internal buffer (<see cref="LastFrame"/>).</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The RTP marker bit.</param>
    /// <param name="payload">The RTP payload (after padding is removed).</param>
    public VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload) =>
        Insert(sequenceNumber, timestamp, marker, payload, default, internalBuffer: true);

    /// <summary>Takes one RTP packet's payload; a frame it completes is written to <paramref name="frameDestination"/>.</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The RTP marker bit.</param>
    /// <param name="payload">The RTP payload (after padding is removed).</param>
    /// <param name="frameDestination">Where a completed frame goes; a frame that does not fit is dropped (<see cref="VideoFrameDropReason.TooLarge"/>).</param>
    public VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, Span<byte> frameDestination) =>
        Insert(sequenceNumber, timestamp, marker, payload, frameDestination, internalBuffer: false);

    /// <summary>Gets the next event, oldest first.</summary>
    public bool TryPollEvent(out VideoAssemblerEvent assemblerEvent)
    {
        if (_eventCount == 0)
        {
            assemblerEvent = default;
            return false;
        }

        assemblerEvent = _events[_eventHead];
        _eventHead = (_eventHead + 1) % _events.Length;
        _eventCount--;
        return true;
    }

    /// <summary>
    /// Writes the sequence numbers that are missing between the oldest frame not yet output and the highest received,
    /// oldest first (what a NACK, RFC 4585 §6.2.1, would ask for).
    /// </summary>
    /// <returns>The count written (at most <paramref name="destination"/>'s length).</returns>
    public int GetMissing(Span<ushort> destination)
    {
        if (!_started)
        {
            return 0;
        }

        int count = 0;
        for (long u = Math.Max(_doneThrough + 1, _floor); u < _highest && count < destination.Length; u++)
        {
            if (_seq[Index(u)] != u)
            {
                destination[count++] = (ushort)u;
            }
        }

        return count;
    }

    /// <summary>Forgets every packet and event (a new stream or SSRC).</summary>
    public void Reset()
    {
        Array.Fill(_seq, -1L);
        _eventHead = 0;
        _eventCount = 0;
        _frameLength = 0;
        _started = false;
        _hasLastDropped = false;
        _depacketizer.Reset();
    }

    private VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, Span<byte> destination, bool internalBuffer)
    {
        _frameLength = 0;
        long u;
        if (!_started)
        {
            // Start high enough that unwrapping backwards never goes below zero.
            u = (1L << 32) + sequenceNumber;
            _started = true;
            _highest = u;
            _floor = u;
            _doneThrough = u - _capacity;
        }
        else
        {
            u = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
            if (u <= _doneThrough)
            {
                return VideoInsertStatus.Late;
            }

            if (u > _highest)
            {
                Advance(u);
            }
            else if (_seq[Index(u)] == u)
            {
                return VideoInsertStatus.Duplicate;
            }

            if (u < _floor)
            {
                _floor = u;
            }
        }

        int slot = Index(u);
        _seq[slot] = u;
        _timestamp[slot] = timestamp;
        byte flags = marker ? MarkerFlag : (byte)0;
        if (payload.Length > _slotSize || !_depacketizer.TryReadHeader(payload, out VideoPayloadHeader header))
        {
            _flags[slot] = (byte)(flags | MalformedFlag);
            _length[slot] = 0;
            Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.PayloadMalformed, sequenceNumber, sequenceNumber, timestamp, 0, false, 1, VideoFrameDropReason.None));
            return payload.Length > _slotSize ? VideoInsertStatus.TooLarge : VideoInsertStatus.Malformed;
        }

        if (header.FrameStart)
        {
            flags |= StartFlag;
        }

        if (header.KeyFrame)
        {
            flags |= KeyFlag;
        }

        payload.CopyTo(_data.AsSpan(slot * _slotSize, _slotSize));
        _length[slot] = payload.Length;

        // Continuous: every packet from the frame's start through this one is here.
        long previous = u - 1;
        int previousSlot = Index(previous);
        bool continuous;
        if (previous > _doneThrough && _seq[previousSlot] == previous && _timestamp[previousSlot] == timestamp && (_flags[previousSlot] & MarkerFlag) == 0)
        {
            continuous = (_flags[previousSlot] & ContinuousFlag) != 0;
        }
        else
        {
            continuous = header.FrameStart;
        }

        if (continuous)
        {
            flags |= ContinuousFlag;
        }

        _flags[slot] = flags;
        if (!continuous)
        {
            return VideoInsertStatus.Stored;
        }

        // Carry continuity forward through packets that arrived early, up to a marker.
        long q = u;
        while (true)
        {
            int qs = Index(q);
            if ((_flags[qs] & MarkerFlag) != 0)
            {
                Complete(q, destination, internalBuffer);
                break;
            }

            long next = q + 1;
            if (next > _highest)
            {
                break;
            }

            int ns = Index(next);
            if (_seq[ns] != next || _timestamp[ns] != timestamp || (_flags[ns] & (ContinuousFlag | MalformedFlag)) != 0)
            {
                break;
            }

            _flags[ns] |= ContinuousFlag;
            q = next;
        }

        return VideoInsertStatus.Stored;
    }

    private void Advance(long u)
    {
        long gap = u - _highest - 1;
        if (gap > 0)
        {
            long first = Math.Max(_highest + 1, u - _capacity + 1);
            if (first < u)
            {
                Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.PacketsMissing, (ushort)first, (ushort)(u - 1), 0, 0, false, (int)(u - first), VideoFrameDropReason.None));
            }
        }

        long oldHighest = _highest;
        _highest = u;
        long evictThrough = u - _capacity;
        if (_doneThrough < evictThrough)
        {
            Sweep(_doneThrough + 1, Math.Min(evictThrough, oldHighest), hasExclude: false, exclude: 0);
            _doneThrough = evictThrough;
        }
    }

    private void Complete(long last, Span<byte> destination, bool internalBuffer)
    {
        uint timestamp = _timestamp[Index(last)];
        long first = last;
        while (first - 1 > _doneThrough)
        {
            int ps = Index(first - 1);
            if (_seq[ps] != first - 1 || _timestamp[ps] != timestamp || (_flags[ps] & (ContinuousFlag | MarkerFlag)) != ContinuousFlag)
            {
                break;
            }

            first--;
        }

        // Everything before this frame that is still waiting is given up: decode order.
        Sweep(_doneThrough + 1, first - 1, hasExclude: true, exclude: timestamp);
        bool key = false;
        for (long i = first; i <= last; i++)
        {
            key |= (_flags[Index(i)] & KeyFlag) != 0;
        }

        int packets = (int)(last - first + 1);
        VideoFrameDropReason reason = VideoFrameDropReason.None;
        int length = 0;
        if ((_flags[Index(first)] & StartFlag) == 0)
        {
            reason = VideoFrameDropReason.Incomplete;
        }
        else if (internalBuffer)
        {
            while (true)
            {
                length = WriteFrame(first, last, _frame);
                if (length != -2 || _frame.Length >= MaxFrameSize)
                {
                    break;
                }

                _frame = new byte[(int)Math.Min(MaxFrameSize, (long)_frame.Length * 2)];
            }
        }
        else
        {
            length = WriteFrame(first, last, destination);
        }

        if (reason == VideoFrameDropReason.None && length < 0)
        {
            reason = length == -2 ? VideoFrameDropReason.TooLarge : VideoFrameDropReason.Malformed;
        }

        for (long i = first; i <= last; i++)
        {
            _seq[Index(i)] = -1;
        }

        _doneThrough = last;
        if (reason != VideoFrameDropReason.None)
        {
            Drop((ushort)first, (ushort)last, timestamp, packets, reason);
            return;
        }

        if (internalBuffer)
        {
            _frameLength = length;
        }

        FramesCompleted++;
        Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.FrameCompleted, (ushort)first, (ushort)last, timestamp, length, key, packets, VideoFrameDropReason.None));
    }

    private int WriteFrame(long first, long last, Span<byte> destination)
    {
        _depacketizer.Reset();
        int offset = 0;
        for (long i = first; i <= last; i++)
        {
            int slot = Index(i);
            int n = _depacketizer.WriteFrameData(_data.AsSpan(slot * _slotSize, _length[slot]), destination[offset..]);
            if (n < 0)
            {
                _depacketizer.Reset();
                return n;
            }

            offset += n;
        }

        _depacketizer.Reset();
        return offset;
    }

    // Clears the slots of sequence numbers from..through and reports each timestamp found there as a dropped frame.
    private void Sweep(long from, long through, bool hasExclude, uint exclude)
    {
        bool inGroup = false;
        uint groupTimestamp = 0;
        long groupFirst = 0;
        long groupLast = 0;
        int groupCount = 0;
        bool groupMalformed = false;
        for (long i = from; i <= through; i++)
        {
            int slot = Index(i);
            if (_seq[slot] != i)
            {
                continue;
            }

            _seq[slot] = -1;
            uint ts = _timestamp[slot];
            if (hasExclude && ts == exclude)
            {
                continue;
            }

            if (inGroup && ts != groupTimestamp)
            {
                DropGroup(groupFirst, groupLast, groupTimestamp, groupCount, groupMalformed);
                inGroup = false;
            }

            if (!inGroup)
            {
                inGroup = true;
                groupTimestamp = ts;
                groupFirst = i;
                groupCount = 0;
                groupMalformed = false;
            }

            groupLast = i;
            groupCount++;
            groupMalformed |= (_flags[slot] & MalformedFlag) != 0;
        }

        if (inGroup)
        {
            DropGroup(groupFirst, groupLast, groupTimestamp, groupCount, groupMalformed);
        }
    }

    private void DropGroup(long first, long last, uint timestamp, int count, bool malformed)
    {
        // A frame cut in two by the window edge is reported once.
        if (_hasLastDropped && _lastDroppedTimestamp == timestamp)
        {
            return;
        }

        Drop((ushort)first, (ushort)last, timestamp, count, malformed ? VideoFrameDropReason.Malformed : VideoFrameDropReason.Incomplete);
    }

    private void Drop(ushort first, ushort last, uint timestamp, int count, VideoFrameDropReason reason)
    {
        _hasLastDropped = true;
        _lastDroppedTimestamp = timestamp;
        FramesDropped++;
        Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.FrameDropped, first, last, timestamp, 0, false, count, reason));
    }

    private void Enqueue(in VideoAssemblerEvent assemblerEvent)
    {
        if (_eventCount == _events.Length)
        {
            _eventHead = (_eventHead + 1) % _events.Length;
            _eventCount--;
            EventsLost++;
        }

        _events[(_eventHead + _eventCount) % _events.Length] = assemblerEvent;
        _eventCount++;
    }

    private int Index(long u) => _mask >= 0 ? (int)(u & _mask) : (int)(u % _capacity);
}
