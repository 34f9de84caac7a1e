using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Cli.Serve;
using RtcStack.Congestion.Gcc;
using RtcStack.Dtls;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Signalling;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench forward</c>: the forwarding load test (issue 14). This process is the SFU, pinned to one CPU: one
/// <see cref="UdpEventLoop"/>, one shared-socket <see cref="UdpSessionHost"/>, and a room of <c>rtcstack serve</c>
/// (<see cref="ServeRooms"/>, <see cref="ServeRoom"/>: the publisher's session, the <see cref="RtcStack.WebRtc.Forwarding.SimulcastForwarder"/>,
/// one send-only <see cref="WebRtcSession"/> per subscriber), set up without HTTP through the room's WHIP/WHEP
/// handler. A second copy of this program (<c>--role clients</c>, pinned to another CPU) runs the simulcast publisher
/// (three VP8 layers, 2.5 Mbit/s, <see cref="BenchSimulcastSource"/>) and the N subscribers, each a
/// <see cref="WebRtcSession"/> that unprotects and counts every video packet it receives. Signalling is one line each
/// way over the clients' standard input and output.
/// </summary>
internal static partial class BenchForwardCommand
{
    private const string RoomName = "bench";
    private static readonly TimeSpan SignallingTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var counts = new Option<string>("--count") { Description = "Subscriber counts to try, comma-separated (each a fresh room and client process).", DefaultValueFactory = _ => "100,250,500,1000" };
        var seconds = new Option<int>("--seconds") { Description = "Seconds of measured forwarding per count (after a 3 s warm-up).", DefaultValueFactory = _ => 10 };
        var layer = new Option<string>("--layer") { Description = "The layer every subscriber receives: low (150 kbit/s, the default: the least work for the subscribers' process), mid (500 kbit/s), high (1.85 Mbit/s), or auto (each follows its session's target bitrate, as serve does).", DefaultValueFactory = _ => "low" };
        var cpu = new Option<string>("--cpu") { Description = "CPUs for the forwarder and the clients' process, 'A,B', or 'none' to leave both unpinned.", DefaultValueFactory = _ => "0,1" };
        var json = new Option<string?>("--json") { Description = "Also write the results to this file as JSON." };
        var role = new Option<string?>("--role") { Description = "Internal: 'clients' runs the publisher and the subscribers (started by the forwarder; signalling on stdin/stdout).", Hidden = true };
        var command = new Command("forward",
            "Forwarding load: one simulcast publisher (3 VP8 layers, 2.5 Mbit/s) and N subscribers over loopback, the forwarder (a serve room) in one process pinned to one CPU, " +
            "the publisher and subscribers in a second process pinned to another. Per N: packets forwarded/s, delivery, each process's CPU, us per forwarded packet, memory per subscriber; " +
            "sustained when delivery >= 99.9 % and the forwarder used less than its core.")
        {
            counts, seconds, layer, cpu, json, role,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var list = new List<int>();
            foreach (string part in (parse.GetValue(counts) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 20000)
                {
                    error.WriteLine($"error: --count '{part}' is not a number from 1 to 20000");
                    return 2;
                }

                list.Add(n);
            }

            int s = parse.GetValue(seconds);
            if (list.Count == 0 || s is < 1 or > 3600)
            {
                error.WriteLine("error: --count needs at least one number, --seconds 1-3600");
                return 2;
            }

            if (!TryParseLayer(parse.GetValue(layer), out LayerChoice choice))
            {
                error.WriteLine("error: --layer must be low, mid, high or auto");
                return 2;
            }

            if (!BenchDataChannelCommand.TryParseCpus(parse.GetValue(cpu), out int? forwarderCpu, out int? clientsCpu))
            {
                error.WriteLine("error: --cpu must be 'A,B' (two CPU numbers) or 'none'");
                return 2;
            }

            string? r = parse.GetValue(role);
            if (r is not null && r != "clients")
            {
                error.WriteLine("error: --role must be 'clients'");
                return 2;
            }

            try
            {
                if (r is not null)
                {
                    return RunClients(list[0], choice, clientsCpu, Console.In, Console.Out);
                }

                Pin(forwarderCpu);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"forwarding: 1 publisher (VP8 simulcast q/h/f, 2.5 Mbit/s) to N subscribers on layer {Name(choice)}, {s} s measured after {WarmUp.TotalSeconds} s warm-up, CPUs {parse.GetValue(cpu)}, event loop {(UdpEventLoop.IsSupported ? "yes" : "no (host threads)")}"));
                output.WriteLine($"{"subs",6} {"layer",5} {"setup s",7} {"fwd pkt/s",10} {"owed",9} {"received",9} {"delivery %",10} {"fwd cpu %",9} {"subs cpu %",10} {"us/fwd pkt",10} {"KB/sub",7} {"sustained",9} {"limit",12}");
                var results = new List<RunResult>();
                foreach (int n in list)
                {
                    RunResult res = RunOne(n, choice, TimeSpan.FromSeconds(s), forwarderCpu, clientsCpu);
                    results.Add(res);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{n,6} {Name(choice),5} {res.SetupSeconds,7:0.0} {res.ForwardedPerSecond,10:0} {res.Owed,9} {res.Received,9} {res.DeliveryPercent,10:0.000} {res.ForwarderCpuPercent,9:0.0} {res.ClientsCpuPercent,10:0.0} {res.MicrosecondsPerForwarded,10:0.00} {res.BytesPerSubscriber / 1024,7:0.0} {(res.Sustained ? "yes" : "no"),9} {res.Limit,12}"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"       forwarder: forwarded {res.Forwarded}, refused {res.Refused}, kernel drops {res.KernelDrops}; publisher packets q/h/f {res.PublisherPackets[0]}/{res.PublisherPackets[1]}/{res.PublisherPackets[2]}; subscribers connected {res.Connected}, below owed {res.SubscribersShort}, fewest received {res.MinReceived}, kernel drops {res.ClientKernelDrops}; whole run: pacer drops {res.PacerDropped}, retransmissions sent {res.RetransmissionsSent}, received {res.RetransmissionsReceived}, subscribers' packets lost {res.PacketsLost}; cores busy (all processes) forwarder's {res.ForwarderCoreBusyPercent:0.0} %, clients' {res.ClientsCoreBusyPercent:0.0} %"));
                    output.Flush();
                }

