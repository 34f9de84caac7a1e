using System.CommandLine;
using RtcStack.Cli.Pcap;
using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Commands;

/// <summary><c>rtcstack pcap streams FILE</c>: one row of statistics per RTP stream in a capture.</summary>
internal static class PcapStreamsCommand
{
    /// <summary>Exit code when the capture could not be read to its end (the rows read so far are still printed).</summary>
    public const int ExitDamagedCapture = 1;

    /// <summary>Exit code for a file that cannot be opened or a bad option value.</summary>
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE")
        {
            Description = "A classic pcap (microsecond or nanosecond, either byte order) or pcapng capture. Link types: Ethernet (with VLAN tags), Linux cooked (SLL, SLL2), raw IP, BSD loopback; UDP over IPv4 or IPv6.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON instead of a table (field names are stable; times in ms unless named otherwise).",
        };
        var clockRate = new Option<string[]>("--clock-rate")
        {
            Description = "RTP clock rate for jitter: RATE (Hz) for every payload type not in RFC 3551's static table (default 48000, as for Opus), or PT=RATE for one payload type; comma-separated or repeated. Example: --clock-rate 96=90000,111=48000.",
            HelpName = "RATE|PT=RATE",
            AllowMultipleArgumentsPerToken = false,
        };
        var minPackets = new Option<int>("--min-packets")
        {
            Description = "Leave out streams with fewer packets (one stray UDP packet can look like RTP).",
            DefaultValueFactory = _ => 2,
        };

        var command = new Command("streams",
            "List the RTP streams in a capture (one row per 5-tuple + SSRC) with payload type, packets, lost, duplicates, out-of-order, max sequence gap, mean/max interarrival jitter (RFC 3550 A.8), max delta between arrivals, duration and bit rate, followed by the RTCP senders. " +
            "RTP and RTCP are found by the RFC 7983 first-byte rules (128-191), told apart by RFC 5761 (packet type 192-223 is RTCP), and RTP headers must hold together. " +
            "Lost = expected - received as in RFC 3550 A.3 (negative when duplicates outnumber losses). " +
            "Exit codes: 0 read to the end; 1 the capture is truncated or corrupt (the rows cover the packets before the damage); 2 the file cannot be opened or an option is wrong.")
        {
            file, json, clockRate, minPackets,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            string? problem = ClockRateMap.TryParse(parse.GetValue(clockRate) ?? [], out ClockRateMap rates);
            if (problem is not null)
            {
                error.WriteLine("error: " + problem);
                return ExitUsage;
            }

            int min = parse.GetValue(minPackets);
            if (min < 1)
            {
                error.WriteLine("error: --min-packets must be 1 or more");
                return ExitUsage;
            }

            return Run(parse.GetValue(file)!, parse.GetValue(json), rates, min, output, error);
        });
        return command;
    }

    private static int Run(FileInfo file, bool json, ClockRateMap rates, int minPackets, TextWriter output, TextWriter error)
    {
        CaptureReader reader;
        try
        {
            reader = CaptureReader.Open(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot open '{file}': {e.Message}");
            error.WriteLine(File.Exists(file.FullName) ? "Check the file's permissions." : "Check the path; `rtcstack pcap generate out.pcap` writes a sample capture.");
            return ExitUsage;
        }

        var analyzer = new RtpStreamAnalyzer(rates.Get);
        CaptureReadStatus status;
        using (reader)
        {
            try
            {
                while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
                {
                    analyzer.Add(record);
                }
            }
            catch (IOException e)
            {
                error.WriteLine($"error: reading '{file}' failed after {reader.RecordsRead} packets: {e.Message}");
                return ExitDamagedCapture;
            }
        }

        var streams = analyzer.Streams.Where(s => s.Packets >= minPackets).ToList();
        var input = new StreamsReport.Input(file.ToString(), reader.Format, reader.RecordsRead, status, reader.Error, streams, analyzer.RtcpFlows, analyzer.Counters, minPackets);
        if (json)
        {
            output.Flush();
            using var buffer = new MemoryStream();
            StreamsReport.WriteJson(buffer, input);
            output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            output.Flush();
        }
        else
        {
            StreamsReport.WriteText(output, input);
        }

        if (reader.Error is null)
        {
            return 0;
        }

        string what = status == CaptureReadStatus.Truncated ? "the capture is truncated" : "the capture is damaged";
        error.WriteLine($"error: {what}: {reader.Error}.");
        error.WriteLine(status == CaptureReadStatus.Truncated
            ? $"The results cover the {reader.RecordsRead} packets before that point. If the capture was still being written or copied, wait for it to finish and run again."
            : $"The results cover the {reader.RecordsRead} packets before that point. If the file came through a text-mode transfer or a broken tool, get a fresh copy.");
        return ExitDamagedCapture;
    }
}
