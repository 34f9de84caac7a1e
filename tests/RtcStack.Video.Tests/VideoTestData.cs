namespace RtcStack.Video.Tests;

/// <summary>Builds codec-shaped frames for tests: VP8 frames with a valid frame tag, H.264 access units in Annex B.</summary>
internal static class VideoTestData
{
    /// <summary>A VP8 frame of <paramref name="length"/> bytes whose first bytes are a frame tag (and key frame header).</summary>
    public static byte[] Vp8Frame(Random random, int length, bool keyFrame, int width = 640, int height = 480)
    {
        byte[] frame = new byte[length];
        random.NextBytes(frame);
        int firstPartition = Math.Min(length, 0x7FFFF);
        int tag = (keyFrame ? 0 : 1) | (0 << 1) | (1 << 4) | (firstPartition << 5);
        Span<byte> header = stackalloc byte[10];
        header[0] = (byte)tag;
        header[1] = (byte)(tag >> 8);
        header[2] = (byte)(tag >> 16);
        header[3] = 0x9D;
        header[4] = 0x01;
        header[5] = 0x2A;
        header[6] = (byte)width;
        header[7] = (byte)(width >> 8);
        header[8] = (byte)height;
        header[9] = (byte)(height >> 8);
        int n = keyFrame ? 10 : 3;
        header[..Math.Min(n, length)].CopyTo(frame);
        return frame;
    }

    /// <summary>
    /// An H.264 NAL unit of <paramref name="length"/> bytes (header included) of the given type, with random contents
    /// that hold no 00 00 0x sequence (as emulation prevention guarantees) and do not end in a zero byte.
    /// </summary>
    public static byte[] Nal(Random random, int type, int length, int nri = 3, bool firstSlice = true)
    {
        byte[] nal = new byte[length];
        nal[0] = (byte)((nri << 5) | type);
        for (int i = 1; i < length; i++)
        {
            nal[i] = (byte)random.Next(1, 256);
        }

        if (length > 1 && type is 1 or 5)
        {
            nal[1] = (byte)(firstSlice ? nal[1] | 0x80 : nal[1] & 0x7F);
            if (nal[1] == 0)
            {
                nal[1] = 0x01;
            }
        }

        return nal;
    }

    /// <summary>Joins NAL units into an Annex B access unit, each after a 4- or 3-byte start code.</summary>
    public static byte[] AnnexB(IEnumerable<byte[]> nals, Random? random = null)
    {
        var output = new List<byte>();
        foreach (byte[] nal in nals)
        {
            if (random is null || random.Next(2) == 0)
            {
                output.AddRange([0, 0, 0, 1]);
            }
            else
            {
                output.AddRange([0, 0, 1]);
            }

            output.AddRange(nal);
        }

        return output.ToArray();
    }

    /// <summary>The Annex B form the depacketizer writes: every NAL unit after 00 00 00 01.</summary>
    public static byte[] AnnexB4(IEnumerable<byte[]> nals) => AnnexB(nals, null);

    /// <summary>Polls every payload of the pushed frame.</summary>
    public static List<(byte[] Payload, bool Marker, bool Start)> Drain(IVideoPacketizer packetizer)
    {
        var list = new List<(byte[], bool, bool)>();
        byte[] buffer = new byte[packetizer.MaxPayloadSize];
        while (packetizer.TryPoll(buffer, out VideoRtpPayload payload))
        {
            list.Add((buffer[..payload.Length], payload.Marker, payload.FrameStart));
        }

        return list;
    }
}
