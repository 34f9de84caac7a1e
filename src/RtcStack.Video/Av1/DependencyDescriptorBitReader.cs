namespace RtcStack.Video;

/// <summary>
/// Reads the bit fields of a dependency descriptor (AV1 RTP Appendix A.8.2): f(n) high bit first, and ns(n).
/// Reading past the end sets <see cref="Overrun"/> and yields zeros, so a parser checks once at the end of a section.
/// </summary>
internal ref struct DependencyDescriptorBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public DependencyDescriptorBitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public bool Overrun { get; private set; }

    /// <summary>f(n), n ≤ 32.</summary>
    public uint ReadBits(int n)
    {
        uint value = 0;
        for (int i = 0; i < n; i++)
        {
            value = (value << 1) | ReadBit();
        }

        return value;
    }

    public bool ReadFlag() => ReadBit() != 0;

    /// <summary>ns(n): a non-symmetric unsigned value in 0..n-1 (A.8.2).</summary>
    public uint ReadNonSymmetric(uint n)
    {
        if (n <= 1)
        {
            return 0;
        }

        int w = 0;
        for (uint x = n; x != 0; x >>= 1)
        {
            w++;
        }

        uint m = (1u << w) - n;
        uint v = ReadBits(w - 1);
        if (v < m)
        {
            return v;
        }

        uint extra = ReadBit();
        return (v << 1) - m + extra;
    }

    private uint ReadBit()
    {
        if (_position >= _data.Length * 8)
        {
            Overrun = true;
            return 0;
        }

        int bit = (_data[_position >> 3] >> (7 - (_position & 7))) & 1;
        _position++;
        return (uint)bit;
    }
}
