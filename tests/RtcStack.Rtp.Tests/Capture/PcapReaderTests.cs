using System.Buffers.Binary;
using RtcStack.Rtp.Capture;
using Xunit;

namespace RtcStack.Rtp.Tests.Capture;

public class PcapReaderTests
{
    private const long T0 = 1_700_000_000_123_456_789;

    private static byte[] WriteFile(bool nanoseconds, LinkType linkType = LinkType.Ethernet, int count = 3)
    {
        var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, linkType, nanoseconds, leaveOpen: true))
        {
            for (int i = 0; i < count; i++)
            {
                w.WriteRecord(T0 + (i * 20_000_000L), CaptureTestData.Frame(i, 60 + i));
            }
        }

        return ms.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriterOutputReadsBack_WithTimestampsAtFileResolution(bool nanoseconds)
    {
        byte[] file = WriteFile(nanoseconds);
        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);

        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Null(reader.Error);
        Assert.Equal(CaptureFormat.Pcap, reader.Format);
        Assert.Equal(3, records.Count);
        for (int i = 0; i < 3; i++)
        {
            long expected = T0 + (i * 20_000_000L);
            if (!nanoseconds)
            {
                expected -= expected % 1000;
            }

            Assert.Equal(i + 1, records[i].Record.Number);
            Assert.Equal(expected, records[i].Record.TimestampNanoseconds);
            Assert.Equal(LinkType.Ethernet, records[i].Record.LinkType);
            Assert.Equal(CaptureTestData.Frame(i, 60 + i), records[i].Data);
            Assert.Equal(60 + i, records[i].Record.OriginalLength);
        }

        Assert.Equal(nanoseconds ? 9 : 6, reader.Interfaces[0].TimestampResolution);
        Assert.Equal(file.Length, reader.BytesRead);
    }

    [Fact]
    public void BigEndianFile_IsRead()
    {
        // Swap every header field of a little-endian file to make the big-endian equivalent.
        byte[] file = WriteFile(nanoseconds: false);
        byte[] swapped = (byte[])file.Clone();
        Swap32(swapped, 0);
        Swap16(swapped, 4);
        Swap16(swapped, 6);
        for (int i = 8; i < 24; i += 4)
        {
            Swap32(swapped, i);
        }

        int pos = 24;
        while (pos < swapped.Length)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(pos + 8));
            for (int i = 0; i < 16; i += 4)
            {
                Swap32(swapped, pos + i);
            }

            pos += 16 + length;
        }

        var little = CaptureTestData.ReadAll(file, out _, out _);
        var big = CaptureTestData.ReadAll(swapped, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.True(reader.IsBigEndian);
        Assert.Equal(little.Count, big.Count);
        for (int i = 0; i < little.Count; i++)
        {
            Assert.Equal(little[i].Record.TimestampNanoseconds, big[i].Record.TimestampNanoseconds);
            Assert.Equal(little[i].Data, big[i].Data);
        }
    }

    [Fact]
    public void ModifiedPcap_With24ByteRecordHeaders_IsRead()
    {
        var ms = new MemoryStream();
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2CD34);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 101);
        ms.Write(header);
        var rec = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(rec, 10);
        BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(4), 5);
        BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(8), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(12), 3);
        ms.Write(rec);
        ms.Write([1, 2, 3]);

        var records = CaptureTestData.ReadAll(ms.ToArray(), out CaptureReadStatus status, out _);
        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Single(records);
        Assert.Equal(10_000_005_000L, records[0].Record.TimestampNanoseconds);
        Assert.Equal(LinkType.Raw, records[0].Record.LinkType);
        Assert.Equal([1, 2, 3], records[0].Data);
    }

    [Fact]
    public void LinkTypeUpperBits_CarryingFcsLength_AreIgnored()
    {
        byte[] file = WriteFile(false);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 0x2400_0001); // FCS length 2 (16-bit words) + flag, Ethernet
        var records = CaptureTestData.ReadAll(file, out _, out _);
        Assert.Equal(LinkType.Ethernet, records[0].Record.LinkType);
    }

    [Fact]
    public void EveryTruncation_KeepsTheCompleteRecordsAndSaysWhere()
    {
        byte[] file = WriteFile(false, count: 4);
        int[] ends = new int[4];
        int pos = 24;
        for (int i = 0; i < 4; i++)
        {
            pos += 16 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(pos + 8));
            ends[i] = pos;
        }

        for (int cut = 0; cut < file.Length; cut++)
        {
            var records = CaptureTestData.ReadAll(file[..cut], out CaptureReadStatus status, out CaptureReader reader);
            int complete = ends.Count(e => e <= cut);
            Assert.Equal(complete, records.Count);
            if (cut == 24 || ends.Contains(cut))
            {
                Assert.Equal(CaptureReadStatus.EndOfCapture, status);
                Assert.Null(reader.Error);
            }
            else if (cut == 0)
            {
                Assert.Equal(CaptureReadStatus.Malformed, status);
                Assert.Contains("empty", reader.Error, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(CaptureReadStatus.Truncated, status);
                Assert.NotNull(reader.Error);
                if (cut > 24)
                {
                    Assert.Contains($"packet {complete + 1}", reader.Error, StringComparison.Ordinal);
                    Assert.Equal(complete == 0 ? 24 : ends[complete - 1], reader.ErrorOffset);
                }
            }

            // The terminal status repeats.
            Assert.Equal(status, reader.ReadNext(out _));
        }
    }

    [Fact]
    public void NotACapture_IsMalformedWithTheBytesItFound()
    {
        CaptureTestData.ReadAll("hello world, not a pcap"u8.ToArray(), out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("68656C6C", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void GzippedCapture_GetsAHint()
    {
        CaptureTestData.ReadAll([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], out _, out CaptureReader reader);
        Assert.Contains("gzip", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeCapturedLength_IsMalformed_WithoutAllocatingIt()
    {
        byte[] file = WriteFile(false, count: 2);
        int second = 24 + 16 + 60;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(second + 8), 0x7FFF_FFFF);
        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Single(records);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Equal(second, reader.ErrorOffset);
        Assert.Contains("packet 2", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthJustUnderTheLimit_InAShortFile_IsTruncated()
    {
        byte[] file = WriteFile(false, count: 1);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24 + 8), CaptureReader.MaxRecordLength);
        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Truncated, status);
        Assert.True(reader.BytesRead == file.Length);
    }

    [Fact]
    public void UnsupportedVersion_IsMalformed()
    {
        byte[] file = WriteFile(false);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), 3);
        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("version 3.4", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NonSeekableStream_ReadsTheSame()
    {
        byte[] file = WriteFile(true, count: 5);
        var a = CaptureTestData.ReadAll(file, out _, out _);
        var b = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out _, seekable: false);
        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Equal(a.Select(r => r.Data), b.Select(r => r.Data));
    }

    [Fact]
    public void Writer_CutsFramesAtTheSnapLength_AndKeepsTheOriginalLength()
    {
        var ms = new MemoryStream();
        using (var w = new PcapWriter(ms, LinkType.Raw, snapLength: 10, leaveOpen: true))
        {
            w.WriteRecord(0, new byte[25]);
        }

        var records = CaptureTestData.ReadAll(ms.ToArray(), out _, out CaptureReader reader);
        Assert.Equal(10, reader.Interfaces[0].SnapLength);
        Assert.Equal(10, records[0].Data.Length);
        Assert.Equal(25, records[0].Record.OriginalLength);
    }

    [Theory]
    [InlineData(1_000_000UL, 6, 1_000_000_000L)]
    [InlineData(1_000_000_000UL, 9, 1_000_000_000L)]
    [InlineData(1UL, 0, 1_000_000_000L)]
    [InlineData(1024UL, 0x8A, 1_000_000_000L)]                 // 2^-10 s units
    [InlineData(5_000_000_000_000UL, 12, 5_000_000_000L)]      // picoseconds
    [InlineData(ulong.MaxValue, 0, long.MaxValue)]             // saturates
    [InlineData(12345UL, 100, 0L)]                             // 10^-100 s: below a nanosecond
    public void Timestamps_ConvertAtEveryResolution(ulong units, byte resolution, long expected)
    {
        Assert.Equal(expected, CaptureReader.ToNanoseconds(units, resolution, 0));
    }

    [Fact]
    public void TimestampOffset_IsAddedInSeconds()
    {
        Assert.Equal(3_000_000_001L, CaptureReader.ToNanoseconds(1, 9, 3));
    }

    private static void Swap32(byte[] b, int at) => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)));

    private static void Swap16(byte[] b, int at) => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)));
}
