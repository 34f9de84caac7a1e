namespace RtcStack.Video;

/// <summary>
/// The VP9 payload descriptor (RFC 9628 §4.2): <c>|I|P|L|F|B|E|V|Z|</c>, the picture ID (7 or 15 bits), the layer
/// indices (<c>|TID|U|SID|D|</c>, with TL0PICIDX in non-flexible mode), up to three reference indices
/// (<c>|P_DIFF|N|</c>, flexible mode with P=1) and the scalability structure (V=1).
/// </summary>
public readonly struct Vp9PayloadDescriptor
{
    /// <summary>Gets the first octet.</summary>
    public byte Flags { get; private init; }

    /// <summary>Gets I: a picture ID is present.</summary>
    public bool HasPictureId => (Flags & 0x80) != 0;

    /// <summary>Gets P: the frame uses inter-picture prediction.</summary>
    public bool InterPicturePredicted => (Flags & 0x40) != 0;

    /// <summary>Gets L: layer indices are present.</summary>
    public bool HasLayerIndices => (Flags & 0x20) != 0;

    /// <summary>Gets F: flexible mode.</summary>
    public bool FlexibleMode => (Flags & 0x10) != 0;

    /// <summary>Gets B: the payload begins a frame.</summary>
    public bool StartOfFrame => (Flags & 0x08) != 0;

    /// <summary>Gets E: the payload ends a frame.</summary>
    public bool EndOfFrame => (Flags & 0x04) != 0;

    /// <summary>Gets V: a scalability structure is present.</summary>
    public bool HasScalabilityStructure => (Flags & 0x02) != 0;

    /// <summary>Gets Z: the frame is not used for prediction by upper spatial layers.</summary>
    public bool NotReferenceForUpperLayers => (Flags & 0x01) != 0;

    /// <summary>Gets the picture ID, or -1.</summary>
    public int PictureId { get; private init; }

    /// <summary>Gets whether the picture ID has 15 bits (M=1) rather than 7.</summary>
    public bool PictureIdIs15Bits { get; private init; }

    /// <summary>Gets TID, or -1 without layer indices.</summary>
    public int TemporalId { get; private init; }

    /// <summary>Gets U: a switching up point.</summary>
    public bool SwitchingUpPoint { get; private init; }

    /// <summary>Gets SID, or -1 without layer indices.</summary>
    public int SpatialId { get; private init; }

    /// <summary>Gets D: the frame depends on the frame of spatial layer SID-1 of the same picture.</summary>
    public bool InterLayerDependency { get; private init; }

    /// <summary>Gets TL0PICIDX, or -1 (it is only present with layer indices in non-flexible mode).</summary>
    public int Tl0PicIndex { get; private init; }

    /// <summary>Gets the number of P_DIFF reference indices (0-3).</summary>
    public int ReferenceCount { get; private init; }

    /// <summary>Gets the first P_DIFF.</summary>
    public int Reference1 { get; private init; }

    /// <summary>Gets the second P_DIFF.</summary>
    public int Reference2 { get; private init; }

    /// <summary>Gets the third P_DIFF.</summary>
    public int Reference3 { get; private init; }

    /// <summary>Gets the offset of the scalability structure in the payload (0 when V=0).</summary>
    public int ScalabilityStructureOffset { get; private init; }

    /// <summary>Gets the length of the scalability structure (0 when V=0).</summary>
    public int ScalabilityStructureLength { get; private init; }

    /// <summary>Gets the descriptor's length: the frame data follows.</summary>
    public int Length { get; private init; }

    /// <summary>Gets the picture a receiver can start decoding at: B=1, P=0, and base spatial layer or no inter-layer dependency (RFC 9628 §4.2, §4.4).</summary>
    public bool IsKeyFrame => StartOfFrame && !InterPicturePredicted && (!HasLayerIndices || SpatialId == 0 || !InterLayerDependency);

    /// <summary>
    /// Reads the descriptor of <paramref name="payload"/>. False if a field runs past the payload, no frame data
    /// follows, a P_DIFF is 0 (a picture cannot refer to itself), a fourth P_DIFF is announced (at most three),
    /// D=1 in spatial layer 0 (there is no layer below), or the scalability structure is cut short.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte flags = payload[0];
        int position = 1;
        int pictureId = -1;
        bool pid15 = false;
        if ((flags & 0x80) != 0)
        {
            if (position >= payload.Length)
            {
                return false;
            }

            if ((payload[position] & 0x80) != 0)
            {
                if (position + 1 >= payload.Length)
                {
                    return false;
                }

                pictureId = ((payload[position] & 0x7F) << 8) | payload[position + 1];
                pid15 = true;
                position += 2;
            }
            else
            {
                pictureId = payload[position++];
            }
        }

        int tid = -1;
        int sid = -1;
        bool u = false;
        bool d = false;
        int tl0 = -1;
        bool flexible = (flags & 0x10) != 0;
        if ((flags & 0x20) != 0)
        {
            if (position >= payload.Length)
            {
                return false;
            }

            byte layer = payload[position++];
            tid = layer >> 5;
            u = (layer & 0x10) != 0;
            sid = (layer >> 1) & 0x07;
            d = (layer & 0x01) != 0;
            if (sid == 0 && d)
            {
                return false;
            }

            if (!flexible)
            {
                if (position >= payload.Length)
                {
                    return false;
                }

                tl0 = payload[position++];
            }
        }

        Span<int> references = stackalloc int[3];
        int referenceCount = 0;
        if (flexible && (flags & 0x40) != 0)
        {
            bool more = true;
            while (more)
            {
                if (referenceCount == 3 || position >= payload.Length)
                {
                    return false;
                }

                byte b = payload[position++];
                if ((b >> 1) == 0)
                {
                    return false;
                }

                references[referenceCount++] = b >> 1;
                more = (b & 0x01) != 0;
            }
        }

        int ssOffset = 0;
        int ssLength = 0;
        if ((flags & 0x02) != 0)
        {
            if (!Vp9ScalabilityStructure.TryParse(payload[position..], out Vp9ScalabilityStructure ss))
            {
                return false;
            }

            ssOffset = position;
            ssLength = ss.Length;
            position += ssLength;
        }

        if (position >= payload.Length)
        {
            return false;
        }

        descriptor = new Vp9PayloadDescriptor
        {
            Flags = flags,
            PictureId = pictureId,
            PictureIdIs15Bits = pid15,
            TemporalId = tid,
            SwitchingUpPoint = u,
            SpatialId = sid,
            InterLayerDependency = d,
            Tl0PicIndex = tl0,
            ReferenceCount = referenceCount,
            Reference1 = references[0],
            Reference2 = references[1],
            Reference3 = references[2],
            ScalabilityStructureOffset = ssOffset,
            ScalabilityStructureLength = ssLength,
            Length = position,
        };
        return true;
    }
}
