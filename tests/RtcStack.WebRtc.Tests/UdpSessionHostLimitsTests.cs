using System.Net;
using System.Net.Sockets;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests;

/// <summary>What a host knows about its limits: its load, whether one more session fits, and what the kernel dropped.</summary>
public sealed class UdpSessionHostLimitsTests
{
    private static void Spin(TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            Thread.SpinWait(1000);
        }
    }

    [Fact]
    public async Task EventLoopUtilisationCountsTheTimeItWorks()
    {
        using var loop = new UdpEventLoop();
        var done = new TaskCompletionSource();

        // The loop thread works for 1.5 s without waiting: whatever else the machine does, that is wall time the
        // loop did not spend in epoll_wait, so the window that closes during it reports (nearly) fully busy.
        loop.Post(() =>
        {
            Spin(TimeSpan.FromSeconds(1.5));
            done.SetResult();
        });
        await done.Task;
        loop.Post(() => { });
        await Task.Delay(100);
        Assert.True(loop.Utilisation > 0.5, $"utilisation {loop.Utilisation:P0} after 1.5 s of work");

        // Then it waits with nothing to do for 3 s.
        await Task.Delay(3000);
        Assert.True(loop.Utilisation < 0.5, $"utilisation {loop.Utilisation:P0} after 3 s idle");
    }

    [Theory]
    [InlineData(0.0, 0.1)]
    [InlineData(0.8, 0.1)]
    [InlineData(0.875, 0.05)]
    [InlineData(0.95, 0.0)]
    [InlineData(1.0, 0.0)]
    public void TheHostsRetransmissionShareShrinksToNothingAsItsLoadNears95Percent(double load, double share) =>
        Assert.Equal(share, UdpSessionHost.RetransmissionFractionAt(load, 0.1, 0.8), precision: 9);

    [Fact]
    public void ARetransmissionBudgetAtZeroRefusesEverything()
    {
        var budget = new RetransmissionBudget(0.1);
        budget.OnMediaSent(10_000, TimeSpan.Zero);
        Assert.True(budget.TryTake(100, TimeSpan.Zero));
        budget.Fraction = 0;
        Assert.False(budget.TryTake(1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => budget.Fraction = -0.1);
    }

    [Fact]
    public void MaxSessionsRefusesWithAReason()
    {
        using var host = new UdpSessionHost(new UdpSessionHostOptions { MaxSessions = 2, MaxLoad = 1.0 });
        using var a = new PeerSession(PeerSessionTests.Options(51));
        using var b = new PeerSession(PeerSessionTests.Options(52));
        Assert.True(host.TryAdmit(out _));
        host.Add(a);
        host.Add(b);
        Assert.False(host.TryAdmit(out string? reason));
        Assert.Equal("session limit reached (2 of 2)", reason);
        Assert.Equal(1, host.AdmissionsRefused);
        Assert.Equal(reason, host.LastRefusal);
    }

    [Fact]
    public async Task ABusyLoopRefusesNewSessions()
    {
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop, MaxLoad = 0.8 });
        Assert.True(host.TryAdmit(out _));
        var done = new TaskCompletionSource();
        loop.Post(() =>
        {
            Spin(TimeSpan.FromSeconds(1.5));
            done.SetResult();
        });
        await done.Task;
        loop.Post(() => { });
        await Task.Delay(100);
        Assert.False(host.TryAdmit(out string? reason));
        Assert.StartsWith("event loop ", reason, StringComparison.Ordinal);
        Assert.Contains("one more would pass the 80", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KernelDropsOfAFullReceiveBufferAreCounted()
    {
        // A session socket with a small buffer on a loop that is kept busy: datagrams sent meanwhile fill the
        // buffer and the kernel drops the rest, which the host reports (the socket's sk_drops).
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop, ReceiveBufferSize = 4096 });
        using var session = new PeerSession(PeerSessionTests.Options(53));
        UdpSessionHandle handle = host.Add(session);
        UdpSocketStatistics before = host.ReadSocketStatistics();
        Assert.Equal(1, before.Sockets);
        Assert.InRange(before.ReceiveBufferBytes, 4096, 64 * 1024); // Linux doubles what is asked
        Assert.Equal(0, before.KernelDrops);

        var release = new ManualResetEventSlim();
        loop.Post(() => release.Wait(TimeSpan.FromSeconds(10)));
        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            byte[] junk = new byte[200];
            for (int i = 0; i < 2000; i++)
            {
                sender.SendTo(junk, handle.LocalAddress.ToIPEndPoint());
            }
        }

        UdpSocketStatistics during = host.ReadSocketStatistics();
        release.Set();
        await Task.Delay(200);
        Assert.True(during.KernelDrops > 1000, $"{during.KernelDrops} drops");
        Assert.True(during.QueuedBytes > 0, "nothing queued");
        Assert.Equal(during.KernelDrops, host.ReadSocketStatistics().KernelDrops);
    }
}
