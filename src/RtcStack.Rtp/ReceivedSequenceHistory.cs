using System.Numerics;

namespace RtcStack.Rtp;

/// <summary>
/// Which extended sequence numbers up to the highest received have been seen, for telling
/// duplicates from late packets. A ring of bits indexed by the extended sequence number modulo its
/// capacity remembers the <c>maxSize</c> numbers up to the highest. It may start smaller and
/// double as the span from the lowest number marked to the highest grows, so that a stream that
/// never gets long (a capture holds many one- or two-packet "streams" of UDP noise) never pays for
/// the full ring; until it reaches <c>maxSize</c> it covers every number marked, so growing loses
/// nothing.
/// </summary>
internal sealed class ReceivedSequenceHistory
{
    private readonly int _maxSize;
    private ulong[] _bits;
    private long _lowestMarked = long.MaxValue;

    /// <param name="maxSize">Numbers remembered up to the highest: a power of two, at least 64.</param>
    /// <param name="initialSize">Capacity allocated at first: a power of two from 64 to <paramref name="maxSize"/>.</param>
    public ReceivedSequenceHistory(int maxSize, int initialSize)
    {
        if (maxSize < 64 || !int.IsPow2(maxSize))
        {
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "must be a power of two, at least 64");
        }

        if (initialSize < 64 || initialSize > maxSize || !int.IsPow2(initialSize))
        {
            throw new ArgumentOutOfRangeException(nameof(initialSize), initialSize, "must be a power of two from 64 to maxSize");
        }

        _maxSize = maxSize;
        _bits = new ulong[initialSize / 64];
    }

    private int Capacity => _bits.Length * 64;

    /// <summary>Forgets every number (a new base, RFC 3550 A.1 init_seq).</summary>
    public void Clear()
    {
        Array.Clear(_bits);
        _lowestMarked = long.MaxValue;
    }

    /// <summary>
    /// The highest moves from <paramref name="previousHighest"/> to <paramref name="newHighest"/>
    /// and is marked; the slots in between still hold bits from a capacity earlier, so they are cleared.
    /// </summary>
    public void Advance(long previousHighest, long newHighest)
    {
        EnsureCovers(Math.Min(_lowestMarked, newHighest), newHighest, previousHighest);
        int capacity = Capacity;
        long from = Math.Max(previousHighest + 1, newHighest - capacity + 1);
        for (long e = from; e < newHighest; e++)
        {
            Clear(_bits, e, capacity);
        }

        Set(_bits, newHighest, capacity);
        _lowestMarked = Math.Min(_lowestMarked, newHighest);
    }

    /// <summary>Marks <paramref name="extended"/>, at most <paramref name="highest"/> (the base, or a late packet).</summary>
    public void Mark(long extended, long highest)
    {
        EnsureCovers(Math.Min(_lowestMarked, extended), highest, highest);
        if (highest - extended < Capacity)
        {
            Set(_bits, extended, Capacity);
            _lowestMarked = Math.Min(_lowestMarked, extended);
        }
    }

    /// <summary>Whether <paramref name="extended"/> (at most <paramref name="highest"/>) was marked and is still remembered.</summary>
    public bool Contains(long extended, long highest) =>
        highest - extended < Capacity && IsSet(_bits, extended, Capacity);

    // Before the window moves to end at `high`, grow (up to _maxSize) so that it also reaches
    // `low`; the current bits describe the window ending at `currentHighest`.
    private void EnsureCovers(long low, long high, long currentHighest)
    {
        int capacity = Capacity;
        if (capacity >= _maxSize || high - low < capacity)
        {
            return;
        }

        int grownCapacity = (int)Math.Min((ulong)_maxSize, BitOperations.RoundUpToPowerOf2((ulong)(high - low + 1)));
        var grown = new ulong[grownCapacity / 64];
        for (long e = Math.Max(_lowestMarked, currentHighest - capacity + 1); e <= currentHighest; e++)
        {
            if (IsSet(_bits, e, capacity))
            {
                Set(grown, e, grownCapacity);
            }
        }

        _bits = grown;
    }

    private static bool IsSet(ulong[] bits, long extended, int capacity)
    {
        int slot = (int)(extended & (capacity - 1));
        return (bits[slot >> 6] & (1UL << (slot & 63))) != 0;
    }

    private static void Set(ulong[] bits, long extended, int capacity)
    {
        int slot = (int)(extended & (capacity - 1));
        bits[slot >> 6] |= 1UL << (slot & 63);
    }

    private static void Clear(ulong[] bits, long extended, int capacity)
    {
        int slot = (int)(extended & (capacity - 1));
        bits[slot >> 6] &= ~(1UL << (slot & 63));
    }
}
