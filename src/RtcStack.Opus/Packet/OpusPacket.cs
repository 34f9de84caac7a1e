namespace RtcStack.Opus;

/// <summary>
/// A read-only view of one Opus packet (RFC 6716 §3): the TOC byte, the frames and the Opus padding.
/// Parsing checks every rule of RFC 6716 §3.4 ([R1]–[R7]), never throws and never allocates; the
/// frames are slices of the caller's buffer.
/// </summary>
public readonly ref struct OpusPacket
{
    /// <summary>The most frames one packet can carry: 120 ms of 2.5 ms frames (RFC 6716 §3.2.5).</summary>
    public const int MaxFrames = 48;

    /// <summary>The longest frame, in bytes (RFC 6716 §3.2.1, [R2]).</summary>
    public const int MaxFrameLength = 1275;

    /// <summary>The longest packet duration, in 48 kHz samples: 120 ms (RFC 6716 §3.2.5, [R5]).</summary>
    public const int MaxPacketSamples = 5760;

    private readonly ReadOnlySpan<byte> _data;

    // Frame positions are not stored (that would be 48 offsets and lengths per parse): CBR frames
    // are at fixed steps, and VBR lengths are re-read from the header bytes, which Parse checked.
    private readonly int _lengthsStart;
    private readonly int _frameSize;
    private readonly int _lastLength;

    private OpusPacket(ReadOnlySpan<byte> data, int frameCount, bool isVbr, int paddingLength, int headerLength, int lengthsStart, int frameSize, int lastLength)
    {
        _data = data;
        FrameCount = frameCount;
        IsVbr = isVbr;
        PaddingLength = paddingLength;
        HeaderLength = headerLength;
        _lengthsStart = lengthsStart;
        _frameSize = frameSize;
        _lastLength = lastLength;
    }

    /// <summary>Gets the whole packet.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Gets the TOC byte, RFC 6716 §3.1.</summary>
    public OpusToc Toc => new(_data[0]);

    /// <summary>Gets the number of frames (1–48).</summary>
    public int FrameCount { get; }

    /// <summary>Gets a value indicating whether the packet is a VBR code 3 packet or a code 2 packet (frames may differ in length).</summary>
    public bool IsVbr { get; }

    /// <summary>Gets the number of Opus padding bytes at the end of a code 3 packet, excluding the padding length bytes (RFC 6716 §3.2.5).</summary>
    public int PaddingLength { get; }

    /// <summary>Gets the number of bytes before the first frame: TOC, frame count, padding length and frame length bytes.</summary>
    public int HeaderLength { get; }

    /// <summary>Gets the packet duration in samples at 48 kHz.</summary>
    public int SampleCount => FrameCount * Toc.SamplesPerFrame;

    /// <summary>Gets the packet duration.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SampleCount * TimeSpan.TicksPerMillisecond / 48);

    /// <summary>Returns the packet duration in samples at <paramref name="sampleRate"/>.</summary>
    public int GetSampleCount(int sampleRate) => FrameCount * Toc.GetSamplesPerFrame(sampleRate);

    /// <summary>Returns the compressed data of frame <paramref name="index"/> (may be empty: RFC 6716 §3.2.1, DTX or a lost frame).</summary>
    public ReadOnlySpan<byte> GetFrame(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FrameCount);
        if (!IsVbr)
        {
            return _data.Slice(HeaderLength + (index * _frameSize), _frameSize);
        }

        FrameEnumerator frames = GetFrames();
        for (int i = 0; i <= index; i++)
        {
            frames.MoveNext();
        }

        return frames.Current;
    }

    /// <summary>Returns the length of frame <paramref name="index"/> in bytes.</summary>
    public int GetFrameLength(int index) => GetFrame(index).Length;

    /// <summary>Enumerates the frames in order, each in constant time.</summary>
    public FrameEnumerator GetFrames() => IsVbr
        ? new(_data[_lengthsStart..], _data[HeaderLength..], FrameCount, _lastLength, vbr: true)
        : new(default, _data[HeaderLength..], FrameCount, _frameSize, vbr: false);

    /// <summary>Walks the frames of a parsed packet.</summary>
    /// <remarks>
    /// VBR frame lengths are decoded again from the header bytes while walking: <see cref="Parse"/>
    /// checked them, and decoding one or two bytes costs less than a stored 48-entry table would
    /// cost every parse (it has to be cleared and copied with the packet).
    /// </remarks>
    public ref struct FrameEnumerator
    {
        private readonly bool _vbr;
        private readonly int _fixedLength;
        private ReadOnlySpan<byte> _lengths;
        private ReadOnlySpan<byte> _rest;
        private ReadOnlySpan<byte> _current;
        private int _remaining;

        // lengths: the frame length bytes (VBR); rest: from the first frame on; fixedLength: every
        // frame's length (CBR) or the last frame's (VBR, whose other lengths come from `lengths`).
        internal FrameEnumerator(ReadOnlySpan<byte> lengths, ReadOnlySpan<byte> rest, int count, int fixedLength, bool vbr)
        {
            _lengths = lengths;
            _rest = rest;
            _remaining = count;
            _fixedLength = fixedLength;
            _vbr = vbr;
            _current = default;
        }

        /// <summary>Gets the current frame.</summary>
        public readonly ReadOnlySpan<byte> Current => _current;

        /// <summary>Moves to the next frame.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            int length = _fixedLength;
            if (--_remaining != 0 && _vbr)
            {
                length = _lengths[0];
                if (length < 252)
                {
                    _lengths = _lengths[1..];
                }
                else
                {
                    length += _lengths[1] * 4;
                    _lengths = _lengths[2..];
                }
            }

            _current = _rest[..length];
            _rest = _rest[length..];
            return true;
        }

        /// <summary>Returns this enumerator (for foreach).</summary>
        public readonly FrameEnumerator GetEnumerator() => this;
    }

    /// <summary>Parses <paramref name="data"/> as one Opus packet; false when it breaks a rule of RFC 6716 §3.4.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out OpusPacket packet) => Parse(data, out packet) == OpusPacketStatus.Valid;

    /// <summary>
    /// Parses <paramref name="data"/> as one Opus packet (RFC 6716 §3.2) and reports which rule of
    /// RFC 6716 §3.4 it breaks, if any. <paramref name="packet"/> is usable only when the result is
    /// <see cref="OpusPacketStatus.Valid"/>.
    /// </summary>
    public static OpusPacketStatus Parse(ReadOnlySpan<byte> data, out OpusPacket packet)
    {
        packet = default;
        if (data.IsEmpty)
        {
            return OpusPacketStatus.Empty;
        }

        var toc = new OpusToc(data[0]);
        int length = data.Length;
        int lengthsStart = 0;
        int frameSize = 0;
        int lastLength = 0;
        int frameCount;
        int padding = 0;
        bool vbr = false;
        int pos = 1;

        switch (toc.FrameCountCode)
        {
            case 0:
            {
                // RFC 6716 §3.2.2: one frame of N-1 bytes.
                if (length - 1 > MaxFrameLength)
                {
                    return OpusPacketStatus.FrameTooLong;
                }

                frameCount = 1;
                frameSize = length - 1;
                break;
            }

            case 1:
            {
                // RFC 6716 §3.2.3: two frames of (N-1)/2 bytes each [R3].
                if (((length - 1) & 1) != 0)
                {
                    return OpusPacketStatus.Code1OddLength;
                }

                int size = (length - 1) / 2;
                if (size > MaxFrameLength)
                {
                    return OpusPacketStatus.FrameTooLong;
                }

                frameCount = 2;
                frameSize = size;
                break;
            }

            case 2:
            {
                // RFC 6716 §3.2.4: a length for the first frame, the second takes the rest [R4].
                int consumed = ReadFrameLength(data, pos, length, out int first);
                if (consumed == 0 || first > length - pos - consumed)
                {
                    return OpusPacketStatus.Code2BadLength;
                }

                pos += consumed;
                int second = length - pos - first;
                if (second > MaxFrameLength)
                {
                    return OpusPacketStatus.FrameTooLong;
                }

                vbr = true;
                frameCount = 2;
                lengthsStart = 1;
                lastLength = second;
                break;
            }

            default:
            {
                // RFC 6716 §3.2.5: frame count byte |v|p|M|, optional padding, optional lengths.
                if (length < 2)
                {
                    return OpusPacketStatus.Code3MissingFrameCount;
                }

                byte countByte = data[1];
                frameCount = countByte & 0x3F;
                if (frameCount == 0)
                {
                    return OpusPacketStatus.Code3NoFrames;
                }

                if (frameCount * toc.SamplesPerFrame > MaxPacketSamples)
                {
                    return OpusPacketStatus.Code3TooLong;
                }

                vbr = (countByte & 0x80) != 0;
                pos = 2;
                if ((countByte & 0x40) != 0)
                {
                    // Each 255 adds 254 bytes and another length byte; the last byte adds its value.
                    int b;
                    do
                    {
                        if (pos >= length)
                        {
                            return OpusPacketStatus.Code3BadPadding;
                        }

                        b = data[pos++];
                        padding += b == 255 ? 254 : b;
                        if (padding > length)
                        {
                            return OpusPacketStatus.Code3BadPadding;
                        }
                    }
                    while (b == 255);
                }

                int end = length - padding;
                if (end < pos)
                {
                    return OpusPacketStatus.Code3BadPadding;
                }

                if (!vbr)
                {
                    int total = end - pos;
                    if (total % frameCount != 0)
                    {
                        return OpusPacketStatus.Code3CbrLength;
                    }

                    frameSize = total / frameCount;
                    if (frameSize > MaxFrameLength)
                    {
                        return OpusPacketStatus.FrameTooLong;
                    }
                }
                else
                {
                    // One or two bytes per length (RFC 6716 §3.2.1). The total is checked once at
                    // the end: the sum only grows and the room after the lengths only shrinks, so an
                    // overrun at any step is still one there.
                    int sum = 0;
                    lengthsStart = pos;
                    for (int i = 1; i < frameCount; i++)
                    {
                        if ((uint)pos >= (uint)end)
                        {
                            return OpusPacketStatus.Code3VbrLength;
                        }

                        int size = data[pos++];
                        if (size >= 252)
                        {
                            if ((uint)pos >= (uint)end)
                            {
                                return OpusPacketStatus.Code3VbrLength;
                            }

                            size += data[pos++] * 4;
                        }

                        sum += size;
                    }

                    if (sum > end - pos)
                    {
                        return OpusPacketStatus.Code3VbrLength;
                    }

                    lastLength = end - pos - sum;
                    if (lastLength > MaxFrameLength)
                    {
                        return OpusPacketStatus.FrameTooLong;
                    }
                }

                break;
            }
        }

        packet = new OpusPacket(data, frameCount, vbr, padding, pos, lengthsStart, frameSize, lastLength);
        return OpusPacketStatus.Valid;
    }

    /// <summary>
    /// Returns the frame count signalled by the first bytes of a packet without checking the rest
    /// (like libopus's <c>opus_packet_get_nb_frames</c>): 1 for code 0, 2 for codes 1 and 2, M for
    /// code 3 (which may be an invalid 0), or -1 when the packet is too short to tell.
    /// </summary>
    public static int GetFrameCount(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return -1;
        }

        return (data[0] & 0x03) switch
        {
            0 => 1,
            3 => data.Length < 2 ? -1 : data[1] & 0x3F,
            _ => 2,
        };
    }

    /// <summary>
    /// Returns the packet duration in 48 kHz samples from its first bytes only, or -1 when the
    /// header is truncated, signals zero frames or exceeds 120 ms (RFC 6716 §3.2.5, [R5]).
    /// </summary>
    public static int GetSampleCount(ReadOnlySpan<byte> data)
    {
        int count = GetFrameCount(data);
        if (count <= 0)
        {
            return -1;
        }

        int samples = count * new OpusToc(data[0]).SamplesPerFrame;
        return samples > MaxPacketSamples ? -1 : samples;
    }

    /// <summary>
    /// Reads a one- or two-byte frame length (RFC 6716 §3.2.1) at <paramref name="pos"/>, not reading
    /// at or past <paramref name="end"/>. Returns the number of bytes it used, or 0 if they are not there.
    /// </summary>
    internal static int ReadFrameLength(ReadOnlySpan<byte> data, int pos, int end, out int length)
    {
        length = 0;
        if (pos >= end)
        {
            return 0;
        }

        int b0 = data[pos];
        if (b0 < 252)
        {
            length = b0;
            return 1;
        }

        if (pos + 1 >= end)
        {
            return 0;
        }

        length = (data[pos + 1] * 4) + b0;
        return 2;
    }

    /// <summary>Gets the number of bytes a frame length takes (RFC 6716 §3.2.1).</summary>
    internal static int FrameLengthSize(int length) => length < 252 ? 1 : 2;

    /// <summary>Writes a frame length (RFC 6716 §3.2.1) and returns the bytes used.</summary>
    internal static int WriteFrameLength(Span<byte> destination, int length)
    {
        if (length < 252)
        {
            destination[0] = (byte)length;
            return 1;
        }

        int first = 252 + (length & 0x03);
        destination[0] = (byte)first;
        destination[1] = (byte)((length - first) >> 2);
        return 2;
    }
}
