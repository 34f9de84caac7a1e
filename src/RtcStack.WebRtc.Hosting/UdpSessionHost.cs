using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Runs many sans-IO endpoints (usually <see cref="WebRtcSession"/>s) over real UDP sockets: one socket per
/// session, or one shared socket for all of them demultiplexed by ICE username fragment (the STUN
/// USERNAME of the first request from a new address) and then by remote address. Together with the CLI
/// it is the only place where sockets, threads and a clock meet the protocol modules (docs/ARCHITECTURE.md).
/// </summary>
/// <remarks>
/// The shared socket is read by one dedicated thread with blocking
/// <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, SocketAddress)"/> into a reused buffer and
/// <see cref="SocketAddress"/>: a datagram goes from the kernel to its session with no thread-pool hop.
/// Per-session sockets use <see cref="Socket.ReceiveFromAsync(Memory{byte}, SocketFlags, SocketAddress, CancellationToken)"/>
/// (the runtime's epoll loop; a thread per socket would not scale): their datagrams reach the session on thread-pool
/// threads, so a process whose pool is starved delays them (the interop suite saw a session get nothing for about 1 s,
/// the datagrams waiting in the kernel, in a test process whose pool had grown to 15 threads); with
/// <see cref="UdpSessionHostOptions.EventLoop"/> (what <c>rtcstack serve</c> uses) they are read by the loop's own thread. Sends use
/// <see cref="Socket.SendTo(ReadOnlySpan{byte}, SocketFlags, SocketAddress)"/> with a reused
/// <see cref="SocketAddress"/>, so steady-state receive, dispatch and send allocate nothing. Each session
/// has a lock: every call into it (datagram, timer, <see cref="Invoke(UdpSessionHandle, Action{TimeSpan})"/>)
/// runs under it, then its datagrams are sent and its next <see cref="IDatagramEndpoint.PollTimeout"/> is
/// scheduled. All sessions of a host share one timer (one <see cref="ITimer"/> of the
/// <see cref="TimeProvider"/>, armed for the earliest deadline of a priority queue): a deadline that moves
/// later (ICE keepalive after every send) costs nothing; the session is woken at the old one, finds nothing
/// due, and is scheduled for the new one.
/// </remarks>
public sealed class UdpSessionHost : IDisposable
{
    private const int BufferSize = 2048;
    private const int DrainBudget = 4096;
    private static readonly TimeSpan InterfaceAddressesLifetime = TimeSpan.FromSeconds(10);
    private static readonly Counter<long> s_received = UdpMeter.Instance.CreateCounter<long>("rtcstack.udp.host.datagrams_received");
    private static readonly Counter<long> s_sent = UdpMeter.Instance.CreateCounter<long>("rtcstack.udp.host.datagrams_sent");

    // Hosts alive in this process, for the observable instruments below (read when a listener collects).
    private static readonly ConcurrentDictionary<UdpSessionHost, byte> s_live = new();

    private static readonly ObservableCounter<long> s_kernelDrops = UdpMeter.Instance.CreateObservableCounter(
        "rtcstack.udp.host.kernel_drops", () => Sum(static h => h.ReadSocketStatistics().KernelDrops), "{datagram}",
        "Datagrams the kernel dropped on the hosts' sockets (full receive buffer; the SO_RXQ_OVFL counter).");

    private static readonly ObservableGauge<long> s_receiveBuffers = UdpMeter.Instance.CreateObservableGauge(
        "rtcstack.udp.host.receive_buffer_bytes", () => Sum(static h => h.ReadSocketStatistics().ReceiveBufferBytes), "By",
        "Receive buffer space the kernel granted the hosts' sockets.");

    private static readonly ObservableGauge<double> s_load = UdpMeter.Instance.CreateObservableGauge(
        "rtcstack.udp.host.load", ObserveLoad, "1", "Each host's load over the last second (event loop busy share, or process CPU over all cores).");

    [ThreadStatic]
    private static byte[]? t_sendBuffer;

    [ThreadStatic]
    private static UdpSendBatch? t_sendBatch;

    [ThreadStatic]
    private static UdpReceiveBatch? t_receiveBatch;

    [ThreadStatic]
    private static byte[]? t_batchScratch;

    [ThreadStatic]
    private static SocketAddress? t_v4;

    [ThreadStatic]
    private static SocketAddress? t_v6;

    [ThreadStatic]
    private static SocketAddress? t_receiveV4;

    [ThreadStatic]
    private static SocketAddress? t_receiveV6;

    private readonly UdpSessionHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _start;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TransportAddress, UdpSessionHandle> _routes = new();
    private readonly ConcurrentDictionary<UdpSessionHandle, byte> _handles = new();
    private readonly Lock _portGate = new();
    private readonly BoundSocket[] _shared = [];
    private readonly List<Thread> _sharedLoops = [];
    private readonly Lock _timerGate = new();
    private readonly PriorityQueue<UdpSessionHandle, TimeSpan> _deadlines = new();
    private readonly ITimer _timer;
    private readonly UdpEventLoop? _loop;
    private TimeSpan _timerArmedFor = TimeSpan.MaxValue;
    private IReadOnlyList<IPAddress>? _interfaceAddresses;
    private long _interfaceAddressesAt;
    private int _nextPort;
    private long _received;
    private long _sent;
    private long _sendErrors;
    private long _unmatched;
    private long _filtered;
    private long _faults;
    private readonly Lock _admitGate = new();
    private readonly Queue<TimeSpan> _recentAdmissions = new();
    private double _perSessionLoad;
    private string? _lastFault;
    private readonly Lock _loadGate = new();
    private long _loadSampledAt;
    private TimeSpan _cpuAtSample;
    private double _load;
    private long _admissionsRefused;
    private long _budgetAdaptedAt;
    private string? _lastRefusal;
    private volatile bool _disposed;

