namespace RtcStack.Opus;

/// <summary>
/// Merges the frames of consecutive Opus packets into one packet and splits packets into smaller
/// ones (RFC 6716 §3.2), without decoding: the same job as libopus's <c>opus_repacketizer</c>. Frames
/// may be combined only when they share configuration and stereo flag, up to 120 ms in total.
/// Frame data is copied into a buffer owned by the instance (61,200 bytes, allocated once), so the
/// caller's packets need not outlive <see cref="TryAdd"/>; no method allocates afterwards.
/// </summary>
public sealed class OpusRepacketizer
{
    private readonly byte[] _buffer = new byte[OpusPacket.MaxFrames * OpusPacket.MaxFrameLength];
    private readonly int[] _offsets = new int[OpusPacket.MaxFrames];
    private readonly short[] _lengths = new short[OpusPacket.MaxFrames];
    private int _count;
    private int _used;
    private OpusToc _toc;

    /// <summary>Gets the number of frames held.</summary>
    public int FrameCount => _count;

    /// <summary>Gets the duration of the frames held, in 48 kHz samples.</summary>
    public int SampleCount => _count * _toc.SamplesPerFrame;

    /// <summary>Gets the TOC shared by the frames held (its frame count code is meaningless); default when empty.</summary>
    public OpusToc Toc => _toc;

    /// <summary>Forgets all frames.</summary>
    public void Reset()
    {
        _count = 0;
        _used = 0;
        _toc = default;
    }

    /// <summary>Returns the data of frame <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetFrame(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        return _buffer.AsSpan(_offsets[index], _lengths[index]);
    }

    /// <summary>
    /// Appends the frames of <paramref name="packet"/>. It must be a valid packet (RFC 6716 §3.4) with
    /// the configuration and stereo flag of the frames already held, and the total must stay within
    /// 120 ms. On failure nothing changes. Untrusted input never throws.
    /// </summary>
    public OpusRepacketizerStatus TryAdd(ReadOnlySpan<byte> packet)
    {
        if (OpusPacket.Parse(packet, out OpusPacket parsed) != OpusPacketStatus.Valid)
        {
            return OpusRepacketizerStatus.InvalidPacket;
        }

        if (_count > 0 && !parsed.Toc.IsCompatibleWith(_toc))
        {
            return OpusRepacketizerStatus.IncompatibleToc;
        }

        if ((_count + parsed.FrameCount) * parsed.Toc.SamplesPerFrame > OpusPacket.MaxPacketSamples)
        {
            return OpusRepacketizerStatus.TooLong;
        }

        _toc = parsed.Toc;
        foreach (ReadOnlySpan<byte> frame in parsed.GetFrames())
        {
            frame.CopyTo(_buffer.AsSpan(_used));
            _offsets[_count] = _used;
            _lengths[_count] = (short)frame.Length;
            _used += frame.Length;
            _count++;
        }

        return OpusRepacketizerStatus.Added;
    }

    /// <summary>Returns the size of the packet <see cref="TryWriteRange(int, int, Span{byte}, out int)"/> would write for frames [begin, end).</summary>
    public int GetLength(int begin, int end)
    {
        CheckRange(begin, end);
        OpusPacketLayout.TryCreate(_lengths.AsSpan(begin, end - begin), 0, out OpusPacketLayout layout);
        return layout.TotalLength;
    }

    /// <summary>Writes all frames held as one packet. False if <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int written) => TryWriteRange(0, _count, destination, out written);

    /// <summary>
    /// Writes frames [<paramref name="begin"/>, <paramref name="end"/>) as one packet, using the
    /// smallest framing (RFC 6716 §3.2). False if <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryWriteRange(int begin, int end, Span<byte> destination, out int written) =>
        TryWriteRange(begin, end, destination, 0, out written);

    /// <summary>
    /// Writes frames [<paramref name="begin"/>, <paramref name="end"/>) as one packet of exactly
    /// <paramref name="paddedLength"/> bytes, using code 3 Opus padding (RFC 6716 §3.2.5) when the
    /// frames need fewer; 0 means no padding. False if the destination or the target is too small.
    /// </summary>
    public bool TryWriteRange(int begin, int end, Span<byte> destination, int paddedLength, out int written)
    {
        CheckRange(begin, end);
        written = 0;
        ReadOnlySpan<short> lengths = _lengths.AsSpan(begin, end - begin);
        if (!OpusPacketLayout.TryCreate(lengths, paddedLength, out OpusPacketLayout layout) || layout.TotalLength > destination.Length)
        {
            return false;
        }

        layout.WriteHeaderAndPadding(destination, _toc, lengths);
        int pos = layout.DataOffset;
        for (int i = begin; i < end; i++)
        {
            _buffer.AsSpan(_offsets[i], _lengths[i]).CopyTo(destination[pos..]);
            pos += _lengths[i];
        }

        written = layout.TotalLength;
        return true;
    }

    /// <summary>
    /// Grows a packet in place to <paramref name="newLength"/> bytes with Opus padding (RFC 6716
    /// §3.2.5), like libopus's <c>opus_packet_pad</c>. <paramref name="buffer"/> holds the packet in
    /// its first <paramref name="length"/> bytes and must have room for <paramref name="newLength"/>.
    /// </summary>
    public static OpusPacketStatus Pad(Span<byte> buffer, int length, int newLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(newLength, length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newLength, buffer.Length);
        return Reframe(buffer, length, newLength, out _);
    }

    /// <summary>
    /// Removes all Opus padding from a packet in place and re-frames it in the smallest form, like
    /// libopus's <c>opus_packet_unpad</c>. Returns the new length, or -1 for an invalid packet.
    /// </summary>
    public static int Unpad(Span<byte> packet)
    {
        return Reframe(packet, packet.Length, 0, out int written) == OpusPacketStatus.Valid ? written : -1;
    }

    private static OpusPacketStatus Reframe(Span<byte> buffer, int length, int targetLength, out int written)
    {
        written = 0;
        OpusPacketStatus status = OpusPacket.Parse(buffer[..length], out OpusPacket parsed);
        if (status != OpusPacketStatus.Valid)
        {
            return status;
        }

        if (targetLength == length)
        {
            written = length;
            return OpusPacketStatus.Valid;
        }

        Span<short> lengths = stackalloc short[parsed.FrameCount];
        int dataLength = 0;
        int index = 0;
        foreach (ReadOnlySpan<byte> frame in parsed.GetFrames())
        {
            lengths[index++] = (short)frame.Length;
            dataLength += frame.Length;
        }

        OpusToc toc = parsed.Toc;
        int dataStart = parsed.HeaderLength;
        if (!OpusPacketLayout.TryCreate(lengths, targetLength, out OpusPacketLayout layout) || layout.TotalLength > buffer.Length)
        {
            // Cannot happen for valid input with targetLength >= length: padding only grows.
            return OpusPacketStatus.Code3BadPadding;
        }

        // Frames are contiguous in every framing; move them once (memmove semantics), then write
        // the new header in front of them and the zero padding behind them.
        buffer.Slice(dataStart, dataLength).CopyTo(buffer[layout.DataOffset..]);
        layout.WriteHeaderAndPadding(buffer, toc, lengths);
        written = layout.TotalLength;
        return OpusPacketStatus.Valid;
    }

    private void CheckRange(int begin, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, _count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(end, begin);
    }
}
