namespace RtcStack.Video;

/// <summary>
/// Puts video frames together from RTP packets for any payload format with an <see cref="IVideoDepacketizer"/>.
/// Packets may arrive in any order, twice, and across the 16-bit sequence number wrap; each is copied into a window of
/// preallocated slots (a bounded number of packets, indexed by sequence number). A frame is complete when the packets
/// from its first one (which must be able to start a frame, <see cref="VideoPayloadHeader.FrameStart"/>) through one
/// with the RTP marker bit (RFC 3550 §5.1; RFC 7741 §4.1, RFC 6184 §5.1: set on a frame's last packet) are all there
/// with no gap and one timestamp. Complete frames are written in decode (sequence number) order through
/// <see cref="IVideoDepacketizer.WriteFrameData"/> into an internal reusable buffer or the caller's, and reported with
/// <see cref="TryPollEvent"/>, together with skipped sequence numbers (for NACK), frames given up and malformed
/// payloads.
/// </summary>
/// <remarks>
/// <para>
/// Sans-IO and clock-free: the assembler never waits on time. When a later frame completes before an earlier one, the
/// earlier one is dropped (decode order is kept); a frame whose packets leave the window is dropped too. That defeats
/// NACK, whose retransmission would have completed the earlier frame, so with <c>holdLaterFrames</c> the later frame
/// waits instead (<see cref="IsWaiting"/>) until the earlier packets arrive or the owner, which has the clock and the
/// deadline, calls <see cref="GiveUpWaiting()"/>. Asking for a key frame belongs to the owner too; each completed frame
/// says whether it follows the previous one without a gap (<see cref="VideoAssemblerEvent.Continuous"/>).
/// </para>
/// <para>
/// A frame's first packet is found from its marker packet backwards: the run of packets with its timestamp back to
/// another timestamp, a marker, or a gap. At another timestamp or a marker the start is certain. At a gap, the
/// depacketizer's FrameStart decides; for VP8, VP9 and AV1 it is exact, so the frame is output at once. For H.264 and
/// H.265 it only says a NAL unit can begin an access unit (a slice could still be preceded by a lost SPS and PPS), so
/// such a frame is held until the packet before it arrives (then the start is certain) or the next frame completes or
/// the window moves past it (then it is output as it is, before that frame). A frame ends only at a marker: a stream
/// that never sets it yields no frames.
/// </para>
/// <para>After any <c>Insert</c>, drain <see cref="TryPollEvent"/>: one Insert can complete several frames (a held
/// frame and the next), each written after the previous one in the same buffer; their bytes stay valid until the next
/// <c>Insert</c> (<see cref="GetFrame"/> for the internal buffer). Steady-state operation allocates nothing; the
/// internal frame buffer grows (by doubling, up to <see cref="MaxFrameSize"/>) only when a frame is larger than any
/// before.</para>
/// </remarks>
public sealed class VideoFrameAssembler
{
    private const byte MarkerFlag = 0x01;
    private const byte StartFlag = 0x02;
    private const byte KeyFlag = 0x04;
    private const byte ContinuousFlag = 0x08;
    private const byte MalformedFlag = 0x10;
    private const byte PaddingFlag = 0x20;

    // The slot holds frame data already in decoder form (copied back from a direct frame), not a payload.
    private const byte DirectFlag = 0x40;

    private readonly IVideoDepacketizer _depacketizer;
    private readonly bool _exactStarts;
    private readonly bool _holdLaterFrames;
    private readonly bool _independentPayloads;
    private readonly int _capacity;
    private readonly long _mask;
    private readonly int _slotSize;
    private readonly long[] _seq;
    private readonly uint[] _timestamp;
    private readonly byte[] _flags;
    private readonly int[] _length;
    private readonly int[] _directOffset;
    private readonly byte[] _data;
    private readonly VideoAssemblerEvent[] _events;
    private int _eventHead;
    private int _eventCount;
    private byte[] _frame;
    private int _frameOffset;
    private bool _started;
    private long _highest;
    private long _doneThrough;
    private bool _doneAtMarker;
    private long _floor;
    private bool _held;
    private long _heldFirst;
    private long _heldLast;
    private bool _internalFrames;
    private bool _hasLastDropped;
    private uint _lastDroppedTimestamp;
    private bool _outputAny;
    private long _continuousThrough;
    private bool _hasWaiting;
    private long _oldestWaitingLast;

