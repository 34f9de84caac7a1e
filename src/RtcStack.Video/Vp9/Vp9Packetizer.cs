namespace RtcStack.Video;

/// <summary>
/// Cuts VP9 frames (one spatial layer) into RTP payloads with the payload descriptor of RFC 9628 §4.2, in
/// non-flexible mode (TID/U/SID/D with TL0PICIDX) or flexible mode (TID/U/SID/D with P_DIFF reference indices).
/// </summary>
/// <remarks>
/// Every payload carries a 15-bit picture ID (I=1, M=1) and layer indices (L=1, SID=0, D=0). B is set on the first
/// payload of a frame and E on its last, which also gets the RTP marker (§4.1: the last packet of the picture,
/// here a picture has one spatial layer). The first payload of a key frame carries a scalability structure (V=1):
/// one spatial layer, its resolution when <see cref="Width"/> and <see cref="Height"/> are set, and in
/// non-flexible mode a one-picture group (TID 0, each picture referring to the previous one).
/// </remarks>
public sealed class Vp9Packetizer : IVideoPacketizer
{
    private ReadOnlyMemory<byte> _frame;
    private int _offset;
    private bool _pending;
    private int _frameMaxPayloadSize;
    private bool _keyFrame;
    private int _framePictureId;
    private int _frameTemporalId;
    private bool _frameSwitchingUp;
    private int _frameTl0;
    private int _referenceCount;
    private byte _ref1;
    private byte _ref2;
    private byte _ref3;
    private bool _flexibleForFrame;
    private bool _sentTl0Frame;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Vp9;

    /// <inheritdoc/>
    public int MaxPayloadSize { get; set; } = 1200;

    /// <inheritdoc/>
    public bool HasPending => _pending;

    /// <summary>Gets or sets whether payloads use flexible mode (F=1, RFC 9628 §4.2) rather than non-flexible mode.</summary>
    public bool FlexibleMode { get; set; }

    /// <summary>Gets or sets the picture ID of the next pushed frame (15 bits; it then advances by one, wrapping).</summary>
    public int PictureId { get; set; }

    /// <summary>Gets or sets the TL0PICIDX of the last base temporal layer frame (non-flexible mode; advances with each TID 0 frame after the first).</summary>
    public int Tl0PicIndex { get; set; }

    /// <summary>Gets or sets the frame width announced in the scalability structure (0: no resolution, Y=0).</summary>
    public int Width { get; set; }

    /// <summary>Gets or sets the frame height announced in the scalability structure.</summary>
    public int Height { get; set; }

    /// <inheritdoc/>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame) => Push(frame, keyFrame, 0, false, default);

    /// <summary>
    /// Takes one frame with its temporal layer and, in flexible mode, its references (RFC 9628 §4.2).
    /// </summary>
    /// <param name="frame">The compressed frame; referenced, not copied, until its last payload is polled.</param>
    /// <param name="keyFrame">An intra frame: P=0 (and then TID must be 0, §4.2).</param>
    /// <param name="temporalId">TID, 0-7.</param>
    /// <param name="switchingUpPoint">U.</param>
    /// <param name="referenceDiffs">Flexible mode, inter frames: the P_DIFFs (1-3 values of 1-127); empty means the previous picture (P_DIFF 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A layer or reference outside its field, or a key frame with TID other than 0.</exception>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame, int temporalId, bool switchingUpPoint, ReadOnlySpan<byte> referenceDiffs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(temporalId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(temporalId, keyFrame ? 0 : 7);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(referenceDiffs.Length, 3, nameof(referenceDiffs));
        foreach (byte diff in referenceDiffs)
        {
            ArgumentOutOfRangeException.ThrowIfZero(diff, nameof(referenceDiffs));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(diff, (byte)127, nameof(referenceDiffs));
        }

        if (_pending)
        {
            return VideoPacketizeStatus.Busy;
        }

        if (frame.IsEmpty)
        {
            return VideoPacketizeStatus.Empty;
        }

