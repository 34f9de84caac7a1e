namespace RtcStack.Video;

/// <summary>
/// What a video RTP payload says about itself, read from its payload descriptor or NAL/OBU headers by an
/// <see cref="IVideoDepacketizer"/>. Codec fields that the payload does not carry are -1.
/// </summary>
/// <param name="FrameStart">
/// The payload begins a frame (VP8 S=1 with partition 0, VP9 B=1, AV1 a new temporal unit), or, where the format cannot
/// say for certain (H.264/H.265), the payload's first NAL unit (or FU start) can begin an access unit: a parameter set,
/// SEI, access unit delimiter, or the first slice of a picture. <see cref="VideoFrameAssembler"/> requires it on a
/// frame's first packet, and where the packet before that is missing it is all the assembler has to go on.
/// </param>
/// <param name="FrameEnd">The payload ends a frame as far as the payload itself can say (VP9 E=1); otherwise false, and the RTP marker bit decides.</param>
/// <param name="KeyFrame">The payload starts a frame that can be decoded without earlier frames (VP8 P=0, VP9 P=0 and not inter-layer, H.264 IDR/SPS, H.265 IRAP, AV1 N=1).</param>
/// <param name="PictureId">VP8/VP9 PictureID (7 or 15 bits), or -1.</param>
/// <param name="TemporalLayer">Temporal layer id (VP8 TID, VP9 TID, H.265 TID - 1, AV1 OBU extension), or -1.</param>
/// <param name="SpatialLayer">Spatial layer id (VP9 SID, AV1 OBU extension), or -1.</param>
/// <param name="Tl0PicIndex">VP8/VP9 TL0PICIDX, or -1.</param>
public readonly record struct VideoPayloadHeader(
    bool FrameStart,
    bool FrameEnd,
    bool KeyFrame,
    int PictureId = -1,
    int TemporalLayer = -1,
    int SpatialLayer = -1,
    int Tl0PicIndex = -1);