    // The frame being written straight into _frame as its packets arrive in order (see WriteDirect).
    private bool _direct;
    private long _directFirst;
    private uint _directTimestamp;
    private int _directLength;
    private bool _directKey;

    /// <summary>Initializes a new instance of the <see cref="VideoFrameAssembler"/> class.</summary>
    /// <param name="depacketizer">Reads the payloads (its state is reset before each frame is written).</param>
    /// <param name="windowSize">Packets kept (16-32768; a power of two is fastest); sequence numbers this far behind the highest are late.</param>
    /// <param name="maxPayloadSize">The largest payload a slot holds (RTP payload, after SRTP); longer ones are refused.</param>
    /// <param name="maxFrameSize">The largest frame the internal buffer grows to.</param>
    /// <param name="holdLaterFrames">
    /// When true, a frame that completes while packets before it are still missing is not output and the earlier frame
    /// not dropped: it waits (<see cref="IsWaiting"/>) until the earlier packets arrive (a NACK retransmission,
    /// RFC 4585 §6.2.1) or the owner gives up with <see cref="GiveUpWaiting()"/> when its deadline passes. When false
    /// (the default) the earlier incomplete frame is dropped at once, which is right without retransmission.
    /// </param>
    public VideoFrameAssembler(IVideoDepacketizer depacketizer, int windowSize = 512, int maxPayloadSize = 1500, int maxFrameSize = 8 << 20, bool holdLaterFrames = false)
    {
        ArgumentNullException.ThrowIfNull(depacketizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowSize, 32768);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        _depacketizer = depacketizer;
        _exactStarts = depacketizer.Codec is not (VideoCodec.H264 or VideoCodec.H265);
        _holdLaterFrames = holdLaterFrames;
        _capacity = windowSize;
        _mask = (windowSize & (windowSize - 1)) == 0 ? windowSize - 1 : -1;
        _slotSize = maxPayloadSize;
        MaxFrameSize = maxFrameSize;
        _seq = new long[windowSize];
        _timestamp = new uint[windowSize];
        _flags = new byte[windowSize];
        _length = new int[windowSize];
        _directOffset = new int[windowSize];
        _independentPayloads = depacketizer.PayloadsAreIndependent;
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

    /// <summary>Gets how many frames were completed.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>
    /// Gets how many of the completed frames were written straight from their payloads into the frame buffer as their
    /// packets arrived in order, with no copy into the window (only for depacketizers whose
    /// <see cref="IVideoDepacketizer.PayloadsAreIndependent"/>, VP8).
    /// </summary>
    public long FramesWrittenDirectly { get; private set; }

    /// <summary>Gets how many frames were dropped.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Gets how many events were overwritten because they were not polled.</summary>
    public long EventsLost { get; private set; }

    /// <summary>Gets whether a complete frame with an uncertain start is being held (H.264/H.265, see the remarks).</summary>
    public bool IsHoldingFrame => _held;

    /// <summary>Gets whether later frames are held back (<c>holdLaterFrames</c>) while packets before them are missing.</summary>
    public bool HoldsLaterFrames => _holdLaterFrames;

    /// <summary>
    /// Gets whether a complete frame is waiting for missing packets before it (only with <c>holdLaterFrames</c>):
    /// the owner starts its retransmission deadline and calls <see cref="GiveUpWaiting()"/> when it passes.
    /// </summary>
    public bool IsWaiting => _hasWaiting;

    /// <summary>
    /// Takes a padding-only packet's sequence number (RFC 3550 §5.1 padding, or RFC 4588 padding on the media SSRC):
    /// it carries no frame data but fills its place in the sequence, so it neither counts as missing nor makes the frame
    /// after it wait or look discontinuous.
    /// </summary>
    public VideoInsertStatus InsertPadding(ushort sequenceNumber) => InsertPadding(sequenceNumber, default, internalBuffer: true);

    /// <summary>As <see cref="InsertPadding(ushort)"/>; frames it releases are written to <paramref name="frameDestination"/>.</summary>
    public VideoInsertStatus InsertPadding(ushort sequenceNumber, Span<byte> frameDestination) => InsertPadding(sequenceNumber, frameDestination, internalBuffer: false);

    /// <summary>
    /// Stops waiting for the packets missing before the oldest waiting frame (<see cref="IsWaiting"/>): what was received
    /// of the earlier frames is dropped (<see cref="VideoFrameDropReason.Incomplete"/>), then the waiting frame and every
    /// complete frame that follows it without a gap are output, in decode order, into the internal buffer (the frames of
    /// the previous call are no longer readable). The output frame after the gap has
    /// <see cref="VideoAssemblerEvent.Continuous"/> false: unless it is a key frame it may depend on what was lost.
    /// </summary>
    /// <returns>Whether a frame was waiting.</returns>
    public bool GiveUpWaiting() => GiveUpWaiting(default, internalBuffer: true);

    /// <summary>As <see cref="GiveUpWaiting()"/>, into <paramref name="frameDestination"/>.</summary>
    /// <returns>Whether a frame was waiting.</returns>
    public bool GiveUpWaiting(Span<byte> frameDestination) => GiveUpWaiting(frameDestination, internalBuffer: false);

    /// <summary>Takes one RTP packet's payload; completed frames go to the internal buffer (<see cref="GetFrame"/>).</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The RTP marker bit.</param>
    /// <param name="payload">The RTP payload (after padding is removed).</param>
    public VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload) =>
        Insert(sequenceNumber, timestamp, marker, payload, default, internalBuffer: true);

