using System.Collections.Concurrent;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests;

/// <summary>Our session against our session over real loopback UDP, through <see cref="UdpSessionHost"/>.</summary>
public sealed class UdpSessionHostTests
{
    private static readonly byte[] s_opus = [0xF8, 0x10, 0x20, 0x30, 0x40, 0x50];

    private sealed class Peer
    {
        public required PeerSession Session { get; init; }

        public required UdpSessionHandle Handle { get; init; }

        public ConcurrentQueue<ReceivedMediaFrame> Frames { get; } = new();

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static Peer AddPeer(UdpSessionHost host, int seed)
    {
        PeerSessionOptions o = PeerSessionTests.Options(seed);
        o.WallClockAtZero = host.WallClockAtZero;
        var session = new PeerSession(o);
        Peer? peer = null;
        byte[] buffer = new byte[PeerSession.MaxDatagramSize];
        UdpSessionHandle handle = host.Add(session, (h, now) =>
        {
            while (session.TryPollEvent(out PeerSessionEvent? e))
            {
                if (e is PeerConnectionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    peer!.Connected.TrySetResult();
                }
            }

            while (session.TryPollMedia(buffer, out ReceivedMediaFrame f))
            {
                peer!.Frames.Enqueue(f);
            }
        });
        peer = new Peer { Session = session, Handle = handle };
        return peer;
    }

