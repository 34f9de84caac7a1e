using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RtcStack.Dtls;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench datachannel</c>: data channel throughput between two RtcStack processes over loopback UDP (issue
/// 15). This process is the sender (it offers); it starts a second copy of itself in <c>--role receiver</c> mode (it
/// answers), each pinned to a CPU of its own. Signalling goes over the receiver's standard input and output, one line
/// each way ("offer BASE64", "answer BASE64"), and the receiver's result comes back the same way ("result JSON").
/// Each side is a <see cref="WebRtcSession"/> on a <see cref="UdpSessionHost"/> (on a <see cref="UdpEventLoop"/> where
/// supported): ICE, DTLS, SCTP, one reliable ordered channel. The sender writes the bytes in messages of one size,
/// keeping the channel's buffered amount under a bound (refilled on the buffered-amount-low event); the receiver
/// checks every message (sequence number and a running checksum of every byte) and answers "done" when all arrived.
/// </summary>
internal static partial class BenchDataChannelCommand
{
    private const string ChannelLabel = "bench";
    private static readonly TimeSpan SignallingTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var mib = new Option<int>("--mib") { Description = "MiB to send.", DefaultValueFactory = _ => 256 };
        var messageSize = new Option<int>("--message-size") { Description = "Bytes per message (at most 65536, the peer's default a=max-message-size, RFC 8841 §6.1).", DefaultValueFactory = _ => 65536 };
        var buffered = new Option<int>("--buffered") { Description = "Bound on the sender's buffered amount (bytes queued and not yet acknowledged); it refills when the amount falls to half.", DefaultValueFactory = _ => 4 * 1024 * 1024 };
        var cpu = new Option<string>("--cpu") { Description = "CPUs for the sender and the receiver process, 'A,B' (each process pinned to one), or 'none' to leave both unpinned.", DefaultValueFactory = _ => "0,1" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the whole run may take before it is abandoned (exit 1).", DefaultValueFactory = _ => 120 };
        var maxBurst = new Option<int>("--max-burst") { Description = "SCTP Max.Burst of the sender (RFC 9260 §6.1): packets of new DATA per transmission; 0 turns the limit off.", DefaultValueFactory = _ => 4 };
        var json = new Option<string?>("--json") { Description = "Also write the result to this file as JSON." };
        var role = new Option<string?>("--role") { Description = "Internal: 'receiver' runs the answering side (started by the sender; reads signalling on stdin).", Hidden = true };
        var command = new Command("datachannel",
            "Data channel throughput between two processes over loopback UDP (ICE, DTLS, SCTP; one reliable ordered channel), each pinned to one CPU: " +
            "bytes, seconds, Mbit/s and each process's CPU time and share of its core. Exit 0 when every byte arrived in order with a matching checksum.")
        {
            mib, messageSize, buffered, cpu, timeout, maxBurst, json, role,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var settings = new Settings(parse.GetValue(mib), parse.GetValue(messageSize), parse.GetValue(buffered), TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(maxBurst));
            if (settings.Mib < 1 || settings.MessageSize is < 8 or > 65536 || settings.Buffered < settings.MessageSize || settings.Timeout <= TimeSpan.Zero
                || settings.MaxBurst is < 0 or > 65535)
            {
                error.WriteLine("error: --mib must be at least 1, --message-size 8-65536, --buffered at least one message, --timeout positive, --max-burst 0-65535");
                return 2;
            }

            if (!TryParseCpus(parse.GetValue(cpu), out int? senderCpu, out int? receiverCpu))
            {
                error.WriteLine("error: --cpu must be 'A,B' (two CPU numbers) or 'none'");
                return 2;
            }

            string? r = parse.GetValue(role);
            if (r is not null && r != "receiver")
            {
                error.WriteLine("error: --role must be 'receiver'");
                return 2;
            }

            try
            {
                return r is null
                    ? RunSender(settings, senderCpu, receiverCpu, parse.GetValue(cpu)!, parse.GetValue(json), output, error)
                    : RunReceiver(settings, receiverCpu, Console.In, Console.Out, error);
            }
            catch (BenchFailure e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal sealed record Settings(int Mib, int MessageSize, int Buffered, TimeSpan Timeout, int MaxBurst = 4)
    {
        public long TotalBytes => (long)Mib * 1024 * 1024;
    }

    /// <summary>What one side measured over the transfer.</summary>
    internal sealed record SideResult(long Bytes, long Messages, double Seconds, double CpuSeconds, ulong Checksum, string? Error, string Sctp = "")
    {
        public double Mbps => Seconds > 0 ? Bytes * 8 / Seconds / 1e6 : 0;

        public double CpuShare => Seconds > 0 ? CpuSeconds / Seconds : 0;
    }

    internal static bool TryParseCpus(string? text, out int? sender, out int? receiver)
    {
        sender = receiver = null;
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string[] parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int a)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int b)
            || a >= 64 || b >= 64)
        {
            return false;
        }

        sender = a;
        receiver = b;
        return true;
    }

    /// <summary>
    /// A running checksum of a byte stream (FNV-1a's step over 64-bit words, then the tail bytes): cheap next to the
    /// transfer, and it depends on every byte's value and position within each message and on the message order.
    /// </summary>
    internal static ulong Mix(ulong hash, ReadOnlySpan<byte> data)
    {
        const ulong prime = 0x100000001b3;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong w in words)
        {
            hash = (hash ^ w) * prime;
        }

        foreach (byte b in data[(words.Length * 8)..])
        {
            hash = (hash ^ b) * prime;
        }

        return (hash ^ (ulong)data.Length) * prime;
    }

    internal const ulong ChecksumSeed = 0xcbf29ce484222325;

    private static void Pin(int? cpu)
    {
        if (cpu is int c && !ProcessPinning.PinAllThreads(c))
        {
            throw new BenchFailure($"could not pin the process to CPU {c} (sched_setaffinity failed)");
        }
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>One side's loop (where supported), host and session, with the data channel section.</summary>
    private sealed class Side : IDisposable
    {
        private readonly DtlsCertificate _certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);

        public Side(Action<Side, TimeSpan> onActivity, int maxBurst)
        {
            Loop = UdpEventLoop.IsSupported ? new UdpEventLoop() : null;
            Host = new UdpSessionHost(new UdpSessionHostOptions
            {
                BindAddress = IPAddress.Loopback,
                IncludeLoopback = true,
                EventLoop = Loop,
                ReceiveBufferSize = 8 * 1024 * 1024,
                SendBufferSize = 8 * 1024 * 1024,
            });
            Session = new WebRtcSession(new WebRtcSessionOptions
            {
                Transport = new WebRtcTransportOptions { Certificate = _certificate },
                WallClockAtZero = Host.WallClockAtZero,
                DataChannelMaxBurst = maxBurst,
            });
            Handle = Host.Add(Session, (_, now) => onActivity(this, now));
        }

        public UdpEventLoop? Loop { get; }

        public UdpSessionHost Host { get; }

        public WebRtcSession Session { get; }

        public UdpSessionHandle Handle { get; }

        /// <summary>The association's counters (under the session's lock): what a slow run spent its packets on.</summary>
        public string SctpSummary() => Handle.Invoke(_ => Session.DataChannelTransport?.Association.Statistics is { } t
            ? string.Create(CultureInfo.InvariantCulture,
                $"packets sent {t.PacketsSent}, received {t.PacketsReceived}, dropped {t.PacketsDropped}; DATA chunks sent {t.DataChunksSent}, retransmissions {t.Retransmissions} (fast {t.FastRetransmits}, T3 expirations {t.T3Expirations}); SACKs sent {t.SacksSent}")
            : "no association");

        public void Dispose()
        {
            try
            {
                Handle.Invoke(Session.Close);
            }
            catch (ObjectDisposedException)
            {
                // removed after a fault: nothing to close
            }

            Host.Remove(Handle);
            Session.Dispose();
            Host.Dispose();
            Loop?.Dispose();
            _certificate.Dispose();
        }
    }

    private sealed class BenchFailure(string message) : Exception(message);

    private static int RunSender(Settings s, int? senderCpu, int? receiverCpu, string cpuText, string? jsonPath, TextWriter output, TextWriter error)
    {
        Pin(senderCpu);
        using Process child = StartReceiver(s, receiverCpu);
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
        var deadline = Stopwatch.StartNew();
        try
        {
            SideResult sent = Send(s, child, deadline);
            string? line = ReadLine(child.StandardOutput, Remaining(s, deadline), "the receiver's result");
            if (line is null || !line.StartsWith("result ", StringComparison.Ordinal))
            {
                throw new BenchFailure($"the receiver sent '{line}' instead of its result");
            }

            SideResult received = ParseResult(line["result ".Length..]);
            child.StandardInput.WriteLine("quit");
            child.StandardInput.Flush();
            if (!child.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                throw new BenchFailure("the receiver did not exit after the run");
            }

            bool ok = received.Error is null && sent.Error is null && received.Bytes == sent.Bytes && received.Messages == sent.Messages && received.Checksum == sent.Checksum;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data channel, reliable ordered, {s.Mib} MiB in {sent.Messages} messages of {s.MessageSize} bytes, buffered amount bound {s.Buffered} bytes, CPUs {cpuText}, event loop {(UdpEventLoop.IsSupported ? "yes" : "no (host threads)")}"));
            output.WriteLine($"{"side",8} {"bytes",12} {"messages",9} {"seconds",8} {"Mbit/s",9} {"cpu s",7} {"cpu %",6}");
            foreach ((string name, SideResult r) in new[] { ("sender", sent), ("receiver", received) })
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,8} {r.Bytes,12} {r.Messages,9} {r.Seconds,8:0.000} {r.Mbps,9:0.0} {r.CpuSeconds,7:0.000} {100 * r.CpuShare,6:0.0}"));
            }

            output.WriteLine($"sender sctp: {sent.Sctp}");
            output.WriteLine($"receiver sctp: {received.Sctp}");
            output.WriteLine(ok
                ? $"checksum: match ({sent.Checksum:x16})"
                : $"checksum: MISMATCH or error (sent {sent.Checksum:x16}, received {received.Checksum:x16}; {received.Error ?? sent.Error ?? "byte or message counts differ"})");
            if (jsonPath is not null)
            {
                WriteJson(jsonPath, s, cpuText, sent, received, ok);
            }

            return ok ? 0 : 1;
        }
        catch (BenchFailure)
        {
            Kill(child);
            lock (stderrTail)
            {
                if (stderrTail.Length > 0)
                {
                    error.WriteLine("receiver's standard error:");
                    error.Write(stderrTail.ToString());
                }
            }

            throw;
        }
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

    private static TimeSpan Remaining(Settings s, Stopwatch deadline)
    {
        TimeSpan left = s.Timeout - deadline.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Starts this program again as the receiver: the apphost, or <c>dotnet rtcstack.dll</c> when run through the host.</summary>
    private static Process StartReceiver(Settings s, int? receiverCpu)
    {
        return BenchChildProcess.StartSelf(new[] { "bench", "datachannel", "--role", "receiver", "--mib", s.Mib.ToString(CultureInfo.InvariantCulture),
            "--message-size", s.MessageSize.ToString(CultureInfo.InvariantCulture), "--timeout", ((int)Math.Ceiling(s.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            "--cpu", receiverCpu is int c ? $"{c},{c}" : "none", "--max-burst", s.MaxBurst.ToString(CultureInfo.InvariantCulture) }, "the receiver", message => new BenchFailure(message));
    }

    /// <summary>Reads one line within <paramref name="limit"/>; null at end of stream.</summary>
    private static string? ReadLine(TextReader reader, TimeSpan limit, string what)
    {
        Task<string?> read = reader.ReadLineAsync();
        if (!read.Wait(limit))
        {
            throw new BenchFailure($"timed out waiting for {what}");
        }

        return read.Result;
    }

    // The sender's state: touched only under the session's lock (in the activity callback or Invoke).
    private sealed class Sender(Settings s)
    {
        public readonly byte[] Message = MakePattern(s.MessageSize);
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public DataChannel? Channel;
        public long SentBytes;
        public long SentMessages;
        public ulong Checksum = ChecksumSeed;
        public long StartTimestamp;
        public TimeSpan StartCpu;
        public long EndTimestamp;
        public TimeSpan EndCpu;
    }

    private static byte[] MakePattern(int size)
    {
        byte[] b = new byte[size];
        new Random(15).NextBytes(b);
        return b;
    }

    private static SideResult Send(Settings s, Process child, Stopwatch deadline)
    {
        var st = new Sender(s);
        using var side = new Side((side, now) => OnSenderActivity(side, st, s, now), s.MaxBurst);
        string offer = side.Handle.Invoke(now =>
        {
            side.Session.AddDataChannels();
            return side.Session.CreateOffer(now);
        });
        child.StandardInput.WriteLine("offer " + Convert.ToBase64String(Encoding.UTF8.GetBytes(offer)));
        child.StandardInput.Flush();
        string? line = ReadLine(child.StandardOutput, SignallingTimeout, "the receiver's answer");
        if (line is null || !line.StartsWith("answer ", StringComparison.Ordinal))
        {
            throw new BenchFailure($"the receiver sent '{line}' instead of an answer");
        }

        string answer = Decode(line["answer ".Length..]);
        side.Handle.Invoke(now =>
        {
            if (!side.Session.TryApplyAnswer(answer, now, out JsepError? e))
            {
                throw new BenchFailure($"answer refused: {e}");
            }

            DataChannel c = side.Session.CreateDataChannel(new DataChannelOptions { Label = ChannelLabel, Ordered = true }, now);
            c.BufferedAmountLowThreshold = s.Buffered / 2;
            st.Channel = c;
        });

        if (!Finished(st.Done.Task, Remaining(s, deadline)))
        {
            (long bytes, string state) = side.Handle.Invoke(_ => (st.SentBytes, $"{side.Session.State}, channel {st.Channel?.State}"));
            throw new BenchFailure($"the transfer did not finish within {s.Timeout.TotalSeconds} s ({bytes} bytes sent; {state})");
        }

        if (st.Done.Task.IsFaulted)
        {
            throw new BenchFailure(st.Done.Task.Exception!.InnerException!.Message);
        }

        double seconds = Stopwatch.GetElapsedTime(st.StartTimestamp, st.EndTimestamp).TotalSeconds;
        return new SideResult(st.SentBytes, st.SentMessages, seconds, (st.EndCpu - st.StartCpu).TotalSeconds, st.Checksum, null, side.SctpSummary());
    }

    private static void OnSenderActivity(Side side, Sender st, Settings s, TimeSpan now)
    {
        bool fill = false;
        while (side.Session.TryPollEvent(out SessionEvent? e))
        {
            switch (e)
            {
                case SessionDataChannelEvent { Event: DataChannelOpenEvent o } when o.Channel == st.Channel:
                    st.StartTimestamp = Stopwatch.GetTimestamp();
                    st.StartCpu = Cpu();
                    fill = true;
                    break;
                case SessionDataChannelEvent { Event: DataChannelBufferedAmountLowEvent l } when l.Channel == st.Channel:
                    fill = true;
                    break;
                case SessionDataChannelEvent { Event: DataChannelMessageEvent { IsString: true } m } when m.Channel == st.Channel:
                    if (Encoding.UTF8.GetString(m.Data) == "done")
                    {
                        st.EndTimestamp = Stopwatch.GetTimestamp();
                        st.EndCpu = Cpu();
                        st.Done.TrySetResult();
                    }

                    break;
                case SessionDataChannelEvent { Event: DataChannelErrorEvent err }:
                    st.Done.TrySetException(new BenchFailure($"data channel error: {err.Message}"));
                    break;
                case SessionStateChangedEvent { State: PeerConnectionState.Failed or PeerConnectionState.Closed } c:
                    st.Done.TrySetException(new BenchFailure($"the session went {c.State}"));
                    break;
            }
        }

        if (!fill || st.Channel is not { State: DataChannelState.Open } channel)
        {
            return;
        }

        long total = s.TotalBytes;
        while (st.SentBytes < total && side.Session.GetDataChannelBufferedAmount(channel) < s.Buffered)
        {
            int length = (int)Math.Min(s.MessageSize, total - st.SentBytes);
            Span<byte> message = st.Message.AsSpan(0, length);
            BinaryPrimitives.WriteInt64LittleEndian(message, st.SentMessages); // the sequence number, checked on arrival
            st.Checksum = Mix(st.Checksum, message);
            side.Session.SendDataChannelMessage(channel, message, now);
            st.SentBytes += length;
            st.SentMessages++;
        }
    }

    /// <summary>Waits for <paramref name="task"/> without throwing its exception; false on time-out.</summary>
    private static bool Finished(Task task, TimeSpan limit) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit);

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

    // The receiver's state: touched only under the session's lock.
    private sealed class Receiver
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public DataChannel? Channel;
        public long Bytes;
        public long Messages;
        public ulong Checksum = ChecksumSeed;
        public string? Error;
        public long StartTimestamp;
        public TimeSpan StartCpu;
        public long EndTimestamp;
        public TimeSpan EndCpu;
    }

    private static int RunReceiver(Settings s, int? cpu, TextReader input, TextWriter output, TextWriter error)
    {
        Pin(cpu);
        var deadline = Stopwatch.StartNew();
        string? line = ReadLine(input, SignallingTimeout, "the offer");
        if (line is null || !line.StartsWith("offer ", StringComparison.Ordinal))
        {
            throw new BenchFailure($"expected 'offer BASE64', got '{line}'");
        }

        string offer = Decode(line["offer ".Length..]);
        var st = new Receiver();
        using (var side = new Side((side, now) => OnReceiverActivity(side, st, s, now), s.MaxBurst))
        {
            string answer = side.Handle.Invoke(now => side.Session.TryAcceptOffer(offer, now, out string? a, out JsepError? e)
                ? a
                : throw new BenchFailure($"offer refused: {e}"));
            output.WriteLine("answer " + Convert.ToBase64String(Encoding.UTF8.GetBytes(answer)));
            output.Flush();
            if (!Finished(st.Done.Task, Remaining(s, deadline)))
            {
                long bytes = side.Handle.Invoke(_ => st.Bytes);
                throw new BenchFailure($"the transfer did not finish within {s.Timeout.TotalSeconds} s ({bytes} bytes received)");
            }

            SideResult r = side.Handle.Invoke(_ => new SideResult(st.Bytes, st.Messages, Stopwatch.GetElapsedTime(st.StartTimestamp, st.EndTimestamp).TotalSeconds,
                (st.EndCpu - st.StartCpu).TotalSeconds, st.Checksum, st.Error, side.SctpSummary()));
            var json = new MemoryStream();
            using (var w = new Utf8JsonWriter(json))
            {
                w.WriteStartObject();
                w.WriteNumber("bytes", r.Bytes);
                w.WriteNumber("messages", r.Messages);
                w.WriteNumber("seconds", r.Seconds);
                w.WriteNumber("cpuSeconds", r.CpuSeconds);
                w.WriteString("checksum", r.Checksum.ToString("x16", CultureInfo.InvariantCulture));
                w.WriteString("error", r.Error);
                w.WriteString("sctp", r.Sctp);
                w.WriteEndObject();
            }

            output.WriteLine("result " + Encoding.UTF8.GetString(json.ToArray()));
            output.Flush();

            // Stay up until the sender has read the result (it writes "quit" or goes away), so "done" is not cut off.
            try
            {
                _ = ReadLine(input, TimeSpan.FromSeconds(30), "quit");
            }
            catch (BenchFailure)
            {
                error.WriteLine("the sender did not say quit within 30 s; exiting");
            }
        }

        return 0;
    }

    private static void OnReceiverActivity(Side side, Receiver st, Settings s, TimeSpan now)
    {
        while (side.Session.TryPollEvent(out SessionEvent? e))
        {
            switch (e)
            {
                case SessionDataChannelEvent { Event: DataChannelOpenEvent { Channel: { Label: ChannelLabel } c } }:
                    st.Channel = c;
                    break;
                case SessionDataChannelEvent { Event: DataChannelMessageEvent { IsString: false } m } when m.Channel == st.Channel && !st.Done.Task.IsCompleted:
                    if (st.Messages == 0)
                    {
                        st.StartTimestamp = Stopwatch.GetTimestamp();
                        st.StartCpu = Cpu();
                    }

                    if (m.Data.Length < 8 || BinaryPrimitives.ReadInt64LittleEndian(m.Data) != st.Messages)
                    {
                        st.Error ??= $"message {st.Messages} arrived out of order or damaged (length {m.Data.Length})";
                    }

                    st.Checksum = Mix(st.Checksum, m.Data);
                    st.Bytes += m.Data.Length;
                    st.Messages++;
                    if (st.Bytes >= s.TotalBytes)
                    {
                        st.EndTimestamp = Stopwatch.GetTimestamp();
                        st.EndCpu = Cpu();
                        side.Session.SendDataChannelText(m.Channel, "done", now);
                        st.Done.TrySetResult();
                    }

                    break;
                case SessionDataChannelEvent { Event: DataChannelErrorEvent err } when !st.Done.Task.IsCompleted:
                    // After the last byte the sender closes its session (and its association aborts ours) while this
                    // side still reports: an error then is the end of the run, not a failed transfer.
                    st.Error ??= $"data channel error: {err.Message}";
                    st.Done.TrySetResult();
                    break;
                case SessionStateChangedEvent { State: PeerConnectionState.Failed or PeerConnectionState.Closed } c when !st.Done.Task.IsCompleted:
                    st.Error ??= $"the session went {c.State}";
                    st.Done.TrySetResult();
                    break;
            }
        }
    }

    private static SideResult ParseResult(string json)
    {
        try
        {
            using JsonDocument d = JsonDocument.Parse(json);
            JsonElement r = d.RootElement;
            return new SideResult(r.GetProperty("bytes").GetInt64(), r.GetProperty("messages").GetInt64(), r.GetProperty("seconds").GetDouble(),
                r.GetProperty("cpuSeconds").GetDouble(), ulong.Parse(r.GetProperty("checksum").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                r.GetProperty("error").ValueKind == JsonValueKind.Null ? null : r.GetProperty("error").GetString(),
                r.TryGetProperty("sctp", out JsonElement sctp) && sctp.ValueKind == JsonValueKind.String ? sctp.GetString()! : "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new BenchFailure($"the receiver's result is not valid: {e.Message}");
        }
    }

    private static void WriteJson(string path, Settings s, string cpuText, SideResult sent, SideResult received, bool ok)
    {
        using FileStream f = File.Create(path);
        using var w = new Utf8JsonWriter(f, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("benchmark", "datachannel");
        w.WriteNumber("mib", s.Mib);
        w.WriteNumber("messageSize", s.MessageSize);
        w.WriteNumber("bufferedBound", s.Buffered);
        w.WriteString("cpus", cpuText);
        w.WriteBoolean("eventLoop", UdpEventLoop.IsSupported);
        w.WriteBoolean("checksumMatch", ok);
        foreach ((string name, SideResult r) in new[] { ("sender", sent), ("receiver", received) })
        {
            w.WriteStartObject(name);
            w.WriteNumber("bytes", r.Bytes);
            w.WriteNumber("messages", r.Messages);
            w.WriteNumber("seconds", r.Seconds);
            w.WriteNumber("mbitPerSecond", r.Mbps);
            w.WriteNumber("cpuSeconds", r.CpuSeconds);
            w.WriteNumber("cpuShare", r.CpuShare);
            w.WriteString("checksum", r.Checksum.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteString("sctp", r.Sctp);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
