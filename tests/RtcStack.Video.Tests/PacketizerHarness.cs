namespace RtcStack.Video.Tests;

/// <summary>Runs a frame through a packetizer and the payloads through a depacketizer, for the payload format tests.</summary>
internal static class PacketizerHarness
{
    /// <summary>Pushes <paramref name="frame"/> and polls every payload (each checked against MaxPayloadSize and the marker/start rules).</summary>
    public static List<(byte[] Payload, VideoRtpPayload Info)> Packetize(IVideoPacketizer packetizer, byte[] frame, bool keyFrame)
    {
        VideoPacketizeStatus status = packetizer.Push(frame, keyFrame);
        if (status != VideoPacketizeStatus.Ok)
        {
            throw new InvalidOperationException($"Push returned {status}");
        }

        var payloads = new List<(byte[], VideoRtpPayload)>();
        var buffer = new byte[packetizer.MaxPayloadSize];
        while (packetizer.TryPoll(buffer, out VideoRtpPayload info))
        {
            if (info.Length > packetizer.MaxPayloadSize || info.Length <= 0)
            {
                throw new InvalidOperationException($"payload of {info.Length} bytes, max {packetizer.MaxPayloadSize}");
            }

            if (info.FrameStart != (payloads.Count == 0))
            {
                throw new InvalidOperationException("FrameStart must be set on the first payload only");
            }

            payloads.Add((buffer[..info.Length], info));
            if (info.Marker == packetizer.HasPending)
            {
                throw new InvalidOperationException("the marker must be set on the last payload only");
            }
        }

        return payloads;
    }

    /// <summary>Resets the depacketizer, then writes every payload's frame data in order into one buffer.</summary>
    public static byte[] Depacketize(IVideoDepacketizer depacketizer, IEnumerable<byte[]> payloads, int capacity)
    {
        depacketizer.Reset();
        var output = new byte[capacity];
        int length = 0;
        foreach (byte[] payload in payloads)
        {
            if (!depacketizer.TryReadHeader(payload, out _))
            {
                throw new InvalidOperationException("TryReadHeader refused a payload the packetizer wrote");
            }

            int n = depacketizer.WriteFrameData(payload, output.AsSpan(length));
            if (n < 0)
            {
                throw new InvalidOperationException($"WriteFrameData returned {n}");
            }

            length += n;
        }

        return output[..length];
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
