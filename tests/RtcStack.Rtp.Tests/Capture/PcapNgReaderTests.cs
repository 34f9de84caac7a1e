using RtcStack.Rtp.Capture;
using Xunit;

namespace RtcStack.Rtp.Tests.Capture;

public class PcapNgReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InterfacesWithTheirOwnResolutionAndLinkType_AreApplied(bool bigEndian)
    {
        byte[] a = CaptureTestData.Frame(1, 42);
        byte[] b = CaptureTestData.Frame(2, 43);
        byte[] c = CaptureTestData.Frame(3, 45);
        byte[] file = new PcapNgBuilder()
            .Section(bigEndian)
            .Interface(LinkType.Ethernet, 65535, name: "eth0")                  // default: microseconds
            .Interface(LinkType.LinuxSll2, 0, tsresol: 9, name: "any")           // nanoseconds
            .Interface(LinkType.Raw, 0, tsresol: 0x80 | 20, tsoffset: 100)       // 2^-20 s, +100 s
            .Enhanced(0, 1_700_000_000_000_001UL, a)
            .Block(4, new byte[8])                                               // name resolution: skipped
            .Enhanced(1, 1_700_000_000_000_000_002UL, b, originalLength: 1500, withComment: true)
            .Block(5, new byte[12])                                              // interface statistics: skipped
            .Enhanced(2, 3UL << 20, c)
            .ToArray();

        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);

        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Null(reader.Error);
        Assert.Equal(CaptureFormat.PcapNg, reader.Format);
        Assert.Equal(bigEndian, reader.IsBigEndian);
        Assert.Equal(3, reader.Interfaces.Count);
        Assert.Equal("eth0", reader.Interfaces[0].Name);
        Assert.Equal(65535, reader.Interfaces[0].SnapLength);
        Assert.Equal(3, records.Count);

        Assert.Equal(1_700_000_000_000_001_000L, records[0].Record.TimestampNanoseconds);
        Assert.Equal(LinkType.Ethernet, records[0].Record.LinkType);
        Assert.Equal(a, records[0].Data);

        Assert.Equal(1_700_000_000_000_000_002L, records[1].Record.TimestampNanoseconds);
        Assert.Equal(LinkType.LinuxSll2, records[1].Record.LinkType);
        Assert.Equal(1, records[1].Record.InterfaceId);
        Assert.Equal(1500, records[1].Record.OriginalLength);
        Assert.Equal(b, records[1].Data);

        Assert.Equal(103_000_000_000L, records[2].Record.TimestampNanoseconds);
        Assert.Equal(LinkType.Raw, records[2].Record.LinkType);
        Assert.Equal(c, records[2].Data);
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Record.Number));
    }

    [Fact]
    public void SimpleAndObsoletePacketBlocks_AreRead()
    {
        byte[] frame = CaptureTestData.Frame(9, 30);
        byte[] file = new PcapNgBuilder()
            .Section(false)
            .Interface(LinkType.Ethernet, snapLength: 20)
            .Simple(frame)                       // cut to the interface's snap length 20
            .Obsolete(0, 7_000_000, frame)
            .ToArray();

        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out _);

        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Equal(2, records.Count);
        Assert.Equal(frame[..20], records[0].Data);
        Assert.Equal(30, records[0].Record.OriginalLength);
        Assert.Equal(frame, records[1].Data);
        Assert.Equal(7_000_000_000L, records[1].Record.TimestampNanoseconds);
    }

    [Fact]
    public void NewSection_ChangesByteOrder_AndForgetsInterfaces()
    {
        byte[] frame = CaptureTestData.Frame(4, 50);
        byte[] file = new PcapNgBuilder()
            .Section(false).Interface(LinkType.Ethernet).Interface(LinkType.Raw).Enhanced(1, 1, frame)
            .Section(true).Interface(LinkType.LinuxSll).Enhanced(0, 2, frame)
            .ToArray();

        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);

        Assert.Equal(CaptureReadStatus.EndOfCapture, status);
        Assert.Equal([LinkType.Raw, LinkType.LinuxSll], records.Select(r => r.Record.LinkType));
        Assert.Single(reader.Interfaces);
        Assert.True(reader.IsBigEndian);
    }

    [Fact]
    public void PacketForAnUndescribedInterface_IsMalformed_AfterEarlierRecords()
    {
        byte[] frame = CaptureTestData.Frame(4, 50);
        byte[] file = new PcapNgBuilder()
            .Section(false).Interface(LinkType.Ethernet).Enhanced(0, 1, frame).Enhanced(3, 2, frame)
            .ToArray();

        var records = CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);

        Assert.Single(records);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("interface 3", reader.Error, StringComparison.Ordinal);
        Assert.Contains("packet 2", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingLengthMismatch_IsMalformed()
    {
        byte[] file = new PcapNgBuilder()
            .Section(false).Interface(LinkType.Ethernet)
            .Block(6, new byte[24], trailingLength: 40)
            .ToArray();

        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("at its end", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SkippedBlockWithBadTrailingLength_IsMalformed()
    {
        byte[] file = new PcapNgBuilder()
            .Section(false).Interface(LinkType.Ethernet)
            .Block(5, new byte[8], trailingLength: 99)
            .ToArray();

        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out _);
        Assert.Equal(CaptureReadStatus.Malformed, status);
    }

    [Fact]
    public void CapturedLengthBeyondTheBlock_IsMalformed()
    {
        byte[] body = new byte[24];
        body[12] = 200; // captured length 200 in a block with 4 data bytes
        byte[] file = new PcapNgBuilder().Section(false).Interface(LinkType.Ethernet).Block(6, body).ToArray();

        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("claims 200", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionRunningPastTheBlock_IsMalformed()
    {
        byte[] body = [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 50, 0];  // linktype 1, snaplen 0, if_name of length 50
        byte[] file = new PcapNgBuilder().Section(false).Block(1, body).ToArray();
        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("option 2", reader.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncation_KeepsTheCompleteRecords()
    {
        var builder = new PcapNgBuilder().Section(true).Interface(LinkType.Ethernet, tsresol: 9);
        var ends = new List<int>();
        int headerEnd = builder.ToArray().Length;
        for (int i = 0; i < 3; i++)
        {
            builder.Enhanced(0, (ulong)i, CaptureTestData.Frame(i, 33 + i));
            ends.Add(builder.ToArray().Length);
            builder.Block(0x0BAD, new byte[16]);
        }

        byte[] file = builder.ToArray();
        for (int cut = 1; cut < file.Length; cut++)
        {
            foreach (bool seekable in new[] { true, false })
            {
                var records = CaptureTestData.ReadAll(file[..cut], out CaptureReadStatus status, out CaptureReader reader, seekable);
                Assert.Equal(ends.Count(e => e <= cut), records.Count);
                bool clean = cut == 28 || cut == headerEnd || ends.Contains(cut) || ends.Contains(cut - 28);
                Assert.Equal(clean ? CaptureReadStatus.EndOfCapture : CaptureReadStatus.Truncated, status);
                Assert.Equal(clean, reader.Error is null);
            }
        }
    }

    [Fact]
    public void BadByteOrderMagic_IsMalformed()
    {
        byte[] file = new PcapNgBuilder().Section(false).ToArray();
        file[8] = 0x99;
        CaptureTestData.ReadAll(file, out CaptureReadStatus status, out CaptureReader reader);
        Assert.Equal(CaptureReadStatus.Malformed, status);
        Assert.Contains("byte-order magic", reader.Error, StringComparison.Ordinal);
    }
}
