namespace RtcStack.Video;

/// <summary>
/// Reads video RTP payloads (untrusted input): what each says about the frame it belongs to, and the bytes it adds to
/// that frame in the form a decoder takes (Annex B with start codes for H.264/H.265, low-overhead OBUs with
/// obu_size for AV1, the bare compressed frame for VP8/VP9). Never throws on bad input; allocates nothing.
/// </summary>
public interface IVideoDepacketizer
{
    /// <summary>Gets the codec this depacketizer reads.</summary>
    VideoCodec Codec { get; }

    /// <summary>Reads the payload descriptor (or NAL/OBU headers) of <paramref name="payload"/>.</summary>
    /// <returns>False if the payload is malformed (too short, reserved values, inconsistent fields).</returns>
    bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header);

    /// <summary>
    /// Writes the frame data that <paramref name="payload"/> carries into <paramref name="destination"/>, in the
    /// decoder's form. Payloads of one frame are given in sequence-number order, first to last; the depacketizer may
    /// keep state between them (an H.264 FU-A fragment continues the NAL unit the previous one started).
    /// </summary>
    /// <returns>The bytes written; -1 if the payload is malformed or does not continue the previous one; -2 if <paramref name="destination"/> is too short.</returns>
    int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination);

    /// <summary>
    /// Reads the header of <paramref name="payload"/> and writes its frame data, as <see cref="TryReadHeader"/> and then
    /// <see cref="WriteFrameData"/> would; a format may do both in one pass over the payload descriptor.
    /// </summary>
    /// <returns>As <see cref="WriteFrameData"/>; -1 also when the header is malformed.</returns>
    int ReadHeaderAndWriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination, out VideoPayloadHeader header) =>
        !TryReadHeader(payload, out header) ? -1 : WriteFrameData(payload, destination);

    /// <summary>
    /// Gets whether <see cref="WriteFrameData"/> keeps no state between payloads, so each payload's frame data can be
    /// written on its own, in any order relative to the others' (VP8). <see cref="VideoFrameAssembler"/> then writes a
    /// frame whose packets arrive in order straight into its frame buffer, one copy of each byte.
    /// </summary>
    bool PayloadsAreIndependent => false;

    /// <summary>Forgets any partial state (a frame was abandoned, or a new one starts).</summary>
    void Reset();
}
