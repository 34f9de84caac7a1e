using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp;
using RtcStack.WebRtc.Streams;
using Xunit;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>RFC 4588 §4: the RTX payload format, wrap and unwrap.</summary>
public sealed class RtxPacketTests
{
    // V=2 X=1 CC=1, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, SSRC 0x11111111, CSRC 0x22222222,
    // one-byte extension block (id 1, 1 byte 0xAA, padded), payload 01 02 03.
    private const string Original = "91E01234 DEADBEEF 11111111 22222222 BEDE0001 10AA0000 010203";

    // RTX PT 97, RTX seq 7, RTX SSRC 0x33333333; timestamp, marker, CSRC and extension kept; OSN 0x1234 first.
    private const string Wrapped = "91E10007 DEADBEEF 33333333 22222222 BEDE0001 10AA0000 1234 010203";

    [Fact]
    public void WrapsByteForByte()
    {
        byte[] destination = new byte[64];
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(StreamTestPackets.Hex(Original), 0x33333333, 97, 7, destination, out int written));
        Assert.Equal(Convert.ToHexString(StreamTestPackets.Hex(Wrapped)), Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void UnwrapsByteForByte()
    {
        byte[] destination = new byte[64];
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryUnwrap(StreamTestPackets.Hex(Wrapped), 0x11111111, 96, destination, out int written));
        Assert.Equal(Convert.ToHexString(StreamTestPackets.Hex(Original)), Convert.ToHexString(destination, 0, written));
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryReadOriginalSequenceNumber(StreamTestPackets.Hex(Wrapped), out ushort osn));
        Assert.Equal(0x1234, osn);
    }

    [Fact]
    public void WrapsAndUnwrapsInPlace()
    {
        byte[] buffer = new byte[64];
        byte[] original = StreamTestPackets.Hex(Original);
        original.CopyTo(buffer, 0);
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(buffer.AsSpan(0, original.Length), 0x33333333, 97, 7, buffer, out int wrapped));
        Assert.Equal(StreamTestPackets.Hex(Wrapped), buffer[..wrapped]);
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryUnwrap(buffer.AsSpan(0, wrapped), 0x11111111, 96, buffer, out int unwrapped));
        Assert.Equal(original, buffer[..unwrapped]);
        Assert.Throws<ArgumentException>(() => RtxPacket.TryWrap(buffer.AsSpan(0, original.Length), 1, 97, 7, buffer.AsSpan(1), out _));
    }

    [Fact]
    public void PaddingIsNotCarriedEitherWay()
    {
        byte[] padded = StreamTestPackets.Rtp(96, 500, 9000, 1, [7, 8, 9], padding: 6);
        byte[] rtx = new byte[64];
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(padded, 2, 97, 1, rtx, out int n));
        Assert.True(RtpPacket.TryParse(rtx.AsSpan(0, n), out RtpPacket p));
        Assert.False(p.HasPadding);
        Assert.Equal([0x01, 0xF4, 7, 8, 9], p.Payload.ToArray());

        byte[] paddedRtx = StreamTestPackets.Rtp(97, 1, 9000, 2, [0x01, 0xF4, 7, 8, 9], padding: 3);
        byte[] back = new byte[64];
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryUnwrap(paddedRtx, 1, 96, back, out int m));
        Assert.Equal(StreamTestPackets.Rtp(96, 500, 9000, 1, [7, 8, 9]), back[..m]);
    }

    [Fact]
    public void EmptyRtxPayloadIsPaddingNotARetransmission()
    {
        byte[] probe = StreamTestPackets.Rtp(97, 3, 0, 2, [], padding: 200);
        Assert.Equal(RtxStatus.PaddingOnly, RtxPacket.TryUnwrap(probe, 1, 96, new byte[512], out int written));
        Assert.Equal(0, written);
        Assert.Equal(RtxStatus.PaddingOnly, RtxPacket.TryReadOriginalSequenceNumber(probe, out _));
        Assert.Equal(RtxStatus.PaddingOnly, RtxPacket.TryUnwrap(StreamTestPackets.Rtp(97, 3, 0, 2, []), 1, 96, new byte[512], out _));
    }

    [Fact]
    public void RefusesWhatCannotBeAnRtxPacket()
    {
        byte[] big = new byte[64];
        Assert.Equal(RtxStatus.TooShort, RtxPacket.TryUnwrap(StreamTestPackets.Rtp(97, 3, 0, 2, [0x12]), 1, 96, big, out _));
        Assert.Equal(RtxStatus.TooShort, RtxPacket.TryReadOriginalSequenceNumber(StreamTestPackets.Rtp(97, 3, 0, 2, [0x12]), out _));
        Assert.Equal(RtxStatus.Malformed, RtxPacket.TryUnwrap([0x80, 0x61, 0, 1], 1, 96, big, out _));
        Assert.Equal(RtxStatus.Malformed, RtxPacket.TryWrap(new byte[11], 1, 97, 1, big, out _));
        byte[] version1 = StreamTestPackets.Hex(Original);
        version1[0] = 0x51;
        Assert.Equal(RtxStatus.Malformed, RtxPacket.TryWrap(version1, 1, 97, 1, big, out _));
        Assert.Equal(RtxStatus.DestinationTooSmall, RtxPacket.TryWrap(StreamTestPackets.Hex(Original), 1, 97, 1, new byte[28], out _));
        Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(StreamTestPackets.Hex(Original), 1, 97, 1, new byte[29], out _));
        Assert.Equal(RtxStatus.DestinationTooSmall, RtxPacket.TryUnwrap(StreamTestPackets.Hex(Wrapped), 1, 96, new byte[26], out _));
        Assert.Equal(RtxStatus.InvalidPayloadType, RtxPacket.TryWrap(StreamTestPackets.Hex(Original), 1, 128, 1, big, out _));
        Assert.Equal(RtxStatus.InvalidPayloadType, RtxPacket.TryUnwrap(StreamTestPackets.Hex(Wrapped), 1, 200, big, out _));
    }

    [Property(MaxTest = 300)]
    public Property UnwrapOfWrapIsTheOriginalForAnyHeader() =>
        Prop.ForAll(
            (from seq in StreamTestPackets.AnyUShort
             from rtxSeq in StreamTestPackets.AnyUShort
             from ts in StreamTestPackets.AnyUInt
             from ssrc in StreamTestPackets.AnyUInt
             from rtxSsrc in StreamTestPackets.AnyUInt
             from pt in Gen.Choose(0, 127)
             from rtxPt in Gen.Choose(0, 127)
             from marker in Gen.Elements(true, false)
             from csrcCount in Gen.Choose(0, 15)
             from extWords in Gen.Choose(-1, 20)
             from payloadLength in Gen.Choose(0, 1400)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select (seq, rtxSeq, ts, ssrc, rtxSsrc, pt, rtxPt, marker, csrcCount, extWords, payloadLength, seed)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                uint[] csrcs = new uint[c.csrcCount];
                for (int i = 0; i < csrcs.Length; i++)
                {
                    csrcs[i] = (uint)random.NextInt64(0, 1L << 32);
                }

                byte[]? ext = c.extWords < 0 ? null : new byte[c.extWords * 4];
                if (ext is not null)
                {
                    random.NextBytes(ext);
                }

                byte[] payload = new byte[c.payloadLength];
                random.NextBytes(payload);
                byte[] original = StreamTestPackets.Rtp((byte)c.pt, c.seq, c.ts, c.ssrc, payload, c.marker, csrcs, ext);
                byte[] rtx = new byte[1500 + 100];
                Assert.Equal(RtxStatus.Ok, RtxPacket.TryWrap(original, c.rtxSsrc, (byte)c.rtxPt, c.rtxSeq, rtx, out int n));
                Assert.Equal(original.Length + 2, n);
                Assert.True(RtpPacket.TryParse(rtx.AsSpan(0, n), out RtpPacket p));
                Assert.Equal((c.rtxSsrc, (byte)c.rtxPt, c.rtxSeq, c.ts, c.marker, c.csrcCount), (p.Ssrc, p.PayloadType, p.SequenceNumber, p.Timestamp, p.Marker, p.CsrcCount));
                Assert.Equal(c.seq, (ushort)((p.Payload[0] << 8) | p.Payload[1]));
                byte[] back = new byte[1500 + 100];
                Assert.Equal(RtxStatus.Ok, RtxPacket.TryUnwrap(rtx.AsSpan(0, n), c.ssrc, (byte)c.pt, back, out int m));
                Assert.Equal(original, back[..m]);
            });

    [Property(MaxTest = 500)]
    public Property NeverThrowsOnArbitraryBytes() =>
        Prop.ForAll(
            (from length in Gen.Choose(0, 1500)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select (length, seed)).ToArbitrary(),
            c =>
            {
                byte[] data = new byte[c.length];
                new Random(c.seed).NextBytes(data);
                if (data.Length > 0)
                {
                    data[0] = (byte)((data[0] & 0x3F) | 0x80); // mostly version 2, so the length checks are reached
                }

                byte[] destination = new byte[c.seed & 0x7FF];
                RtxStatus wrap = RtxPacket.TryWrap(data, 1, 97, 1, destination, out int w);
                RtxStatus unwrap = RtxPacket.TryUnwrap(data, 1, 96, destination, out int u);
                Assert.True(wrap == RtxStatus.Ok ? w == data.Length + 2 - (RtpPacket.TryParse(data, out RtpPacket p) ? p.PaddingLength : 0) : w == 0);
                Assert.True(unwrap == RtxStatus.Ok ? u > 0 && u <= destination.Length : u == 0);
            });

    [Fact]
    public void WrapAndUnwrapAllocateNothing()
    {
        byte[] original = StreamTestPackets.Hex(Original);
        byte[] rtx = new byte[64];
        byte[] back = new byte[64];
        RtxPacket.TryWrap(original, 3, 97, 1, rtx, out int n);
        RtxPacket.TryUnwrap(rtx.AsSpan(0, n), 1, 96, back, out _);
        Assert.Equal(0, RtcStack.TestSupport.AllocationProbe.LeastPerChunk(0, 3000, 3, i =>
        {
            RtxPacket.TryWrap(original, 3, 97, (ushort)i, rtx, out int w);
            RtxPacket.TryUnwrap(rtx.AsSpan(0, w), 1, 96, back, out _);
        }));
    }
}
