using System.Globalization;
using System.Text;
using System.Text.Json;
using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Pcap;

/// <summary>Renders the result of <c>rtcstack pcap streams</c> as a text table or as JSON.</summary>
internal static class StreamsReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Everything the report shows.</summary>
    public sealed record Input(
        string File,
        CaptureFormat Format,
        long Records,
        CaptureReadStatus Status,
        string? Error,
        IReadOnlyList<RtpStreamStatistics> Streams,
        IReadOnlyList<RtcpFlowStatistics> Rtcp,
        CaptureCounters Counters,
        int MinPackets);

    public static void WriteText(TextWriter output, Input input)
    {
        output.WriteLine($"{input.File}: {FormatName(input.Format)}, {input.Records} packets read{(input.Error is null ? "" : " before the error below")}");
        output.WriteLine();
        output.WriteLine(string.Create(s_inv, $"RTP streams ({input.Streams.Count}){(input.MinPackets > 1 ? $", at least {input.MinPackets} packets each" : "")}"));
        string[] head = ["source", "destination", "SSRC", "PT", "packets", "lost", "dup", "ooo", "max gap", "mean jitter ms", "max jitter ms", "max delta ms", "duration s", "kbit/s"];
        var rows = new List<string[]>();
        foreach (RtpStreamStatistics s in input.Streams)
        {
            rows.Add([
                Endpoint(s.Key.Flow.SourceAddress, s.Key.Flow.SourcePort),
                Endpoint(s.Key.Flow.DestinationAddress, s.Key.Flow.DestinationPort),
                $"0x{s.Key.Ssrc:X8}",
                string.Join('+', s.PayloadTypes),
                N(s.Packets),
                N(s.Lost),
                N(s.Duplicates),
                N(s.OutOfOrder),
                N(s.MaxSequenceGap),
                F(s.MeanJitterMs, 2),
                F(s.MaxJitterMs, 2),
                F(s.MaxDeltaMs, 2),
                F(s.DurationSeconds, 3),
                F(s.BitsPerSecond / 1000, 1),
            ]);
        }

        WriteTable(output, head, rows, leftColumns: 2);
        if (input.Rtcp.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"RTCP ({input.Rtcp.Count} sender{(input.Rtcp.Count == 1 ? "" : "s")})");
            var rtcpRows = new List<string[]>();
            foreach (RtcpFlowStatistics r in input.Rtcp)
            {
                var types = new StringBuilder();
                foreach (KeyValuePair<string, long> t in r.PacketTypes)
                {
                    types.Append(types.Length == 0 ? "" : " ").Append(t.Key).Append('×').Append(N(t.Value));
                }

                rtcpRows.Add([
                    Endpoint(r.Flow.SourceAddress, r.Flow.SourcePort),
                    Endpoint(r.Flow.DestinationAddress, r.Flow.DestinationPort),
                    $"0x{r.SenderSsrc:X8}",
                    N(r.Datagrams),
                    types.ToString(),
                ]);
            }

            WriteTable(output, ["source", "destination", "sender SSRC", "datagrams", "packets"], rtcpRows, leftColumns: 2, lastLeft: true);
        }

        CaptureCounters c = input.Counters;
        output.WriteLine();
        output.WriteLine(string.Create(s_inv,
            $"UDP datagrams: {c.Udp} (RTP {c.Rtp}, RTCP {c.Rtcp}, STUN/TURN {c.Stun}, DTLS {c.Dtls}, other {c.OtherUdp}); not UDP: {c.NotUdp}; IP fragments skipped: {c.Fragments}; undecodable: {c.Undecodable + c.UnsupportedLinkType}"));
    }

    public static void WriteJson(Stream output, Input input)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("file", input.File);
        json.WriteString("format", FormatName(input.Format));
        json.WriteNumber("records", input.Records);
        json.WriteBoolean("complete", input.Error is null);
        if (input.Error is null)
        {
            json.WriteNull("error");
        }
        else
        {
            json.WriteString("error", input.Error);
        }

        json.WriteNumber("minPackets", input.MinPackets);
        json.WriteStartArray("streams");
        foreach (RtpStreamStatistics s in input.Streams)
        {
            json.WriteStartObject();
            WriteFlow(json, s.Key.Flow);
            json.WriteNumber("ssrc", s.Key.Ssrc);
            json.WriteString("ssrcHex", $"0x{s.Key.Ssrc:X8}");
            json.WriteNumber("payloadType", s.PayloadType);
            json.WriteStartArray("payloadTypes");
            foreach (byte pt in s.PayloadTypes)
            {
                json.WriteNumberValue(pt);
            }

            json.WriteEndArray();
            json.WriteNumber("clockRate", s.ClockRate);
            json.WriteNumber("packets", s.Packets);
            json.WriteNumber("expected", s.Expected);
            json.WriteNumber("lost", s.Lost);
            json.WriteNumber("duplicates", s.Duplicates);
            json.WriteNumber("outOfOrder", s.OutOfOrder);
            json.WriteNumber("maxSequenceGap", s.MaxSequenceGap);
            json.WriteNumber("firstSequence", s.FirstSequence);
            json.WriteNumber("highestSequence", s.HighestSequence);
            json.WriteNumber("lastSequence", s.LastSequence);
            json.WriteNumber("meanJitterMs", Math.Round(s.MeanJitterMs, 6));
            json.WriteNumber("maxJitterMs", Math.Round(s.MaxJitterMs, 6));
            json.WriteNumber("lastJitterMs", Math.Round(s.JitterMs, 6));
            json.WriteNumber("maxDeltaMs", Math.Round(s.MaxDeltaMs, 6));
            json.WriteString("start", Time(s.FirstArrivalNanoseconds));
            json.WriteNumber("durationSeconds", Math.Round(s.DurationSeconds, 9));
            json.WriteNumber("bytes", s.Bytes);
            json.WriteNumber("bitsPerSecond", Math.Round(s.BitsPerSecond, 3));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("rtcp");
        foreach (RtcpFlowStatistics r in input.Rtcp)
        {
            json.WriteStartObject();
            WriteFlow(json, r.Flow);
            json.WriteNumber("senderSsrc", r.SenderSsrc);
            json.WriteString("senderSsrcHex", $"0x{r.SenderSsrc:X8}");
            json.WriteNumber("datagrams", r.Datagrams);
            json.WriteNumber("bytes", r.Bytes);
            json.WriteStartObject("packetTypes");
            foreach (KeyValuePair<string, long> t in r.PacketTypes)
            {
                json.WriteNumber(t.Key, t.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        CaptureCounters c = input.Counters;
        json.WriteStartObject("counters");
        json.WriteNumber("records", c.Records);
        json.WriteNumber("udp", c.Udp);
        json.WriteNumber("rtp", c.Rtp);
        json.WriteNumber("rtcp", c.Rtcp);
        json.WriteNumber("stunOrTurn", c.Stun);
        json.WriteNumber("dtls", c.Dtls);
        json.WriteNumber("otherUdp", c.OtherUdp);
        json.WriteNumber("notUdp", c.NotUdp);
        json.WriteNumber("fragments", c.Fragments);
        json.WriteNumber("undecodable", c.Undecodable);
        json.WriteNumber("unsupportedLinkType", c.UnsupportedLinkType);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteFlow(Utf8JsonWriter json, UdpFlow flow)
    {
        json.WriteString("sourceAddress", flow.SourceAddress.ToString());
        json.WriteNumber("sourcePort", flow.SourcePort);
        json.WriteString("destinationAddress", flow.DestinationAddress.ToString());
        json.WriteNumber("destinationPort", flow.DestinationPort);
    }

    private static void WriteTable(TextWriter output, string[] head, List<string[]> rows, int leftColumns, bool lastLeft = false)
    {
        int[] widths = new int[head.Length];
        foreach (string[] row in rows.Prepend(head))
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in rows.Prepend(head))
        {
            var line = new StringBuilder();
            for (int i = 0; i < row.Length; i++)
            {
                bool left = i < leftColumns || (lastLeft && i == row.Length - 1);
                line.Append(i == 0 ? "" : "  ").Append(left ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }

    private static string Endpoint(System.Net.IPAddress address, ushort port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private static string FormatName(CaptureFormat format) => format switch
    {
        CaptureFormat.Pcap => "pcap",
        CaptureFormat.PcapNg => "pcapng",
        _ => "unknown format",
    };

    private static string N(long value) => value.ToString(s_inv);

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(s_inv), s_inv);

    private static string Time(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", s_inv);
}
