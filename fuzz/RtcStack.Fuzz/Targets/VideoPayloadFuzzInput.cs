using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// Drives a video depacketizer and a <see cref="VideoFrameAssembler"/> with a hostile packet sequence, and checks the
/// promises both make. Input: a first byte picks the mode. Odd: the rest is one frame for the codec's packetizer
/// (MaxPayloadSize from the second byte), whose payloads are assembled again and must give the frame back (VP8) or a
/// fixed point (H.264: Annex B out, packetized again, gives the same bytes). Even: the rest is records
/// <c>[ctl][len][payload: len bytes]</c> (ctl bit 7 = marker, bits 0-3 = sequence step - 4, bits 4-5 = timestamp step
/// 0 / +3000 / -3000 / +2^31), each given to the depacketizer on its own and to the assembler.
/// </summary>
internal sealed class VideoPayloadFuzzInput
{
    private const int Window = 64;
    private const int MaxPayload = 300;
    private const int MaxFrame = 1 << 20;

    private readonly Func<IVideoDepacketizer> _newDepacketizer;
    private readonly Func<IVideoPacketizer> _newPacketizer;
    private readonly byte[] _scratch = new byte[4096];
    private readonly byte[] _payload = new byte[2000];
    private IVideoDepacketizer? _depacketizer;
    private VideoFrameAssembler? _assembler;

    public VideoPayloadFuzzInput(Func<IVideoDepacketizer> newDepacketizer, Func<IVideoPacketizer> newPacketizer)
    {
        _newDepacketizer = newDepacketizer;
        _newPacketizer = newPacketizer;
    }

    public void Run(ReadOnlySpan<byte> data)
    {
        // Created on the first input, after SharpFuzz's set-up (see fuzz/README.md).
        _depacketizer ??= _newDepacketizer();
        _assembler ??= new VideoFrameAssembler(_newDepacketizer(), Window, MaxPayload, MaxFrame);
        _assembler.Reset();
        _depacketizer.Reset();
        if (data.IsEmpty)
        {
            return;
        }

        if ((data[0] & 1) != 0)
        {
            RoundTrip(data[1..]);
        }
        else
        {
            Packets(data[1..]);
        }
    }

    private void Packets(ReadOnlySpan<byte> data)
    {
        ushort seq = 1000;
        uint ts = 0;
        uint lastTs = ts;
        while (data.Length >= 2)
        {
            byte ctl = data[0];
            int len = Math.Min(data[1], data.Length - 2);
            ReadOnlySpan<byte> payload = data.Slice(2, len);
            data = data[(2 + len)..];
            seq = (ushort)(seq + (ctl & 0x0F) - 4);
            ts += ((ctl >> 4) & 3) switch { 0 => 0u, 1 => 3000u, 2 => unchecked((uint)-3000), _ => 1u << 31 };
            bool marker = (ctl & 0x80) != 0;

            // The depacketizer alone: a refused header means a refused write; a write stays inside the buffer.
            if (ts != lastTs)
            {
                _depacketizer!.Reset();
                lastTs = ts;
            }

            bool header = _depacketizer!.TryReadHeader(payload, out VideoPayloadHeader h);
            int room = (ctl & 0x40) != 0 ? len / 2 : _scratch.Length;
            int written = _depacketizer.WriteFrameData(payload, _scratch.AsSpan(0, room));
            if (written < -2 || written > room || (!header && written != -1))
            {
                throw new InvalidOperationException($"WriteFrameData returned {written} (room {room}, header {header})");
            }

            if (header && (h.PictureId < -1 || h.PictureId > 0x7FFF || h.TemporalLayer < -1 || h.Tl0PicIndex > 255))
            {
                throw new InvalidOperationException($"impossible header {h}");
            }

            VideoInsertStatus status = _assembler!.Insert(seq, ts, marker, payload);
            if (!Enum.IsDefined(status))
            {
                throw new InvalidOperationException($"status {status}");
            }

            Check(_assembler);
        }

        _assembler!.FlushHeldFrame();
        Check(_assembler);
    }

    private static void Check(VideoFrameAssembler assembler)
    {
        while (assembler.TryPollEvent(out VideoAssemblerEvent e))
        {
            switch (e.Kind)
            {
                case VideoAssemblerEventKind.FrameCompleted:
                    int span = (ushort)(e.LastSequenceNumber - e.FirstSequenceNumber) + 1;
                    if (e.Length < 0 || e.Length > MaxFrame || e.Offset < 0 || assembler.GetFrame(e).Length != e.Length
                        || e.PacketCount < 1 || e.PacketCount > Window || span != e.PacketCount)
                    {
                        throw new InvalidOperationException($"bad completed frame {e}");
                    }

                    break;
                case VideoAssemblerEventKind.FrameDropped:
                    if (e.PacketCount < 1 || e.PacketCount > Window || e.DropReason == VideoFrameDropReason.None)
                    {
                        throw new InvalidOperationException($"bad drop {e}");
                    }

                    break;
                case VideoAssemblerEventKind.PacketsMissing:
                    if (e.PacketCount < 1 || e.PacketCount >= Window || (ushort)(e.LastSequenceNumber - e.FirstSequenceNumber) + 1 != e.PacketCount)
                    {
                        throw new InvalidOperationException($"bad missing range {e}");
                    }

                    break;
                case VideoAssemblerEventKind.PayloadMalformed:
                    break;
                default:
                    throw new InvalidOperationException($"unknown event {e.Kind}");
            }
        }
    }

