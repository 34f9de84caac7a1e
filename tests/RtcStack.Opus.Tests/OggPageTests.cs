using RtcStack.Opus.Ogg;
using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OggPageTests
{
    [Fact]
    public void CrcMatchesTheCatalogueCheckValue()
    {
        // CRC-32/CKSUM (poly 04C11DB7, init 0, not reflected) has check 0x765E7680 with xorout
        // FFFFFFFF; Ogg's CRC (RFC 3533 §6) is the same without the final XOR.
        Assert.Equal(0x765E7680u ^ 0xFFFFFFFFu, OggCrc.Compute("123456789"u8));
    }

    [Fact]
    public void SlicedCrcEqualsBitwiseCrc()
    {
        var random = new Random(3533);
        for (int length = 0; length < 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(BitwiseCrc(data), OggCrc.Compute(data));
            int split = random.Next(length + 1);
            Assert.Equal(BitwiseCrc(data), OggCrc.Update(OggCrc.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void PageRoundTrips()
    {
        byte[] body = new byte[600];
        new Random(1).NextBytes(body);
        byte[] lacing = [255, 255, 90];
        var buffer = new byte[OggPage.MaxPageLength];
        int length = OggPageWriter.Write(buffer, OggPageFlags.Continued | OggPageFlags.EndOfStream, 123456789012, 0xCAFEBABE, 77, lacing, body);
        Assert.Equal(27 + 3 + 600, length);
        Assert.Equal(OggPageStatus.Valid, OggPage.Read(buffer.AsSpan(0, length + 10), out OggPage page, out int read));
        Assert.Equal(length, read);
        Assert.True(page.IsContinued);
        Assert.True(page.IsEndOfStream);
        Assert.False(page.IsBeginningOfStream);
        Assert.Equal(123456789012, page.GranulePosition);
        Assert.Equal(0xCAFEBABE, page.SerialNumber);
        Assert.Equal(77u, page.SequenceNumber);
        Assert.Equal(1, page.CompletedPacketCount);
        Assert.False(page.EndsWithPartialPacket);
        Assert.True(page.Body.SequenceEqual(body));
        int pieces = 0;
        foreach (OggPacketPiece piece in page.GetSegments())
        {
            Assert.Equal(600, piece.Data.Length);
            Assert.True(piece.CompletesPacket);
            pieces++;
        }

        Assert.Equal(1, pieces);
    }

    [Fact]
    public void SegmentsSplitPacketsAndReportAPartialLastPacket()
    {
        byte[] lacing = [10, 0, 255, 5, 255];
        byte[] body = new byte[10 + 255 + 5 + 255];
        var buffer = new byte[1000];
        int length = OggPageWriter.Write(buffer, OggPageFlags.None, -1, 1, 0, lacing, body);
        Assert.Equal(OggPageStatus.Valid, OggPage.Read(buffer.AsSpan(0, length), out OggPage page, out _));
        var pieces = new List<(int, bool)>();
        foreach (OggPacketPiece piece in page.GetSegments())
        {
            pieces.Add((piece.Data.Length, piece.CompletesPacket));
        }

        Assert.Equal([(10, true), (0, true), (260, true), (255, false)], pieces);
        Assert.Equal(3, page.CompletedPacketCount);
        Assert.True(page.EndsWithPartialPacket);
        Assert.Equal(-1, page.GranulePosition);
    }

    [Fact]
    public void MalformedPagesAreRejected()
    {
        var buffer = new byte[200];
        int length = OggPageWriter.Write(buffer, OggPageFlags.BeginningOfStream, 0, 5, 0, [100], new byte[100]);
        byte[] page = buffer[..length];

        // Truncated anywhere: need more data, never a page.
        for (int cut = 0; cut < length; cut++)
        {
            Assert.Equal(OggPageStatus.NeedMoreData, OggPage.Read(page.AsSpan(0, cut), out _, out _));
        }

        // Any single bit flip outside the capture pattern and version: bad CRC or, if it grows a
        // length, more data needed; never accepted.
        for (int i = 5; i < length; i++)
        {
            byte[] copy = (byte[])page.Clone();
            copy[i] ^= 0x10;
            OggPageStatus status = OggPage.Read(copy, out _, out _);
            Assert.True(status is OggPageStatus.BadCrc or OggPageStatus.NeedMoreData, $"byte {i}: {status}");
        }

        byte[] version = (byte[])page.Clone();
        version[4] = 1;
        Assert.Equal(OggPageStatus.UnsupportedVersion, OggPage.Read(version, out _, out _));
        Assert.Equal(OggPageStatus.BadCapturePattern, OggPage.Read("OggX"u8, out _, out _));
        Assert.Equal(OggPageStatus.BadCapturePattern, OggPage.Read("X"u8, out _, out _));
        Assert.Equal(OggPageStatus.NeedMoreData, OggPage.Read("Og"u8, out _, out _));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(9);
        var data = new byte[400];
        for (int n = 0; n < 20000; n++)
        {
            random.NextBytes(data);
            int length = random.Next(data.Length);
            if (random.Next(2) == 0)
            {
                "OggS\0"u8.CopyTo(data);
            }

            OggPage.Read(data.AsSpan(0, length), out _, out _);
            OpusHead.TryParse(data.AsSpan(0, length), out _);
            OpusTags.TryParse(data.AsSpan(0, length), out _);
        }
    }

    [Fact]
    public void OpusHeadRoundTripsAndRejectsBadHeaders()
    {
        var head = new OpusHead { ChannelCount = 1, PreSkip = 3840, InputSampleRate = 44100, OutputGain = -256 };
        var buffer = new byte[64];
        int length = head.Write(buffer);
        Assert.Equal(19, length);
        Assert.True(OpusHead.TryParse(buffer.AsSpan(0, length), out OpusHead? parsed));
        Assert.Equal((1, 3840, 44100u, (short)-256, 0), (parsed!.ChannelCount, (int)parsed.PreSkip, parsed.InputSampleRate, parsed.OutputGain, (int)parsed.ChannelMappingFamily));
        Assert.Equal(0, parsed.CoupledStreamCount);

        var surround = new OpusHead { ChannelCount = 6, ChannelMappingFamily = 1, StreamCount = 4, CoupledStreamCount = 2, ChannelMapping = [0, 4, 1, 2, 3, 5] };
        length = surround.Write(buffer);
        Assert.Equal(27, length);
        Assert.True(OpusHead.TryParse(buffer.AsSpan(0, length), out parsed));
        Assert.Equal([0, 4, 1, 2, 3, 5], parsed!.ChannelMapping);

        Assert.False(OpusHead.TryParse(buffer.AsSpan(0, 26), out _)); // truncated mapping table
        byte[] bad = buffer[..length];
        bad[23] = 6; // names stream index 6 of 4 + 2
        Assert.False(OpusHead.TryParse(bad, out _));

        head.Write(buffer);
        buffer[8] = 16; // incompatible major version
        Assert.False(OpusHead.TryParse(buffer.AsSpan(0, 19), out _));
        buffer[8] = 15; // compatible minor version
        Assert.True(OpusHead.TryParse(buffer.AsSpan(0, 19), out _));
        buffer[9] = 0; // zero channels
        Assert.False(OpusHead.TryParse(buffer.AsSpan(0, 19), out _));
    }

    [Fact]
    public void OpusTagsRoundTripAndRejectLengthsBeyondTheData()
    {
        var tags = new OpusTags { Vendor = "RtcStack test" };
        tags.Comments.Add("TITLE=Grüße");
        tags.Comments.Add("ENCODER=RtcStack");
        var buffer = new byte[tags.Length];
        Assert.Equal(buffer.Length, tags.Write(buffer));
        Assert.True(OpusTags.TryParse(buffer, out OpusTags? parsed));
        Assert.Equal("RtcStack test", parsed!.Vendor);
        Assert.Equal(["TITLE=Grüße", "ENCODER=RtcStack"], parsed.Comments);

        for (int cut = 0; cut < buffer.Length; cut++)
        {
            Assert.False(OpusTags.TryParse(buffer.AsSpan(0, cut), out _));
        }

        byte[] huge = (byte[])buffer.Clone();
        huge[8 + 4 + 13] = 0xFF; // comment count low byte
        huge[8 + 4 + 13 + 3] = 0xFF; // comment count high byte: ~4 billion comments claimed
        Assert.False(OpusTags.TryParse(huge, out _));
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc ^= (uint)b << 24;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
