namespace RtcStack.Video;

/// <summary>
/// Reads VP8 RTP payloads (RFC 7741 §4): the payload descriptor (§4.2) and, on the payload that starts a frame (S = 1,
/// PID = 0), the VP8 payload header (§4.3, the frame tag of RFC 6386 §9.1) whose P bit tells key frames (P = 0) from
/// inter frames. The frame data is the payload after the descriptor, so payloads need no state between them.
/// </summary>
public sealed class Vp8Depacketizer : IVideoDepacketizer
{
    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Vp8;

    /// <inheritdoc/>
    /// <remarks>
    /// False when the payload ends inside the descriptor or carries no VP8 data after it. A frame start (S = 1, PID = 0)
    /// is a key frame when its P bit is 0 and, if the first six bytes are there, the key frame start code 9d 01 2a
    /// follows the frame tag (RFC 6386 §9.1); a P = 0 frame with another start code is reported as not a key frame.
    /// </remarks>
    public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header) => ReadHeader(payload, out header) > 0;

    /// <inheritdoc/>
    public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!Vp8PayloadDescriptor.TryGetLength(payload, out int length) || length >= payload.Length)
        {
            return -1;
        }

        return Copy(payload[length..], destination);
    }

    /// <inheritdoc/>
    public int ReadHeaderAndWriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination, out VideoPayloadHeader header)
    {
        int length = ReadHeader(payload, out header);
        return length <= 0 ? -1 : Copy(payload[length..], destination);
    }

    /// <inheritdoc/>
    public bool PayloadsAreIndependent => true;

    /// <inheritdoc/>
    public void Reset()
    {
    }

    // The descriptor's length (> 0, with data after it) and the header, or 0 when malformed.
    private static int ReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header)
    {
        header = default;
        if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor descriptor, out int length) || length >= payload.Length)
        {
            return 0;
        }

        bool frameStart = descriptor.Start && descriptor.PartitionIndex == 0;
        bool keyFrame = false;
        if (frameStart)
        {
            ReadOnlySpan<byte> data = payload[length..];
            keyFrame = (data[0] & 0x01) == 0 && (data.Length < 6 || Vp8FrameHeader.HasStartCode(data));
        }

        header = new VideoPayloadHeader(frameStart, false, keyFrame, descriptor.PictureId, descriptor.TemporalLayer, -1, descriptor.Tl0PicIndex);
        return length;
    }

    private static int Copy(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (data.Length > destination.Length)
        {
            return -2;
        }

        data.CopyTo(destination);
        return data.Length;
    }
}
