using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp.Rtcp;
using RtcStack.TestSupport;
using Xunit;
using static RtcStack.Rtp.Tests.RtcpTestHelpers;

namespace RtcStack.Rtp.Tests;

public class TransportWideFeedbackTests
{
    private static List<TransportWidePacketReport> Read(ReadOnlySpan<byte> packet, out TransportWideFeedback feedback)
    {
        Assert.True(TransportWideFeedback.TryParse(Single(packet), out feedback));
        var list = new List<TransportWidePacketReport>();
        foreach (TransportWidePacketReport report in feedback)
        {
            list.Add(report);
        }

        return list;
    }

    private static TimeSpan Units(long units250us) => TimeSpan.FromTicks(units250us * 2500);

    [Fact]
    public void DraftExampleRunLengthChunk()
    {
        // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3 example: |0|0 0|0 0 0 0 1 1 0 1 1 1 0 1|,
        // a run of 221 "packet not received".
        byte[] packet = Hex("8FCD0005 00000001 00000002 0064 00DD 000000 05 00DD 0000");
        List<TransportWidePacketReport> reports = Read(packet, out TransportWideFeedback fb);
        Assert.Equal(221, reports.Count);
        Assert.All(reports, r => Assert.False(r.Received));
        Assert.Equal(100, reports[0].SequenceNumber);
        Assert.Equal(320, reports[^1].SequenceNumber);
        Assert.Equal(5, fb.FeedbackPacketCount);
        Assert.Equal(0, fb.ReceivedCount);
    }

    [Fact]
    public void DraftExampleStatusVectorChunk()
    {
        // §3.1.4 example: |1|0|0 1 1 1 1 1 0 0 0 1 1 1 0 0|: 1 not received, 5 received,
        // 3 not received, 3 received, 2 not received. 8 small deltas follow.
        byte[] packet = Hex("8FCD0007 00000001 00000002 0000 000E 000001 00 9F1C 0102030405060708 0000");
        List<TransportWidePacketReport> reports = Read(packet, out TransportWideFeedback fb);
        bool[] expected = [false, true, true, true, true, true, false, false, false, true, true, true, false, false];
        Assert.Equal(expected, reports.ConvertAll(r => r.Received));
        Assert.Equal(8, fb.ReceivedCount);
        Assert.Equal(1, fb.ReferenceTime);

        // Arrival = reference (64 ms) + cumulative deltas.
        Assert.Equal(TimeSpan.FromMilliseconds(64) + Units(1), reports[1].ArrivalTime);
        Assert.Equal(TimeSpan.FromMilliseconds(64) + Units(1 + 2 + 3 + 4 + 5 + 6), reports[9].ArrivalTime);
    }

