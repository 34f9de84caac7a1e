using System.Buffers.Binary;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.WebRtc.Streams;
using Xunit;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>The outgoing stream: sequence numbers, NACK to RTX (RFC 4585 §6.2.1, RFC 4588 §4), SR content and RTT (RFC 3550 §6.4.1), PLI/FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1), padding.</summary>
public sealed class RtpSendStreamTests
{
    private const uint Ssrc = 0x0A0B0C0D;
    private const uint RtxSsrc = 0x1A1B1C1D;
    private const uint Peer = 0xFEEDBEEF;
    private static readonly DateTimeOffset s_wallClock = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RtpSendStream Stream(bool rtx = true, ushort firstSeq = 65533, double fraction = 1.0, int historySize = 512, TimeSpan? maxAge = null) => new(new RtpSendStreamOptions
    {
        Ssrc = Ssrc,
        ClockRate = 90000,
        RtxSsrc = rtx ? RtxSsrc : null,
        RtxPayloadTypes = rtx ? new Dictionary<byte, byte> { [96] = 97 } : null,
        InitialSequenceNumber = firstSeq,
        InitialRtxSequenceNumber = 100,
        RetransmissionFraction = fraction,
        HistorySize = historySize,
        MaxRetransmitAge = maxAge ?? TimeSpan.FromSeconds(3),
        WallClockAtZero = s_wallClock,
    });

    private static byte[] Payload(int i, int length = 50)
    {
        byte[] p = new byte[length];
        p.AsSpan().Fill((byte)i);
        return p;
    }

    // Sends `count` packets 1 ms apart; returns them as written.
    private static List<byte[]> Send(RtpSendStream stream, int count, int payloadLength = 50, int startMs = 0)
    {
        var sent = new List<byte[]>();
        byte[] buffer = new byte[1500];
        for (int i = 0; i < count; i++)
        {
            Assert.True(stream.TryWritePacket(buffer, 96, (uint)(3000 * i), i % 3 == 2, Payload(i, payloadLength), TimeSpan.FromMilliseconds(startMs + i), out int n));
            sent.Add(buffer[..n]);
        }

        return sent;
    }

    private static List<byte[]> Drain(RtpSendStream stream, TimeSpan now)
    {
        var output = new List<byte[]>();
        byte[] buffer = new byte[1500];
        while (stream.TryPollRetransmission(buffer, now, out int n))
        {
            output.Add(buffer[..n]);
        }

        return output;
    }

    private static byte[] NackPacket(uint mediaSsrc, params ushort[] lost)
    {
        byte[] buffer = new byte[256];
        Assert.True(RtcpGenericNack.TryWrite(buffer, Peer, mediaSsrc, lost, out int n));
        return buffer[..n];
    }

    private static bool HandleNack(RtpSendStream stream, byte[] packet, TimeSpan now)
    {
        Assert.True(RtcpPacket.TryParse(packet, out RtcpPacket rtcp));
        Assert.True(RtcpGenericNack.TryParse(rtcp, out RtcpGenericNack nack));
        return stream.HandleNack(nack, now);
    }

    [Fact]
    public void PacketsCarryTheStreamsSsrcAndConsecutiveSequenceNumbersAcrossTheWrap()
    {
        RtpSendStream stream = Stream();
        List<byte[]> sent = Send(stream, 4);
        Assert.Equal([65533, 65534, 65535, 0], sent.Select(p => (int)StreamTestPackets.Seq(p)));
        Assert.All(sent, p => Assert.Equal(Ssrc, BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(8))));

        // A packet the caller wrote (any SSRC and sequence number) is stamped in place.
        byte[] own = StreamTestPackets.Rtp(96, 9, 123, 42, [1, 2, 3]);
        Assert.True(stream.Prepare(own, TimeSpan.FromMilliseconds(10)));
        Assert.True(RtpPacket.TryParse(own, out RtpPacket p));
        Assert.Equal((Ssrc, (ushort)1, 123u), (p.Ssrc, p.SequenceNumber, p.Timestamp));
        Assert.False(stream.Prepare(new byte[5], TimeSpan.Zero));
        Assert.Equal(2, stream.NextSequenceNumber);

