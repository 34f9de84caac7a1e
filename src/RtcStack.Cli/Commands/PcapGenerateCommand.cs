using System.CommandLine;
using RtcStack.Cli.Pcap;
using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Commands;

/// <summary><c>rtcstack pcap generate OUT</c>: writes a deterministic synthetic call capture.</summary>
internal static class PcapGenerateCommand
{
    public static Command Create()
    {
        var defaults = new GeneratorOptions();
        var output = new Argument<FileInfo>("OUT") { Description = "The pcap file to write (overwritten if it exists)." };
        var seed = new Option<int>("--seed") { Description = "Seed for every random choice: the same seed and options give a byte-identical file.", DefaultValueFactory = _ => defaults.Seed };
        var duration = new Option<double>("--duration") { Description = "Call length in seconds.", DefaultValueFactory = _ => defaults.DurationSeconds };
        var streams = new Option<int>("--streams") { Description = "Number of RTP streams, alternating direction between the two hosts.", DefaultValueFactory = _ => defaults.Streams };
        var loss = new Option<double>("--loss") { Description = "Percentage of RTP packets the simulated network drops.", DefaultValueFactory = _ => defaults.LossPercent };
        var reorder = new Option<double>("--reorder") { Description = "Percentage of RTP packets delayed past their successor.", DefaultValueFactory = _ => defaults.ReorderPercent };
        var duplicate = new Option<double>("--duplicate") { Description = "Percentage of RTP packets delivered twice.", DefaultValueFactory = _ => defaults.DuplicatePercent };
        var jitter = new Option<double>("--jitter") { Description = "Random extra one-way delay, uniform from 0 to this many milliseconds.", DefaultValueFactory = _ => defaults.JitterMs };
        var payloadType = new Option<int>("--payload-type") { Description = "RTP payload type (111: dynamic, Opus-like).", DefaultValueFactory = _ => defaults.PayloadType };
        var clockRate = new Option<int>("--clock-rate") { Description = "RTP clock rate in Hz (48000 for Opus).", DefaultValueFactory = _ => defaults.ClockRate };
        var noRtcp = new Option<bool>("--no-rtcp") { Description = "Leave out RTCP." };
        var ipv6 = new Option<bool>("--ipv6") { Description = "Use IPv6 documentation addresses (2001:db8::/32) instead of IPv4 ones." };
        var linkType = new Option<string>("--link-type") { Description = "Link-layer framing of the records.", DefaultValueFactory = _ => "ethernet" };
        linkType.AcceptOnlyFromAmong("ethernet", "raw", "sll", "sll2", "null", "loop");
        var nanoseconds = new Option<bool>("--nanoseconds") { Description = "Store nanosecond timestamps (pcap magic A1B23C4D)." };

        var command = new Command("generate",
            "Write a short synthetic capture of a call between 192.0.2.10:50000 and 198.51.100.20:50002: Opus-like RTP streams (20 ms packets, PT 111, 48 kHz) " +
            "through a simulated network with delay, jitter, loss, reordering and duplicates, plus RTCP (sender reports with reception reports, SDES, BYE) on the same ports (RFC 5761). " +
            "Deterministic: the same seed and options give the same bytes.")
        {
            output, seed, duration, streams, loss, reorder, duplicate, jitter, payloadType, clockRate, noRtcp, ipv6, linkType, nanoseconds,
        };
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            int pt = parse.GetValue(payloadType);
            if (pt is < 0 or > 127 or (>= 72 and <= 76))
            {
                error.WriteLine("error: --payload-type must be 0-127 and not 72-76 (those collide with RTCP, RFC 5761 §4)");
                return 2;
            }

            var options = new GeneratorOptions
            {
                Seed = parse.GetValue(seed),
                DurationSeconds = parse.GetValue(duration),
                Streams = parse.GetValue(streams),
                LossPercent = parse.GetValue(loss),
                ReorderPercent = parse.GetValue(reorder),
                DuplicatePercent = parse.GetValue(duplicate),
                JitterMs = parse.GetValue(jitter),
                PayloadType = (byte)pt,
                ClockRate = parse.GetValue(clockRate),
                Rtcp = !parse.GetValue(noRtcp),
                IPv6 = parse.GetValue(ipv6),
                LinkType = parse.GetValue(linkType) switch
                {
                    "raw" => LinkType.Raw,
                    "sll" => LinkType.LinuxSll,
                    "sll2" => LinkType.LinuxSll2,
                    "null" => LinkType.Null,
                    "loop" => LinkType.Loop,
                    _ => LinkType.Ethernet,
                },
                NanosecondTimestamps = parse.GetValue(nanoseconds),
            };
            string? problem = Validate(options);
            if (problem is not null)
            {
                error.WriteLine("error: " + problem);
                return 2;
            }

            FileInfo file = parse.GetValue(output)!;
            try
            {
                if (file.Directory is { Exists: false } dir)
                {
                    dir.Create();
                }

                IReadOnlyList<GeneratedStream> truth = CaptureGenerator.Write(file.FullName, options);
                TextWriter o = parse.InvocationConfiguration.Output;
                o.WriteLine($"wrote {file}: {truth.Count} RTP streams, {options.DurationSeconds:0.###} s, seed {options.Seed}");
                foreach (GeneratedStream s in truth)
                {
                    o.WriteLine($"  {s.Flow} SSRC 0x{s.Ssrc:X8}: sent {s.Sent}, dropped {s.Dropped}, reordered {s.Reordered}, duplicated {s.Duplicated}");
                }

                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: cannot write '{file}': {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static string? Validate(GeneratorOptions o)
    {
        if (o.DurationSeconds is not (> 0 and <= 3600))
        {
            return "--duration must be more than 0 and at most 3600 seconds";
        }

        if (o.Streams is < 1 or > 64)
        {
            return "--streams must be 1 to 64";
        }

        foreach ((string name, double value) in new[] { ("--loss", o.LossPercent), ("--reorder", o.ReorderPercent), ("--duplicate", o.DuplicatePercent) })
        {
            if (value is not (>= 0 and <= 100))
            {
                return $"{name} is a percentage: 0 to 100";
            }
        }

        if (o.JitterMs is not (>= 0 and <= 10_000))
        {
            return "--jitter must be 0 to 10000 ms";
        }

        return o.ClockRate is > 0 and <= 10_000_000 ? null : "--clock-rate must be 1 to 10000000 Hz";
    }
}
