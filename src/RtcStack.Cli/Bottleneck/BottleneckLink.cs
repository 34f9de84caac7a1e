using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RtcStack.Cli.Bottleneck;

/// <summary>
/// Three network namespaces the comparison builds: <c>A</c> (the browser, 10.71.1.2) — <c>R</c> (a router) — <c>B</c> (our
/// session, 10.71.2.2), joined by veth pairs. The bottleneck is a token bucket (tbf) on each of the router's egress
/// interfaces: <see cref="ToB"/> carries A → B, <see cref="ToA"/> B → A. A router in the middle, not a qdisc on the
/// sender's own interface, so that packets queued at the bottleneck no longer count against the sender's socket buffer
/// (a local qdisc would push back on the sending socket, which no real bottleneck does). Nothing leaves the namespaces.
/// </summary>
internal sealed partial class BottleneckLink : IDisposable
{
    public const string ToA = "toa";
    public const string ToB = "tob";

    /// <summary>Token bucket depth, bytes: a few full-size packets (tbf needs at least rate/HZ).</summary>
    public const int BurstBytes = 4000;

    private readonly string _tc;
    private System.Diagnostics.Process? _batch;

    public BottleneckLink()
    {
        _tc = ExternalTool.Require("tc", "iproute2");
        A = NetworkNamespace.Create("bn-a");
        try
        {
            R = NetworkNamespace.Create("bn-r");
            B = NetworkNamespace.Create("bn-b");
            NetworkNamespace.Link(A, "eth0", R, ToA);
            NetworkNamespace.Link(B, "eth0", R, ToB);
            A.AddAddress("eth0", "10.71.1.2/24");
            B.AddAddress("eth0", "10.71.2.2/24");
            R.AddAddress(ToA, "10.71.1.1/24");
            R.AddAddress(ToB, "10.71.2.1/24");
            A.Ip("route", "add", "default", "via", "10.71.1.1");
            B.Ip("route", "add", "default", "via", "10.71.2.1");
            R.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static IPAddress AddressA { get; } = IPAddress.Parse("10.71.1.2");

    public static IPAddress AddressB { get; } = IPAddress.Parse("10.71.2.2");

    public NetworkNamespace A { get; }

    public NetworkNamespace R { get; } = null!;

    public NetworkNamespace B { get; } = null!;

    /// <summary>
    /// Sets (first call: adds) the tbf on <paramref name="device"/> to <paramref name="bps"/> with a drop-tail limit of
    /// <paramref name="queueMs"/> at that rate (tbf's <c>latency</c>: limit = rate × latency + burst).
    /// </summary>
    public void SetRate(string device, double bps, double queueMs, bool add = false)
    {
        string rate = ((long)Math.Round(bps / 1000)).ToString(CultureInfo.InvariantCulture) + "kbit";
        R.Exec(_tc, "qdisc", add ? "add" : "change", "dev", device, "root", "tbf", "rate", rate,
            "burst", BurstBytes.ToString(CultureInfo.InvariantCulture), "latency", queueMs.ToString(CultureInfo.InvariantCulture) + "ms");
    }

    /// <summary>
    /// Changes the rate on <paramref name="device"/> through the long-lived <c>tc -batch</c> process (no process start
    /// per step: on a loaded machine that took up to 2 s and made the steps late).
    /// </summary>
    public void ChangeRate(string device, double bps, double queueMs)
    {
        Batch().StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qdisc change dev {device} root tbf rate {(long)Math.Round(bps / 1000)}kbit burst {BurstBytes} latency {queueMs}ms"));
        Batch().StandardInput.Flush();
    }

    /// <summary>Reads the tbf's counters on <paramref name="device"/>: bytes sent, packets dropped, backlog bytes (one <c>tc -batch</c> line).</summary>
    public (long SentBytes, long Dropped, long BacklogBytes) ReadQdisc(string device)
    {
        System.Diagnostics.Process batch = Batch();
        batch.StandardInput.WriteLine("qdisc show dev " + device);
        batch.StandardInput.Flush();
        var sb = new System.Text.StringBuilder();
        while (batch.StandardOutput.ReadLine() is string line)
        {
            sb.AppendLine(line);
            if (line.TrimStart().StartsWith("backlog", StringComparison.Ordinal))
            {
                break;
            }
        }

        string text = sb.ToString();
        Match sent = SentRegex().Match(text);
        Match backlog = BacklogRegex().Match(text);
        if (!sent.Success || !backlog.Success)
        {
            throw new InvalidOperationException("unexpected tc output: " + text);
        }

        return (long.Parse(sent.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(sent.Groups[2].Value, CultureInfo.InvariantCulture),
            ParseSize(backlog.Groups[1].Value));
    }

    /// <summary>
    /// Listens on <paramref name="port"/> of B's address (a socket made inside B) and relays each TCP connection to
    /// <paramref name="target"/> in this process's own namespace: how the browser in A reaches the page host on
    /// 127.0.0.1 (its requests cross the router like the media does).
    /// </summary>
    public TcpRelay RelayFromB(int port, IPEndPoint target) => new(B.Invoke(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(AddressB, port));
        s.Listen(16);
        return s;
    }), target);

    public void Dispose()
    {
        if (_batch is not null)
        {
            _batch.StandardInput.Close();
            if (!_batch.WaitForExit(5000))
            {
                _batch.Kill();
            }

            _batch.Dispose();
        }

        A?.Dispose();
        R?.Dispose();
        B?.Dispose();
    }

    /// <summary><c>stdbuf -oL tc -s -force -batch -</c> inside R: one process that reads commands line by line.</summary>
    private System.Diagnostics.Process Batch()
    {
        if (_batch is null)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(ExternalTool.Require("ip", "iproute2"))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
            };
            foreach (string a in (string[])["netns", "exec", R.Name, ExternalTool.Require("stdbuf", "coreutils"), "-oL", _tc, "-s", "-force", "-batch", "-"])
            {
                psi.ArgumentList.Add(a);
            }

            _batch = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("could not start tc -batch");
        }

