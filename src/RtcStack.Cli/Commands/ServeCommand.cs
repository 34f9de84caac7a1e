using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using RtcStack.Cli.Serve;
using RtcStack.Ice;
using RtcStack.Opus;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Commands;

/// <summary><c>rtcstack serve</c>: a WebRTC loopback-call server (page + WHIP/WHEP + status) on RtcStack sessions.</summary>
internal static class ServeCommand
{
    /// <summary>Exit code for a bad option value.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code when the server could not start (port taken, libopus missing...).</summary>
    public const int ExitStartFailed = 3;

    public static Command Create()
    {
        var address = new Option<string>("--address") { Description = "Address to listen on, for HTTP and UDP: a concrete address is also the one ICE host candidate; 0.0.0.0 or :: listens on every interface and gathers a host candidate on each of its addresses, IPv4 and IPv6 (so a phone on the same network can call).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "HTTP port of the page, WHIP (/whip), WHEP (/whep) and status (/status).", DefaultValueFactory = _ => 8080 };
        var udpMin = new Option<int>("--udp-port-min") { Description = "First UDP port for media (one per call); 0 lets the OS pick.", DefaultValueFactory = _ => 0 };
        var udpMax = new Option<int>("--udp-port-max") { Description = "Last UDP port for media (inclusive).", DefaultValueFactory = _ => 0 };
        var shared = new Option<bool>("--shared-socket") { Description = "Carry every call on one UDP socket (--udp-port-min, or any port), demultiplexed by ICE username fragment." };
        var token = new Option<string?>("--token") { Description = "Require 'Authorization: Bearer TOKEN' on WHIP/WHEP requests (RFC 9725, bearer token authentication; RFC 6750); the page reads it from ?token=." };
        var mode = new Option<string>("--mode") { Description = "What the server sends back: echo (what it receives, a loopback call) or tone (a sine, see --tone-hz). WHEP viewers always get the tone.", DefaultValueFactory = _ => "echo" };
        mode.AcceptOnlyFromAmong("echo", "tone");
        var toneHz = new Option<double>("--tone-hz") { Description = "Frequency of the tone in Hz.", DefaultValueFactory = _ => 440 };
        var record = new Option<DirectoryInfo?>("--record") { Description = "Write each received stream to DIR as an Ogg Opus file (RFC 7845), named by time, call and SSRC. DIR must be writable at start-up; a write error during a call stops that call's recording (logged, and shown in /status) and the call goes on.", HelpName = "DIR" };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds a call may take from its offer to connected (ICE and DTLS); one that has not connected by then is closed and its port freed. Failed calls and calls their peer closes are removed at once.", DefaultValueFactory = _ => 30, HelpName = "SECONDS" };
        var history = new Option<int>("--history") { Description = "How many finished calls /status lists (a short summary each).", DefaultValueFactory = _ => 100 };
        var corsOrigin = new Option<string[]>("--cors-origin") { Description = "An origin whose pages may call /whip and /whep (CORS), e.g. https://app.example (repeatable; '*' allows any). None by default: the server's own page needs none.", HelpName = "ORIGIN" };
        var maxBody = new Option<int>("--max-body") { Description = "Largest WHIP/WHEP request body (offer or PATCH) in bytes; larger ones get 413.", DefaultValueFactory = _ => 64 * 1024, HelpName = "BYTES" };
        var rateLimit = new Option<double>("--rate-limit") { Description = "Calls per second one client address may start after its burst (--rate-burst); faster POSTs get 429 with Retry-After. 0: no limit.", DefaultValueFactory = _ => 10, HelpName = "PER-SECOND" };
        var rateBurst = new Option<int>("--rate-burst") { Description = "Calls one client address may start at once.", DefaultValueFactory = _ => 20 };
        var loops = new Option<int>("--loops") { Description = "UDP event loops (one thread each, epoll; Linux x64) carrying the calls, spread over them: one per core by default. 0 uses the runtime's threads instead. A shared socket (--shared-socket) uses one loop.", DefaultValueFactory = _ => ServeOptions.DefaultLoops, HelpName = "N" };
        var maxLoad = new Option<double>("--max-load") { Description = "A host's load (its event loop's busy share over the last second, or the process's CPU without loops) past which new calls get 503 with Retry-After; shown with the reason in /status.", DefaultValueFactory = _ => 0.8, HelpName = "0-1" };
        var dtls = new Option<string>("--dtls") { Description = "DTLS version of every call: auto (DTLS 1.3, RFC 9147, with 1.2 for peers that lack it, as browsers do), 1.2 (DTLS 1.2 only, RFC 6347) or 1.3 (DTLS 1.3 only: a 1.2-only peer is refused with a protocol_version alert and its call fails).", DefaultValueFactory = _ => "auto", HelpName = "auto|1.2|1.3" };
        dtls.AcceptOnlyFromAmong("auto", "1.2", "1.3");
        var maxCalls = new Option<int?>("--max-calls") { Description = "Most calls at once; more get 503 with Retry-After. Default: what the open-file limit (ulimit -n) leaves after 1,024 descriptors for the server itself, at one socket (and with --record one file) per call.", HelpName = "N" };

        var command = new Command("serve",
            "Serve a WebRTC loopback call: open http://127.0.0.1:8080, press Start, and your microphone goes to an RtcStack WebRtcSession (ICE, DTLS-SRTP, Opus, and the camera with ?camera=1) that echoes it back. " +
            "WHIP (RFC 9725) at /whip, WHEP at /whep, live JSON status at /status (with --token it needs the token too). Stop with Ctrl+C or SIGTERM: calls are closed (RTCP BYE, DTLS close_notify) first. " +
            "Exit codes: 0 stopped; 2 a bad option; 3 the server could not start.")
        {
            address, port, udpMin, udpMax, shared, token, mode, toneHz, record,
            connectTimeout, history, corsOrigin, maxBody, rateLimit, rateBurst, maxCalls, loops, maxLoad, dtls,
        };
        var network = new ServeNetworkOptions();
        foreach (Option o in network.All)
        {
            command.Options.Add(o);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var options = new ServeOptions
            {
                Port = parse.GetValue(port),
                UdpPortMin = parse.GetValue(udpMin),
                UdpPortMax = parse.GetValue(udpMax),
                SharedSocket = parse.GetValue(shared),
                Token = parse.GetValue(token),
                Mode = parse.GetValue(mode) == "tone" ? ServeMode.Tone : ServeMode.Echo,
                ToneHz = parse.GetValue(toneHz),
                RecordDirectory = parse.GetValue(record),
                ConnectTimeout = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(connectTimeout), 0, 86400)),
                History = parse.GetValue(history),
                MaxBodyBytes = parse.GetValue(maxBody),
                SessionRate = parse.GetValue(rateLimit),
                SessionBurst = parse.GetValue(rateBurst),
                Loops = parse.GetValue(loops),
                MaxLoad = parse.GetValue(maxLoad),
            };
            options.CorsOrigins.AddRange(parse.GetValue(corsOrigin) ?? []);
            ApplyDtls(parse.GetValue(dtls)!, options);
            string? problem = Validate(parse.GetValue(address)!, options) ?? network.Read(parse, options);
            if (problem is not null)
            {
                error.WriteLine("error: " + problem);
                return ExitUsage;
            }

            options.MaxCalls = parse.GetValue(maxCalls) ?? DefaultMaxCalls(options);
            string? limits = ValidateLimits(parse.GetValue(connectTimeout), options);
            if (limits is not null)
            {
                error.WriteLine("error: " + limits);
                return ExitUsage;
            }

            if (options.RecordDirectory is DirectoryInfo recordDir && CheckWritable(recordDir) is string unwritable)
            {
                error.WriteLine($"error: --record {recordDir.FullName}: {unwritable}");
                return ExitUsage;
            }

            if (!OpusLibrary.IsAvailable)
            {
                error.WriteLine("error: libopus (libopus.so.0) was not found; install it with `apt-get install libopus0` or set RTCSTACK_OPUS_LIBRARY to its path");
                return ExitStartFailed;
            }

            string? unresolved = await ServeNetworkOptions.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
            if (unresolved is not null)
            {
                error.WriteLine("error: " + unresolved);
                return ExitStartFailed;
            }

            ServeApp app;
            try
            {
                app = new ServeApp(options, error);
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                error.WriteLine($"error: the server could not start: {e.Message}");
                error.WriteLine($"Is port {options.Port} (HTTP) or the UDP range taken? Try --port or --udp-port-min/--udp-port-max.");
                return ExitStartFailed;
            }

            await using (app.ConfigureAwait(false))
            {
                using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                // Ctrl+C (SIGINT) and SIGTERM: end the wait below, then close every call. (A serve started with SIGINT
                // ignored, as a background job of a non-interactive shell is, keeps ignoring it, as POSIX programs do.)
                void Stop(PosixSignalContext ctx)
                {
                    ctx.Cancel = true;
                    stopped.Cancel();
                }

                using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                output.WriteLine($"rtcstack serve: {string.Join(", ", app.Urls)} (mode {options.Mode.ToString().ToLowerInvariant()}, DTLS {options.DtlsName}{(options.RecordDirectory is null ? "" : ", recording to " + options.RecordDirectory.FullName)})");
                output.WriteLine(ServeNetworkOptions.DescribeCandidates(options));
                output.WriteLine("Open the page and press Start; WHIP at /whip, WHEP at /whep, status at /status. Ctrl+C stops.");
                output.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, stopped.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: close every call (BYE, close_notify) and stop.
                }

                output.WriteLine("rtcstack serve: stopping");
                output.Flush();
            }

