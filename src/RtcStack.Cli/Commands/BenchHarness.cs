using System.Diagnostics;
using System.Globalization;
using RtcStack.Dtls;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Commands;

/// <summary>
/// Session pairs over loopback for the long-running benchmarks (<c>bench soak</c>, <c>bench churn</c>): one
/// <see cref="UdpEventLoop"/> runs both hosts (one on a shared socket, the other a socket per session) and the
/// 20 ms media clock, as a server with many sessions per core runs.
/// </summary>
internal sealed class BenchHarness : IDisposable
{
    private readonly DtlsCertificate _certA = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
    private readonly DtlsCertificate _certB = DtlsCertificate.Generate(DateTimeOffset.UtcNow);
    private readonly List<BenchPair> _live = []; // loop thread only
    private uint _timestamp;
    private int _clockGeneration;

    /// <summary>Creates the loop and both hosts; <paramref name="maxLoad"/> turns on their admission control (UdpSessionHostOptions.MaxLoad).</summary>
    public BenchHarness(double? maxLoad = null)
    {
        Loop = new UdpEventLoop();
        HostA = new UdpSessionHost(new UdpSessionHostOptions { SharedSocket = true, ReceiveBufferSize = 32 * 1024 * 1024, EventLoop = Loop, MaxLoad = maxLoad });
        HostB = new UdpSessionHost(new UdpSessionHostOptions { ReceiveBufferSize = 256 * 1024, EventLoop = Loop, MaxLoad = maxLoad });
    }

    /// <summary>What both sessions of a pair sent and received (RTP statistics).</summary>
    internal readonly record struct PairCounts(long Sent, long Received, long RetransmittedReceived, long RetransmissionsDropped);

    public UdpEventLoop Loop { get; }

    public UdpSessionHost HostA { get; }

    public UdpSessionHost HostB { get; }

    /// <summary>Sets up <paramref name="count"/> pairs and waits until every one is connected (or throws after 60 s).</summary>
    public List<BenchPair> Connect(int count)
    {
        var pairs = new List<BenchPair>(count);
        for (int i = 0; i < count; i++)
        {
            pairs.Add(new BenchPair(this, _certA, _certB));
        }

        foreach (BenchPair p in pairs)
        {
            p.Negotiate();
        }

        if (!Task.WaitAll([.. pairs.Select(p => p.Connected)], TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"{pairs.Count(p => !p.Connected.IsCompleted)} of {count} pairs did not connect within 60 s");
        }

        return pairs;
    }

    /// <summary>Starts sending one packet each way every 20 ms on every pair given (on the loop); replaces any earlier set.</summary>
    public void StartMedia(IReadOnlyList<BenchPair> pairs)
    {
        int generation = Interlocked.Increment(ref _clockGeneration);
        Loop.Post(() =>
        {
            _live.Clear();
            _live.AddRange(pairs);
            Tick(generation, Loop.Now);
        });
    }

    /// <summary>Stops the media clock; when this returns no round is running and none follows.</summary>
    public void StopMedia()
    {
        Interlocked.Increment(ref _clockGeneration);
        using var stopped = new ManualResetEventSlim();
        Loop.Post(stopped.Set);
        stopped.Wait();
    }

    public void Dispose()
    {
        StopMedia();
        HostA.Dispose();
        HostB.Dispose();
        Loop.Dispose();
        _certA.Dispose();
        _certB.Dispose();
    }

    private void Tick(int generation, TimeSpan due)
    {
        if (Volatile.Read(ref _clockGeneration) != generation)
        {
            return;
        }

        foreach (BenchPair p in _live)
        {
            p.SendOne(_timestamp);
        }

        _timestamp += 960;
        TimeSpan next = due + TimeSpan.FromMilliseconds(20);
        Loop.PostAt(next, () => Tick(generation, next));
    }

    /// <summary>
    /// Two <see cref="WebRtcSession"/>s talking, each with one audio transceiver: A on the shared socket (it answers), B on
    /// a socket of its own (it offers).
    /// </summary>
    internal sealed class BenchPair
    {
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly BenchSession _a;
        private readonly BenchSession _b;
        private int _ready;
        private long _received;

        public BenchPair(BenchHarness harness, DtlsCertificate certA, DtlsCertificate certB)
        {
            _a = new BenchSession(harness.HostA, certA, this);
            _b = new BenchSession(harness.HostB, certB, this);
        }

        public Task Connected => _connected.Task;

        /// <summary>Gets the media packets both sides have received.</summary>
        public long Received => Interlocked.Read(ref _received);

        public void Negotiate() => BenchSession.Negotiate(_b, _a);

        /// <summary>Sends one packet each way (no allocation: cached delegates).</summary>
        public int SendOne(uint timestamp) => (_a.SendOne(timestamp) ? 1 : 0) + (_b.SendOne(timestamp) ? 1 : 0);

