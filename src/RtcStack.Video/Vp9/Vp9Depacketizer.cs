namespace RtcStack.Video;

/// <summary>
/// Reads VP9 RTP payloads (RFC 9628 §4.2): checks the payload descriptor and writes the frame data after it.
/// Payloads of one frame must run from B=1 to E=1 with one picture ID. Never throws on bad input; allocates nothing.
/// </summary>
public sealed class Vp9Depacketizer : IVideoDepacketizer
{
    private bool _inFrame;
    private int _pictureId;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Vp9;

    /// <summary>
    /// Reads the payload descriptor: FrameStart is B, FrameEnd is E, KeyFrame is a frame start with P=0 that is of
    /// spatial layer 0 or has no inter-layer dependency (RFC 9628 §4.2).
    /// </summary>
    public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header)
    {
        header = default;
        if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d))
        {
            return false;
        }

        header = new VideoPayloadHeader(d.StartOfFrame, d.EndOfFrame, d.IsKeyFrame, d.PictureId, d.TemporalId, d.SpatialId, d.Tl0PicIndex);
        return true;
    }

    /// <inheritdoc/>
    public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d)
            || (!d.StartOfFrame && (!_inFrame || d.PictureId != _pictureId)))
        {
            _inFrame = false;
            return -1;
        }

        ReadOnlySpan<byte> data = payload[d.Length..];
        if (data.Length > destination.Length)
        {
            return -2;
        }

        data.CopyTo(destination);
        _inFrame = !d.EndOfFrame;
        _pictureId = d.PictureId;
        return data.Length;
    }

    /// <inheritdoc/>
    public void Reset() => _inFrame = false;
}
