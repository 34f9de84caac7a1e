using System.Globalization;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>One packet of a profile: its send time and, unless lost in the network, its arrival time (ms).</summary>
internal readonly record struct ProfilePacket(double SentMs, double? ArrivalMs);

/// <summary>
/// Deterministic one-way delay profiles for 20 ms audio packets, generated in virtual time from NetSim's link models:
/// the two RFC 8868 §4.5 packet-delay-variation models (RBPDV, which may reorder, and NR-BPDV, which may not; both
/// with the §4.5.3 truncated-normal PDV through <see cref="JitterModel"/>), Gilbert–Elliott burst loss through
/// <see cref="LossModel"/>, and a synthetic cellular-like profile (see <see cref="Cellular"/>).
/// </summary>
internal static class JitterProfiles
{
    public const double BaseDelayMs = 50;

    /// <summary>RFC 8868 §4.5.1 RBPDV: each packet's delay is the base plus an independent PDV sample, so packets may overtake each other.</summary>
    public static ProfilePacket[] Rbpdv(int count, double stdDevMs, int seed, LossModel? loss = null)
    {
        var rng = new Random(seed);
        var jitter = new JitterModel(TimeSpan.FromMilliseconds(stdDevMs));
        var packets = new ProfilePacket[count];
        for (int k = 0; k < count; k++)
        {
            double sent = 20.0 * k;
            double arrival = sent + BaseDelayMs + jitter.Sample(rng).TotalMilliseconds;
            packets[k] = new ProfilePacket(sent, loss?.Drop(rng) == true ? null : arrival);
        }

        return packets;
    }

    /// <summary>RFC 8868 §4.5.2 NR-BPDV: as RBPDV, but a packet never leaves before the one sent before it (plus 0.1 ms of serialisation).</summary>
    public static ProfilePacket[] NrBpdv(int count, double stdDevMs, int seed, LossModel? loss = null)
    {
        var rng = new Random(seed);
        var jitter = new JitterModel(TimeSpan.FromMilliseconds(stdDevMs));
        var packets = new ProfilePacket[count];
        double previous = double.NegativeInfinity;
        for (int k = 0; k < count; k++)
        {
            double sent = 20.0 * k;
            double arrival = Math.Max(sent + BaseDelayMs + jitter.Sample(rng).TotalMilliseconds, previous + 0.1);
            previous = arrival;
            packets[k] = new ProfilePacket(sent, loss?.Drop(rng) == true ? null : arrival);
        }

        return packets;
    }

    /// <summary>
    /// A synthetic cellular-like profile (not a recorded trace): 40 ms base delay; per-packet scheduling delay of 0-7 ms
    /// (1 ms TTIs), an 8 ms HARQ retransmission for 10 % of packets and a second one for 1 %; radio stalls starting on
    /// average every 8 s and lasting 80-400 ms, during which packets queue and are then released back to back, 1 ms
    /// apart; in-order delivery (RLC); 0.5 % random loss.
    /// </summary>
    public static ProfilePacket[] Cellular(int count, int seed)
    {
        var rng = new Random(seed);
        double durationMs = 20.0 * count;
        var stalls = new List<(double Start, double End)>();
        for (double t = Exponential(rng, 8000); t < durationMs + 1000; t += Exponential(rng, 8000))
        {
            double length = 80 + (rng.NextDouble() * 320);
            stalls.Add((t, t + length));
            t += length;
        }

        var packets = new ProfilePacket[count];
        double previous = double.NegativeInfinity;
        for (int k = 0; k < count; k++)
        {
            double sent = 20.0 * k;
            double delay = 40 + rng.Next(0, 8);
            if (rng.NextDouble() < 0.10)
            {
                delay += 8;
                if (rng.NextDouble() < 0.10)
                {
                    delay += 8;
                }
            }

            double arrival = sent + delay;
            foreach ((double start, double end) in stalls)
            {
                if (arrival >= start && arrival < end)
                {
                    arrival = end;
                }
            }

            arrival = Math.Max(arrival, previous + 1);
            previous = arrival;
            packets[k] = new ProfilePacket(sent, rng.NextDouble() < 0.005 ? null : arrival);
        }

        return packets;
    }