    /// <summary>Takes one RTP packet's payload; frames it completes are written to <paramref name="frameDestination"/>, one after another.</summary>
    /// <param name="sequenceNumber">The RTP sequence number.</param>
    /// <param name="timestamp">The RTP timestamp.</param>
    /// <param name="marker">The RTP marker bit.</param>
    /// <param name="payload">The RTP payload (after padding is removed).</param>
    /// <param name="frameDestination">Where completed frames go (at <see cref="VideoAssemblerEvent.Offset"/>); a frame that does not fit is dropped (<see cref="VideoFrameDropReason.TooLarge"/>).</param>
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

    /// <summary>Gets the bytes of a frame completed into the internal buffer by the latest Insert or <see cref="FlushHeldFrame()"/>.</summary>
    public ReadOnlySpan<byte> GetFrame(in VideoAssemblerEvent frameCompleted) =>
        _internalFrames && frameCompleted.Kind == VideoAssemblerEventKind.FrameCompleted && frameCompleted.Offset + frameCompleted.Length <= _frameOffset
            ? _frame.AsSpan(frameCompleted.Offset, frameCompleted.Length)
            : default;

    /// <summary>
    /// Outputs the held frame (<see cref="IsHoldingFrame"/>) as it is, into the internal buffer: what the session does
    /// when the packet before it has not come within its deadline.
    /// </summary>
    /// <returns>Whether a frame was held (its event is then queued).</returns>
    public bool FlushHeldFrame() => FlushHeldFrame(default, internalBuffer: true);

    /// <summary>Outputs the held frame as it is, into <paramref name="frameDestination"/>.</summary>
    /// <returns>Whether a frame was held (its event is then queued).</returns>
    public bool FlushHeldFrame(Span<byte> frameDestination) => FlushHeldFrame(frameDestination, internalBuffer: false);

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

    /// <summary>Forgets every packet, held frame and event (a new stream or SSRC).</summary>
    public void Reset()
    {
        Array.Fill(_seq, -1L);
        _eventHead = 0;
        _eventCount = 0;
        _frameOffset = 0;
        _started = false;
        _held = false;
        _hasLastDropped = false;
        _outputAny = false;
        _hasWaiting = false;
        _direct = false;
        _depacketizer.Reset();
    }

    private bool GiveUpWaiting(Span<byte> destination, bool internalBuffer)
    {
        SpillDirect();
        if (!_hasWaiting)
        {
            return false;
        }

        _frameOffset = 0;
        _internalFrames = internalBuffer;
        GiveUpOldest(destination, internalBuffer);
        return true;
    }

    // Outputs the oldest waiting frame (Emit drops what is before it), then whatever follows it complete.
    private void GiveUpOldest(Span<byte> destination, bool internalBuffer)
    {
        long last = _oldestWaitingLast;
        _hasWaiting = false;
        Emit(last - CountBack(last) + 1, last, destination, internalBuffer);
        ReleaseWaiting(destination, internalBuffer);
    }