    private static long Sum(Func<UdpSessionHost, long> read)
    {
        long total = 0;
        foreach (UdpSessionHost h in s_live.Keys)
        {
            total += read(h);
        }

        return total;
    }

    private static IEnumerable<Measurement<double>> ObserveLoad()
    {
        foreach (UdpSessionHost h in s_live.Keys)
        {
            yield return new Measurement<double>(h.Load);
        }
    }

    /// <summary>Creates a host; with <see cref="UdpSessionHostOptions.SharedSocket"/> the shared socket is bound and receiving at once.</summary>
    public UdpSessionHost(UdpSessionHostOptions? options = null)
    {
        _options = options ?? new UdpSessionHostOptions();
        _time = _options.TimeProvider;
        _logger = _options.Logger ?? NullLogger.Instance;
        _start = _time.GetTimestamp();
        WallClockAtZero = _time.GetUtcNow();
        RetransmissionBudget = _options.RetransmissionBudgetFraction is double f ? new RetransmissionBudget(f) : null;
        s_live[this] = 0;
        _ = (s_kernelDrops, s_receiveBuffers, s_load);
        _nextPort = _options.PortRangeStart;
        _loop = _options.EventLoop;
        _timer = _loop is not null
            ? _loop.CreateTimer(OnTimerTick)
            : _time.CreateTimer(static s => ((UdpSessionHost)s!).OnTimerTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_options.SharedSocket)
        {
            _shared = BindSockets(_options.SharedPort, _options.SharedPort);
            SharedAddress = _shared[0].Local;
            foreach (BoundSocket b in _shared)
            {
                if (_loop is not null)
                {
                    _loop.Register(b.Socket, () => Drain(b.Socket, b.Local, null));
                }
                else
                {
                    var thread = new Thread(() => SharedReceiveLoop(b.Socket, b.Local)) { IsBackground = true, Name = "rtcstack-udp-host " + b.Local };
                    _sharedLoops.Add(thread);
                    thread.Start();
                }
            }
        }
    }

    /// <summary>Gets the host's monotonic clock: time since it was created (the sessions' <c>now</c>).</summary>
    public TimeSpan Now => _time.GetElapsedTime(_start);

    /// <summary>Gets the clock the host runs on (<see cref="UdpSessionHostOptions.TimeProvider"/>), for timers that go with <see cref="Now"/>.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>
    /// Gets the retransmission budget every session of this host should share
    /// (<see cref="WebRtcSessionOptions.SharedRetransmissionBudget"/>), or null when the options turn it off.
    /// </summary>
    public RetransmissionBudget? RetransmissionBudget { get; }

    /// <summary>Gets the wall-clock time at <see cref="Now"/> = 0 (to map the host's clock to NTP time).</summary>
    public DateTimeOffset WallClockAtZero { get; }

    /// <summary>Gets the shared socket's address (the first, when every interface has one), or null when each session has its own socket.</summary>
    public TransportAddress? SharedAddress { get; }

    /// <summary>
    /// Gets a value indicating whether the host binds every interface (<see cref="UdpSessionHostOptions.BindAddress"/>
    /// 0.0.0.0 or ::): each session (or the shared socket) then has one socket per address of <see cref="HostAddresses"/>,
    /// IPv4 and IPv6, and gathers a host candidate on each.
    /// </summary>
    public bool BindsEveryInterface => _options.BindAddress.Equals(IPAddress.Any) || _options.BindAddress.Equals(IPAddress.IPv6Any);

    /// <summary>Gets the number of registered sessions.</summary>
    public int SessionCount => _handles.Count;

    /// <summary>Gets the number of datagrams received.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Gets the number of datagrams sent.</summary>
    public long DatagramsSent => Interlocked.Read(ref _sent);

    /// <summary>Gets the number of sends the OS refused.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Gets the number of datagrams <see cref="UdpSessionHostOptions.IncomingFilter"/> dropped (counted in <see cref="DatagramsReceived"/> too).</summary>
    public long DatagramsFiltered => Interlocked.Read(ref _filtered);

    /// <summary>Gets the number of datagrams on the shared socket that matched no session.</summary>
    public long UnmatchedDatagrams => Interlocked.Read(ref _unmatched);

    /// <summary>
    /// Gets how many sessions were removed because a call into them (a datagram, a timer, the activity callback)
    /// threw: the host's loop goes on for every other session.
    /// </summary>
    public long SessionFaults => Interlocked.Read(ref _faults);

    /// <summary>Gets the last fault that removed a session ("TypeName: message"), or null.</summary>
    public string? LastFault => Volatile.Read(ref _lastFault);

