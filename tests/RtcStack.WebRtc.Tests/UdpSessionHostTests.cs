using System.Collections.Concurrent;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Signalling;
using Xunit;

namespace RtcStack.WebRtc.Tests;

/// <summary>Our session against our session over real loopback UDP, through <see cref="UdpSessionHost"/>.</summary>
public sealed class UdpSessionHostTests
{
    private static readonly byte[] s_opus = [0xF8, 0x10, 0x20, 0x30, 0x40, 0x50];

    private sealed class Peer
    {
        public required WebRtcSession Session { get; init; }

        public required UdpSessionHandle Handle { get; init; }

        public ConcurrentQueue<ReceivedMedia> Frames { get; } = new();

        /// <summary>Gets the SSRC of the audio this peer sends (from its stats).</summary>
        public uint Ssrc => Handle.Invoke(now => Session.GetStats(now).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "audio").Ssrc);

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static Peer AddPeer(UdpSessionHost host, int seed)
    {
        var session = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(seed));
        Peer? peer = null;
        byte[] buffer = new byte[WebRtcSession.MaxDatagramSize];
        UdpSessionHandle handle = host.Add(session, (h, now) =>
        {
            while (session.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
                {
                    peer!.Connected.TrySetResult();
                }
            }

            while (session.TryPollMedia(buffer, out ReceivedMedia m))
            {
                peer!.Frames.Enqueue(m);
            }
        });
        peer = new Peer { Session = session, Handle = handle };
        return peer;
    }

    private static async Task ConnectAsync(Peer a, Peer b)
    {
        string offer = a.Handle.Invoke(now =>
        {
            a.Session.AddTransceiver(MediaKind.Audio);
            return a.Session.CreateOffer(now);
        });
        string answer = b.Handle.Invoke(now => b.Session.TryAnswer(offer, MediaDirection.SendRecv, now, out string? ans, out JsepError? err) ? ans : throw new InvalidOperationException(err.ToString()));
        a.Handle.Invoke(now =>
        {
            if (!a.Session.TryApplyAnswer(answer, now, out JsepError? err))
            {
                throw new InvalidOperationException(err.ToString());
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
                p.Handle.Invoke(now => p.Session.SendAudio(p.Session.Jsep.Transceivers.Single(), s_opus, ts, now, marker: i == 0));
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
        uint aSsrc = a.Ssrc;
        Assert.All(b.Frames, f => Assert.Equal(aSsrc, f.Ssrc));
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

    /// <summary>
    /// <see cref="UdpSessionHostOptions.IncomingFilter"/> drops what it is told to before any session sees it: here every
    /// fifth Opus RTP packet (payload type 111) arriving at B. B receives exactly the others, counts the gaps as lost, and
    /// the host counts the dropped datagrams; STUN, DTLS and RTCP pass, so the call connects as usual.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IncomingFilter_DropsExactlyWhatItRefuses_BeforeTheSession(bool eventLoop)
    {
        using UdpEventLoop? loop = eventLoop ? new UdpEventLoop() : null;
        int opusSeen = 0, dropped = 0;
        UdpSessionHostOptions optionsB = Mode(loop);
        optionsB.IncomingFilter = (remote, datagram) =>
        {
            // RTP (RFC 7983: first byte 128-191) and not RTCP (RFC 5761 §4: second byte 192-223), payload type 111.
            bool opus = datagram.Length >= 12 && datagram[0] is >= 128 and <= 191 && datagram[1] is not (>= 192 and <= 223) && (datagram[1] & 0x7F) == 111;
            if (!opus || Interlocked.Increment(ref opusSeen) % 5 != 0)
            {
                return true;
            }

            Interlocked.Increment(ref dropped);
            return false;
        };
        using var hostA = new UdpSessionHost(Mode(loop));
        using var hostB = new UdpSessionHost(optionsB);
        Peer a = AddPeer(hostA, 43);
        Peer b = AddPeer(hostB, 44);
        await ConnectAsync(a, b);
        await TalkAsync([a, b], 50);

        Assert.Equal(50, Volatile.Read(ref opusSeen));
        Assert.Equal(10, Volatile.Read(ref dropped));
        Assert.Equal(10, hostB.DatagramsFiltered);
        Assert.Equal(0, hostA.DatagramsFiltered);
        Assert.Equal(40, b.Frames.Count);
        Assert.Equal(50, a.Frames.Count);
        RtcStatsReport stats = b.Handle.Invoke(now => b.Session.GetStats(now));
        Assert.Equal(40, stats.Get<RtcInboundRtpStreamStats>()!.PacketsReceived);
        Assert.Equal(0, stats.Get<RtcTransportStats>()!.SrtpAuthenticationFailures);
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
            uint cSsrc = c.Ssrc, sSsrc = s.Ssrc;
            Assert.All(s.Frames, f => Assert.Equal(cSsrc, f.Ssrc));
            Assert.All(c.Frames, f => Assert.Equal(sSsrc, f.Ssrc));
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
            Ice.IceCandidatePair pair = s.Handle.Invoke(_ => s.Session.Transport.IceAgent!.GetSelectedPair()!);
            Assert.Equal(family.AddressFamily, pair.Local.Address.AddressFamily);
            Assert.Equal(0, server.SendErrors);
            server.Remove(s.Handle);
        }
    }
}