    private VideoInsertStatus InsertPadding(ushort sequenceNumber, Span<byte> destination, bool internalBuffer)
    {
        SpillDirect();
        _frameOffset = 0;
        _internalFrames = internalBuffer;
        if (!_started)
        {
            // Padding before any media says nothing about frames; the stream starts at the first media packet.
            return VideoInsertStatus.Late;
        }

        long u = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
        if (u <= _doneThrough)
        {
            return VideoInsertStatus.Late;
        }

        if (u > _highest)
        {
            Advance(u, destination, internalBuffer);
        }
        else if (_seq[Index(u)] == u)
        {
            return VideoInsertStatus.Duplicate;
        }

        if (u < _floor)
        {
            _floor = u;
        }

        int slot = Index(u);
        _seq[slot] = u;
        _timestamp[slot] = 0;
        _length[slot] = 0;

        // A marker: the packet after it starts a frame for certain, and no run continues through it.
        _flags[slot] = PaddingFlag | MarkerFlag;
        if (_holdLaterFrames)
        {
            ReleaseWaiting(destination, internalBuffer);
        }
        else
        {
            AbsorbPadding();
        }

        return VideoInsertStatus.Stored;
    }

    // Padding right after the output point is passed over as if output: it keeps the sequence continuous.
    private void AbsorbPadding()
    {
        while (_doneThrough < _highest)
        {
            long p = _doneThrough + 1;
            int slot = Index(p);
            if (_seq[slot] != p || (_flags[slot] & PaddingFlag) == 0)
            {
                return;
            }

            _seq[slot] = -1;
            if (_outputAny && _continuousThrough == _doneThrough)
            {
                _continuousThrough = p;
            }

            _doneThrough = p;
            _doneAtMarker = true;
        }
    }

    // Hold mode: outputs, in order, each complete frame that now directly follows the output point.
    private void ReleaseWaiting(Span<byte> destination, bool internalBuffer)
    {
        while (true)
        {
            AbsorbPadding();
            long p = _doneThrough + 1;
            if (p > _highest || _seq[Index(p)] != p || (_flags[Index(p)] & ContinuousFlag) == 0)
            {
                break;
            }

            long q = p;
            bool complete = true;
            while ((_flags[Index(q)] & MarkerFlag) == 0)
            {
                q++;
                int qs = Index(q);
                if (q > _highest || _seq[qs] != q || (_flags[qs] & (ContinuousFlag | PaddingFlag)) != ContinuousFlag)
                {
                    complete = false;
                    break;
                }
            }

            if (!complete)
            {
                break;
            }

            Emit(p, q, destination, internalBuffer);
        }

        FindOldestWaiting();
    }

    // The oldest complete frame not yet output, if any: a marker packet that continues from a frame start.
    private void FindOldestWaiting()
    {
        _hasWaiting = false;
        for (long u = Math.Max(_doneThrough + 1, _floor); u <= _highest; u++)
        {
            int slot = Index(u);
            if (_seq[slot] == u && (_flags[slot] & (ContinuousFlag | MarkerFlag | PaddingFlag)) == (ContinuousFlag | MarkerFlag))
            {
                _hasWaiting = true;
                _oldestWaitingLast = u;
                return;
            }
        }
    }