    /// <summary>
    /// Gets the host's load over about the last second, 0 to 1: the share of its event loop's time spent working
    /// or, without a loop, the process's CPU time over all cores.
    /// </summary>
    public double Load
    {
        get
        {
            if (_loop is not null)
            {
                return _loop.Utilisation;
            }

            lock (_loadGate)
            {
                long now = _time.GetTimestamp();
                TimeSpan cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                double wall = _time.GetElapsedTime(_loadSampledAt, now).TotalSeconds;
                if (_loadSampledAt == 0 || wall >= 1)
                {
                    if (_loadSampledAt != 0)
                    {
                        _load = Math.Clamp((cpu - _cpuAtSample).TotalSeconds / (wall * Environment.ProcessorCount), 0, 1);
                    }

                    _loadSampledAt = now;
                    _cpuAtSample = cpu;
                }

                return _load;
            }
        }
    }

    // At most once a second: the host's retransmission budget is the configured share of its media while the load is
    // under RetransmissionBudgetShrinkFrom, then falls linearly to nothing at a load of 0.95.
    private void AdaptRetransmissionBudget()
    {
        if (RetransmissionBudget is not RetransmissionBudget budget || _options.RetransmissionBudgetFraction is not double full)
        {
            return;
        }

        long now = _time.GetTimestamp();
        if (_budgetAdaptedAt != 0 && _time.GetElapsedTime(_budgetAdaptedAt, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _budgetAdaptedAt = now;
        budget.Fraction = RetransmissionFractionAt(Load, full, _options.RetransmissionBudgetShrinkFrom);
    }

    /// <summary>The host's retransmission share at <paramref name="load"/>: <paramref name="full"/> up to <paramref name="shrinkFrom"/>, then linearly less, none from 0.95.</summary>
    internal static double RetransmissionFractionAt(double load, double full, double shrinkFrom)
    {
        double from = Math.Min(shrinkFrom, 0.95);
        return load <= from ? full : full * Math.Max(0, (0.95 - load) / (0.95 - from));
    }

    /// <summary>Gets how many sessions <see cref="TryAdmit"/> refused.</summary>
    public long AdmissionsRefused => Interlocked.Read(ref _admissionsRefused);

    /// <summary>Gets why <see cref="TryAdmit"/> last refused a session, or null if it never did.</summary>
    public string? LastRefusal => Volatile.Read(ref _lastRefusal);

    /// <summary>
    /// Asks whether one more session fits: refused when <see cref="UdpSessionHostOptions.MaxSessions"/> is reached,
    /// or when <see cref="Load"/> plus one session's share of it would pass <see cref="UdpSessionHostOptions.MaxLoad"/>.
    /// The load limit protects the calls already running, so a host with no session admits the first whatever its load:
    /// with no session the load is not the sessions' doing (a harness CI run on a machine at load ~15 saw an empty
    /// host's loop 85 % busy, from compiling its first work and being preempted, and refused every call of a test).
    /// A signalling front end answers a refusal with 503 and Retry-After (RFC 9725 §4.6 lets a WHIP endpoint
    /// redirect or refuse), so that past its limit the host degrades by turning new calls away instead of
    /// letting every call lose packets.
    /// </summary>
    public bool TryAdmit([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        int sessions = SessionCount;
        if (_options.MaxSessions > 0 && sessions >= _options.MaxSessions)
        {
            reason = $"session limit reached ({sessions} of {_options.MaxSessions})";
        }
        else if (_options.MaxLoad is double maxLoad)
        {
            double load = Load;
            lock (_admitGate)
            {
                TimeSpan now = Now;
                while (_recentAdmissions.Count > 0 && now - _recentAdmissions.Peek() > AdmissionSettleTime)
                {
                    _recentAdmissions.Dequeue();
                }

                int recent = Math.Min(_recentAdmissions.Count, sessions);
                double projected = ProjectLoad(load, sessions, recent, ref _perSessionLoad);
                if (projected > maxLoad && sessions > 0)
                {
                    reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(_loop is not null ? "event loop" : "CPU")} {load:P0} busy over the last second with {sessions} sessions ({recent} admitted in the last {AdmissionSettleTime.TotalSeconds:0} s, not all working yet); one more would pass the {maxLoad:P0} limit");
                }
                else
                {
                    reason = null;
                    _recentAdmissions.Enqueue(now);
                }
            }
        }
        else
        {
            reason = null;
        }

        if (reason is null)
        {
            return true;
        }

        Interlocked.Increment(ref _admissionsRefused);
        Volatile.Write(ref _lastRefusal, reason);
        return false;
    }

    /// <summary>
    /// The fewest settled sessions a per-session share of the load is measured from. With one or two sessions the
    /// loop's own work (timers, socket polling) and, on a busy machine, time it spent preempted while working are most
    /// of the load: a CI run at load average ~10 saw one session's loop 41 % busy, took that as one session's share, and
    /// refused the second call of a two-call test.
    /// </summary>
    public const int MinSettledForShare = 8;

    /// <summary>
    /// How long after its admission a session is taken not to show in the load yet: it still has to connect
    /// (ICE, DTLS) and start its media, and the load is measured over the last second.
    /// </summary>
    public static readonly TimeSpan AdmissionSettleTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The load with one more session: the measured load, plus one share for each session admitted too recently to
    /// show in it and one for the newcomer. A share is the measured load over the settled sessions, measured only once
    /// <see cref="MinSettledForShare"/> have settled; before that, the last share measured (<paramref name="perSession"/>,
    /// updated here; 0 on a fresh host), so a few sessions are refused only when the measured load is over the limit.
    /// </summary>
    internal static double ProjectLoad(double load, int sessions, int recent, ref double perSession)
    {
        int settled = sessions - recent;
        if (settled >= MinSettledForShare && load > 0)
        {
            perSession = load / settled;
        }

        return load + ((recent + 1) * perSession);
    }

    /// <summary>Reads what the kernel says about this host's sockets: receive buffers granted, bytes queued, datagrams dropped.</summary>
    public UdpSocketStatistics ReadSocketStatistics()
    {
        var sockets = new List<Socket>();
        foreach (BoundSocket b in _shared)
        {
            sockets.Add(b.Socket);
        }

        foreach (UdpSessionHandle h in _handles.Keys)
        {
            if (h.OwnsSocket)
            {
                foreach (BoundSocket b in h.Sockets)
                {
                    sockets.Add(b.Socket);
                }
            }
        }

        return UdpSocketStatistics.Read(sockets);
    }

    /// <summary>Gets how many remote addresses the shared socket routes to a session (each added by a request the session sent).</summary>
    public int RouteCount => _routes.Count;

    /// <summary>
    /// Registers <paramref name="endpoint"/>: binds its socket (or uses the shared one) and starts receiving.
    /// A <see cref="WebRtcSession"/> gets the socket address as its host candidate. <paramref name="onActivity"/>
    /// runs under the session's lock after every input (drain events and media there, or answer media at once).
    /// </summary>
    /// <remarks>
    /// If a call into the endpoint from the host (a datagram or a timer) throws, the host removes the session and
    /// calls <paramref name="onFault"/> under its lock (end the session from another thread there); see <see cref="SessionFaults"/>.
    /// </remarks>
    public UdpSessionHandle Add(IDatagramEndpoint endpoint, Action<UdpSessionHandle, TimeSpan>? onActivity = null, Action<UdpSessionHandle, Exception>? onFault = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_shared.Length > 0 && endpoint is not IIceDatagramEndpoint)
        {
            throw new ArgumentException("a shared socket routes by ICE username fragment: the endpoint must implement IIceDatagramEndpoint", nameof(endpoint));
        }

        UdpSessionHandle handle;
        if (_shared.Length > 0)
        {
            handle = new UdpSessionHandle(this, endpoint, _shared, ownsSocket: false, onActivity) { OnFault = onFault };
        }
        else
        {
            handle = new UdpSessionHandle(this, endpoint, BindSessionSockets(), ownsSocket: true, onActivity) { OnFault = onFault };
        }

        _handles[handle] = 0;
        if (endpoint is IIceDatagramEndpoint ice)
        {
            lock (handle.Gate)
            {
                foreach (BoundSocket b in handle.Sockets)
                {
                    ice.AddLocalAddress(b.Local);
                }
            }
        }

        if (handle.OwnsSocket)
        {
            var loops = new List<Task>();
            foreach (BoundSocket b in handle.Sockets)
            {
                if (_loop is not null)
                {
                    _loop.Register(b.Socket, () => Drain(b.Socket, b.Local, handle));
                }
                else
                {
                    loops.Add(Task.Run(() => ReceiveLoopAsync(b.Socket, b.Local, handle)));
                }
            }

            handle.ReceiveLoop = loops.Count == 0 ? null : loops.Count == 1 ? loops[0] : Task.WhenAll(loops);
        }

        return handle;
    }

    /// <summary>
    /// Runs <paramref name="action"/> (signalling, sending media...) on the session under its lock with the
    /// current time, then sends what it produced and re-arms its timer.
    /// </summary>
    public void Invoke(UdpSessionHandle handle, Action<TimeSpan> action)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(action);
        lock (handle.Gate)
        {
            if (handle.IsRemoved)
            {
                return;
            }

            TimeSpan now = Now;
            action(now);
            AfterInput(handle, now);
        }
    }

