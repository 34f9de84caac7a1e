using System.Buffers.Binary;
using System.Net;
using RtcStack.Rtp.Capture;
using Xunit;

namespace RtcStack.Rtp.Tests.Capture;

public class RtpStreamAnalyzerTests
{
    private static readonly UdpFlow s_flow = new(IPAddress.Parse("192.0.2.1"), 5004, IPAddress.Parse("192.0.2.2"), 5006);
    private const long Ms = 1_000_000;

    private static byte[] Rtp(ushort seq, uint ts, uint ssrc = 0x11223344, byte pt = 0, int payload = 20)
    {
        byte[] p = new byte[12 + payload];
        RtpPacketWriter.Write(p, new RtpHeader(pt, seq, ts, ssrc), new byte[payload]);
        return p;
    }

    [Fact]
    public void Counts_FollowRfc3550A3_WithDuplicatesReorderingAndGaps()
    {
        var analyzer = new RtpStreamAnalyzer();
        ushort[] arrivals = [10, 11, 13, 12, 12, 14, 17];
        for (int i = 0; i < arrivals.Length; i++)
        {
            analyzer.AddDatagram(i * 20 * Ms, s_flow, Rtp(arrivals[i], arrivals[i] * 160u));
        }

        RtpStreamStatistics s = Assert.Single(analyzer.Streams);
        Assert.Equal(7, s.Packets);
        Assert.Equal(8, s.Expected);      // 10..17
        Assert.Equal(1, s.Lost);          // 15 and 16 missing, one duplicate of 12
        Assert.Equal(1, s.Duplicates);
        Assert.Equal(1, s.OutOfOrder);    // the first 12
        Assert.Equal(2, s.MaxSequenceGap); // 14 -> 17
        Assert.Equal(17, s.HighestSequence);
        Assert.Equal(17, s.LastSequence);
        Assert.Equal(0.120, s.DurationSeconds, 9);
    }

    [Theory]
    [InlineData(new ushort[] { 65534, 65535, 0, 1 }, 4, 0, 0)]
    [InlineData(new ushort[] { 65535, 1, 0 }, 3, 0, 1)]
    [InlineData(new ushort[] { 1, 65535, 2 }, 2, -1, 1)] // 65535 is late (before the base); RFC 3550 A.3 still counts it received
    public void SequenceNumbers_UnwrapAcrossZero(ushort[] arrivals, long expected, long lost, long outOfOrder)
    {
        var analyzer = new RtpStreamAnalyzer();
        for (int i = 0; i < arrivals.Length; i++)
        {
            analyzer.AddDatagram(i * 20 * Ms, s_flow, Rtp(arrivals[i], (uint)i * 160));
        }

        RtpStreamStatistics s = Assert.Single(analyzer.Streams);
        Assert.Equal(expected, s.Expected);
        Assert.Equal(lost, s.Lost);
        Assert.Equal(outOfOrder, s.OutOfOrder);
    }

    [Fact]
    public void Jitter_FollowsRfc3550A8_ByHand()
    {
        // PCMU (8000 Hz), 20 ms apart; packet 3 arrives 8 ms late (64 timestamp units).
        // J2 = 0; J3 = 64/16 = 4 units; J4 = 4 + (64-4)/16 = 7.75; J5 = 7.75 - 7.75/16 = 7.265625.
        var analyzer = new RtpStreamAnalyzer();
        long[] arrivalMs = [0, 20, 48, 60, 80];
        for (int i = 0; i < 5; i++)
        {
            analyzer.AddDatagram(1_700_000_000_000_000_000 + (arrivalMs[i] * Ms), s_flow, Rtp((ushort)i, 4_294_967_000u + ((uint)i * 160)));
        }

        RtpStreamStatistics s = Assert.Single(analyzer.Streams);
        Assert.Equal(8000, s.ClockRate);
        Assert.Equal(7.265625 / 8, s.JitterMs, 12);
        Assert.Equal(7.75 / 8, s.MaxJitterMs, 12);
        Assert.Equal((0 + 0.5 + 0.96875 + 0.908203125) / 4, s.MeanJitterMs, 12);
        Assert.Equal(28, s.MaxDeltaMs, 9);
    }

    [Fact]
    public void ConstantTransit_HasZeroJitter_AtAnyClockRate()
    {
        var analyzer = new RtpStreamAnalyzer(pt => pt == 96 ? 90_000 : 48_000);
        for (int i = 0; i < 50; i++)
        {
            analyzer.AddDatagram(i * 33_333_333L, s_flow, Rtp((ushort)i, (uint)i * 3000, pt: 96));
            analyzer.AddDatagram(i * 20 * Ms, s_flow, Rtp((ushort)(i + 1000), (uint)i * 960, ssrc: 7, pt: 111));
        }

        Assert.Equal(2, analyzer.Streams.Count);
        Assert.Equal(90_000, analyzer.Streams[0].ClockRate);
        Assert.Equal(48_000, analyzer.Streams[1].ClockRate);
        Assert.All(analyzer.Streams, s => Assert.True(s.MaxJitterMs < 1e-3, $"jitter {s.MaxJitterMs}"));
    }

