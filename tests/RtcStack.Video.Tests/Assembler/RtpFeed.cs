namespace RtcStack.Video.Tests.Assembler;

/// <summary>One RTP packet as the assembler sees it.</summary>
internal readonly record struct FeedPacket(ushort Seq, uint Timestamp, bool Marker, byte[] Payload);

/// <summary>Turns frames into RTP packets through a packetizer and feeds packets to an assembler, collecting events.</summary>
internal static class RtpFeed
{
    public static List<FeedPacket> Packetize(IVideoPacketizer packetizer, IReadOnlyList<byte[]> frames, ushort firstSeq, uint firstTimestamp, uint timestampStep = 3000)
    {
        var packets = new List<FeedPacket>();
        ushort seq = firstSeq;
        uint ts = firstTimestamp;
        byte[] buffer = new byte[packetizer.MaxPayloadSize];
        foreach (byte[] frame in frames)
        {
            VideoPacketizeStatus status = packetizer.Push(frame, keyFrame: false);
            if (status != VideoPacketizeStatus.Ok)
            {
                throw new InvalidOperationException($"push: {status}");
            }

            while (packetizer.TryPoll(buffer, out VideoRtpPayload payload))
            {
                packets.Add(new FeedPacket(seq++, ts, payload.Marker, buffer[..payload.Length]));
            }

            ts += timestampStep;
        }

        return packets;
    }

    public static List<VideoAssemblerEvent> Feed(VideoFrameAssembler assembler, IEnumerable<FeedPacket> packets, List<byte[]>? frames = null)
    {
        var events = new List<VideoAssemblerEvent>();
        foreach (FeedPacket p in packets)
        {
            assembler.Insert(p.Seq, p.Timestamp, p.Marker, p.Payload);
            Drain(assembler, events, frames);
        }

        return events;
    }

    public static void Drain(VideoFrameAssembler assembler, List<VideoAssemblerEvent> events, List<byte[]>? frames)
    {
        while (assembler.TryPollEvent(out VideoAssemblerEvent e))
        {
            events.Add(e);
            if (e.Kind == VideoAssemblerEventKind.FrameCompleted)
            {
                frames?.Add(assembler.GetFrame(e).ToArray());
            }
        }
    }

    public static int WindowFor(int packets)
    {
        int window = 16;
        while (window < packets * 2 + 16 && window < 32768)
        {
            window *= 2;
        }

        return window;
    }
}
