using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Text;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Scenarios;
using RtcStack.Opus.Jitter;
using ScottPlot;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack sim jitter TRACE</c>: the audio of a call over a Mahimahi (mm-link) downlink trace, played through the
/// adaptive jitter buffer and a fixed 40 ms buffer (issue 17's quality measurement, docs/jitter-buffer.md). The call is
/// one NetSim media flow (32 kbit/s CBR audio and 150 kbit/s-1.5 Mbit/s GCC video on the same transport) over the trace,
/// optionally with a CUBIC download alongside. Writes a per-packet CSV and a PNG (jitter per packet, the buffers'
/// playout delay and target over time) and prints late-loss and mean playout delay against the issue's targets.
/// </summary>
public static class SimJitterCommand
{
    private const double FixedDelayMs = 40;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "Mahimahi trace of the downlink (one millisecond per line, one 1500-byte delivery opportunity each)." };
        var seconds = new Option<double>("--seconds") { Description = "Audio to play, seconds (1-3600).", DefaultValueFactory = _ => 120 };
        var propagation = new Option<double>("--propagation-ms") { Description = "One-way propagation delay of both directions, ms (0-1000).", DefaultValueFactory = _ => 20 };
        var download = new Option<bool>("--download") { Description = "Add a long-lived CUBIC download sharing the downlink." };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "results" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG." };
        var cmd = new Command("jitter", "Play a call's audio over a Mahimahi cellular trace through the adaptive and a fixed 40 ms jitter buffer: late-loss, mean playout delay, CSV and plot.")
        {
            trace, seconds, propagation, download, seed, output, noPlots,
        };
        cmd.SetAction(parse =>
        {
            TextWriter err = parse.InvocationConfiguration.Error;
            TextWriter @out = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(trace)!;
            double s = parse.GetValue(seconds);
            double prop = parse.GetValue(propagation);
            if (s is not (>= 1 and <= 3600) || prop is not (>= 0 and <= 1000))
            {
                err.WriteLine("error: --seconds must be 1-3600 and --propagation-ms 0-1000");
                return 2;
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                err.WriteLine($"error: cannot read {path}: {e.Message}");
                return 2;
            }

            if (!MahimahiTrace.TryParse(text, out _, out string? error))
            {
                err.WriteLine($"error: {path}: {error}");
                return 2;
            }

            string name = Path.GetFileNameWithoutExtension(path) + (parse.GetValue(download) ? "-download" : "");
            (double Sent, double? Arrival)[] packets = CallAudio(Path.GetFullPath(path), (int)(s * 50), parse.GetValue(seed), prop, parse.GetValue(download));
            if (packets.All(p => p.Arrival is null))
            {
                err.WriteLine($"error: no audio packet arrived over {path}");
                return 1;
            }

            Playout adaptive = Play(packets, new JitterBufferOptions());
            Playout fixed40 = Play(packets, new JitterBufferOptions { Adaptive = false, InitialDelay = TimeSpan.FromMilliseconds(FixedDelayMs) });
            double p95 = Percentile(packets.Where(p => p.Arrival is not null).Select(p => p.Arrival!.Value - p.Sent).ToArray(), 0.95) - MinOneWay(packets);
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            WriteCsv(Path.Combine(outDir, $"jitter-{name}.csv"), packets);
            if (!parse.GetValue(noPlots))
            {
                PlotRun(Path.Combine(outDir, $"jitter-{name}.png"), name, packets, adaptive, fixed40, p95 + 20);
            }

            @out.WriteLine($"{name}: {packets.Length} audio packets, network loss {packets.Count(p => p.Arrival is null) * 100.0 / packets.Length:F2} %, P95 jitter {p95:F1} ms, delay bound {p95 + 20:F1} ms");
            @out.WriteLine("| buffer | mean playout delay ms | late-loss | concealment |");
            @out.WriteLine("|---|---|---|---|");
            foreach ((string label, Playout p) in (ReadOnlySpan<(string, Playout)>)[("adaptive", adaptive), ("fixed 40 ms", fixed40)])
            {
                @out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {p.MeanPlayoutDelayMs:F1} | {p.LateLoss * 100:F2} % | {p.Concealment * 100:F2} % |"));
            }

            return 0;
        });
        return cmd;
    }

    /// <summary>The call's audio packets: capture time (RTP timestamp) and arrival, ms; null when lost.</summary>
    internal static (double Sent, double? Arrival)[] CallAudio(string traceFile, int count, int seed, double propagationMs, bool download)
    {
        var definition = new ScenarioDefinition
        {
            Name = "jitter-call",
            DurationSeconds = (count * 0.020) + 5,
            Links =
            [
                new LinkDefinition { Id = "down", TraceFile = traceFile, PropagationDelayMs = propagationMs, QueueMs = 300 },
                new LinkDefinition { Id = "up", PropagationDelayMs = propagationMs },
            ],
            MediaFlows = [new MediaFlowDefinition { Id = "call", Forward = ["down"], Backward = ["up"], AudioBps = 32_000 }],
            CrossTraffic = download
                ? [new CrossTrafficDefinition { Id = "download", Type = "tcp", Algorithm = "cubic", Forward = ["down"], Backward = ["up"] }]
                : [],
        };
        var log = new StringWriter(CultureInfo.InvariantCulture);
        ScenarioRunner.Run(definition, "gcc", seed, new ScenarioRunOptions { RtpLog = log });
        var arrivals = new Dictionary<long, double>();
        long first = long.MaxValue;
        foreach (string line in log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // RFC 8868 §3.1 record after "S " or "R ": time, payload type (111 = the audio), SSRC, sequence, timestamp, marker, size.
            string[] f = line.Split(' ');
            if (f.Length < 8 || f[2] != "111")
            {
                continue;
            }

            long timestamp = long.Parse(f[5], CultureInfo.InvariantCulture);
            first = Math.Min(first, timestamp);
            if (f[0] == "R")
            {
                arrivals[timestamp] = double.Parse(f[1], CultureInfo.InvariantCulture) * 1000;
            }
        }

        var packets = new (double, double?)[count];
        for (int k = 0; k < count; k++)
        {
            long timestamp = first + (960L * k);
            packets[k] = (timestamp / 48.0, arrivals.TryGetValue(timestamp, out double a) ? a : null);
        }

        return packets;
    }

    private sealed record Playout(double MeanPlayoutDelayMs, double LateLoss, double Concealment, double[] Times, double[] DelayMs, double[] TargetMs);

    private static Playout Play((double Sent, double? Arrival)[] packets, JitterBufferOptions options)
    {
        var buffer = new AdaptiveJitterBuffer(new ToneDecoder(), options);
        var delivered = Enumerable.Range(0, packets.Length).Where(k => packets[k].Arrival is not null)
            .OrderBy(k => packets[k].Arrival!.Value).ThenBy(k => k).ToArray();
        double min = MinOneWay(packets);
        var pcm = new short[buffer.FrameSamples];
        var times = new List<double>();
        var delay = new List<double>();
        var target = new List<double>();
        double storedJitter = 0;
        long stored = 0;
        int next = 0;
        double end = packets[delivered[^1]].Arrival!.Value + 10_000;
        for (double t = 0; t < end; t += 10)
        {
            while (next < delivered.Length && packets[delivered[next]].Arrival!.Value <= t)
            {
                int k = delivered[next++];
                var payload = new byte[6];
                payload[0] = 20;
                BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(2), (uint)(k * 960));
                if (buffer.Insert(1, (ushort)k, (uint)(k * 960), TimeSpan.FromMilliseconds(packets[k].Arrival!.Value), payload) == JitterBufferInsertResult.Stored)
                {
                    storedJitter += packets[k].Arrival!.Value - packets[k].Sent - min;
                    stored++;
                }
            }

            JitterBufferStatistics now = buffer.Statistics;
            if (next == delivered.Length && now.PacketsDecoded + now.PacketsDiscardedLate == delivered.Length)
            {
                break;
            }

            buffer.GetAudio(TimeSpan.FromMilliseconds(t), pcm);
            if ((long)t % 100 == 0)
            {
                times.Add(t / 1000);
                delay.Add(now.CurrentDelay.TotalMilliseconds);
                target.Add(now.TargetDelay.TotalMilliseconds);
            }
        }

        JitterBufferStatistics s = buffer.Statistics;
        int lost = packets.Count(p => p.Arrival is null);
        double meanBuffer = s.JitterBufferDelay / Math.Max(1, s.JitterBufferEmittedCount) * 1000;
        return new Playout(
            meanBuffer + (storedJitter / Math.Max(1, stored)),
            Math.Max(0, s.ConcealedSamples - (lost * 960.0)) / (packets.Length * 960.0),
            (double)s.ConcealedSamples / Math.Max(1, s.TotalSamplesReceived),
            [.. times], [.. delay], [.. target]);
    }

    private static double MinOneWay((double Sent, double? Arrival)[] packets) =>
        packets.Where(p => p.Arrival is not null).Min(p => p.Arrival!.Value - p.Sent);

    private static double Percentile(double[] values, double q)
    {
        Array.Sort(values);
        return values[(int)Math.Min(values.Length - 1, Math.Ceiling(q * values.Length) - 1)];
    }

    private static void WriteCsv(string path, (double Sent, double? Arrival)[] packets)
    {
        double min = MinOneWay(packets);
        var sb = new StringBuilder("packet,sent_ms,arrival_ms,jitter_ms\n");
        for (int k = 0; k < packets.Length; k++)
        {
            (double sent, double? arrival) = packets[k];
            sb.Append(CultureInfo.InvariantCulture, $"{k},{sent:F3},{(arrival is double a ? a.ToString("F3", CultureInfo.InvariantCulture) : "")},{(arrival is double b ? (b - sent - min).ToString("F3", CultureInfo.InvariantCulture) : "")}\n");
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static void PlotRun(string path, string name, (double Sent, double? Arrival)[] packets, Playout adaptive, Playout fixed40, double boundMs)
    {
        double min = MinOneWay(packets);
        double t0 = packets[0].Sent;
        var plot = new Plot();
        plot.Title($"{name}: audio jitter and playout delay (adaptive {adaptive.MeanPlayoutDelayMs:F0} ms, late-loss {adaptive.LateLoss * 100:F2} %)");
        plot.XLabel("time (s)");
        plot.YLabel("ms above the smallest one-way delay");
        var jitter = plot.Add.ScatterPoints(
            packets.Where(p => p.Arrival is not null).Select(p => (p.Sent - t0) / 1000).ToArray(),
            packets.Where(p => p.Arrival is not null).Select(p => p.Arrival!.Value - p.Sent - min).ToArray());
        jitter.LegendText = "packet jitter";
        jitter.MarkerSize = 2;
        var delay = plot.Add.Scatter(adaptive.Times, adaptive.DelayMs);
        delay.LegendText = "adaptive: playout delay (buffer's estimate)";
        delay.MarkerSize = 0;
        var target = plot.Add.Scatter(adaptive.Times, adaptive.TargetMs);
        target.LegendText = "adaptive: target";
        target.MarkerSize = 0;
        target.LinePattern = LinePattern.Dotted;
        var bound = plot.Add.HorizontalLine(boundMs);
        bound.LegendText = $"P95 jitter + 20 ms = {boundMs:F0} ms";
        bound.LinePattern = LinePattern.Dashed;
        var fixedLine = plot.Add.HorizontalLine(fixed40.MeanPlayoutDelayMs);
        fixedLine.LegendText = "fixed 40 ms buffer";
        fixedLine.LinePattern = LinePattern.DenselyDashed;
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1400, 600);
    }

    /// <summary>A stand-in decoder: each 6-byte packet is 20 ms of a 200 Hz tone; concealment continues it quieter.</summary>
    private sealed class ToneDecoder : IJitterBufferDecoder
    {
        private long _position;

        public int SampleRate => 48000;

        public int Channels => 1;

        public int GetDuration(ReadOnlySpan<byte> packet) => packet.Length == 6 && packet[0] == 20 ? 960 : -1;

        public bool HasFec(ReadOnlySpan<byte> packet) => false;

        public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
        {
            if (GetDuration(packet) != 960 || pcm.Length < 960)
            {
                return -4;
            }

            _position = BinaryPrimitives.ReadUInt32BigEndian(packet[2..]);
            Fill(pcm[..960], 8000);
            return 960;
        }

        public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm) => -4;

        public int Conceal(Span<short> pcm)
        {
            Fill(pcm, 4000);
            return pcm.Length;
        }

        public void Reset() => _position = 0;

        private void Fill(Span<short> pcm, double amplitude)
        {
            for (int i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(amplitude * Math.Sin(2 * Math.PI * 200 * (_position + i) / 48000));
            }

            _position += pcm.Length;
        }
    }
}
