using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Signalling;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.WebRtc.Tests;

/// <summary>
/// Attacks on a host's UDP side while a call runs in it: forged STUN from many ports, a DTLS ClientHello flood,
/// and forged, replayed and truncated SRTP/SRTCP from the peer's own address. Each must be dropped (and counted
/// where the session can tell), leave no state behind, and not cost the established call a single packet.
/// </summary>
[Collection(HeapMeasurementCollection.Name)]
public sealed class HostileUdpInputTests(ITestOutputHelper output)
{
    private const int MediaPackets = 100;
    private static readonly byte[] s_opus = [0xF8, 0x10, 0x20, 0x30, 0x40, 0x50];

    /// <summary>A session whose driver can also send datagrams of the test's choosing from the session's own socket.</summary>
    private sealed class InjectingEndpoint(WebRtcSession session) : IDatagramEndpoint
    {
        private readonly ConcurrentQueue<byte[]> _extra = new();

        public WebRtcSession Session { get; } = session;

        public TransportAddress? PeerAddress { get; private set; }

        public byte[]? LastSrtp { get; private set; }

        public byte[]? LastSrtcp { get; private set; }

        public void Inject(byte[] datagram) => _extra.Enqueue(datagram);

        public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now) =>
            Session.HandleDatagram(local, remote, datagram, now);

        public void HandleTimeout(TimeSpan now) => Session.HandleTimeout(now);

        public TimeSpan? PollTimeout() => Session.PollTimeout();