    // Hold mode: whether anything before `first` is still missing or belongs to a frame not yet output.
    private bool HasOutstandingBefore(long first)
    {
        for (long s = Math.Max(_doneThrough + 1, _floor); s < first; s++)
        {
            int slot = Index(s);
            if (_seq[slot] != s || (_flags[slot] & PaddingFlag) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool FlushHeldFrame(Span<byte> destination, bool internalBuffer)
    {
        SpillDirect();
        // With nothing held, the frames of the latest Insert stay readable.
        if (!_held)
        {
            return false;
        }

        _frameOffset = 0;
        _internalFrames = internalBuffer;
        _held = false;
        Emit(_heldFirst, _heldLast, destination, internalBuffer);
        return true;
    }

    private VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, Span<byte> destination, bool internalBuffer)
    {
        if (_direct)
        {
            if (internalBuffer && ContinueDirect(sequenceNumber, timestamp, marker, payload))
            {
                return VideoInsertStatus.Stored;
            }

            SpillDirect();
        }

        _frameOffset = 0;
        _internalFrames = internalBuffer;
        bool inOrder = false;
        long u;
        if (!_started)
        {
            // Start high enough that unwrapping backwards never goes below zero.
            u = (1L << 32) + sequenceNumber;
            _started = true;
            _highest = u;
            _floor = u;
            _doneThrough = u - _capacity;
            _doneAtMarker = false;
            inOrder = true;
        }
        else
        {
            u = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
            if (u <= _doneThrough)
            {
                return VideoInsertStatus.Late;
            }

            // The next packet with every earlier one output and nothing held or waiting: a frame it starts can be
            // written straight into the frame buffer.
            inOrder = u == _highest + 1 && _doneThrough == _highest && !_held && !_hasWaiting;
            if (u > _highest)
            {
                Advance(u, destination, internalBuffer);
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
            Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.PayloadMalformed, sequenceNumber, sequenceNumber, timestamp, 0, 0, false, 1, VideoFrameDropReason.None));
            ReviewHeld(u, destination, internalBuffer);
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

        if (inOrder && header.FrameStart && internalBuffer && _independentPayloads && StartDirect(u, slot, flags, timestamp, marker, header.KeyFrame, payload))
        {
            return VideoInsertStatus.Stored;
        }

        payload.CopyTo(_data.AsSpan(slot * _slotSize, _slotSize));
        _length[slot] = payload.Length;

        // Continuous: every packet from a possible frame start through this one is here.
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

        _flags[slot] = continuous ? (byte)(flags | ContinuousFlag) : flags;
        if (continuous)
        {
            // Carry continuity forward through packets that arrived early, up to a marker.
            long q = u;
            while (true)
            {
                if ((_flags[Index(q)] & MarkerFlag) != 0)
                {
                    Resolve(q, destination, internalBuffer);
                    break;
                }

                long next = q + 1;
                int ns = Index(next);
                if (next > _highest || _seq[ns] != next || _timestamp[ns] != timestamp || (_flags[ns] & (MalformedFlag | PaddingFlag)) != 0)
                {
                    break;
                }

                _flags[ns] |= ContinuousFlag;
                q = next;
            }
        }

        ReviewHeld(u, destination, internalBuffer);
        return VideoInsertStatus.Stored;
    }

    // The in-order fast path (payloads that are independent of each other, VP8): a frame whose packets arrive in
    // sequence is written once, straight from each payload into the frame buffer, rather than copied into the window
    // and copied again when its marker arrives. The window keeps each packet's sequence number, timestamp, flags and
    // the place of its data in the frame, so anything out of order first copies the frame so far back into the
    // window slots (SpillDirect, decoder-form data marked DirectFlag) and the general path goes on from there.
    private bool StartDirect(long u, int slot, byte flags, uint timestamp, bool marker, bool key, ReadOnlySpan<byte> payload)
    {
        int n = _frameOffset == 0 ? WriteDirect(payload, 0) : -1;
        if (n < 0)
        {
            // Malformed or larger than the largest frame: the general path stores it and reports it at the marker.
            return false;
        }

        _direct = true;
        _directFirst = u;
        _directTimestamp = timestamp;
        _directLength = n;
        _directKey = key;
        _length[slot] = n;
        _directOffset[slot] = 0;
        _flags[slot] = (byte)(flags | ContinuousFlag | DirectFlag);
        if (marker)
        {
            CompleteDirect(u);
        }

        return true;
    }

    private bool ContinueDirect(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        long u = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
        if (u != _highest + 1 || timestamp != _directTimestamp || u - _capacity >= _directFirst || payload.Length > _slotSize)
        {
            return false;
        }

        int n;
        VideoPayloadHeader header;
        while (true)
        {
            n = _depacketizer.ReadHeaderAndWriteFrameData(payload, _frame.AsSpan(_directLength), out header);
            if (n != -2 || _frame.Length >= MaxFrameSize)
            {
                break;
            }

            Array.Resize(ref _frame, (int)Math.Min(MaxFrameSize, (long)_frame.Length * 2));
        }

        if (n < 0)
        {
            // Malformed, or the frame would pass MaxFrameSize: the general path stores it and reports it.
            return false;
        }

        _frameOffset = 0;
        _internalFrames = true;
        _highest = u;

        // As Advance: the window's back edge moves (only the stream's first frame starts with it behind the frame's
        // own first packet; nothing is stored behind the frame, so there is nothing to sweep).
        if (_doneThrough < u - _capacity)
        {
            _doneThrough = u - _capacity;
            _doneAtMarker = false;
        }

        int slot = Index(u);
        _seq[slot] = u;
        _timestamp[slot] = timestamp;
        _length[slot] = n;
        _directOffset[slot] = _directLength;
        byte flags = ContinuousFlag | DirectFlag;
        if (marker)
        {
            flags |= MarkerFlag;
        }

        if (header.FrameStart)
        {
            flags |= StartFlag;
        }

        if (header.KeyFrame)
        {
            flags |= KeyFlag;
            _directKey = true;
        }

        _flags[slot] = flags;
        _directLength += n;
        if (marker)
        {
            CompleteDirect(u);
        }

        return true;
    }

    // Writes a payload's frame data at `offset` of the frame buffer, growing it up to MaxFrameSize; as WriteFrameData.
    private int WriteDirect(ReadOnlySpan<byte> payload, int offset)
    {
        while (true)
        {
            int n = _depacketizer.WriteFrameData(payload, _frame.AsSpan(offset));
            if (n != -2 || _frame.Length >= MaxFrameSize)
            {
                return n;
            }

            Array.Resize(ref _frame, (int)Math.Min(MaxFrameSize, (long)_frame.Length * 2));
        }
    }

    // The direct frame's marker arrived: it is complete in the frame buffer at offset 0 (as Emit would report it).
    private void CompleteDirect(long last)
    {
        long first = _directFirst;
        for (long i = first; i <= last; i++)
        {
            _seq[Index(i)] = -1;
        }

        _direct = false;
        _doneThrough = last;
        _doneAtMarker = true;
        bool continuous = _outputAny ? first - 1 == _continuousThrough : first <= _floor;
        _outputAny = true;
        _continuousThrough = last;
        _frameOffset = _directLength;
        FramesCompleted++;
        FramesWrittenDirectly++;
        Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.FrameCompleted, (ushort)first, (ushort)last, _directTimestamp, 0, _directLength, _directKey, (int)(last - first + 1), VideoFrameDropReason.None, continuous));
    }

