using FsCheck.Xunit;
using RtcStack.Opus.Jitter;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>Hostile packet orders and times, and the allocation-free steady path.</summary>
public sealed class AdaptiveJitterBufferPropertyTests
{
    /// <summary>
    /// Random streams (reordered, duplicated, dropped, delayed up to 400 ms, garbage payloads, SSRC changes, timestamp
    /// jumps and wrap-around, irregular ticks) never make the buffer throw, and every packet handed in is accounted
    /// for exactly once: decoded, discarded (late, duplicate, invalid, overflow, reset) or still buffered.
    /// </summary>
    [Property(MaxTest = 200)]
    public bool EveryPacketIsAccountedForAndNothingThrows(int seed)
    {
        var rng = new Random(seed);
        var options = new JitterBufferOptions
        {
            Adaptive = rng.Next(4) != 0,
            FrameMilliseconds = rng.Next(2) == 0 ? 10 : 20,
            Capacity = rng.Next(2, 40),
            InitialDelay = TimeSpan.FromMilliseconds(rng.Next(0, 200)),
            MinimumDelay = TimeSpan.FromMilliseconds(rng.Next(0, 50)),
            UseFec = rng.Next(2) == 0,
        };
        var decoder = new FakeJitterDecoder(rng.Next(2) == 0 ? 48000 : 16000, rng.Next(1, 3));
        var buffer = new AdaptiveJitterBuffer(decoder, options);
        var pcm = new short[buffer.FrameSamples * buffer.Channels];

        int count = rng.Next(1, 400);
        var packets = new List<(double Arrival, uint Ssrc, ushort Seq, uint Ts, byte[] Payload)>();
        uint ssrc = (uint)rng.Next();
        uint ts = (uint)rng.Next() * 2;
        ushort seq = (ushort)rng.Next();
        for (int k = 0; k < count; k++)
        {
            int durationMs = rng.Next(6) switch { 0 => 10, 1 => 40, 2 => 60, _ => 20 };
            if (rng.Next(100) == 0)
            {
                ssrc = (uint)rng.Next();
            }

            if (rng.Next(100) == 0)
            {
                ts += (uint)rng.Next();
            }

            byte[] payload = rng.Next(30) switch
            {
                0 => RandomBytes(rng, rng.Next(0, 12)),
                1 => [(byte)durationMs],
                _ => FakeJitterDecoder.Packet(ts, durationMs, rng.Next(3) == 0),
            };
            double arrival = (20.0 * k) + (rng.Next(5) == 0 ? rng.NextDouble() * 400 : rng.NextDouble() * 30);
            if (rng.Next(10) != 0)
            {
                packets.Add((arrival, ssrc, seq, ts, payload));
            }

            if (rng.Next(20) == 0)
            {
                packets.Add((arrival + (rng.NextDouble() * 100), ssrc, seq, ts, payload));
            }

            ts += (uint)(durationMs * 48);
            seq++;
        }

        packets.Sort((a, b) => a.Arrival.CompareTo(b.Arrival));
        double now = 0;
        int next = 0;
        double end = (20.0 * count) + 1000;
        while (now < end)
        {
            while (next < packets.Count && packets[next].Arrival <= now)
            {
                var p = packets[next++];
                buffer.Insert(p.Ssrc, p.Seq, p.Ts, TimeSpan.FromMilliseconds(p.Arrival), p.Payload);
            }

            buffer.GetAudio(TimeSpan.FromMilliseconds(now), pcm);
            now += options.FrameMilliseconds + (rng.Next(4) == 0 ? rng.Next(-5, 15) : 0);
        }

        JitterBufferStatistics s = buffer.Statistics;
        long accounted = s.PacketsDecoded + s.PacketsDiscardedLate + s.PacketsDuplicate + s.PacketsInvalid
            + s.PacketsDroppedOverflow + s.PacketsFlushed + s.PacketsBuffered;
        return s.PacketsReceived == next
            && accounted == s.PacketsReceived
            && s.PacketsDecoded == decoder.Decodes
            && s.ConcealedSamples >= s.SilentConcealedSamples
            && s.JitterBufferEmittedCount <= s.TotalSamplesReceived + (2 * 5760);
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void SteadyPathAllocatesNothingPerPacket()
    {
        var decoder = new FakeJitterDecoder();
        var buffer = new AdaptiveJitterBuffer(decoder, new JitterBufferOptions { InitialDelay = TimeSpan.FromMilliseconds(40) });
        var payload = new byte[6];
        var pcm = new short[buffer.FrameSamples];
        var rng = new Random(1);
        var jitter = new double[4000];
        for (int i = 0; i < jitter.Length; i++)
        {
            jitter[i] = Math.Abs(rng.NextDouble() * 15);
        }

        double nextTick = 0;
        void Round(int k)
        {
            // Packet k (20 ms) arrives with jitter; the playout ticks every 10 ms up to its arrival.
            double arrival = (20.0 * k) + jitter[k];
            while (nextTick <= arrival)
            {
                buffer.GetAudio(TimeSpan.FromMilliseconds(nextTick), pcm);
                nextTick += 10;
            }

            FakeJitterDecoder.WritePacket(payload, (uint)(k * 960));
            buffer.Insert(1, (ushort)k, (uint)(k * 960), TimeSpan.FromMilliseconds(arrival), payload);
        }

        for (int k = 0; k < 200; k++)
        {
            Round(k);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(200, 4000, 3, Round));
        JitterBufferStatistics s = buffer.Statistics;
        Assert.True(s.PacketsDecoded > 3500);
        Assert.True(s.RemovedSamplesForAcceleration + s.InsertedSamplesForDeceleration > 0);
    }
}
