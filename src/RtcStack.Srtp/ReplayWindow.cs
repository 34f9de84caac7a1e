namespace RtcStack.Srtp;

/// <summary>
/// The sliding replay list of RFC 3711 §3.3.2: the highest authenticated index and a bitmap of the
/// <see cref="Size"/> indices below it. <see cref="Check"/> never changes anything; only
/// <see cref="Commit"/> does, and only after the packet authenticated.
/// </summary>
internal sealed class ReplayWindow
{
    private readonly ulong[] _bits;
    private readonly ulong _mask;

    public ReplayWindow(int size)
    {
        Size = size;

        // Round the bitmap up to a power of two so index → bit is a mask; it holds at least Size bits.
        int words = 1;
        while (words * 64 < size)
        {
            words <<= 1;
        }

        _bits = new ulong[words];
        _mask = (ulong)(words * 64) - 1;
    }

    /// <summary>Gets the window size in packets.</summary>
    public int Size { get; }

    /// <summary>Gets a value indicating whether any index was committed.</summary>
    public bool HasHighest { get; private set; }

    /// <summary>Gets the highest committed index.</summary>
    public ulong Highest { get; private set; }

    /// <summary>Classifies <paramref name="index"/>: new, already seen, or older than the window.</summary>
    public SrtpStatus Check(ulong index)
    {
        if (!HasHighest || index > Highest)
        {
            return SrtpStatus.Ok;
        }

        ulong delta = Highest - index;
        if (delta >= (ulong)Size)
        {
            return SrtpStatus.TooOld;
        }

        return IsSet(index) ? SrtpStatus.Replayed : SrtpStatus.Ok;
    }

    /// <summary>Records <paramref name="index"/> as received. Call only after <see cref="Check"/> returned Ok and the packet authenticated.</summary>
    public void Commit(ulong index)
    {
        if (!HasHighest)
        {
            HasHighest = true;
            Highest = index;
            Set(index);
            return;
        }

        if (index > Highest)
        {
            ulong advance = index - Highest;
            if (advance >= (ulong)_bits.Length * 64)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (ulong i = Highest + 1; i <= index; i++)
                {
                    _bits[(i & _mask) >> 6] &= ~(1UL << (int)(i & 63));
                }
            }

            Highest = index;
        }

        Set(index);
    }

    /// <summary>Forgets everything (used when the ROC is set by signalling).</summary>
    public void Reset(ulong highest, bool hasHighest)
    {
        Array.Clear(_bits);
        Highest = highest;
        HasHighest = hasHighest;
        if (hasHighest)
        {
            Set(highest);
        }
    }

    private bool IsSet(ulong index) => (_bits[(index & _mask) >> 6] & (1UL << (int)(index & 63))) != 0;

    private void Set(ulong index) => _bits[(index & _mask) >> 6] |= 1UL << (int)(index & 63);
}
