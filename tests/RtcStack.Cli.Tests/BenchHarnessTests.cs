using RtcStack.Cli.Commands;
using RtcStack.WebRtc;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>
/// The pairs `bench soak` and `bench churn` run (<see cref="BenchHarness"/>): two <see cref="WebRtcSession"/>s per pair
/// over loopback on one UdpEventLoop, one on the shared socket and one on a socket of its own.
/// </summary>
public sealed class BenchHarnessTests
{
    [Fact]
    public void PairsConnectTalkAndLeaveNothingInTheHosts()
    {
        using var harness = new BenchHarness();
        List<BenchHarness.BenchPair> pairs = harness.Connect(3);
        Assert.Equal(6, harness.HostA.SessionCount + harness.HostB.SessionCount);
        harness.StartMedia(pairs);
        Thread.Sleep(TimeSpan.FromSeconds(1));
        harness.StopMedia();
        Thread.Sleep(TimeSpan.FromMilliseconds(300));
        foreach (BenchHarness.BenchPair p in pairs)
        {
            BenchHarness.PairCounts c = p.Counts();
            Assert.True(c.Sent > 0, "the pair sent nothing");

            // Each session's outbound packetsSent against its peer's inbound packetsReceived, and what the sessions
            // handed to the host's activity callback.
            Assert.Equal(c.Sent, c.Received);
            Assert.Equal(c.Received, p.Received);
            p.Close();
        }

        Assert.Equal(0, harness.HostA.SessionCount + harness.HostB.SessionCount);
        Assert.Equal(0, harness.HostA.RouteCount);
    }

    /// <summary>
    /// The hosted steady path end to end: one pair sends an 80-byte Opus packet each way every 20 ms (from this thread, as
    /// the media clock of a server would, through the cached send delegate), while everything else (receiving from both
    /// sockets, SRTP, RTCP, feedback, timers) runs on the event loop's thread. Allocations are counted on both threads over
    /// half-second windows (the AllocationProbe idea: one-off runtime work and the rarer ICE consent checks stay out of
    /// some windows, a per-packet allocation is in all of them): at least one window of each allocates nothing.
    /// </summary>
    [Fact]
    public void TheHostedSteadyPathAllocatesNothingPerPacket()
    {
        using var harness = new BenchHarness();
        BenchHarness.BenchPair pair = harness.Connect(1)[0];
        uint timestamp = 0;
        void Rounds(int count)
        {
            for (int i = 0; i < count; i++)
            {
                pair.SendOne(timestamp);
                timestamp += 960;
                Thread.Sleep(20);
            }
        }

        Rounds(150);
        long leastLoop = long.MaxValue, leastSender = long.MaxValue;
        long loopBefore = LoopAllocated(harness);
        for (int w = 0; w < 16; w++)
        {
            long senderBefore = GC.GetAllocatedBytesForCurrentThread();
            Rounds(25);
            leastSender = Math.Min(leastSender, GC.GetAllocatedBytesForCurrentThread() - senderBefore);
            long loopAfter = LoopAllocated(harness);
            leastLoop = Math.Min(leastLoop, loopAfter - loopBefore);
            loopBefore = loopAfter;
        }

        Thread.Sleep(300);
        BenchHarness.PairCounts c = pair.Counts();
        Assert.True(c.Sent >= 2 * (150 + (16 * 25)), $"{c.Sent} sent");
        Assert.Equal(c.Sent, c.Received);
        Assert.Equal(0, leastSender);
        Assert.Equal(0, leastLoop);
        pair.Close();
    }

    // What the loop's thread has allocated so far, read on that thread.
    private static long LoopAllocated(BenchHarness harness)
    {
        long bytes = 0;
        using var read = new ManualResetEventSlim();
        harness.Loop.Post(() =>
        {
            bytes = GC.GetAllocatedBytesForCurrentThread();
            read.Set();
        });
        read.Wait();
        return bytes;
    }
}
