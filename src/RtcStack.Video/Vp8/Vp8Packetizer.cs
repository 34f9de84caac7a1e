namespace RtcStack.Video;

/// <summary>
/// Cuts VP8 frames into RTP payloads (RFC 7741 §4): each payload is a payload descriptor (§4.2) followed by a piece of
/// the frame. The frame is cut into equal pieces (lengths differ by at most one byte) without regard to partition
/// boundaries, as §4.4 allows: PID is 0 throughout and S is set on the first payload only, which starts partition 0.
/// Every payload carries the frame's 15-bit PictureID (M = 1), which advances by one per frame and wraps at 2^15;
/// TL0PICIDX, TID/Y and KEYIDX are written when the caller supplies them (<see cref="Vp8LayerInfo"/>). The RTP marker
/// goes on the last payload of a frame (§4.1).
/// </summary>
public sealed class Vp8Packetizer : IVideoPacketizer
{
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private int _packetIndex;
    private int _packetCount;
    private int _baseSize;
    private int _largerCount;
    private Vp8PayloadDescriptor _descriptor;
    private int _maxPayloadSize = 1200;
    private int _nextPictureId;

    /// <summary>Initializes a new instance of the <see cref="Vp8Packetizer"/> class.</summary>
    /// <param name="initialPictureId">The PictureID of the first frame, 0-32767 (RFC 7741 §4.2: a random start is recommended).</param>
    public Vp8Packetizer(int initialPictureId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialPictureId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialPictureId, 0x7FFF);
        _nextPictureId = initialPictureId;
    }

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Vp8;

    /// <inheritdoc/>
    public int MaxPayloadSize
    {
        get => _maxPayloadSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            _maxPayloadSize = value;
        }
    }

    /// <summary>Gets or sets whether payload descriptors carry the PictureID (I = 1, 15 bits); true by default, as browsers send it.</summary>
    public bool IncludePictureId { get; set; } = true;

    /// <summary>Gets the PictureID the next pushed frame gets (RFC 7741 §4.2).</summary>
    public int NextPictureId => _nextPictureId;

    /// <inheritdoc/>
    public bool HasPending => _packetIndex < _packetCount;

    /// <inheritdoc/>
    /// <remarks>VP8 frames say themselves whether they are key frames (RFC 6386 §9.1); <paramref name="keyFrame"/> is not needed.</remarks>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame) => Push(frame, default(Vp8LayerInfo));

    /// <summary>Takes one compressed VP8 frame with its layer information (RFC 7741 §4.2).</summary>
    /// <returns><see cref="VideoPacketizeStatus.Ok"/>, or why the frame was refused (nothing is queued then).</returns>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, in Vp8LayerInfo layer)
    {
        if (HasPending)
        {
            return VideoPacketizeStatus.Busy;
        }

        if (frame.IsEmpty)
        {
            return VideoPacketizeStatus.Empty;
        }

        if (layer.TemporalLayer is < 0 or > 3 || layer.Tl0PicIndex is < 0 or > 255 || layer.KeyIndex is < 0 or > 31)
        {
            return VideoPacketizeStatus.Malformed;
        }

        // TL0PICIDX only makes sense with a temporal layer index; it is left out without one.
        var descriptor = new Vp8PayloadDescriptor(
            layer.NonReference,
            Start: true,
            PartitionIndex: 0,
            PictureId: IncludePictureId ? _nextPictureId : -1,
            LongPictureId: true,
            Tl0PicIndex: layer.TemporalLayer is not null ? layer.Tl0PicIndex ?? -1 : -1,
            TemporalLayer: layer.TemporalLayer ?? -1,
            LayerSync: layer.LayerSync,
            KeyIndex: layer.KeyIndex ?? -1);
        int capacity = _maxPayloadSize - descriptor.Length;
        if (capacity < 1)
        {
            return VideoPacketizeStatus.TooLarge;
        }

        int count = (frame.Length + capacity - 1) / capacity;
        _frame = frame;
        _descriptor = descriptor;
        _offset = 0;
        _packetIndex = 0;
        _packetCount = count;
        _baseSize = frame.Length / count;
        _largerCount = frame.Length % count;
        if (IncludePictureId)
        {
            _nextPictureId = (_nextPictureId + 1) & 0x7FFF;
        }

        return VideoPacketizeStatus.Ok;
    }

    /// <inheritdoc/>
    public bool TryPoll(Span<byte> destination, out VideoRtpPayload payload)
    {
        payload = default;
        if (!HasPending || destination.Length < _maxPayloadSize)
        {
            return false;
        }

        bool first = _packetIndex == 0;
        Vp8PayloadDescriptor descriptor = first ? _descriptor : _descriptor with { Start = false };
        int header = descriptor.Write(destination);
        int size = _baseSize + (_packetIndex < _largerCount ? 1 : 0);
        _frame.Span.Slice(_offset, size).CopyTo(destination[header..]);
        _offset += size;
        _packetIndex++;
        bool last = _packetIndex == _packetCount;
        if (last)
        {
            _frame = default;
        }

        payload = new VideoRtpPayload(header + size, last, first);
        return true;
    }
}