        /// <summary>Gets the RTP packets both sessions sent and received, from their statistics.</summary>
        public (long Sent, long Received) Count()
        {
            PairCounts c = Counts();
            return (c.Sent, c.Received);
        }

        /// <summary>Gets what both sessions sent, received, and retransmitted or refused to, from their statistics.</summary>
        public PairCounts Counts()
        {
            PairCounts a = _a.Counts();
            PairCounts b = _b.Counts();
            return new PairCounts(a.Sent + b.Sent, a.Received + b.Received, a.RetransmittedReceived + b.RetransmittedReceived, a.RetransmissionsDropped + b.RetransmissionsDropped);
        }

        /// <summary>Ends the call as a client hanging up does (BYE, close_notify), removes both sessions from their hosts and frees them.</summary>
        public void Close()
        {
            _a.Close();
            _b.Close();
        }

        internal void OnConnected()
        {
            if (Interlocked.Increment(ref _ready) == 2)
            {
                _connected.TrySetResult();
            }
        }

        internal void OnReceived() => Interlocked.Increment(ref _received);
    }
}

/// <summary>
/// One side of a load-test call: a <see cref="WebRtcSession"/> (session core v2) with one sendrecv audio transceiver,
/// registered with a <see cref="UdpSessionHost"/> that drains its events and received packets after every input.
/// Sending an 80-byte Opus payload goes through a cached delegate, so the steady path allocates nothing here.
/// </summary>
internal sealed class BenchSession
{
    private static readonly byte[] s_opus = MakeOpus();
    private readonly byte[] _buffer = new byte[WebRtcSession.MaxDatagramSize];
    private readonly Func<TimeSpan, bool> _send;
    private readonly Action? _onConnected;
    private readonly Action? _onReceived;
    private uint _timestamp;
    private int _connected;

    /// <summary>Creates the session on <paramref name="host"/>; <paramref name="pair"/>, when given, hears of its connection and of every packet received.</summary>
    public BenchSession(UdpSessionHost host, DtlsCertificate certificate, BenchHarness.BenchPair? pair = null, Action? onReceived = null)
    {
        Session = new WebRtcSession(new WebRtcSessionOptions
        {
            Transport = new WebRtcTransportOptions { Certificate = certificate },
            SharedRetransmissionBudget = host.RetransmissionBudget,
            WallClockAtZero = host.WallClockAtZero,
        });
        Audio = Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendRecv);
        _onConnected = pair is null ? null : pair.OnConnected;
        _onReceived = onReceived ?? (pair is null ? null : pair.OnReceived);
        _send = now => Session.SendAudio(Audio, s_opus, _timestamp, now);
        Handle = host.Add(Session, (_, _) => Drain());
    }

    public WebRtcSession Session { get; }

    public Transceiver Audio { get; }

    public UdpSessionHandle Handle { get; }

    /// <summary>Gets a value indicating whether the session has reached the connected state (ICE and DTLS-SRTP up).</summary>
    public bool IsConnected => Volatile.Read(ref _connected) == 1;

    /// <summary>Offer from <paramref name="offerer"/>, answer from <paramref name="answerer"/> (RFC 8829 §5.2-5.3), each under its session's lock.</summary>
    public static void Negotiate(BenchSession offerer, BenchSession answerer)
    {
        string offer = offerer.Handle.Invoke(offerer.Session.CreateOffer);
        string answer = answerer.Handle.Invoke(now => answerer.Session.TryAcceptOffer(offer, now, out string? x, out JsepError? err) ? x : throw new InvalidOperationException(err.ToString()));
        offerer.Handle.Invoke(now => offerer.Session.TryApplyAnswer(answer, now, out JsepError? err) ? 0 : throw new InvalidOperationException(err.ToString()));
    }

    /// <summary>Sends one 20 ms Opus packet with <paramref name="timestamp"/> (no allocation: a cached delegate); false when it could not be sent.</summary>
    public bool SendOne(uint timestamp)
    {
        _timestamp = timestamp;
        return Handle.Invoke(_send);
    }

    /// <summary>Gets what this session sent, received, and retransmitted or refused to, from its statistics (webrtc-stats).</summary>
    public BenchHarness.PairCounts Counts()
    {
        RtcStatsReport r = Handle.Invoke(Session.GetStats);
        RtcOutboundRtpStreamStats? outbound = r.Get<RtcOutboundRtpStreamStats>();
        RtcInboundRtpStreamStats? inbound = r.Get<RtcInboundRtpStreamStats>();
        return new BenchHarness.PairCounts(outbound?.PacketsSent ?? 0, inbound?.PacketsReceived ?? 0, inbound?.RetransmittedPacketsReceived ?? 0, outbound?.RetransmissionsDropped ?? 0);
    }

    /// <summary>Hangs up (RTCP BYE, DTLS close_notify), then leaves the host and frees the session: no datagram still in flight reaches it disposed.</summary>
    public void Close()
    {
        Handle.Invoke(Session.Close);
        Handle.Host.Remove(Handle);
        Session.Dispose();
    }

    /// <summary>Leaves the host and frees the session without hanging up.</summary>
    public void Remove()
    {
        Handle.Host.Remove(Handle);
        Session.Dispose();
    }

    private static byte[] MakeOpus()
    {
        byte[] opus = new byte[80];
        opus[0] = 15 << 3; // TOC: hybrid fullband 20 ms, one frame (RFC 6716 §3.1); a 32 kbit/s-sized payload.
        new Random(1).NextBytes(opus.AsSpan(1));
        return opus;
    }

    // Under the session's lock, after every input: the state changes, then every received packet (counted, dropped).
    private void Drain()
    {
        while (Session.TryPollEvent(out SessionEvent? e))
        {
            if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected } && Interlocked.Exchange(ref _connected, 1) == 0)
            {
                _onConnected?.Invoke();
            }
        }

        while (Session.TryPollMedia(_buffer, out _))
        {
            _onReceived?.Invoke();
        }
    }
}

