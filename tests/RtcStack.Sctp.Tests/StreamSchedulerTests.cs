using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Sctp.Tests;

/// <summary>The stream schedulers of RFC 8260 §3 on their own: turn order and allocation.</summary>
public class StreamSchedulerTests
{
    private static List<ushort> Serve(StreamScheduler s, Dictionary<ushort, int> units)
    {
        var order = new List<ushort>();
        while (s.TryNext(out ushort id))
        {
            order.Add(id);
            if (--units[id] > 0)
            {
                s.Add(id);
            }
        }

        return order;
    }

    /// <summary>RFC 8260 §3.2: streams with data take one turn each, in the order they became ready, until empty.</summary>
    [Fact]
    public void RoundRobin_TakesTurns_AndIgnoresPriorities()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.RoundRobin);
        s.SetPriority(9, 1000);
        s.Add(5);
        s.Add(9);
        s.Add(7);
        Assert.Equal([5, 9, 7, 5, 9, 5], Serve(s, new() { [5] = 3, [9] = 2, [7] = 1 }));
        Assert.True(s.IsEmpty);
    }

    /// <summary>
    /// RFC 8260 §3.4, strict: the highest priority with data always goes first (higher value first, as DCEP's); equal
    /// priorities take turns; unset streams have 256.
    /// </summary>
    [Fact]
    public void Priority_IsStrict_WithRoundRobinWithinALevel()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.Priority);
        s.SetPriority(1, 128);
        s.SetPriority(2, 1024);
        s.SetPriority(3, 1024);
        Assert.Equal((ushort)256, s.GetPriority(4));
        s.Add(1);
        s.Add(4);
        s.Add(2);
        s.Add(3);
        Assert.Equal([2, 3, 2, 3, 4, 4, 1, 1], Serve(s, new() { [1] = 2, [2] = 2, [3] = 2, [4] = 2 }));
    }

    /// <summary>A priority changed while the stream waits takes effect at its next turn.</summary>
    [Fact]
    public void Priority_ChangedWhileQueued_MovesTheStream()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.Priority);
        s.Add(1);
        s.Add(2);
        s.SetPriority(2, 512);
        Assert.True(s.TryNext(out ushort first));
        Assert.Equal(2, first);
        s.SetPriority(2, 256);
        s.SetPriority(1, 100);
        s.Add(2);
        Assert.Equal([2, 1], Serve(s, new() { [1] = 1, [2] = 1 }));
        Assert.True(s.IsEmpty);
    }

    /// <summary>The per-fragment scheduling of I-DATA allocates nothing once each priority level in use has its queue.</summary>
    [Theory]
    [InlineData(SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(SctpStreamSchedulerKind.Priority)]
    public void SteadyState_AllocatesNothing(SctpStreamSchedulerKind kind)
    {
        var s = new StreamScheduler(kind);
        for (ushort id = 0; id < 8; id++)
        {
            s.SetPriority(id, (ushort)(128 << (id % 3)));
            s.Add(id);
        }

        void Turn(int i)
        {
            Assert.True(s.TryNext(out ushort id));
            s.Add(id);
        }

        for (int i = 0; i < 1000; i++)
        {
            Turn(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 100_000, 10, Turn));
    }
}
