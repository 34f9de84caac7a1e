using System.Buffers.Binary;
using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// RFC 9653 zero checksum, one MUST at a time, mostly against a peer built by hand: INIT, INIT ACK, COOKIE ECHO,
/// COOKIE ACK and HEARTBEAT packets written byte by byte with the checksum field set to the CRC32c, to zero or to
/// garbage, so each rule is checked on the wire rather than through our own sender.
/// </summary>
public class ZeroChecksumTests
{
    private const uint PeerTag = 0x1234_5678;
    private const uint PeerTsn = 1000;

    /// <summary>The Zero Checksum Acceptable parameter (RFC 9653 §4): type 0x8001, length 8, the method.</summary>
    private static byte[] ZeroChecksumParameter(uint method, int length = 8)
    {
        byte[] p = new byte[(length + 3) & ~3];
        p[0] = 0x80;
        p[1] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)length);
        if (p.Length >= 8)
        {
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), method);
        }

        return p;
    }

    /// <summary>A packet's common header (ports 5000, <paramref name="tag"/>) and chunks; the checksum is set by <see cref="Seal"/>.</summary>
    private static byte[] Packet(uint tag, params byte[][] chunks)
    {
        int length = 12 + chunks.Sum(c => (c.Length + 3) & ~3);
        byte[] p = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(p, 5000);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 5000);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), tag);
        int o = 12;
        foreach (byte[] c in chunks)
        {
            c.CopyTo(p, o);
            o += (c.Length + 3) & ~3;
        }

        return p;
    }

    private static byte[] Chunk(SctpChunkType type, byte flags, byte[] value)
    {
        byte[] c = new byte[4 + value.Length];
        c[0] = (byte)type;
        c[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(c.AsSpan(2), (ushort)c.Length);
        value.CopyTo(c, 4);
        return c;
    }

    /// <summary>An INIT or INIT ACK chunk: tag, a_rwnd 1 MiB, 65,535 streams each way, the TSN, the parameters.</summary>
    private static byte[] InitChunkBytes(SctpChunkType type, uint initiateTag, params byte[][] parameters)
    {
        byte[] v = new byte[16 + parameters.Sum(p => p.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(v, initiateTag);
        BinaryPrimitives.WriteUInt32BigEndian(v.AsSpan(4), 1 << 20);
        BinaryPrimitives.WriteUInt16BigEndian(v.AsSpan(8), 65535);
        BinaryPrimitives.WriteUInt16BigEndian(v.AsSpan(10), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(v.AsSpan(12), PeerTsn);
        int o = 16;
        foreach (byte[] p in parameters)
        {
            p.CopyTo(v, o);
            o += p.Length;
        }

        return Chunk(type, 0, v);
    }

    public enum Checksum
    {
        Crc32c,
        Zero,
        Wrong,
    }

    private static byte[] Seal(byte[] packet, Checksum checksum)
    {
        uint value = checksum switch
        {
            Checksum.Crc32c => SctpPacket.ComputeChecksum(packet),
            Checksum.Zero => 0,
            _ => SctpPacket.ComputeChecksum(packet) ^ 0x0100_0000,
        };
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), value);
        return packet;
    }

    private static uint ChecksumField(byte[] packet) => BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8));

    private static bool HasCrc32c(byte[] packet) => ChecksumField(packet) == SctpPacket.ComputeChecksum(packet);

    private static List<SctpChunkType> ChunkTypes(byte[] packet)
    {
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false));
        var types = new List<SctpChunkType>();
        foreach (SctpChunk c in p.Chunks)
        {
            types.Add(c.Type);
        }

        return types;
    }

    private static List<byte[]> Poll(SctpAssociation s)
    {
        var packets = new List<byte[]>();
        while (s.TryPollTransmit(out ReadOnlyMemory<byte> p))
        {
            packets.Add(p.ToArray());
        }

        return packets;
    }

    /// <summary>The first INIT or INIT ACK chunk of a packet, and its Zero Checksum Acceptable parameter's raw bytes (or null).</summary>
    private static (uint InitiateTag, byte[] Cookie, byte[]? Parameter) ReadInit(byte[] packet)
    {
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false));
        foreach (SctpChunk c in p.Chunks)
        {
            Assert.True(InitChunk.TryParse(c, out InitChunk init));
            byte[] cookie = init.TryGetStateCookie(out ReadOnlySpan<byte> ck) ? ck.ToArray() : [];
            foreach (SctpParameter parameter in new SctpParameterEnumerator(init.Parameters))
            {
                if (parameter.Type == 0x8001)
                {
                    return (init.InitiateTag, cookie, parameter.Raw.ToArray());
                }
            }

            return (init.InitiateTag, cookie, null);
        }

        throw new Xunit.Sdk.XunitException("no chunk");
    }

    private static SctpAssociation New(bool zeroChecksum, int seed = 1) =>
        new(new SctpAssociationOptions { Random = new Random(seed), EnableZeroChecksum = zeroChecksum });

    private static byte[] HeartbeatInfo()
    {
        // A HEARTBEAT chunk's value: one Heartbeat Info parameter (RFC 9260 §3.3.5) the receiver echoes unchanged.
        byte[] info = [0, 1, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8];
        return info;
    }

    /// <summary>
    /// The responder side set up by a hand-built peer: INIT (with <paramref name="peerParameters"/>) then COOKIE ECHO,
    /// both with their CRC32c. Returns the association, its tag and the packets it sent (INIT ACK, COOKIE ACK).
    /// </summary>
    private static (SctpAssociation B, uint Tag, byte[] InitAck, byte[] CookieAck) EstablishResponder(bool zeroChecksum, params byte[][] peerParameters)
    {
        SctpAssociation b = New(zeroChecksum);
        b.HandleDatagram(Seal(Packet(0, InitChunkBytes(SctpChunkType.Init, PeerTag, peerParameters)), Checksum.Crc32c), TimeSpan.FromSeconds(1));
        byte[] initAck = Assert.Single(Poll(b));
        (uint tag, byte[] cookie, _) = ReadInit(initAck);
        b.HandleDatagram(Seal(Packet(tag, Chunk(SctpChunkType.CookieEcho, 0, cookie)), Checksum.Crc32c), TimeSpan.FromSeconds(1));
        Assert.Equal(SctpAssociationState.Established, b.State);
        byte[] cookieAck = Assert.Single(Poll(b));
        Assert.Equal([SctpChunkType.CookieAck], ChunkTypes(cookieAck));
        return (b, tag, initAck, cookieAck);
    }

    /// <summary>
    /// RFC 9653 §4, §5.1: with zero checksums enabled, the INIT and the INIT ACK carry the Zero Checksum Acceptable
    /// parameter, exactly 80 01 00 08 00 00 00 01 (type 0x8001, length 8, method 1 = SCTP over DTLS, §6); without, neither
    /// does. §5.2: both packets carry a correct CRC32c either way.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InitAndInitAck_AnnounceMethodOne_OnlyWhenEnabled_AndAlwaysCarryTheCrc32c(bool enabled)
    {
        byte[]? expected = enabled ? [0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1] : null;

        SctpAssociation a = New(enabled);
        a.Connect(TimeSpan.FromSeconds(1));
        byte[] init = Assert.Single(Poll(a));
        Assert.Equal([SctpChunkType.Init], ChunkTypes(init));
        Assert.True(HasCrc32c(init));
        Assert.NotEqual(0u, ChecksumField(init));
        Assert.Equal(expected, ReadInit(init).Parameter);

        // The INIT retransmitted by T1 is the same.
        a.HandleTimeout(a.PollTimeout()!.Value);
        byte[] again = Assert.Single(Poll(a));
        Assert.True(HasCrc32c(again));
        Assert.Equal(expected, ReadInit(again).Parameter);

        // INIT ACK, answering a peer that announced method 1 itself.
        SctpAssociation b = New(enabled, seed: 2);
        b.HandleDatagram(Seal(Packet(0, InitChunkBytes(SctpChunkType.Init, PeerTag, ZeroChecksumParameter(1))), Checksum.Crc32c), TimeSpan.FromSeconds(1));
        byte[] initAck = Assert.Single(Poll(b));
        Assert.Equal([SctpChunkType.InitAck], ChunkTypes(initAck));
        Assert.True(HasCrc32c(initAck));
        Assert.NotEqual(0u, ChecksumField(initAck));
        Assert.Equal(expected, ReadInit(initAck).Parameter);
    }

    /// <summary>
    /// RFC 9653 §5.2: after the peer's INIT ACK announced method 1 the initiator may send zero checksums, but the packet
    /// with the COOKIE ECHO (first and retransmitted) MUST carry a correct CRC32c; once the (zero-checksum) COOKIE ACK
    /// establishes the association, its DATA goes out with a zero checksum.
    /// </summary>
    [Fact]
    public void Initiator_CookieEchoCarriesTheCrc32c_ThenDataGoesOutWithZero()
    {
        SctpAssociation a = New(zeroChecksum: true);
        TimeSpan now = TimeSpan.FromSeconds(1);
        a.Connect(now);
        uint tagAtA = ReadInit(Assert.Single(Poll(a))).InitiateTag;
        byte[] cookie = [9, 8, 7, 6, 5, 4, 3, 2, 1];
        byte[] cookieParameter = [0, 7, 0, 13, .. cookie, 0, 0, 0];
        a.HandleDatagram(Seal(Packet(tagAtA, InitChunkBytes(SctpChunkType.InitAck, PeerTag, cookieParameter, ZeroChecksumParameter(1))), Checksum.Crc32c), now);
        Assert.Equal(SctpAssociationState.CookieEchoed, a.State);
        Assert.True(a.ZeroChecksum);
        byte[] echo = Assert.Single(Poll(a));
        Assert.Equal([SctpChunkType.CookieEcho], ChunkTypes(echo));
        Assert.True(HasCrc32c(echo));
        Assert.NotEqual(0u, ChecksumField(echo));

        now = a.PollTimeout()!.Value;
        a.HandleTimeout(now);
        byte[] echoAgain = Assert.Single(Poll(a));
        Assert.Equal([SctpChunkType.CookieEcho], ChunkTypes(echoAgain));
        Assert.True(HasCrc32c(echoAgain));

        // COOKIE ACK with a zero checksum: accepted, as A announced method 1 (§5.3).
        a.HandleDatagram(Seal(Packet(tagAtA, Chunk(SctpChunkType.CookieAck, 0, [])), Checksum.Zero), now);
        Assert.Equal(SctpAssociationState.Established, a.State);
        Assert.Equal(1, a.Statistics.ZeroChecksumPacketsReceived);

        a.Send(1, 53, new byte[100], now);
        byte[] data = Assert.Single(Poll(a));
        Assert.Equal([SctpChunkType.Data], ChunkTypes(data));
        Assert.Equal(0u, ChecksumField(data));
        Assert.NotEqual(0u, SctpPacket.ComputeChecksum(data));
        Assert.Equal(1, a.Statistics.ZeroChecksumPacketsSent);
    }

    /// <summary>
    /// RFC 9653 §5.2: zero checksums only to a peer that announced a method we use. The responder (enabled) sends its
    /// COOKIE ACK and later packets with a zero checksum only when the hand-built INIT carried method 1; a peer announcing
    /// nothing, another method, the reserved 0 (§8) or a parameter of the wrong length (§4: MUST be 8) gets the CRC32c.
    /// </summary>
    [Theory]
    [InlineData("method 1", true)]
    [InlineData("none", false)]
    [InlineData("method 2", false)]
    [InlineData("method 0", false)]
    [InlineData("length 12", false)]
    [InlineData("length 4", false)]
    public void Responder_SendsZeroOnlyToAPeerThatAnnouncedMethodOne(string announcement, bool zero)
    {
        byte[][] parameters = announcement switch
        {
            "method 1" => [ZeroChecksumParameter(1)],
            "method 2" => [ZeroChecksumParameter(2)],
            "method 0" => [ZeroChecksumParameter(0)],
            "length 12" => [ZeroChecksumParameter(1, length: 12)],
            "length 4" => [ZeroChecksumParameter(1, length: 4)],
            _ => [],
        };
        (SctpAssociation b, uint tag, _, byte[] cookieAck) = EstablishResponder(zeroChecksum: true, parameters);
        Assert.Equal(zero, b.ZeroChecksum);
        Assert.Equal(zero, ChecksumField(cookieAck) == 0);
        Assert.Equal(!zero, HasCrc32c(cookieAck));

        b.HandleDatagram(Seal(Packet(tag, Chunk(SctpChunkType.Heartbeat, 0, HeartbeatInfo())), Checksum.Crc32c), TimeSpan.FromSeconds(2));
        byte[] ack = Assert.Single(Poll(b));
        Assert.Equal([SctpChunkType.HeartbeatAck], ChunkTypes(ack));
        Assert.Equal(zero, ChecksumField(ack) == 0);
        Assert.Equal(!zero, HasCrc32c(ack));
    }

    /// <summary>
    /// RFC 9653 §5.2: an endpoint that did not enable zero checksums (it does not know its packets travel in DTLS) never
    /// sends one, even to a peer announcing method 1; and it does not announce the parameter itself.
    /// </summary>
    [Fact]
    public void Disabled_NeverSendsZero_EvenToAPeerThatAnnouncedIt()
    {
        (SctpAssociation b, uint tag, byte[] initAck, byte[] cookieAck) = EstablishResponder(zeroChecksum: false, ZeroChecksumParameter(1));
        Assert.False(b.ZeroChecksum);
        Assert.Null(ReadInit(initAck).Parameter);
        Assert.True(HasCrc32c(cookieAck));
        b.Send(1, 53, new byte[100], TimeSpan.FromSeconds(2));
        byte[] data = Assert.Single(Poll(b));
        Assert.True(HasCrc32c(data));
        Assert.Equal(0, b.Statistics.ZeroChecksumPacketsSent);
    }

    /// <summary>
    /// RFC 9653 §5.3: having announced method 1, the endpoint MUST accept packets with a zero checksum (here a HEARTBEAT,
    /// answered) besides those with the correct CRC32c; a wrong non-zero checksum is still dropped. Acceptance follows what
    /// we announced, not what the peer did (the peer here announced nothing). Without the announcement a zero checksum is
    /// an incorrect one and the packet MUST be dropped.
    /// </summary>
    [Theory]
    [InlineData(true, Checksum.Zero, true)]
    [InlineData(true, Checksum.Crc32c, true)]
    [InlineData(true, Checksum.Wrong, false)]
    [InlineData(false, Checksum.Zero, false)]
    [InlineData(false, Checksum.Crc32c, true)]
    [InlineData(false, Checksum.Wrong, false)]
    public void Receiver_AcceptsZeroOnlyAfterAnnouncingIt(bool enabled, Checksum checksum, bool accepted)
    {
        (SctpAssociation b, uint tag, _, _) = EstablishResponder(enabled);
        long dropped = b.Statistics.PacketsDropped;
        b.HandleDatagram(Seal(Packet(tag, Chunk(SctpChunkType.Heartbeat, 0, HeartbeatInfo())), checksum), TimeSpan.FromSeconds(2));
        List<byte[]> answers = Poll(b);
        Assert.Equal(accepted ? 1 : 0, answers.Count);
        Assert.Equal(accepted ? dropped : dropped + 1, b.Statistics.PacketsDropped);
        Assert.Equal(accepted && checksum == Checksum.Zero ? 1 : 0, b.Statistics.ZeroChecksumPacketsReceived);
        if (accepted)
        {
            Assert.Equal([SctpChunkType.HeartbeatAck], ChunkTypes(answers[0]));
            Assert.True(HasCrc32c(answers[0])); // the peer announced nothing, so we answer with the CRC32c
        }
    }

    /// <summary>
    /// RFC 9653 §5.2 seen from the receiver: a packet with an INIT MUST carry a correct CRC32c, so an INIT with a zero
    /// checksum is dropped even by an endpoint that accepts zero checksums (no INIT ACK), and the same INIT with its CRC32c
    /// is answered.
    /// </summary>
    [Fact]
    public void Receiver_DropsAnInitWithAZeroChecksum()
    {
        SctpAssociation b = New(zeroChecksum: true);
        byte[] init = Packet(0, InitChunkBytes(SctpChunkType.Init, PeerTag, ZeroChecksumParameter(1)));
        Assert.NotEqual(0u, SctpPacket.ComputeChecksum(init));
        b.HandleDatagram(Seal(init, Checksum.Zero), TimeSpan.FromSeconds(1));
        Assert.Empty(Poll(b));
        Assert.Equal(1, b.Statistics.PacketsDropped);

        b.HandleDatagram(Seal(init, Checksum.Crc32c), TimeSpan.FromSeconds(1));
        Assert.Equal([SctpChunkType.InitAck], ChunkTypes(Assert.Single(Poll(b))));
    }

    /// <summary>
    /// RFC 9653 §5.2 seen from the receiver: a COOKIE ECHO with a zero checksum (here alone, and bundled after nothing
    /// else, as it must be first) is dropped, so the association is not established by it; the same COOKIE ECHO with its
    /// CRC32c establishes it.
    /// </summary>
    [Fact]
    public void Receiver_DropsACookieEchoWithAZeroChecksum()
    {
        SctpAssociation b = New(zeroChecksum: true);
        b.HandleDatagram(Seal(Packet(0, InitChunkBytes(SctpChunkType.Init, PeerTag, ZeroChecksumParameter(1))), Checksum.Crc32c), TimeSpan.FromSeconds(1));
        (uint tag, byte[] cookie, _) = ReadInit(Assert.Single(Poll(b)));

        byte[] echo = Packet(tag, Chunk(SctpChunkType.CookieEcho, 0, cookie));
        b.HandleDatagram(Seal(echo, Checksum.Zero), TimeSpan.FromSeconds(1));
        Assert.Empty(Poll(b));
        Assert.Equal(SctpAssociationState.Closed, b.State);
        Assert.Equal(1, b.Statistics.PacketsDropped);

        b.HandleDatagram(Seal(echo, Checksum.Crc32c), TimeSpan.FromSeconds(1));
        Assert.Equal(SctpAssociationState.Established, b.State);
        Assert.Equal(0u, ChecksumField(Assert.Single(Poll(b))));
    }

    /// <summary>
    /// Our ABORT carries the CRC32c even with zero checksums in use: the peer may already have lost the association and
    /// handle it as out of the blue (§5.2 wants the CRC32c on ABORT answering such packets), and §5.3 makes a correct
    /// CRC32c acceptable to everyone.
    /// </summary>
    [Fact]
    public void Abort_CarriesTheCrc32c()
    {
        (SctpAssociation b, _, _, _) = EstablishResponder(zeroChecksum: true, ZeroChecksumParameter(1));
        Assert.True(b.ZeroChecksum);
        b.Abort("bye", TimeSpan.FromSeconds(2));
        byte[] abort = Assert.Single(Poll(b));
        Assert.Equal([SctpChunkType.Abort], ChunkTypes(abort));
        Assert.True(HasCrc32c(abort));
    }

    /// <summary>
    /// Two of our associations, loss and reordering, DATA and I-DATA: with both enabled, every packet after the set-up
    /// goes out with a zero checksum and the set-up's INIT, INIT ACK and COOKIE ECHO carry the CRC32c; every message
    /// arrives intact. With only one side enabled every packet carries the CRC32c.
    /// </summary>
    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void Pair_ZeroChecksumsOnlyWhenBothEnable_AndTrafficFlows(bool aEnabled, bool bEnabled, bool interleaving)
    {
        var pair = new SctpPair(
            seed: 5,
            a: new SctpAssociationOptions { Random = new Random(11), EnableZeroChecksum = aEnabled, EnableMessageInterleaving = interleaving },
            b: new SctpAssociationOptions { Random = new Random(12), EnableZeroChecksum = bEnabled, EnableMessageInterleaving = interleaving })
        {
            Loss = 0.05,
            Reorder = 0.05,
        };
        bool both = aEnabled && bEnabled;
        int zeros = 0, crcs = 0;
        pair.Sent = (_, packet, _) =>
        {
            List<SctpChunkType> types = ChunkTypes(packet);
            bool setUp = types.Contains(SctpChunkType.Init) || types.Contains(SctpChunkType.InitAck) || types.Contains(SctpChunkType.CookieEcho);
            if (both && !setUp && !types.Contains(SctpChunkType.Abort) && !types.Contains(SctpChunkType.ShutdownComplete))
            {
                Assert.Equal(0u, ChecksumField(packet));
                zeros++;
            }
            else
            {
                Assert.True(HasCrc32c(packet), string.Join(",", types));
                crcs++;
            }
        };
        pair.Connect();
        Assert.Equal(both, pair.A.ZeroChecksum);
        Assert.Equal(both, pair.B.ZeroChecksum);

        var random = new Random(3);
        var sent = new List<byte[]>();
        for (int i = 0; i < 60; i++)
        {
            byte[] m = SctpAssociationTests.Bytes(1 + random.Next(20_000), i);
            sent.Add(m);
            pair.A.Send((ushort)(i % 3), 53, m, pair.Now);
            pair.B.Send((ushort)(i % 3), 53, m, pair.Now);
        }

        Assert.True(pair.RunUntil(
            () => SctpAssociationTests.Messages(pair.EventsB).Count == 60 && SctpAssociationTests.Messages(pair.EventsA).Count == 60,
            TimeSpan.FromMinutes(5)));
        foreach (List<SctpEvent> events in new[] { pair.EventsA, pair.EventsB })
        {
            List<SctpMessageEvent> got = SctpAssociationTests.Messages(events);
            for (ushort stream = 0; stream < 3; stream++)
            {
                Assert.Equal(
                    sent.Where((_, i) => i % 3 == stream).Select(Convert.ToHexString),
                    got.Where(m => m.StreamId == stream).Select(m => Convert.ToHexString(m.Data)));
            }
        }

        Assert.True(crcs >= 3);
        if (both)
        {
            Assert.True(zeros > 100, $"{zeros} zero-checksum packets");
            Assert.True(pair.A.Statistics.ZeroChecksumPacketsReceived > 50 && pair.B.Statistics.ZeroChecksumPacketsReceived > 50);
        }
        else
        {
            Assert.Equal(0, zeros);
            Assert.Equal(0, pair.A.Statistics.ZeroChecksumPacketsReceived + pair.B.Statistics.ZeroChecksumPacketsReceived);
        }
    }
}
