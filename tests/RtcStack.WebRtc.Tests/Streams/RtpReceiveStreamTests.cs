using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.WebRtc.Streams;
using Xunit;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>The incoming stream: RFC 3550 A.1/A.3/A.8 and the report block, NACK (RFC 4585 §6.2.1), RTX repair (RFC 4588 §4), PLI/FIR requests (RFC 4585 §6.3.1, RFC 5104 §4.3.1).</summary>
public sealed class RtpReceiveStreamTests
{
    private const uint Remote = 0x0A0B0C0D;
    private const uint RemoteRtx = 0x1A1B1C1D;
    private const uint Local = 0x55667788;

    private static RtpReceiveStream Stream(int clockRate = 8000, bool nack = true, KeyframeRequestKind? keyframes = null, int maxTries = 10, TimeSpan? minInterval = null) => new(new RtpReceiveStreamOptions
    {
        Ssrc = Remote,
        ClockRate = clockRate,
        LocalSsrc = Local,
        RtxSsrc = RemoteRtx,
        RtxAssociatedPayloadTypes = new Dictionary<byte, byte> { [97] = 96 },
        Nack = nack,
        NackMaxTries = maxTries,
        KeyframeRequests = keyframes,
        KeyframeRequestMinInterval = minInterval ?? TimeSpan.FromMilliseconds(300),
    });

    private static byte[] Media(ushort seq, uint timestamp, int payloadLength = 20) =>
        StreamTestPackets.Rtp(96, seq, timestamp, Remote, new byte[payloadLength].AsSpan(), marker: false);

