using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Runs one <see cref="IDatagramEndpoint"/> over real UDP sockets: the only place (with the CLI)
/// where sockets, threads and a clock meet the sans-IO modules (docs/ARCHITECTURE.md).
/// </summary>
/// <remarks>
/// One receive thread per bound socket uses the allocation-free
/// <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, SocketAddress)"/>; sends use
/// <see cref="Socket.SendTo(ReadOnlySpan{byte}, SocketFlags, SocketAddress)"/> with a reused
/// <see cref="SocketAddress"/>. Time comes from a <see cref="TimeProvider"/> (fake in tests) and
/// deadlines from one <see cref="ITimer"/> re-armed to the endpoint's <see cref="IDatagramEndpoint.PollTimeout"/>.
/// Every call into the endpoint happens under one lock, so the endpoint needs no locking of its
/// own; <see cref="Invoke"/> runs application calls (adding candidates, sending data) the same way.
/// Steady-state receive, dispatch and send allocate nothing.
/// </remarks>
public sealed class UdpDriver : IDisposable
{
    private const int BufferSize = 2048;
    private static readonly Counter<long> s_received = UdpMeter.Instance.CreateCounter<long>("rtcstack.udp.datagrams_received");
    private static readonly Counter<long> s_sent = UdpMeter.Instance.CreateCounter<long>("rtcstack.udp.datagrams_sent");

    private readonly IDatagramEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _start;
    private readonly Lock _gate = new();
    private readonly List<BoundSocket> _sockets = [];
    private readonly byte[] _sendBuffer = new byte[BufferSize];
    private ITimer? _timer;
    private TimeSpan _armedFor = TimeSpan.MaxValue;
    private volatile bool _stopping;
    private bool _started;

    /// <summary>Initializes a new driver for <paramref name="endpoint"/>.</summary>
    public UdpDriver(IDatagramEndpoint endpoint, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _start = _time.GetTimestamp();
    }

    /// <summary>Gets the driver's monotonic clock: time since it was created.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_start);

    /// <summary>Gets the number of datagrams received.</summary>
    public long DatagramsReceived { get; private set; }

    /// <summary>Gets the number of datagrams sent.</summary>
    public long DatagramsSent { get; private set; }

    /// <summary>Gets the number of sends the OS refused (unreachable, no buffer...).</summary>
    public long SendErrors { get; private set; }

    /// <summary>Binds a UDP socket (port 0 picks one) and returns its actual address. Call before <see cref="Start"/>.</summary>
    public TransportAddress Bind(IPEndPoint localEndPoint)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        if (_started)
        {
            throw new InvalidOperationException("bind sockets before Start");
        }

        var socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(localEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var address = new TransportAddress((IPEndPoint)socket.LocalEndPoint!);
        _sockets.Add(new BoundSocket(socket, address));
        return address;
    }

    /// <summary>Gets the addresses of the bound sockets.</summary>
    public IReadOnlyList<TransportAddress> LocalAddresses
    {
        get
        {
            var list = new List<TransportAddress>(_sockets.Count);
            foreach (BoundSocket s in _sockets)
            {
                list.Add(s.Address);
            }

            return list;
        }
    }

    /// <summary>Starts the receive threads and the timer.</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _timer = _time.CreateTimer(static s => ((UdpDriver)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (BoundSocket s in _sockets)
        {
            s.Thread = new Thread(() => ReceiveLoop(s)) { IsBackground = true, Name = "rtcstack-udp " + s.Address };
            s.Thread.Start();
        }

        Invoke(static (_, _) => { });
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the endpoint under the driver's lock with the current
    /// time, then sends what it produced and re-arms the timer. Use it for every API call into the
    /// endpoint from outside the driver.
    /// </summary>
    public void Invoke(Action<IDatagramEndpoint, TimeSpan> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            action(_endpoint, Now);
            FlushAndArm();
        }
    }

    /// <summary>Stops: no more calls into the endpoint, sockets closed, receive threads joined.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            _timer?.Dispose();
        }

        foreach (BoundSocket s in _sockets)
        {
            s.Socket.Dispose();
        }

        foreach (BoundSocket s in _sockets)
        {
            s.Thread?.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void ReceiveLoop(BoundSocket bound)
    {
        byte[] buffer = new byte[BufferSize];
        var from = new SocketAddress(bound.Socket.AddressFamily);
        while (!_stopping)
        {
            int n;
            try
            {
                n = bound.Socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (!_stopping)
            {
                // ICMP errors surface here on some platforms; the socket stays usable.
                _logger.LogDebug("receive on {Address}: {Error}", bound.Address, e.SocketErrorCode);
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (!TransportAddress.TryReadFrom(from, out TransportAddress remote))
            {
                continue;
            }

            lock (_gate)
            {
                if (_stopping)
                {
                    return;
                }

                DatagramsReceived++;
                s_received.Add(1);
                _endpoint.HandleDatagram(bound.Address, remote.UnmapIPv4(), buffer.AsSpan(0, n), Now);
                FlushAndArm();
            }
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _armedFor = TimeSpan.MaxValue;
            TimeSpan now = Now;
            if (_endpoint.PollTimeout() is TimeSpan due && due <= now)
            {
                _endpoint.HandleTimeout(now);
            }

            FlushAndArm();
        }
    }

    // Called under _gate: send everything the endpoint produced, then arm the timer for its next deadline.
    private void FlushAndArm()
    {
        while (_endpoint.TryPollTransmit(_sendBuffer, out DatagramTransmit t))
        {
            // UDP only: TURN over TCP/TLS needs a UdpSessionHost, which owns the connections.
            BoundSocket? socket = t.Transport == Stun.Turn.TurnTransport.Udp ? FindSocket(t.Source) : null;
            if (socket is null)
            {
                SendErrors++;
                continue;
            }

            SocketAddress to = socket.Destination;
            t.Destination.WriteTo(to);
            try
            {
                socket.Socket.SendTo(_sendBuffer.AsSpan(0, t.Length), SocketFlags.None, to);
                DatagramsSent++;
                s_sent.Add(1);
            }
            catch (SocketException)
            {
                SendErrors++;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }

        if (_endpoint.PollTimeout() is TimeSpan next)
        {
            if (next != _armedFor)
            {
                _armedFor = next;
                TimeSpan delay = next - Now;
                _timer?.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }
        else if (_armedFor != TimeSpan.MaxValue)
        {
            _armedFor = TimeSpan.MaxValue;
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private BoundSocket? FindSocket(TransportAddress source)
    {
        foreach (BoundSocket s in _sockets)
        {
            if (s.Address == source)
            {
                return s;
            }
        }

        return null;
    }

    private sealed class BoundSocket(Socket socket, TransportAddress address)
    {
        public Socket Socket { get; } = socket;

        public TransportAddress Address { get; } = address;

        public SocketAddress Destination { get; } = new(socket.AddressFamily);

        public Thread? Thread { get; set; }
    }
}