    // Leaves the fast path: the direct frame's data so far goes back into its packets' window slots.
    private void SpillDirect()
    {
        if (!_direct)
        {
            return;
        }

        _direct = false;
        for (long i = _directFirst; i <= _highest; i++)
        {
            int slot = Index(i);
            _frame.AsSpan(_directOffset[slot], _length[slot]).CopyTo(_data.AsSpan(slot * _slotSize, _slotSize));
        }
    }

    private void Advance(long u, Span<byte> destination, bool internalBuffer)
    {
        long gap = u - _highest - 1;
        if (gap > 0)
        {
            long first = Math.Max(_highest + 1, u - _capacity + 1);
            if (first < u)
            {
                Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.PacketsMissing, (ushort)first, (ushort)(u - 1), 0, 0, 0, false, (int)(u - first), VideoFrameDropReason.None));
            }
        }

        long oldHighest = _highest;
        _highest = u;
        long evictThrough = u - _capacity;
        // Hold mode: a waiting frame about to leave the window is output, giving up what is missing before it.
        while (_holdLaterFrames && _hasWaiting && _oldestWaitingLast - CountBack(_oldestWaitingLast) + 1 <= evictThrough)
        {
            GiveUpOldest(destination, internalBuffer);
        }

        if (_doneThrough < evictThrough)
        {
            // A held frame about to leave the window is output as it is.
            if (_held && _heldFirst <= evictThrough)
            {
                _held = false;
                Emit(_heldFirst, _heldLast, destination, internalBuffer);
            }

            if (_doneThrough < evictThrough)
            {
                Sweep(_doneThrough + 1, Math.Min(evictThrough, oldHighest), hasExclude: false, exclude: 0);
                _doneThrough = evictThrough;
                _doneAtMarker = false;
            }

            // What was waiting only on packets that just left the window can go now.
            if (_holdLaterFrames && _hasWaiting)
            {
                ReleaseWaiting(destination, internalBuffer);
            }
        }
    }

    // A continuous run with a marker ends at `last`: find its first packet and decide whether it is a frame.
    private void Resolve(long last, Span<byte> destination, bool internalBuffer)
    {
        long first = last - CountBack(last) + 1;
        uint timestamp = _timestamp[Index(last)];
        if (_holdLaterFrames)
        {
            // Earlier packets may still come (NACK): wait for them rather than drop their frame; the owner gives up.
            if (HasOutstandingBefore(first))
            {
                if (!_hasWaiting || last < _oldestWaitingLast)
                {
                    _hasWaiting = true;
                    _oldestWaitingLast = last;
                }

                return;
            }

            Emit(first, last, destination, internalBuffer);
            ReleaseWaiting(destination, internalBuffer);
            return;
        }

        long previous = first - 1;
        int ps = Index(previous);
        bool certain;
        if (previous <= _doneThrough)
        {
            certain = previous == _doneThrough && _doneAtMarker;
        }
        else if (_seq[ps] != previous)
        {
            certain = false;
        }
        else if (_timestamp[ps] != timestamp || (_flags[ps] & MarkerFlag) != 0)
        {
            certain = true;
        }
        else
        {
            // The packet before has this timestamp but does not continue from a start: packets are missing further back.
            if (_held && _heldLast == last)
            {
                _held = false;
            }

            return;
        }

        if (certain || _exactStarts)
        {
            if (_held && _heldLast == last)
            {
                _held = false;
            }

            Emit(first, last, destination, internalBuffer);
            return;
        }

        // The start is only a hint and the packet before is missing: hold the frame (one at a time, oldest first out).
        if (_held && _heldLast != last)
        {
            if (_heldLast < first)
            {
                _held = false;
                Emit(_heldFirst, _heldLast, destination, internalBuffer);
            }
            else
            {
                // An earlier frame than the one held: it goes first, as it is.
                Emit(first, last, destination, internalBuffer);
                return;
            }
        }

        _held = true;
        _heldFirst = first;
        _heldLast = last;
    }

    // Only a packet before the held frame can settle where it starts.
    private void ReviewHeld(long u, Span<byte> destination, bool internalBuffer)
    {
        if (_held && u < _heldFirst)
        {
            Resolve(_heldLast, destination, internalBuffer);
        }
    }

    // How many packets the continuous run ending at `last` has (its packets continue each other with one timestamp).
    private int CountBack(long last)
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

        return (int)(last - first + 1);
    }

    private void Emit(long first, long last, Span<byte> destination, bool internalBuffer)
    {
        // A frame held back from before this one goes out first; everything else still waiting before it is given up.
        if (_held && _heldLast < first)
        {
            _held = false;
            Emit(_heldFirst, _heldLast, destination, internalBuffer);
        }

        uint timestamp = _timestamp[Index(last)];
        Sweep(_doneThrough + 1, first - 1, hasExclude: true, exclude: timestamp);
        bool key = false;
        for (long i = first; i <= last; i++)
        {
            key |= (_flags[Index(i)] & KeyFlag) != 0;
        }

        int packets = (int)(last - first + 1);
        VideoFrameDropReason reason = VideoFrameDropReason.None;
        int length = 0;
        int offset = _frameOffset;
        if ((_flags[Index(first)] & StartFlag) == 0)
        {
            reason = VideoFrameDropReason.Incomplete;
        }
        else if (internalBuffer)
        {
            while (true)
            {
                length = WriteFrame(first, last, _frame.AsSpan(offset));
                if (length != -2 || _frame.Length >= MaxFrameSize)
                {
                    break;
                }

                Array.Resize(ref _frame, (int)Math.Min(MaxFrameSize, (long)_frame.Length * 2));
            }
        }
        else
        {
            length = WriteFrame(first, last, offset <= destination.Length ? destination[offset..] : default);
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
        _doneAtMarker = true;
        if (reason != VideoFrameDropReason.None)
        {
            Drop((ushort)first, (ushort)last, timestamp, packets, reason);
            return;
        }

        bool continuous = _outputAny ? first - 1 == _continuousThrough : first <= _floor;
        _outputAny = true;
        _continuousThrough = last;
        _frameOffset = offset + length;
        FramesCompleted++;
        Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.FrameCompleted, (ushort)first, (ushort)last, timestamp, offset, length, key, packets, VideoFrameDropReason.None, continuous));
    }

    private int WriteFrame(long first, long last, Span<byte> destination)
    {
        _depacketizer.Reset();
        int offset = 0;
        for (long i = first; i <= last; i++)
        {
            int slot = Index(i);
            ReadOnlySpan<byte> stored = _data.AsSpan(slot * _slotSize, _length[slot]);
            int n;
            if ((_flags[slot] & DirectFlag) != 0)
            {
                n = stored.TryCopyTo(destination[offset..]) ? stored.Length : -2;
            }
            else
            {
                n = _depacketizer.WriteFrameData(stored, destination[offset..]);
            }

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
            if ((_flags[slot] & PaddingFlag) != 0 || (hasExclude && ts == exclude))
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
        Enqueue(new VideoAssemblerEvent(VideoAssemblerEventKind.FrameDropped, first, last, timestamp, 0, 0, false, count, reason));
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
