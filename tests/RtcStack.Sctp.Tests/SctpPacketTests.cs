using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;
using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Sctp.Tests;

public class SctpPacketTests
{
    private static SctpChunk SingleChunk(byte[] buffer, int length, out SctpPacket packet)
    {
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(buffer.AsSpan(0, length), out packet));
        SctpChunkEnumerator e = packet.Chunks;
        Assert.True(e.MoveNext());
        return e.Current;
    }

    [Fact]
    public void CommonHeader_RoundTrips()
    {
        byte[] buffer = new byte[64];
        var w = new SctpPacketWriter(buffer, 5000, 5001, 0xA1B2C3D4);
        Assert.True(w.TryWriteChunk(SctpChunkType.CookieAck, 0, default));
        int n = w.Finish();
        Assert.Equal(16, n);
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(buffer.AsSpan(0, n), out SctpPacket p));
        Assert.Equal(5000, p.SourcePort);
        Assert.Equal(5001, p.DestinationPort);
        Assert.Equal(0xA1B2C3D4u, p.VerificationTag);
        Assert.Equal(SctpPacket.ComputeChecksum(buffer.AsSpan(0, n)), p.Checksum);
    }

    [Fact]
    public void Data_LayoutMatchesRfc9260Section331()
    {
        byte[] buffer = new byte[64];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteData(DataChunk.BeginningFlag | DataChunk.EndingFlag | DataChunk.UnorderedFlag, 0x01020304, 0x0506, 0x0708, 0x090A0B0C, [0xEE, 0xFF, 0x11]));
        int n = w.Finish();
        // Type 0, flags U|B|E = 0x07, length 16 + 3 = 19, padded to 20; TSN, stream, SSN, PPID, data, one zero pad.
        Assert.Equal(new byte[] { 0, 0x07, 0, 19, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xEE, 0xFF, 0x11, 0 }, buffer[12..n]);
        SctpChunk c = SingleChunk(buffer, n, out _);
        Assert.True(DataChunk.TryParse(c, out DataChunk d));
        Assert.Equal(0x01020304u, d.Tsn);
        Assert.Equal(0x0506, d.StreamId);
        Assert.Equal(0x0708, d.StreamSequence);
        Assert.Equal(0x090A0B0Cu, d.PayloadProtocol);
        Assert.True(d.Unordered && d.Beginning && d.Ending && !d.Immediate);
        Assert.Equal(new byte[] { 0xEE, 0xFF, 0x11 }, d.UserData.ToArray());
    }

    [Fact]
    public void IData_RoundTrips_PpidOnFirstFragmentFsnAfter()
    {
        byte[] buffer = new byte[64];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteIData(DataChunk.BeginningFlag, 7, 9, 1234, 51, [1, 2]));
        Assert.True(w.TryWriteIData(DataChunk.EndingFlag, 8, 9, 1234, 1, [3]));
        int n = w.Finish();
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(buffer.AsSpan(0, n), out SctpPacket p));
        SctpChunkEnumerator e = p.Chunks;
        Assert.True(e.MoveNext());
        Assert.True(IDataChunk.TryParse(e.Current, out IDataChunk first));
        Assert.Equal(51u, first.PayloadProtocol);
        Assert.Equal(0u, first.FragmentSequence);
        Assert.Equal(1234u, first.MessageId);
        Assert.True(e.MoveNext());
        Assert.True(IDataChunk.TryParse(e.Current, out IDataChunk second));
        Assert.Equal(1u, second.FragmentSequence);
        Assert.True(second.Ending);
        Assert.Equal(new byte[] { 3 }, second.UserData.ToArray());
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Init_RoundTrips_WithFeatureParametersAndCookie()
    {
        byte[] parameters = new byte[64];
        int p = SctpParameter.Write(parameters, (ushort)SctpParameterType.StateCookie, [9, 9, 9, 9, 9]);
        p += SctpParameter.Write(parameters.AsSpan(p), (ushort)SctpParameterType.ForwardTsnSupported, default);
        p += SctpParameter.Write(parameters.AsSpan(p), (ushort)SctpParameterType.SupportedExtensions, [130, 192]);
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 0);
        Assert.True(w.TryWriteInit(SctpChunkType.InitAck, 0xCAFEBABE, 131072, 1024, 2048, 0xFFFFFFF0, parameters.AsSpan(0, p)));
        SctpChunk c = SingleChunk(buffer, w.Finish(), out _);
        Assert.True(InitChunk.TryParse(c, out InitChunk init));
        Assert.Equal(SctpChunkType.InitAck, init.Type);
        Assert.Equal(0xCAFEBABEu, init.InitiateTag);
        Assert.Equal(131072u, init.ReceiverWindow);
        Assert.Equal(1024, init.OutboundStreams);
        Assert.Equal(2048, init.InboundStreams);
        Assert.Equal(0xFFFFFFF0u, init.InitialTsn);
        Assert.True(init.TryGetStateCookie(out ReadOnlySpan<byte> cookie));
        Assert.Equal(new byte[] { 9, 9, 9, 9, 9 }, cookie.ToArray());
        Assert.True(init.SupportsForwardTsn);
        Assert.True(init.SupportsChunk(SctpChunkType.ReConfig));
        Assert.False(init.SupportsChunk(SctpChunkType.IData));
    }

    [Fact]
    public void Sack_RoundTrips_WithGapBlocksAndDuplicates()
    {
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteSack(100, 5000, [(2, 3), (5, 9)], [95, 99]));
        SctpChunk c = SingleChunk(buffer, w.Finish(), out _);
        Assert.True(SackChunk.TryParse(c, out SackChunk sack));
        Assert.Equal(100u, sack.CumulativeTsnAck);
        Assert.Equal(5000u, sack.ReceiverWindow);
        Assert.Equal(2, sack.GapBlockCount);
        Assert.Equal(((ushort)5, (ushort)9), sack.GetGapBlock(1));
        Assert.Equal(2, sack.DuplicateCount);
        Assert.Equal(99u, sack.GetDuplicate(1));
    }

    [Fact]
    public void Sack_WithCountsPastTheChunk_IsRefused()
    {
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteSack(100, 5000, [(2, 3)], default));
        int n = w.Finish();
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(12 + 12), 50);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), SctpPacket.ComputeChecksum(buffer.AsSpan(0, n)));
        SctpChunk c = SingleChunk(buffer, n, out _);
        Assert.False(SackChunk.TryParse(c, out _));
    }

    [Fact]
    public void ForwardTsn_And_IForwardTsn_RoundTrip()
    {
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteForwardTsn(77, [(1, 5), (3, 65535)]));
        Span<byte> iftsn = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(iftsn, 80);
        BinaryPrimitives.WriteUInt16BigEndian(iftsn[4..], 4);
        iftsn[7] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(iftsn[8..], 99);
        Assert.True(w.TryWriteChunk(SctpChunkType.IForwardTsn, 0, iftsn));
        int n = w.Finish();
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(buffer.AsSpan(0, n), out SctpPacket p));
        SctpChunkEnumerator e = p.Chunks;
        Assert.True(e.MoveNext());
        Assert.True(ForwardTsnChunk.TryParse(e.Current, out ForwardTsnChunk f));
        Assert.Equal(77u, f.NewCumulativeTsn);
        Assert.Equal(2, f.StreamCount);
        Assert.Equal(((ushort)3, (ushort)65535), f.GetStream(1));
        Assert.True(e.MoveNext());
        Assert.True(IForwardTsnChunk.TryParse(e.Current, out IForwardTsnChunk i));
        Assert.Equal(80u, i.NewCumulativeTsn);
        Assert.Equal(((ushort)4, true, 99u), i.GetEntry(0));
    }

    [Fact]
    public void ReConfig_RequestAndResponse_RoundTrip()
    {
        byte[] parameters = new byte[64];
        int p = OutgoingResetRequest.Write(parameters, 10, 20, 30, [1, 2, 3]);
        Assert.Equal(24, p); // 16 + 6, padded.
        p += ReconfigResponse.Write(parameters.AsSpan(p), 11, ReconfigResult.InProgress);
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteChunk(SctpChunkType.ReConfig, 0, parameters.AsSpan(0, p)));
        SctpChunk c = SingleChunk(buffer, w.Finish(), out _);
        Assert.Equal(SctpChunkType.ReConfig, c.Type);
        SctpParameterEnumerator e = new(c.Value);
        Assert.True(e.MoveNext());
        Assert.True(OutgoingResetRequest.TryParse(e.Current, out OutgoingResetRequest r));
        Assert.Equal(10u, r.RequestSequence);
        Assert.Equal(20u, r.ResponseSequence);
        Assert.Equal(30u, r.SendersLastTsn);
        Assert.Equal(3, r.StreamCount);
        Assert.Equal(3, r.GetStream(2));
        Assert.True(e.MoveNext());
        Assert.True(ReconfigResponse.TryParse(e.Current, out ReconfigResponse resp));
        Assert.Equal(11u, resp.ResponseSequence);
        Assert.Equal(ReconfigResult.InProgress, resp.Result);
        Assert.False(resp.HasTsns);
        Assert.False(e.MoveNext());
        Assert.False(e.Malformed);
    }

    [Fact]
    public void AbortAndShutdownChunks_RoundTrip()
    {
        byte[] buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.True(w.TryWriteErrorCause(SctpChunkType.Abort, 0x01, SctpErrorCause.UserInitiatedAbort, "x"u8));
        Assert.True(w.TryWriteShutdown(0xFFFFFFFF));
        int n = w.Finish();
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(buffer.AsSpan(0, n), out SctpPacket p));
        SctpChunkEnumerator e = p.Chunks;
        Assert.True(e.MoveNext());
        Assert.Equal(SctpChunkType.Abort, e.Current.Type);
        Assert.Equal(1, e.Current.Flags);
        SctpParameterEnumerator causes = new(e.Current.Value);
        Assert.True(causes.MoveNext());
        Assert.Equal((ushort)SctpErrorCause.UserInitiatedAbort, causes.Current.Type);
        Assert.Equal("x"u8.ToArray(), causes.Current.Value.ToArray());
        Assert.True(e.MoveNext());
        Assert.Equal(SctpChunkType.Shutdown, e.Current.Type);
        Assert.Equal(0xFFFFFFFFu, BinaryPrimitives.ReadUInt32BigEndian(e.Current.Value));
    }

    [Fact]
    public void BadChecksum_TooShort_AndBadLengths_AreRefused()
    {
        byte[] buffer = new byte[64];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        w.TryWriteData(3, 1, 0, 0, 51, [1, 2, 3, 4]);
        int n = w.Finish();
        byte[] good = buffer[..n];
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(good, out _));
        byte[] flipped = (byte[])good.Clone();
        flipped[20] ^= 1;
        Assert.Equal(SctpParseStatus.BadChecksum, SctpPacket.TryParse(flipped, out _));
        Assert.Equal(SctpParseStatus.Ok, SctpPacket.TryParse(flipped, out _, verifyChecksum: false));
        Assert.Equal(SctpParseStatus.TooShort, SctpPacket.TryParse(good[..15], out _));
        byte[] longLength = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(longLength.AsSpan(14), 200);
        Assert.Equal(SctpParseStatus.BadChunkLength, SctpPacket.TryParse(longLength, out _, verifyChecksum: false));
        byte[] shortLength = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(shortLength.AsSpan(14), 3);
        Assert.Equal(SctpParseStatus.BadChunkLength, SctpPacket.TryParse(shortLength, out _, verifyChecksum: false));
        byte[] data = new byte[16];
        Assert.Equal(SctpParseStatus.BadChunkLength, SctpPacket.TryParse(data, out _, verifyChecksum: false));
    }

    [Fact]
    public void WriterRefusesWhatDoesNotFit()
    {
        byte[] buffer = new byte[40];
        var w = new SctpPacketWriter(buffer, 1, 2, 3);
        Assert.False(w.TryWriteData(3, 1, 0, 0, 51, new byte[13]));
        Assert.True(w.IsEmpty);
        Assert.True(w.TryWriteData(3, 1, 0, 0, 51, new byte[12]));
        Assert.Equal(0, w.Remaining);
    }

    [Property(MaxTest = 2000)]
    public void TryParse_AndEveryChunkReader_NeverThrow(byte[] body, bool fixChecksum)
    {
        byte[] packet = new byte[12 + (body?.Length ?? 0)];
        body?.CopyTo(packet, 12);
        if (fixChecksum)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), SctpPacket.ComputeChecksum(packet));
        }

        ReadAll(packet);
    }

    [Fact]
    public void RandomChunkStreams_WithValidFraming_NeverThrow()
    {
        var random = new Random(11);
        byte[] types = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 192, 194, 0x3F, 0x7F, 0xBF, 0xFF];
        for (int i = 0; i < 20000; i++)
        {
            byte[] packet = new byte[12 + random.Next(4, 200)];
            int o = 12;
            while (o + 4 <= packet.Length)
            {
                int len = Math.Min(packet.Length - o, random.Next(4, 64));
                packet[o] = types[random.Next(types.Length)];
                packet[o + 1] = (byte)random.Next(256);
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(o + 2), (ushort)len);
                random.NextBytes(packet.AsSpan(o + 4, len - 4));
                o += (len + 3) & ~3;
            }

            ReadAll(packet);
        }
    }

    internal static void ReadAll(ReadOnlySpan<byte> packet)
    {
        if (SctpPacket.TryParse(packet, out SctpPacket p, verifyChecksum: false) != SctpParseStatus.Ok)
        {
            return;
        }

        _ = p.SourcePort + p.DestinationPort + p.VerificationTag + p.Checksum;
        foreach (SctpChunk c in p.Chunks)
        {
            if (DataChunk.TryParse(c, out DataChunk d))
            {
                _ = d.UserData.Length + d.Tsn;
            }

            if (IDataChunk.TryParse(c, out IDataChunk id))
            {
                _ = id.UserData.Length + id.PayloadProtocol + id.FragmentSequence;
            }

            if (InitChunk.TryParse(c, out InitChunk init))
            {
                _ = init.SupportsForwardTsn;
                init.TryGetStateCookie(out _);
            }

            if (SackChunk.TryParse(c, out SackChunk sack))
            {
                for (int i = 0; i < sack.GapBlockCount; i++)
                {
                    sack.GetGapBlock(i);
                }

                for (int i = 0; i < sack.DuplicateCount; i++)
                {
                    sack.GetDuplicate(i);
                }
            }

            if (ForwardTsnChunk.TryParse(c, out ForwardTsnChunk f))
            {
                for (int i = 0; i < f.StreamCount; i++)
                {
                    f.GetStream(i);
                }
            }

            if (IForwardTsnChunk.TryParse(c, out IForwardTsnChunk fi))
            {
                for (int i = 0; i < fi.EntryCount; i++)
                {
                    fi.GetEntry(i);
                }
            }

            foreach (SctpParameter param in new SctpParameterEnumerator(c.Value))
            {
                if (OutgoingResetRequest.TryParse(param, out OutgoingResetRequest r))
                {
                    for (int i = 0; i < r.StreamCount; i++)
                    {
                        r.GetStream(i);
                    }
                }

                ReconfigResponse.TryParse(param, out _);
            }
        }
    }
}
