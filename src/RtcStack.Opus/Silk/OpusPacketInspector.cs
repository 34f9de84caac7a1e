namespace RtcStack.Opus;

/// <summary>
/// Reads DTX, voice activity and LBRR (in-band FEC) presence from an Opus packet without decoding
/// audio. For SILK and Hybrid frames it range-decodes only the header bits of RFC 6716 §4.2.3 (VAD
/// flags and the LBRR flag per channel) and, for 40 and 60 ms frames, the per-frame LBRR flags of
/// §4.2.4; for CELT-only frames only the silence flag of §4.3. Never throws on any input.
/// </summary>
public static class OpusPacketInspector
{
    /// <summary>RFC 6716 §4.2.4 Table 4: the 2-frame (40 ms) LBRR flag PDF.</summary>
    private static ReadOnlySpan<byte> LbrrPdf40 => [0, 53, 53, 150];

    /// <summary>RFC 6716 §4.2.4 Table 4: the 3-frame (60 ms) LBRR flag PDF.</summary>
    private static ReadOnlySpan<byte> LbrrPdf60 => [0, 41, 20, 29, 41, 15, 28, 82];

    /// <summary>Parses <paramref name="packet"/> (RFC 6716 §3) and summarises its frames; <paramref name="info"/> is meaningful only when the result is Valid.</summary>
    public static OpusPacketStatus Inspect(ReadOnlySpan<byte> packet, out OpusPacketInfo info)
    {
        info = default;
        OpusPacketStatus status = OpusPacket.Parse(packet, out OpusPacket parsed);
        if (status != OpusPacketStatus.Valid)
        {
            return status;
        }

        int empty = 0;
        int lbrr = 0;
        int active = 0;
        int inactive = 0;
        OpusFrameInfo first = default;
        bool isFirst = true;
        OpusToc toc = parsed.Toc;
        foreach (ReadOnlySpan<byte> data in parsed.GetFrames())
        {
            OpusFrameInfo frame = InspectFrame(toc, data);
            if (isFirst)
            {
                first = frame;
                isFirst = false;
            }

            empty += frame.IsEmpty ? 1 : 0;
            lbrr += frame.HasLbrr ? 1 : 0;
            switch (frame.Activity)
            {
                case OpusActivity.Active:
                    active++;
                    break;
                case OpusActivity.Inactive:
                    inactive++;
                    break;
            }
        }

        OpusActivity activity = active > 0 ? OpusActivity.Active
            : inactive == parsed.FrameCount ? OpusActivity.Inactive
            : OpusActivity.Unknown;
        info = new OpusPacketInfo(parsed.Toc, parsed.FrameCount, empty, lbrr, first, activity);
        return OpusPacketStatus.Valid;
    }

    /// <summary>
    /// Reads the header flags of one frame of a packet with TOC <paramref name="toc"/>: SILK VAD and
    /// LBRR flags (RFC 6716 §4.2.3–§4.2.4) or the CELT silence flag (§4.3).
    /// </summary>
    public static OpusFrameInfo InspectFrame(OpusToc toc, ReadOnlySpan<byte> frame)
    {
        OpusMode mode = toc.Mode;
        if (frame.IsEmpty)
        {
            return new OpusFrameInfo(mode, 0, 0, 0, 0, 0, 0, 0, false);
        }

        var decoder = new OpusRangeDecoder(frame);
        if (mode == OpusMode.Celt)
        {
            // RFC 6716 §4.3 Table 56: the first CELT symbol is the silence flag, PDF {32767, 1}/32768.
            bool silence = decoder.DecodeBit(15);
            return new OpusFrameInfo(mode, frame.Length, 0, 0, 0, 0, 0, 0, silence);
        }

        // RFC 6716 §4.2.2: one 10 ms SILK frame, or one to three 20 ms SILK frames per channel.
        int silkFrames = Math.Max(1, toc.SamplesPerFrame / 960);
        int channels = toc.Channels;
        // §4.2.3: per channel, one VAD flag per SILK frame then the LBRR flag, each {1, 1}/2.
        byte midVad = ReadVadFlags(ref decoder, silkFrames);
        bool midLbrr = decoder.DecodeBit(1);
        byte sideVad = 0;
        bool sideLbrr = false;
        if (channels == 2)
        {
            sideVad = ReadVadFlags(ref decoder, silkFrames);
            sideLbrr = decoder.DecodeBit(1);
        }

        // §4.2.4: for 40 and 60 ms frames, per-frame LBRR flags for each channel whose LBRR flag is
        // set (mid first), packed LSB first; a 10 or 20 ms frame has at most one LBRR frame per channel.
        byte midMask = midLbrr ? ReadLbrrMask(ref decoder, silkFrames) : (byte)0;
        byte sideMask = sideLbrr ? ReadLbrrMask(ref decoder, silkFrames) : (byte)0;
        return new OpusFrameInfo(mode, frame.Length, silkFrames, channels, midVad, sideVad, midMask, sideMask, false);
    }

    private static byte ReadVadFlags(ref OpusRangeDecoder decoder, int silkFrames)
    {
        byte flags = 0;
        for (int i = 0; i < silkFrames; i++)
        {
            if (decoder.DecodeBit(1))
            {
                flags |= (byte)(1 << i);
            }
        }

        return flags;
    }

    private static byte ReadLbrrMask(ref OpusRangeDecoder decoder, int silkFrames) => silkFrames switch
    {
        1 => 1,
        2 => (byte)decoder.DecodeSymbol(LbrrPdf40),
        _ => (byte)decoder.DecodeSymbol(LbrrPdf60),
    };
}
