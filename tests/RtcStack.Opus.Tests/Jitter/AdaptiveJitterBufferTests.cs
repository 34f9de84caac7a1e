using RtcStack.Opus.Jitter;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>The jitter buffer's decisions, resets and statistics, driven in virtual time with a fake decoder.</summary>
public sealed class AdaptiveJitterBufferTests
{
    private static JitterBufferOptions Fixed(int delayMs) => new() { Adaptive = false, InitialDelay = TimeSpan.FromMilliseconds(delayMs) };

    [Fact]
    public void SteadyStreamPlaysEveryPacketInOrder()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(50, _ => 5);
        h.RunUntilDecoded(50);
        h.Tick();

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(50, s.PacketsDecoded);
        Assert.Equal(0, s.ConcealedSamples);
        Assert.Equal(50 * 960, s.JitterBufferEmittedCount);
        Assert.DoesNotContain(JitterBufferDecision.Expand, h.Decisions);

        // Playout starts at the first tick 40 ms after the first arrival (5 ms): tick 50; from there the output is the
        // tone with the phase of timestamp 0, sample for sample.
        int start = h.Decisions.IndexOf(JitterBufferDecision.Normal);
        Assert.Equal(5, start);
        for (int i = 0; i < 50 * 960; i++)
        {
            Assert.Equal(FakeJitterDecoder.ToneAt(i, 48000), h.Output[(start * 480) + i]);
        }
    }

    [Fact]
    public void MissingPacketIsExpandedByTheDecoder()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(30, _ => 0, skip: k => k == 10);
        h.RunUntilDecoded(29);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.Expand, h.Decisions);
        Assert.Equal(960, s.ConcealedSamples);
        Assert.Equal(0, s.SilentConcealedSamples);
        Assert.Equal(1, s.ConcealmentEvents);
        Assert.Equal(29, s.PacketsDecoded);
        Assert.True(h.Decoder.Conceals >= 1);
    }

    [Fact]
    public void MissingPacketIsRebuiltFromTheNextPacketsFec()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(30, _ => 0, skip: k => k == 10, fec: _ => true);
        h.RunUntilDecoded(29);
        h.Tick();

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.Fec, h.Decisions);
        Assert.DoesNotContain(JitterBufferDecision.Expand, h.Decisions);
        Assert.Equal(960, s.FecSamples);
        Assert.Equal(0, s.ConcealedSamples);
        Assert.Equal(1, h.Decoder.FecDecodes);

        // FEC rebuilt the exact samples of the lost packet: the output is the unbroken tone.
        int start = h.Decisions.IndexOf(JitterBufferDecision.Normal);
        for (int i = 0; i < 30 * 960; i++)
        {
            Assert.Equal(FakeJitterDecoder.ToneAt(i, 48000), h.Output[(start * 480) + i]);
        }
    }

    [Fact]
    public void TwoLostPacketsAreConcealedThenFecRebuildsTheSecond()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(30, _ => 0, skip: k => k is 10 or 11, fec: _ => true);
        h.RunUntilDecoded(28);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(960, s.ConcealedSamples);
        Assert.Equal(960, s.FecSamples);
    }

    [Fact]
    public void DtxGapGetsComfortNoiseNotLossConcealment()
    {
        // Ten packets, a DTX packet (one byte), then 400 ms later speech resumes with the next sequence number:
        // RFC 7587 §3.4 says the timestamps advance while nothing is sent.
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(10, _ => 0);
        h.Add(200, 10, 9600, [20]);
        for (int k = 0; k < 10; k++)
        {
            uint ts = (uint)(9600 + 960 + (400 * 48) + (k * 960));
            h.Add(220 + 400 + (20 * k), (ushort)(11 + k), ts, FakeJitterDecoder.Packet(ts));
        }

        h.RunUntilDecoded(21);
        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.ComfortNoise, h.Decisions);
        Assert.DoesNotContain(JitterBufferDecision.Expand, h.Decisions);
        Assert.Equal(400 * 48, s.SilentConcealedSamples);
        Assert.Equal(s.SilentConcealedSamples, s.ConcealedSamples);
        Assert.Equal(21, s.PacketsDecoded);
    }

    [Fact]
    public void HighDelayIsLoweredByAcceleration()
    {
        var options = new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(120) };
        var (buffer, h) = JitterHarness.Create(options);
        h.AddStream(200, _ => 3);
        h.RunUntilDecoded(200);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.Accelerate, h.Decisions);
        Assert.True(s.RemovedSamplesForAcceleration > 80 * 48, $"removed {s.RemovedSamplesForAcceleration}");
        Assert.Equal(0, s.ConcealedSamples);
        Assert.Equal(200, s.PacketsDecoded);

        // No jitter: the target is the first histogram bucket, and the delay ends within the acceleration margin of it.
        Assert.True(s.TargetDelay <= TimeSpan.FromMilliseconds(1), $"target {s.TargetDelay}");
        Assert.True(s.CurrentDelay <= TimeSpan.FromMilliseconds(20), $"delay {s.CurrentDelay}");
        AssertContinuous(h.Output, maxStep: 1200);
    }

    [Fact]
    public void LowDelayIsRaisedByDecelerationToTheMinimum()
    {
        var options = new JitterBufferOptions { InitialDelay = TimeSpan.Zero, MinimumDelay = TimeSpan.FromMilliseconds(60) };
        var (buffer, h) = JitterHarness.Create(options);
        h.AddStream(200, _ => 3);
        h.RunUntilDecoded(200);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Contains(JitterBufferDecision.Decelerate, h.Decisions);
        Assert.True(s.InsertedSamplesForDeceleration >= 50 * 48, $"inserted {s.InsertedSamplesForDeceleration}");
        Assert.Equal(TimeSpan.FromMilliseconds(60), s.TargetDelay);
        Assert.InRange(s.CurrentDelay.TotalMilliseconds, 55, 70);
        Assert.Equal(0, s.ConcealedSamples);
        AssertContinuous(h.Output, maxStep: 1200);
    }

    [Fact]
    public void NewSsrcResetsTheBuffer()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(60));
        h.AddStream(20, _ => 0);
        h.Run(200);
        Assert.True(buffer.Statistics.PacketsBuffered > 0);
        int buffered = buffer.Statistics.PacketsBuffered;

        JitterBufferInsertResult result = buffer.Insert(2, 5000, 123456, TimeSpan.FromMilliseconds(205), FakeJitterDecoder.Packet(123456));
        Assert.Equal(JitterBufferInsertResult.StoredAfterReset, result);
        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(1, s.Resets);
        Assert.Equal(buffered, s.PacketsFlushed);
        Assert.Equal(1, s.PacketsBuffered);
        Assert.Equal(1, h.Decoder.Resets);
    }

    [Fact]
    public void TimestampJumpResetsTheBufferAndPlaysTheNewStream()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(20, _ => 0);
        h.AddStream(20, k => 400, firstSequence: 20, firstTimestamp: 48000 * 60); // 60 s ahead
        h.Run(1500);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(1, s.Resets);
        Assert.Contains(JitterBufferInsertResult.StoredAfterReset, h.InsertResults);
        Assert.Equal(40, s.PacketsDecoded + s.PacketsFlushed);
        Assert.True(s.PacketsDecoded >= 38, $"decoded {s.PacketsDecoded}");
    }

    [Fact]
    public void LatePacketIsDiscardedAndCounted()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(30, k => k == 10 ? 200 : 0);
        h.RunUntilDecoded(29);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(1, s.PacketsDiscardedLate);
        Assert.Contains(JitterBufferInsertResult.Late, h.InsertResults);
        Assert.Equal(960, s.ConcealedSamples);
        Assert.Equal(29, s.PacketsDecoded);
    }

    [Fact]
    public void AdaptiveBufferHoldsThroughADelaySpikeAndPlaysThePacketsBehindIt()
    {
        // Packets 20..29 are held 150 ms (a stall) and arrive together: an adaptive buffer conceals while it waits
        // and then plays all of them; a fixed one discards the ones whose time has passed.
        static double Spike(int k) => k is >= 20 and < 30 ? 150 - ((k - 20) * 20) : 0;

        var (adaptive, a) = JitterHarness.Create(new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(40) });
        a.AddStream(150, Spike);
        a.RunUntilDecoded(150);
        Assert.Equal(150, adaptive.Statistics.PacketsDecoded);
        Assert.Equal(0, adaptive.Statistics.PacketsDiscardedLate);
        Assert.True(adaptive.Statistics.RemovedSamplesForAcceleration > 0);

        var (fixedBuffer, f) = JitterHarness.Create(Fixed(40));
        f.AddStream(150, Spike);
        f.Run(3200);
        Assert.True(fixedBuffer.Statistics.PacketsDiscardedLate >= 5, $"late {fixedBuffer.Statistics.PacketsDiscardedLate}");
    }

    [Fact]
    public void DuplicateIsDiscardedAndCounted()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(60));
        h.AddStream(10, _ => 0);
        h.Add(1, 0, 0, FakeJitterDecoder.Packet(0));
        h.Run(400);
        Assert.Equal(1, buffer.Statistics.PacketsDuplicate);
        Assert.Equal(10, buffer.Statistics.PacketsDecoded);
    }

    [Fact]
    public void ReorderedPacketsPlayInTimestampOrder()
    {
        var (buffer, h) = JitterHarness.Create(Fixed(60));
        h.AddStream(40, k => k % 2 == 0 ? 25 : 0); // every even packet overtaken by the odd one after it
        h.RunUntilDecoded(40);
        h.Tick();

        Assert.Equal(0, buffer.Statistics.ConcealedSamples);
        int start = h.Decisions.IndexOf(JitterBufferDecision.Normal);
        for (int i = 0; i < 40 * 960; i++)
        {
            Assert.Equal(FakeJitterDecoder.ToneAt(i, 48000), h.Output[(start * 480) + i]);
        }
    }

    [Fact]
    public void InvalidPacketsAreRefusedAndCounted()
    {
        var (buffer, _) = JitterHarness.Create(Fixed(40));
        Assert.Equal(JitterBufferInsertResult.Invalid, buffer.Insert(1, 0, 0, TimeSpan.Zero, []));
        Assert.Equal(JitterBufferInsertResult.Invalid, buffer.Insert(1, 0, 0, TimeSpan.Zero, [0, 0, 0, 0, 0, 0]));
        Assert.Equal(JitterBufferInsertResult.Invalid, buffer.Insert(1, 0, 0, TimeSpan.Zero, new byte[1501]));
        Assert.Equal(3, buffer.Statistics.PacketsInvalid);
        Assert.Equal(0, buffer.Statistics.PacketsBuffered);
    }

    [Fact]
    public void FullBufferDropsTheOldestPacketAndCountsIt()
    {
        var (buffer, _) = JitterHarness.Create(new JitterBufferOptions { Adaptive = false, Capacity = 4 });
        for (int k = 0; k < 6; k++)
        {
            buffer.Insert(1, (ushort)k, (uint)(k * 960), TimeSpan.Zero, FakeJitterDecoder.Packet((uint)(k * 960)));
        }

        Assert.Equal(2, buffer.Statistics.PacketsDroppedOverflow);
        Assert.Equal(4, buffer.Statistics.PacketsBuffered);
    }

    [Fact]
    public void StatisticsFollowTheWebRtcStatsDefinitions()
    {
        // Fixed 40 ms buffer, packets arriving exactly every 20 ms, 10 ms ticks: packet k arrives at 20·k and starts
        // playing at the tick 40 + 20·k, so each of its samples counts 40 ms (the packet's wait, as libwebrtc counts it).
        var (buffer, h) = JitterHarness.Create(Fixed(40));
        h.AddStream(100, _ => 0);
        h.RunUntilDecoded(100);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(100 * 960, s.JitterBufferEmittedCount);
        Assert.Equal(0.040, s.JitterBufferDelay / s.JitterBufferEmittedCount, 9);
        Assert.Equal(0.040, s.JitterBufferTargetDelay / s.JitterBufferEmittedCount, 9);
        Assert.Equal((h.Decisions.Count - 4) * 480L, s.TotalSamplesReceived); // ticks 0..30 before playout are not counted
        Assert.Equal(0, s.InsertedSamplesForDeceleration);
        Assert.Equal(0, s.RemovedSamplesForAcceleration);
        Assert.Equal(0, s.ConcealedSamples);
    }

    [Fact]
    public void StereoAndSixteenKilohertzOutputWork()
    {
        var options = new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(100), FrameMilliseconds = 20 };
        var (buffer, h) = JitterHarness.Create(options, sampleRate: 16000, channels: 2);
        h.AddStream(100, _ => 0, skip: k => k == 50);
        h.RunUntilDecoded(99);

        JitterBufferStatistics s = buffer.Statistics;
        Assert.Equal(99, s.PacketsDecoded);
        Assert.Equal(320, s.ConcealedSamples);
        Assert.True(s.RemovedSamplesForAcceleration > 0);
        for (int i = 0; i < h.Output.Count; i += 2)
        {
            Assert.Equal(h.Output[i], h.Output[i + 1]);
        }
    }

    [Fact]
    public void OptionsAreValidated()
    {
        var decoder = new FakeJitterDecoder();
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveJitterBuffer(decoder, new JitterBufferOptions { FrameMilliseconds = 15 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveJitterBuffer(decoder, new JitterBufferOptions { DelayQuantile = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveJitterBuffer(decoder, new JitterBufferOptions { MinimumDelay = TimeSpan.FromSeconds(2) }));
        var buffer = new AdaptiveJitterBuffer(decoder);
        Assert.Throws<ArgumentException>(() => buffer.GetAudio(TimeSpan.Zero, new short[100]));
    }

    internal static void AssertContinuous(List<short> output, int maxStep)
    {
        for (int i = 1; i < output.Count; i++)
        {
            int step = Math.Abs(output[i] - output[i - 1]);
            Assert.True(step <= maxStep, $"jump of {step} at sample {i}");
        }
    }
}