        return _batch;
    }

    private static long ParseSize(string s)
    {
        // tc prints 1234b, 12Kb, 3Mb (K = 1024 in iproute2's sprint_size).
        double v = double.Parse(s.TrimEnd('b', 'K', 'M'), CultureInfo.InvariantCulture);
        return s.EndsWith("Kb", StringComparison.Ordinal) ? (long)(v * 1024) : s.EndsWith("Mb", StringComparison.Ordinal) ? (long)(v * 1024 * 1024) : (long)v;
    }

    [GeneratedRegex(@"Sent (\d+) bytes \d+ pkt \(dropped (\d+)")]
    private static partial Regex SentRegex();

    [GeneratedRegex(@"backlog (\d+(?:\.\d+)?[KM]?b)")]
    private static partial Regex BacklogRegex();

    /// <summary>A TCP relay: accepts on a listening socket and copies both ways to a target.</summary>
    internal sealed class TcpRelay : IDisposable
    {
        private readonly Socket _listener;
        private readonly CancellationTokenSource _stop = new();

        public TcpRelay(Socket listener, IPEndPoint target)
        {
            _listener = listener;
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Socket client;
                    try
                    {
                        client = await _listener.AcceptAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                        return;
                    }

                    _ = Task.Run(() => PipeAsync(client, target));
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            _stop.Dispose();
        }

        private static async Task PipeAsync(Socket client, IPEndPoint target)
        {
            using (client)
            using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await server.ConnectAsync(target);
                    using var a = new NetworkStream(client, ownsSocket: false);
                    using var b = new NetworkStream(server, ownsSocket: false);
                    Task up = CopyThenShutdownAsync(a, server);
                    Task down = CopyThenShutdownAsync(b, client);
                    await Task.WhenAll(up, down);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    // A connection the browser or the host closed: nothing to relay any more.
                }
            }

            static async Task CopyThenShutdownAsync(Stream from, Socket to)
            {
                byte[] buffer = new byte[16384];
                int n;
                while ((n = await from.ReadAsync(buffer)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, n));
                }

                to.Shutdown(SocketShutdown.Send);
            }
        }
    }
}
