using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Dtls;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Sctp.DataChannels;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.DataChannels;

/// <summary>
/// Data channel throughput with Chromium (issue 15), one reliable ordered channel, 64 KiB messages, the sender's
/// buffered amount kept under 4 MiB: Chromium to Chromium (two RTCPeerConnections in one page: the reference),
/// RtcStack to Chromium and Chromium to RtcStack (a <see cref="WebRtcSession"/> on a <see cref="UdpSessionHost"/>,
/// set up as <c>rtcstack bench datachannel</c> sets up its sides). Every message carries its sequence number and
/// the receiver keeps a checksum of every byte (Pages/dc-throughput.html), compared here with the sender's.
/// <para>
/// In CI the transfer is 4 MiB and the test checks completeness, order and the checksum only (no timing). The
/// measurement is <c>benchmarks/datachannel-vs-chromium.sh</c>, which runs these tests with
/// <c>RTCSTACK_DC_BENCH_MIB</c> (the size) and <c>RTCSTACK_DC_BENCH_OUT</c> (a file each test appends its row to:
/// Mbit/s from the sender's first send to the receiver's "done", and the CPU time of Chromium's processes and of
/// this test process between the page's start and end marks).
/// </para>
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class BrowserDataChannelThroughputTests(ITestOutputHelper output)
{
    private const int MessageSize = 65536;
    private const long BufferedBound = 4 << 20;

    public enum Direction
    {
        ChromiumToChromium,
        RtcStackToChromium,
        ChromiumToRtcStack,
    }

    [Theory]
    [InlineData(Direction.ChromiumToChromium)]
    [InlineData(Direction.RtcStackToChromium)]
    [InlineData(Direction.ChromiumToRtcStack)]
    public async Task EveryByteArrivesInOrder_WithTheSendersChecksum(Direction direction)
    {
        int mib = int.TryParse(Environment.GetEnvironmentVariable("RTCSTACK_DC_BENCH_MIB"), NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m > 0 ? m : 4;
        long total = (long)mib << 20;
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "DataChannels", "Pages", "dc-throughput.html"));

        using UdpEventLoop? loop = UdpEventLoop.IsSupported ? new UdpEventLoop() : null;
        using var host = new UdpSessionHost(new UdpSessionHostOptions
        {
            BindAddress = IPAddress.Loopback,
            IncludeLoopback = true,
            EventLoop = loop,
            ReceiveBufferSize = 8 * 1024 * 1024,
            SendBufferSize = 8 * 1024 * 1024,
        });
        using DtlsCertificate certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
        Peer? peer = null;
        HeadlessBrowser? browser = null;
        var marks = new Dictionary<string, (long Timestamp, TimeSpan Browser, TimeSpan Ours)>();

        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/dc-throughput.html"] = page }, app =>
        {
            app.MapPost("/dc-bench", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync();
                var session = new WebRtcSession(new WebRtcSessionOptions
                {
                    Transport = new WebRtcTransportOptions { Certificate = certificate },
                    WallClockAtZero = host.WallClockAtZero,
                });
                var p = new Peer(session, total, direction == Direction.RtcStackToChromium);
                p.Handle = host.Add(session, (_, now) => p.Pump(now));
                peer = p;
                (bool ok, string text) = p.Handle.Invoke(now => session.TryAcceptOffer(offer, now, out string? answer, out RtcStack.Sdp.Jsep.JsepError? error)
                    ? (true, answer)
                    : (false, error.ToString()));
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
            });
            app.MapPost("/mark/{name}", (string name) =>
            {
                (long, TimeSpan, TimeSpan) sample = (Stopwatch.GetTimestamp(), browser is null ? TimeSpan.Zero : ProcessTreeCpu(browser.ProcessId), Process.GetCurrentProcess().TotalProcessorTime);
                lock (marks)
                {
                    marks[name] = sample;
                }

                return Results.NoContent();
            });
        });

        string mode = direction switch
        {
            Direction.ChromiumToChromium => "loop",
            Direction.RtcStackToChromium => "recv",
            _ => "send",
        };
        JsonElement result;
        using (browser = HeadlessBrowser.Launch(BrowserKind.Chromium, web.BaseAddress + $"/dc-throughput.html?mode={mode}&mib={mib}&size={MessageSize}"))
        {
            result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(60 + mib), browser);
        }

        output.WriteLine(result.ToString());
        Assert.False(result.TryGetProperty("error", out JsonElement err), err.ToString() + "\n" + web.PageLog);
        Assert.Equal("connected", result.GetProperty("connection").GetString());
        long messages = (total + MessageSize - 1) / MessageSize;

        // (bytes, messages, checksum) of each side, and the sender's seconds.
        (long Bytes, long Messages, uint Checksum) sent, received;
        double seconds;
        string? receiveError = null;
        if (direction == Direction.ChromiumToChromium)
        {
            sent = Side(result.GetProperty("sent"));
            received = Side(result.GetProperty("received"));
            receiveError = result.GetProperty("received").GetProperty("error").GetString();
            seconds = result.GetProperty("sent").GetProperty("seconds").GetDouble();
        }
        else
        {
            Peer p = Assert.IsType<Peer>(peer);
            try
            {
                await p.Done.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the session's side finished
                (long Bytes, long Messages, uint Checksum) ours = host.Invoke(p.Handle!, _ => (p.Bytes, p.Messages, p.Checksum));
                if (direction == Direction.RtcStackToChromium)
                {
                    sent = ours;
                    received = Side(result.GetProperty("received"));
                    receiveError = result.GetProperty("received").GetProperty("error").GetString();
                    seconds = host.Invoke(p.Handle!, _ => Stopwatch.GetElapsedTime(p.Start, p.End).TotalSeconds);
                }
                else
                {
                    sent = Side(result.GetProperty("sent"));
                    received = ours;
                    receiveError = host.Invoke(p.Handle!, _ => p.Error);
                    seconds = result.GetProperty("sent").GetProperty("seconds").GetDouble();
                }

                output.WriteLine("session sctp: " + host.Invoke(p.Handle!, _ => p.Session.DataChannelTransport?.Association.Statistics is { } t
                    ? $"packets sent {t.PacketsSent}, received {t.PacketsReceived}, dropped {t.PacketsDropped}; DATA chunks sent {t.DataChunksSent}, retransmissions {t.Retransmissions} (fast {t.FastRetransmits}, T3 {t.T3Expirations}); SACKs sent {t.SacksSent}"
                    : "no association"));
            }
            finally
            {
                host.Invoke(p.Handle!, now => p.Session.Close(now));
            }
        }

        Assert.Null(receiveError);
        Assert.Equal((total, messages), (sent.Bytes, sent.Messages));
        Assert.Equal(sent, received);
        Assert.True(seconds > 0);

        double mbps = total * 8 / seconds / 1e6;
        (long t0, TimeSpan browser0, TimeSpan ours0) = marks["start"];
        (long t1, TimeSpan browser1, TimeSpan ours1) = marks["end"];
        double wall = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
        double browserCpu = (browser1 - browser0).TotalSeconds, oursCpu = (ours1 - ours0).TotalSeconds;
        string row = string.Create(CultureInfo.InvariantCulture,
            $"{direction}\t{mib}\t{MessageSize}\t{seconds:0.000}\t{mbps:0.0}\t{wall:0.000}\t{browserCpu:0.00}\t{100 * browserCpu / wall:0}\t{oursCpu:0.00}\t{100 * oursCpu / wall:0}\t{received.Checksum:x8}");
        output.WriteLine("direction\tMiB\tsize\tseconds\tMbit/s\twall s\tchromium cpu s\tchromium cpu %\ttest process cpu s\ttest process cpu %\tchecksum");
        output.WriteLine(row);
        if (Environment.GetEnvironmentVariable("RTCSTACK_DC_BENCH_OUT") is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, row + "\n");
        }
    }

    private static (long Bytes, long Messages, uint Checksum) Side(JsonElement e) =>
        (e.GetProperty("bytes").GetInt64(), e.GetProperty("messages").GetInt64(), e.GetProperty("checksum").GetUInt32());

    /// <summary>The page's checksum: FNV-1a (32-bit) over little-endian 32-bit words, then the tail bytes, then the length.</summary>
    internal static uint Mix(uint h, ReadOnlySpan<byte> data)
    {
        const uint prime = 16777619;
        int words = data.Length / 4;
        for (int i = 0; i < words; i++)
        {
            h = (h ^ BinaryPrimitives.ReadUInt32LittleEndian(data[(4 * i)..])) * prime;
        }

        foreach (byte b in data[(4 * words)..])
        {
            h = (h ^ b) * prime;
        }

        return (h ^ (uint)data.Length) * prime;
    }

    internal const uint Seed = 2166136261;

    /// <summary>
    /// User plus system CPU time of a process and all its descendants alive now (proc(5): /proc/PID/stat fields 4 ppid,
    /// 14 utime, 15 stime, in clock ticks of USER_HZ = 100 on Linux).
    /// </summary>
    internal static TimeSpan ProcessTreeCpu(int root)
    {
        var parent = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
            string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parent[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
            ticks[pid] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        }

        long sum = 0;
        foreach ((int pid, long t) in ticks)
        {
            for (int p = pid, depth = 0; p > 1 && depth < 64; p = parent.GetValueOrDefault(p), depth++)
            {
                if (p == root)
                {
                    sum += t;
                    break;
                }
            }
        }

        return TimeSpan.FromSeconds(sum / 100.0);
    }

    /// <summary>
    /// The session's side of the "bench" channel the page opens: sends <c>total</c> bytes after the page's "go" (and
    /// times it until the page's "done"), or receives them, checks the sequence and answers "done". Touched only under
    /// the session's lock.
    /// </summary>
    private sealed class Peer(WebRtcSession session, long total, bool sender)
    {
        private readonly byte[] _message = MakePattern();
        private DataChannel? _channel;
        private bool _sending;

        public WebRtcSession Session { get; } = session;

        public UdpSessionHandle? Handle { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Bytes { get; private set; }

        public long Messages { get; private set; }

        public uint Checksum { get; private set; } = Seed;

        public string? Error { get; private set; }

        public long Start { get; private set; }

        public long End { get; private set; }

        private static byte[] MakePattern()
        {
            byte[] b = new byte[MessageSize];
            new Random(15).NextBytes(b);
            return b;
        }

        public void Pump(TimeSpan now)
        {
            bool fill = false;
            while (Session.TryPollEvent(out SessionEvent? e))
            {
                switch (e)
                {
                    case SessionDataChannelEvent { Event: DataChannelOpenEvent { Channel: { Label: "bench" } c } }:
                        _channel = c;
                        c.BufferedAmountLowThreshold = BufferedBound / 2;
                        break;
                    case SessionDataChannelEvent { Event: DataChannelMessageEvent { IsString: true } t } when t.Channel == _channel:
                        string text = Encoding.UTF8.GetString(t.Data);
                        if (sender && text == "go" && !_sending)
                        {
                            _sending = true;
                            Start = Stopwatch.GetTimestamp();
                            fill = true;
                        }
                        else if (sender && text == "done")
                        {
                            End = Stopwatch.GetTimestamp();
                            Done.TrySetResult();
                        }

                        break;
                    case SessionDataChannelEvent { Event: DataChannelMessageEvent { IsString: false } d } when !sender && d.Channel == _channel && !Done.Task.IsCompleted:
                        if (d.Data.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(d.Data) != (uint)Messages)
                        {
                            Error ??= $"message {Messages} arrived out of order or damaged (length {d.Data.Length})";
                        }

                        Checksum = Mix(Checksum, d.Data);
                        Bytes += d.Data.Length;
                        Messages++;
                        if (Bytes >= total)
                        {
                            Session.SendDataChannelText(d.Channel, "done", now);
                            Done.TrySetResult();
                        }

                        break;
                    case SessionDataChannelEvent { Event: DataChannelBufferedAmountLowEvent l } when l.Channel == _channel:
                        fill = _sending;
                        break;
                    // After the transfer the page closes its connection (an ABORT): only an error before the end counts.
                    case SessionDataChannelEvent { Event: DataChannelErrorEvent err } when !Done.Task.IsCompleted:
                        Error ??= $"data channel error: {err.Message}";
                        Done.TrySetResult();
                        break;
                    case SessionStateChangedEvent { State: PeerConnectionState.Failed } f when !Done.Task.IsCompleted:
                        Error ??= $"the session went {f.State}";
                        Done.TrySetResult();
                        break;
                }
            }

            if (!fill || _channel is not { State: DataChannelState.Open } channel)
            {
                return;
            }

            while (Bytes < total && Session.GetDataChannelBufferedAmount(channel) < BufferedBound)
            {
                int length = (int)Math.Min(MessageSize, total - Bytes);
                Span<byte> message = _message.AsSpan(0, length);
                BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)Messages);
                Checksum = Mix(Checksum, message);
                Session.SendDataChannelMessage(channel, message, now);
                Bytes += length;
                Messages++;
            }
        }
    }
}