    [Fact]
    public void Streams_AreKeyedByFlowAndSsrc_InOrderOfAppearance()
    {
        var analyzer = new RtpStreamAnalyzer();
        analyzer.AddDatagram(0, s_flow, Rtp(1, 0, ssrc: 2));
        analyzer.AddDatagram(1, s_flow, Rtp(1, 0, ssrc: 1));
        analyzer.AddDatagram(2, s_flow.Reverse(), Rtp(1, 0, ssrc: 2));
        analyzer.AddDatagram(3, s_flow, Rtp(2, 0, ssrc: 2, pt: 13));

        Assert.Equal([2u, 1u, 2u], analyzer.Streams.Select(s => s.Key.Ssrc));
        Assert.Equal(s_flow.Reverse(), analyzer.Streams[2].Key.Flow);
        Assert.Equal([(byte)0, (byte)13], analyzer.Streams[0].PayloadTypes);
        Assert.Equal(4, analyzer.Counters.Rtp);
    }

    [Fact]
    public void Rtcp_IsCountedPerSenderAndPacketType()
    {
        byte[] sr = new byte[28];
        sr[0] = 0x80;
        sr[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(sr.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(4), 0xAABBCCDD);
        byte[] sdes = [0x81, 202, 0, 2, 0xAA, 0xBB, 0xCC, 0xDD, 1, 1, (byte)'a', 0];
        byte[] remb = [0x8F, 206, 0, 4, 0xAA, 0xBB, 0xCC, 0xDD, 0, 0, 0, 0, (byte)'R', (byte)'E', (byte)'M', (byte)'B', 0, 0, 0, 0];
        byte[] pli = [0x81, 206, 0, 2, 0xAA, 0xBB, 0xCC, 0xDD, 0, 0, 0, 1];
        var analyzer = new RtpStreamAnalyzer();
        analyzer.AddDatagram(0, s_flow, [.. sr, .. sdes]);
        analyzer.AddDatagram(1, s_flow, [.. sr, .. sdes, .. remb, .. pli]);

        RtcpFlowStatistics r = Assert.Single(analyzer.RtcpFlows);
        Assert.Equal(0xAABBCCDDu, r.SenderSsrc);
        Assert.Equal(2, r.Datagrams);
        Assert.Equal(2, r.Count("SR"));
        Assert.Equal(2, r.Count("SDES"));
        Assert.Equal(1, r.Count("REMB"));
        Assert.Equal(1, r.Count("PLI"));
        Assert.Equal(["SR", "SDES", "REMB", "PLI"], r.PacketTypes.Select(t => t.Key));
        Assert.Empty(analyzer.Streams);
    }

    [Fact]
    public void Classifier_FollowsRfc7983AndRfc5761()
    {
        Assert.Equal(DatagramKind.Stun, DatagramClassifier.Classify([0x00, 0x01, 0, 0]));
        Assert.Equal(DatagramKind.Zrtp, DatagramClassifier.Classify([16, 0]));
        Assert.Equal(DatagramKind.Dtls, DatagramClassifier.Classify([22, 0xFE, 0xFD]));
        Assert.Equal(DatagramKind.TurnChannel, DatagramClassifier.Classify([0x40, 0x00, 0, 4, 1, 2, 3, 4]));
        Assert.Equal(DatagramKind.Rtp, DatagramClassifier.Classify(Rtp(1, 1, pt: 111)));
        Assert.Equal(DatagramKind.Rtp, DatagramClassifier.Classify(Rtp(1, 1, pt: 95)));       // 2nd byte 95: RTP
        byte[] markerPt72 = Rtp(1, 1, pt: 72)[..28];
        markerPt72[1] |= 0x80;                                                                // 2nd byte 200: RTCP SR
        BinaryPrimitives.WriteUInt16BigEndian(markerPt72.AsSpan(2), 6);                       // 28 bytes = 7 words
        Assert.Equal(DatagramKind.Rtcp, DatagramClassifier.Classify(markerPt72));
        Assert.Equal(DatagramKind.Other, DatagramClassifier.Classify([0x80, 200, 0, 50, 0, 0, 0, 0])); // length overruns
        Assert.Equal(DatagramKind.Other, DatagramClassifier.Classify([0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])); // 15 CSRCs missing
        Assert.Equal(DatagramKind.Other, DatagramClassifier.Classify([0xC0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])); // 192+: not in any range
        Assert.Equal(DatagramKind.Other, DatagramClassifier.Classify([]));
    }
}
