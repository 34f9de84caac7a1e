namespace RtcStack.Video;

/// <summary>
/// What the encoder says about one VP8 frame for the optional payload descriptor fields (RFC 7741 §4.2). The default
/// (every field null or false) is a frame of a stream without temporal layers: only the PictureID is written.
/// </summary>
/// <param name="TemporalLayer">TID, 0-3, or null to leave out the TID/Y octet.</param>
/// <param name="LayerSync">Y: the frame depends only on the base-layer frame with the same TL0PICIDX.</param>
/// <param name="Tl0PicIndex">TL0PICIDX, 0-255, or null to leave it out (written only with a TID).</param>
/// <param name="KeyIndex">KEYIDX, 0-31, or null to leave it out.</param>
/// <param name="NonReference">N: no other frame references this one.</param>
public readonly record struct Vp8LayerInfo(
    int? TemporalLayer = null,
    bool LayerSync = false,
    int? Tl0PicIndex = null,
    int? KeyIndex = null,
    bool NonReference = false);
