using Xunit;

namespace RtcStack.Rtp.Tests;

public class ReceivedSequenceHistoryTests
{
    [Theory]
    [InlineData(64, 64)]
    [InlineData(4096, 64)]
    [InlineData(65536, 64)]
    [InlineData(4096, 4096)]
    public void RemembersExactlyTheMarkedNumbersWithinMaxSize_WhileGrowing(int maxSize, int initialSize)
    {
        // Model: a set of every number marked; remembered while highest − n < maxSize.
        for (int seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var history = new ReceivedSequenceHistory(maxSize, initialSize);
            var marked = new HashSet<long>();
            long highest = random.Next(-1000, 1000);
            history.Mark(highest, highest);
            marked.Add(highest);
            for (int i = 0; i < 3000; i++)
            {
                int kind = random.Next(10);
                if (kind < 6)
                {
                    long next = highest + 1 + (random.Next(4) == 0 ? random.Next(maxSize * 2) : random.Next(3));
                    history.Advance(highest, next);
                    highest = next;
                    marked.Add(next);
                }
                else if (kind < 9)
                {
                    long late = highest - 1 - random.Next(maxSize + 100);
                    history.Mark(late, highest);
                    if (highest - late < maxSize)
                    {
                        marked.Add(late);
                    }
                }
                else
                {
                    history.Clear();
                    marked.Clear();
                    history.Mark(highest, highest);
                    marked.Add(highest);
                }

                for (int probe = 0; probe < 8; probe++)
                {
                    long n = highest - random.Next(Math.Min(maxSize * 2, 70000));
                    bool expected = marked.Contains(n) && highest - n < maxSize;
                    Assert.True(expected == history.Contains(n, highest), $"seed {seed} step {i}: {n} below highest {highest}, expected {expected}");
                }
            }
        }
    }

    [Fact]
    public void StartsSmall_AndGrowsOnlyAsTheStreamDoes()
    {
        var history = new ReceivedSequenceHistory(65536, 64);
        history.Mark(5, 5);
        Assert.True(history.Contains(5, 5));
        history.Advance(5, 5 + 1000);          // span 1001: grows to 1024, 5 still remembered
        Assert.True(history.Contains(5, 1005));
        Assert.False(history.Contains(6, 1005));
        history.Advance(1005, 5 + 65535);      // still inside 65536
        Assert.True(history.Contains(5, 65540));
        history.Advance(65540, 65541);         // 5 is now 65536 behind: forgotten
        Assert.False(history.Contains(5, 65541));
        Assert.True(history.Contains(1005, 65541));
    }
}
