using RtcStack.Rtp.Red;
using Xunit;

namespace RtcStack.Rtp.Tests.Red;

/// <summary>RFC 2198 §4 receive side: lost primaries recovered from later packets, nothing delivered twice.</summary>
public sealed class RedDecoderTests
{
    [Fact]
    public void RecoversALostPrimaryFromTheNextPacket()
    {
        var encoder = new RedEncoder(distance: 1);
        var decoder = new RedDecoder();
        var wire = new byte[1500];
        var output = new byte[1500];
        var delivered = new List<(uint Ts, bool Recovered, byte First)>();
        for (int k = 0; k < 5; k++)
        {
            uint ts = (uint)(k * 960);
            int n = encoder.Encode(111, ts, [(byte)k, (byte)k], wire);
            if (k == 2)
            {
                continue; // lost
            }

            Assert.Equal(RedPayloadStatus.Valid, decoder.Push(ts, wire.AsSpan(0, n)));
            while (decoder.TryPoll(output, out RedFrame frame))
            {
                Assert.Equal(111, frame.PayloadType);
                Assert.Equal(2, frame.Length);
                delivered.Add((frame.Timestamp, frame.IsRecovered, output[0]));
            }
        }

        Assert.Equal(
            [(0u, false, (byte)0), (960u, false, (byte)1), (1920u, true, (byte)2), (2880u, false, (byte)3), (3840u, false, (byte)4)],
            delivered);
        Assert.Equal(1, decoder.RecoveredFrames);

        // Four payloads pushed: the first carried only its primary (nothing before it), the other three one redundant block each.
        Assert.Equal(4, decoder.Payloads);
        Assert.Equal(1, decoder.PayloadsWithoutRedundancy);
        Assert.Equal(3, decoder.RedundantBlocks);
    }

    [Fact]
    public void TenPercentLossWithDistanceTwoLosesOnlyWhatThreeConsecutiveLossesTake()
    {
        // 2000 packets, 10 % independent loss plus two bursts: every timestamp must come out
        // exactly once, byte-identical, unless it and both following packets were lost.
        var random = new Random(2198);
        var encoder = new RedEncoder(distance: 2);
        var decoder = new RedDecoder();
        const int count = 2000;
        var lost = new bool[count];
        for (int k = 0; k < count; k++)
        {
            lost[k] = random.NextDouble() < 0.10 || k is >= 500 and < 502 || k is >= 900 and < 903;
        }

        var sent = new byte[count][];
        var got = new Dictionary<uint, byte[]>();
        var wire = new byte[1500];
        var output = new byte[1500];
        uint start = 0xFFFF_0000; // crosses the 32-bit timestamp wrap
        for (int k = 0; k < count; k++)
        {
            sent[k] = new byte[random.Next(20, 200)];
            random.NextBytes(sent[k]);
            uint ts = unchecked(start + (uint)(k * 960));
            int n = encoder.Encode(111, ts, sent[k], wire);
            if (lost[k])
            {
                continue;
            }

            Assert.Equal(RedPayloadStatus.Valid, decoder.Push(ts, wire.AsSpan(0, n)));
            while (decoder.TryPoll(output, out RedFrame frame))
            {
                Assert.True(got.TryAdd(frame.Timestamp, output.AsSpan(0, frame.Length).ToArray()), $"timestamp {frame.Timestamp} delivered twice");
            }
        }

        int expectedMissing = 0, lostCount = 0;
        for (int k = 0; k < count; k++)
        {
            uint ts = unchecked(start + (uint)(k * 960));
            lostCount += lost[k] ? 1 : 0;
            bool recoverable = !lost[k] || (k + 1 < count && !lost[k + 1]) || (k + 2 < count && !lost[k + 2]);
            if (!recoverable)
            {
                expectedMissing++;
                Assert.False(got.ContainsKey(ts));
            }
            else
            {
                Assert.Equal(sent[k], got[ts]);
            }
        }

        Assert.InRange(lostCount, 180, 260);
        Assert.Equal(lostCount - expectedMissing, decoder.RecoveredFrames);
        Assert.Equal(count - expectedMissing, got.Count);
        Assert.True(expectedMissing >= 1); // the three-packet burst
    }

    [Fact]
    public void ReorderedAndRetransmittedPacketsAreNotDeliveredTwice()
    {
        var encoder = new RedEncoder(distance: 1);
        var packets = new List<(uint Ts, byte[] Payload)>();
        var wire = new byte[100];
        for (int k = 0; k < 4; k++)
        {
            uint ts = (uint)(k * 960);
            int n = encoder.Encode(111, ts, [(byte)k], wire);
            packets.Add((ts, wire[..n]));
        }

        var decoder = new RedDecoder();
        var order = new[] { 0, 2, 1, 3, 3 };
        var delivered = new List<(uint, bool)>();
        var output = new byte[100];
        foreach (int k in order)
        {
            decoder.Push(packets[k].Ts, packets[k].Payload);
            while (decoder.TryPoll(output, out RedFrame frame))
            {
                delivered.Add((frame.Timestamp, frame.IsRecovered));
            }
        }

        // 1 arrives after 2 brought its redundant copy: the late primary is a duplicate, as is the repeated 3.
        Assert.Equal([(0u, false), (960u, true), (1920u, false), (2880u, false)], delivered);
        Assert.Equal(2, decoder.DuplicatesDiscarded);
    }

    [Fact]
    public void MalformedPayloadsYieldNothingAndTheDecoderGoesOn()
    {
        var decoder = new RedDecoder();
        Assert.Equal(RedPayloadStatus.TruncatedHeader, decoder.Push(0, [0x80, 1]));
        Assert.False(decoder.TryPoll(new byte[10], out _));
        Assert.Equal(RedPayloadStatus.Valid, decoder.Push(960, [111, 9]));
        Assert.True(decoder.TryPoll(new byte[10], out RedFrame frame));
        Assert.Equal(new RedFrame(111, 960, false, 1), frame);
        Assert.Equal(1, decoder.MalformedPayloads);
        Assert.Throws<InvalidOperationException>(() =>
        {
            decoder.Push(1920, [111, 1]);
            decoder.Push(2880, [111, 2]);
        });
    }

    [Fact]
    public void EncodeAndDecodeDoNotAllocate()
    {
        var encoder = new RedEncoder(distance: 2);
        var decoder = new RedDecoder();
        var primary = new byte[120];
        var wire = new byte[1500];
        var output = new byte[1500];
        uint ts = 0;
        void Step()
        {
            ts += 960;
            int n = encoder.Encode(111, ts, primary, wire);
            decoder.Push(ts, wire.AsSpan(0, n));
            while (decoder.TryPoll(output, out _))
            {
            }
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
