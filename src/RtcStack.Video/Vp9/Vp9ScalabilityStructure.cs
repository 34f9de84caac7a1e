namespace RtcStack.Video;

/// <summary>One picture of a VP9 picture group (RFC 9628 §4.2.1): its temporal layer, switching-up point and references.</summary>
/// <param name="TemporalId">TID of the picture.</param>
/// <param name="SwitchingUpPoint">U: switching up to a higher temporal layer is possible at this picture.</param>
/// <param name="ReferenceCount">R: the number of P_DIFFs (0-3).</param>
/// <param name="Reference1">The first P_DIFF (0 when absent).</param>
/// <param name="Reference2">The second P_DIFF (0 when absent).</param>
/// <param name="Reference3">The third P_DIFF (0 when absent).</param>
public readonly record struct Vp9PictureGroupEntry(int TemporalId, bool SwitchingUpPoint, int ReferenceCount, int Reference1, int Reference2, int Reference3);

/// <summary>
/// A view of the VP9 scalability structure (SS) of a payload descriptor with V=1 (RFC 9628 §4.2.1):
/// <c>|N_S|Y|G|-|-|-|</c>, N_S+1 WIDTH/HEIGHT pairs when Y=1, and when G=1 N_G and the picture group
/// (<c>|TID|U| R |-|-|</c> and R P_DIFF octets per picture).
/// </summary>
public readonly ref struct Vp9ScalabilityStructure
{
    private readonly ReadOnlySpan<byte> _data;

    private Vp9ScalabilityStructure(ReadOnlySpan<byte> data, int pictureGroupOffset)
    {
        _data = data;
        PictureGroupOffset = pictureGroupOffset;
    }

    /// <summary>Gets N_S + 1: the number of spatial layers (1-8).</summary>
    public int SpatialLayerCount => (_data[0] >> 5) + 1;

    /// <summary>Gets Y: each spatial layer's frame resolution is present.</summary>
    public bool HasResolutions => (_data[0] & 0x10) != 0;

    /// <summary>Gets G: the picture group description is present.</summary>
    public bool HasPictureGroup => (_data[0] & 0x08) != 0;

    /// <summary>Gets N_G: the number of pictures in the picture group (0 without G).</summary>
    public int PictureGroupSize => HasPictureGroup ? _data[PictureGroupOffset] : 0;

    /// <summary>Gets the bytes of the structure.</summary>
    public int Length => _data.Length;

    private int PictureGroupOffset { get; }

    /// <summary>Gets WIDTH of spatial layer <paramref name="layer"/> (0 without resolutions).</summary>
    public int GetWidth(int layer) => HasResolutions && (uint)layer < (uint)SpatialLayerCount ? (_data[1 + (4 * layer)] << 8) | _data[2 + (4 * layer)] : 0;

    /// <summary>Gets HEIGHT of spatial layer <paramref name="layer"/> (0 without resolutions).</summary>
    public int GetHeight(int layer) => HasResolutions && (uint)layer < (uint)SpatialLayerCount ? (_data[3 + (4 * layer)] << 8) | _data[4 + (4 * layer)] : 0;

    /// <summary>Gets picture <paramref name="index"/> of the picture group; false if there is no such picture.</summary>
    public bool TryGetPictureGroupEntry(int index, out Vp9PictureGroupEntry entry)
    {
        entry = default;
        if ((uint)index >= (uint)PictureGroupSize)
        {
            return false;
        }

        int position = PictureGroupOffset + 1;
        for (int i = 0; i < index; i++)
        {
            position += 1 + ((_data[position] >> 2) & 0x03);
        }

        byte b = _data[position];
        int r = (b >> 2) & 0x03;
        entry = new Vp9PictureGroupEntry(
            b >> 5,
            (b & 0x10) != 0,
            r,
            r > 0 ? _data[position + 1] : 0,
            r > 1 ? _data[position + 2] : 0,
            r > 2 ? _data[position + 3] : 0);
        return true;
    }

    /// <summary>Reads the structure at the start of <paramref name="source"/>; false if it is cut short.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out Vp9ScalabilityStructure structure)
    {
        structure = default;
        if (source.IsEmpty)
        {
            return false;
        }

        byte b = source[0];
        int position = 1;
        if ((b & 0x10) != 0)
        {
            position += 4 * ((b >> 5) + 1);
        }

        int pictureGroupOffset = position;
        if ((b & 0x08) != 0)
        {
            if (position >= source.Length)
            {
                return false;
            }

            int count = source[position++];
            for (int i = 0; i < count; i++)
            {
                if (position >= source.Length)
                {
                    return false;
                }

                position += 1 + ((source[position] >> 2) & 0x03);
            }
        }

        if (position > source.Length)
        {
            return false;
        }

        structure = new Vp9ScalabilityStructure(source[..position], pictureGroupOffset);
        return true;
    }
}
