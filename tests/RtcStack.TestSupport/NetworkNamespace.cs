using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport;
#endif

/// <summary>
/// A Linux network namespace the test creates for itself (iproute2's <c>ip netns</c>), so that tests can build networks
/// with several interfaces, IPv6, routers and NATs (nftables) without touching the machine's own: veth pairs are made
/// inside the test's namespaces only, and nothing is sent to any outside address. Code runs inside it either as a
/// process (<see cref="StartProcess"/>: <c>ip netns exec</c>) or, for sockets of this test process, on a thread that
/// joined the namespace (<see cref="Invoke{T}"/>: a socket stays in the namespace it was created in). Disposing deletes
/// the namespace (and its veth ends with it). Needs root (CI runs as root) and the Debian packages iproute2 and nftables.
/// </summary>
#if RTCSTACK_CLI
internal
#else
public
#endif
sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly string _ip;

    private NetworkNamespace(string name, string ip)
    {
        Name = name;
        _ip = ip;
    }

    /// <summary>Gets the namespace's name (unique per test run).</summary>
    public string Name { get; }

    /// <summary>Creates a namespace named <paramref name="prefix"/> plus a random suffix, with its loopback up.</summary>
    public static NetworkNamespace Create(string prefix)
    {
        string ip = ExternalTool.Require("ip", "iproute2");
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException("network-namespace tests need Linux and root (CI runs as root); run ./test.sh as root" + (ExternalTool.IsCI ? " [CI=true]" : ""));
        }

        string name = $"{prefix}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
        Check(ProcessRunner.Run(ip, ["netns", "add", name], TimeSpan.FromSeconds(20)), "ip netns add " + name);
        var ns = new NetworkNamespace(name, ip);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Joins <paramref name="a"/> and <paramref name="b"/> with a veth pair (interface <paramref name="nameA"/> in a, <paramref name="nameB"/> in b), both up.</summary>
    public static void Link(NetworkNamespace a, string nameA, NetworkNamespace b, string nameB)
    {
        a.Ip("link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.Name);
        a.Ip("link", "set", nameA, "up");
        b.Ip("link", "set", nameB, "up");
    }

    /// <summary>Runs <c>ip -n NAME ARGS</c>; throws with its error output when it fails.</summary>
    public string Ip(params string[] args)
    {
        ProcessRunner.Result r = ProcessRunner.Run(_ip, ["-n", Name, .. args], TimeSpan.FromSeconds(20));
        Check(r, "ip -n " + Name + " " + string.Join(' ', args));
        return r.StdOut;
    }

    /// <summary>Adds an address to an interface; IPv6 addresses skip duplicate-address detection (usable at once).</summary>
    public void AddAddress(string device, string cidr)
    {
        if (cidr.Contains(':', StringComparison.Ordinal))
        {
            Ip("address", "add", cidr, "dev", device, "nodad");
        }
        else
        {
            Ip("address", "add", cidr, "dev", device);
        }
    }

    /// <summary>Runs a program inside the namespace (<c>ip netns exec</c>) to completion; throws when it fails.</summary>
    public string Exec(string program, params string[] args)
    {
        ProcessRunner.Result r = ProcessRunner.Run(_ip, ["netns", "exec", Name, program, .. args], TimeSpan.FromSeconds(30));
        Check(r, $"ip netns exec {Name} {program} {string.Join(' ', args)}");
        return r.StdOut;
    }

    /// <summary>Loads an nftables ruleset into the namespace (<c>nft -f -</c>).</summary>
    public void Nft(string ruleset)
    {
        string nft = ExternalTool.Require("nft", "nftables");
        ProcessRunner.Result r = ProcessRunner.Run(_ip, ["netns", "exec", Name, nft, "-f", "-"], TimeSpan.FromSeconds(20), stdin: ruleset);
        Check(r, "nft -f - in " + Name + ":\n" + ruleset);
    }

    /// <summary>Starts a process inside the namespace; the caller stops it (by PID) and disposes it.</summary>
    public Process StartProcess(string program, IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(_ip)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in (string[])["netns", "exec", Name, program, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start " + program + " in " + Name);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread that has joined the namespace (setns(2)): sockets it creates belong
    /// to the namespace for their whole life, whatever thread uses them afterwards.
    /// </summary>
    public T Invoke<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/var/run/netns/" + Name);
                if (SetNs(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "netns " + Name };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("in network namespace " + Name + ": " + failure.Message, failure);
        }

        return result;
    }

    /// <summary>Opens a TCP connection from inside the namespace (for <see cref="SocketsHttpHandler.ConnectCallback"/>).</summary>
    public async ValueTask<Stream> ConnectTcpAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        IPAddress address = IPAddress.Parse(endPoint.Host);
        Socket socket = Invoke(() => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP client whose connections leave from inside the namespace.</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler { ConnectCallback = (c, t) => ConnectTcpAsync(c.DnsEndPoint, t) });

    /// <summary>Deletes the namespace (its veth pairs go with it).</summary>
    public void Dispose()
    {
        ProcessRunner.Run(_ip, ["netns", "del", Name], TimeSpan.FromSeconds(20));
    }

    private static void Check(ProcessRunner.Result r, string what)
    {
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({r.ExitCode}): {r.StdErr}{r.StdOut}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
