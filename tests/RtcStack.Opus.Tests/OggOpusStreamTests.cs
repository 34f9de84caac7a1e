using FsCheck.Xunit;
using RtcStack.Opus.Ogg;
using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OggOpusStreamTests
{
    [Fact]
    public void HeadersComeFirstOnTheirOwnPages()
    {
        using var stream = new MemoryStream();
        var options = new OggOpusWriterOptions { SerialNumber = 42 };
        options.Tags.Comments.Add("ENCODER=test");
        using (var writer = new OggOpusWriter(stream, options, leaveOpen: true))
        {
            writer.WritePacket([0xF8, 1, 2, 3]);
        }

        byte[] file = stream.ToArray();
        var pages = ReadPages(file);
        Assert.Equal(3, pages.Count);
        Assert.Equal((OggPageFlags.BeginningOfStream, 0L, 0u, 1), (pages[0].Flags, pages[0].Granule, pages[0].Sequence, pages[0].Completed));
        Assert.Equal((OggPageFlags.None, 0L, 1u, 1), (pages[1].Flags, pages[1].Granule, pages[1].Sequence, pages[1].Completed));
        Assert.Equal((OggPageFlags.EndOfStream, 960L, 2u, 1), (pages[2].Flags, pages[2].Granule, pages[2].Sequence, pages[2].Completed));
        Assert.All(pages, p => Assert.Equal(42u, p.Serial));

        stream.Position = 0;
        using var reader = new OggOpusReader(stream);
        Assert.Equal(OggOpusReadResult.Packet, reader.ReadHeaders());
        Assert.Equal(2, reader.Head!.ChannelCount);
        Assert.Equal(312, reader.Head.PreSkip);
        Assert.Equal(["ENCODER=test"], reader.Tags!.Comments);
        Assert.Equal(OggOpusReadResult.Packet, reader.Read(out OggOpusPacket packet));
        Assert.Equal(new byte[] { 0xF8, 1, 2, 3 }, packet.Data.ToArray());
        Assert.Equal(0, packet.StartGranule);
        Assert.Equal(960, packet.SampleCount);
        Assert.Equal(-312, packet.PcmStart);
        Assert.True(packet.IsLast);
        Assert.Equal(OggOpusReadResult.EndOfStream, reader.Read(out _));
    }

    [Property(MaxTest = 60)]
    public bool WriterAndReaderRoundTrip(int seed, byte pageMs)
    {
        var random = new Random(seed);
        var packets = new List<byte[]>();
        int count = random.Next(0, 400);
        for (int i = 0; i < count; i++)
        {
            // Mostly 20 ms voice-sized packets, some large (spanning several lacing values), some
            // empty-frame packets.
            byte[] packet = random.Next(10) == 0
                ? OpusRepacketizerTests.ValidPacket(random, random.Next(32), random.Next(2) == 1, true)
                : RandomCode0(random, random.Next(20) == 0 ? random.Next(600, 1276) : random.Next(0, 200));
            packets.Add(packet);
        }

        using var stream = new MemoryStream();
        var options = new OggOpusWriterOptions { MaxPageDuration = TimeSpan.FromMilliseconds(20 + pageMs * 4) };
        using (var writer = new OggOpusWriter(stream, options, leaveOpen: true))
        {
            foreach (byte[] p in packets)
            {
                if (writer.WritePacket(p) != OpusPacketStatus.Valid)
                {
                    return false;
                }
            }
        }

        stream.Position = 0;
        using var reader = new OggOpusReader(stream);
        long granule = 0;
        for (int i = 0; i < packets.Count; i++)
        {
            if (reader.Read(out OggOpusPacket read) != OggOpusReadResult.Packet
                || !read.Data.Span.SequenceEqual(packets[i])
                || read.StartGranule != granule
                || read.SampleCount != OpusPacket.GetSampleCount(packets[i])
                || read.TrimSamples != 0
                || read.IsLast != (i == packets.Count - 1))
            {
                return false;
            }

            granule += read.SampleCount;
        }

        return reader.Read(out _) == OggOpusReadResult.EndOfStream && reader.CorruptPages == 0 && reader.GranuleMismatches == 0;
    }

    [Fact]
    public void CommentHeaderSpanningPagesAndLargePackets()
    {
        var options = new OggOpusWriterOptions();
        options.Tags.Comments.Add("BIG=" + new string('x', 200_000));
        using var stream = new MemoryStream();
        byte[] big = OpusRepacketizerTests.ValidPacket(new Random(1), 31, false, true);
        using (var writer = new OggOpusWriter(stream, options, leaveOpen: true))
        {
            for (int i = 0; i < 300; i++)
            {
                writer.WritePacket(big);
            }
        }

        var pages = ReadPages(stream.ToArray());
        Assert.True(pages.Count > 6);
        Assert.True(pages.Skip(2).Take(3).Any(p => (p.Flags & OggPageFlags.Continued) != 0 || p.Completed == 0) || pages.Count(p => p.Granule == 0) > 3);

        stream.Position = 0;
        using var reader = new OggOpusReader(stream);
        Assert.Equal(OggOpusReadResult.Packet, reader.ReadHeaders());
        Assert.Equal(200_004, reader.Tags!.Comments[0].Length);
        int n = 0;
        while (reader.Read(out OggOpusPacket p) == OggOpusReadResult.Packet)
        {
            Assert.True(p.Data.Span.SequenceEqual(big));
            n++;
        }

        Assert.Equal(300, n);
    }

    [Fact]
    public void RtpGapsAreFilledWithConcealmentPackets()
    {
        using var stream = new MemoryStream();
        using (var writer = new OggOpusWriter(stream, new OggOpusWriterOptions(), leaveOpen: true))
        {
            uint ts = 4_000_000_000;
            byte[] voice = [0x48, 0x80, 1, 2]; // SILK WB 20 ms
            Assert.Equal(OggOpusWriteStatus.Written, writer.WriteRtpPacket(voice, ts));
            Assert.Equal(OggOpusWriteStatus.Written, writer.WriteRtpPacket(voice, ts += 960));
            Assert.Equal(OggOpusWriteStatus.GapFilled, writer.WriteRtpPacket(voice, ts += 960 * 3)); // two lost
            Assert.Equal(OggOpusWriteStatus.GapFilled, writer.WriteRtpPacket(voice, ts += 960 + 48000 * 5)); // 5 s DTX, wraps
            Assert.Equal(OggOpusWriteStatus.Late, writer.WriteRtpPacket(voice, ts - 960));
            Assert.Equal(OggOpusWriteStatus.Late, writer.WriteRtpPacket(voice, ts));
            Assert.Equal(OggOpusWriteStatus.Malformed, writer.WriteRtpPacket([0x49, 1], ts + 960));
            Assert.Equal(OggOpusWriteStatus.GapFilled, writer.WriteRtpPacket([0xE0, 7], ts + 960 + 960 + 360)); // 2.5 ms CELT after 20 ms + 7.5 ms gap
            Assert.Equal(OggOpusWriteStatus.Discontinuity, writer.WriteRtpPacket(voice, ts + 48000u * 3600));
            Assert.Equal(960 * 2 + (48000 * 5) + 960 + 360, writer.GapSamplesFilled);
            Assert.Equal((2, 1, 1), ((int)writer.LatePackets, (int)writer.MalformedPackets, (int)writer.Discontinuities));
        }

        stream.Position = 0;
        using var reader = new OggOpusReader(stream);
        long total = 0, filler = 0, voicePackets = 0;
        while (reader.Read(out OggOpusPacket p) == OggOpusReadResult.Packet)
        {
            Assert.Equal(total, p.StartGranule);
            total += p.SampleCount;
            Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect(p.Data.Span, out OpusPacketInfo info));
            if (info.IsDtx)
            {
                filler += p.SampleCount;
            }
            else
            {
                voicePackets++;
            }
        }

        Assert.Equal(6, voicePackets);
        Assert.Equal(960 * 2 + (48000 * 5) + 960 + 360, filler);
        Assert.Equal((960 * 5) + filler + 120, total);
    }

    [Fact]
    public void EndTrimmingIsReported()
    {
        using var stream = new MemoryStream();
        using (var writer = new OggOpusWriter(stream, new OggOpusWriterOptions(), leaveOpen: true))
        {
            for (int i = 0; i < 5; i++)
            {
                writer.WritePacket([0xF8, (byte)i]);
            }

            writer.Finish(trimSamples: 1000);
        }

        stream.Position = 0;
        using var reader = new OggOpusReader(stream);
        var trims = new List<int>();
        while (reader.Read(out OggOpusPacket p) == OggOpusReadResult.Packet)
        {
            trims.Add(p.TrimSamples);
        }

        Assert.Equal([0, 0, 0, 40, 960], trims);
    }

    [Fact]
    public void DamagedPagesAreSkippedAndTheRestIsRead()
    {
        byte[] file = WriteStream(50, pageMs: 20); // one packet per page
        var pages = ReadPages(file);
        int damagedOffset = pages[10].Offset + pages[10].Length - 1;
        file[damagedOffset] ^= 0xFF;

        using var reader = new OggOpusReader(new MemoryStream(file));
        var granules = new List<long>();
        while (reader.Read(out OggOpusPacket p) == OggOpusReadResult.Packet)
        {
            granules.Add(p.StartGranule);
        }

        Assert.Equal(49, granules.Count);
        Assert.Equal(1, reader.CorruptPages);
        Assert.Equal(1, reader.SequenceGaps);
        Assert.DoesNotContain(8 * 960L, granules);
        Assert.Equal(49 * 960L, granules[^1]);
    }

    [Fact]
    public void TruncatedAndGarbledStreamsNeverThrow()
    {
        byte[] file = WriteStream(40, pageMs: 60);
        var random = new Random(17);
        for (int n = 0; n < 400; n++)
        {
            byte[] copy = file[..random.Next(file.Length + 1)];
            for (int k = random.Next(4); k > 0 && copy.Length > 0; k--)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            using var reader = new OggOpusReader(new MemoryStream(copy));
            int guard = 0;
            while (reader.Read(out _) == OggOpusReadResult.Packet)
            {
                Assert.True(++guard < 1000);
            }
        }

        using var empty = new OggOpusReader(new MemoryStream());
        Assert.Equal(OggOpusReadResult.NotOpus, empty.Read(out _));
        using var truncated = new OggOpusReader(new MemoryStream(file[..(file.Length - 3)]));
        int packets = 0;
        while (truncated.Read(out _) == OggOpusReadResult.Packet)
        {
            packets++;
        }

        Assert.True(truncated.Truncated);
        Assert.Equal(39, packets);
    }

    [Fact]
    public void FirstPageGranuleSmallerThanItsSamplesIsRejected()
    {
        // Rewrite the first audio page's granule to be too small and fix the CRC.
        byte[] file = WriteStream(3, pageMs: 200);
        var pages = ReadPages(file);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(pages[2].Offset + 6), 100);
        Assert.True(pages[2].Flags.HasFlag(OggPageFlags.EndOfStream));
        SetCrc(file, pages[2]);
        using (var reader = new OggOpusReader(new MemoryStream(file)))
        {
            // On an end-of-stream page that is end trimming down to 100 samples... but below the
            // pre-skip of 312 it MUST be rejected (RFC 7845 §4.5).
            Assert.Equal(OggOpusReadResult.InvalidGranule, reader.Read(out _));
        }

        byte[] longer = WriteStream(30, pageMs: 200);
        pages = ReadPages(longer);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(longer.AsSpan(pages[2].Offset + 6), 960);
        SetCrc(longer, pages[2]);
        using var second = new OggOpusReader(new MemoryStream(longer));
        Assert.Equal(OggOpusReadResult.InvalidGranule, second.Read(out _));
    }

    [Fact]
    public void OtherLogicalStreamsAreIgnored()
    {
        // Interleave a foreign logical stream's pages with ours (grouped multiplexing, RFC 3533 §4).
        byte[] ours = WriteStream(10, pageMs: 20);
        var pages = ReadPages(ours);
        using var mux = new MemoryStream();
        var buffer = new byte[300];
        int foreignLength = OggPageWriter.Write(buffer, OggPageFlags.BeginningOfStream, 0, 999, 0, [8], "fishhead"u8);
        mux.Write(buffer, 0, foreignLength);
        uint seq = 1;
        foreach (var page in pages)
        {
            mux.Write(ours, page.Offset, page.Length);
            int n = OggPageWriter.Write(buffer, OggPageFlags.None, seq, 999, seq, [4], "data"u8);
            seq++;
            mux.Write(buffer, 0, n);
        }

        mux.Position = 0;
        using var reader = new OggOpusReader(mux);
        int count = 0;
        while (reader.Read(out _) == OggOpusReadResult.Packet)
        {
            count++;
        }

        Assert.Equal(10, count);
        Assert.Equal(0, reader.SequenceGaps);
    }

    internal static byte[] WriteStream(int packets, int pageMs)
    {
        using var stream = new MemoryStream();
        using (var writer = new OggOpusWriter(stream, new OggOpusWriterOptions { MaxPageDuration = TimeSpan.FromMilliseconds(pageMs) }, leaveOpen: true))
        {
            for (int i = 0; i < packets; i++)
            {
                writer.WritePacket([0xF8, (byte)i, 0x55, 0xAA]);
            }
        }

        return stream.ToArray();
    }

    internal static List<(int Offset, int Length, OggPageFlags Flags, long Granule, uint Serial, uint Sequence, int Completed)> ReadPages(byte[] file)
    {
        var result = new List<(int, int, OggPageFlags, long, uint, uint, int)>();
        int offset = 0;
        while (offset < file.Length)
        {
            Assert.Equal(OggPageStatus.Valid, OggPage.Read(file.AsSpan(offset), out OggPage page, out int length));
            result.Add((offset, length, page.Flags, page.GranulePosition, page.SerialNumber, page.SequenceNumber, page.CompletedPacketCount));
            offset += length;
        }

        return result;
    }

    private static void SetCrc(byte[] file, (int Offset, int Length, OggPageFlags Flags, long Granule, uint Serial, uint Sequence, int Completed) page)
    {
        Span<byte> span = file.AsSpan(page.Offset, page.Length);
        span[22..26].Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[22..], OggCrc.Compute(span));
    }

    private static byte[] RandomCode0(Random random, int frameLength)
    {
        byte[] packet = new byte[frameLength + 1];
        random.NextBytes(packet);
        packet[0] = (byte)((random.Next(32) << 3) | (random.Next(2) << 2));
        return packet;
    }
}
