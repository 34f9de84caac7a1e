using System.Net;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Pcap;

/// <summary>
/// Writes a deterministic synthetic capture of a call between two hosts: Opus-like RTP streams
/// (20 ms packets) through a simulated network with delay, jitter, loss, reordering and
/// duplication, plus RTCP, as a capture point on the path would see them.
/// </summary>
public static class CaptureGenerator
{
    private const byte OpusToc = 0x78; // RFC 6716 §3.1: config 15 (hybrid fullband, 20 ms), mono, one frame

    /// <summary>Gets the first host's address for the given family.</summary>
    public static IPAddress HostA(bool ipv6) => IPAddress.Parse(ipv6 ? "2001:db8::10" : "192.0.2.10");

    /// <summary>Gets the second host's address for the given family.</summary>
    public static IPAddress HostB(bool ipv6) => IPAddress.Parse(ipv6 ? "2001:db8::20" : "198.51.100.20");

    /// <summary>Writes the capture to <paramref name="path"/> and returns the ground truth.</summary>
    public static IReadOnlyList<GeneratedStream> Write(string path, GeneratorOptions options)
    {
        using var writer = PcapWriter.Create(path, options.LinkType, options.NanosecondTimestamps);
        return Write(writer, options);
    }

    /// <summary>Writes the capture's records to <paramref name="writer"/> and returns the ground truth.</summary>
    public static IReadOnlyList<GeneratedStream> Write(PcapWriter writer, GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Streams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PacketIntervalMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ClockRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PayloadBytes, 1200);

        var a = new UdpFlow(HostA(options.IPv6), 50000, HostB(options.IPv6), 50002);
        var events = new List<Datagram>();
        var truth = new List<GeneratedStream>();
        var random = new Random(options.Seed);
        int count = (int)Math.Floor(options.DurationSeconds * 1000 / options.PacketIntervalMs);
        long interval = options.PacketIntervalMs * 1_000_000L;
        uint samplesPerPacket = (uint)((long)options.ClockRate * options.PacketIntervalMs / 1000);

        for (int s = 0; s < options.Streams; s++)
        {
            UdpFlow flow = s % 2 == 0 ? a : a.Reverse();
            uint ssrc = (uint)random.NextInt64(1, uint.MaxValue);
            ushort firstSequence = (ushort)random.Next(0, 65536);
            uint firstTimestamp = (uint)random.NextInt64(0, uint.MaxValue);
            long start = options.StartNanoseconds + (s * 3_000_000L); // streams start a few ms apart
            int dropped = 0, duplicated = 0, reordered = 0;
            byte[] packet = new byte[12 + options.PayloadBytes];
            byte[] payload = new byte[options.PayloadBytes];
            for (int k = 0; k < count; k++)
            {
                long sent = start + (k * interval);
                var header = new RtpHeader(options.PayloadType, (ushort)(firstSequence + k), firstTimestamp + ((uint)k * samplesPerPacket), ssrc, Marker: k == 0);
                random.NextBytes(payload);
                payload[0] = OpusToc;
                int length = RtpPacketWriter.Write(packet, header, payload);

                // Every packet draws the same random numbers whatever happens to it, so changing
                // one percentage does not reshuffle the rest of the capture.
                double lossDraw = random.NextDouble() * 100;
                double reorderDraw = random.NextDouble() * 100;
                double duplicateDraw = random.NextDouble() * 100;
                double jitter = random.NextDouble() * options.JitterMs;
                if (k > 0 && lossDraw < options.LossPercent)
                {
                    dropped++;
                    continue;
                }

                long arrival = sent + (long)((options.BaseDelayMs + jitter) * 1e6);
                if (k > 0 && k < count - 1 && reorderDraw < options.ReorderPercent)
                {
                    arrival += interval * 3 / 2;
                    reordered++;
                }

                events.Add(new Datagram(arrival, events.Count, flow, packet[..length]));
                if (duplicateDraw < options.DuplicatePercent)
                {
                    events.Add(new Datagram(arrival + 1_000_000, events.Count, flow, packet[..length]));
                    duplicated++;
                }
            }

            truth.Add(new GeneratedStream(flow, ssrc, options.PayloadType, firstSequence, count, dropped, duplicated, reordered));
        }

        events.Sort(static (x, y) => x.Arrival != y.Arrival ? x.Arrival.CompareTo(y.Arrival) : x.Order.CompareTo(y.Order));
        foreach (Datagram d in events)
        {
            writer.WriteUdp(d.Arrival, d.Flow, d.Payload);
        }

        return truth;
    }

    private readonly record struct Datagram(long Arrival, int Order, UdpFlow Flow, byte[] Payload);
}
