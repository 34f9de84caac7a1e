using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests.Io;

/// <summary>The UDP driver on 127.0.0.1: dispatch, send routing, TimeProvider-driven timers, shutdown.</summary>
public sealed class UdpDriverTests
{
    /// <summary>Echoes every datagram back; counts timeouts; can be told to send.</summary>
    private sealed class EchoEndpoint : IDatagramEndpoint
    {
        private readonly Queue<(TransportAddress From, TransportAddress To, byte[] Data)> _out = new();

        public TimeSpan? Deadline { get; set; }

        public int Timeouts { get; private set; }

        public ConcurrentQueue<(TransportAddress Local, TransportAddress Remote, byte[] Data)> Received { get; } = new();

        public bool Echo { get; set; } = true;

        public bool Stopped { get; set; }

        public void Queue(TransportAddress from, TransportAddress to, byte[] data) => _out.Enqueue((from, to, data));

        public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
        {
            Assert.False(Stopped, "called after Dispose");
            Received.Enqueue((local, remote, datagram.ToArray()));
            if (Echo)
            {
                _out.Enqueue((local, remote, datagram.ToArray()));
            }
        }

        public void HandleTimeout(TimeSpan now)
        {
            Timeouts++;
            Deadline = null;
        }

        public TimeSpan? PollTimeout() => Deadline;

        public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
        {
            if (_out.TryDequeue(out var o))
            {
                o.Data.CopyTo(buffer);
                transmit = new DatagramTransmit(o.From, o.To, o.Data.Length);
                return true;
            }

            transmit = default;
            return false;
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void RoutesDatagramsBothWays_WithSourceAndRemoteAddresses()
    {
        var a = new EchoEndpoint { Echo = false };
        var b = new EchoEndpoint();
        using var da = new UdpDriver(a);
        using var db = new UdpDriver(b);
        TransportAddress a1 = da.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        TransportAddress a2 = da.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        TransportAddress bAddr = db.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        da.Start();
        db.Start();
        for (int i = 0; i < 100; i++)
        {
            byte[] payload = [(byte)i, 1, 2, 3];
            da.Invoke((_, _) => a.Queue(i % 2 == 0 ? a1 : a2, bAddr, payload));
        }

        WaitFor(() => a.Received.Count == 100, "100 echoes");
        Assert.All(b.Received, r => Assert.Equal(bAddr, r.Local));
        Assert.Equal(50, b.Received.Count(r => r.Remote == a1));
        Assert.Equal(50, b.Received.Count(r => r.Remote == a2));
        Assert.All(a.Received, r => Assert.Equal(bAddr, r.Remote));
        Assert.Equal(50, a.Received.Count(r => r.Local == a2));
        Assert.Equal(100, da.DatagramsSent);
        Assert.Equal(100, db.DatagramsReceived);
    }

    [Fact]
    public void Timer_FollowsTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var e = new EchoEndpoint();
        using var d = new UdpDriver(e, time);
        d.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        d.Start();
        d.Invoke((_, now) => e.Deadline = now + TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(1));
        Thread.Sleep(50);
        int before = 0;
        d.Invoke((_, _) => before = e.Timeouts);
        Assert.Equal(0, before);
        time.Advance(TimeSpan.FromSeconds(1));
        WaitFor(() =>
        {
            int n = 0;
            d.Invoke((_, _) => n = e.Timeouts);
            return n == 1;
        }, "the timeout");
        Assert.Equal(TimeSpan.FromSeconds(2), d.Now);
    }

    [Fact]
    public void Dispose_StopsThreadsAndCalls()
    {
        var e = new EchoEndpoint();
        var d = new UdpDriver(e);
        TransportAddress addr = d.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        d.Start();
        var start = DateTime.UtcNow;
        d.Dispose();
        Assert.True(DateTime.UtcNow - start < TimeSpan.FromSeconds(2));
        e.Stopped = true;

        // Nothing reaches the endpoint any more; Invoke after Dispose is a no-op.
        using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        s.SendTo(new byte[] { 1 }, addr.ToIPEndPoint());
        bool ran = false;
        d.Invoke((_, _) => ran = true);
        Assert.False(ran);
        d.Dispose();
    }
}