        SendStreamStats stats = stream.GetStats();
        Assert.Equal((5L, 4L * 50 + 3, 5L * 12), (stats.PacketsSent, stats.BytesSent, stats.HeaderBytesSent));
    }

    [Fact]
    public void NackOfThreePacketsYieldsThreeRtxPacketsCarryingTheirOsns()
    {
        RtpSendStream stream = Stream();
        List<byte[]> sent = Send(stream, 10); // 65533 .. 6
        Assert.True(HandleNack(stream, NackPacket(Ssrc, 65534, 0, 2), TimeSpan.FromMilliseconds(50)));
        List<byte[]> rtx = Drain(stream, TimeSpan.FromMilliseconds(50));

        Assert.Equal(3, rtx.Count);
        ushort[] osns = new ushort[3];
        for (int i = 0; i < 3; i++)
        {
            Assert.True(RtpPacket.TryParse(rtx[i], out RtpPacket p));
            Assert.Equal((RtxSsrc, (byte)97, (ushort)(100 + i)), (p.Ssrc, p.PayloadType, p.SequenceNumber));
            osns[i] = BinaryPrimitives.ReadUInt16BigEndian(p.Payload);
            byte[] original = new byte[1500];
            Assert.Equal(RtxStatus.Ok, RtxPacket.TryUnwrap(rtx[i], Ssrc, 96, original, out int n));
            Assert.Equal(sent.Single(s => StreamTestPackets.Seq(s) == osns[i]), original[..n]);
        }

        Assert.Equal([65534, 0, 2], osns.Select(o => (int)o));
        SendStreamStats stats = stream.GetStats();
        Assert.Equal((1L, 3L, 150L, 13L), (stats.NackCount, stats.RetransmittedPacketsSent, stats.RetransmittedBytesSent, stats.PacketsSent));
        Assert.Equal(103, stream.NextRtxSequenceNumber);

        // RTX packets are on their own SSRC: the SR's counts are the media stream's only.
        Assert.Equal(10u, stream.CreateSenderInfo(TimeSpan.FromMilliseconds(60)).PacketCount);
    }

    /// <summary>
    /// A forwarded packet keeps the number it is given (<see cref="RtpSendStream.PrepareNumbered"/>): a gap stays a gap,
    /// a late packet fills it without moving the stream's next number or its SR mapping, and both are resent on a NACK.
    /// </summary>
    [Fact]
    public void NumberedPacketsKeepTheirGapsAndALatePacketFillsOneWithoutMovingTheStream()
    {
        RtpSendStream stream = Stream(rtx: false, firstSeq: 65534);
        byte[] Packet(uint timestamp, int i)
        {
            byte[] b = new byte[1500];
            int n = RtpPacketWriter.Write(b, new RtpHeader(96, 1, timestamp, 0x99999999), Payload(i));
            return b[..n];
        }

        // 65534, 65535, then 1 (0 lost upstream): the next number follows the newest.
        byte[][] packets = [Packet(3000, 0), Packet(6000, 1), Packet(12000, 3)];
        ushort[] numbers = [65534, 65535, 1];
        for (int i = 0; i < 3; i++)
        {
            Assert.True(stream.PrepareNumbered(packets[i], numbers[i], TimeSpan.FromMilliseconds(i)));
            Assert.Equal(numbers[i], StreamTestPackets.Seq(packets[i]));
            Assert.Equal(Ssrc, BinaryPrimitives.ReadUInt32BigEndian(packets[i].AsSpan(8)));
        }

        Assert.Equal(2, stream.NextSequenceNumber);
        uint rtpAt10 = stream.CreateSenderInfo(TimeSpan.FromMilliseconds(10)).RtpTimestamp;

        // The late one (0) is recorded under its number; the stream's next number and SR timestamp stay.
        byte[] late = Packet(9000, 2);
        Assert.True(stream.PrepareNumbered(late, 0, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(2, stream.NextSequenceNumber);
        Assert.Equal(rtpAt10, stream.CreateSenderInfo(TimeSpan.FromMilliseconds(10)).RtpTimestamp);

        // Both the late packet and one sent in order are in the history.
        stream.HandleNack([0, 1], TimeSpan.FromMilliseconds(40));
        Assert.Equal([late, packets[2]], Drain(stream, TimeSpan.FromMilliseconds(40)));

        // A packet that is not RTP changes nothing.
        Assert.False(stream.PrepareNumbered(new byte[5], 7, TimeSpan.FromMilliseconds(41)));
        Assert.Equal(2, stream.NextSequenceNumber);
    }

    [Fact]
    public void WithoutRtxTheOriginalPacketIsResentUnchanged()
    {
        RtpSendStream stream = Stream(rtx: false);
        List<byte[]> sent = Send(stream, 5);
        stream.HandleNack([65535, 1], TimeSpan.FromMilliseconds(40));
        List<byte[]> resent = Drain(stream, TimeSpan.FromMilliseconds(40));
        Assert.Equal([sent[2], sent[4]], resent);
        Assert.Equal(7u, stream.CreateSenderInfo(TimeSpan.FromMilliseconds(40)).PacketCount);
    }

    [Fact]
    public void APacketIsNotResentTwiceWithinHalfAnRtt()
    {
        RtpSendStream stream = Stream();
        Send(stream, 3);
        stream.HandleNack([65534], TimeSpan.FromMilliseconds(100));
        Assert.Single(Drain(stream, TimeSpan.FromMilliseconds(100)));
        stream.HandleNack([65534, 65534], TimeSpan.FromMilliseconds(105)); // no RTT yet: 10 ms
        Assert.Equal(1, stream.PendingRetransmissions);                   // queued once
        Assert.Empty(Drain(stream, TimeSpan.FromMilliseconds(105)));
        stream.HandleNack([65534], TimeSpan.FromMilliseconds(110));
        Assert.Single(Drain(stream, TimeSpan.FromMilliseconds(110)));
    }

    [Fact]
    public void PacketsPastRtxTimeOrOutOfTheHistoryAreNotResent()
    {
        RtpSendStream stream = Stream(historySize: 16, maxAge: TimeSpan.FromMilliseconds(500));
        List<byte[]> sent = Send(stream, 40);
        ushort oldest = StreamTestPackets.Seq(sent[0]);        // its slot was reused
        ushort recent = StreamTestPackets.Seq(sent[39]);
        stream.HandleNack([oldest, recent], TimeSpan.FromMilliseconds(100));
        Assert.Single(Drain(stream, TimeSpan.FromMilliseconds(100)));
        stream.HandleNack([recent], TimeSpan.FromMilliseconds(600)); // 561 ms after it was sent
        Assert.Empty(Drain(stream, TimeSpan.FromMilliseconds(600)));
        Assert.Equal(2, stream.GetStats().RetransmissionsUnavailable);
    }

    [Fact]
    public void TheBudgetCapsRetransmissionsAtAShareOfTheMediaRate()
    {
        RtpSendStream stream = Stream(fraction: 0.5);
        List<byte[]> sent = Send(stream, 10, payloadLength: 88); // 100-byte packets, 1000 bytes of media
        stream.HandleNack(sent.Select(p => StreamTestPackets.Seq(p)).ToArray(), TimeSpan.FromMilliseconds(20));
        List<byte[]> rtx = Drain(stream, TimeSpan.FromMilliseconds(20));

        // 500 bytes allowed: four 102-byte RTX packets fit, a fifth would make 510.
        Assert.Equal(4, rtx.Count);
        Assert.Equal(6, stream.GetStats().RetransmissionsDropped);
    }

    [Fact]
    public void NacksAboutAnotherSsrcAreIgnored()
    {
        RtpSendStream stream = Stream();
        Send(stream, 3);
        Assert.False(HandleNack(stream, NackPacket(Ssrc + 1, 65534), TimeSpan.FromMilliseconds(10)));
        Assert.Empty(Drain(stream, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(0, stream.GetStats().NackCount);
    }

    [Fact]
    public void SenderInfoMapsTheWallClockToTheMediaClock()
    {
        RtpSendStream stream = Stream();
        byte[] buffer = new byte[1500];
        stream.TryWritePacket(buffer, 96, 1000, false, Payload(0, 100), TimeSpan.FromSeconds(1), out _);
        stream.TryWritePacket(buffer, 96, 4000, true, Payload(1, 20), TimeSpan.FromSeconds(1), out _);
        RtcpSenderInfo info = stream.CreateSenderInfo(TimeSpan.FromSeconds(1.5));

        // RFC 3550 §6.4.1: the NTP and RTP timestamps name the same instant; 0.5 s at 90 kHz after the last packet.
        Assert.Equal(NtpTimestamp.FromDateTime(new DateTime(2026, 1, 1, 0, 0, 1, 500, DateTimeKind.Utc)), info.NtpTimestamp);
        Assert.Equal(4000u + 45000u, info.RtpTimestamp);
        Assert.Equal((2u, 120u), (info.PacketCount, info.OctetCount));

        // The RTP timestamp wraps as the media clock does.
        stream.TryWritePacket(buffer, 96, uint.MaxValue - 899, false, Payload(2), TimeSpan.FromSeconds(2), out _);
        Assert.Equal(8100u, stream.CreateSenderInfo(TimeSpan.FromSeconds(2.1)).RtpTimestamp);
    }

    [Fact]
    public void WithoutAWallClockGivenTheStreamReadsTheSystemClockNotTheEpoch()
    {
        // Issue 12: the default used to be the Unix epoch, so a stream made without this option sent SRs dated 1970
        // (RFC 3550 §6.4.1: the NTP timestamp is wall-clock time).
        var stream = new RtpSendStream(new RtpSendStreamOptions { Ssrc = Ssrc, ClockRate = 48000 });
        byte[] buffer = new byte[1500];
        Assert.True(stream.TryWritePacket(buffer, 111, 0, false, Payload(0), TimeSpan.FromSeconds(3), out _));
        DateTime sr = stream.CreateSenderInfo(TimeSpan.FromSeconds(3)).NtpTimestamp.ToDateTime();
        DateTime now = DateTime.UtcNow;
        Assert.InRange(sr, now.AddMinutes(-1), now.AddMinutes(1));
    }

    [Fact]
    public void WithoutAWallClockAtZeroTheWallClockIsReadOnceAndPinnedToThatInstant()
    {
        var wall = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 4, 10, 0, 0, TimeSpan.Zero));
        var stream = new RtpSendStream(new RtpSendStreamOptions { Ssrc = Ssrc, ClockRate = 48000, WallClock = wall });
        DateTime start = new(2027, 3, 4, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(NtpTimestamp.FromDateTime(start), stream.NtpAt(TimeSpan.FromSeconds(5)));

        // The wall clock jumps (an NTP step, a suspend): the stream's reports keep following the monotonic clock.
        wall.Advance(TimeSpan.FromHours(1));
        Assert.Equal(NtpTimestamp.FromDateTime(start.AddSeconds(2.5)), stream.NtpAt(TimeSpan.FromSeconds(7.5)));
    }

    [Fact]
    public void ReportBlocksAboutUsGiveRemoteInboundStatsAndTheRtt()
    {
        RtpSendStream stream = Stream();
        Send(stream, 3);

        // Our SR went out at 10 s; the peer held it 250 ms (DLSR 16384/65536 s); its report arrives at 10.4 s.
        uint lsr = stream.NtpAt(TimeSpan.FromSeconds(10)).ToCompact();
        var block = new RtcpReportBlock(Ssrc, 64, 7, 70000, 900, lsr, 16384);
        Assert.True(stream.HandleReportBlock(block, TimeSpan.FromSeconds(10.4)));
        Assert.False(stream.HandleReportBlock(block with { Ssrc = 1 }, TimeSpan.FromSeconds(10.4)));

        RemoteInboundStats stats = stream.GetRemoteInboundStats();
        Assert.Equal((1L, 0.25, 7, 0.01), (stats.ReportsReceived, stats.FractionLost, stats.PacketsLost, stats.Jitter));
        TimeSpan rtt = Assert.IsType<TimeSpan>(stats.RoundTripTime);
        Assert.InRange(Math.Abs((rtt - TimeSpan.FromMilliseconds(150)).TotalSeconds), 0, 2.0 / 65536);
        Assert.Equal((1L, rtt), (stats.RoundTripTimeMeasurements, stats.TotalRoundTripTime));

        // LSR 0: the peer had no SR from us yet, so no RTT (RFC 3550 §6.4.1).
        stream.HandleReportBlock(block with { LastSenderReport = 0 }, TimeSpan.FromSeconds(11));
        Assert.Equal(1, stream.GetRemoteInboundStats().RoundTripTimeMeasurements);
        Assert.Equal(2, stream.GetRemoteInboundStats().ReportsReceived);
    }

    [Fact]
    public void PliRaisesOneKeyframeRequestUntilTaken()
    {
        RtpSendStream stream = Stream();
        Assert.False(stream.TryTakeKeyframeRequest(out _));
        Assert.False(stream.HandlePictureLossIndication(Peer, Ssrc + 1, TimeSpan.FromSeconds(1)));
        byte[] pli = new byte[12];
        Assert.True(RtcpPictureLossIndication.TryWrite(pli, Peer, Ssrc, out _));
        Assert.True(RtcpPacket.TryParse(pli, out RtcpPacket packet));
        Assert.True(RtcpPictureLossIndication.TryParse(packet, out RtcpPictureLossIndication parsed));
        Assert.True(stream.HandlePictureLossIndication(parsed, TimeSpan.FromSeconds(1)));
        Assert.True(stream.HandlePictureLossIndication(Peer, Ssrc, TimeSpan.FromSeconds(2)));
        Assert.True(stream.TryTakeKeyframeRequest(out KeyframeRequest request));
        Assert.Equal(new KeyframeRequest(KeyframeRequestKind.Pli, Peer, TimeSpan.FromSeconds(1)), request);
        Assert.False(stream.TryTakeKeyframeRequest(out _));
        Assert.Equal(2, stream.GetStats().PliCount);
    }

    [Fact]
    public void FirRepeatsOfOneRequestAreNotNewRequests()
    {
        RtpSendStream stream = Stream();
        byte[] buffer = new byte[64];
        Assert.True(RtcpFullIntraRequest.TryWrite(buffer, Peer, [new RtcpFirEntry(Ssrc + 5, 1), new RtcpFirEntry(Ssrc, 5)], out int n));
        Assert.True(RtcpPacket.TryParse(buffer.AsSpan(0, n), out RtcpPacket packet));
        Assert.True(RtcpFullIntraRequest.TryParse(packet, out RtcpFullIntraRequest fir));
        Assert.True(stream.HandleFullIntraRequest(fir, TimeSpan.FromSeconds(1)));
        Assert.True(stream.TryTakeKeyframeRequest(out KeyframeRequest request));
        Assert.Equal(new KeyframeRequest(KeyframeRequestKind.Fir, Peer, TimeSpan.FromSeconds(1)), request);

        // RFC 5104 §4.3.1.2: the same sequence number from the same requester is a retransmission of the request.
        Assert.False(stream.HandleFullIntraRequest(fir, TimeSpan.FromSeconds(1.1)));
        Assert.False(stream.TryTakeKeyframeRequest(out _));
        Assert.True(stream.HandleFullIntraRequest(Peer, 6, TimeSpan.FromSeconds(2)));
        Assert.True(stream.HandleFullIntraRequest(Peer + 1, 5, TimeSpan.FromSeconds(2))); // another requester's own numbering
        Assert.False(stream.HandleFullIntraRequest(Peer + 1, 5, TimeSpan.FromSeconds(2)));
        Assert.True(stream.HandleFullIntraRequest(Peer, 5, TimeSpan.FromSeconds(3)));     // it wrapped round: new again
        Assert.Equal(4, stream.GetStats().FirCount);
    }

    [Fact]
    public void PaddingForProbingGoesOnTheRtxStreamWithoutAnOsn()
    {
        RtpSendStream stream = Stream();
        byte[] buffer = new byte[300];
        Assert.False(stream.TryWritePadding(buffer, 200, TimeSpan.Zero, out _)); // nothing sent yet
        Send(stream, 1);
        Assert.True(stream.TryWritePadding(buffer, 200, TimeSpan.FromMilliseconds(5), out int n));
        Assert.Equal(212, n);
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, n), out RtpPacket p));
        Assert.Equal((RtxSsrc, (byte)97, (ushort)100, true, 0, 200), (p.Ssrc, p.PayloadType, p.SequenceNumber, p.HasPadding, p.Payload.Length, p.PaddingLength));
        Assert.Equal(RtxStatus.PaddingOnly, RtxPacket.TryUnwrap(buffer.AsSpan(0, n), Ssrc, 96, new byte[300], out _));
        Assert.Equal(101, stream.NextRtxSequenceNumber);
        Assert.Equal(65534, stream.NextSequenceNumber);
        Assert.Equal(1, stream.GetStats().PaddingPacketsSent);
    }

    [Fact]
    public void WithoutRtxPaddingTakesTheNextSequenceNumberOfTheStream()
    {
        RtpSendStream stream = Stream(rtx: false);
        Send(stream, 2);
        byte[] buffer = new byte[300];
        Assert.True(stream.TryWritePadding(buffer, 255, TimeSpan.FromMilliseconds(5), out int n));
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, n), out RtpPacket p));
        Assert.Equal((Ssrc, (byte)96, (ushort)65535, 3000u, 0, 255), (p.Ssrc, p.PayloadType, p.SequenceNumber, p.Timestamp, p.Payload.Length, p.PaddingLength));
        Assert.Equal(0, stream.NextSequenceNumber);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.TryWritePadding(buffer, 256, TimeSpan.Zero, out _));
    }

    [Fact]
    public void RtxNeedsAnSsrcOfItsOwn()
    {
        // RFC 4588 §4, SSRC-multiplexing: the original and the retransmission stream MUST use different SSRCs.
        Assert.Throws<ArgumentException>(() => new RtpSendStream(new RtpSendStreamOptions { Ssrc = 5, RtxSsrc = 5, ClockRate = 90000 }));
    }

    [Fact]
    public void SendingAndRetransmittingAllocateNothing()
    {
        RtpSendStream stream = Stream();
        byte[] buffer = new byte[1500];
        byte[] payload = Payload(1, 1000);
        ushort[] lost = new ushort[3];
        var block = new RtcpReportBlock(Ssrc, 0, 0, 0, 0, stream.NtpAt(TimeSpan.Zero).ToCompact(), 0);
        void Round(int i)
        {
            TimeSpan now = TimeSpan.FromMilliseconds(10 * i);
            stream.TryWritePacket(buffer, 96, (uint)(i * 900), true, payload, now, out _);
            lost[0] = (ushort)(stream.NextSequenceNumber - 1);
            stream.HandleNack(lost.AsSpan(0, 1), now);
            stream.TryPollRetransmission(buffer, now, out _);
            stream.HandleReportBlock(block, now);
            stream.CreateSenderInfo(now);
            stream.HandlePictureLossIndication(Peer, Ssrc, now);
            stream.TryTakeKeyframeRequest(out _);
            stream.TryWritePadding(buffer, 100, now, out _);
        }

        for (int i = 0; i < 100; i++)
        {
            Round(i);
        }

        Assert.Equal(0, RtcStack.TestSupport.AllocationProbe.LeastPerChunk(100, 1600, 3, Round));
        Assert.True(stream.GetStats().RetransmittedPacketsSent > 500);
    }

    [Fact]
    public void WithoutAHistoryNothingIsKeptOrResentUntilEnabled_ThenLaterPacketsAre()
    {
        var stream = new RtpSendStream(new RtpSendStreamOptions
        {
            Ssrc = Ssrc,
            ClockRate = 48000,
            InitialSequenceNumber = 1000,
            KeepHistory = false,
            WallClockAtZero = s_wallClock,
        });
        Assert.False(stream.KeepsHistory);

        // Nothing to ask for: NACKs are taken (counted) but every requested packet is unavailable.
        List<byte[]> first = Send(stream, 5);
        Assert.True(HandleNack(stream, NackPacket(Ssrc, 1001, 1003), TimeSpan.FromMilliseconds(10)));
        Assert.Empty(Drain(stream, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(2, stream.GetStats().RetransmissionsUnavailable);
        Assert.Equal(0, stream.GetStats().RetransmittedPacketsSent);

        // A renegotiation adds NACK: packets sent from then on can be resent, byte for byte, the earlier ones cannot.
        stream.EnableHistory();
        Assert.True(stream.KeepsHistory);
        List<byte[]> second = Send(stream, 5, startMs: 20);
        Assert.True(HandleNack(stream, NackPacket(Ssrc, 1002, 1006), TimeSpan.FromMilliseconds(30)));
        List<byte[]> resent = Drain(stream, TimeSpan.FromMilliseconds(30));
        Assert.Single(resent);
        Assert.Equal(second[1], resent[0]);
        Assert.Equal(3, stream.GetStats().RetransmissionsUnavailable);
        Assert.Equal(5, first.Count);
    }
}
