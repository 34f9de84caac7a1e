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

            // Round robin and strict priority ignore the bytes; charging uneven amounts shows it.
            s.Charge(id, 100 + (1000 * id));
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

    /// <summary>Round robin stays the default scheduler of an association.</summary>
    [Fact]
    public void RoundRobin_IsTheDefault()
    {
        Assert.Equal(SctpStreamSchedulerKind.RoundRobin, new SctpAssociationOptions().StreamScheduler);
    }

    /// <summary>
    /// RFC 8260 §3.6 with the RFC 8831 §6.4 weights: two streams with data all along, turns of <paramref name="unit"/>
    /// bytes (or random sizes up to it when negative): after every turn each stream's bytes are within one turn's bytes
    /// of its weighted share of all bytes sent so far, and at the end within 1 % of it.
    /// </summary>
    [Theory]
    [InlineData(256, 256, 1000)]
    [InlineData(128, 256, 1000)]
    [InlineData(256, 1024, 1000)]
    [InlineData(1024, 128, 1000)]
    [InlineData(512, 256, -1200)]
    [InlineData(1, 65535, -1200)]
    [InlineData(0, 256, 1000)]
    public void WeightedFairQueueing_TwoBackloggedStreams_BytesFollowTheWeights(int w1, int w2, int unit)
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.WeightedFairQueueing);
        s.SetPriority(1, (ushort)w1);
        s.SetPriority(2, (ushort)w2);
        s.Add(1);
        s.Add(2);
        var random = new Random(7);
        int max = Math.Abs(unit);
        double weight1 = Math.Max(1, w1), weight2 = Math.Max(1, w2);
        long b1 = 0, b2 = 0;
        double worst = 0;
        for (int turn = 0; turn < 20_000; turn++)
        {
            Assert.True(s.TryNext(out ushort id));
            int bytes = unit > 0 ? unit : 1 + random.Next(max);
            s.Charge(id, bytes);
            s.Add(id);
            if (id == 1)
            {
                b1 += bytes;
            }
            else
            {
                b2 += bytes;
            }

            double share1 = (b1 + b2) * weight1 / (weight1 + weight2);
            worst = Math.Max(worst, Math.Abs(b1 - share1));
            Assert.True(Math.Abs(b1 - share1) <= max, $"turn {turn}: stream 1 has {b1} B, its share is {share1:F0} B (stream 2 {b2} B)");
        }

        double total = b1 + b2;
        Assert.InRange(b1 / total, (weight1 / (weight1 + weight2)) - 0.01, (weight1 / (weight1 + weight2)) + 0.01);
        Assert.True(worst > 0);
    }

    /// <summary>
    /// RFC 8831 §6.4's four levels at once (128, 256, 512, 1024), all with data: bytes go 1/15, 2/15, 4/15, 8/15 exactly
    /// at the end, and after every turn each stream is within max(1, n × weight / total weights) turns of its share.
    /// </summary>
    [Fact]
    public void WeightedFairQueueing_FourLevels_ShareAsHalfOneTwoFour()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.WeightedFairQueueing);
        ushort[] weights = [128, 256, 512, 1024];
        long[] bytes = new long[4];
        for (ushort id = 0; id < 4; id++)
        {
            s.SetPriority(id, weights[id]);
            s.Add(id);
        }

        for (int turn = 0; turn < 15_000; turn++)
        {
            Assert.True(s.TryNext(out ushort id));
            s.Charge(id, 1000);
            s.Add(id);
            bytes[id] += 1000;
            long total = bytes.Sum();
            for (int i = 0; i < 4; i++)
            {
                double share = total * weights[i] / 1920.0;
                // Each stream's bytes / weight lie within one turn of the virtual time, so the error is below the larger
                // of one turn and n turns times its weight's fraction (2.13 turns for 1024 of 1,920).
                double bound = Math.Max(1000, 4 * 1000 * weights[i] / 1920.0) + 1;
                Assert.True(Math.Abs(bytes[i] - share) <= bound, $"turn {turn}: stream {i} {bytes[i]} B, share {share:F0} B");
            }
        }

        Assert.Equal([1_000_000, 2_000_000, 4_000_000, 8_000_000], bytes);
    }

    /// <summary>
    /// A stream that had nothing to send saves up no credit: stream 1 alone for 100 turns, then stream 2 (same weight)
    /// joins and they alternate rather than stream 2 taking 100 turns in a row.
    /// </summary>
    [Fact]
    public void WeightedFairQueueing_AnIdleStreamSavesNoCredit()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.WeightedFairQueueing);
        s.Add(1);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(s.TryNext(out ushort id));
            Assert.Equal(1, id);
            s.Charge(id, 1000);
            s.Add(id);
        }

        s.Add(2);
        var order = new List<ushort>();
        for (int i = 0; i < 20; i++)
        {
            Assert.True(s.TryNext(out ushort id));
            order.Add(id);
            s.Charge(id, 1000);
            s.Add(id);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ushort)(i % 2 == 0 ? 2 : 1)), order);
    }

    /// <summary>A weight changed while the stream has data counts from its next turn: 1:1, then 1:3.</summary>
    [Fact]
    public void WeightedFairQueueing_WeightChange_TakesEffect()
    {
        var s = new StreamScheduler(SctpStreamSchedulerKind.WeightedFairQueueing);
        s.Add(1);
        s.Add(2);
        var counts = new int[3];
        for (int i = 0; i < 400; i++)
        {
            if (i == 200)
            {
                counts = new int[3];
                s.SetPriority(2, 768);
            }

            Assert.True(s.TryNext(out ushort id));
            counts[id]++;
            s.Charge(id, 1000);
            s.Add(id);
        }

        Assert.InRange(counts[2], 148, 152);
        Assert.InRange(counts[1], 48, 52);
    }

    /// <summary>The per-fragment scheduling of I-DATA allocates nothing once each priority level in use has its queue.</summary>
    [Theory]
    [InlineData(SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(SctpStreamSchedulerKind.Priority)]
    [InlineData(SctpStreamSchedulerKind.WeightedFairQueueing)]
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
            s.Charge(id, 1 + (i % 1200));
            s.Add(id);
        }

        for (int i = 0; i < 1000; i++)
        {
            Turn(i);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 100_000, 10, Turn));
    }
}
