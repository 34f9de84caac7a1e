using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.Dtls;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench sessions</c>: the session load test. N RtcStack sessions (<see cref="WebRtcSession"/>, session core
/// v2, one audio transceiver each) on one endpoint (one shared
/// UDP socket) talk to N sessions on another (a socket each) over loopback, both in this process, every
/// session sending a 20 ms Opus packet every 20 ms (50 packets/s, SRTP) and receiving as many. Reports,
/// per N, the CPU used (of one core when pinned), whether every packet sent arrived, and memory per session.
/// </summary>
internal static class BenchSessionsCommand
{
    public static Command Create()
    {
        var counts = new Option<string>("--count") { Description = "Session pairs to try, comma-separated (each run sets up N pairs, then sends).", DefaultValueFactory = _ => "250,500,1000,2000" };
        var seconds = new Option<int>("--seconds") { Description = "How long each run sends media.", DefaultValueFactory = _ => 10 };
        var allCores = new Option<bool>("--all-cores") { Description = "Do not pin the process to one CPU (by default it runs on CPU 0 only)." };
        var nullEndpoints = new Option<bool>("--null-endpoints") { Description = "Control run: replace the sessions by endpoints that do no protocol work and send datagrams of the same size, to measure the UDP host and the kernel alone." };
        var noWarmUpRun = new Option<bool>("--no-warm-up-run") { Description = "Skip the unreported 100-pair run that first brings the JIT to its optimized code (without it the first count of a process runs while code is still being compiled)." };
        var overload = new Option<int>("--overload") { Description = "Overload run: N is the sustainable pair count; offer 1.5 N pairs while media flows, admitting each only if both hosts' UdpSessionHost.TryAdmit agrees (event-loop load, limit --max-load), and report the refused and the admitted pairs' delivery. Implies --event-loop." };
        var maxLoad = new Option<double>("--max-load") { Description = "Admission limit for --overload (UdpSessionHostOptions.MaxLoad).", DefaultValueFactory = _ => 0.8 };
        var loopCount = new Option<int>("--loops") { Description = "With --event-loop: how many loops (one thread each), each with its own pair of hosts, the pairs spread over them; combine with --all-cores to measure how sessions scale over cores.", DefaultValueFactory = _ => 1 };
        var pinLoops = new Option<bool>("--pin-loops") { Description = "With --event-loop and --all-cores: pin loop k's thread to CPU k (modulo the CPU count), one loop per core, instead of letting the OS move the loop threads." };
        var eventLoop = new Option<bool>("--event-loop") { Description = "Run both hosts and the 20 ms media clock on one UdpEventLoop thread (Linux x64) instead of the hosts' own receive, socket-engine and timer threads and a sender thread." };
        var command = new Command("sessions",
            "Load test: N session pairs over loopback UDP in this process (one endpoint on a shared socket, the other a socket per session), each session sending 50 Opus packets/s with SRTP and receiving as many. " +
            "A run is sustained when the sender kept its 20 ms schedule (at least 99 % of the packets it owed were sent), every packet sent was received (none lost inside the stack or the kernel) and the process used less than one core.")
        {
            counts, seconds, allCores, nullEndpoints, eventLoop, noWarmUpRun, overload, maxLoad, loopCount, pinLoops,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var list = new List<int>();
            foreach (string part in (parse.GetValue(counts) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                {
                    error.WriteLine($"error: --count '{part}' is not a positive number");
                    return 2;
                }

                list.Add(n);
            }

            bool loop = parse.GetValue(eventLoop);
            if (loop && !UdpEventLoop.IsSupported)
            {
                error.WriteLine("error: --event-loop needs Linux on x64 (epoll); run without it");
                return 2;
            }

            if (!parse.GetValue(allCores) && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
            {
                // "One core": the whole process (every thread, not only the main one), both endpoints, the OS's UDP
                // work done in our threads' context. Until 2026-12-07 this set Process.ProcessorAffinity, which on
                // Linux pins the main thread only.
                if (!ProcessPinning.PinAllThreads(0))
                {
                    error.WriteLine("error: could not pin the process to CPU 0 (sched_setaffinity failed); use --all-cores");
                    return 1;
                }
            }

            if (parse.GetValue(overload) is int sustainable and > 0)
            {
                if (!UdpEventLoop.IsSupported)
                {
                    error.WriteLine("error: --overload needs the event loop (Linux on x64)");
                    return 2;
                }

                if (!parse.GetValue(noWarmUpRun))
                {
                    _ = RunOne(Math.Min(100, sustainable), TimeSpan.FromSeconds(2), nullEndpoints: false, eventLoop: true, loopCount: 1);
                }

                OverloadResult o = RunOverload((int)Math.Round(1.5 * sustainable), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(maxLoad));
                output.WriteLine($"{"offered",7} {"admitted",8} {"refused",7} {"sent",10} {"received",10} {"delivery %",10} {"cpu %",6} {"load",5} {"rtx",6} {"rtx dropped",11} {"kernel drops",12}");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{o.Offered,7} {o.Admitted,8} {o.Refused,7} {o.Sent,10} {o.Received,10} {100.0 * o.Received / Math.Max(1, o.Sent),10:0.000} {o.CpuPercent,6:0.0} {o.Load,5:0.00} {o.Retransmitted,6} {o.RetransmissionsDropped,11} {o.KernelDrops,12}"));
                output.WriteLine($"last refusal: {o.LastRefusal ?? "(none)"}");
                return 0;
            }

            output.WriteLine($"{"pairs",6} {"sessions",8} {"setup s",8} {"sent",10} {"owed",10} {"received",10} {"lost",6} {"cpu %",6} {"us/packet",9} {"dgrams/s",9} {"us/dgram",8} {"MB/session",10} {"rtx",6} {"sustained",9}");
            if (!parse.GetValue(noWarmUpRun))
            {
                // Unreported: at a load far below the edge, so that tiered compilation has produced optimized code
                // before the first measured count (at the edge, a first run's compile pauses caused losses and a
                // NACK-retransmission cascade that the measured window then inherited).
                _ = RunOne(Math.Min(100, list.Min()), TimeSpan.FromSeconds(2), parse.GetValue(nullEndpoints), loop, loop ? parse.GetValue(loopCount) : 1, parse.GetValue(pinLoops) && parse.GetValue(allCores));
            }

            foreach (int n in list)
            {
                Result r = RunOne(n, TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(nullEndpoints), loop, loop ? parse.GetValue(loopCount) : 1, parse.GetValue(pinLoops) && parse.GetValue(allCores));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{n,6} {2 * n,8} {r.Setup.TotalSeconds,8:0.0} {r.Sent,10} {r.Owed,10} {r.Received,10} {r.Sent - r.Received,6} {r.CpuPercent,6:0.0} {r.CpuMicrosecondsPerPacket,9:0.00} {r.DatagramsPerSecond,9:0} {r.CpuMicrosecondsPerDatagram,8:0.00} {r.BytesPerSession / 1048576.0,10:0.000} {r.Retransmitted,6} {(r.Sustained ? "yes" : "no"),9}"));
                output.Flush();
            }

            return 0;
        });
        return command;
    }

    // CpuMicrosecondsPerPacket: CPU time of the measured interval per media packet sent (its sending, its receiving, and a share of RTCP and timers).
    // DatagramsPerSecond: every datagram both hosts sent (media, RTCP, TWCC feedback, STUN), per second; CpuMicrosecondsPerDatagram: CPU time per such datagram (sent and received).
    private sealed record Result(TimeSpan Setup, long Sent, long Owed, long Received, double CpuPercent, double CpuMicrosecondsPerPacket, double DatagramsPerSecond, double CpuMicrosecondsPerDatagram, double BytesPerSession, long Retransmitted, bool Sustained);

    /// <summary>One endpoint of a pair: a session (<see cref="BenchSession"/>) or, in the control run, a <see cref="BenchNullEndpoint"/>.</summary>
    private sealed class Side
    {
        public BenchSession? Session { get; init; }

        public required UdpSessionHandle Handle { get; init; }

        public Func<TimeSpan, bool>? NullSend { get; init; }

        public bool IsConnected => Session?.IsConnected ?? true;

        /// <summary>Sends one packet (cached delegates: nothing is allocated per packet).</summary>
        public bool SendOne(uint timestamp) => Session is BenchSession s ? s.SendOne(timestamp) : Handle.Invoke(NullSend!);
    }

    private static Result RunOne(int pairs, TimeSpan duration, bool nullEndpoints, bool eventLoop, int loopCount, bool pinLoops = false)
    {
        using var certA = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        using var certB = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        long received = 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(true);
        long workingBefore = Environment.WorkingSet;
        var setup = Stopwatch.StartNew();
        // One set of (loop, shared-socket host, socket-per-session host) per loop; pair i lives in set i % sets.
        int sets = eventLoop ? Math.Max(1, loopCount) : 1;
        var loops = new UdpEventLoop?[sets];
        var hostsA = new UdpSessionHost[sets];
        var hostsB = new UdpSessionHost[sets];
        for (int k = 0; k < sets; k++)
        {
            loops[k] = eventLoop ? new UdpEventLoop(pinLoops ? k % Environment.ProcessorCount : -1) : null;
            hostsA[k] = new UdpSessionHost(new UdpSessionHostOptions { SharedSocket = true, ReceiveBufferSize = 32 * 1024 * 1024, EventLoop = loops[k] });
            hostsB[k] = new UdpSessionHost(new UdpSessionHostOptions { ReceiveBufferSize = 256 * 1024, EventLoop = loops[k] });
        }

        using var cleanup = new SetsDisposer(loops, hostsA, hostsB);
        UdpEventLoop? loop = loops[0];
        var a = new Side[pairs];
        var b = new Side[pairs];
        Side MakeNull(UdpSessionHost host, string ufrag)
        {
            // 124 bytes: what a session sends (12-byte RTP header, 16 bytes of header extensions, 80-byte payload, 16-byte GCM tag).
            var e = new BenchNullEndpoint(ufrag, 124, () => Interlocked.Increment(ref received));
            UdpSessionHandle handle = host.Add(e);
            e.Local = handle.LocalAddress;
            handle.Tag = e;
            return new Side { Handle = handle, NullSend = _ => e.Queue() };
        }

        // Session core v2: a WebRtcSession with one audio transceiver, counting every packet it receives.
        Side Make(UdpSessionHost host, DtlsCertificate cert)
        {
            var s = new BenchSession(host, cert, onReceived: () => Interlocked.Increment(ref received));
            return new Side { Session = s, Handle = s.Handle };
        }

        const int batch = 50;
        for (int start = 0; start < pairs; start += batch)
        {
            int end = Math.Min(pairs, start + batch);
            for (int i = start; i < end && nullEndpoints; i++)
            {
                a[i] = MakeNull(hostsA[i % sets], "a" + i.ToString(CultureInfo.InvariantCulture));
                b[i] = MakeNull(hostsB[i % sets], "b" + i.ToString(CultureInfo.InvariantCulture));
                ((BenchNullEndpoint)a[i].Handle.Tag!).Peer = b[i].Handle.LocalAddress;
                ((BenchNullEndpoint)b[i].Handle.Tag!).Peer = a[i].Handle.LocalAddress;
            }

            for (int i = start; i < end && !nullEndpoints; i++)
            {
                a[i] = Make(hostsA[i % sets], certA);
                b[i] = Make(hostsB[i % sets], certB);
                BenchSession.Negotiate(b[i].Session!, a[i].Session!);
            }

            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                bool all = true;
                for (int i = start; i < end && all; i++)
                {
                    all = a[i].IsConnected && b[i].IsConnected;
                }

                if (all)
                {
                    break;
                }

                Thread.Sleep(5);
            }
        }

        setup.Stop();
        int connected = 0;
        for (int i = 0; i < pairs; i++)
        {
            connected += (a[i].IsConnected ? 1 : 0) + (b[i].IsConnected ? 1 : 0);
        }

        if (connected != 2 * pairs)
        {
            Console.Error.WriteLine($"warning: only {connected} of {2 * pairs} sessions connected");
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managedAfter = GC.GetTotalMemory(true);
        long workingAfter = Environment.WorkingSet;
        double bytesPerSession = Math.Max(managedAfter - managedBefore, workingAfter - workingBefore) / (2.0 * pairs);

        // Media: every 20 ms, one packet per session, both ways. The first 3 s warm up (the JIT's tiered
        // compilation settles) and are not counted; after them the counters restart.
        long sent = 0, owed = 0;
        uint[] timestamps = new uint[sets];
        TimeSpan warmUp = TimeSpan.FromSeconds(3);
        long receivedAtStart = 0;
        long datagramsAtStart = 0;
        long sentAtStart = 0;
        TimeSpan cpuStart = TimeSpan.Zero;
        var measure = new Stopwatch();

        // One round of one set: every session of it sends its packet (cached delegates: nothing is allocated per packet).
        void SendRound(int set)
        {
            uint timestamp = timestamps[set];
            for (int i = set; i < pairs; i += sets)
            {
                if (a[i].SendOne(timestamp))
                {
                    Interlocked.Increment(ref sent);
                }

                if (b[i].SendOne(timestamp))
                {
                    Interlocked.Increment(ref sent);
                }
            }

            timestamps[set] += 960;
        }

        void StartMeasuring()
        {
            receivedAtStart = Interlocked.Read(ref received);
            datagramsAtStart = hostsA.Sum(h => h.DatagramsSent) + hostsB.Sum(h => h.DatagramsSent);
            sentAtStart = Interlocked.Read(ref sent);
            cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            measure.Start();
        }

        if (loop is not null)
        {
            // The media clock runs on each loop for its set: a round, then the next one 20 ms after the previous due
            // time. A clock generation that no longer matches stops (the pause before measuring, the end).
            int generation = 0;
            void Tick(int set, int gen, TimeSpan due)
            {
                if (Volatile.Read(ref generation) != gen)
                {
                    return;
                }

                SendRound(set);
                TimeSpan next = due + TimeSpan.FromMilliseconds(20);
                loops[set]!.PostAt(next, () => Tick(set, gen, next));
            }

            void StopClock()
            {
                Interlocked.Increment(ref generation);

                // Rounds run on the loops: once this posted step has run on each, none is in progress and none follows.
                foreach (UdpEventLoop? l in loops)
                {
                    using var stopped = new ManualResetEventSlim();
                    l!.Post(stopped.Set);
                    stopped.Wait();
                }
            }

            void StartClock()
            {
                int gen = Volatile.Read(ref generation);
                for (int k = 0; k < sets; k++)
                {
                    int set = k;
                    loops[set]!.Post(() => Tick(set, gen, loops[set]!.Now));
                }
            }

            StartClock();
            Thread.Sleep(warmUp);

            // As without the loop: let the warm-up's packets land, then count from a clean state.
            StopClock();
            Thread.Sleep(200);
            StartMeasuring();
            StartClock();
            Thread.Sleep(duration);
            measure.Stop();
            StopClock();
        }
        else
        {
            var clock = Stopwatch.StartNew();
            bool measuring = false;
            TimeSpan next = TimeSpan.Zero;
            while (measure.Elapsed < duration)
            {
                if (!measuring && clock.Elapsed >= warmUp)
                {
                    // Let the warm-up's packets land, then start counting from a clean state.
                    Thread.Sleep(200);
                    measuring = true;
                    StartMeasuring();
                    next = clock.Elapsed;
                }

                SendRound(0);
                next += TimeSpan.FromMilliseconds(20);
                TimeSpan wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }
            }

            measure.Stop();
        }

        long sentInWindow = Interlocked.Read(ref sent) - sentAtStart;
        TimeSpan wall = measure.Elapsed;
        // What a sender keeping a 20 ms schedule would have sent in that time.
        owed = 2L * pairs * (long)Math.Ceiling(wall.TotalMilliseconds / 20);
        sent = sentInWindow;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        long datagrams = hostsA.Sum(h => h.DatagramsSent) + hostsB.Sum(h => h.DatagramsSent) - datagramsAtStart;
        // Let the last packets arrive.
        Thread.Sleep(1000);
        long got = Interlocked.Read(ref received) - receivedAtStart;
        double cpuPercent = 100 * cpu.TotalSeconds / wall.TotalSeconds;
        bool sustained = sent >= owed * 0.99 && got == sent && cpuPercent < 100 * sets && hostsA.Sum(h => h.SendErrors) + hostsB.Sum(h => h.SendErrors) == 0;
        // NACK retransmissions received over the whole run (warm-up included): a packet the kernel dropped and
        // the sender repaired, or one retransmitted though only late, is counted here.
        long retransmitted = 0;
        for (int i = 0; i < pairs; i++)
        {
            foreach (Side side in new[] { a[i], b[i] })
            {
                if (side.Session is BenchSession bs)
                {
                    retransmitted += bs.Counts().RetransmittedReceived;
                }
            }
        }

        // Out of the hosts first: a datagram still in flight must not reach a disposed session.
        for (int i = 0; i < pairs; i++)
        {
            foreach (Side side in new[] { a[i], b[i] })
            {
                side.Session?.Remove();
            }
        }

        return new Result(setup.Elapsed, sent, owed, got, cpuPercent, sent == 0 ? 0 : cpu.TotalMicroseconds / sent,
            datagrams / wall.TotalSeconds, datagrams == 0 ? 0 : cpu.TotalMicroseconds / datagrams, bytesPerSession, retransmitted, sustained);
    }

    private sealed record OverloadResult(int Offered, int Admitted, int Refused, long Sent, long Received, double CpuPercent, double Load, long Retransmitted, long RetransmissionsDropped, long KernelDrops, string? LastRefusal);

    /// <summary>
    /// Offers <paramref name="offered"/> pairs, 25 every half second, while the pairs already connected send media on
    /// the loop's 20 ms clock; a pair is set up only if both hosts admit it. After the last offer, measures CPU and
    /// load for <paramref name="duration"/> with every admitted pair talking, then counts delivery over the whole run.
    /// </summary>
    private static OverloadResult RunOverload(int offered, TimeSpan duration, double maxLoad)
    {
        using var harness = new BenchHarness(maxLoad);
        var admitted = new List<BenchHarness.BenchPair>();
        int refused = 0;
        for (int start = 0; start < offered; start += 25)
        {
            int batch = 0;
            for (int i = start; i < Math.Min(offered, start + 25); i++)
            {
                if (harness.HostA.TryAdmit(out _) && harness.HostB.TryAdmit(out _))
                {
                    batch++;
                }
                else
                {
                    refused++;
                }
            }

            if (batch > 0)
            {
                admitted.AddRange(harness.Connect(batch));
                harness.StartMedia(admitted);
            }

            Thread.Sleep(500);
        }

        // Let the last admitted pairs settle, then measure CPU and load with every admitted pair sending.
        Thread.Sleep(3000);
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        Thread.Sleep(duration);
        double load = harness.HostA.Load;
        harness.StopMedia();
        wall.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        Thread.Sleep(1000);

        // Delivery over the whole run, the overload while pairs were offered included: every packet an admitted
        // session sent against every one its peer's RTP statistics received (a retransmission that arrived after
        // its original counts too, so the retransmitted column is printed beside it).
        long sent = 0, received = 0, retransmitted = 0, dropped = 0;
        foreach (BenchHarness.BenchPair p in admitted)
        {
            BenchHarness.PairCounts c = p.Counts();
            sent += c.Sent;
            received += c.Received;
            retransmitted += c.RetransmittedReceived;
            dropped += c.RetransmissionsDropped;
        }

        long kernelDrops = harness.HostA.ReadSocketStatistics().KernelDrops + harness.HostB.ReadSocketStatistics().KernelDrops;
        string? lastRefusal = harness.HostA.LastRefusal ?? harness.HostB.LastRefusal;
        foreach (BenchHarness.BenchPair p in admitted)
        {
            p.Close();
        }

        return new OverloadResult(offered, admitted.Count, refused, sent, received, 100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds, load, retransmitted, dropped, kernelDrops, lastRefusal);
    }

    /// <summary>Disposes every set's hosts, then their loops, in that order.</summary>
    private sealed class SetsDisposer(UdpEventLoop?[] loops, UdpSessionHost[] hostsA, UdpSessionHost[] hostsB) : IDisposable
    {
        public void Dispose()
        {
            foreach (UdpSessionHost h in hostsA.Concat(hostsB))
            {
                h.Dispose();
            }

            foreach (UdpEventLoop? l in loops)
            {
                l?.Dispose();
            }
        }
    }
}