/// <summary>What the process holds at one moment: live managed heap (after a full collection), RSS, open descriptors, threads.</summary>
internal readonly record struct ProcessSample(TimeSpan At, long ManagedBytes, long RssBytes, int Descriptors, int Threads, string ThreadNames = "")
{
    public static ProcessSample Take(TimeSpan at)
    {
        // An aggressive collection also gives back the memory it frees (decommits), so RSS follows what is live
        // instead of how much the GC happened to keep in reserve at that moment (±4 % from sample to sample with
        // plain collections under CI load).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        long rss = Environment.WorkingSet;
        int threads = 0;
        int descriptors = 0;
        var names = new List<string>();
        if (OperatingSystem.IsLinux())
        {
            // From /proc, not System.Diagnostics.Process: that class loads more framework assemblies (each an open
            // file) the first few times it is used, which showed up as descriptors "growing" in the first soak runs.
            descriptors = Directory.GetFiles("/proc/self/fd").Length;
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    rss = kb * 1024;
                }
            }

            // Every thread but two the runtime starts on demand and retires when idle, by design: the tiered-compilation
            // worker (starts when methods are queued for re-JIT; seen coming and going through a whole soak run) and
            // the background GC thread ".NET BGC" (created for a background collection, exits after about 20 s idle; a
            // CI soak sampled it at 100 s only, 9 -> 10 -> 9 threads, and a 2 s sampling run showed it present for the
            // first 18 s and gone afterwards, with every other thread name unchanged). Also the runtime's ".NET
            // Finalizer": a fresh-clone CI soak on 2026-12-06 saw a second thread of that name in its last sample only
            // (9 -> 10 at 120 s, heap and RSS flat at 0.2 %); a bare .NET 10 program has one from start-up, so a
            // second is runtime work we do not start (not explained further).
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                string comm;
                try
                {
                    comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                }
                catch (IOException)
                {
                    continue; // the thread ended while we looked
                }

                if (!comm.StartsWith(".NET Tiered Com", StringComparison.Ordinal) && comm is not (".NET BGC" or ".NET Finalizer"))
                {
                    threads++;
                    names.Add(comm);
                }
            }
        }
        else
        {
            threads = Process.GetCurrentProcess().Threads.Count;
        }

        names.Sort(StringComparer.Ordinal);
        return new ProcessSample(at, managed, rss, descriptors, threads, string.Join('|', names));
    }

    /// <summary>The threads this sample has beyond <paramref name="other"/>'s (prefixed +) and those it lacks (prefixed -), by name.</summary>
    public string ThreadDifference(ProcessSample other)
    {
        var mine = ThreadNames.Split('|', StringSplitOptions.RemoveEmptyEntries).ToList();
        var theirs = other.ThreadNames.Split('|', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (string n in other.ThreadNames.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            if (mine.Remove(n))
            {
                theirs.Remove(n);
            }
        }

        return string.Join(", ", mine.Select(n => "+" + n).Concat(theirs.Select(n => "-" + n)));
    }

    /// <summary>The largest relative difference of each measure from <paramref name="baseline"/> over <paramref name="samples"/>.</summary>
    public static (double Managed, double Rss, double Descriptors, double Threads) MaxDrift(ProcessSample baseline, IEnumerable<ProcessSample> samples)
    {
        double m = 0, r = 0, d = 0, t = 0;
        foreach (ProcessSample s in samples)
        {
            m = Math.Max(m, Math.Abs(s.ManagedBytes - baseline.ManagedBytes) / (double)baseline.ManagedBytes);
            r = Math.Max(r, Math.Abs(s.RssBytes - baseline.RssBytes) / (double)baseline.RssBytes);
            d = Math.Max(d, Math.Abs(s.Descriptors - baseline.Descriptors) / (double)Math.Max(1, baseline.Descriptors));
            t = Math.Max(t, Math.Abs(s.Threads - baseline.Threads) / (double)Math.Max(1, baseline.Threads));
        }

        return (m, r, d, t);
    }
}
