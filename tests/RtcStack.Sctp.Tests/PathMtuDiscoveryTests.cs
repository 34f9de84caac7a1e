using System.Buffers.Binary;
using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// RFC 8899 path MTU discovery over an in-memory link that drops every packet larger than <see cref="PathLink.PathMtu"/>
/// (SCTP bytes; the link may change it mid-run).
/// </summary>
public class PathMtuDiscoveryTests
{
    private const int Max = 1412;

    private sealed class PathLink
    {
        public int PathMtu { get; set; }

        public List<(bool ToB, byte[] Packet, TimeSpan At)> Sent { get; } = new();

        public long Dropped { get; set; }
    }

    private static SctpAssociationOptions Options(int seed, bool pmtud, int minPathMtu = 1200) => new()
    {
        Random = new Random(seed),
        EnableMessageInterleaving = false,
        EnablePathMtuDiscovery = pmtud,
        MaxPathMtu = Max,
        MinPathMtu = minPathMtu,
    };

    private static (SctpPair Pair, PathLink Link) Connected(int pathMtu, bool pmtudA = true, bool pmtudB = true, int minPathMtu = 1200)
    {
        var pair = new SctpPair(a: Options(11, pmtudA, minPathMtu), b: Options(12, pmtudB, minPathMtu));
        var link = new PathLink { PathMtu = pathMtu };
        pair.Sent = (toB, p, at) => link.Sent.Add((toB, p, at));
        pair.Drop = (toB, p) =>
        {
            bool drop = p.Length > link.PathMtu;
            if (drop)
            {
                link.Dropped++;
            }

            return drop;
        };
        pair.Connect();
        Assert.Equal(SctpAssociationState.Established, pair.A.State);
        return (pair, link);
    }

