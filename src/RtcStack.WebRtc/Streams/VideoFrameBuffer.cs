using RtcStack.Video;

namespace RtcStack.WebRtc.Streams;

/// <summary>
/// The receive-side video frame buffer: reorders packets, waits for missing ones to be retransmitted (NACK,
/// RFC 4585 §6.2.1; RTX, RFC 4588) up to a deadline, releases complete frames in decode order, and asks for a key frame
/// (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1, through <see cref="RtpReceiveStream.RequestKeyframe"/>) when it
/// cannot recover.
/// </summary>
/// <remarks>
/// <para>
/// Built on <see cref="VideoFrameAssembler"/> in its hold mode: a frame that completes while packets before it are
/// missing waits; when they arrive it goes out after the frame they complete. If the deadline passes first
/// (the longer of <see cref="VideoFrameBufferOptions.MinWait"/> and <see cref="VideoFrameBufferOptions.RoundTripTimeMultiplier"/>
/// RTTs, from when the wait began or the last progress), the buffer gives up the missing frame and releases the
/// waiting ones.
/// </para>
/// <para>
/// After any loss (a frame given up or dropped, or a frame that does not follow the previous one without a gap) the
/// next frames are not released as decodable until a key frame comes: without dependency information (which these
/// payload formats do not all carry) a delta frame may refer to the lost one; libwebrtc's generic frame buffer does the
/// same. The stream starts the same way: nothing before the first key frame. Each time an undecodable frame is
/// discarded, or a loss is given up, a key frame request is raised (<see cref="TryTakeKeyframeRequest"/>); the receive
/// stream rate-limits what goes on the wire.
/// </para>
/// <para>
/// Sans-IO: time is an input; <see cref="PollTimeout"/> gives the deadline. After each <c>Insert</c> or
/// <see cref="HandleTimeout"/>, drain <see cref="TryPollFrame"/>: the frames' bytes stay valid until the next call that
/// takes a packet or a timeout. Steady state allocates nothing.
/// </para>
/// </remarks>
public sealed class VideoFrameBuffer
{
    private readonly VideoFrameAssembler _assembler;
    private readonly VideoFrameBufferOptions _options;
    private readonly VideoFrame[] _frames;
    private int _frameHead;
    private int _frameCount;
    private bool _needKeyframe = true;
    private bool _keyframeRequest;
    private TimeSpan? _deadline;
    private VideoAssemblerEvent _lookup;

    /// <summary>Initializes a buffer over <paramref name="depacketizer"/> (VP8, VP9, H.264, H.265 or AV1).</summary>
    public VideoFrameBuffer(IVideoDepacketizer depacketizer, VideoFrameBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(depacketizer);
        _options = options ?? new VideoFrameBufferOptions();
        _assembler = new VideoFrameAssembler(depacketizer, _options.WindowSize, _options.MaxPayloadSize, _options.MaxFrameSize, holdLaterFrames: true);
        _frames = new VideoFrame[_options.WindowSize];
    }

    /// <summary>Gets or sets the RTT that scales the retransmission deadline.</summary>
    public TimeSpan? RoundTripTime { get; set; }

    /// <summary>Gets whether later frames are held while an earlier one waits for a retransmission.</summary>
    public bool IsWaiting => _assembler.IsWaiting;

    /// <summary>Gets whether frames are being discarded until a key frame arrives.</summary>
    public bool WaitingForKeyframe => _needKeyframe;

    /// <summary>Gets how many frames were released as decodable.</summary>
    public long FramesReleased { get; private set; }

    /// <summary>Gets how many key frames were released.</summary>
    public long KeyFramesReleased { get; private set; }

    /// <summary>Gets how many frames were dropped: incomplete or malformed, or complete but not decodable after a loss.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Gets how many times the deadline passed and a missing frame was given up.</summary>
    public long GiveUps { get; private set; }

    /// <summary>Gets how many times a key frame request was raised.</summary>
    public long KeyframeRequests { get; private set; }

    /// <summary>Gets how many released frames were overwritten before they were polled (the caller did not drain).</summary>
    public long FramesNotPolled { get; private set; }

    /// <summary>Gets how long the buffer waits for a retransmission.</summary>
    public TimeSpan Wait
    {
        get
        {
            TimeSpan scaled = RoundTripTime is TimeSpan rtt ? TimeSpan.FromTicks((long)(rtt.Ticks * _options.RoundTripTimeMultiplier)) : TimeSpan.Zero;
            return scaled > _options.MinWait ? scaled : _options.MinWait;
        }
    }