    /// <summary>Runs <paramref name="func"/> like <see cref="Invoke(UdpSessionHandle, Action{TimeSpan})"/> and returns its result.</summary>
    public T Invoke<T>(UdpSessionHandle handle, Func<TimeSpan, T> func)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(func);
        lock (handle.Gate)
        {
            ObjectDisposedException.ThrowIf(handle.IsRemoved, handle);
            TimeSpan now = Now;
            T result = func(now);
            AfterInput(handle, now);
            return result;
        }
    }

    /// <summary>Stops running the session: no more calls into it; its socket (if its own) is closed. Close it first to send a BYE.</summary>
    public void Remove(UdpSessionHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        lock (handle.Gate)
        {
            if (handle.IsRemoved)
            {
                return;
            }

            handle.IsRemoved = true;
            foreach (TransportAddress r in handle.Routes)
            {
                _routes.TryRemove(new KeyValuePair<TransportAddress, UdpSessionHandle>(r, handle));
            }
        }

        _handles.TryRemove(handle, out _);
        if (!_disposed)
        {
            // Its queued deadlines would keep the session reachable until they come (up to a minute for a DTLS
            // retransmission): drop them now. A linear scan of the queue, once per removed session.
            lock (_timerGate)
            {
                while (_deadlines.Remove(handle, out _, out _))
                {
                }
            }
        }

        CloseTurnStreams(handle);
        if (handle.OwnsSocket)
        {
            foreach (BoundSocket b in handle.Sockets)
            {
                _loop?.Unregister(b.Socket);

                // The receive loop ends on its own (ObjectDisposedException); it may be the caller, so it is not awaited here.
                b.Socket.Dispose();
            }
        }
    }

    /// <summary>Stops everything: sessions are removed (not closed), sockets closed, receive loops awaited.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        s_live.TryRemove(this, out _);
        _stop.Cancel();
        var loops = new List<Task>();
        foreach (UdpSessionHandle h in _handles.Keys)
        {
            if (h.ReceiveLoop is Task t)
            {
                loops.Add(t);
            }

            Remove(h);
        }

        _timer.Dispose();
        foreach (BoundSocket b in _shared)
        {
            _loop?.Unregister(b.Socket);
            b.Socket.Dispose();
        }

        foreach (Thread t in _sharedLoops)
        {
            t.Join(TimeSpan.FromSeconds(5));
        }

        Task.WaitAll([.. loops], TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private Socket CreateSocket(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // One socket per family and address: an IPv6 socket must not also take IPv4 (its candidates would lie).
                socket.DualMode = false;
            }

            if (_options.ReceiveBufferSize > 0)
            {
                socket.ReceiveBufferSize = _options.ReceiveBufferSize;
            }

            if (_options.SendBufferSize > 0)
            {
                socket.SendBufferSize = _options.SendBufferSize;
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private BoundSocket[] BindSessionSockets() =>
        _options.PortRangeStart <= 0 ? BindSockets(0, 0) : BindSockets(_options.PortRangeStart, _options.PortRangeEnd);

    // The addresses sockets are bound to: the configured one, or every interface's (HostAddresses, cached briefly so that
    // a burst of calls does not enumerate interfaces for each).
    private IReadOnlyList<IPAddress> BindAddresses()
    {
        if (!BindsEveryInterface)
        {
            return [_options.BindAddress];
        }

        if (_options.InterfaceAddresses.Count > 0)
        {
            return [.. _options.InterfaceAddresses];
        }

        lock (_portGate)
        {
            long now = _time.GetTimestamp();
            if (_interfaceAddresses is null || _time.GetElapsedTime(_interfaceAddressesAt, now) > InterfaceAddressesLifetime)
            {
                IReadOnlyList<IPAddress> found = HostAddresses.Enumerate(_options.IncludeLoopback);
                _interfaceAddresses = found.Count > 0 ? found : [IPAddress.Loopback];
                _interfaceAddressesAt = now;
            }

            return _interfaceAddresses;
        }
    }

    // One socket per bind address, all on the same port (from first..last, or any when first is 0), so that a session
    // takes one port of a range whatever its number of interfaces. An address that cannot be bound (an IPv6 address
    // still in duplicate-address detection, an interface gone since enumeration) is skipped if others remain.
    private BoundSocket[] BindSockets(int first, int last)
    {
        IReadOnlyList<IPAddress> addresses = BindAddresses();
        if (first <= 0)
        {
            var any = new List<BoundSocket>();
            int port = 0;
            for (int i = 0; i < addresses.Count; i++)
            {
                // The last address rethrows when nothing could be bound at all.
                IPAddress a = addresses[i];
                BoundSocket? b = TryBind(a, port, any.Count == 0 && i == addresses.Count - 1) ?? (port != 0 ? TryBind(a, 0, false) : null);
                if (b is BoundSocket bound)
                {
                    any.Add(bound);
                    port = port == 0 ? bound.Local.Port : port;
                }
            }

            return any.Count > 0 ? [.. any] : throw new InvalidOperationException("no interface address could be bound");
        }

        int span = last - first + 1;
        if (span <= 0)
        {
            throw new InvalidOperationException("PortRangeEnd must not be below PortRangeStart");
        }

        for (int attempt = 0; attempt < span; attempt++)
        {
            int port;
            lock (_portGate)
            {
                port = _nextPort < first || _nextPort > last ? first : _nextPort;
                _nextPort = port >= last ? first : port + 1;
            }

            var bound = new List<BoundSocket>();
            bool taken = false;
            foreach (IPAddress a in addresses)
            {
                try
                {
                    bound.Add(Bind(a, port));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    taken = true;
                    break;
                }
                catch (SocketException e) when (addresses.Count > 1)
                {
                    _logger.LogDebug("cannot bind {Address}: {Error}", a, e.SocketErrorCode);
                }
            }

            if (!taken && bound.Count > 0)
            {
                return [.. bound];
            }

            foreach (BoundSocket b in bound)
            {
                b.Socket.Dispose();
            }
        }

        throw new UdpPortsExhaustedException(first, last);
    }

    private BoundSocket? TryBind(IPAddress address, int port, bool rethrow)
    {
        try
        {
            return Bind(address, port);
        }
        catch (SocketException e) when (!rethrow)
        {
            _logger.LogDebug("cannot bind {Address}:{Port}: {Error}", address, port, e.SocketErrorCode);
            return null;
        }
    }

    private BoundSocket Bind(IPAddress address, int port)
    {
        Socket socket = CreateSocket(new IPEndPoint(address, port));
        return new BoundSocket(socket, new TransportAddress((IPEndPoint)socket.LocalEndPoint!).UnmapIPv4());
    }

    private void SharedReceiveLoop(Socket socket, TransportAddress local)
    {
        byte[] buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var from = new SocketAddress(socket.AddressFamily);
        while (!_disposed)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (!_disposed && e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                // An ICMP error for an earlier send; the socket stays usable.
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Dispatch(local, from, buffer.AsSpan(0, n), null);
        }
    }

    // On the event loop's thread: the datagrams queued on the socket, into the loop thread's buffer, at most
    // DrainBudget per readiness report so that a flood on one socket cannot starve the loop's timers and other
    // sockets (its epoll is level-triggered: what is left is reported again on the next turn).
    private void Drain(Socket socket, TransportAddress local, UdpSessionHandle? owner)
    {
        SocketAddress from = socket.AddressFamily == AddressFamily.InterNetwork
            ? (t_receiveV4 ??= new SocketAddress(AddressFamily.InterNetwork))
            : (t_receiveV6 ??= new SocketAddress(AddressFamily.InterNetworkV6));
        UdpReceiveBatch batch = t_receiveBatch ??= new UdpReceiveBatch();
        int budget = DrainBudget;
        while (budget > 0 && !_disposed && (owner is null || !owner.IsRemoved))
        {
            // One recvmmsg for up to UdpReceiveBatch.Capacity datagrams, each then handed on as before.
            int n = batch.Receive(socket, budget);
            if (n == 0)
            {
                return;
            }

            _loop!.CountRead(n);
            budget -= n;
            for (int i = 0; i < n && !_disposed && (owner is null || !owner.IsRemoved); i++)
            {
                batch.SourceOf(i, from);
                Dispatch(local, from, batch.Datagram(i), owner);
            }

            if (n < UdpReceiveBatch.Capacity)
            {
                // The queue was emptied (or the budget reached): epoll reports the socket again when more arrives.
                return;
            }
        }
    }

    private void Dispatch(TransportAddress local, SocketAddress from, ReadOnlySpan<byte> datagram, UdpSessionHandle? owner)
    {
        if (!TransportAddress.TryReadFrom(from, out TransportAddress remote))
        {
            return;
        }

        remote = remote.UnmapIPv4();
        Interlocked.Increment(ref _received);
        s_received.Add(1);
        if (_options.IncomingFilter is UdpDatagramFilter filter && !filter(remote, datagram))
        {
            Interlocked.Increment(ref _filtered);
            return;
        }

        UdpSessionHandle? handle = owner ?? Route(remote, datagram);
        if (handle is null)
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }

        lock (handle.Gate)
        {
            if (handle.IsRemoved)
            {
                return;
            }

            try
            {
                TimeSpan now = Now;
                handle.Endpoint.HandleDatagram(local, remote, datagram, now);
                AfterInput(handle, now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Fault(handle, e);
            }
        }
    }

    // Under handle.Gate: an exception escaped from a call into the session. Its state is unknown, so it is removed
    // (socket, routes, timers) and its owner told; the loop, timer and every other session carry on.
    private void Fault(UdpSessionHandle handle, Exception e)
    {
        Interlocked.Increment(ref _faults);
        Volatile.Write(ref _lastFault, e.GetType().Name + ": " + e.Message);
        Remove(handle);
        try
        {
            handle.OnFault?.Invoke(handle, e);
        }
        catch (Exception callback) when (callback is not OutOfMemoryException)
        {
            // The owner's handler failed too; the session is already gone.
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, TransportAddress local, UdpSessionHandle owner)
    {
        byte[] buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var from = new SocketAddress(socket.AddressFamily);
        while (!_disposed && !owner.IsRemoved)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (!_disposed && e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                // An ICMP error for an earlier send; the socket stays usable.
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Dispatch(local, from, buffer.AsSpan(0, n), owner);
        }
    }

    /// <summary>Shared socket: the session for a datagram, by remote address, or by the STUN USERNAME of a new address.</summary>
    private UdpSessionHandle? Route(TransportAddress remote, ReadOnlySpan<byte> datagram)
    {
        if (_routes.TryGetValue(remote, out UdpSessionHandle? known))
        {
            return known;
        }

        if (PacketDemultiplexer.Classify(datagram) != PacketKind.Stun
            || StunMessageReader.TryParse(datagram, out StunMessageReader msg) != StunParseStatus.Ok
            || msg.Class != StunClass.Request
            || !msg.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> username))
        {
            return null;
        }

        // RFC 8445 §7.2.2: USERNAME is "receiver-ufrag:sender-ufrag"; the receiver's part is ours.
        int colon = username.IndexOf((byte)':');
        ReadOnlySpan<byte> ours = colon < 0 ? username : username[..colon];
        foreach (UdpSessionHandle h in _handles.Keys)
        {
            if (h.IsRemoved || h.Endpoint is not IIceDatagramEndpoint ice)
            {
                continue;
            }

            string ufrag;
            lock (h.Gate)
            {
                ufrag = ice.LocalIceUfrag;
            }

            if (Utf8Equals(ours, ufrag))
            {
                // No route yet: a request is only routed. The session answers an unauthenticated one with an
                // error and keeps no state (RFC 8445 §7.3); an authenticated one from a new address makes it
                // send a triggered check there, and that request adds the route (SendProduced). So a flood of
                // forged requests from many ports leaves nothing behind in the host either.
                return h;
            }
        }

        return null;
    }

    /// <summary>RFC 8489 §5: a STUN message (first two bits 0) of class request (C1 = C0 = 0).</summary>
    private static bool IsStunRequest(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 20 && datagram[0] < 0x40 && (BinaryPrimitives.ReadUInt16BigEndian(datagram) & 0x0110) == 0;

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The host's one timer: wakes every session whose scheduled deadline has come, then re-arms for the next.</summary>
    private void OnTimerTick()
    {
        lock (_timerGate)
        {
            _timerArmedFor = TimeSpan.MaxValue;
        }

        AdaptRetransmissionBudget();

        while (!_disposed)
        {
            UdpSessionHandle handle;
            TimeSpan due;
            lock (_timerGate)
            {
                if (!_deadlines.TryPeek(out handle!, out due))
                {
                    return;
                }

                if (due > Now)
                {
                    ArmTimer(due);
                    return;
                }

                _deadlines.Dequeue();
            }

            OnTimer(handle, due);
        }
    }

    // Under _timerGate.
    private void ArmTimer(TimeSpan due)
    {
        if (due < _timerArmedFor)
        {
            _timerArmedFor = due;
            TimeSpan delay = due - Now;
            _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer(UdpSessionHandle handle, TimeSpan scheduled)
    {
        lock (handle.Gate)
        {
            if (handle.IsRemoved || handle.ArmedFor != scheduled)
            {
                // Superseded by an earlier deadline that has already run and rescheduled the session.
                return;
            }

            handle.ArmedFor = TimeSpan.MaxValue;
            try
            {
                TimeSpan now = Now;
                if (handle.Endpoint.PollTimeout() is TimeSpan due && due <= now)
                {
                    handle.Endpoint.HandleTimeout(now);
                }

                AfterInput(handle, now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Fault(handle, e);
            }
        }
    }

    // Under handle.Gate: let the application react, send everything produced, re-arm the timer.
    private void AfterInput(UdpSessionHandle handle, TimeSpan now)
    {
        handle.OnActivity?.Invoke(handle, now);
        if (!SendProduced(handle))
        {
            return;
        }

        TimeSpan? next = handle.Endpoint.PollTimeout();
        if (next is TimeSpan due && due <= now)
        {
            // The input made a deadline due at once (e.g. a peer's ICE check queued a triggered check and the
            // pacing slot, RFC 8445 §6.1.4.2, has already come): run it now instead of after a timer wake-up,
            // which costs a scheduler round trip (0.4-3 ms measured on the connect-time benchmark).
            handle.Endpoint.HandleTimeout(now);
            if (!SendProduced(handle))
            {
                return;
            }

            next = handle.Endpoint.PollTimeout();
        }

        // Only a deadline earlier than the one already queued needs a queue entry (ArmedFor is the earliest
        // queued one): a later one is found when the queued one fires and nothing is due yet. A session with
        // no deadline keeps its queued entry, which then finds nothing due.
        if (next is TimeSpan at && at < handle.ArmedFor)
        {
            handle.ArmedFor = at;
            lock (_timerGate)
            {
                _deadlines.Enqueue(handle, at);
                ArmTimer(at);
            }
        }
    }

    // The socket bound to the transmit's source (one per interface address); with a single socket, that one.
    private static Socket? SocketFor(UdpSessionHandle handle, TransportAddress source)
    {
        BoundSocket[] sockets = handle.Sockets;
        if (sockets.Length == 1)
        {
            return sockets[0].Socket;
        }

        foreach (BoundSocket b in sockets)
        {
            if (b.Local == source)
            {
                return b.Socket;
            }
        }

        return null;
    }

    // Under handle.Gate: a message for the TCP/TLS connection to a TURN server, opened on first use (RFC 8656 §3.1).
    private void SendOnTurnStream(UdpSessionHandle handle, DatagramTransmit t, ReadOnlySpan<byte> message)
    {
        if (handle.Endpoint is not ITurnStreamEndpoint endpoint)
        {
            Interlocked.Increment(ref _sendErrors);
            return;
        }

        var key = (t.Source, t.Destination, t.Transport);
        handle.TurnStreams ??= [];
        if (!handle.TurnStreams.TryGetValue(key, out TurnStreamConnection? connection))
        {
            TurnStreamConnection? created = null;
            created = new TurnStreamConnection(
                t.Source,
                t.Destination,
                t.Transport,
                endpoint.GetTurnServerName(t.Destination, t.Transport),
                _options.TurnCertificateValidation,
                _options.TurnConnectTimeout,
                m => OnTurnStreamMessage(handle, created!, m),
                reason => OnTurnStreamClosed(handle, created!, reason),
                _logger);
            connection = created;
            handle.TurnStreams[key] = connection;
            connection.Start();
        }

        if (connection.TrySend(message))
        {
            Interlocked.Increment(ref _sent);
        }
        else
        {
            Interlocked.Increment(ref _sendErrors);
        }
    }

    private void OnTurnStreamMessage(UdpSessionHandle handle, TurnStreamConnection connection, ReadOnlySpan<byte> message)
    {
        Interlocked.Increment(ref _received);
        lock (handle.Gate)
        {
            if (handle.IsRemoved)
            {
                return;
            }

            TimeSpan now = Now;
            ((ITurnStreamEndpoint)handle.Endpoint).HandleTurnStreamMessage(connection.Local, connection.Server, connection.Transport, message, now);
            AfterInput(handle, now);
        }
    }

    private void OnTurnStreamClosed(UdpSessionHandle handle, TurnStreamConnection connection, string reason)
    {
        lock (handle.Gate)
        {
            if (handle.IsRemoved || handle.TurnStreams is null
                || !handle.TurnStreams.Remove((connection.Local, connection.Server, connection.Transport), out TurnStreamConnection? known) || known != connection)
            {
                return;
            }

            _logger.LogDebug("TURN {Transport} connection to {Server} closed: {Reason}", connection.Transport, connection.Server, reason);
            TimeSpan now = Now;
            ((ITurnStreamEndpoint)handle.Endpoint).HandleTurnStreamClosed(connection.Local, connection.Server, connection.Transport, reason, now);
            AfterInput(handle, now);
        }
    }

    private static void CloseTurnStreams(UdpSessionHandle handle)
    {
        List<TurnStreamConnection>? streams = null;
        lock (handle.Gate)
        {
            if (handle.TurnStreams is { Count: > 0 } open)
            {
                streams = [.. open.Values];
                open.Clear();
            }
        }

        if (streams is not null)
        {
            foreach (TurnStreamConnection c in streams)
            {
                c.Dispose();
            }
        }
    }

    // Under handle.Gate: sends every datagram the endpoint produced; false once the socket is gone.
    private bool SendProduced(UdpSessionHandle handle)
    {
        if (_loop is not null)
        {
            return SendProducedBatched(handle);
        }

        byte[] buffer = t_sendBuffer ??= GC.AllocateArray<byte>(BufferSize, pinned: true);
        while (handle.Endpoint.TryPollTransmit(buffer, out DatagramTransmit t))
        {
            if (t.Transport != TurnTransport.Udp)
            {
                SendOnTurnStream(handle, t, buffer.AsSpan(0, t.Length));
                continue;
            }

            Socket? socket = SocketFor(handle, t.Source);
            if (socket is null)
            {
                Interlocked.Increment(ref _sendErrors);
                continue;
            }

            if (!handle.OwnsSocket && IsStunRequest(buffer.AsSpan(0, t.Length)) && !_routes.ContainsKey(t.Destination))
            {
                // Our own requests (connectivity checks, TURN): their responses come back from this address.
                // Responses we send (to requests that may be forged) add no route.
                if (_routes.TryAdd(t.Destination, handle))
                {
                    handle.Routes.Add(t.Destination);
                }
            }

            SocketAddress to = t.Destination.IsIPv4 && socket.AddressFamily == AddressFamily.InterNetwork
                ? (t_v4 ??= new SocketAddress(AddressFamily.InterNetwork))
                : (t_v6 ??= new SocketAddress(AddressFamily.InterNetworkV6));
            t.Destination.WriteTo(to);
            try
            {
                socket.SendTo(buffer.AsSpan(0, t.Length), SocketFlags.None, to);
                Interlocked.Increment(ref _sent);
                s_sent.Add(1);
            }
            catch (SocketException e)
            {
                Interlocked.Increment(ref _sendErrors);
                _logger.LogDebug("send to {Destination}: {Error}", t.Destination, e.SocketErrorCode);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        return true;
    }

    // On an event loop (Linux x64): what the session produced, gathered per socket and sent with one sendmmsg per up to
    // UdpSendBatch.Capacity datagrams (UdpSendBatch); otherwise as SendProduced does it, one sendto each.
    private bool SendProducedBatched(UdpSessionHandle handle)
    {
        UdpSendBatch batch = t_sendBatch ??= new UdpSendBatch();
        while (handle.Endpoint.TryPollTransmit(batch.NextSlot, out DatagramTransmit t))
        {
            Span<byte> datagram = batch.NextSlot[..t.Length];
            if (t.Transport != TurnTransport.Udp)
            {
                SendOnTurnStream(handle, t, datagram);
                continue;
            }

            Socket? socket = SocketFor(handle, t.Source);
            if (socket is null)
            {
                Interlocked.Increment(ref _sendErrors);
                continue;
            }

            if (!handle.OwnsSocket && IsStunRequest(datagram) && !_routes.ContainsKey(t.Destination))
            {
                if (_routes.TryAdd(t.Destination, handle))
                {
                    handle.Routes.Add(t.Destination);
                }
            }

            if (batch.Count > 0 && !ReferenceEquals(batch.Socket, socket))
            {
                // The datagram is in the next slot, which the flush leaves alone; it moves to slot 0 after it.
                datagram.CopyTo(t_batchScratch ??= new byte[UdpSendBatch.SlotSize]);
                FlushBatch(batch);
                t_batchScratch.AsSpan(0, t.Length).CopyTo(batch.NextSlot);
            }

            SocketAddress to = t.Destination.IsIPv4 && socket.AddressFamily == AddressFamily.InterNetwork
                ? (t_v4 ??= new SocketAddress(AddressFamily.InterNetwork))
                : (t_v6 ??= new SocketAddress(AddressFamily.InterNetworkV6));
            t.Destination.WriteTo(to);
            batch.Add(socket, t.Length, to);
            if (batch.Count == UdpSendBatch.Capacity)
            {
                FlushBatch(batch);
            }
        }

        FlushBatch(batch);
        return true;
    }

    private void FlushBatch(UdpSendBatch batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        int sent = batch.Flush(out int failed);
        if (sent > 0)
        {
            Interlocked.Add(ref _sent, sent);
            s_sent.Add(sent);
        }

        if (failed > 0)
        {
            Interlocked.Add(ref _sendErrors, failed);
            _logger.LogDebug("sendmmsg: {Failed} datagrams refused", failed);
        }
    }
}