        _keyFrame = keyFrame;
        _flexibleForFrame = FlexibleMode;
        _frameTemporalId = temporalId;
        _frameSwitchingUp = switchingUpPoint;
        _referenceCount = 0;
        if (_flexibleForFrame && !keyFrame)
        {
            _referenceCount = referenceDiffs.IsEmpty ? 1 : referenceDiffs.Length;
            _ref1 = referenceDiffs.IsEmpty ? (byte)1 : referenceDiffs[0];
            _ref2 = referenceDiffs.Length > 1 ? referenceDiffs[1] : (byte)0;
            _ref3 = referenceDiffs.Length > 2 ? referenceDiffs[2] : (byte)0;
        }

        if (MaxPayloadSize <= DescriptorLength(first: true))
        {
            return VideoPacketizeStatus.TooLarge;
        }

        if (temporalId == 0)
        {
            if (_sentTl0Frame)
            {
                Tl0PicIndex = (Tl0PicIndex + 1) & 0xFF;
            }

            _sentTl0Frame = true;
        }

        _frameTl0 = Tl0PicIndex & 0xFF;
        _framePictureId = PictureId & 0x7FFF;
        PictureId = (_framePictureId + 1) & 0x7FFF;
        _frame = frame;
        _offset = 0;
        _frameMaxPayloadSize = MaxPayloadSize;
        _pending = true;
        return VideoPacketizeStatus.Ok;
    }

    /// <inheritdoc/>
    public bool TryPoll(Span<byte> destination, out VideoRtpPayload payload)
    {
        payload = default;
        if (!_pending || destination.Length < _frameMaxPayloadSize)
        {
            return false;
        }

        bool first = _offset == 0;
        int descriptorLength = DescriptorLength(first);
        int n = Math.Min(_frame.Length - _offset, _frameMaxPayloadSize - descriptorLength);
        bool last = _offset + n == _frame.Length;
        WriteDescriptor(destination, first, last);
        _frame.Span.Slice(_offset, n).CopyTo(destination[descriptorLength..]);
        _offset += n;
        payload = new VideoRtpPayload(descriptorLength + n, last, first);
        if (last)
        {
            _pending = false;
            _frame = default;
        }

        return true;
    }

    private bool WritesStructure(bool first) => first && _keyFrame;

    private int DescriptorLength(bool first)
    {
        int length = 1 + 2 + 1 + (_flexibleForFrame ? _referenceCount : 1);
        if (WritesStructure(first))
        {
            length += 1 + (Width > 0 && Height > 0 ? 4 : 0) + (_flexibleForFrame ? 0 : 3);
        }

        return length;
    }

    private void WriteDescriptor(Span<byte> destination, bool first, bool last)
    {
        bool structure = WritesStructure(first);
        destination[0] = (byte)(0x80 | (_keyFrame ? 0 : 0x40) | 0x20 | (_flexibleForFrame ? 0x10 : 0)
            | (first ? 0x08 : 0) | (last ? 0x04 : 0) | (structure ? 0x02 : 0));
        destination[1] = (byte)(0x80 | (_framePictureId >> 8));
        destination[2] = (byte)_framePictureId;
        destination[3] = (byte)((_frameTemporalId << 5) | (_frameSwitchingUp ? 0x10 : 0));
        int position = 4;
        if (_flexibleForFrame)
        {
            for (int i = 0; i < _referenceCount; i++)
            {
                byte diff = i switch { 0 => _ref1, 1 => _ref2, _ => _ref3 };
                destination[position++] = (byte)((diff << 1) | (i + 1 < _referenceCount ? 1 : 0));
            }
        }
        else
        {
            destination[position++] = (byte)_frameTl0;
        }

        if (structure)
        {
            bool resolution = Width > 0 && Height > 0;
            destination[position++] = (byte)((resolution ? 0x10 : 0) | (_flexibleForFrame ? 0 : 0x08));
            if (resolution)
            {
                destination[position++] = (byte)(Width >> 8);
                destination[position++] = (byte)Width;
                destination[position++] = (byte)(Height >> 8);
                destination[position++] = (byte)Height;
            }

            if (!_flexibleForFrame)
            {
                destination[position++] = 1; // N_G
                destination[position++] = 0x04; // TID 0, U 0, R 1
                destination[position] = 1; // P_DIFF 1
            }
        }
    }
}