    [Fact]
    public void WriterChoosesCompactChunks()
    {
        // 20 received 1 ms apart, 30 lost, one received after a 100 ms gap (large delta).
        var arrivals = new TimeSpan?[51];
        for (int i = 0; i < 20; i++)
        {
            arrivals[i] = TimeSpan.FromMilliseconds(1000 + i);
        }

        arrivals[50] = TimeSpan.FromMilliseconds(1119 + 100);
        byte[] buffer = new byte[TransportWideFeedback.GetMaxLength(arrivals.Length)];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 500, 7, arrivals, out int n, out int written));
        Assert.Equal(51, written);
        Assert.True(TransportWideFeedback.TryParse(Single(buffer.AsSpan(0, n)), out TransportWideFeedback fb));

        // Run of 20 "small", run of 30 "not received", one 2-bit vector (or run) for the last.
        Assert.Equal(3, fb.ChunkCount);
        Assert.Equal(0x2000 | 20, fb.GetChunk(0));
        Assert.Equal(30, fb.GetChunk(1));
        Assert.Equal(20 + 2, fb.DeltaBytes.Length);
        Assert.Equal(1000 / 64, fb.ReferenceTime);
    }

    [Fact]
    public void WriterStopsBeforeADeltaThatDoesNotFitSixteenBits()
    {
        TimeSpan?[] arrivals = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20.001)];
        byte[] buffer = new byte[256];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, arrivals, out int n, out int written));
        Assert.Equal(2, written);
        List<TransportWidePacketReport> first = Read(buffer.AsSpan(0, n), out _);
        Assert.Equal(TimeSpan.FromSeconds(2), first[1].ArrivalTime);

        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 2, 1, arrivals.AsSpan(2), out n, out written));
        Assert.Equal(2, written);
        List<TransportWidePacketReport> second = Read(buffer.AsSpan(0, n), out _);
        Assert.Equal(2, second[0].SequenceNumber);
        Assert.Equal(TimeSpan.FromSeconds(20.001), second[1].ArrivalTime);
    }

    [Fact]
    public void WriterPadsWithPaddingBitLikeLibwebrtc()
    {
        TimeSpan?[] arrivals = [TimeSpan.FromMilliseconds(64)];
        byte[] buffer = new byte[64];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 9, 3, arrivals, out int n, out _));

        // Header with P set, SSRCs, base 9, count 1, reference 1 (64 ms), feedback count 3,
        // run-length chunk (1 × small delta), delta 0, one padding byte holding its count.
        Assert.Equal("AFCD0005" + "00000001" + "00000002" + "0009" + "0001" + "000001" + "03" + "2001" + "00" + "01", Convert.ToHexString(buffer, 0, n));
    }

    [Fact]
    public void WriterHandlesAllLostAndSmallBuffers()
    {
        var arrivals = new TimeSpan?[10];
        byte[] buffer = new byte[64];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, arrivals, out int n, out int written));
        Assert.Equal(10, written);
        List<TransportWidePacketReport> reports = Read(buffer.AsSpan(0, n), out TransportWideFeedback fb);
        Assert.All(reports, r => Assert.False(r.Received));
        Assert.Equal(0, fb.ReferenceTime);

        Assert.False(TransportWideFeedback.TryWrite(buffer.AsSpan(0, 20), 1, 2, 0, 0, arrivals, out _, out _));
        Assert.False(TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, [], out _, out _));
    }

    [Fact]
    public void WriterTruncatesToTheDestination()
    {
        var arrivals = new TimeSpan?[1000];
        for (int i = 0; i < arrivals.Length; i++)
        {
            // Alternate large (70 ms) and small (10 ms) deltas so every chunk is a 2-bit vector.
            arrivals[i] = TimeSpan.FromMilliseconds((i * 40) + (i % 2 == 0 ? 0 : 30));
        }

        byte[] buffer = new byte[200];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, arrivals, out int n, out int written));
        Assert.True(n <= 200);
        Assert.InRange(written, 1, 999);
        Assert.True(n > 190, $"only {n} of 200 bytes used");
        List<TransportWidePacketReport> reports = Read(buffer.AsSpan(0, n), out _);
        Assert.Equal(written, reports.Count);
        for (int i = 0; i < written; i++)
        {
            Assert.Equal(arrivals[i], reports[i].ArrivalTime);
        }
    }

    [Fact]
    public void WriterShortensARunThatDoesNotFit()
    {
        var arrivals = new TimeSpan?[1000];
        for (int i = 0; i < arrivals.Length; i++)
        {
            arrivals[i] = TimeSpan.FromMilliseconds(i * 20);
        }

        byte[] buffer = new byte[200];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, arrivals, out int n, out int written));
        Assert.Equal(200, n);
        Assert.Equal(200 - 20 - 2, written);
        List<TransportWidePacketReport> reports = Read(buffer.AsSpan(0, n), out TransportWideFeedback fb);
        Assert.Equal(1, fb.ChunkCount);
        Assert.Equal(arrivals[written - 1], reports[^1].ArrivalTime);
    }

    [Theory]
    [InlineData("8FCD0004 00000001 00000002 0000 0000 00000000")] // status count 0
    [InlineData("8FCD0004 00000001 00000002 0000 0002 00000000")] // status count 2, no chunk
    [InlineData("8FCD0005 00000001 00000002 0000 000F 00000000 2001 0000")] // 15 packets, chunk covers 1
    [InlineData("8FCD0005 00000001 00000002 0000 0003 00000000 2003 0102")] // 3 small deltas, 2 present
    [InlineData("8FCD0005 00000001 00000002 0000 0001 00000000 6001 0000")] // run of reserved symbol 11
    [InlineData("8FCD0005 00000001 00000002 0000 0001 00000000 F000 0000")] // 2-bit vector with reserved symbol
    [InlineData("8FCD0006 00000001 00000002 0000 0001 00000000 2001 01 0000000000")] // 5 trailing bytes
    public void RejectsMismatchedChunksAndDeltas(string hex)
    {
        Assert.False(TransportWideFeedback.TryParse(Single(Hex(hex)), out _));
    }

    [Fact]
    public void ReferenceTimeIsSignedAndWrapsAtTwentyFourBits()
    {
        Assert.Equal(1, TransportWideFeedback.ReferenceTimeDifference(0xFFFFFF, 0));
        Assert.Equal(-1, TransportWideFeedback.ReferenceTimeDifference(0, 0xFFFFFF));
        Assert.Equal(100, TransportWideFeedback.ReferenceTimeDifference(50, 150));
        byte[] packet = Hex("8FCD0005 00000001 00000002 0000 0001 FFFFFF 00 2001 0000");
        List<TransportWidePacketReport> reports = Read(packet, out TransportWideFeedback fb);
        Assert.Equal(-1, fb.ReferenceTime);
        Assert.Equal(0xFFFFFFu, fb.ReferenceTimeRaw);
        Assert.Equal(TimeSpan.FromMilliseconds(-64), reports[0].ArrivalTime);
    }

    // Arrival pattern: per packet, lost or a delta from the previous arrival in 250 µs units that
    // may be small (0-255), large (up to ±8 s, the 16-bit edges included) or negative
    // (reordering); from a handful of packets to a few thousand, which takes several feedback
    // packets and every chunk kind.
    private static Arbitrary<(bool Lost, int Delta)[]> Patterns() =>
        (from length in Gen.Frequency((3, Gen.Choose(0, 64)), (1, Gen.Choose(65, 3000)))
         from pattern in Gen.Frequency(
                 (6, Gen.Choose(0, 255).Select(d => (false, d))),
                 (2, Gen.Constant((true, 0))),
                 (1, Gen.Elements(255, 256, 32767, -32768, -1).Select(d => (false, d))),
                 (1, Gen.Choose(256, 32767).Select(d => (false, d))),
                 (1, Gen.Choose(-32768, -1).Select(d => (false, d))))
             .ArrayOf(length)
         select pattern)
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property RoundTripsRandomArrivalPatterns() =>
        Prop.ForAll(Patterns(), FullRangeArbitraries.Map.ArbFor<(ushort, byte, int)>(), (pattern, header) =>
        {
            (ushort baseSeq, byte fbCount, int start) = header;
            if (pattern.Length == 0)
            {
                return;
            }

            // Start anywhere in the first ~3 days so the signed 24-bit reference time (±6.2 days) holds it.
            long time = (long)(uint)start % (1L << 30);
            var arrivals = new TimeSpan?[pattern.Length];
            for (int i = 0; i < pattern.Length; i++)
            {
                if (!pattern[i].Lost)
                {
                    time += pattern[i].Delta;
                    arrivals[i] = Units(time);
                }
            }

            byte[] buffer = new byte[TransportWideFeedback.GetMaxLength(pattern.Length)];
            int offset = 0;
            while (offset < arrivals.Length)
            {
                Assert.True(TransportWideFeedback.TryWrite(buffer, 11, 22, (ushort)(baseSeq + offset), fbCount, arrivals.AsSpan(offset), out int n, out int written));
                Assert.InRange(written, 1, arrivals.Length - offset);
                List<TransportWidePacketReport> reports = Read(buffer.AsSpan(0, n), out TransportWideFeedback fb);
                Assert.Equal(written, fb.PacketStatusCount);
                Assert.Equal((ushort)(baseSeq + offset), fb.BaseSequenceNumber);
                Assert.Equal(fbCount, fb.FeedbackPacketCount);
                Assert.Equal(11u, fb.SenderSsrc);
                Assert.Equal(22u, fb.MediaSsrc);
                Assert.Equal(written, reports.Count);
                for (int i = 0; i < written; i++)
                {
                    TimeSpan? expected = arrivals[offset + i];
                    Assert.Equal((ushort)(baseSeq + offset + i), reports[i].SequenceNumber);
                    Assert.Equal(expected.HasValue, reports[i].Received);
                    if (expected.HasValue)
                    {
                        Assert.Equal(expected.Value, reports[i].ArrivalTime);
                    }
                }

                // Byte-exact: rebuilding from what was parsed gives the same bytes.
                var reparsed = new TimeSpan?[written];
                for (int i = 0; i < written; i++)
                {
                    reparsed[i] = reports[i].Received ? reports[i].ArrivalTime : null;
                }

                byte[] again = new byte[buffer.Length];
                Assert.True(TransportWideFeedback.TryWrite(again, 11, 22, fb.BaseSequenceNumber, fbCount, reparsed, out int n2, out int w2));
                Assert.Equal(written, w2);
                Assert.Equal(buffer.AsSpan(0, n).ToArray(), again.AsSpan(0, n2).ToArray());
                offset += written;
            }
        });

    [Property(MaxTest = 3000)]
    public void ArbitraryFciNeverThrows(byte[] fci, byte format)
    {
        fci ??= [];
        int length = 12 + ((fci.Length + 3) & ~3);
        byte[] packet = new byte[length];
        packet[0] = (byte)(0x80 | (format & 1) * 15 | 0x0F);
        packet[1] = 205;
        packet[2] = (byte)(((length / 4) - 1) >> 8);
        packet[3] = (byte)((length / 4) - 1);
        fci.CopyTo(packet, 12);
        if (TransportWideFeedback.TryParse(Single(packet), out TransportWideFeedback fb))
        {
            int count = 0;
            foreach (TransportWidePacketReport r in fb)
            {
                count++;
            }

            Assert.Equal(fb.PacketStatusCount, count);
        }
    }
}