    /// <summary>The probe size in a packet when it is a probe (HEARTBEAT with 20-byte info, then PAD), else -1.</summary>
    private static int ProbeSize(byte[] packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p) != SctpParseStatus.Ok)
        {
            return -1;
        }

        int i = 0;
        int size = -1;
        foreach (SctpChunk c in p.Chunks)
        {
            if (i == 0 && c.Type == SctpChunkType.Heartbeat && c.Value.Length == 24)
            {
                size = BinaryPrimitives.ReadInt32BigEndian(c.Value[20..]);
            }
            else if (i == 1 && c.Type == SctpChunkType.Pad && size > 0)
            {
                i++;
                continue;
            }
            else
            {
                return -1;
            }

            i++;
        }

        return i == 2 ? size : -1;
    }

    private static int Expected(int pathMtu) => Math.Clamp(pathMtu, 1200, Max) & ~3;

    [Theory]
    [InlineData(1500, true)]
    [InlineData(1412, true)]
    [InlineData(1300, true)]
    [InlineData(1333, true)]
    [InlineData(1203, true)]
    [InlineData(1333, false)]
    public void Search_FindsLargestProbeSizeUnderPathMtu(int pathMtu, bool peerRunsDiscovery)
    {
        (SctpPair pair, PathLink link) = Connected(pathMtu, pmtudB: peerRunsDiscovery);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        int expected = Expected(pathMtu);
        Assert.Equal(expected, pair.A.PathMtu);
        if (expected > 1200)
        {
            SctpPathMtuChangedEvent last = pair.EventsA.OfType<SctpPathMtuChangedEvent>().Last();
            Assert.Equal(expected, last.PathMtu);
            Assert.Equal(SctpPathMtuChangeReason.ProbeAcknowledged, last.Reason);
        }
        else
        {
            Assert.Empty(pair.EventsA.OfType<SctpPathMtuChangedEvent>());
        }

        SctpAssociationStatistics s = pair.A.Statistics;
        Assert.Equal(s.PathMtuProbesSent, s.PathMtuProbesAcknowledged + s.PathMtuProbesLost);
        Assert.Equal(link.Sent.Count(x => x.ToB && ProbeSize(x.Packet) > 0), s.PathMtuProbesSent);

        // Every probe larger than the path was lost, every other one answered.
        Assert.Equal(link.Sent.Count(x => x.ToB && ProbeSize(x.Packet) > pathMtu), s.PathMtuProbesLost);
        Assert.Equal(peerRunsDiscovery ? expected : 1200, pair.B.PathMtu);

        // Data now goes in packets up to the PLPMTU: one 1,400-byte... fragments are PLPMTU - 28 bytes of user data.
        int before = link.Sent.Count;
        pair.A.Send(1, 51, SctpAssociationTests.Bytes(5000, 3), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(10)));
        int biggestData = link.Sent.Skip(before).Where(x => x.ToB).Max(x => x.Packet.Length);
        Assert.Equal(expected, biggestData);
        Assert.Equal(SctpAssociationTests.Bytes(5000, 3), SctpAssociationTests.Messages(pair.EventsB)[0].Data);
    }

    [Fact]
    public void Probes_AreHeartbeatPlusPad_OfExactlyTheProbeSize_InSearchOrder()
    {
        (SctpPair pair, PathLink link) = Connected(1300);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        var probes = link.Sent.Where(x => x.ToB && ProbeSize(x.Packet) > 0).ToList();

        // BASE 1,200; MAX_PLPMTU 1,412 three times (MAX_PROBES); then binary search on multiples of 4 between the
        // confirmed size and the largest not known to fail: 1,304 fails three times, then 1,248 .. 1,300 are answered.
        int[] expectedSizes = [1200, 1412, 1412, 1412, 1304, 1304, 1304, 1248, 1272, 1284, 1292, 1296, 1300];
        Assert.Equal(expectedSizes, probes.Select(x => ProbeSize(x.Packet)).ToArray());
        foreach ((bool _, byte[] packet, TimeSpan _) in probes)
        {
            Assert.Equal(ProbeSize(packet), packet.Length);
            Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(packet, out SctpPacket p));
            int n = 0;
            foreach (SctpChunk c in p.Chunks)
            {
                if (n++ == 1)
                {
                    Assert.Equal(0x84, (int)c.Type);
                    Assert.Equal(0, c.Flags);
                    Assert.Equal(packet.Length - 12 - 28, c.Raw.Length);
                    Assert.True(c.Value.IndexOfAnyExcept((byte)0) < 0, "PAD data is zeros");
                }
            }
        }

        // A lost probe is followed by the next after PROBE_TIMER (20 s), never sooner.
        for (int i = 1; i < 4; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(20), probes[i + 1].At - probes[i].At);
        }

        // The HEARTBEAT ACKs that answer probes are small: the PAD is not echoed.
        var acks = link.Sent.Where(x => !x.ToB && x.Packet[12] == (byte)SctpChunkType.HeartbeatAck).ToList();
        Assert.NotEmpty(acks);
        Assert.All(acks, x => Assert.True(x.Packet.Length <= 64));
    }

    [Fact]
    public void Probing_DoesNotTouchFlightCwndOrRetransmissions()
    {
        (SctpPair pair, PathLink link) = Connected(1300);
        int ssthresh = pair.A.SlowStartThreshold;
        int cwnd = pair.A.CongestionWindow;

        // Idle: probes (some lost) go out, and neither flight size nor cwnd moves.
        Assert.True(pair.RunUntil(() => pair.A.Statistics.PathMtuProbesLost >= 3, TimeSpan.FromMinutes(5)));
        Assert.Equal(0, pair.A.FlightSize);
        Assert.Equal(cwnd, pair.A.CongestionWindow);
        Assert.Equal(ssthresh, pair.A.SlowStartThreshold);

        // Data during the rest of the search: nothing is retransmitted, no congestion reaction, everything arrives.
        int sent = 0;
        int flightAtProbe = -1;
        pair.Sent = (toB, p, at) =>
        {
            link.Sent.Add((toB, p, at));
            if (toB && ProbeSize(p) > 0)
            {
                flightAtProbe = Math.Max(flightAtProbe, pair.A.FlightSize);
            }
        };
        while (pair.A.PathMtuState != SctpPathMtuState.SearchComplete && sent < 5000)
        {
            pair.A.Send(1, 51, SctpAssociationTests.Bytes(700, sent), pair.Now);
            sent++;
            pair.Drain();
            pair.RunUntil(() => false, TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(SctpPathMtuState.SearchComplete, pair.A.PathMtuState);
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == sent, TimeSpan.FromSeconds(30)));
        Assert.Equal(1300, pair.A.PathMtu);
        Assert.Equal(0, pair.A.Statistics.Retransmissions);
        Assert.Equal(0, pair.A.Statistics.T3Expirations);
        Assert.Equal(0, pair.A.Statistics.FastRetransmits);
        Assert.True(pair.A.Statistics.PathMtuProbesLost >= 6);
        Assert.Equal(ssthresh, pair.A.SlowStartThreshold);
        Assert.True(flightAtProbe >= 0);
        var messages = SctpAssociationTests.Messages(pair.EventsB);
        for (int i = 0; i < sent; i++)
        {
            Assert.Equal(SctpAssociationTests.Bytes(700, i), messages[i].Data);
        }

        // Every packet that carried DATA fits the path: none was lost to probing or to a size the path refuses.
        Assert.Equal(pair.A.Statistics.PathMtuProbesLost + pair.B.Statistics.PathMtuProbesLost, link.Dropped);
    }

    [Fact]
    public void PathShrinks_BlackHoleDetected_FallsBackToBase_MessagesArrive_ThenSearchesAgain()
    {
        (SctpPair pair, PathLink link) = Connected(1500);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        Assert.Equal(Max, pair.A.PathMtu);

        // 320-byte messages: four DATA chunks make a 1,356-byte packet at this PLPMTU, three fit 1,200.
        int sent = 0;
        void SendSome(int n)
        {
            for (int i = 0; i < n; i++)
            {
                pair.A.Send(1, 51, SctpAssociationTests.Bytes(320, sent), pair.Now);
                sent++;
            }

            pair.Drain();
        }

        SendSome(40);
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == sent, TimeSpan.FromSeconds(10)));
        Assert.Contains(link.Sent, x => x.ToB && x.Packet.Length > 1300 && ProbeSize(x.Packet) < 0);

        link.PathMtu = 1280;
        SendSome(40);
        Assert.True(pair.RunUntil(() => pair.A.Statistics.PathMtuBlackHolesDetected == 1, TimeSpan.FromSeconds(30)));
        SctpPathMtuChangedEvent fallback = pair.EventsA.OfType<SctpPathMtuChangedEvent>().Last();
        Assert.Equal(SctpPathMtuChangeReason.BlackHoleDetected, fallback.Reason);
        Assert.Equal(1200, fallback.PathMtu);
        Assert.Equal(Max, fallback.PreviousPathMtu);
        Assert.Equal(2, pair.A.Statistics.T3Expirations);

        SendSome(40);
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == sent, TimeSpan.FromSeconds(60)));
        var messages = SctpAssociationTests.Messages(pair.EventsB);
        for (int i = 0; i < sent; i++)
        {
            Assert.Equal(SctpAssociationTests.Bytes(320, i), messages[i].Data);
        }

        // BASE is confirmed, and the search finds the new limit.
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        Assert.Equal(1280, pair.A.PathMtu);
        Assert.Equal(SctpAssociationState.Established, pair.A.State);
    }

    [Fact]
    public void PathShrinks_ChunksMadeForTheLargerPlpmtu_GoAloneInOversizedPackets()
    {
        // RFC 9260 §6.9: a DATA chunk keeps its size once it has a TSN. After the fallback, a fragment made for the old
        // PLPMTU goes alone in a packet above the new PLPMTU (left to fragmentation below SCTP); everything else fits.
        (SctpPair pair, PathLink link) = Connected(1500);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        link.PathMtu = 1280;
        pair.A.Send(1, 51, SctpAssociationTests.Bytes(8000, 4), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.A.Statistics.PathMtuBlackHolesDetected == 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(1200, pair.A.PathMtu);

        // The layer below now fragments DATA packets; probes go with DF set (RFC 8899 §3 item 2) and still meet the limit.
        int from = link.Sent.Count;
        pair.Drop = (toB, p) => ProbeSize(p) > 1280;
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(60)));
        Assert.Equal(SctpAssociationTests.Bytes(8000, 4), SctpAssociationTests.Messages(pair.EventsB)[0].Data);
        var dataPackets = link.Sent.Skip(from).Where(x => x.ToB && x.Packet[12] == (byte)SctpChunkType.Data).ToList();
        Assert.Contains(dataPackets, x => x.Packet.Length == Max);
        foreach ((bool _, byte[] packet, TimeSpan _) in dataPackets.Where(x => x.Packet.Length > 1280))
        {
            Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(packet, out SctpPacket p));
            int chunks = 0;
            foreach (SctpChunk c in p.Chunks)
            {
                chunks++;
            }

            Assert.Equal(1, chunks);
        }

        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        Assert.Equal(1280, pair.A.PathMtu);
    }

    [Fact]
    public void PathGrows_FoundAfterRaiseTimer()
    {
        (SctpPair pair, PathLink link) = Connected(1300);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(30)));
        Assert.Equal(1300, pair.A.PathMtu);
        TimeSpan completed = pair.Now;
        long probes = pair.A.Statistics.PathMtuProbesSent;

        link.PathMtu = 1500;
        pair.RunUntil(() => false, TimeSpan.FromSeconds(590));
        Assert.Equal(1300, pair.A.PathMtu);
        Assert.Equal(probes, pair.A.Statistics.PathMtuProbesSent); // no probing in SEARCH_COMPLETE (§5.2, §6.2.1.3)

        Assert.True(pair.RunUntil(() => pair.A.PathMtu == Max, TimeSpan.FromSeconds(60)));
        TimeSpan firstNewProbe = link.Sent.Where(x => x.ToB && ProbeSize(x.Packet) > 0).Skip((int)probes).First().At;
        Assert.Equal(completed + TimeSpan.FromSeconds(600), firstNewProbe);
        Assert.Equal(SctpPathMtuChangeReason.ProbeAcknowledged, pair.EventsA.OfType<SctpPathMtuChangedEvent>().Last().Reason);
    }

    [Fact]
    public void BaseUnconfirmed_ErrorStateUsesMinPathMtu_ThenRecovers()
    {
        (SctpPair pair, PathLink link) = Connected(1100, minPathMtu: 1000);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.Error, TimeSpan.FromMinutes(5)));
        Assert.Equal(1000, pair.A.PathMtu);
        Assert.Equal(SctpPathMtuChangeReason.BaseUnconfirmed, pair.EventsA.OfType<SctpPathMtuChangedEvent>().Last().Reason);

        pair.A.Send(1, 51, SctpAssociationTests.Bytes(3000, 9), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(SctpAssociationTests.Bytes(3000, 9), SctpAssociationTests.Messages(pair.EventsB)[0].Data);
        Assert.Equal(0, pair.A.Statistics.Retransmissions);

        link.PathMtu = 1500;
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.SearchComplete, TimeSpan.FromMinutes(5)));
        Assert.Equal(Max, pair.A.PathMtu);
        Assert.Contains(pair.EventsA.OfType<SctpPathMtuChangedEvent>(), e => e.Reason == SctpPathMtuChangeReason.BaseConfirmed && e.PathMtu == 1200);
    }

    [Fact]
    public void ProbeTimerBelowOneSecond_IsRefused()
    {
        // RFC 8899 §5.1.1: PROBE_TIMER MUST NOT be smaller than 1 second.
        Assert.Throws<ArgumentOutOfRangeException>(() => new SctpAssociation(new SctpAssociationOptions
        {
            EnablePathMtuDiscovery = true, PathMtuProbeTimeout = TimeSpan.FromMilliseconds(999),
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SctpAssociation(new SctpAssociationOptions
        {
            EnablePathMtuDiscovery = true, MaxPathMtu = 1100,
        }));
        _ = new SctpAssociation(new SctpAssociationOptions { EnablePathMtuDiscovery = true, PathMtuProbeTimeout = TimeSpan.FromSeconds(1) });
        _ = new SctpAssociation(new SctpAssociationOptions { PathMtuProbeTimeout = TimeSpan.Zero }); // option off: not used
    }

    [Fact]
    public void OptionOff_NoProbesNoPadAndPacketsStayAt1200()
    {
        (SctpPair pair, PathLink link) = Connected(1500, pmtudA: false, pmtudB: false);
        pair.A.Send(1, 51, SctpAssociationTests.Bytes(20000, 1), pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(10)));
        pair.RunUntil(() => false, TimeSpan.FromMinutes(15));
        Assert.Equal(SctpPathMtuState.Disabled, pair.A.PathMtuState);
        Assert.Equal(1200, pair.A.PathMtu);
        Assert.Equal(0, pair.A.Statistics.PathMtuProbesSent);
        Assert.Empty(pair.EventsA.OfType<SctpPathMtuChangedEvent>());
        Assert.All(link.Sent, x => Assert.True(x.Packet.Length <= 1200 && ProbeSize(x.Packet) < 0));
        Assert.Equal(1200, link.Sent.Max(x => x.Packet.Length));
    }

    [Fact]
    public void ForgedOrLateProbeAcks_AreIgnored()
    {
        (SctpPair pair, PathLink link) = Connected(1300);
        Assert.True(pair.RunUntil(() => pair.A.PathMtuState == SctpPathMtuState.Searching, TimeSpan.FromSeconds(10)));

        // Answer nothing from B; feed A HEARTBEAT ACKs with probe-shaped info: a wrong nonce, a wrong size.
        pair.Drop = (toB, p) => p.Length > link.PathMtu || (!toB && p.Length > 12 && p[12] == (byte)SctpChunkType.HeartbeatAck);
        Assert.True(pair.RunUntil(() => link.Sent.Any(x => x.ToB && ProbeSize(x.Packet) == Max), TimeSpan.FromMinutes(2)));
        byte[] probe = link.Sent.Last(x => x.ToB && ProbeSize(x.Packet) > 0).Packet;
        uint tagOfA = BinaryPrimitives.ReadUInt32BigEndian(link.Sent.Last(x => !x.ToB).Packet.AsSpan(4));
        byte[] info = probe.AsSpan(16, 24).ToArray();
        foreach (Action<byte[]> corrupt in new Action<byte[]>[] { i => i[12] ^= 1, i => BinaryPrimitives.WriteInt32BigEndian(i.AsSpan(20), 1300) })
        {
            byte[] forged = (byte[])info.Clone();
            corrupt(forged);
            byte[] buffer = new byte[64];
            var w = new SctpPacketWriter(buffer, 5000, 5000, tagOfA);
            Assert.True(w.TryWriteChunk(SctpChunkType.HeartbeatAck, 0, forged));
            pair.A.HandleDatagram(buffer.AsSpan(0, w.Finish()), pair.Now);
        }

        Assert.Equal(1200, pair.A.PathMtu);
        Assert.Equal(1, pair.A.Statistics.PathMtuProbesAcknowledged); // the BASE probe only

        // The genuine answer is accepted.
        byte[] okBuffer = new byte[64];
        var ok = new SctpPacketWriter(okBuffer, 5000, 5000, tagOfA);
        Assert.True(ok.TryWriteChunk(SctpChunkType.HeartbeatAck, 0, info));
        pair.A.HandleDatagram(okBuffer.AsSpan(0, ok.Finish()), pair.Now);
        Assert.Equal(ProbeSize(probe), pair.A.PathMtu);
    }

    [Fact]
    public void HostilePadChunks_NeverThrow_AndPadIsSkipped()
    {
        (SctpPair pair, PathLink _) = Connected(1500, pmtudA: false, pmtudB: false);
        uint tagOfB = 0;
        pair.Sent = (toB, p, at) =>
        {
            if (toB)
            {
                tagOfB = BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(4));
            }
        };
        pair.A.Send(1, 51, [1], pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 1, TimeSpan.FromSeconds(5)));
        var random = new Random(5);
        for (int n = 0; n < 3000; n++)
        {
            byte[] buffer = new byte[12 + 64];
            var w = new SctpPacketWriter(buffer, 5000, 5000, tagOfB);
            int valueLength = random.Next(0, 40);
            Assert.True(w.TryReserve(SctpChunkType.Pad, (byte)random.Next(256), valueLength, out Span<byte> v));
            random.NextBytes(v);
            int length = w.Finish();

            // Hostile length fields: shorter than the header, past the end, odd; or a cut-off packet.
            int mode = random.Next(4);
            if (mode == 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(14), (ushort)random.Next(0, 65536));
            }
            else if (mode == 1)
            {
                length = 12 + random.Next(0, length - 12);
            }

            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), SctpPacket.ComputeChecksum(buffer.AsSpan(0, length)));
            pair.B.HandleDatagram(buffer.AsSpan(0, length), pair.Now);
        }

        Assert.Equal(SctpAssociationState.Established, pair.B.State);

        // A PAD chunk before a DATA chunk: the PAD is skipped and the DATA delivered (RFC 4820 §3).
        pair.Drop = (toB, p) =>
        {
            if (toB && p.Length > 12 && p[12] == (byte)SctpChunkType.Data)
            {
                byte[] padded = new byte[p.Length + 8];
                p.AsSpan(0, 12).CopyTo(padded);
                padded[12] = 0x84;
                BinaryPrimitives.WriteUInt16BigEndian(padded.AsSpan(14), 8);
                p.AsSpan(12).CopyTo(padded.AsSpan(20));
                BinaryPrimitives.WriteUInt32LittleEndian(padded.AsSpan(8), 0);
                BinaryPrimitives.WriteUInt32LittleEndian(padded.AsSpan(8), SctpPacket.ComputeChecksum(padded));
                pair.B.HandleDatagram(padded, pair.Now);
                return true;
            }

            return false;
        };
        pair.A.Send(1, 51, [2, 3], pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => SctpAssociationTests.Messages(pair.EventsB).Count == 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(new byte[] { 2, 3 }, SctpAssociationTests.Messages(pair.EventsB)[1].Data);
    }
}
