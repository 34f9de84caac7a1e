using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.Dtls;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench handshakes</c>: complete DTLS handshakes (our client against our server, in memory, one thread) in
/// a fresh process, each one timed on its own, so that the cost of the first handshakes a server does (code not yet
/// compiled, or compiled without optimisation by the JIT's first tier) shows beside its steady cost. BenchmarkDotNet
/// hides exactly this part behind its warm-up; a server that has just started, or a test run of 30 calls, lives in it.
/// </summary>
internal static class BenchHandshakesCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Handshakes to run, one after another.", DefaultValueFactory = _ => 200 };
        var version = new Option<string>("--version") { Description = "1.3 (default) or 1.2.", DefaultValueFactory = _ => "1.3" };
        var group = new Option<string>("--group") { Description = "DTLS 1.3 key share both sides offer: x25519mlkem768 (default, what browsers use), x25519 or p256.", DefaultValueFactory = _ => "x25519mlkem768" };
        var every = new Option<bool>("--every") { Description = "Print every handshake, not only the ranges." };
        var command = new Command("handshakes",
            "DTLS handshakes in memory in this fresh process, each timed: the client's and the server's thread CPU per handshake, " +
            "by range of handshake number (1, 2-10, 11-50, 51-150, then the rest), and the JIT setting in effect. Exit 0 when every handshake connected.")
        {
            count, version, group, every,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            int n = parse.GetValue(count);
            DtlsVersion? v = parse.GetValue(version) switch { "1.3" => DtlsVersion.Dtls13, "1.2" => DtlsVersion.Dtls12, _ => null };
            DtlsNamedGroup? g = parse.GetValue(group)?.ToLowerInvariant() switch
            {
                "x25519mlkem768" => DtlsNamedGroup.X25519MlKem768,
                "x25519" => DtlsNamedGroup.X25519,
                "p256" => DtlsNamedGroup.Secp256r1,
                _ => null,
            };
            if (n < 1 || v is null || g is null)
            {
                error.WriteLine("error: --count must be at least 1, --version 1.3 or 1.2, --group x25519mlkem768, x25519 or p256");
                return 2;
            }

            return Run(output, error, n, v.Value, g.Value, parse.GetValue(every));
        });
        return command;
    }

    /// <summary>What decides whether new methods start unoptimised: the environment overrides the runtimeconfig.json setting.</summary>
    internal static string JitSetting()
    {
        string? tiered = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation");
        string? quick = Environment.GetEnvironmentVariable("DOTNET_TC_QuickJit");
        object? configured = AppContext.GetData("System.Runtime.TieredCompilation.QuickJit");
        return tiered == "0"
            ? "tiered compilation off (DOTNET_TieredCompilation=0): every method compiled optimized on first call"
            : quick is not null
                ? $"DOTNET_TC_QuickJit={quick} from the environment ({(quick == "0" ? "optimized on first call" : "unoptimized first tier, then re-compiled")})"
                : configured is not null
                    ? $"System.Runtime.TieredCompilation.QuickJit={configured} from runtimeconfig.json ({(string.Equals(configured.ToString(), "false", StringComparison.OrdinalIgnoreCase) ? "optimized on first call" : "unoptimized first tier, then re-compiled")})"
                    : "the runtime's default (unoptimized first tier, then re-compiled)";
    }

    private static int Run(TextWriter output, TextWriter error, int n, DtlsVersion version, DtlsNamedGroup group, bool every)
    {
        DtlsCertificate clientCert = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "client");
        DtlsCertificate serverCert = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "server");
        output.WriteLine($"JIT: {JitSetting()}");
        output.WriteLine($"DTLS {(version == DtlsVersion.Dtls13 ? $"1.3, {group}" : "1.2")}, {n} handshakes, client and server on this thread; times are {(ThreadCpuClock.IsThreadCpu ? "this thread's CPU" : "wall time")} per side (ms)");
        var client = new double[n];
        var server = new double[n];
        var hello = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!Handshake(clientCert, serverCert, version, group, out client[i], out server[i], out hello[i]))
            {
                error.WriteLine($"error: handshake {i + 1} did not connect");
                return 1;
            }

            if (every)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,5} client {client[i],7:0.000} (ClientHello {hello[i]:0.000}) server {server[i],7:0.000}"));
            }
        }

        output.WriteLine($"{"handshakes",12} {"client median",14} {"server median",14} {"ClientHello median",19}");
        foreach ((int from, int to) in new[] { (1, 1), (2, 10), (11, 50), (51, 150), (151, int.MaxValue) })
        {
            if (from > n)
            {
                break;
            }

            int last = Math.Min(to, n);
            string range = from == last ? $"{from}" : $"{from}-{last}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{range,12} {Median(client, from, last),14:0.000} {Median(server, from, last),14:0.000} {Median(hello, from, last),19:0.000}"));
        }

        return 0;
    }

    private static double Median(double[] values, int from, int to)
    {
        double[] part = values[(from - 1)..to];
        Array.Sort(part);
        return part.Length % 2 == 1 ? part[part.Length / 2] : (part[(part.Length / 2) - 1] + part[part.Length / 2]) / 2;
    }

    private static bool Handshake(DtlsCertificate clientCert, DtlsCertificate serverCert, DtlsVersion version, DtlsNamedGroup group, out double clientMs, out double serverMs, out double helloMs)
    {
        var co = new DtlsOptions { Certificate = clientCert, MaxVersion = version };
        var so = new DtlsOptions { Certificate = serverCert, MaxVersion = version, RequireCookie = false };
        co.RemoteFingerprints.Add(serverCert.Fingerprint);
        so.RemoteFingerprints.Add(clientCert.Fingerprint);
        co.Dtls13Groups.Clear();
        co.Dtls13Groups.Add(group);
        so.Dtls13Groups.Clear();
        so.Dtls13Groups.Add(group);
        using var c = new DtlsEndpoint(DtlsRole.Client, co);
        using var s = new DtlsEndpoint(DtlsRole.Server, so);
        TimeSpan clientCpu = TimeSpan.Zero, serverCpu = TimeSpan.Zero;
        TimeSpan t0 = ThreadCpu();
        s.Start(TimeSpan.Zero);
        TimeSpan t1 = ThreadCpu();
        c.Start(TimeSpan.Zero);
        TimeSpan t2 = ThreadCpu();
        serverCpu += t1 - t0;
        clientCpu += t2 - t1;
        helloMs = (t2 - t1).TotalMilliseconds;
        var buffer = new List<byte[]>();
        bool moved = true;
        while (moved)
        {
            moved = Carry(c, s, buffer, ref serverCpu) | Carry(s, c, buffer, ref clientCpu);
        }

        clientMs = clientCpu.TotalMilliseconds;
        serverMs = serverCpu.TotalMilliseconds;
        return c.State == DtlsState.Connected && s.State == DtlsState.Connected;
    }

    // The datagrams are copied out first: an endpoint lends its transmit buffer only until its next call.
    private static bool Carry(DtlsEndpoint from, DtlsEndpoint to, List<byte[]> buffer, ref TimeSpan cpu)
    {
        buffer.Clear();
        while (from.TryPollTransmit(out ReadOnlyMemory<byte> d))
        {
            buffer.Add(d.ToArray());
        }

        TimeSpan start = ThreadCpu();
        foreach (byte[] d in buffer)
        {
            to.HandleDatagram(d, TimeSpan.Zero);
        }

        cpu += ThreadCpu() - start;
        return buffer.Count > 0;
    }

    private static TimeSpan ThreadCpu() => ThreadCpuClock.Now();
}

/// <summary>The calling thread's CPU time: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux, wall time elsewhere.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3; // Linux <time.h>

    public static bool IsThreadCpu => OperatingSystem.IsLinux();

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out Timespec t) == 0)
        {
            return TimeSpan.FromTicks((t.Seconds * TimeSpan.TicksPerSecond) + (t.Nanoseconds / 100));
        }

        return Stopwatch.GetElapsedTime(0);
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);
}