            return 0;
        });
        return command;
    }

    /// <summary>Maps a --dtls value (auto, 1.2, 1.3; the parser admits only these) to the versions the sessions accept.</summary>
    internal static void ApplyDtls(string value, ServeOptions options)
    {
        (options.DtlsMinVersion, options.DtlsMaxVersion) = value switch
        {
            "1.2" => (Dtls.DtlsVersion.Dtls12, Dtls.DtlsVersion.Dtls12),
            "1.3" => (Dtls.DtlsVersion.Dtls13, Dtls.DtlsVersion.Dtls13),
            "auto" => (Dtls.DtlsVersion.Dtls12, Dtls.DtlsVersion.Dtls13),
            _ => throw new ArgumentOutOfRangeException(nameof(value), value, "--dtls is auto, 1.2 or 1.3"),
        };
    }

    private static string? ValidateLimits(double connectTimeoutSeconds, ServeOptions options)
    {
        if (double.IsNaN(connectTimeoutSeconds) || connectTimeoutSeconds <= 0 || connectTimeoutSeconds > 86400)
        {
            return "--connect-timeout must be more than 0 and at most 86400 seconds";
        }

        if (options.History is < 0 or > 100_000)
        {
            return "--history must be 0-100000";
        }

        if (options.Loops is < 0 or > 256)
        {
            return "--loops must be 0-256";
        }

        if (options.Loops > 0 && !UdpEventLoop.IsSupported)
        {
            return "--loops needs Linux on x64 (epoll); use --loops 0 here";
        }

        if (!(options.MaxLoad > 0 && options.MaxLoad <= 1))
        {
            return "--max-load must be more than 0 and at most 1";
        }

        if (options.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            return "--max-body must be 1024-16777216 bytes";
        }

        if (double.IsNaN(options.SessionRate) || options.SessionRate < 0)
        {
            return "--rate-limit must be 0 (no limit) or more";
        }

        if (options.SessionBurst < 1)
        {
            return "--rate-burst must be at least 1";
        }

        if (options.MaxCalls < 0)
        {
            return "--max-calls must be 0 (no limit) or more";
        }

        foreach (string origin in options.CorsOrigins)
        {
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out Uri? u) || u.Scheme is not ("http" or "https") || u.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/')))
            {
                return $"--cors-origin '{origin}' is not an origin (scheme://host[:port], e.g. https://app.example) or '*'";
            }
        }

        return null;
    }

    /// <summary>
    /// The most calls the open-file limit allows: a process that runs out of descriptors fails where it cannot recover
    /// (the runtime aborted with "Out of memory." at 20,000 of 20,000), so 1,024 are kept for the server itself
    /// (HTTP connections, epoll, the JIT's mappings) and each call counts one socket per bind address (every interface's
    /// with --address 0.0.0.0 or ::), plus one file when recording. A shared socket takes no descriptor per call. 0 (no
    /// limit) where the limit cannot be read.
    /// </summary>
    private static int DefaultMaxCalls(ServeOptions options)
    {
        if (options.SharedSocket && options.RecordDirectory is null)
        {
            return 0;
        }

        long limit = OpenFileLimit();
        if (limit <= 0)
        {
            return 0;
        }

        int sockets = options.Address.Equals(IPAddress.Any) || options.Address.Equals(IPAddress.IPv6Any)
            ? Math.Max(1, RtcStack.WebRtc.Io.HostAddresses.Enumerate(options.IncludeLoopback).Count)
            : 1;
        int perCall = (options.SharedSocket ? 0 : sockets) + (options.RecordDirectory is null ? 0 : 1);
        return (int)Math.Clamp((limit - 1024) / perCall, 16, int.MaxValue);
    }

    /// <summary>The soft RLIMIT_NOFILE from /proc/self/limits ("Max open files  SOFT  HARD  files"); 0 when unknown or unlimited.</summary>
    private static long OpenFileLimit()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length > 0 && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out long soft) ? soft : 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is not mounted: no default limit.
        }

        return 0;
    }

    /// <summary>Creates the directory if needed and writes and deletes a probe file; the reason when that fails.</summary>
    private static string? CheckWritable(DirectoryInfo dir)
    {
        string probe = Path.Combine(dir.FullName, $".rtcstack-write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(dir.FullName);
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return "cannot write there (" + e.Message + ")";
        }
    }

    private static string? Validate(string address, ServeOptions options)
    {
        if (!IPAddress.TryParse(address, out IPAddress? ip))
        {
            return $"--address '{address}' is not an IP address (for example 127.0.0.1 or 0.0.0.0)";
        }

        options.Address = ip;
        if (options.Port is < 0 or > 65535)
        {
            return "--port must be 0-65535";
        }

        if (options.UdpPortMin is < 0 or > 65535 || options.UdpPortMax is < 0 or > 65535 || (options.UdpPortMin > 0 && options.UdpPortMax < options.UdpPortMin && !options.SharedSocket))
        {
            return "--udp-port-min/--udp-port-max must be ports with min <= max (or both 0)";
        }

        if (options.SharedSocket)
        {
            options.UdpPortMax = options.UdpPortMin;
        }

        if (options.ToneHz is <= 0 or >= 24000)
        {
            return "--tone-hz must be between 0 and 24000";
        }

        return null;
    }
}
