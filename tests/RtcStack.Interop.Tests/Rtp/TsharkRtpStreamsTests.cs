using System.Globalization;
using System.Net;
using RtcStack.Cli.Pcap;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Rtp;

/// <summary>
/// <c>rtcstack pcap streams</c> against <c>tshark -q -z rtp,streams</c> on the same captures.
/// Where the two define a number differently (see specs/pcap.md) the test checks that the
/// difference is exactly the documented one.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TsharkRtpStreamsTests : IDisposable
{
    // tshark prints milliseconds with 3 decimals; allow half a unit of its rounding plus float noise.
    private const double MsTolerance = 0.0006;

    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-tshark-streams-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<int, byte, int, string, bool> Captures() => new()
    {
        // seed, payload type, clock rate, link type, IPv6
        { 1, 0, 8000, "ethernet", false },     // PCMU
        { 2, 0, 8000, "sll2", true },
        { 3, 8, 8000, "raw", false },          // PCMA
        { 4, 34, 90000, "sll", false },        // H263, 90 kHz
        { 5, 9, 8000, "null", true },          // G722 (8000 Hz RTP clock, RFC 3551 §4.5.2)
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void StaticPayloadTypes_AgreeOnEveryNumber(int seed, byte payloadType, int clockRate, string linkType, bool ipv6)
    {
        var options = new GeneratorOptions
        {
            Seed = seed,
            PayloadType = payloadType,
            ClockRate = clockRate,
            PayloadBytes = 160,
            LossPercent = 4,
            ReorderPercent = 3,
            DuplicatePercent = 2,
            JitterMs = 20,
            IPv6 = ipv6,
            NanosecondTimestamps = seed % 2 == 0,
            LinkType = linkType switch
            {
                "sll" => LinkType.LinuxSll,
                "sll2" => LinkType.LinuxSll2,
                "raw" => LinkType.Raw,
                "null" => LinkType.Null,
                _ => LinkType.Ethernet,
            },
        };
        string file = Path.Combine(_dir, "call.pcap");
        CaptureGenerator.Write(file, options);

        List<RtpStreamStatistics> ours = Analyze(file);
        List<TsharkStream> theirs = TsharkStreams(file);
        Assert.Equal(2, ours.Count);
        Assert.Equal(ours.Count, theirs.Count);
        foreach (RtpStreamStatistics s in ours)
        {
            TsharkStream t = Match(theirs, s);
            Assert.Equal(s.Packets, t.Packets);
            Assert.Equal(TsharkLost(s), t.Lost);
            Assert.Equal(s.MaxDeltaMs, t.MaxDeltaMs, MsTolerance);
            Assert.Equal(s.MeanJitterMs, t.MeanJitterMs, MsTolerance);
            Assert.Equal(s.MaxJitterMs, t.MaxJitterMs, MsTolerance);
            Assert.True(s.MaxJitterMs > 1, "the capture should have jitter worth comparing");
        }
    }

    [Fact]
    public void DynamicPayloadType_AgreesOnCounts_AndTsharkHasNoClockRateForJitter()
    {
        string file = Path.Combine(_dir, "opus.pcap");
        CaptureGenerator.Write(file, new GeneratorOptions { Seed = 11, LossPercent = 3, ReorderPercent = 2, DuplicatePercent = 1 });

        List<RtpStreamStatistics> ours = Analyze(file);
        List<TsharkStream> theirs = TsharkStreams(file);
        Assert.Equal(2, theirs.Count);
        foreach (RtpStreamStatistics s in ours)
        {
            TsharkStream t = Match(theirs, s);
            Assert.Equal(s.Packets, t.Packets);
            Assert.Equal(TsharkLost(s), t.Lost);
            Assert.Equal(s.MaxDeltaMs, t.MaxDeltaMs, MsTolerance);

            // Without SDP, tshark knows no clock rate for PT 111 and reports no jitter; we assume
            // 48 kHz (--clock-rate changes it).
            Assert.Equal(0, t.MeanJitterMs);
            Assert.Equal(0, t.MaxJitterMs);
            Assert.True(s.MeanJitterMs > 0);
        }
    }

    [Fact]
    public void Lost_DiffersAsDocumented_WhenTheLastPacketArrivesLate()
    {
        // Sequence numbers 0..9, with 9 arriving before 8. RFC 3550 A.3 counts expected up to the
        // highest (9): lost 0. tshark counts up to the last to arrive (8): lost -1.
        ushort[] order = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8];
        string file = WriteStream(order.Select((seq, i) => (seq, (long)i * 20, false)));

        RtpStreamStatistics s = Assert.Single(Analyze(file));
        TsharkStream t = Assert.Single(TsharkStreams(file));
        Assert.Equal(0, s.Lost);
        Assert.Equal(-1, t.Lost);
        Assert.Equal(TsharkLost(s), t.Lost);
    }

    [Fact]
    public void MarkerPackets_AreLeftOutOfTsharksMaxima_AsDocumented()
    {
        // A talk spurt starts at packet 50 (marker bit) after a 200 ms pause: RFC 3550 A.8 counts
        // its transit jump, tshark leaves marker packets out of max delta and max/mean jitter.
        var packets = new List<(ushort, long, bool)>();
        for (int i = 0; i < 100; i++)
        {
            long arrivalMs = (i * 20) + (i >= 50 ? 200 : 0) + (i % 7);
            packets.Add(((ushort)i, arrivalMs, i == 50));
        }

        string file = WriteStream(packets);
        RtpStreamStatistics s = Assert.Single(Analyze(file));
        TsharkStream t = Assert.Single(TsharkStreams(file));
        Assert.Equal(s.Packets, t.Packets);
        Assert.Equal(s.Lost, t.Lost);

        double maxDeltaWithoutMarker = 0;
        for (int i = 1; i < packets.Count; i++)
        {
            if (!packets[i].Item3)
            {
                maxDeltaWithoutMarker = Math.Max(maxDeltaWithoutMarker, packets[i].Item2 - packets[i - 1].Item2);
            }
        }

        Assert.Equal(220 + 1, s.MaxDeltaMs, MsTolerance);           // 20 ms + 200 ms pause + (50 % 7) - (49 % 7)
        Assert.Equal(maxDeltaWithoutMarker, t.MaxDeltaMs, MsTolerance);
        Assert.True(t.MaxJitterMs < s.MaxJitterMs, $"tshark {t.MaxJitterMs} vs ours {s.MaxJitterMs}");
    }

    [Fact]
    public void OurCaptures_HaveChecksumsTsharkAccepts()
    {
        foreach (bool ipv6 in new[] { false, true })
        {
            string file = Path.Combine(_dir, ipv6 ? "v6.pcap" : "v4.pcap");
            CaptureGenerator.Write(file, new GeneratorOptions { DurationSeconds = 1, IPv6 = ipv6, PayloadBytes = 81 });
            string output = Tshark.Run("-r", file, "-n", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-T", "fields", "-e", "udp.checksum.status", "-e", "ip.checksum.status");
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length > 50);

            // Checksum status 1 is "Good" (0 bad, 2 unverified).
            Assert.All(lines, l => Assert.Equal(ipv6 ? "1\t" : "1\t1", l.TrimEnd('\r')));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapngWrittenByEditcap_ReadsTheSameAsThePcap(bool nanoseconds)
    {
        string pcap = Path.Combine(_dir, "call.pcap");
        string pcapng = Path.Combine(_dir, "call.pcapng");
        CaptureGenerator.Write(pcap, new GeneratorOptions { DurationSeconds = 3, NanosecondTimestamps = nanoseconds });
        ProcessRunner.Result r = ProcessRunner.Run(ExternalTool.Require("editcap", "tshark"), ["-F", "pcapng", pcap, pcapng]);
        Assert.True(r.ExitCode == 0, r.StdErr);

        List<(long Time, byte[] Data)> a = ReadAll(pcap, CaptureFormat.Pcap);
        List<(long Time, byte[] Data)> b = ReadAll(pcapng, CaptureFormat.PcapNg);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Time, b[i].Time);
            Assert.Equal(a[i].Data, b[i].Data);
        }
    }

    private static List<(long Time, byte[] Data)> ReadAll(string file, CaptureFormat format)
    {
        using CaptureReader reader = CaptureReader.Open(file);
        var records = new List<(long, byte[])>();
        while (reader.ReadNext(out CaptureRecord record) == CaptureReadStatus.Record)
        {
            records.Add((record.TimestampNanoseconds, record.Data.ToArray()));
        }

        Assert.Null(reader.Error);
        Assert.Equal(format, reader.Format);
        return records;
    }

    /// <summary>tshark's "Lost": expected counted from the first to the last packet to arrive, minus received.</summary>
    private static long TsharkLost(RtpStreamStatistics s) => s.LastSequence - s.FirstSequence + 1 - s.Packets;

    private static TsharkStream Match(List<TsharkStream> theirs, RtpStreamStatistics s) =>
        Assert.Single(theirs, t => t.Ssrc == s.Key.Ssrc
            && t.Source == s.Key.Flow.SourceAddress.ToString() && t.SourcePort == s.Key.Flow.SourcePort
            && t.Destination == s.Key.Flow.DestinationAddress.ToString() && t.DestinationPort == s.Key.Flow.DestinationPort);

    private static List<RtpStreamStatistics> Analyze(string file)
    {
        using CaptureReader reader = CaptureReader.Open(file);
        var analyzer = new RtpStreamAnalyzer();
        while (reader.ReadNext(out CaptureRecord record) == CaptureReadStatus.Record)
        {
            analyzer.Add(record);
        }

        Assert.Null(reader.Error);
        return [.. analyzer.Streams];
    }

    private string WriteStream(IEnumerable<(ushort Seq, long ArrivalMs, bool Marker)> packets)
    {
        string file = Path.Combine(_dir, "stream.pcap");
        var flow = new UdpFlow(IPAddress.Parse("192.0.2.1"), 50000, IPAddress.Parse("192.0.2.2"), 50002);
        using var writer = PcapWriter.Create(file);
        byte[] packet = new byte[12 + 160];
        foreach ((ushort seq, long arrivalMs, bool marker) in packets)
        {
            int length = RtpPacketWriter.Write(packet, new RtpHeader(0, seq, 1000u + (seq * 160u), 0xCAFE, marker), new byte[160]);
            writer.WriteUdp(1_700_000_000_000_000_000 + (arrivalMs * 1_000_000), flow, packet.AsSpan(0, length));
        }

        return file;
    }

    private static List<TsharkStream> TsharkStreams(string file)
    {
        string output = Tshark.Run("-r", file, "-n", "-q", "-d", "udp.port==50000,rtp", "-d", "udp.port==50002,rtp", "-z", "rtp,streams");
        var streams = new List<TsharkStream>();
        foreach (string line in output.Split('\n'))
        {
            // Start End Src Port Dst Port SSRC Payload Pkts Lost (pct) MinΔ MeanΔ MaxΔ MinJ MeanJ MaxJ [Problems]
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 17 || !f[6].StartsWith("0x", StringComparison.Ordinal))
            {
                continue;
            }

            streams.Add(new TsharkStream(
                f[2], int.Parse(f[3], CultureInfo.InvariantCulture), f[4], int.Parse(f[5], CultureInfo.InvariantCulture),
                uint.Parse(f[6].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(f[8], CultureInfo.InvariantCulture),
                long.Parse(f[9], CultureInfo.InvariantCulture),
                double.Parse(f[13], CultureInfo.InvariantCulture),
                double.Parse(f[15], CultureInfo.InvariantCulture),
                double.Parse(f[16], CultureInfo.InvariantCulture)));
        }

        Assert.True(streams.Count > 0, "tshark printed no RTP streams:\n" + output);
        return streams;
    }

    private sealed record TsharkStream(string Source, int SourcePort, string Destination, int DestinationPort, uint Ssrc, long Packets, long Lost, double MaxDeltaMs, double MeanJitterMs, double MaxJitterMs);
}
