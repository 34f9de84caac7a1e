namespace RtcStack.TestSupport;

/// <summary>
/// Measures what a steady path allocates on the current thread, robust to one-off runtime work. A loaded CI machine
/// showed a few KB appearing once inside a measured loop of code that allocates nothing per call (tiered JIT and call
/// counting catching up late); an allocation per call shows in every chunk. So the loop is cut into chunks, each
/// measured, and the smallest is returned: 0 means there is a stretch of the steady path that allocated nothing at
/// all, and a per-call allocation of even one byte makes every chunk non-zero.
/// </summary>
public static class AllocationProbe
{
    /// <summary>Runs <paramref name="body"/> for each i in [<paramref name="from"/>, <paramref name="to"/>) in <paramref name="chunks"/> measured chunks; returns the least any chunk allocated, in bytes.</summary>
    public static long LeastPerChunk(int from, int to, int chunks, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(to - from, chunks);
        long least = long.MaxValue;
        int size = (to - from) / chunks;
        for (int c = 0; c < chunks; c++)
        {
            int start = from + (c * size);
            int end = c == chunks - 1 ? to : start + size;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = start; i < end; i++)
            {
                body(i);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
