using System.Net;
using System.Text;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.Cli.Pcap;

/// <summary>
/// Writes a deterministic synthetic capture of a call between two hosts: Opus-like RTP streams
/// (20 ms packets) through a simulated network with delay, jitter, loss, reordering and
/// duplication, plus RTCP on the same 5-tuple (RFC 5761): each host sends a compound SR (with a
/// reception report per stream it receives, computed from what actually reached it) and SDES
/// CNAME at randomized intervals (RFC 3550 §6.3.1), and SR + SDES + BYE when the call ends.
/// The capture point sees every datagram as it arrives.
/// </summary>
public static class CaptureGenerator
{
    private const byte OpusToc = 0x78; // RFC 6716 §3.1: config 15 (hybrid fullband, 20 ms), mono, one frame
    private const long RtcpIntervalNanos = 1_000_000_000;

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
        var datagrams = new List<Datagram>();
        var streams = new List<SentStream>();
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

                datagrams.Add(new Datagram(arrival, datagrams.Count, flow, packet[..length], IsRtcp: false));
                if (duplicateDraw < options.DuplicatePercent)
                {
                    datagrams.Add(new Datagram(arrival + 1_000_000, datagrams.Count, flow, packet[..length], IsRtcp: false));
                    duplicated++;
                }
            }

            streams.Add(new SentStream(
                new GeneratedStream(flow, ssrc, options.PayloadType, firstSequence, count, dropped, duplicated, reordered),
                start, firstTimestamp));
        }

        if (options.Rtcp && count > 0)
        {
            AddRtcp(options, a, streams, datagrams, count, interval);
        }

        datagrams.Sort(static (x, y) => x.Arrival != y.Arrival ? x.Arrival.CompareTo(y.Arrival) : x.Order.CompareTo(y.Order));
        foreach (Datagram d in datagrams)
        {
            writer.WriteUdp(d.Arrival, d.Flow, d.Payload);
        }

        return streams.ConvertAll(s => s.Truth);
    }

    /// <summary>
    /// Replays the RTP arrivals in time order at each host and has each host report what it has
    /// received so far (RFC 3550 §6.4.1, A.3 for the fraction lost, LSR/DLSR from the last SR it
    /// got from the other host).
    /// </summary>
    private static void AddRtcp(GeneratorOptions options, UdpFlow a, List<SentStream> streams, List<Datagram> datagrams, int count, long interval)
    {
        var random = new Random(unchecked((options.Seed * 31) + 0x5EED));
        Host[] hosts = [new Host(a), new Host(a.Reverse())];
        for (int h = 0; h < 2; h++)
        {
            SentStream? own = streams.Find(s => s.Truth.Flow == hosts[h].Flow);
            hosts[h].Ssrc = own?.Truth.Ssrc ?? (uint)random.NextInt64(1, uint.MaxValue);
        }

        long end = options.StartNanoseconds + (count * interval);
        var queue = new PriorityQueue<Event, (long, int)>();
        int order = 0;
        foreach (Datagram d in datagrams)
        {
            queue.Enqueue(new Event(EventKind.Arrival, d.Flow == a ? 1 : 0, d), (d.Arrival, order++));
        }

        for (int h = 0; h < 2; h++)
        {
            long first = options.StartNanoseconds + (long)(RtcpIntervalNanos * (0.5 + random.NextDouble()));
            queue.Enqueue(new Event(EventKind.Send, h, default), (Math.Min(first, end), order++));
        }

        byte[] buffer = new byte[1500];
        while (queue.TryDequeue(out Event e, out (long Time, int) key))
        {
            Host host = hosts[e.Host];
            if (e.Kind == EventKind.Arrival)
            {
                host.Received.AddDatagram(key.Time, e.Datagram.Flow, e.Datagram.Payload);
                if (e.Datagram.IsRtcp && e.Datagram.Payload[1] == 200)
                {
                    // LSR: the middle 32 bits of the SR's NTP timestamp (bytes 8-15 of the SR).
                    host.LastSenderReport = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(e.Datagram.Payload.AsSpan(10));
                    host.LastSenderReportArrival = key.Time;
                }

                continue;
            }

            bool bye = key.Time >= end;
            int length = BuildReport(options, streams, host, key.Time, bye, buffer);
            long arrival = key.Time + (long)((options.BaseDelayMs + (random.NextDouble() * options.JitterMs)) * 1e6);
            var datagram = new Datagram(arrival, order, host.Flow, buffer[..length], IsRtcp: true);
            datagrams.Add(datagram);
            queue.Enqueue(new Event(EventKind.Arrival, 1 - e.Host, datagram), (arrival, order++));
            if (!bye)
            {
                long next = key.Time + (long)(RtcpIntervalNanos * (0.5 + random.NextDouble()));
                queue.Enqueue(new Event(EventKind.Send, e.Host, default), (Math.Min(next, end), order++));
            }
        }
    }

    private static int BuildReport(GeneratorOptions options, List<SentStream> streams, Host host, long now, bool bye, byte[] buffer)
    {
        var blocks = new List<RtcpReportBlock>();
        foreach (RtpStreamStatistics s in host.Received.Streams)
        {
            host.Prior.TryGetValue(s.Key.Ssrc, out (long Expected, long Received) prior);
            long expectedInterval = s.Expected - prior.Expected;
            long lostInterval = expectedInterval - (s.Packets - prior.Received);
            byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
            host.Prior[s.Key.Ssrc] = (s.Expected, s.Packets);
            uint dlsr = host.LastSenderReport == 0 ? 0 : NtpTimestamp.TimeSpanToCompact(TimeSpan.FromTicks((now - host.LastSenderReportArrival) / 100));
            blocks.Add(new RtcpReportBlock(
                s.Key.Ssrc,
                fraction,
                (int)Math.Clamp(s.Lost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost),
                (uint)s.HighestSequence,
                (uint)Math.Round(s.JitterMs * s.ClockRate / 1000),
                host.LastSenderReport,
                dlsr));
        }

        var compound = new RtcpCompoundWriter(buffer);
        SentStream? own = streams.Find(s => s.Truth.Ssrc == host.Ssrc);
        bool ok;
        if (own is not null)
        {
            long elapsed = now - own.Start;
            long sentPackets = elapsed < 0 ? 0 : Math.Min(own.Truth.Sent, (elapsed / (options.PacketIntervalMs * 1_000_000L)) + 1);
            var ntp = NtpTimestamp.FromDateTime(DateTime.UnixEpoch.AddTicks(now / 100));
            uint rtpTimestamp = own.FirstTimestamp + (uint)(long)Math.Round(elapsed / 1e9 * options.ClockRate);
            var info = new RtcpSenderInfo(ntp, rtpTimestamp, (uint)sentPackets, (uint)(sentPackets * options.PayloadBytes));
            ok = compound.TryAddSenderReport(host.Ssrc, info, blocks.ToArray());
        }
        else
        {
            ok = compound.TryAddReceiverReport(host.Ssrc, blocks.ToArray());
        }

        string cname = $"host-{(host.Flow.SourcePort == 50000 ? 'a' : 'b')}@rtcstack.invalid";
        ok = ok && compound.TryAddCname(host.Ssrc, Encoding.ASCII.GetBytes(cname));
        if (bye)
        {
            uint[] leaving = [host.Ssrc];
            ok = ok && compound.TryAddGoodbye(leaving, "call ended"u8);
        }

        return ok ? compound.Length : throw new InvalidOperationException("an RTCP report did not fit 1500 bytes");
    }

    private enum EventKind
    {
        Arrival,
        Send,
    }

    private readonly record struct Datagram(long Arrival, int Order, UdpFlow Flow, byte[] Payload, bool IsRtcp);

    private readonly record struct Event(EventKind Kind, int Host, Datagram Datagram);

    private sealed record SentStream(GeneratedStream Truth, long Start, uint FirstTimestamp);

    private sealed class Host(UdpFlow flow)
    {
        public UdpFlow Flow { get; } = flow;

        public uint Ssrc { get; set; }

        public RtpStreamAnalyzer Received { get; } = new();

        public Dictionary<uint, (long Expected, long Received)> Prior { get; } = [];

        public uint LastSenderReport { get; set; }

        public long LastSenderReportArrival { get; set; }
    }
}
