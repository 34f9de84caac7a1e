using System.Buffers.Binary;

namespace RtcStack.Video;

/// <summary>
/// The VP8 payload descriptor (RFC 7741 §4.2) that starts every VP8 RTP payload:
/// <c>|X|R|N|S|R| PID |</c>, then, when X is set, <c>|I|L|T|K| RSV |</c> and the PictureID (7 or 15 bits, M bit),
/// TL0PICIDX and <c>|TID|Y| KEYIDX |</c> octets its flags announce. Absent fields are -1.
/// </summary>
/// <param name="NonReference">N: the frame can be discarded without affecting any other frame (RFC 7741 §4.2).</param>
/// <param name="Start">S: the payload starts a VP8 partition.</param>
/// <param name="PartitionIndex">PID: the VP8 partition the payload's first byte belongs to (0-7).</param>
/// <param name="PictureId">PictureID (I = 1): 7 bits when M = 0, 15 bits when M = 1; -1 when absent.</param>
/// <param name="LongPictureId">M: the PictureID is written in 15 bits (two octets).</param>
/// <param name="Tl0PicIndex">TL0PICIDX (L = 1), 0-255; -1 when absent.</param>
/// <param name="TemporalLayer">TID (T = 1), 0-3; -1 when absent.</param>
/// <param name="LayerSync">Y (T = 1): the frame depends only on the base-layer frame with the same TL0PICIDX.</param>
/// <param name="KeyIndex">KEYIDX (K = 1), 0-31; -1 when absent.</param>
public readonly record struct Vp8PayloadDescriptor(
    bool NonReference,
    bool Start,
    int PartitionIndex,
    int PictureId = -1,
    bool LongPictureId = true,
    int Tl0PicIndex = -1,
    int TemporalLayer = -1,
    bool LayerSync = false,
    int KeyIndex = -1)
{
    /// <summary>The longest descriptor: 1 + X + 2 (PictureID) + TL0PICIDX + TID/Y/KEYIDX.</summary>
    public const int MaxLength = 6;

    /// <summary>Gets the descriptor's length in bytes when written (RFC 7741 §4.2).</summary>
    public int Length
    {
        get
        {
            if (!HasExtension)
            {
                return 1;
            }

            int length = 2;
            if (PictureId >= 0)
            {
                length += LongPictureId ? 2 : 1;
            }

            if (Tl0PicIndex >= 0)
            {
                length++;
            }

            if (TemporalLayer >= 0 || KeyIndex >= 0)
            {
                length++;
            }

            return length;
        }
    }

    private bool HasExtension => PictureId >= 0 || Tl0PicIndex >= 0 || TemporalLayer >= 0 || KeyIndex >= 0;

    /// <summary>
    /// Measures the descriptor at the start of <paramref name="payload"/> without reading its fields (RFC 7741 §4.2:
    /// 1 byte, or 2 with X, plus the PictureID of 1 or 2 bytes with I, TL0PICIDX with L, and the TID/Y/KEYIDX byte with
    /// T or K), for a reader that only needs where the VP8 data starts.
    /// </summary>
    /// <returns>False if the payload ends inside the descriptor.</returns>
    public static bool TryGetLength(ReadOnlySpan<byte> payload, out int length)
    {
        length = 0;
        if (payload.IsEmpty)
        {
            return false;
        }

        if ((payload[0] & 0x80) == 0)
        {
            length = 1;
            return true;
        }

        if (payload.Length < 2)
        {
            return false;
        }

        byte ext = payload[1];
        int offset = 2;
        if ((ext & 0x80) != 0)
        {
            if (payload.Length < 3)
            {
                return false;
            }

            offset += (payload[2] & 0x80) != 0 ? 2 : 1;
        }

        if ((ext & 0x40) != 0)
        {
            offset++;
        }

        if ((ext & 0x30) != 0)
        {
            offset++;
        }

        if (payload.Length < offset)
        {
            return false;
        }

        length = offset;
        return true;
    }

    /// <summary>
    /// Reads the descriptor at the start of <paramref name="payload"/> (RFC 7741 §4.2). Reserved bits are ignored, as
    /// the RFC requires of receivers. Never throws.
    /// </summary>
    /// <param name="payload">The RTP payload.</param>
    /// <param name="descriptor">The descriptor read.</param>
    /// <param name="length">The descriptor's length; the VP8 data starts there.</param>
    /// <returns>False if the payload ends inside the descriptor.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor, out int length)
    {
        descriptor = default;
        length = 0;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte first = payload[0];
        bool nonReference = (first & 0x20) != 0;
        bool start = (first & 0x10) != 0;
        int pid = first & 0x07;
        int offset = 1;
        int pictureId = -1;
        bool longPictureId = false;
        int tl0 = -1;
        int tid = -1;
        bool layerSync = false;
        int keyIndex = -1;
        if ((first & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte ext = payload[1];
            offset = 2;
            if ((ext & 0x80) != 0)
            {
                if (payload.Length < offset + 1)
                {
                    return false;
                }

                if ((payload[offset] & 0x80) != 0)
                {
                    if (payload.Length < offset + 2)
                    {
                        return false;
                    }

                    pictureId = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]) & 0x7FFF;
                    longPictureId = true;
                    offset += 2;
                }
                else
                {
                    pictureId = payload[offset] & 0x7F;
                    offset++;
                }
            }

            if ((ext & 0x40) != 0)
            {
                if (payload.Length < offset + 1)
                {
                    return false;
                }

                tl0 = payload[offset];
                offset++;
            }

            bool t = (ext & 0x20) != 0;
            bool k = (ext & 0x10) != 0;
            if (t || k)
            {
                if (payload.Length < offset + 1)
                {
                    return false;
                }

                byte tyk = payload[offset];
                offset++;

                // RFC 7741 §4.2: TID and Y are ignored when T = 0, KEYIDX when K = 0.
                if (t)
                {
                    tid = tyk >> 6;
                    layerSync = (tyk & 0x20) != 0;
                }

                if (k)
                {
                    keyIndex = tyk & 0x1F;
                }
            }
        }

        descriptor = new Vp8PayloadDescriptor(nonReference, start, pid, pictureId, longPictureId, tl0, tid, layerSync, keyIndex);
        length = offset;
        return true;
    }

    /// <summary>Writes the descriptor (RFC 7741 §4.2) into <paramref name="destination"/>; reserved bits are zero.</summary>
    /// <returns>The bytes written, or 0 if <paramref name="destination"/> is shorter than <see cref="Length"/>.</returns>
    public int Write(Span<byte> destination)
    {
        int length = Length;
        if (destination.Length < length)
        {
            return 0;
        }

        bool extension = HasExtension;
        destination[0] = (byte)((extension ? 0x80 : 0) | (NonReference ? 0x20 : 0) | (Start ? 0x10 : 0) | (PartitionIndex & 0x07));
        if (!extension)
        {
            return 1;
        }

        bool tk = TemporalLayer >= 0 || KeyIndex >= 0;
        destination[1] = (byte)((PictureId >= 0 ? 0x80 : 0) | (Tl0PicIndex >= 0 ? 0x40 : 0) | (TemporalLayer >= 0 ? 0x20 : 0) | (KeyIndex >= 0 ? 0x10 : 0));
        int offset = 2;
        if (PictureId >= 0)
        {
            if (LongPictureId)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)(0x8000 | (PictureId & 0x7FFF)));
                offset += 2;
            }
            else
            {
                destination[offset++] = (byte)(PictureId & 0x7F);
            }
        }

        if (Tl0PicIndex >= 0)
        {
            destination[offset++] = (byte)Tl0PicIndex;
        }

        if (tk)
        {
            int tid = TemporalLayer >= 0 ? TemporalLayer & 0x03 : 0;
            destination[offset++] = (byte)((tid << 6) | (TemporalLayer >= 0 && LayerSync ? 0x20 : 0) | (KeyIndex >= 0 ? KeyIndex & 0x1F : 0));
        }

        return offset;
    }
}