    private static List<ushort> NackedIn(byte[] buffer, int length)
    {
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, length), out RtcpPacket packet));
        Assert.True(RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack));
        Assert.Equal((Local, Remote), (nack.SenderSsrc, nack.MediaSsrc));
        var list = new List<ushort>();
        foreach (ushort s in nack)
        {
            list.Add(s);
        }

        return list;
    }

    [Fact]
    public void ReportBlockMatchesHandComputedLossAndJitter()
    {
        RtpReceiveStream stream = Stream();

        // 8 kHz, 20 ms packets (160 units). 103 and 104 are lost; 105 arrives 5 ms (40 units) late.
        foreach (int s in new[] { 100, 101, 102, 105, 106, 107, 108, 109 })
        {
            TimeSpan arrival = TimeSpan.FromMilliseconds((20 * (s - 100)) + (s == 105 ? 5 : 0));
            Assert.Equal(ReceiveStatus.Accepted, stream.HandleRtp(Media((ushort)s, (uint)(160 * (s - 100))), arrival));
        }

        // RFC 3550 A.8 by hand: D = 0, 0, +40, -40, 0, 0, 0 → J = 2.5, 4.84375, then × 15/16 three times.
        double j = 2.5;
        j += (40 - j) / 16;
        j = j * 15 / 16 * 15 / 16 * 15 / 16;
        Assert.Equal(3.991127014160156, j, 12);

        // An SR with NTP 0x12345678.9ABCDEF0 came at 1 s; the block is made at 1.5 s.
        stream.HandleSenderReport(new RtcpSenderInfo(new NtpTimestamp(0x12345678, 0x9ABCDEF0), 1, 2, 3), TimeSpan.FromSeconds(1));
        RtcpReportBlock block = stream.CreateReportBlock(TimeSpan.FromSeconds(1.5));

        // A.3: expected 10, received 8 → fraction (2 << 8) / 10 = 51; cumulative 2.
        Assert.Equal(new RtcpReportBlock(Remote, 51, 2, 109, 3, 0x56789ABC, 32768), block);
        Assert.Equal(j / 8000, stream.GetStats().Jitter, 15);

        // The next interval loses nothing: fraction 0, cumulative still 2.
        for (int s = 110; s < 120; s++)
        {
            stream.HandleRtp(Media((ushort)s, (uint)(160 * (s - 100))), TimeSpan.FromMilliseconds(20 * (s - 100)));
        }

        block = stream.CreateReportBlock(TimeSpan.FromSeconds(2));
        Assert.Equal((0, 2, 119u), (block.FractionLost, block.CumulativeLost, block.ExtendedHighestSequenceNumber));
        ReceiveStreamStats stats = stream.GetStats();
        Assert.Equal((18L, 18L * 20, 18L * 12, 2L), (stats.PacketsReceived, stats.BytesReceived, stats.HeaderBytesReceived, stats.PacketsLost));
    }

    [Property(MaxTest = 200)]
    public Property UnwrapLossAndNacksMatchAnyLossPatternAcrossTheWrap() =>
        Prop.ForAll(
            (from start in StreamTestPackets.AnyUShort
             from count in Gen.Choose(2, 400)
             from percent in Gen.Choose(0, 60)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select (start, count, percent, seed)).ToArbitrary(),
            c =>
            {
                RtpReceiveStream stream = Stream();
                var random = new Random(c.seed);
                var lost = new List<ushort>();
                for (int i = 0; i < c.count; i++)
                {
                    var seq = (ushort)(c.start + i);
                    if (i != 0 && i != c.count - 1 && random.Next(100) < c.percent)
                    {
                        lost.Add(seq);
                        continue;
                    }

                    Assert.Equal(ReceiveStatus.Accepted, stream.HandleRtp(Media(seq, (uint)(160 * i)), TimeSpan.FromMilliseconds(20 * i)));
                }

                Assert.Equal(c.start + c.count - 1L, stream.Statistics.ExtendedHighestSequenceNumber);
                Assert.Equal(lost.Count, stream.GetStats().PacketsLost);
                RtcpReportBlock block = stream.CreateReportBlock(TimeSpan.FromSeconds(10));
                Assert.Equal((uint)(c.start + c.count - 1), block.ExtendedHighestSequenceNumber);
                Assert.Equal((lost.Count << 8) / c.count, block.FractionLost);

                // Everything lost within the NACK age and capacity is asked for, oldest first.
                var expected = lost.Skip(Math.Max(0, lost.Count - 256)).Where((s, _) => (ushort)(c.start + c.count - 1 - s) <= 450).ToList();
                var asked = new List<ushort>();
                byte[] buffer = new byte[1500];
                if (stream.TryWriteNack(buffer, TimeSpan.FromMilliseconds(20 * c.count), out int n))
                {
                    asked = NackedIn(buffer, n);
                }

                Assert.Equal(expected, asked);
            });

    [Fact]
    public void NacksAreRetriedEveryRttAndGivenUpAfterTheTryLimit()
    {
        RtpReceiveStream stream = Stream(maxTries: 3);
        stream.RoundTripTime = TimeSpan.FromMilliseconds(50);
        stream.HandleRtp(Media(65534, 0), TimeSpan.Zero);
        stream.HandleRtp(Media(1, 480), TimeSpan.FromMilliseconds(60)); // 65535 and 0 lost
        Assert.Equal(new StreamTimeout(TimeSpan.Zero, StreamTimeoutReason.NackRetry), stream.PollTimeout());

        byte[] buffer = new byte[64];
        var sentAt = new List<int>();
        for (int ms = 60; ms <= 400; ms++)
        {
            if (stream.TryWriteNack(buffer, TimeSpan.FromMilliseconds(ms), out int n))
            {
                Assert.Equal([65535, 0], NackedIn(buffer, n).Select(s => (int)s));
                sentAt.Add(ms);
            }
        }

        // Retry interval RTT + 5 ms = 55 ms; three tries, then the last one's interval passes and both are dropped.
        Assert.Equal([60, 115, 170], sentAt);
        Assert.Equal(0, stream.PendingNacks);
        Assert.Null(stream.PollTimeout());
        Assert.Equal(3, stream.GetStats().NackCount);
    }

    [Fact]
    public void ALateArrivalIsNotAskedFor()
    {
        RtpReceiveStream stream = Stream();
        stream.HandleRtp(Media(10, 0), TimeSpan.Zero);
        stream.HandleRtp(Media(12, 320), TimeSpan.FromMilliseconds(40));
        Assert.Equal(1, stream.PendingNacks);
        Assert.Equal(ReceiveStatus.Accepted, stream.HandleRtp(Media(11, 160), TimeSpan.FromMilliseconds(41)));
        Assert.Equal(0, stream.PendingNacks);
        Assert.False(stream.TryWriteNack(new byte[64], TimeSpan.FromMilliseconds(41), out _));
        Assert.Equal(ReceiveStatus.Duplicate, stream.HandleRtp(Media(11, 160), TimeSpan.FromMilliseconds(42)));

        // RFC 3550 A.3: expected 3, received 4 with the duplicate, so the cumulative loss is -1.
        Assert.Equal((-1L, 1L), (stream.GetStats().PacketsLost, stream.GetStats().PacketsDuplicated));
    }

    [Fact]
    public void RtxRepairRestoresTheOriginalAndCountsARetransmission()
    {
        RtpReceiveStream stream = Stream();
        byte[] lost = StreamTestPackets.Rtp(96, 11, 160, Remote, [1, 2, 3, 4, 5], marker: true, csrcs: [7]);
        stream.HandleRtp(Media(10, 0), TimeSpan.Zero);
        stream.HandleRtp(Media(12, 320), TimeSpan.FromMilliseconds(40));
        Assert.Equal(1, stream.PendingNacks);

        byte[] rtx = new byte[100];
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(lost, RemoteRtx, 97, 5000, rtx, out int rtxLength));
        byte[] repaired = new byte[100];
        Assert.Equal(ReceiveStatus.Repaired, stream.HandleRtx(rtx.AsSpan(0, rtxLength), repaired, TimeSpan.FromMilliseconds(90), out int n));
        Assert.Equal(lost, repaired[..n]);
        Assert.Equal(0, stream.PendingNacks);

        ReceiveStreamStats stats = stream.GetStats();
        Assert.Equal((3L, 1L, 5L), (stats.PacketsReceived, stats.RetransmittedPacketsReceived, stats.RetransmittedBytesReceived));

        // The report block still tells the sender the network lost one packet.
        Assert.Equal(1, stream.CreateReportBlock(TimeSpan.FromMilliseconds(100)).CumulativeLost);

        // Probing padding, unknown payload types and other SSRCs.
        byte[] probe = StreamTestPackets.Rtp(97, 5001, 320, RemoteRtx, [], padding: 100);
        Assert.Equal(ReceiveStatus.PaddingOnly, stream.HandleRtx(probe, repaired, TimeSpan.FromMilliseconds(100), out n));
        Assert.Equal(0, n);
        Assert.Equal(1, stream.GetStats().RtxPaddingPacketsReceived);
        Assert.Equal(ReceiveStatus.UnknownPayloadType, stream.HandleRtx(StreamTestPackets.Rtp(98, 5002, 0, RemoteRtx, [0, 11, 1]), repaired, TimeSpan.Zero, out _));
        byte[] other = rtx[..rtxLength];
        BinaryPrimitives.WriteUInt32BigEndian(other.AsSpan(8), 1);
        Assert.Equal(ReceiveStatus.WrongSsrc, stream.HandleRtx(other, repaired, TimeSpan.Zero, out _));
        Assert.Equal(ReceiveStatus.Malformed, stream.HandleRtx(StreamTestPackets.Rtp(97, 5003, 0, RemoteRtx, [0]), repaired, TimeSpan.Zero, out _));
        Assert.Equal(ReceiveStatus.WrongSsrc, stream.HandleRtp(rtx.AsSpan(0, rtxLength), TimeSpan.Zero));
    }

    [Fact]
    public void PaddingOnTheMediaSsrcFillsItsSequenceNumber()
    {
        RtpReceiveStream stream = Stream();
        stream.HandleRtp(Media(10, 0), TimeSpan.Zero);
        Assert.Equal(ReceiveStatus.PaddingOnly, stream.HandleRtp(StreamTestPackets.Rtp(96, 11, 0, Remote, [], padding: 200), TimeSpan.FromMilliseconds(5)));
        stream.HandleRtp(Media(12, 320), TimeSpan.FromMilliseconds(40));
        Assert.Equal(0, stream.PendingNacks);
        Assert.Equal(0, stream.GetStats().PacketsLost);
        Assert.Equal(ReceiveStatus.Malformed, stream.HandleRtp(new byte[3], TimeSpan.Zero));
    }

    [Fact]
    public void KeyframeRequestsAreRateLimited()
    {
        RtpReceiveStream stream = Stream(keyframes: KeyframeRequestKind.Pli);
        byte[] buffer = new byte[64];
        Assert.False(stream.TryWriteKeyframeRequest(buffer, TimeSpan.Zero, out _));
        Assert.True(stream.RequestKeyframe());
        Assert.Equal(new StreamTimeout(TimeSpan.Zero, StreamTimeoutReason.KeyframeRequest), stream.PollTimeout());
        Assert.True(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(1), out int n));
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, n), out RtcpPacket packet));
        Assert.True(RtcpPictureLossIndication.TryParse(packet, out RtcpPictureLossIndication pli));
        Assert.Equal((Local, Remote), (pli.SenderSsrc, pli.MediaSsrc));

        // Asked again 100 ms later: held until 300 ms have passed, and several asks make one request.
        stream.RequestKeyframe();
        stream.RequestKeyframe();
        Assert.False(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(1.1), out _));
        Assert.Equal(new StreamTimeout(TimeSpan.FromSeconds(1.3), StreamTimeoutReason.KeyframeRequest), stream.PollTimeout());
        Assert.False(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(1.3) - TimeSpan.FromTicks(1), out _));
        Assert.True(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(1.3), out _));
        Assert.False(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(5), out _));

        // A longer RTT is the limit.
        stream.RoundTripTime = TimeSpan.FromMilliseconds(800);
        stream.RequestKeyframe();
        Assert.Equal(new StreamTimeout(TimeSpan.FromSeconds(2.1), StreamTimeoutReason.KeyframeRequest), stream.PollTimeout());
        Assert.Equal(2, stream.GetStats().PliCount);

        Assert.False(Stream().RequestKeyframe()); // not negotiated
    }

    [Fact]
    public void FirCarriesItsOwnIncrementingSequenceNumber()
    {
        RtpReceiveStream stream = Stream(keyframes: KeyframeRequestKind.Fir, minInterval: TimeSpan.FromMilliseconds(100));
        byte[] buffer = new byte[64];
        var numbers = new List<int>();
        for (int i = 0; i < 258; i++)
        {
            stream.RequestKeyframe();
            Assert.True(stream.TryWriteKeyframeRequest(buffer, TimeSpan.FromSeconds(i), out int n));
            Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, n), out RtcpPacket packet));
            Assert.True(RtcpFullIntraRequest.TryParse(packet, out RtcpFullIntraRequest fir));
            Assert.Equal(Local, fir.SenderSsrc);
            RtcpFirEntry entry = Assert.IsType<RtcpFirEntry>(fir.GetEntry(0));
            Assert.Equal(Remote, entry.Ssrc);
            numbers.Add(entry.SequenceNumber);
        }

        Assert.Equal(Enumerable.Range(0, 258).Select(i => i % 256), numbers);
        Assert.Equal(258, stream.GetStats().FirCount);
    }

    [Fact]
    public void ReceivingAndFeedbackAllocateNothing()
    {
        RtpReceiveStream stream = Stream(keyframes: KeyframeRequestKind.Fir, minInterval: TimeSpan.FromMilliseconds(20));
        byte[] buffer = new byte[1500];
        byte[] repaired = new byte[1500];
        byte[][] media = new byte[2000][];
        byte[][] rtx = new byte[2000][];
        for (int i = 0; i < media.Length; i++)
        {
            media[i] = Media((ushort)(65000 + i), (uint)(160 * i), 200);
            rtx[i] = new byte[300];
            RtxPacket.TryWrap(media[i], RemoteRtx, 97, (ushort)i, rtx[i], out int n);
            rtx[i] = rtx[i][..n];
        }

        void Round(int i)
        {
            TimeSpan now = TimeSpan.FromMilliseconds(20 * i);
            if (i % 10 != 3)
            {
                stream.HandleRtp(media[i], now);
            }
            else
            {
                stream.TryWriteNack(buffer, now + TimeSpan.FromMilliseconds(1), out _);
                stream.HandleRtx(rtx[i], repaired, now, out _);
            }

            stream.PollTimeout();
            stream.RequestKeyframe();
            stream.TryWriteKeyframeRequest(buffer, now, out _);
            stream.CreateReportBlock(now);
        }

        for (int i = 0; i < 200; i++)
        {
            Round(i);
        }

        Assert.Equal(0, RtcStack.TestSupport.AllocationProbe.LeastPerChunk(200, 2000, 3, Round));
        Assert.Equal(200, stream.GetStats().RetransmittedPacketsReceived);
        Assert.True(stream.GetStats().FirCount > 1000);
    }
}
