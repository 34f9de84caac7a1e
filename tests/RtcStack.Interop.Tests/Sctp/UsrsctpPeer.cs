using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.Sctp;

/// <summary>A message usrsctp delivered (complete, MSG_EOR).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Ppid">The payload protocol identifier (host order).</param>
/// <param name="Unordered">Whether usrsctp flagged it unordered (SCTP_UNORDERED in rcv_flags).</param>
/// <param name="Data">The message.</param>
internal sealed record UsrsctpMessage(ushort StreamId, uint Ppid, bool Unordered, byte[] Data);

/// <summary>
/// Our usrsctp peer program (Sctp/usrsctp-peer.c, linked with Debian's libusrsctp) in AF_CONN mode: SCTP
/// packets cross its stdin/stdout in frames (1 byte type, 4 bytes big-endian length, payload), so the test
/// sees and can impair every packet. The program is compiled once per source version with gcc into
/// /var/tmp/rtcstack-usrsctp-peer (RTCSTACK_USRSCTP_DIR overrides). The process is stopped by PID.
/// </summary>
internal sealed class UsrsctpPeer : IDisposable
{
    private const ushort SctpUnordered = 0x0400;
    private static readonly Lazy<string> s_binary = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Thread _reader;
    private readonly StringBuilder _stderr = new();
    private readonly object _writeLock = new();

    public UsrsctpPeer(bool interleaving = false, int heartbeatMs = 0, bool dump = false)
    {
        var psi = new ProcessStartInfo(s_binary.Value)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (interleaving)
        {
            psi.ArgumentList.Add("--idata");
        }

        if (heartbeatMs > 0)
        {
            psi.ArgumentList.Add("--hb");
            psi.ArgumentList.Add(heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (dump || Environment.GetEnvironmentVariable("RTCSTACK_USRSCTP_DUMP") == "1")
        {
            psi.ArgumentList.Add("--dump");
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start usrsctp-peer");
        _stdin = _process.StandardInput.BaseStream;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    if (_stderr.Length < 200_000)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        _process.BeginErrorReadLine();
        _reader = new Thread(ReadFrames) { IsBackground = true, Name = "usrsctp-peer stdout" };
        _reader.Start();
    }

    /// <summary>Gets the frames the program wrote: ('P', packet), ('M', message head + bytes), ('E', event text).</summary>
    public BlockingCollection<(char Type, byte[] Payload)> Frames { get; } = new();

    /// <summary>Gets what the program wrote to stderr so far (usrsctp's own log and --dump).</summary>
    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static string Describe() => $"usrsctp {ProcessRunner.Run("dpkg-query", ["-W", "-f=${Version}", "libusrsctp-dev"]).StdOut.Trim()} (Debian libusrsctp-dev)";

    public static UsrsctpMessage ParseMessage(byte[] payload) => new(
        BinaryPrimitives.ReadUInt16BigEndian(payload),
        BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(2)),
        (BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(6)) & SctpUnordered) != 0,
        payload[8..]);

    /// <summary>Feeds one SCTP packet to usrsctp_conninput.</summary>
    public void Packet(ReadOnlySpan<byte> packet) => Write('P', packet);

    /// <summary>usrsctp_connect: usrsctp sends INIT.</summary>
    public void Connect() => Write('C', default);

    /// <summary>usrsctp_sendv with SCTP_SENDV_SPA: policy 0 reliable, 1 SCTP_PR_SCTP_TTL (value in ms), 3 SCTP_PR_SCTP_RTX (value = retransmissions).</summary>
    public void Send(ushort streamId, uint ppid, ReadOnlySpan<byte> data, bool unordered = false, ushort policy = 0, uint value = 0)
    {
        byte[] frame = new byte[14 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(2), ppid);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), (ushort)(unordered ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), policy);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(10), value);
        data.CopyTo(frame.AsSpan(14));
        Write('S', frame);
    }

    /// <summary>Graceful shutdown (SCTP_EOF, RFC 9260 §9.2).</summary>
    public void Shutdown() => Write('X', default);

    /// <summary>ABORT (SCTP_ABORT, RFC 9260 §9.1).</summary>
    public void Abort() => Write('A', default);

    /// <summary>SCTP_RESET_STREAMS on one outgoing stream (RFC 6525 Outgoing SSN Reset Request).</summary>
    public void ResetStream(ushort streamId)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, streamId);
        Write('R', b);
    }

    public void Dispose()
    {
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // Already gone.
        }

        if (!_process.WaitForExit(2000))
        {
            ProcessRunner.StopAndDispose(_process);
        }
        else
        {
            _process.Dispose();
        }
    }

    private void Write(char type, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        frame[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        lock (_writeLock)
        {
            _stdin.Write(frame);
            _stdin.Flush();
        }
    }

    private void ReadFrames()
    {
        Stream stdout = _process.StandardOutput.BaseStream;
        byte[] head = new byte[5];
        try
        {
            while (true)
            {
                stdout.ReadExactly(head);
                byte[] payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(1))];
                stdout.ReadExactly(payload);
                Frames.Add(((char)head[0], payload));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            Frames.Add(('X', []));
        }
    }

    private static string Build()
    {
        string gcc = ExternalTool.Require("gcc", "build-essential");
        if (!File.Exists("/usr/include/usrsctp.h"))
        {
            throw new InvalidOperationException(
                "usrsctp's header is not installed (Debian package 'libusrsctp-dev'); ./test.sh installs it" +
                (ExternalTool.IsCI ? " [CI=true: outside programs are required]" : ""));
        }

        string source = Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "Sctp", "usrsctp-peer.c");
        string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(source)))[..16].ToLowerInvariant();
        string dir = Path.Combine(Environment.GetEnvironmentVariable("RTCSTACK_USRSCTP_DIR") ?? "/var/tmp/rtcstack-usrsctp-peer", hash);
        string binary = Path.Combine(dir, "usrsctp-peer");
        if (File.Exists(binary))
        {
            return binary;
        }

        Directory.CreateDirectory(dir);
        string temp = binary + "." + Environment.ProcessId;
        ProcessRunner.Result r = ProcessRunner.Run(gcc, ["-O1", "-g", "-Wall", "-Werror", "-o", temp, source, "-lusrsctp", "-lpthread"], TimeSpan.FromMinutes(2));
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc failed on {source}:\n{r.StdErr}");
        }

        File.Move(temp, binary, overwrite: true);
        return binary;
    }
}