    /// <summary>The recorded Mahimahi trace of a Verizon LTE downlink (JitterBuffer/Traces/README.md has its source).</summary>
    public static string VerizonLteTrace => Path.Combine(AppContext.BaseDirectory, "JitterBuffer", "Traces", "Verizon-LTE-short.down");

    /// <summary>
    /// Audio of a call over a recorded cellular downlink: a NetSim scenario whose forward link is driven by the Mahimahi
    /// trace <paramref name="traceFile"/> (one 1500-byte delivery opportunity per line) behind <paramref name="propagationMs"/>
    /// of one-way propagation, with a 300 ms drop-tail queue (at the trace's mean rate) and an unconstrained feedback path.
    /// The call is one media flow: 32 kbps CBR Opus-like audio (a 80-byte payload every 20 ms, 128 bytes on the wire)
    /// and VBR video of 150 kbps-1.5 Mbps (RFC 8867 §4.3) on the same transport, both paced and driven by GCC from
    /// transport-wide feedback, so the video shares the link with the audio and backs off when the capacity falls.
    /// With <paramref name="tcpDownload"/> a long-lived CUBIC download shares the downlink too (a file fetched during
    /// the call). The audio's RFC 8868 §3.1 RTP log gives each packet's capture time (its RTP timestamp) and arrival.
    /// </summary>
    public static ProfilePacket[] CellularTrace(string traceFile, int count, int seed, double propagationMs = 20, bool tcpDownload = false)
    {
        double seconds = (count * 0.020) + 5;
        var definition = new ScenarioDefinition
        {
            Name = "jitter-cellular-trace",
            DurationSeconds = seconds,
            Links =
            [
                new LinkDefinition { Id = "down", TraceFile = traceFile, PropagationDelayMs = propagationMs, QueueMs = 300 },
                new LinkDefinition { Id = "up", PropagationDelayMs = propagationMs },
            ],
            MediaFlows = [new MediaFlowDefinition { Id = "call", Forward = ["down"], Backward = ["up"], AudioBps = 32_000 }],
            CrossTraffic = tcpDownload
                ? [new CrossTrafficDefinition { Id = "download", Type = "tcp", Algorithm = "cubic", Forward = ["down"], Backward = ["up"], StartSeconds = 0 }]
                : [],
        };

        var log = new StringWriter(CultureInfo.InvariantCulture);
        ScenarioRunner.Run(definition, "gcc", seed, new ScenarioRunOptions { RtpLog = log });
        var arrivals = new Dictionary<long, double>();
        long firstTimestamp = long.MaxValue;
        foreach (string line in log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "S|R seconds.micros PT SSRC seq timestamp marker size"; payload type 111 is the audio.
            string[] f = line.Split(' ');
            if (f.Length < 8 || f[2] != "111")
            {
                continue;
            }

            long timestamp = long.Parse(f[5], CultureInfo.InvariantCulture);
            firstTimestamp = Math.Min(firstTimestamp, timestamp);
            if (f[0] == "R")
            {
                arrivals[timestamp] = double.Parse(f[1], CultureInfo.InvariantCulture) * 1000;
            }
        }

        var packets = new ProfilePacket[count];
        for (int k = 0; k < count; k++)
        {
            long timestamp = firstTimestamp + (960L * k);
            double sent = timestamp / 48.0;
            packets[k] = new ProfilePacket(sent, arrivals.TryGetValue(timestamp, out double arrival) ? arrival : null);
        }

        return packets;
    }

    private static double Exponential(Random rng, double mean) => -mean * Math.Log(1 - rng.NextDouble());
}
