using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RtcStack.Stun;
using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>
/// A coturn (turnserver) process on 127.0.0.1 with its own user database in a temp folder, as
/// ../shared/interop/PEERS.md describes. Ports are chosen per instance so parallel runs do not
/// collide. Disposing stops it by PID and removes the folder.
/// </summary>
internal sealed class CoturnServer : IDisposable
{
    public const string User = "test";
    public const string Password = "test";
    public const string Realm = "example";

    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log = new();

    public CoturnServer()
    {
        string turnserver = ExternalTool.Require("turnserver", "coturn");
        _dir = Directory.CreateTempSubdirectory("rtcstack-coturn-").FullName;
        Port = FreeUdpPort();
        int minPort = 50000 + (Random.Shared.Next(0, 300) * 40);
        var psi = new ProcessStartInfo(turnserver)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (string a in new[]
        {
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={Port}",
            "--lt-cred-mech", $"--user={User}:{Password}", $"--realm={Realm}", "--fingerprint", "--allow-loopback-peers",
            $"--min-port={minPort}", $"--max-port={minPort + 39}", "--no-tls", "--no-dtls", "--no-cli", "--no-tcp",
            $"--userdb={Path.Combine(_dir, "turndb")}", $"--pidfile={Path.Combine(_dir, "turnserver.pid")}",
            "--log-file=stdout", "--simple-log", "--verbose",
        })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("turnserver did not start");
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilAnswering();
    }

    public int Port { get; }

    public TransportAddress Address => TransportAddress.Parse($"127.0.0.1:{Port}");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    // Sends plain Binding requests until coturn answers (it takes a moment to open its sockets).
    private void WaitUntilAnswering()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.ReceiveTimeout = 200;
        byte[] req = new byte[64];
        var w = new StunMessageWriter(req, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        int n = w.Length;
        byte[] buf = new byte[1500];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("turnserver exited: " + Log);
            }

            s.SendTo(req.AsSpan(0, n), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, Port));
            try
            {
                int got = s.Receive(buf);
                if (got > 0 && StunMessageReader.TryParse(buf.AsSpan(0, got), out _) == StunParseStatus.Ok)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
        }

        throw new TimeoutException("turnserver did not answer on port " + Port + ": " + Log);
    }
}
