namespace RtcStack.Opus;

/// <summary>
/// How a list of frame lengths is framed into one packet (RFC 6716 §3.2): the frame count code, CBR
/// or VBR, the Opus padding and the header size. The smallest framing is chosen, as libopus's
/// repacketizer does: code 0 for one frame, code 1 or 2 for two, code 3 otherwise or when padding
/// is needed to reach a target length.
/// </summary>
internal readonly struct OpusPacketLayout
{
    private OpusPacketLayout(int code, bool vbr, int padding, int headerLength, int dataLength)
    {
        Code = code;
        Vbr = vbr;
        Padding = padding;
        HeaderLength = headerLength;
        DataLength = dataLength;
    }

    public int Code { get; }

    public bool Vbr { get; }

    /// <summary>Gets P of RFC 6716 §3.2.5: the padding length bytes plus the padding bytes.</summary>
    public int Padding { get; }

    /// <summary>Gets the header length, excluding padding length bytes.</summary>
    public int HeaderLength { get; }

    public int DataLength { get; }

    public int TotalLength => HeaderLength + Padding + DataLength;

    /// <summary>The number of padding length bytes for P (RFC 6716 §3.2.5).</summary>
    public int PaddingLengthBytes => Padding == 0 ? 0 : ((Padding - 1) / 255) + 1;

    /// <summary>
    /// Chooses a layout for <paramref name="lengths"/>. With <paramref name="targetLength"/> &gt; 0 the
    /// packet is padded to exactly that many bytes; false if it cannot be (smaller than the frames need).
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<short> lengths, int targetLength, out OpusPacketLayout layout)
    {
        layout = default;
        int count = lengths.Length;
        if (count is < 1 or > OpusPacket.MaxFrames)
        {
            return false;
        }

        int data = 0;
        bool equal = true;
        int lengthBytes = 0;
        for (int i = 0; i < count; i++)
        {
            data += lengths[i];
            equal &= lengths[i] == lengths[0];
            if (i < count - 1)
            {
                lengthBytes += OpusPacket.FrameLengthSize(lengths[i]);
            }
        }

        OpusPacketLayout natural = count switch
        {
            1 => new OpusPacketLayout(0, false, 0, 1, data),
            2 when equal => new OpusPacketLayout(1, false, 0, 1, data),
            2 => new OpusPacketLayout(2, true, 0, 1 + lengthBytes, data),
            _ when equal => new OpusPacketLayout(3, false, 0, 2, data),
            _ => new OpusPacketLayout(3, true, 0, 2 + lengthBytes, data),
        };

        if (targetLength <= 0 || targetLength == natural.TotalLength)
        {
            layout = natural;
            return true;
        }

        // Padding needs code 3 (RFC 6716 §3.2.5).
        OpusPacketLayout code3 = equal
            ? new OpusPacketLayout(3, false, 0, 2, data)
            : new OpusPacketLayout(3, true, 0, 2 + lengthBytes, data);
        int extra = targetLength - code3.TotalLength;
        if (extra < 0)
        {
            return false;
        }

        layout = new OpusPacketLayout(3, code3.Vbr, extra, code3.HeaderLength, data);
        return true;
    }

    /// <summary>
    /// Writes the header (TOC, frame count, padding lengths, frame lengths) and the zero padding at
    /// the end; the caller places the frame data at <c>HeaderLength + PaddingLengthBytes</c>.
    /// </summary>
    public void WriteHeaderAndPadding(Span<byte> destination, OpusToc toc, ReadOnlySpan<short> lengths)
    {
        destination[0] = toc.WithFrameCountCode(Code).Value;
        int pos = 1;
        if (Code == 3)
        {
            destination[1] = (byte)((Vbr ? 0x80 : 0) | (Padding > 0 ? 0x40 : 0) | lengths.Length);
            pos = 2;
            if (Padding > 0)
            {
                int runs = (Padding - 1) / 255;
                destination.Slice(pos, runs).Fill(255);
                pos += runs;
                destination[pos++] = (byte)(Padding - 1 - (255 * runs));
            }
        }

        if (Vbr)
        {
            for (int i = 0; i < lengths.Length - 1; i++)
            {
                pos += OpusPacket.WriteFrameLength(destination[pos..], lengths[i]);
            }
        }

        int paddingBytes = Padding - PaddingLengthBytes;
        destination.Slice(pos + DataLength, paddingBytes).Clear();
    }

    /// <summary>Gets the offset of the first frame's data.</summary>
    public int DataOffset => HeaderLength + PaddingLengthBytes;
}