    /// <summary>Takes one media packet's payload (after RTX repair and padding removal), received at <paramref name="now"/>.</summary>
    public VideoInsertStatus Insert(ushort sequenceNumber, uint timestamp, bool marker, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        BeginCall();
        VideoInsertStatus status = _assembler.Insert(sequenceNumber, timestamp, marker, payload);
        Process(now);
        return status;
    }

    /// <summary>Takes a padding-only packet's sequence number (it fills its place: no gap, no wait).</summary>
    public VideoInsertStatus InsertPadding(ushort sequenceNumber, TimeSpan now)
    {
        BeginCall();
        VideoInsertStatus status = _assembler.InsertPadding(sequenceNumber);
        Process(now);
        return status;
    }

    /// <summary>Gives up the missing frame once the deadline has passed, releasing what waited behind it.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        if (_deadline is not TimeSpan deadline || now < deadline)
        {
            return;
        }

        BeginCall();
        _deadline = null;
        if (_assembler.GiveUpWaiting())
        {
            GiveUps++;
            RaiseKeyframeRequest();
            _needKeyframe = true;
        }

        Process(now);
    }

    /// <summary>The deadline of the frame waiting for a retransmission, or null.</summary>
    public StreamTimeout? PollTimeout() => _deadline is TimeSpan at ? new StreamTimeout(at, StreamTimeoutReason.FrameDeadline) : null;

    /// <summary>Gets the next decodable frame, in decode order.</summary>
    public bool TryPollFrame(out VideoFrame frame)
    {
        if (_frameCount == 0)
        {
            frame = default;
            return false;
        }

        frame = _frames[_frameHead];
        _frameHead = (_frameHead + 1) % _frames.Length;
        _frameCount--;
        return true;
    }

    /// <summary>Gets the bytes of a frame from the latest call (in the decoder's form: Annex B, OBUs, or the bare VP8/VP9 frame).</summary>
    public ReadOnlySpan<byte> GetFrameData(in VideoFrame frame)
    {
        _lookup = new VideoAssemblerEvent(VideoAssemblerEventKind.FrameCompleted, frame.FirstSequenceNumber, frame.LastSequenceNumber, frame.Timestamp, frame.Offset, frame.Length, frame.KeyFrame, frame.PacketCount, VideoFrameDropReason.None);
        return _assembler.GetFrame(in _lookup);
    }

    /// <summary>Takes the key frame request raised since the last call (once per raise).</summary>
    public bool TryTakeKeyframeRequest()
    {
        bool raised = _keyframeRequest;
        _keyframeRequest = false;
        return raised;
    }

    /// <summary>Forgets every packet and frame (a new SSRC); the next frame released is a key frame.</summary>
    public void Reset()
    {
        _assembler.Reset();
        _frameCount = 0;
        _needKeyframe = true;
        _deadline = null;
    }

    private void BeginCall()
    {
        // The previous call's frame bytes are about to be overwritten.
        FramesNotPolled += _frameCount;
        _frameCount = 0;
    }

    private void Process(TimeSpan now)
    {
        bool progress = false;
        while (_assembler.TryPollEvent(out VideoAssemblerEvent e))
        {
            switch (e.Kind)
            {
                case VideoAssemblerEventKind.FrameCompleted:
                    progress = true;
                    if (!e.KeyFrame && (_needKeyframe || !e.Continuous))
                    {
                        // It may refer to what was lost: not decodable until a key frame.
                        FramesDropped++;
                        _needKeyframe = true;
                        RaiseKeyframeRequest();
                        break;
                    }

                    if (e.KeyFrame)
                    {
                        _needKeyframe = false;
                        KeyFramesReleased++;
                    }

                    FramesReleased++;
                    Enqueue(new VideoFrame(e.Timestamp, e.FirstSequenceNumber, e.LastSequenceNumber, e.KeyFrame, e.PacketCount, e.Offset, e.Length));
                    break;
                case VideoAssemblerEventKind.FrameDropped:
                    progress = true;
                    FramesDropped++;
                    _needKeyframe = true;
                    RaiseKeyframeRequest();
                    break;
                default:
                    break;
            }
        }

        if (!_assembler.IsWaiting)
        {
            _deadline = null;
        }
        else if (_deadline is null || progress)
        {
            _deadline = now + Wait;
        }
    }

    private void RaiseKeyframeRequest()
    {
        if (!_keyframeRequest)
        {
            _keyframeRequest = true;
            KeyframeRequests++;
        }
    }

    private void Enqueue(in VideoFrame frame)
    {
        if (_frameCount == _frames.Length)
        {
            _frameHead = (_frameHead + 1) % _frames.Length;
            _frameCount--;
            FramesNotPolled++;
        }

        _frames[(_frameHead + _frameCount) % _frames.Length] = frame;
        _frameCount++;
    }
}
