using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// One thread that runs any number of <see cref="UdpSessionHost"/>s to completion: it waits in Linux
/// <c>epoll_wait</c> on all their sockets, drains each ready socket with non-blocking <c>recvmmsg</c> (up to 32 datagrams a call), runs the
/// hosts' session timers and the work posted to it, all on itself. Nothing hops between threads for a datagram or
/// a deadline, so on a busy core the scheduler does not switch once per datagram (the hosts' default mode runs a
/// receive thread, the runtime's socket engine and thread pool, and a timer thread). Give a host this loop with
/// <see cref="UdpSessionHostOptions.EventLoop"/>; run application work that should not cross threads (a media
/// clock, for example) with <see cref="Post(Action)"/> and <see cref="PostAt(TimeSpan, Action)"/>.
/// Linux on x64 only (<see cref="IsSupported"/>: the epoll_event layout it reads is x64's).
/// </summary>
public sealed partial class UdpEventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const uint EpollIn = 0x001;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int EfdCloexec = 0x80000;
    private const int WakeKey = -1;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly int _cpu;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<int, Action> _registrations = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Lock _timerGate = new();
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly PriorityQueue<Action, TimeSpan> _delayed = new();
    private volatile bool _disposed;
    private int _wakePending;
    private long _datagramsRead; // written by the loop thread only
    private long _windowStart = Stopwatch.GetTimestamp(); // loop thread writes, any thread reads
    private long _windowBusy;
    private long _lastUtilisationPpm; // parts per million of the last closed window

    /// <summary>Creates the loop and starts its thread, which the OS may run on any CPU.</summary>
    public UdpEventLoop()
        : this(-1)
    {
    }

    /// <summary>
    /// Creates the loop and starts its thread pinned to one CPU (<c>sched_setaffinity</c> of the loop thread only), the
    /// layout of one loop per core: the thread never migrates, so its sockets' data and its sessions stay in that core's
    /// caches. A negative <paramref name="cpu"/> leaves the thread unpinned.
    /// </summary>
    /// <param name="cpu">The CPU number (0 to <see cref="Environment.ProcessorCount"/> - 1), or -1 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cpu"/> is not below 1,024.</exception>
    public UdpEventLoop(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, 1024);
        _cpu = cpu;
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("UdpEventLoop needs Linux epoll on x64");
        }

        _epoll = EpollCreate1(EpollCloexec);
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _wakeFd = EventFd(0, EfdNonblock | EfdCloexec);
        if (_wakeFd < 0 || !Add(_wakeFd, WakeKey))
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(_epoll);
            throw new InvalidOperationException($"eventfd failed: errno {errno}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "rtcstack-udp-loop" };
        _thread.Start();
    }

    /// <summary>Gets whether this platform has the loop (Linux on x64).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Gets the loop's monotonic clock (time since it was created), the time <see cref="PostAt"/> takes.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>
    /// Gets the CPU the loop thread is pinned to, or -1 when it was not asked to be or the OS refused (the pin is set
    /// by the thread as it starts, so this may read -1 for a moment after construction).
    /// </summary>
    public int PinnedCpu { get; private set; } = -1;

    /// <summary>Gets whether the calling thread is the loop's thread.</summary>
    public bool IsLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>
    /// Gets the share of wall time the loop's thread spent working (not waiting in epoll_wait) over about the last
    /// second, 0 to 1: what admission control asks before taking one more session. A loop that has been idle for
    /// more than a second reports its idle share so far.
    /// </summary>
    public double Utilisation
    {
        get
        {
            long start = Volatile.Read(ref _windowStart);
            long elapsed = Stopwatch.GetTimestamp() - start;
            double last = Volatile.Read(ref _lastUtilisationPpm) / 1e6;
            return elapsed > 2 * Stopwatch.Frequency ? Math.Min(last, (double)Volatile.Read(ref _windowBusy) / elapsed) : last;
        }
    }

    /// <summary>Gets the number of datagrams the loop has read.</summary>
    public long DatagramsRead => Volatile.Read(ref _datagramsRead);

    /// <summary>Runs <paramref name="action"/> on the loop thread, after what it is doing now.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _posted.Enqueue(action);
        if (!IsLoopThread)
        {
            Wake();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread once <see cref="Now"/> reaches <paramref name="due"/>.</summary>
    public void PostAt(TimeSpan due, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_timerGate)
        {
            _delayed.Enqueue(action, due);
        }

        if (!IsLoopThread)
        {
            Wake();
        }
    }

    /// <summary>Stops the thread and closes the epoll instance (the hosts' sockets are theirs to close).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Wake();
        if (!IsLoopThread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _ = Close(_wakeFd);
        _ = Close(_epoll);
    }

    /// <summary>Creates a timer whose callback runs on the loop thread (what a host schedules its sessions with).</summary>
    internal ITimer CreateTimer(Action callback) => new LoopTimer(this, callback);

    /// <summary>Watches <paramref name="socket"/>; <paramref name="onReadable"/> runs on the loop thread when it has datagrams.</summary>
    internal void Register(Socket socket, Action onReadable)
    {
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        _registrations[fd] = onReadable;
        if (!Add(fd, fd))
        {
            _registrations.TryRemove(fd, out _);
            throw new InvalidOperationException($"epoll_ctl ADD failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Stops watching <paramref name="socket"/> (call before closing it).</summary>
    internal void Unregister(Socket socket)
    {
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        if (_registrations.TryRemove(fd, out _))
        {
            var ev = default(EpollEvent);
            _ = EpollCtl(_epoll, EpollCtlDel, fd, ref ev);
        }
    }

    /// <summary>Counts <paramref name="n"/> datagrams read on the loop thread by a batch read (<see cref="DatagramsRead"/>).</summary>
    internal void CountRead(int n) => Volatile.Write(ref _datagramsRead, _datagramsRead + n);

    private bool Add(int fd, int key)
    {
        var ev = new EpollEvent { Events = EpollIn, Data = (ulong)(uint)key };
        return EpollCtl(_epoll, EpollCtlAdd, fd, ref ev) == 0;
    }

    private unsafe void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 1)
        {
            return;
        }

        ulong one = 1;
        _ = Write(_wakeFd, &one, sizeof(ulong));
    }

    private unsafe void Run()
    {
        EpollEvent* events = stackalloc EpollEvent[MaxEvents];
        if (_cpu >= 0)
        {
            // pid 0 is the calling thread. A CPU the process may not use (a cgroup or taskset excludes it) fails with
            // EINVAL; the loop then runs unpinned rather than not at all.
            ulong* mask = stackalloc ulong[16];
            new Span<ulong>(mask, 16).Clear();
            mask[_cpu / 64] = 1UL << (_cpu % 64);
            PinnedCpu = SchedSetAffinity(0, 16 * sizeof(ulong), mask) == 0 ? _cpu : -1;
        }

        while (!_disposed)
        {
            int n = EpollWait(_epoll, events, MaxEvents, WaitMilliseconds());
            long woke = Stopwatch.GetTimestamp();
            for (int i = 0; i < n && !_disposed; i++)
            {
                int key = (int)(uint)events[i].Data;
                if (key == WakeKey)
                {
                    ulong value;
                    _ = Read(_wakeFd, &value, sizeof(ulong));
                    Volatile.Write(ref _wakePending, 0);
                    continue;
                }

                if (_registrations.TryGetValue(key, out Action? onReadable))
                {
                    onReadable();
                }
            }

            RunDue();
            while (!_disposed && _posted.TryDequeue(out Action? action))
            {
                action();
            }

            AccountBusy(woke);
        }
    }

    // Loop thread: adds the time since epoll_wait returned to the window, and closes the window each second.
    private void AccountBusy(long woke)
    {
        long done = Stopwatch.GetTimestamp();
        long busy = _windowBusy + (done - woke);
        long elapsed = done - _windowStart;
        if (elapsed >= Stopwatch.Frequency)
        {
            Volatile.Write(ref _lastUtilisationPpm, Math.Min(1_000_000, busy * 1_000_000 / elapsed));
            Volatile.Write(ref _windowBusy, 0);
            Volatile.Write(ref _windowStart, done);
        }
        else
        {
            Volatile.Write(ref _windowBusy, busy);
        }
    }

    // Milliseconds until the earliest timer or delayed action (-1: none; 0: one is due or work is posted).
    private int WaitMilliseconds()
    {
        if (!_posted.IsEmpty)
        {
            return 0;
        }

        long next = long.MaxValue;
        lock (_timerGate)
        {
            if (_timers.TryPeek(out _, out long at))
            {
                next = at;
            }

            if (_delayed.TryPeek(out _, out TimeSpan due))
            {
                next = Math.Min(next, due.Ticks);
            }
        }

        if (next == long.MaxValue)
        {
            return -1;
        }

        long wait = next - Now.Ticks;
        return wait <= 0 ? 0 : (int)Math.Min((wait + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, int.MaxValue);
    }

    private void RunDue()
    {
        while (!_disposed)
        {
            Action? action = null;
            LoopTimer? timer = null;
            long now = Now.Ticks;
            lock (_timerGate)
            {
                if (_delayed.TryPeek(out Action? a, out TimeSpan due) && due.Ticks <= now)
                {
                    action = _delayed.Dequeue();
                }
                else if (_timers.TryPeek(out LoopTimer? t, out long at) && at <= now)
                {
                    _timers.Dequeue();
                    if (t.DueAt == at)
                    {
                        t.DueAt = long.MaxValue;
                        timer = t;
                    }
                }
                else
                {
                    return;
                }
            }

            action?.Invoke();
            timer?.Callback();
        }
    }

    private void Arm(LoopTimer timer, long dueAt)
    {
        lock (_timerGate)
        {
            timer.DueAt = dueAt;
            if (dueAt != long.MaxValue)
            {
                _timers.Enqueue(timer, dueAt);
            }
        }

        if (dueAt != long.MaxValue && !IsLoopThread)
        {
            Wake();
        }
    }

    // A one-shot timer on the loop (ITimer as the hosts use TimeProvider timers); a re-arm supersedes the old entry.
    private sealed class LoopTimer(UdpEventLoop loop, Action callback) : ITimer
    {
        public Action Callback { get; } = callback;

        // Under the loop's timer lock: the armed instant in ticks of Now, long.MaxValue when disarmed.
        public long DueAt { get; set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            loop.Arm(this, dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : loop.Now.Ticks + Math.Max(dueTime.Ticks, 0));
            return true;
        }

        public void Dispose() => loop.Arm(this, long.MaxValue);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    // struct epoll_event is packed on x86-64 (12 bytes: the 64-bit data right after the 32-bit events), which is
    // why the loop is x64-only (arm64 aligns it to 16 bytes).
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, ref EpollEvent ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, void* buffer, nuint count);

}