        public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
        {
            if (Session.TryPollTransmit(buffer, out transmit))
            {
                ReadOnlySpan<byte> d = buffer[..transmit.Length];
                if (d.Length > 12 && d[0] is >= 128 and <= 191)
                {
                    PeerAddress = transmit.Destination;
                    if (d[1] is >= 192 and <= 223)
                    {
                        LastSrtcp = d.ToArray();
                    }
                    else
                    {
                        LastSrtp = d.ToArray();
                    }
                }

                return true;
            }

            if (PeerAddress is TransportAddress to && _extra.TryDequeue(out byte[]? extra))
            {
                extra.CopyTo(buffer);
                transmit = new DatagramTransmit(default, to, extra.Length);
                return true;
            }

            return false;
        }
    }

    private sealed class Call : IDisposable
    {
        public required UdpSessionHost ClientHost { get; init; }

        public required UdpSessionHost ServerHost { get; init; }

        public required InjectingEndpoint Client { get; init; }

        public required UdpSessionHandle ClientHandle { get; init; }

        public required WebRtcSession Server { get; init; }

        public required UdpSessionHandle ServerHandle { get; init; }

        public required StrongBox<int> ServerFramesBox { get; init; }

        public required StrongBox<int> ClientFramesBox { get; init; }

        public int ClientFrames => Volatile.Read(ref ClientFramesBox.Value);

        public TransportAddress ServerAddress => Client.PeerAddress ?? throw new InvalidOperationException("no media yet");

        public RtcTransportStats ServerTransport() => ServerHandle.Invoke(now => Server.GetStats(now)).Get<RtcTransportStats>()!;

        public long ServerPacketsReceived() => ServerHandle.Invoke(now => Server.GetStats(now)).Get<RtcInboundRtpStreamStats>()!.PacketsReceived;

        public void Dispose()
        {
            ClientHost.Dispose();
            ServerHost.Dispose();
            Client.Session.Dispose();
            Server.Dispose();
        }

        /// <summary>Both sides send <see cref="MediaPackets"/> Opus packets, 20 ms apart, then wait for the last ones to land.</summary>
        public async Task TalkAsync()
        {
            uint ts = 0;
            for (int i = 0; i < MediaPackets; i++)
            {
                ClientHandle.Invoke(now => Client.Session.SendAudio(Client.Session.Jsep.Transceivers.Single(), s_opus, ts, now, marker: i == 0));
                ServerHandle.Invoke(now => Server.SendAudio(Server.Jsep.Transceivers.Single(), s_opus, ts, now, marker: i == 0));
                ts += 960;
                await Task.Delay(20);
            }

            await Task.Delay(300);
        }
    }

    private static async Task<Call> StartAsync(bool sharedSocket)
    {
        var clientHost = new UdpSessionHost(new UdpSessionHostOptions());
        var serverHost = new UdpSessionHost(new UdpSessionHostOptions { SharedSocket = sharedSocket });
        var client = new InjectingEndpoint(new WebRtcSession(WebRtcWhipTestServer.ClientOptions(71)));
        var server = new WebRtcSession(WebRtcWhipTestServer.ClientOptions(72));
        var clientConnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverConnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientFrames = new StrongBox<int>();
        var serverFrames = new StrongBox<int>();
        byte[] clientBuffer = new byte[WebRtcSession.MaxDatagramSize];
        byte[] serverBuffer = new byte[WebRtcSession.MaxDatagramSize];
        UdpSessionHandle clientHandle = clientHost.Add(client, (_, _) => Drain(client.Session, clientConnected, clientBuffer, clientFrames));
        UdpSessionHandle serverHandle = serverHost.Add(server, (_, _) => Drain(server, serverConnected, serverBuffer, serverFrames));
        var call = new Call
        {
            ClientFramesBox = clientFrames,
            ServerFramesBox = serverFrames,
            ClientHost = clientHost,
            ServerHost = serverHost,
            Client = client,
            ClientHandle = clientHandle,
            Server = server,
            ServerHandle = serverHandle,
        };
        // The host gives its address only to a session it holds directly; this one is wrapped.
        clientHandle.Invoke(_ => client.Session.AddLocalAddress(clientHandle.LocalAddress));
        string offer = clientHandle.Invoke(now =>
        {
            client.Session.AddTransceiver(MediaKind.Audio);
            return client.Session.CreateOffer(now);
        });
        string answer = serverHandle.Invoke(now => server.TryAnswer(offer, MediaDirection.SendRecv, now, out string? a, out JsepError? e) ? a : throw new InvalidOperationException(e.ToString()));
        clientHandle.Invoke(now =>
        {
            if (!client.Session.TryApplyAnswer(answer, now, out JsepError? e))
            {
                throw new InvalidOperationException(e.ToString());
            }
        });
        await Task.WhenAll(clientConnected.Task, serverConnected.Task).WaitAsync(TimeSpan.FromSeconds(20));

        // One packet each way so both sides have a stream, the SRTP contexts are keyed and the client knows where media goes.
        clientHandle.Invoke(now => client.Session.SendAudio(client.Session.Jsep.Transceivers.Single(), s_opus, 0, now, marker: true));
        serverHandle.Invoke(now => server.SendAudio(server.Jsep.Transceivers.Single(), s_opus, 0, now, marker: true));
        await Task.Delay(200);
        return call;
    }

    private static void Drain(WebRtcSession session, TaskCompletionSource connected, byte[] buffer, StrongBox<int> frames)
    {
        while (session.TryPollEvent(out SessionEvent? e))
        {
            if (e is SessionStateChangedEvent { State: PeerConnectionState.Connected })
            {
                connected.TrySetResult();
            }
        }

        while (session.TryPollMedia(buffer, out _))
        {
            Interlocked.Increment(ref frames.Value);
        }
    }

    /// <summary>Sends one datagram from each of <paramref name="ports"/> new sockets (a new source port each), 500 sockets at a time.</summary>
    private static async Task FloodFromManyPortsAsync(TransportAddress target, int ports, Func<int, byte[]> datagram)
    {
        IPEndPoint to = target.ToIPEndPoint();
        for (int start = 0; start < ports; start += 500)
        {
            var sockets = new List<Socket>();
            try
            {
                for (int i = start; i < Math.Min(ports, start + 500); i++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    s.SendTo(datagram(i), to);
                }
            }
            finally
            {
                foreach (Socket s in sockets)
                {
                    s.Dispose();
                }
            }

            // Paced at about 10,000 datagrams per second: a flood two hundred times the call's own rate.
            await Task.Delay(50);
        }
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StunWithAWrongKeyFromTenThousandPortsLeavesNoStateAndTheCallKeepsItsMedia(bool sharedSocket)
    {
        using Call call = await StartAsync(sharedSocket);
        RtcTransportStats before = call.ServerTransport();
        int routesBefore = call.ServerHost.RouteCount;
        long receivedBefore = call.ServerPacketsReceived();
        int clientFramesBefore = call.ClientFrames;
        long heapBefore = Heap();
        string ufrag = call.ServerHandle.Invoke(_ => call.Server.LocalIceUfrag);

        Task talk = call.TalkAsync();
        await FloodFromManyPortsAsync(call.ServerAddress, 10_000, i =>
        {
            // The server's real ufrag (so a shared socket routes it to the session) and a key that is not its password.
            byte[] buf = new byte[256];
            var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
            w.AddString(StunAttributeType.Username, ufrag + ":atk" + i);
            w.AddUInt32(StunAttributeType.Priority, 1845501695);
            w.AddUInt64(StunAttributeType.IceControlling, (ulong)i);
            w.AddFlag(StunAttributeType.UseCandidate);
            w.AddMessageIntegrity("not the password of this session"u8);
            w.AddFingerprint();
            return w.Written.ToArray();
        });
        await talk;
        long heapAfter = Heap();

        RtcTransportStats after = call.ServerTransport();
        output.WriteLine($"shared={sharedSocket}: routes {routesBefore}->{call.ServerHost.RouteCount}, remote candidates {before.IceRemoteCandidates}->{after.IceRemoteCandidates}, pairs {before.IceCandidatePairs}->{after.IceCandidatePairs}, heap {heapBefore / 1024}->{heapAfter / 1024} KiB, host received {call.ServerHost.DatagramsReceived}");
        Assert.Equal(routesBefore, call.ServerHost.RouteCount);
        Assert.Equal(before.IceRemoteCandidates, after.IceRemoteCandidates);
        Assert.Equal(before.IceCandidatePairs, after.IceCandidatePairs);
        Assert.Equal(before.SelectedCandidatePairId, after.SelectedCandidatePairId);
        Assert.Equal(PeerConnectionState.Connected, call.ServerHandle.Invoke(_ => call.Server.State));

        // Per-source state of even 50 bytes would show as 500 KB here.
        Assert.True(heapAfter - heapBefore < 256 * 1024, $"heap grew by {(heapAfter - heapBefore) / 1024} KiB");

        // The call did not lose a packet either way.
        Assert.Equal(MediaPackets, call.ServerPacketsReceived() - receivedBefore);
        Assert.Equal(MediaPackets, call.ClientFrames - clientFramesBefore);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DtlsClientHelloFloodFromTenThousandPortsLeavesNoStateAndTheCallKeepsItsMedia(bool sharedSocket)
    {
        // Chromium 156's real (fragmented, DTLS 1.3 + ML-KEM) ClientHello, both datagrams, from every port.
        byte[][] hello = [.. File.ReadAllLines(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Dtls.Tests", "Fixtures", "chromium-156-clienthello.hex"))
            .Where(l => l.Length > 0).Select(Convert.FromHexString)];
        using Call call = await StartAsync(sharedSocket);
        RtcTransportStats before = call.ServerTransport();
        int routesBefore = call.ServerHost.RouteCount;
        long receivedBefore = call.ServerPacketsReceived();
        int clientFramesBefore = call.ClientFrames;
        long heapBefore = Heap();

        Task talk = call.TalkAsync();
        await FloodFromManyPortsAsync(call.ServerAddress, 10_000, i => hello[i % 2]);
        await talk;
        long heapAfter = Heap();

        RtcTransportStats after = call.ServerTransport();
        output.WriteLine($"shared={sharedSocket}: routes {routesBefore}->{call.ServerHost.RouteCount}, dtls {before.DtlsState}->{after.DtlsState}, heap {heapBefore / 1024}->{heapAfter / 1024} KiB, unmatched {call.ServerHost.UnmatchedDatagrams}");
        Assert.Equal(routesBefore, call.ServerHost.RouteCount);
        Assert.Equal("connected", after.DtlsState);
        Assert.Equal(before.IceRemoteCandidates, after.IceRemoteCandidates);

        // Nothing from an address without a valid ICE pair reaches DTLS, so there is no per-source DTLS state to
        // keep before a cookie; the transport counts only what came on the call's pair.
        Assert.Equal(MediaPackets + (after.RtcpPacketsReceived - before.RtcpPacketsReceived), after.PacketsReceived - before.PacketsReceived);
        Assert.True(heapAfter - heapBefore < 256 * 1024, $"heap grew by {(heapAfter - heapBefore) / 1024} KiB");
        Assert.Equal(MediaPackets, call.ServerPacketsReceived() - receivedBefore);
        Assert.Equal(MediaPackets, call.ClientFrames - clientFramesBefore);
        if (sharedSocket)
        {
            Assert.True(call.ServerHost.UnmatchedDatagrams >= 10_000, $"{call.ServerHost.UnmatchedDatagrams} unmatched");
        }
    }

    private static byte[] WithSequenceAhead(byte[] srtp, int ahead, bool flipPayloadBit)
    {
        byte[] forged = (byte[])srtp.Clone();
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(forged.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(2), (ushort)(seq + ahead));
        if (flipPayloadBit)
        {
            forged[^20] ^= 0x01;
        }

        return forged;
    }

    [Fact]
    public async Task ForgedReplayedAndTruncatedSrtpAndSrtcpFromThePeersAddressAreCountedAndDroppedWithNoStateChange()
    {
        using Call call = await StartAsync(sharedSocket: true);
        RtcTransportStats before = call.ServerTransport();
        long malformedBefore = call.ServerHandle.Invoke(_ => call.Server.Transport.Counters.GetDropped(TransportDropReason.Malformed));
        long receivedBefore = call.ServerPacketsReceived();
        int clientFramesBefore = call.ClientFrames;
        const int Each = 500;

        Assert.Equal("SRTP_AEAD_AES_128_GCM", before.SrtpCipher);
        Task talk = call.TalkAsync();
        for (int i = 0; i < Each; i++)
        {
            byte[] srtp = call.Client.LastSrtp!;
            byte[] srtcp = call.Client.LastSrtcp!;

            // Replayed exactly: the replay list drops it before authentication (RFC 3711 §3.3.2).
            call.Client.Inject((byte[])srtp.Clone());
            call.Client.Inject((byte[])srtcp.Clone());

            // Forged with sequence numbers the call has not reached yet (5 ahead, and 30,000 ahead), so they pass
            // the replay check and fail authentication. Had a forged packet moved the replay window or the
            // rollover counter estimate (RFC 3711 §3.3: authenticate first), the genuine packet with that number
            // would be dropped later and the media count below would miss it.
            call.Client.Inject(WithSequenceAhead(srtp, 5, flipPayloadBit: true));
            call.Client.Inject(WithSequenceAhead(srtp, 30_000, flipPayloadBit: false));

            // Truncated: one byte short of its tag (a new number, so it reaches authentication), and 14 bytes (shorter
            // than a header and a tag: malformed, dropped before authentication).
            call.Client.Inject(WithSequenceAhead(srtp, 7, flipPayloadBit: false)[..^1]);
            call.Client.Inject(srtp[..14]);

            // SRTCP (RFC 7714 §9.1 trailer: E flag and 31-bit index last): a new index with a flipped bit, and one
            // byte short.
            byte[] forgedRtcp = (byte[])srtcp.Clone();
            uint index = BinaryPrimitives.ReadUInt32BigEndian(forgedRtcp.AsSpan(forgedRtcp.Length - 4));
            BinaryPrimitives.WriteUInt32BigEndian(forgedRtcp.AsSpan(forgedRtcp.Length - 4), index + 3);
            forgedRtcp[10] ^= 0x80;
            call.Client.Inject(forgedRtcp);
            call.Client.Inject(srtcp[..^1]);
            call.ClientHandle.Invoke(_ => { });
            if (i % 50 == 49)
            {
                await Task.Delay(20);
            }
        }

        await talk;
        RtcTransportStats after = call.ServerTransport();
        output.WriteLine($"srtp failures +{after.SrtpAuthenticationFailures - before.SrtpAuthenticationFailures}, srtp replays +{after.SrtpReplays - before.SrtpReplays}, srtcp failures +{after.SrtcpFailures - before.SrtcpFailures}, srtcp replays +{after.SrtcpReplays - before.SrtcpReplays}");
        long malformed = call.ServerHandle.Invoke(_ => call.Server.Transport.Counters.GetDropped(TransportDropReason.Malformed)) - malformedBefore;
        output.WriteLine($"malformed +{malformed}");
        Assert.Equal(3 * Each, after.SrtpAuthenticationFailures - before.SrtpAuthenticationFailures);
        Assert.Equal(Each, malformed);
        Assert.Equal(Each, after.SrtpReplays - before.SrtpReplays);
        Assert.Equal(2 * Each, after.SrtcpFailures - before.SrtcpFailures);
        Assert.Equal(Each, after.SrtcpReplays - before.SrtcpReplays);
        Assert.Equal(before.SrtpCipher, after.SrtpCipher);

        // No state change: every genuine packet after the attack still decrypts (the ROC did not move), the
        // stream's statistics count only genuine packets, and the call carried all its media both ways.
        Assert.Equal(MediaPackets, call.ServerPacketsReceived() - receivedBefore);
        Assert.Equal(MediaPackets, call.ClientFrames - clientFramesBefore);
        Assert.Equal(PeerConnectionState.Connected, call.ServerHandle.Invoke(_ => call.Server.State));
    }
}
