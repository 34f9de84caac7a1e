using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests.Io;

/// <summary><see cref="UdpEventLoop"/>: posted work, delayed work and timers run on its one thread, in time order.</summary>
public sealed class UdpEventLoopTests
{
    [Fact]
    public async Task PostedAndDelayedWorkRunsOnTheLoopThreadInTimeOrder()
    {
        using var loop = new UdpEventLoop();
        Assert.True(UdpEventLoop.IsSupported);
        var order = new ConcurrentQueue<string>();
        var threads = new ConcurrentBag<bool>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TimeSpan start = loop.Now;
        loop.PostAt(start + TimeSpan.FromMilliseconds(60), () =>
        {
            threads.Add(loop.IsLoopThread);
            order.Enqueue("60ms");
            Assert.True(loop.Now - start >= TimeSpan.FromMilliseconds(60));
            done.SetResult();
        });
        loop.PostAt(start + TimeSpan.FromMilliseconds(20), () =>
        {
            threads.Add(loop.IsLoopThread);
            order.Enqueue("20ms");

            // Work posted from the loop itself runs after the current step.
            loop.Post(() => order.Enqueue("posted from the loop"));
        });
        loop.Post(() =>
        {
            threads.Add(loop.IsLoopThread);
            order.Enqueue("now");
        });
        Assert.False(loop.IsLoopThread);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["now", "20ms", "posted from the loop", "60ms"], order.ToArray());
        Assert.All(threads, Assert.True);
    }

    [Fact]
    public async Task AHostsTimersRunOnTheLoopAndDatagramsAreDrainedThere()
    {
        // A host with an endpoint that only counts: its datagrams arrive through the loop's epoll, and a
        // deadline it asks for fires on the loop thread.
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop });
        var endpoint = new CountingEndpoint(loop);
        UdpSessionHandle handle = host.Add(endpoint);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, handle.LocalAddress.Port);
        for (int i = 0; i < 100; i++)
        {
            sender.SendTo(new byte[] { 0x80, (byte)i }, to);
        }

        handle.Invoke(now => endpoint.Deadline = now + TimeSpan.FromMilliseconds(30));
        await endpoint.TimedOut.Task.WaitAsync(TimeSpan.FromSeconds(5));
        for (int i = 0; i < 50 && Volatile.Read(ref endpoint.Datagrams) < 100; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(100, Volatile.Read(ref endpoint.Datagrams));
        Assert.True(endpoint.AllOnLoop);
        Assert.Equal(100, loop.DatagramsRead);
        host.Remove(handle);
    }

    [Fact]
    public void DisposeStopsTheLoopAndRefusesNewWork()
    {
        var loop = new UdpEventLoop();
        loop.Dispose();
        loop.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loop.Post(() => { }));
    }

    private sealed class CountingEndpoint(UdpEventLoop loop) : IDatagramEndpoint
    {
        public int Datagrams;

        public TimeSpan? Deadline { get; set; }

        public bool AllOnLoop { get; private set; } = true;

        public TaskCompletionSource TimedOut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HandleDatagram(Stun.TransportAddress local, Stun.TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
        {
            AllOnLoop &= loop.IsLoopThread;
            Interlocked.Increment(ref Datagrams);
        }

        public void HandleTimeout(TimeSpan now)
        {
            if (Deadline is TimeSpan d && now >= d)
            {
                AllOnLoop &= loop.IsLoopThread;
                Deadline = null;
                TimedOut.TrySetResult();
            }
        }

        public TimeSpan? PollTimeout() => Deadline;

        public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
        {
            transmit = default;
            return false;
        }
    }
}