    private static async Task ConnectAsync(Peer a, Peer b)
    {
        string offer = a.Handle.Invoke(now => a.Session.CreateOffer(now));
        string answer = b.Handle.Invoke(now => b.Session.TryAcceptOffer(offer, now, out string? ans, out string? err) ? ans : throw new InvalidOperationException(err));
        a.Handle.Invoke(now =>
        {
            if (!a.Session.TryApplyAnswer(answer, now, out string? err))
            {
                throw new InvalidOperationException(err);
            }
        });
        await Task.WhenAll(a.Connected.Task, b.Connected.Task).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static async Task TalkAsync(IReadOnlyList<Peer> peers, int packets)
    {
        uint ts = 0;
        for (int i = 0; i < packets; i++)
        {
            foreach (Peer p in peers)
            {
                p.Handle.Invoke(now => p.Session.SendRtp(s_opus, ts, i == 0, now));
            }

            ts += 960;
            await Task.Delay(20);
        }

        await Task.Delay(300);
    }

    // Each test runs with the host's own threads and on one UdpEventLoop thread shared by both hosts.
    private static UdpSessionHostOptions Mode(UdpEventLoop? loop, bool shared = false) => new() { EventLoop = loop, SharedSocket = shared };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SessionsConnectOverLoopbackWithASocketEach(bool eventLoop)
    {
        using UdpEventLoop? loop = eventLoop ? new UdpEventLoop() : null;
        using var hostA = new UdpSessionHost(Mode(loop));
        using var hostB = new UdpSessionHost(Mode(loop));
        Peer a = AddPeer(hostA, 41);
        Peer b = AddPeer(hostB, 42);
        Assert.NotEqual(a.Handle.LocalAddress, b.Handle.LocalAddress);
        await ConnectAsync(a, b);
        await TalkAsync([a, b], 25);
        Assert.Equal(25, a.Frames.Count);
        Assert.Equal(25, b.Frames.Count);
        Assert.All(b.Frames, f => Assert.Equal(a.Session.Ssrc, f.Ssrc));
        RtcStatsReport stats = b.Handle.Invoke(now => b.Session.GetStats(now));
        Assert.Equal(0, stats.Get<RtcTransportStats>()!.SrtpAuthenticationFailures);
        Assert.Equal(25, stats.Get<RtcInboundRtpStreamStats>()!.PacketsReceived);
        Assert.Equal(0, hostA.SendErrors + hostB.SendErrors);

        a.Handle.Invoke(now => a.Session.Close(now));
        await Task.Delay(200);
        Assert.Equal(PeerConnectionState.Closed, b.Handle.Invoke(_ => b.Session.State));
        hostA.Remove(a.Handle);
        Assert.Equal(0, hostA.SessionCount);
        if (loop is not null)
        {
            Assert.True(loop.DatagramsRead >= 50, $"the loop read {loop.DatagramsRead} datagrams");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneSharedSocketCarriesManySessions(bool eventLoop)
    {
        using UdpEventLoop? loop = eventLoop ? new UdpEventLoop() : null;
        using var server = new UdpSessionHost(Mode(loop, shared: true));
        using var clients = new UdpSessionHost(Mode(loop));
        var pairs = new List<(Peer Server, Peer Client)>();
        for (int i = 0; i < 4; i++)
        {
            Peer s = AddPeer(server, 100 + i);
            Peer c = AddPeer(clients, 200 + i);
            Assert.Equal(server.SharedAddress, s.Handle.LocalAddress);
            pairs.Add((s, c));
        }

        // Half the pairs offer from the shared side (its ICE checks go out first), half from the clients.
        for (int i = 0; i < pairs.Count; i++)
        {
            await (i % 2 == 0 ? ConnectAsync(pairs[i].Server, pairs[i].Client) : ConnectAsync(pairs[i].Client, pairs[i].Server));
        }

        var all = new List<Peer>();
        foreach ((Peer s, Peer c) in pairs)
        {
            all.Add(s);
            all.Add(c);
        }

        await TalkAsync(all, 25);
        foreach ((Peer s, Peer c) in pairs)
        {
            Assert.Equal(25, s.Frames.Count);
            Assert.Equal(25, c.Frames.Count);
            Assert.All(s.Frames, f => Assert.Equal(c.Session.Ssrc, f.Ssrc));
            Assert.All(c.Frames, f => Assert.Equal(s.Session.Ssrc, f.Ssrc));
        }

        Assert.Equal(4, server.SessionCount);
        Assert.Equal(0, server.UnmatchedDatagrams);
    }

    /// <summary>
    /// A host bound to "every interface" (here narrowed to the two loopback addresses, 127.0.0.1 and ::1) gives each
    /// session a socket per address on one port, or shares one socket per address; the session gathers a host candidate
    /// on each; callers on either family connect through the socket of their family and media flows. Threaded and
    /// event-loop hosts, per-session and shared sockets.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task EveryInterfaceHost_HasASocketPerAddress_AndCallersOfEitherFamilyConnect(bool eventLoop, bool shared)
    {
        using UdpEventLoop? loop = eventLoop ? new UdpEventLoop() : null;
        var serverOptions = new UdpSessionHostOptions { EventLoop = loop, SharedSocket = shared, BindAddress = System.Net.IPAddress.IPv6Any };
        serverOptions.InterfaceAddresses.Add(System.Net.IPAddress.Loopback);
        serverOptions.InterfaceAddresses.Add(System.Net.IPAddress.IPv6Loopback);
        using var server = new UdpSessionHost(serverOptions);
        Assert.True(server.BindsEveryInterface);
        foreach (System.Net.IPAddress family in new[] { System.Net.IPAddress.Loopback, System.Net.IPAddress.IPv6Loopback })
        {
            using var clients = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop, BindAddress = family });
            Peer s = AddPeer(server, 300);
            Peer c = AddPeer(clients, 301);
            Assert.Equal(2, s.Handle.LocalAddresses.Count);
            Assert.True(s.Handle.LocalAddresses[0].IsIPv4 && s.Handle.LocalAddresses[1].IsIPv6);
            Assert.Equal(s.Handle.LocalAddresses[0].Port, s.Handle.LocalAddresses[1].Port);
            await ConnectAsync(c, s);
            string[] candidates = s.Handle.Invoke(_ => s.Session.LocalCandidateValues().ToArray());
            Assert.Equal(2, candidates.Length);
            Assert.Contains(candidates, v => v.Contains(" 127.0.0.1 ", StringComparison.Ordinal));
            Assert.Contains(candidates, v => v.Contains(" ::1 ", StringComparison.Ordinal));

            await TalkAsync([s, c], 10);
            Assert.Equal(10, s.Frames.Count);
            Assert.Equal(10, c.Frames.Count);
            Ice.IceCandidatePair pair = s.Handle.Invoke(_ => s.Session.IceAgent!.GetSelectedPair()!);
            Assert.Equal(family.AddressFamily, pair.Local.Address.AddressFamily);
            Assert.Equal(0, server.SendErrors);
            server.Remove(s.Handle);
        }
    }
}