                // The forwarding cost alone: the publisher's ingest (about 300 packets/s) costs the same at every N, so the
                // difference in CPU between two counts over the difference in packets forwarded is the cost of forwarding.
                for (int i = 1; i < results.Count; i++)
                {
                    RunResult a = results[i - 1], b = results[i];
                    if (b.ForwardedPerSecond > a.ForwardedPerSecond)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"marginal forwarder cost from {a.Subscribers} to {b.Subscribers} subscribers: {(b.ForwarderCpuPercent - a.ForwarderCpuPercent) * 1e4 / (b.ForwardedPerSecond - a.ForwardedPerSecond):0.00} us per forwarded packet{(a.Limit == "shared core" || b.Limit == "shared core" ? " (not meaningful: other processes held the forwarder's core, so its CPU share is not its cost)" : "")}"));
                    }
                }

                if (parse.GetValue(json) is string path)
                {
                    WriteJson(path, choice, s, parse.GetValue(cpu)!, results);
                }

                return 0;
            }
            catch (BenchFailure e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal enum LayerChoice
    {
        Low,
        Mid,
        High,
        Auto,
    }

    /// <summary>What one count measured (the window after the warm-up).</summary>
    internal sealed record RunResult(
        int Subscribers, double SetupSeconds, double Seconds, long Forwarded, long Refused, long Owed, long Received, long[] PublisherPackets, int Connected,
        int SubscribersShort, long MinReceived, double ForwarderCpuPercent, double ClientsCpuPercent, double BytesPerSubscriber, long KernelDrops,
        long PacerDropped, long RetransmissionsSent, long ClientKernelDrops, long RetransmissionsReceived, long PacketsLost, double ForwarderCoreBusyPercent, double ClientsCoreBusyPercent)
    {
        public double ForwardedPerSecond => Seconds > 0 ? Forwarded / Seconds : 0;

        public double DeliveryPercent => Owed > 0 ? 100.0 * Received / Owed : 0;

        public double MicrosecondsPerForwarded => Forwarded > 0 ? ForwarderCpuPercent / 100 * Seconds * 1e6 / Forwarded : 0;

        public bool Sustained => Owed > 0 && Received * 1000 >= Owed * 999 && ForwarderCpuPercent < 100 && Connected == Subscribers;

        /// <summary>Which side held the count back when it was not sustained (a process at 95 % of its core or more).</summary>
        /// A core busy at 95 % or more of which other processes took 10 points or more: "shared core".
        /// Below 95 % of its core a side can still fall behind in bursts (one publisher packet becomes N sends in one
        /// go): datagrams its socket dropped name it ("forwarder rx", "subs rx").
        public string Limit => Sustained ? "-" : ForwarderCpuPercent >= 95 ? "forwarder" : ClientsCpuPercent >= 95 ? "subscribers"
            : (ForwarderCoreBusyPercent >= 95 && ForwarderCoreBusyPercent - ForwarderCpuPercent >= 10) || (ClientsCoreBusyPercent >= 95 && ClientsCoreBusyPercent - ClientsCpuPercent >= 10) ? "shared core" : KernelDrops > 0 ? "forwarder rx"
            : ClientKernelDrops > 0 ? "subs rx" : Connected < Subscribers ? "setup" : "loss";
    }

    internal static bool TryParseLayer(string? text, out LayerChoice layer)
    {
        (bool ok, layer) = text?.ToLowerInvariant() switch
        {
            "low" => (true, LayerChoice.Low),
            "mid" => (true, LayerChoice.Mid),
            "high" => (true, LayerChoice.High),
            "auto" => (true, LayerChoice.Auto),
            _ => (false, LayerChoice.Low),
        };
        return ok;
    }

    private static string Name(LayerChoice c) => c.ToString().ToLowerInvariant();

    /// <summary>
    /// The video target given to every subscriber's forwarder state for a fixed layer: 0 picks the lowest active layer;
    /// 1 Mbit/s covers the 500 kbit/s layer with the forwarder's 20 % up-switch headroom but not the 1.85 Mbit/s one;
    /// 100 Mbit/s covers all. Null (auto): each subscriber's session target, as serve.
    /// </summary>
    private static long? FixedTarget(LayerChoice c) => c switch
    {
        LayerChoice.Low => 0,
        LayerChoice.Mid => 1_000_000,
        LayerChoice.High => 100_000_000,
        _ => null,
    };

    private static void Pin(int? cpu)
    {
        if (cpu is int c && !ProcessPinning.PinAllThreads(c))
        {
            throw new BenchFailure($"could not pin the process to CPU {c} (sched_setaffinity failed)");
        }
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private sealed class BenchFailure(string message) : Exception(message);

    /// <summary>One CPU's time in USER_HZ ticks from /proc/stat (proc(5)): all of it, and the part not idle or waiting for IO.</summary>
    private readonly record struct CoreTimes(long Total, long Busy);

    /// <summary>Every CPU's times (index = CPU number); empty where /proc/stat is not there.</summary>
    private static CoreTimes[] ReadCores()
    {
        if (!File.Exists("/proc/stat"))
        {
            return [];
        }

        var cores = new List<CoreTimes>();
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
            {
                continue;
            }

            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long total = 0, idle = 0;
            for (int i = 1; i < f.Length && i <= 8; i++)
            {
                long v = long.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out long x) ? x : 0;
                total += v;
                idle += i is 4 or 5 ? v : 0; // idle, iowait
            }

            cores.Add(new CoreTimes(total, total - idle));
        }

        return [.. cores];
    }

    /// <summary>How busy <paramref name="cpu"/> was between the two readings (every process on it), in percent; -1 when unknown.</summary>
    private static double BusyPercent(CoreTimes[] before, CoreTimes[] after, int? cpu) =>
        cpu is int c && c < before.Length && c < after.Length && after[c].Total > before[c].Total
            ? 100.0 * (after[c].Busy - before[c].Busy) / (after[c].Total - before[c].Total)
            : -1;

    private static RunResult RunOne(int n, LayerChoice choice, TimeSpan duration, int? forwarderCpu, int? clientsCpu)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(true);
        long workingBefore = Environment.WorkingSet;
        var setup = Stopwatch.StartNew();
        using var certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        UdpEventLoop? loop = UdpEventLoop.IsSupported ? new UdpEventLoop() : null;
        var host = new UdpSessionHost(new UdpSessionHostOptions
        {
            BindAddress = IPAddress.Loopback,
            IncludeLoopback = true,
            SharedSocket = true,
            EventLoop = loop,
            ReceiveBufferSize = 32 * 1024 * 1024,
            SendBufferSize = 32 * 1024 * 1024,
        });

        // As serve's rooms: the publisher's session hands over whole RTP packets; the viewers' sessions are plain. With
        // a fixed layer, the viewers' GCC starts at 3 Mbit/s without probing (as the forwarding tests' SFU side): from
        // serve's 300 kbit/s it needs many seconds to reach the 1.85 Mbit/s layer, and meanwhile its pacer would hold
        // what the forwarder sent (a first --layer high run: 8 % of the window's packets still queued at its end).
        WebRtcSessionOptions Options(bool publisher) => new()
        {
            Transport = new WebRtcTransportOptions { Certificate = certificate },
            SharedRetransmissionBudget = host.RetransmissionBudget,
            WallClockAtZero = host.WallClockAtZero,
            ReceiveRtpPackets = publisher,
            Gcc = publisher || choice == LayerChoice.Auto ? new GccOptions() : new GccOptions { StartBitrateBps = 3_000_000, InitialProbing = false, AlrProbing = false },
        };

        var roomHandler = new WebRtcWhipHandler(host, kind => Options(kind == WhipResourceKind.Whip)) { ConnectTimeout = TimeSpan.FromSeconds(300) };
        var unused = new WebRtcWhipHandler(host, _ => Options(false));
        var rooms = new ServeRooms(new SessionWhipHandlerGroup<WebRtcSession>([unused]), new SessionWhipHandlerGroup<WebRtcSession>([roomHandler]), NullLogger.Instance);
        using Process child = StartClients(n, choice, clientsCpu);
        var stderrTail = new StringBuilder();
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderrTail)
                {
                    stderrTail.AppendLine(e.Data);
                }
            }
        };
        child.BeginErrorReadLine();
        try
        {
            // Signalling: the publisher's offer, then each subscriber's, each answered before the next is sent.
            ServeRoom? room = null;
            for (int i = 0; i <= n; i++)
            {
                string line = Expect(child, i == 0 ? "publisher" : "subscriber", SignallingTimeout);
                string offer = Decode(line);
                WhipCreateResult created = rooms.CreateInRoomAsync(i == 0 ? WhipResourceKind.Whip : WhipResourceKind.Whep, RoomName, offer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (created.AnswerSdp is null)
                {
                    throw new BenchFailure($"the room refused offer {i}: {created.ErrorStatus} {created.ErrorMessage}");
                }

                if (i == 0)
                {
                    room = rooms.Rooms.Single();
                    room.FixedVideoTargetBps = FixedTarget(choice);
                }

                Send(child, "answer " + Convert.ToBase64String(Encoding.UTF8.GetBytes(created.AnswerSdp)));
            }

            _ = Expect(child, "connected", TimeSpan.FromSeconds(300));
            setup.Stop();
            int connected = 0;
            foreach (ServeRoom.Member v in room!.Viewers)
            {
                connected += v.Connected ? 1 : 0;
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            double bytesPerSubscriber = Math.Max(GC.GetTotalMemory(true) - managedBefore, Environment.WorkingSet - workingBefore) / (double)n;

            // Media: a warm-up (layers chosen, key frames asked for, the JIT settled), then the clients pause, let the
            // packets in flight land, and both sides count from there.
            Send(child, "start");
            _ = Expect(child, "paused", WarmUp + SignallingTimeout);
            WaitStable(() => Forwarded(room).Forwarded);
            (long forwarded0, long refused0) = Forwarded(room);
            long drops0 = host.ReadSocketStatistics().KernelDrops;
            TimeSpan cpu0 = Cpu();
            CoreTimes[] cores0 = ReadCores();
            var wall = Stopwatch.StartNew();
            Send(child, "go");
            Thread.Sleep(duration);
            Send(child, "stop");
            _ = Expect(child, "stopped", SignallingTimeout);
            wall.Stop();
            TimeSpan cpu = Cpu() - cpu0;
            CoreTimes[] cores1 = ReadCores();
            WaitStable(() => Forwarded(room).Forwarded);
            (long forwarded1, long refused1) = Forwarded(room);
            long drops = host.ReadSocketStatistics().KernelDrops - drops0;
            (long pacerDropped, long rtxSent) = ViewerCounters(room);
            Send(child, "report");
            ClientsResult c = ParseResult(Expect(child, "result", SignallingTimeout));
            Send(child, "quit");
            if (!child.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                throw new BenchFailure("the clients' process did not exit after the run");
            }

            long forwarded = forwarded1 - forwarded0, refused = refused1 - refused0;
            // Owed: what the forwarder sent or refused to send, and at least what the publisher sent of the layer
            // times the subscribers (a fixed layer), so a packet lost before the forwarder counts as not delivered.
            long owed = forwarded + refused;
            if (FixedTarget(choice) is not null)
            {
                owed = Math.Max(owed, c.PublisherPackets[(int)choice] * n);
            }

            return new RunResult(n, setup.Elapsed.TotalSeconds, wall.Elapsed.TotalSeconds, forwarded, refused, owed, c.Received, c.PublisherPackets, Math.Min(connected, c.Connected),
                c.SubscribersShort, c.MinReceived, 100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds, 100 * c.CpuSeconds / c.Seconds, bytesPerSubscriber, drops,
                pacerDropped, rtxSent, c.KernelDrops, c.Retransmitted, c.Lost, BusyPercent(cores0, cores1, forwarderCpu), BusyPercent(cores0, cores1, clientsCpu));
        }
        catch (BenchFailure)
        {
            Kill(child);
            lock (stderrTail)
            {
                if (stderrTail.Length > 0)
                {
                    Console.Error.WriteLine("clients' standard error:");
                    Console.Error.Write(stderrTail.ToString());
                }
            }

            throw;
        }
        finally
        {
            Kill(child);
            host.Dispose();
            loop?.Dispose();
        }
    }

    /// <summary>
    /// Waits until <paramref name="read"/> has not changed for 300 ms (at most 10 s): the backlog of a busy process
    /// drained (a first run at 1,000 subscribers, counted after a fixed 500 ms, was 0.9 % short with no packet lost).
    /// </summary>
    internal static void WaitStable(Func<long> read)
    {
        var limit = Stopwatch.StartNew();
        long last = read();
        int quiet = 0;
        while (quiet < 3 && limit.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(100);
            long now = read();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>Every viewer's video packets sent and refused so far (read while the publisher is paused).</summary>
    private static (long Forwarded, long Refused) Forwarded(ServeRoom room)
    {
        long f = 0, r = 0;
        foreach (ServeRoom.Member v in room.Viewers)
        {
            f += v.VideoPacketsSent;
            r += v.PacketsRefused;
        }

        return (f, r);
    }

    /// <summary>Over the whole run, every viewer session's packets its pacer dropped and its NACK retransmissions (webrtc-stats).</summary>
    private static (long PacerDropped, long Retransmitted) ViewerCounters(ServeRoom room)
    {
        long dropped = 0, rtx = 0;
        foreach (ServeRoom.Member v in room.Viewers)
        {
            (long d, long r) = v.Resource.Handle.Invoke(now =>
            {
                long sent = 0;
                foreach (RtcOutboundRtpStreamStats o in v.Resource.Session.GetStats(now).All<RtcOutboundRtpStreamStats>())
                {
                    sent += o.RetransmittedPacketsSent;
                }

                return (v.Resource.Session.PacingCounters.PacketsDropped, sent);
            });
            dropped += d;
            rtx += r;
        }

        return (dropped, rtx);
    }

    private static void Kill(Process child)
    {
        try
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>Starts this program again as the clients: the apphost, or <c>dotnet rtcstack.dll</c> when run through the host.</summary>
    private static Process StartClients(int n, LayerChoice choice, int? cpu)
    {
        return BenchChildProcess.StartSelf(new[] { "bench", "forward", "--role", "clients", "--count", n.ToString(CultureInfo.InvariantCulture), "--layer", Name(choice), "--cpu", cpu is int c ? $"{c},{c}" : "none" }, "the clients", message => new BenchFailure(message));
    }

    private static void Send(Process child, string line)
    {
        child.StandardInput.WriteLine(line);
        child.StandardInput.Flush();
    }

    /// <summary>Reads the child's next line, which must start with <paramref name="word"/>; returns what follows it.</summary>
    private static string Expect(Process child, string word, TimeSpan limit) => ExpectLine(child.StandardOutput, word, limit, "the clients");

    private static string ExpectLine(TextReader reader, string word, TimeSpan limit, string from)
    {
        Task<string?> read = reader.ReadLineAsync();
        if (!read.Wait(limit))
        {
            throw new BenchFailure($"timed out waiting for '{word}' from {from}");
        }

        string? line = read.Result;
        if (line is null || !(line == word || line.StartsWith(word + " ", StringComparison.Ordinal)))
        {
            throw new BenchFailure($"{from} sent '{(line is null ? "(end of stream)" : line.Length > 200 ? line[..200] + "..." : line)}' instead of '{word}'");
        }

        return line.Length > word.Length ? line[(word.Length + 1)..] : "";
    }

    private static string Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new BenchFailure("the signalling line is not base64");
        }
    }

    /// <summary>What the clients' process measured over the window.</summary>
    internal sealed record ClientsResult(long Received, long MinReceived, int SubscribersShort, int Connected, long[] PublisherPackets, double Seconds, double CpuSeconds, long KernelDrops, long Retransmitted, long Lost);

    private static ClientsResult ParseResult(string json)
    {
        try
        {
            using JsonDocument d = JsonDocument.Parse(json);
            JsonElement r = d.RootElement;
            long[] pub = [.. r.GetProperty("publisherPackets").EnumerateArray().Select(e => e.GetInt64())];
            if (pub.Length != 3)
            {
                throw new BenchFailure("the clients' result has no packet count for each of the three layers");
            }

            return new ClientsResult(r.GetProperty("received").GetInt64(), r.GetProperty("minReceived").GetInt64(), r.GetProperty("subscribersShort").GetInt32(),
                r.GetProperty("connected").GetInt32(), pub, r.GetProperty("seconds").GetDouble(), r.GetProperty("cpuSeconds").GetDouble(),
                r.GetProperty("kernelDrops").GetInt64(), r.GetProperty("retransmittedReceived").GetInt64(), r.GetProperty("packetsLost").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BenchFailure($"the clients' result is not valid: {e.Message}");
        }
    }

    private static void WriteJson(string path, LayerChoice choice, int seconds, string cpus, List<RunResult> results)
    {
        using FileStream f = File.Create(path);
        using var w = new Utf8JsonWriter(f, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("benchmark", "forward");
        w.WriteString("layer", Name(choice));
        w.WriteNumber("seconds", seconds);
        w.WriteString("cpus", cpus);
        w.WriteBoolean("eventLoop", UdpEventLoop.IsSupported);
        w.WriteStartArray("runs");
        foreach (RunResult r in results)
        {
            w.WriteStartObject();
            w.WriteNumber("subscribers", r.Subscribers);
            w.WriteNumber("setupSeconds", r.SetupSeconds);
            w.WriteNumber("seconds", r.Seconds);
            w.WriteNumber("forwarded", r.Forwarded);
            w.WriteNumber("refused", r.Refused);
            w.WriteNumber("owed", r.Owed);
            w.WriteNumber("received", r.Received);
            w.WriteNumber("deliveryPercent", r.DeliveryPercent);
            w.WriteNumber("forwardedPerSecond", r.ForwardedPerSecond);
            w.WriteNumber("forwarderCpuPercent", r.ForwarderCpuPercent);
            w.WriteNumber("subscribersCpuPercent", r.ClientsCpuPercent);
            w.WriteNumber("microsecondsPerForwardedPacket", r.MicrosecondsPerForwarded);
            w.WriteNumber("bytesPerSubscriber", r.BytesPerSubscriber);
            w.WriteNumber("kernelDrops", r.KernelDrops);
            w.WriteNumber("subscribersKernelDrops", r.ClientKernelDrops);
            w.WriteNumber("pacerDropped", r.PacerDropped);
            w.WriteNumber("retransmissionsSent", r.RetransmissionsSent);
            w.WriteNumber("retransmissionsReceived", r.RetransmissionsReceived);
            w.WriteNumber("subscribersPacketsLost", r.PacketsLost);
            w.WriteNumber("forwarderCoreBusyPercent", r.ForwarderCoreBusyPercent);
            w.WriteNumber("subscribersCoreBusyPercent", r.ClientsCoreBusyPercent);
            w.WriteNumber("connected", r.Connected);
            w.WriteNumber("subscribersShort", r.SubscribersShort);
            w.WriteNumber("minReceived", r.MinReceived);
            w.WriteStartArray("publisherPackets");
            foreach (long p in r.PublisherPackets)
            {
                w.WriteNumberValue(p);
            }

            w.WriteEndArray();
            w.WriteBoolean("sustained", r.Sustained);
            w.WriteString("limit", r.Limit);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
