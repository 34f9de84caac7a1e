namespace RtcStack.Video;

/// <summary>
/// Cuts encoded video frames into RTP payloads no longer than <see cref="MaxPayloadSize"/>: push a frame, then poll
/// payloads until none is left. The packetizer keeps a reference to the pushed memory (no copy) until its last
/// payload is polled; it writes only the caller's buffers and allocates nothing per frame or packet.
/// </summary>
/// <remarks>
/// The RTP header (sequence number, timestamp, SSRC, marker) is the caller's: every payload of one frame shares the
/// frame's timestamp, and <see cref="VideoRtpPayload.Marker"/> says where the RTP marker bit goes.
/// </remarks>
public interface IVideoPacketizer
{
    /// <summary>Gets the codec this packetizer writes.</summary>
    VideoCodec Codec { get; }

    /// <summary>
    /// Gets or sets the largest payload to produce, payload descriptor included (the MTU less the IP, UDP, RTP,
    /// header-extension and SRTP overheads; 1,200 by default).
    /// </summary>
    int MaxPayloadSize { get; set; }

    /// <summary>Gets whether payloads of the last pushed frame remain to be polled.</summary>
    bool HasPending { get; }

    /// <summary>
    /// Takes one encoded frame (for H.264/H.265 an Annex B access unit; for AV1 a temporal unit of low-overhead OBUs;
    /// for VP8/VP9 one compressed frame). It stays referenced until its last payload is polled.
    /// </summary>
    /// <returns><see cref="VideoPacketizeStatus.Ok"/>, or why the frame was refused (nothing is queued then).</returns>
    VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame);

    /// <summary>Writes the next payload of the pushed frame into <paramref name="destination"/>.</summary>
    /// <returns>False when no payload is pending or <paramref name="destination"/> is shorter than <see cref="MaxPayloadSize"/>.</returns>
    bool TryPoll(Span<byte> destination, out VideoRtpPayload payload);
}