    private void RoundTrip(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        IVideoPacketizer packetizer = _newPacketizer();
        packetizer.MaxPayloadSize = 20 + (data[0] * 6 % (MaxPayload - 19));
        byte[] frame = data[1..].ToArray();
        byte[]? first = Assemble(packetizer, frame, 0);
        if (first is null)
        {
            return;
        }

        if (packetizer.Codec == VideoCodec.Vp8 && !first.AsSpan().SequenceEqual(frame))
        {
            throw new InvalidOperationException("VP8 frame changed on the way");
        }

        if (packetizer.Codec == VideoCodec.H264)
        {
            byte[]? second = Assemble(packetizer, first, 3000);
            if (second is null || !second.AsSpan().SequenceEqual(first))
            {
                throw new InvalidOperationException("H.264 Annex B output is not a fixed point");
            }
        }
    }

    // Packetizes one frame and assembles it again; null when the packetizer refuses it, or (H.264) when its first NAL
    // unit cannot begin an access unit, so the assembler rightly gives the frame up.
    private byte[]? Assemble(IVideoPacketizer packetizer, byte[] frame, uint ts)
    {
        if (packetizer.Push(frame, false) != VideoPacketizeStatus.Ok)
        {
            return null;
        }

        var payloads = new List<(byte[] Payload, bool Marker)>();
        while (packetizer.TryPoll(_payload, out VideoRtpPayload p))
        {
            if (p.Length > packetizer.MaxPayloadSize || p.Length < 1)
            {
                throw new InvalidOperationException($"payload of {p.Length} bytes for MaxPayloadSize {packetizer.MaxPayloadSize}");
            }

            payloads.Add((_payload.AsSpan(0, p.Length).ToArray(), p.Marker));
        }

        if (payloads.Count == 0 || !payloads[^1].Marker || payloads.Take(payloads.Count - 1).Any(x => x.Marker))
        {
            throw new InvalidOperationException("the marker is not on the last payload only");
        }

        int window = 16;
        while (window < payloads.Count + 16 && window < 32768)
        {
            window *= 2;
        }

        if (payloads.Count > window)
        {
            return null;
        }

        var assembler = new VideoFrameAssembler(_newDepacketizer(), window, packetizer.MaxPayloadSize, MaxFrame);
        ushort seq = 7;
        foreach ((byte[] payload, bool marker) in payloads)
        {
            assembler.Insert(seq++, ts, marker, payload);
        }

        assembler.FlushHeldFrame();
        var events = new List<VideoAssemblerEvent>();
        while (assembler.TryPollEvent(out VideoAssemblerEvent e))
        {
            events.Add(e);
        }

        if (events.Count == 0)
        {
            // Nothing yet: the frame's first packet cannot start an access unit (H.264 can only say a NAL unit may begin
            // one), so the assembler waits for the packets that would come before it. The stream goes on: padding a
            // window ahead pushes the frame out, and it must be reported then (dropped, incomplete), never vanish.
            assembler.InsertPadding((ushort)(seq + window));
            while (assembler.TryPollEvent(out VideoAssemblerEvent e))
            {
                events.Add(e);
            }
        }

        byte[]? output = null;
        foreach (VideoAssemblerEvent e in events)
        {
            if (e.Kind == VideoAssemblerEventKind.PacketsMissing && e.LastSequenceNumber == (ushort)(seq + window - 1))
            {
                continue; // the sequence numbers the padding skipped
            }

            if (e.Kind == VideoAssemblerEventKind.FrameDropped && e.DropReason == VideoFrameDropReason.Incomplete && packetizer.Codec == VideoCodec.H264)
            {
                return null;
            }

            if (e.Kind == VideoAssemblerEventKind.FrameDropped && e.DropReason == VideoFrameDropReason.TooLarge)
            {
                return null;
            }

            if (e.Kind != VideoAssemblerEventKind.FrameCompleted || output is not null)
            {
                throw new InvalidOperationException($"one frame in, {e} out");
            }

            output = assembler.GetFrame(e).ToArray();
        }

        return output ?? throw new InvalidOperationException("the frame did not come out");
    }
}
