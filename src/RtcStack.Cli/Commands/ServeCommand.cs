using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using RtcStack.Cli.Serve;
using RtcStack.Ice;
using RtcStack.Opus;
using RtcStack.Stun;

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
        var address = new Option<string>("--address") { Description = "Address to listen on, for HTTP and UDP; it is also the ICE host candidate, so give a concrete address (a LAN address to reach it from another machine), not 0.0.0.0.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "HTTP port of the page, WHIP (/whip), WHEP (/whep) and status (/status).", DefaultValueFactory = _ => 8080 };
        var udpMin = new Option<int>("--udp-port-min") { Description = "First UDP port for media (one per call); 0 lets the OS pick.", DefaultValueFactory = _ => 0 };
        var udpMax = new Option<int>("--udp-port-max") { Description = "Last UDP port for media (inclusive).", DefaultValueFactory = _ => 0 };
        var shared = new Option<bool>("--shared-socket") { Description = "Carry every call on one UDP socket (--udp-port-min, or any port), demultiplexed by ICE username fragment." };
        var stun = new Option<string[]>("--stun") { Description = "A STUN server for server-reflexive candidates, IP:PORT (repeatable).", HelpName = "IP:PORT" };
        var turn = new Option<string[]>("--turn") { Description = "A TURN server for relayed candidates, USER:PASSWORD@IP:PORT (repeatable).", HelpName = "USER:PASSWORD@IP:PORT" };
        var token = new Option<string?>("--token") { Description = "Require 'Authorization: Bearer TOKEN' on WHIP/WHEP requests (RFC 9725, bearer token authentication; RFC 6750); the page reads it from ?token=." };
        var mode = new Option<string>("--mode") { Description = "What the server sends back: echo (what it receives, a loopback call) or tone (a sine, see --tone-hz). WHEP viewers always get the tone.", DefaultValueFactory = _ => "echo" };
        mode.AcceptOnlyFromAmong("echo", "tone");
        var toneHz = new Option<double>("--tone-hz") { Description = "Frequency of the tone in Hz.", DefaultValueFactory = _ => 440 };
        var record = new Option<DirectoryInfo?>("--record") { Description = "Write each received stream to DIR as an Ogg Opus file (RFC 7845), named by time, call and SSRC.", HelpName = "DIR" };

        var command = new Command("serve",
            "Serve a WebRTC loopback call: open http://127.0.0.1:8080, press Start, and your microphone goes to an RtcStack PeerSession (ICE, DTLS-SRTP, Opus) that echoes it back. " +
            "WHIP (RFC 9725) at /whip, WHEP at /whep, live JSON status at /status. Stop with Ctrl+C. " +
            "Exit codes: 0 stopped; 2 a bad option; 3 the server could not start.")
        {
            address, port, udpMin, udpMax, shared, stun, turn, token, mode, toneHz, record,
        };
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
            };
            string? problem = Validate(parse.GetValue(address)!, parse.GetValue(stun) ?? [], parse.GetValue(turn) ?? [], options);
            if (problem is not null)
            {
                error.WriteLine("error: " + problem);
                return ExitUsage;
            }

            if (!OpusLibrary.IsAvailable)
            {
                error.WriteLine("error: libopus (libopus.so.0) was not found; install it with `apt-get install libopus0` or set RTCSTACK_OPUS_LIBRARY to its path");
                return ExitStartFailed;
            }

            ServeApp app;
            try
            {
                app = new ServeApp(options);
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
                using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
                {
                    ctx.Cancel = true;
                    stopped.Cancel();
                });
                using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
                {
                    ctx.Cancel = true;
                    stopped.Cancel();
                });
                output.WriteLine($"rtcstack serve: {string.Join(", ", app.Urls)} (mode {options.Mode.ToString().ToLowerInvariant()}{(options.RecordDirectory is null ? "" : ", recording to " + options.RecordDirectory.FullName)})");
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
            }

            return 0;
        });
        return command;
    }

    private static string? Validate(string address, string[] stun, string[] turn, ServeOptions options)
    {
        if (!IPAddress.TryParse(address, out IPAddress? ip))
        {
            return $"--address '{address}' is not an IP address (for example 127.0.0.1 or 0.0.0.0)";
        }

        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return "--address must be a concrete address: it is also the ICE host candidate (use 127.0.0.1 or this machine's LAN address)";
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

        foreach (string s in stun)
        {
            if (!TransportAddress.TryParse(s, out TransportAddress a) || a.Port == 0)
            {
                return $"--stun '{s}' is not IP:PORT (for example 127.0.0.1:3478)";
            }

            options.IceServers.Add(new IceServer(a));
        }

        foreach (string t in turn)
        {
            int at = t.LastIndexOf('@');
            int colon = at < 0 ? -1 : t.IndexOf(':', StringComparison.Ordinal);
            if (at < 0 || colon < 0 || colon > at || !TransportAddress.TryParse(t.AsSpan(at + 1), out TransportAddress a) || a.Port == 0)
            {
                return $"--turn '{t}' is not USER:PASSWORD@IP:PORT";
            }

            options.IceServers.Add(new IceServer(a, t[..colon], t[(colon + 1)..at]));
        }

        if (options.ToneHz is <= 0 or >= 24000)
        {
            return "--tone-hz must be between 0 and 24000";
        }

        return null;
    }
}
