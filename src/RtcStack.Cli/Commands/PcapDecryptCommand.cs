using System.CommandLine;
using System.Globalization;
using System.Net;
using RtcStack.Rtp.Capture;
using RtcStack.Srtp;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack pcap decrypt --profile P --key BASE64 [--key BASE64] [--roc N] [--ssrc S] IN OUT</c>:
/// rewrites a capture with SRTP/SRTCP replaced by plain RTP/RTCP (RFC 3711, RFC 7714), like
/// libsrtp's rtp_decoder, and reports per stream how many packets decrypted and how many failed.
/// </summary>
internal static class PcapDecryptCommand
{
    /// <summary>Exit code when some SRTP/SRTCP packets did not authenticate (they are written as captured).</summary>
    public const int ExitSomeFailed = 3;

    /// <summary>Exit code when the capture could not be read to its end.</summary>
    public const int ExitDamagedCapture = 1;

    /// <summary>Exit code for a bad option or an unreadable/unwritable file.</summary>
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var input = new Argument<FileInfo>("IN") { Description = "The capture with SRTP (pcap or pcapng; same link types as `pcap streams`)." };
        var output = new Argument<FileInfo>("OUT") { Description = "The classic pcap to write." };
        var profile = new Option<string>("--profile")
        {
            Description = "The protection profile: a DTLS-SRTP name (SRTP_AES128_CM_HMAC_SHA1_80), an SDES name (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, AES_256_CM_HMAC_SHA1_32, ...) or a DTLS-SRTP id (0x0007).",
            Required = true,
        };
        var keys = new Option<string[]>("--key")
        {
            Description = "Base64 of master key ‖ master salt (the SDES inline key, RFC 4568 §6.1; 30 bytes for AES-128-CM, 28 for AES-128-GCM). " +
                "Give it twice to key by direction: the first key decrypts packets sent from the source address:port of the first SRTP/SRTCP packet in the capture, the second everything else.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var roc = new Option<uint>("--roc") { Description = "Rollover counter of the first packet of each stream (RFC 3711 §3.3.1) when the capture starts mid-call. Default 0." };
        var ssrcs = new Option<string[]>("--ssrc") { Description = "Only decrypt these SSRCs (decimal or 0x hex; repeat or comma-separate). Other packets are copied unchanged." };

        var command = new Command("decrypt",
            "Decrypt SRTP and SRTCP in a capture (RTP/RTCP found by RFC 7983/5761 first-byte rules), writing a pcap that tshark and `rtcstack pcap streams` read as plain RTP/RTCP. " +
            "Packets that fail authentication, replays and non-SRTP traffic are copied as captured. " +
            "Exit codes: 0 every SRTP/SRTCP packet decrypted; 3 some failed (see the table); 1 the capture is damaged (what came before is written); 2 bad options or files.")
        {
            input, output, profile, keys, roc, ssrcs,
        };
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            if (!SrtpProfileExtensions.TryParse(parse.GetValue(profile), out SrtpProfile p))
            {
                error.WriteLine($"error: unknown profile '{parse.GetValue(profile)}'. Known: {string.Join(", ", SrtpProfileExtensions.All.ToArray().Select(x => x.SdesName()))}.");
                return ExitUsage;
            }

            string[] keyTexts = parse.GetValue(keys) ?? [];
            if (keyTexts.Length is < 1 or > 2)
            {
                error.WriteLine("error: give --key once (both directions) or twice (first direction, then the other).");
                return ExitUsage;
            }

            var material = new List<byte[]>();
            int expected = p.MasterKeyLength() + p.MasterSaltLength();
            foreach (string text in keyTexts)
            {
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(text.Trim());
                }
                catch (FormatException)
                {
                    error.WriteLine($"error: --key '{text}' is not base64.");
                    return ExitUsage;
                }

                if (bytes.Length != expected)
                {
                    error.WriteLine($"error: {p.SdesName()} needs {expected} bytes of key ‖ salt ({p.MasterKeyLength()} + {p.MasterSaltLength()}), --key has {bytes.Length}.");
                    return ExitUsage;
                }

                material.Add(bytes);
            }

