using System.Text.Json;
using RtcStack.Cli.Pcap;
using RtcStack.Rtp.Capture;
using Xunit;

namespace RtcStack.Cli.Tests;

public class PcapCommandTests
{
    [Fact]
    public void Generate_IsDeterministicPerSeed()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("pcap", "generate", dir.File("a.pcap"), "--seed", "7").ExitCode);
        Assert.Equal(0, CliRunner.Run("pcap", "generate", dir.File("b.pcap"), "--seed", "7").ExitCode);
        Assert.Equal(0, CliRunner.Run("pcap", "generate", dir.File("c.pcap"), "--seed", "8").ExitCode);
        byte[] a = File.ReadAllBytes(dir.File("a.pcap"));
        Assert.Equal(a, File.ReadAllBytes(dir.File("b.pcap")));
        Assert.NotEqual(a, File.ReadAllBytes(dir.File("c.pcap")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Streams_OfAGeneratedCall_MatchTheGroundTruth(int seed)
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        IReadOnlyList<GeneratedStream> truth = CaptureGenerator.Write(file, new GeneratorOptions { Seed = seed, LossPercent = 4, ReorderPercent = 3, DuplicatePercent = 2 });

        CliRunner.Result r = CliRunner.Run("pcap", "streams", file, "--json");
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("pcap", root.GetProperty("format").GetString());
        JsonElement[] streams = [.. root.GetProperty("streams").EnumerateArray()];
        Assert.Equal(truth.Count, streams.Length);
        foreach (GeneratedStream t in truth)
        {
            JsonElement s = Assert.Single(streams, e => e.GetProperty("ssrc").GetUInt32() == t.Ssrc);
            Assert.Equal(t.Flow.SourceAddress.ToString(), s.GetProperty("sourceAddress").GetString());
            Assert.Equal(t.Flow.SourcePort, s.GetProperty("sourcePort").GetInt32());
            Assert.Equal(t.Flow.DestinationPort, s.GetProperty("destinationPort").GetInt32());
            Assert.Equal(111, s.GetProperty("payloadType").GetInt32());
            Assert.Equal(48000, s.GetProperty("clockRate").GetInt32());
            Assert.Equal(t.Sent - t.Dropped + t.Duplicated, s.GetProperty("packets").GetInt64());
            Assert.Equal(t.Duplicated, s.GetProperty("duplicates").GetInt64());
            Assert.Equal(t.FirstSequence, s.GetProperty("firstSequence").GetInt64());

            // Only drops at the very end can hide from "expected"; reordered packets count as out
            // of order unless their successor was dropped.
            long expected = s.GetProperty("expected").GetInt64();
            Assert.InRange(t.Sent - expected, 0, t.Dropped);
            Assert.Equal(expected - (t.Sent - t.Dropped + t.Duplicated), s.GetProperty("lost").GetInt64());
            Assert.InRange(s.GetProperty("outOfOrder").GetInt64(), 0, t.Reordered);
            Assert.InRange(s.GetProperty("durationSeconds").GetDouble(), 9.9, 10.1);

            // 80-byte payload + 12-byte header every 20 ms: 36.8 kbit/s sent; a little less arrives.
            Assert.InRange(s.GetProperty("bitsPerSecond").GetDouble(), 34_000, 38_000);

            // Uniform 0-4 ms extra delay and 30 ms reorder delays: jitter of a few ms.
            Assert.InRange(s.GetProperty("meanJitterMs").GetDouble(), 0.5, 5);
        }

        JsonElement[] rtcp = [.. root.GetProperty("rtcp").EnumerateArray()];
        Assert.Equal(2, rtcp.Length);
        foreach (JsonElement r2 in rtcp)
        {
            JsonElement types = r2.GetProperty("packetTypes");
            Assert.InRange(types.GetProperty("SR").GetInt64(), 6, 20);
            Assert.Equal(types.GetProperty("SR").GetInt64(), types.GetProperty("SDES").GetInt64());
            Assert.Equal(1, types.GetProperty("BYE").GetInt64());
        }

        JsonElement counters = root.GetProperty("counters");
        Assert.Equal(root.GetProperty("records").GetInt64(), counters.GetProperty("udp").GetInt64());
        Assert.Equal(0, counters.GetProperty("otherUdp").GetInt64());
    }

    [Fact]
    public void Streams_TextTable_HasOneRowPerStream()
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        CaptureGenerator.Write(file, new GeneratorOptions());
        CliRunner.Result r = CliRunner.Run("pcap", "streams", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        string[] lines = r.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("source", StringComparison.Ordinal) && l.Contains("mean jitter ms", StringComparison.Ordinal));
        string[] rows = [.. lines.Where(l => l.StartsWith("192.0.2.10:50000 ", StringComparison.Ordinal) || l.StartsWith("198.51.100.20:50002 ", StringComparison.Ordinal))];
        Assert.Equal(4, rows.Length); // two RTP streams, two RTCP senders
        Assert.Equal(2, rows.Count(l => l.Contains("SR×", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("SR×", StringComparison.Ordinal) && l.Contains("BYE×1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("raw", false)]
    [InlineData("sll", true)]
    [InlineData("sll2", false)]
    [InlineData("null", true)]
    [InlineData("loop", false)]
    [InlineData("ethernet", true)]
    public void Streams_AreFound_OverEveryLinkTypeAndFamily(string linkType, bool ipv6)
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        string[] args = ["pcap", "generate", file, "--link-type", linkType, "--duration", "2", "--nanoseconds"];
        Assert.Equal(0, CliRunner.Run(ipv6 ? [.. args, "--ipv6"] : args).ExitCode);

        CliRunner.Result r = CliRunner.Run("pcap", "streams", file, "--json");
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Out);
        JsonElement[] streams = [.. json.RootElement.GetProperty("streams").EnumerateArray()];
        Assert.Equal(2, streams.Length);
        string[] hosts = [CaptureGenerator.HostA(ipv6).ToString(), CaptureGenerator.HostB(ipv6).ToString()];
        string?[] sources = [.. streams.Select(e => e.GetProperty("sourceAddress").GetString()).Order(StringComparer.Ordinal)];
        Assert.Equal(hosts.Order(StringComparer.Ordinal), sources);
        Assert.Equal(0, json.RootElement.GetProperty("counters").GetProperty("undecodable").GetInt64());
    }

    [Fact]
    public void TruncatedCapture_PrintsTheRowsReadSoFar_AndFails()
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        CaptureGenerator.Write(file, new GeneratorOptions { Rtcp = false, LossPercent = 0, ReorderPercent = 0, DuplicatePercent = 0 });
        byte[] bytes = File.ReadAllBytes(file);
        string cut = dir.File("cut.pcap");

        // Cut inside a record a bit past the middle: 24-byte header + 126-byte records (16 + 14 + 20 + 8 + 92 ... ).
        int recordLength = 16 + 14 + 20 + 8 + 12 + 80;
        int keep = 24 + (600 * recordLength) + 50;
        File.WriteAllBytes(cut, bytes[..keep]);

        CliRunner.Result text = CliRunner.Run("pcap", "streams", cut);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("truncated", text.Err, StringComparison.Ordinal);
        Assert.Contains("packet 601", text.Err, StringComparison.Ordinal);
        Assert.Contains("600 packets", text.Err, StringComparison.Ordinal);
        Assert.Contains("0x", text.Out, StringComparison.Ordinal);

        CliRunner.Result json = CliRunner.Run("pcap", "streams", cut, "--json");
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.False(doc.RootElement.GetProperty("complete").GetBoolean());
        Assert.Contains("packet 601", doc.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(600, doc.RootElement.GetProperty("records").GetInt64());
        long packets = doc.RootElement.GetProperty("streams").EnumerateArray().Sum(s => s.GetProperty("packets").GetInt64());
        Assert.Equal(600, packets);
    }

    [Fact]
    public void NotACapture_IsAnErrorThatSaysWhy()
    {
        using var dir = new TempDir();
        string file = dir.File("notes.txt");
        File.WriteAllText(file, "these are not packets");
        CliRunner.Result r = CliRunner.Run("pcap", "streams", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a pcap or pcapng capture", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_SaysWhatToDo()
    {
        using var dir = new TempDir();
        CliRunner.Result r = CliRunner.Run("pcap", "streams", dir.File("nope.pcap"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot open", r.Err, StringComparison.Ordinal);
        Assert.Contains("rtcstack pcap generate", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("96=")]
    [InlineData("200=8000")]
    [InlineData("0")]
    public void BadClockRate_IsAUsageError(string value)
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        CaptureGenerator.Write(file, new GeneratorOptions { DurationSeconds = 1 });
        CliRunner.Result r = CliRunner.Run("pcap", "streams", file, "--clock-rate", value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("PT=RATE", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void ClockRateOption_ChangesTheJitterScale()
    {
        using var dir = new TempDir();
        string file = dir.File("call.pcap");
        CaptureGenerator.Write(file, new GeneratorOptions { DurationSeconds = 2 });
        using var a = JsonDocument.Parse(CliRunner.Run("pcap", "streams", file, "--json").Out);
        using var b = JsonDocument.Parse(CliRunner.Run("pcap", "streams", file, "--json", "--clock-rate", "111=8000").Out);
        JsonElement sa = a.RootElement.GetProperty("streams")[0];
        JsonElement sb = b.RootElement.GetProperty("streams")[0];
        Assert.Equal(48000, sa.GetProperty("clockRate").GetInt32());
        Assert.Equal(8000, sb.GetProperty("clockRate").GetInt32());
        Assert.NotEqual(sa.GetProperty("meanJitterMs").GetDouble(), sb.GetProperty("meanJitterMs").GetDouble());
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("pcap", "streams")]
    [InlineData("pcap", "generate")]
    public void EveryCommand_HasHelp(params string[] command)
    {
        CliRunner.Result r = CliRunner.Run([.. command, "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamsHelp_StatesTheDynamicClockRateDefault()
    {
        CliRunner.Result r = CliRunner.Run("pcap", "streams", "--help");
        Assert.Contains("48000", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_RejectsRtcpCollidingPayloadTypes()
    {
        using var dir = new TempDir();
        CliRunner.Result r = CliRunner.Run("pcap", "generate", dir.File("x.pcap"), "--payload-type", "72");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("RFC 5761", r.Err, StringComparison.Ordinal);
    }
}
