using System.Globalization;
using System.Net;
using RtcStack.Rtp;
using RtcStack.Rtp.Capture;
using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.Interop.Tests.Rtp;

/// <summary>
/// tshark as an independent parser: a capture of generated RTP and RTCP, written with our writers,
/// must decode in tshark with the same field values that our parsers report for the same bytes.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TsharkRtpFieldsTests : IDisposable
{
    private const ushort RtpPort = 5004;
    private const ushort RtcpPort = 5005;
    private static readonly UdpFlow s_rtp = new(IPAddress.Parse("192.0.2.1"), RtpPort, IPAddress.Parse("192.0.2.2"), 6004);
    private static readonly UdpFlow s_rtcp = new(IPAddress.Parse("192.0.2.1"), RtcpPort, IPAddress.Parse("192.0.2.2"), 6005);
    private static readonly string[] s_decodeAs = [$"udp.port=={RtpPort},rtp", $"udp.port=={RtcpPort},rtcp"];

    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-tshark-rtp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RtpHeaders_DecodeTheSameInTshark()
    {
        var random = new Random(42);
        var packets = new List<byte[]>();
        ushort seq = 65_500; // wraps inside the capture
        for (int i = 0; i < 80; i++)
        {
            packets.Add(RandomRtp(random, seq++));
        }

        string file = WriteCapture(packets.Select(p => (s_rtp, p)));
        List<Dictionary<string, string>> rows = Tshark.Fields(file, s_decodeAs, "rtp",
            "rtp.seq", "rtp.ssrc", "rtp.timestamp", "rtp.p_type", "rtp.marker", "rtp.cc", "rtp.csrc.item",
            "rtp.padding.count", "rtp.ext.profile", "rtp.ext.len", "rtp.ext.rfc5285.id", "rtp.ext.rfc5285.len");

        Assert.Equal(packets.Count, rows.Count);
        for (int i = 0; i < packets.Count; i++)
        {
            Dictionary<string, string> t = rows[i];
            Assert.True(RtpPacket.TryParse(packets[i], out RtpPacket p));
            Assert.Equal(p.SequenceNumber, UInt(t["rtp.seq"]));
            Assert.Equal(p.Ssrc, UInt(t["rtp.ssrc"]));
            Assert.Equal(p.Timestamp, UInt(t["rtp.timestamp"]));
            Assert.Equal(p.PayloadType, UInt(t["rtp.p_type"]));
            Assert.Equal(p.Marker, Bool(t["rtp.marker"]));
            Assert.Equal(p.CsrcCount, (int)UInt(t["rtp.cc"]));
            var csrcs = new List<ulong>();
            for (int c = 0; c < p.CsrcCount; c++)
            {
                csrcs.Add(p.GetCsrc(c));
            }

            Assert.Equal(csrcs, UInts(t["rtp.csrc.item"]));
            Assert.True((p.HasPadding ? p.PaddingLength.ToString(CultureInfo.InvariantCulture) : "") == t["rtp.padding.count"], $"frame {i + 1}: padding {p.PaddingLength}, tshark '{t["rtp.padding.count"]}', packet {Convert.ToHexString(packets[i])}");
            if (p.HasExtension)
            {
                Assert.Equal(p.ExtensionProfile, UInt(t["rtp.ext.profile"]));
                Assert.Equal((ulong)p.ExtensionData.Length / 4, UInt(t["rtp.ext.len"]));
                Assert.True(p.TryGetHeaderExtensions(out RtpHeaderExtensionReader reader));
                var ids = new List<ulong>();
                var lengths = new List<ulong>();
                foreach (RtpHeaderExtensionElement e in reader)
                {
                    ids.Add(e.Id);
                    lengths.Add((ulong)e.Value.Length);
                }

                Assert.Equal(ids, UInts(t["rtp.ext.rfc5285.id"]));

                // tshark shows the element's data length in both forms (for the one-byte form
                // that is the 4-bit field plus one, RFC 8285 §4.2).
                Assert.Equal(lengths, UInts(t["rtp.ext.rfc5285.len"]));
            }
            else
            {
                Assert.Equal("", t["rtp.ext.profile"]);
            }
        }
    }

    [Fact]
    public void RtcpPackets_DecodeTheSameInTshark()
    {
        var random = new Random(7);
        var datagrams = new List<byte[]>();
        byte[] buffer = new byte[1500];

        // SR with two report blocks + SDES CNAME; RR with one block + SDES; BYE with a reason.
        RtcpReportBlock[] srBlocks = [RandomBlock(random), RandomBlock(random)];
        RtcpReportBlock[] rrBlocks = [RandomBlock(random)];
        var sr = new RtcpCompoundWriter(buffer);
        Assert.True(sr.TryAddSenderReport(0x11111111, new RtcpSenderInfo(new NtpTimestamp(0xE5000000_80000000UL), 123_456, 500, 40_000), srBlocks));
        Assert.True(sr.TryAddCname(0x11111111, "alice@example.invalid"u8));
        datagrams.Add(sr.Written.ToArray());
        var rr = new RtcpCompoundWriter(buffer);
        Assert.True(rr.TryAddReceiverReport(0x22222222, rrBlocks));
        Assert.True(rr.TryAddCname(0x22222222, "bob"u8));
        Assert.True(rr.TryAddGoodbye([0x22222222, 0x33333333], "done"u8));
        datagrams.Add(rr.Written.ToArray());

        // Feedback, each in its own (reduced-size, RFC 5506) datagram.
        var fb = new RtcpCompoundWriter(buffer);
        Assert.True(fb.TryAddGenericNack(0x22222222, 0x11111111, [100, 101, 105, 117, 200, 201]));
        datagrams.Add(fb.Written.ToArray());
        fb = new RtcpCompoundWriter(buffer);
        Assert.True(fb.TryAddPictureLossIndication(0x22222222, 0x11111111));
        datagrams.Add(fb.Written.ToArray());
        fb = new RtcpCompoundWriter(buffer);
        Assert.True(fb.TryAddRemb(0x22222222, 1_234_567, [0x11111111, 0x44444444]));
        datagrams.Add(fb.Written.ToArray());
        for (int i = 0; i < 4; i++)
        {
            datagrams.Add(RandomTwcc(random, (ushort)(65_520 + (i * 10)), (byte)i));
        }

        string file = WriteCapture(datagrams.Select(d => (s_rtcp, d)));
        string[] fields =
        [
            "rtcp.pt", "rtcp.senderssrc", "rtcp.timestamp.ntp.msw", "rtcp.timestamp.ntp.lsw", "rtcp.timestamp.rtp",
            "rtcp.sender.packetcount", "rtcp.sender.octetcount", "rtcp.ssrc.identifier", "rtcp.ssrc.fraction",
            "rtcp.ssrc.cum_nr", "rtcp.ssrc.ext_high", "rtcp.ssrc.jitter", "rtcp.ssrc.lsr", "rtcp.ssrc.dlsr",
            "rtcp.sdes.type", "rtcp.sdes.text", "rtcp.mediassrc", "rtcp.rtpfb.fmt", "rtcp.psfb.fmt",
            "rtcp.rtpfb.nack_pid", "rtcp.rtpfb.nack_blp", "rtcp.psfb.remb.fci.number_ssrcs", "rtcp.psfb.remb.fci.br_exp",
            "rtcp.psfb.remb.fci.br_mantissa", "rtcp.psfb.remb.fci.ssrc", "rtcp.rtpfb.transportcc.baseseq",
            "rtcp.rtpfb.transportcc.statuscount", "rtcp.rtpfb.transportcc.reftime", "rtcp.rtpfb.transportcc.pktcount",
            "rtcp.rtpfb.transportcc.pktchunk",
        ];
        List<Dictionary<string, string>> rows = Tshark.Fields(file, s_decodeAs, "rtcp", fields);
        Assert.Equal(datagrams.Count, rows.Count);

        for (int i = 0; i < datagrams.Count; i++)
        {
            var ours = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            Assert.True(RtcpCompoundReader.TryParse(datagrams[i], out RtcpCompoundReader compound));
            foreach (RtcpPacket packet in compound)
            {
                Describe(packet, ours);
            }

            foreach (string field in fields)
            {
                string expected = ours.TryGetValue(field, out List<string>? values) ? string.Join(',', values) : "";
                string theirs = Normalize(rows[i][field]);
                Assert.True(expected == theirs, $"datagram {i + 1}, {field}: ours '{expected}', tshark '{theirs}'");
            }
        }
    }

    /// <summary>What our parsers read from one RTCP packet, named and formatted as tshark's fields.</summary>
    private static void Describe(RtcpPacket packet, Dictionary<string, List<string>> f)
    {
        Add(f, "rtcp.pt", (byte)packet.PacketType);
        switch (packet.PacketType)
        {
            case RtcpPacketType.SenderReport:
            {
                Assert.True(RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr));
                Add(f, "rtcp.senderssrc", sr.Ssrc);
                Add(f, "rtcp.timestamp.ntp.msw", sr.SenderInfo.NtpTimestamp.Seconds);
                Add(f, "rtcp.timestamp.ntp.lsw", sr.SenderInfo.NtpTimestamp.Fraction);
                Add(f, "rtcp.timestamp.rtp", sr.SenderInfo.RtpTimestamp);
                Add(f, "rtcp.sender.packetcount", sr.SenderInfo.PacketCount);
                Add(f, "rtcp.sender.octetcount", sr.SenderInfo.OctetCount);
                for (int b = 0; b < sr.ReportCount; b++)
                {
                    AddBlock(f, sr.GetReportBlock(b));
                }

                break;
            }

            case RtcpPacketType.ReceiverReport:
            {
                Assert.True(RtcpReceiverReport.TryParse(packet, out RtcpReceiverReport rr));
                Add(f, "rtcp.senderssrc", rr.Ssrc);
                for (int b = 0; b < rr.ReportCount; b++)
                {
                    AddBlock(f, rr.GetReportBlock(b));
                }

                break;
            }

            case RtcpPacketType.SourceDescription:
            {
                Assert.True(RtcpSourceDescription.TryParse(packet, out RtcpSourceDescription sdes));
                foreach (RtcpSdesChunk chunk in sdes)
                {
                    Add(f, "rtcp.ssrc.identifier", chunk.Ssrc);
                    foreach (RtcpSdesItem item in chunk)
                    {
                        Add(f, "rtcp.sdes.type", (byte)item.Type);
                        Add(f, "rtcp.sdes.text", System.Text.Encoding.UTF8.GetString(item.Text));
                    }

                    // tshark lists the terminating null item (type 0) as an item of its own.
                    Add(f, "rtcp.sdes.type", 0);
                }

                break;
            }

            case RtcpPacketType.Goodbye:
            {
                Assert.True(RtcpGoodbye.TryParse(packet, out RtcpGoodbye bye));
                for (int s = 0; s < bye.SourceCount; s++)
                {
                    Add(f, "rtcp.ssrc.identifier", bye.GetSsrc(s));
                }

                if (!bye.Reason.IsEmpty)
                {
                    Add(f, "rtcp.sdes.text", System.Text.Encoding.UTF8.GetString(bye.Reason));
                }

                break;
            }

            case RtcpPacketType.TransportFeedback:
            {
                Assert.True(RtcpFeedback.TryParse(packet, out RtcpFeedback fb));
                Add(f, "rtcp.rtpfb.fmt", fb.Format);
                Add(f, "rtcp.senderssrc", fb.SenderSsrc);
                Add(f, "rtcp.mediassrc", fb.MediaSsrc);
                if (fb.Format == 1)
                {
                    Assert.True(RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack));
                    for (int p = 0; p < nack.PairCount; p++)
                    {
                        Add(f, "rtcp.rtpfb.nack_blp", nack.GetPair(p).LostBitmask);
                    }

                    // tshark adds a nack_pid item for every lost packet (the PID and each BLP bit).
                    foreach (ushort lost in nack)
                    {
                        Add(f, "rtcp.rtpfb.nack_pid", lost);
                    }
                }
                else if (fb.Format == 15)
                {
                    Assert.True(TransportWideFeedback.TryParse(packet, out TransportWideFeedback twcc));
                    Add(f, "rtcp.rtpfb.transportcc.baseseq", twcc.BaseSequenceNumber);
                    Add(f, "rtcp.rtpfb.transportcc.statuscount", twcc.PacketStatusCount);
                    Add(f, "rtcp.rtpfb.transportcc.reftime", twcc.ReferenceTime);
                    Add(f, "rtcp.rtpfb.transportcc.pktcount", twcc.FeedbackPacketCount);
                    for (int c = 0; c < twcc.ChunkCount; c++)
                    {
                        Add(f, "rtcp.rtpfb.transportcc.pktchunk", twcc.GetChunk(c));
                    }
                }

                break;
            }

            case RtcpPacketType.PayloadFeedback:
            {
                Assert.True(RtcpFeedback.TryParse(packet, out RtcpFeedback fb));
                Add(f, "rtcp.psfb.fmt", fb.Format);
                Add(f, "rtcp.senderssrc", fb.SenderSsrc);
                Add(f, "rtcp.mediassrc", fb.MediaSsrc);
                if (fb.Format == 15 && RtcpRemb.TryParse(packet, out RtcpRemb remb))
                {
                    Add(f, "rtcp.psfb.remb.fci.number_ssrcs", remb.SsrcCount);
                    Add(f, "rtcp.psfb.remb.fci.br_exp", remb.Exponent);
                    Add(f, "rtcp.psfb.remb.fci.br_mantissa", remb.Mantissa);
                    for (int s = 0; s < remb.SsrcCount; s++)
                    {
                        Add(f, "rtcp.psfb.remb.fci.ssrc", remb.GetSsrc(s));
                    }
                }

                break;
            }

            default:
                break;
        }
    }

    private static void AddBlock(Dictionary<string, List<string>> f, RtcpReportBlock b)
    {
        Add(f, "rtcp.ssrc.identifier", b.Ssrc);
        Add(f, "rtcp.ssrc.fraction", b.FractionLost);
        Add(f, "rtcp.ssrc.cum_nr", b.CumulativeLost);
        Add(f, "rtcp.ssrc.ext_high", b.ExtendedHighestSequenceNumber);
        Add(f, "rtcp.ssrc.jitter", b.Jitter);
        Add(f, "rtcp.ssrc.lsr", b.LastSenderReport);
        Add(f, "rtcp.ssrc.dlsr", b.DelaySinceLastSenderReport);
    }

    private static void Add(Dictionary<string, List<string>> f, string field, long value) => Add(f, field, value.ToString(CultureInfo.InvariantCulture));

    private static void Add(Dictionary<string, List<string>> f, string field, string value)
    {
        if (!f.TryGetValue(field, out List<string>? list))
        {
            f[field] = list = [];
        }

        list.Add(value);
    }

    private static RtcpReportBlock RandomBlock(Random r) => new(
        (uint)r.NextInt64(1, uint.MaxValue),
        (byte)r.Next(256),
        r.Next(-1000, 100_000),
        (uint)r.NextInt64(0, uint.MaxValue),
        (uint)r.Next(0, 100_000),
        (uint)r.NextInt64(0, uint.MaxValue),
        (uint)r.Next(0, 1 << 20));

    private static byte[] RandomTwcc(Random r, ushort baseSequence, byte feedbackCount)
    {
        // Arrivals with losses, small and large deltas, and one packet arriving before its predecessor.
        int count = r.Next(10, 40);
        var arrivals = new TimeSpan?[count];
        TimeSpan t = TimeSpan.FromMilliseconds(r.Next(0, 100_000));
        for (int i = 0; i < count; i++)
        {
            int kind = r.Next(10);
            t += kind switch
            {
                0 => TimeSpan.FromMilliseconds(r.Next(70, 300)),   // large delta
                1 => TimeSpan.FromMilliseconds(-r.Next(1, 5)),     // negative delta
                _ => TimeSpan.FromMicroseconds(r.Next(0, 60_000)), // small delta
            };
            arrivals[i] = kind == 2 ? null : t;
        }

        arrivals[0] ??= t;
        byte[] buffer = new byte[TransportWideFeedback.GetMaxLength(count)];
        Assert.True(TransportWideFeedback.TryWrite(buffer, 0x22222222, 0x11111111, baseSequence, feedbackCount, arrivals, out int length, out int written));
        Assert.Equal(count, written);
        return buffer[..length];
    }

    private static byte[] RandomRtp(Random r, ushort seq)
    {
        byte[] buffer = new byte[1500];
        var writer = new RtpPacketWriter(buffer);
        // Not 100/101: tshark dissects those payloads as RFC 2833 events by default and stops
        // (before the padding fields) when a random payload is malformed as an event.
        byte[] pts = [0, 8, 96, 111, 120, 127];
        uint[] csrcs = new uint[r.Next(0, 4)];
        for (int c = 0; c < csrcs.Length; c++)
        {
            csrcs[c] = (uint)r.NextInt64(0, uint.MaxValue);
        }

        var header = new RtpHeader(pts[r.Next(pts.Length)], seq, (uint)r.NextInt64(0, uint.MaxValue), (uint)r.NextInt64(1, uint.MaxValue), r.Next(4) == 0);
        Assert.True(writer.TryWriteHeader(header, csrcs));
        int form = r.Next(3);
        if (form > 0)
        {
            RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(form == 1 ? RtpHeaderExtensionMode.OneByteOnly : RtpHeaderExtensionMode.TwoByte);
            int elements = r.Next(1, 5);
            var used = new HashSet<byte>();
            for (int e = 0; e < elements; e++)
            {
                byte id = form == 1 ? (byte)r.Next(1, 15) : (byte)r.Next(1, 256);
                if (!used.Add(id))
                {
                    continue;
                }

                byte[] value = new byte[form == 1 ? r.Next(1, 17) : r.Next(1, 30)];
                r.NextBytes(value);
                Assert.True(ext.TryAdd(id, value));
            }

            Assert.True(writer.TryEndHeaderExtension(ext.Finish()));
        }

        byte[] payload = new byte[r.Next(1, 200)];
        r.NextBytes(payload);
        Assert.True(writer.TryWritePayload(payload));
        if (r.Next(4) == 0)
        {
            Assert.True(writer.TryWritePadding(r.Next(1, 9)));
        }

        return writer.Written.ToArray();
    }

    private string WriteCapture(IEnumerable<(UdpFlow Flow, byte[] Payload)> datagrams)
    {
        string file = System.IO.Path.Combine(_dir, "capture.pcap");
        using var writer = PcapWriter.Create(file);
        long t = 1_700_000_000_000_000_000;
        foreach ((UdpFlow flow, byte[] payload) in datagrams)
        {
            writer.WriteUdp(t, flow, payload);
            t += 20_000_000;
        }

        return file;
    }

    /// <summary>tshark prints some integer fields (SSRCs) in hex: compare them as decimal.</summary>
    private static string Normalize(string value) => string.Join(',', value.Split(',').Select(v =>
        v.StartsWith("0x", StringComparison.Ordinal) ? UInt(v).ToString(CultureInfo.InvariantCulture) : v));

    private static ulong UInt(string value) => value.StartsWith("0x", StringComparison.Ordinal)
        ? ulong.Parse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : ulong.Parse(value, CultureInfo.InvariantCulture);

    private static IEnumerable<ulong> UInts(string value) => value.Length == 0 ? [] : value.Split(',').Select(UInt);

    private static bool Bool(string value) => value is "1" or "True" or "true";
}