            HashSet<uint>? only = null;
            foreach (string item in (parse.GetValue(ssrcs) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                bool ok = item.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? uint.TryParse(item.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v)
                    : uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out v);
                if (!ok)
                {
                    error.WriteLine($"error: --ssrc '{item}' is not a 32-bit number.");
                    return ExitUsage;
                }

                (only ??= []).Add(v);
            }

            return Run(parse.GetValue(input)!, parse.GetValue(output)!, p, material, parse.GetValue(roc), only, parse.InvocationConfiguration.Output, error);
        });
        return command;
    }

    private static int Run(FileInfo inFile, FileInfo outFile, SrtpProfile profile, List<byte[]> material, uint roc, HashSet<uint>? only, TextWriter output, TextWriter error)
    {
        CaptureReader reader;
        try
        {
            reader = CaptureReader.Open(inFile.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot open '{inFile}': {e.Message}");
            return ExitUsage;
        }

        var contexts = new SrtpContext[material.Count];
        for (int i = 0; i < material.Count; i++)
        {
            int k = profile.MasterKeyLength();
            contexts[i] = new SrtpContext(profile, material[i].AsSpan(0, k), material[i].AsSpan(k));
        }

        var stats = new Dictionary<(int Direction, bool Rtcp, uint Ssrc), StreamCounts>();
        PcapWriter? writer = null;
        IPEndPoint? firstSource = null;
        long copied = 0;
        long dropped = 0;
        CaptureReadStatus status;
        byte[] work = new byte[65536];
        try
        {
            using (reader)
            {
                while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
                {
                    ReadOnlySpan<byte> frame = record.Data.Span;
                    writer ??= CreateWriter(outFile, record.LinkType);
                    if (writer is null)
                    {
                        error.WriteLine($"error: cannot write '{outFile}'.");
                        return ExitUsage;
                    }

                    if (UdpDatagram.TryDissect(record.LinkType, frame, out UdpDatagram udp) != UdpDissectStatus.Ok || udp.IsPayloadTruncated || !IsRtpOrRtcp(udp.Payload, out bool rtcp))
                    {
                        if (record.LinkType == writer.LinkType)
                        {
                            writer.WriteRecord(record.TimestampNanoseconds, frame, record.OriginalLength);
                            copied++;
                        }
                        else
                        {
                            dropped++;
                        }

                        continue;
                    }

                    ReadOnlySpan<byte> payload = udp.Payload;
                    uint ssrc = (uint)((payload[rtcp ? 4 : 8] << 24) | (payload[rtcp ? 5 : 9] << 16) | (payload[rtcp ? 6 : 10] << 8) | payload[rtcp ? 7 : 11]);
                    UdpFlow flow = udp.Flow;
                    if (only is not null && !only.Contains(ssrc))
                    {
                        WriteCopy(writer, record, frame, flow, payload, ref copied);
                        continue;
                    }

                    firstSource ??= flow.Source;
                    int direction = contexts.Length == 1 || flow.Source.Equals(firstSource) ? 0 : 1;
                    SrtpContext context = contexts[direction];
                    if (!rtcp && roc != 0 && !context.TryGetRoc(SrtpDirection.Inbound, ssrc, out _))
                    {
                        context.SetRoc(SrtpDirection.Inbound, ssrc, roc);
                    }

                    payload.CopyTo(work);
                    SrtpStatus result = rtcp
                        ? context.UnprotectRtcp(work, payload.Length, out int plainLength)
                        : context.UnprotectRtp(work, payload.Length, out plainLength);
                    if (!stats.TryGetValue((direction, rtcp, ssrc), out StreamCounts? counts))
                    {
                        counts = new StreamCounts(flow);
                        stats.Add((direction, rtcp, ssrc), counts);
                    }

                    counts.Count(result);
                    if (result == SrtpStatus.Ok)
                    {
                        writer.WriteUdp(record.TimestampNanoseconds, flow, work.AsSpan(0, plainLength));
                    }
                    else
                    {
                        WriteCopy(writer, record, frame, flow, payload, ref copied);
                    }
                }
            }
        }
        catch (IOException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitDamagedCapture;
        }
        finally
        {
            writer?.Dispose();
            foreach (SrtpContext c in contexts)
            {
                c.Dispose();
            }
        }

        if (writer is null)
        {
            // An empty capture still gets an (empty) output file.
            CreateWriter(outFile, LinkType.Ethernet)?.Dispose();
        }

        Report(output, profile, stats, copied, dropped, material.Count);
        if (reader.Error is not null)
        {
            error.WriteLine($"error: the capture is damaged after {reader.RecordsRead} packets: {reader.Error}. What came before is written.");
            return ExitDamagedCapture;
        }

        return stats.Values.Any(s => s.Failed > 0) ? ExitSomeFailed : 0;
    }

    // RFC 7983 §7: 128-191 is RTP or RTCP; RFC 5761 §4: packet types 192-223 are RTCP. The header
    // is not validated here: an SRTP payload's padding count is still encrypted.
    private static bool IsRtpOrRtcp(ReadOnlySpan<byte> payload, out bool rtcp)
    {
        rtcp = payload.Length >= 2 && payload[1] is >= 192 and <= 223;
        return payload.Length >= (rtcp ? 8 : 12) && payload[0] is >= 128 and <= 191;
    }

    private static void WriteCopy(PcapWriter writer, CaptureRecord record, ReadOnlySpan<byte> frame, UdpFlow flow, ReadOnlySpan<byte> payload, ref long copied)
    {
        if (record.LinkType == writer.LinkType)
        {
            writer.WriteRecord(record.TimestampNanoseconds, frame, record.OriginalLength);
        }
        else
        {
            writer.WriteUdp(record.TimestampNanoseconds, flow, payload);
        }

        copied++;
    }

    private static PcapWriter? CreateWriter(FileInfo file, LinkType linkType)
    {
        try
        {
            UdpFrameWriter.GetFrameLength(linkType, false, 0);
        }
        catch (ArgumentException)
        {
            linkType = LinkType.Ethernet;
        }

        try
        {
            return PcapWriter.Create(file.FullName, linkType, nanosecondTimestamps: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Report(TextWriter output, SrtpProfile profile, Dictionary<(int Direction, bool Rtcp, uint Ssrc), StreamCounts> stats, long copied, long dropped, int keys)
    {
        output.WriteLine($"profile {profile.SdesName()}, {keys} key(s)");
        output.WriteLine($"{"dir",-3} {"kind",-5} {"ssrc",-10} {"flow",-47} {"decrypted",9} {"auth fail",9} {"replayed",8} {"other",6}");
        foreach (KeyValuePair<(int Direction, bool Rtcp, uint Ssrc), StreamCounts> e in stats.OrderBy(e => e.Key.Direction).ThenBy(e => e.Key.Rtcp).ThenBy(e => e.Key.Ssrc))
        {
            StreamCounts c = e.Value;
            output.WriteLine($"{e.Key.Direction + 1,-3} {(e.Key.Rtcp ? "rtcp" : "rtp"),-5} 0x{e.Key.Ssrc:x8} {c.Flow,-47} {c.Decrypted,9} {c.AuthenticationFailed,9} {c.Replayed,8} {c.Other,6}");
        }

        output.WriteLine($"{copied} other packets copied unchanged" + (dropped > 0 ? $", {dropped} non-UDP packets of another link type left out" : ""));
    }

    private sealed class StreamCounts(UdpFlow flow)
    {
        public UdpFlow Flow { get; } = flow;

        public long Decrypted { get; private set; }

        public long AuthenticationFailed { get; private set; }

        public long Replayed { get; private set; }

        public long Other { get; private set; }

        public long Failed => AuthenticationFailed + Other;

        public void Count(SrtpStatus status)
        {
            switch (status)
            {
                case SrtpStatus.Ok:
                    Decrypted++;
                    break;
                case SrtpStatus.AuthenticationFailed:
                    AuthenticationFailed++;
                    break;
                case SrtpStatus.Replayed or SrtpStatus.TooOld:
                    Replayed++;
                    break;
                default:
                    Other++;
                    break;
            }
        }
    }
}
