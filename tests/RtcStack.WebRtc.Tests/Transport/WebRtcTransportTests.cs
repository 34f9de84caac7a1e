using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Transport;

/// <summary>
/// <see cref="WebRtcTransport"/> (docs/session-v2.md §1): two transports back to back in virtual time (ICE, DTLS 1.2,
/// SRTP), shared-socket routing, every RFC 7983 class into <see cref="WebRtcTransport.HandleDatagram"/>, SRTP replay
/// and forgery, early DTLS, ICE restart, timeout reasons, close_notify, allocation on the steady path.
/// </summary>
public sealed partial class WebRtcTransportTests
{
    [Theory]
    [InlineData(DtlsRole.Client)]
    [InlineData(DtlsRole.Server)]
    public void ConnectsBackToBackAndCarriesRtpAndRtcpBothWays(DtlsRole roleOfA)
    {
        using var link = new TransportLink(roleOfA);
        link.Connect();

        TransportDtlsConnectedEvent a = Assert.Single(link.EventsA.OfType<TransportDtlsConnectedEvent>());
        TransportDtlsConnectedEvent b = Assert.Single(link.EventsB.OfType<TransportDtlsConnectedEvent>());
        Assert.Equal(roleOfA, a.Role);
        Assert.NotEqual(roleOfA, b.Role);
        Assert.Equal(a.SrtpProfile, b.SrtpProfile);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, a.SrtpProfile);
        Assert.Equal(a.CipherSuite, b.CipherSuite);
        Assert.Equal(DtlsState.Connected, link.A.DtlsState);
        Assert.NotNull(link.A.SelectedPair);
        Assert.Contains(link.EventsA, e => e is TransportStateChangedEvent { State: TransportState.Connected });
        Assert.Contains(link.EventsB, e => e is TransportSelectedPairEvent);

        link.ReceivedByA.Clear();
        link.ReceivedByB.Clear();
        for (ushort seq = 100; seq < 110; seq++)
        {
            Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(seq), link.Now));
            Assert.Equal(TransportSendStatus.Sent, link.B.SendRtp(TransportLink.Rtp((ushort)(seq + 1000), ssrc: 0xBBBB), link.Now));
        }

        Assert.Equal(TransportSendStatus.Sent, link.A.SendRtcp(TransportLink.ReceiverReport(1), link.Now));
        Assert.Equal(TransportSendStatus.Sent, link.B.SendRtcp(TransportLink.ReceiverReport(2), link.Now));
        link.Pump();

        byte[][] rtpAtB = link.ReceivedByB.Where(r => r.Result.Kind == TransportReceiveKind.Rtp).Select(r => r.Plain).ToArray();
        byte[][] rtpAtA = link.ReceivedByA.Where(r => r.Result.Kind == TransportReceiveKind.Rtp).Select(r => r.Plain).ToArray();
        Assert.Equal(10, rtpAtB.Length);
        Assert.Equal(10, rtpAtA.Length);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(TransportLink.Rtp((ushort)(100 + i)), rtpAtB[i]);
            Assert.Equal(TransportLink.Rtp((ushort)(1100 + i), ssrc: 0xBBBB), rtpAtA[i]);
        }

        Assert.Equal(TransportLink.ReceiverReport(1), Assert.Single(link.ReceivedByB, r => r.Result.Kind == TransportReceiveKind.Rtcp).Plain);
        Assert.Equal(TransportLink.ReceiverReport(2), Assert.Single(link.ReceivedByA, r => r.Result.Kind == TransportReceiveKind.Rtcp).Plain);
        Assert.Equal(10, link.B.Counters.SrtpPacketsReceived);
        Assert.Equal(1, link.B.Counters.SrtcpPacketsReceived);
        Assert.Equal(10, link.A.Counters.SrtpPacketsSent);
        Assert.Equal(1, link.A.Counters.SrtcpPacketsSent);
        Assert.True(link.A.Counters.PacketsSent >= 11 && link.A.Counters.BytesSent > 11 * 52);
        Assert.Equal(0, link.A.Counters.DroppedTotal);
        Assert.Equal(0, link.B.Counters.DroppedTotal);
    }

    [Fact]
    public void AcceptsStunRequestsForOurUfragAndDatagramsFromKnownRemotes()
    {
        using var link = new TransportLink();
        link.B.StartGathering(controlling: false, link.Now);
        TransportAddress stranger = TransportAddress.Parse("192.0.2.9:4000");
        string ours = link.B.LocalCredentials.Ufrag;

        Assert.True(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(ours + ":peer")));
        Assert.True(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(ours)));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest("other:" + ours)));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(ours + "x:peer")));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(ours[..^1] + ":peer")));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, BindingSuccess(ours + ":peer")), "a response is routed by its transaction, not its USERNAME");
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, []));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, [0x00, 0x01, 0x00]));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, TransportLink.Rtp(1)));
        Assert.False(link.B.Accepts(TransportAddress.Parse("10.9.9.9:9"), stranger, BindingRequest(ours + ":peer")), "not one of B's sockets");

        // A known remote: once A's checks reached B, anything from A's address is B's.
        Assert.False(link.B.Accepts(TransportLink.AddressB, TransportLink.AddressA, TransportLink.Rtp(1)));
        link.StartA();
        link.StartB();
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Connected && link.B.State == TransportState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(link.B.Accepts(TransportLink.AddressB, TransportLink.AddressA, TransportLink.Rtp(1)));
        Assert.True(link.B.Accepts(TransportLink.AddressB, TransportLink.AddressA, [0xFF, 0xFF]));
        Assert.True(link.B.Accepts(TransportLink.AddressB, TransportLink.AddressA, []));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, TransportLink.Rtp(1)));
        Assert.Equal(TransportState.Connected, link.B.State);
    }

    [Fact]
    public void EveryRfc7983ClassGetsItsKindOrReasonBeforeAndAfterConnection()
    {
        using var link = new TransportLink();
        byte[] plain = new byte[2048];
        TransportAddress stranger = TransportAddress.Parse("192.0.2.9:4000");

        // Before ICE exists (nothing started): nothing but the unknown classes can be judged.
        WebRtcTransport fresh = link.B;
        foreach ((byte[] datagram, TransportDropReason reason) in new (byte[], TransportDropReason)[]
        {
            ([], TransportDropReason.Unknown),
            (Filled(0x00, 40), TransportDropReason.NotConnected),          // STUN
            (Filled(0x05, 40), TransportDropReason.Unknown),               // 4-15: nothing
            (Filled(0x11, 40), TransportDropReason.Unknown),               // ZRTP
            (Filled(0x16, 40), TransportDropReason.NotConnected),          // DTLS
            (Filled(0x40, 40), TransportDropReason.Unknown),               // ChannelData, no TURN server of ours
            (Filled(0x60, 40), TransportDropReason.Unknown),               // 80-127: nothing
            (Filled(0x80, 40, 0x00), TransportDropReason.NotConnected),    // RTP
            (Filled(0x80, 40, 0xC8), TransportDropReason.NotConnected),    // RTCP
            (Filled(0xC0, 40), TransportDropReason.Unknown),               // 192-255: nothing
            (Filled(0x80, 1501), TransportDropReason.TooLarge),
        })
        {
            Assert.Equal(TransportReceive.Dropped(reason), fresh.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, datagram, plain, link.Now));
        }

        Assert.Equal(TransportState.New, fresh.State);
        Assert.Equal(6, fresh.Counters.GetDropped(TransportDropReason.Unknown));
        Assert.Equal(4, fresh.Counters.GetDropped(TransportDropReason.NotConnected));

        // Started, SRTP not keyed yet: A's DTLS never reaches B, so ICE connects but DTLS does not.
        link.Drop = (fromA, bytes) => fromA && bytes[0] is >= 20 and <= 63;
        link.StartA();
        link.StartB();
        Assert.True(link.RunUntil(() => link.B.IceState is IceConnectionState.Connected or IceConnectionState.Completed, TimeSpan.FromSeconds(5)));
        Assert.Equal(TransportState.Connecting, link.B.State);
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.NotConnected), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, Filled(0x80, 60, 0x00), plain, link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.NotConnected), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, Filled(0x81, 60, 0xC9), plain, link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.NotForUs), link.B.HandleDatagram(TransportLink.AddressB, stranger, Filled(0x80, 60, 0x00), plain, link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.NotForUs), link.B.HandleDatagram(TransportLink.AddressB, stranger, Filled(0x16, 60), plain, link.Now));

        link.Drop = null;
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Connected && link.B.State == TransportState.Connected, TimeSpan.FromSeconds(10)));

        // After connection, from the peer's address (a validated route) and from a stranger.
        foreach ((byte[] datagram, TransportAddress from, TransportReceive expected) in new (byte[], TransportAddress, TransportReceive)[]
        {
            ([], TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x01, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.NotForUs)),   // STUN ICE cannot parse
            (Filled(0x03, 40), stranger, TransportReceive.Dropped(TransportDropReason.NotForUs)),
            (Filled(0x0F, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x10, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x13, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x14, 40), TransportLink.AddressA, TransportReceive.Consumed()),                               // DTLS: DTLS drops it
            (Filled(0x3F, 40), TransportLink.AddressA, TransportReceive.Consumed()),
            (Filled(0x17, 40), stranger, TransportReceive.Dropped(TransportDropReason.NotForUs)),
            (Filled(0x40, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x4F, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x50, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x7F, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x80, 60, 0x00), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.AuthenticationFailed)),
            (Filled(0x80, 60, 0x40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.AuthenticationFailed)),
            (Filled(0x80, 60, 0x5F), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.AuthenticationFailed)),
            (Filled(0x80, 60, 0xC8), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.AuthenticationFailed)),
            (Filled(0xBF, 60, 0xDF), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.AuthenticationFailed)),
            (Filled(0x80, 5), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Malformed)),
            (Filled(0x80, 5, 0xC8), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Malformed)),
            (Filled(0x80, 60, 0x00), stranger, TransportReceive.Dropped(TransportDropReason.NotForUs)),
            (Filled(0x80, 60, 0xC8), stranger, TransportReceive.Dropped(TransportDropReason.NotForUs)),
            (Filled(0xC0, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0xFF, 40), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.Unknown)),
            (Filled(0x80, 1501), TransportLink.AddressA, TransportReceive.Dropped(TransportDropReason.TooLarge)),
        })
        {
            Assert.Equal(expected, link.B.HandleDatagram(TransportLink.AddressB, from, datagram, plain, link.Now));
        }

        // A plaintext buffer too small for the packet.
        byte[] protectedRtp = ProtectedByA(link, TransportLink.Rtp(7));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.BufferTooSmall), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, protectedRtp, new byte[16], link.Now));

        link.Pump();
        Assert.Equal(TransportState.Connected, link.B.State);
        Assert.Equal(TransportState.Connected, link.A.State);
        Assert.Equal(DtlsState.Connected, link.B.DtlsState);
        Assert.Single(link.EventsB.OfType<TransportDtlsConnectedEvent>());
    }

    [Theory]
    [InlineData(0, false, TransportReceiveKind.Rtp)]       // second byte 0
    [InlineData(63, true, TransportReceiveKind.Rtp)]       // second byte 191
    [InlineData(64, false, TransportReceiveKind.Rtp)]      // second byte 64: RTP, not RTCP (the old disagreement)
    [InlineData(72, false, TransportReceiveKind.Rtp)]
    [InlineData(95, false, TransportReceiveKind.Rtp)]      // second byte 95
    [InlineData(96, false, TransportReceiveKind.Rtp)]
    [InlineData(64, true, TransportReceiveKind.Rtcp)]      // second byte 192: RTCP by RFC 5761 §4, so SRTCP fails
    [InlineData(95, true, TransportReceiveKind.Rtcp)]      // second byte 223
    [InlineData(96, true, TransportReceiveKind.Rtp)]       // second byte 224
    [InlineData(127, true, TransportReceiveKind.Rtp)]      // second byte 255
    public void TheSecondByteSplitsRtpFromRtcpAsRfc5761Says(int payloadType, bool marker, TransportReceiveKind classifiedAs)
    {
        using var link = new TransportLink();
        link.Connect();
        link.ReceivedByB.Clear();
        byte[] packet = TransportLink.Rtp(500, (byte)payloadType, marker);
        Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(packet, link.Now));
        link.Pump();
        (TransportReceive result, byte[] plain) = Assert.Single(link.ReceivedByB);
        if (classifiedAs == TransportReceiveKind.Rtp)
        {
            Assert.Equal(TransportReceive.Rtp(packet.Length), result);
            Assert.Equal(packet, plain);
        }
        else
        {
            // RTP with payload type 64-95 and the marker set looks like RTCP 192-223: RFC 5761 §4 is why senders avoid it.
            Assert.Equal(TransportReceiveKind.Dropped, result.Kind);
            Assert.Equal(0, link.B.Counters.SrtpPacketsReceived);
        }

        Assert.Equal(TransportState.Connected, link.B.State);
    }

    [Fact]
    public void ReplayedAndForgedSrtpAreDroppedAndCountedWithoutChangingState()
    {
        using var link = new TransportLink();
        link.Connect();
        byte[] plain = new byte[2048];

        byte[] rtp = ProtectedByA(link, TransportLink.Rtp(1000));
        byte[] rtcp = ProtectedByA(link, TransportLink.ReceiverReport(9), rtcp: true);
        Assert.Equal(TransportReceive.Rtp(52), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, rtp, plain, link.Now));
        Assert.Equal(TransportReceive.Rtcp(8), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, rtcp, plain, link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.Replayed), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, rtp, plain, link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.Replayed), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, rtcp, plain, link.Now));

        // Forged: a fresh packet with a bit flipped in the payload, in the tag, and in the header (the payload type; a
        // flipped sequence number could name a packet already received, which the replay check refuses first).
        byte[] next = ProtectedByA(link, TransportLink.Rtp(1001));
        foreach (int position in new[] { 20, next.Length - 1, 1 })
        {
            byte[] forged = (byte[])next.Clone();
            forged[position] ^= 0x01;
            Assert.Equal(TransportReceive.Dropped(TransportDropReason.AuthenticationFailed), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, forged, plain, link.Now));
        }

        byte[] nextRtcp = ProtectedByA(link, TransportLink.ReceiverReport(9), rtcp: true);
        byte[] forgedRtcp = (byte[])nextRtcp.Clone();
        forgedRtcp[6] ^= 0x80;
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.AuthenticationFailed), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, forgedRtcp, plain, link.Now));

        Assert.Equal(2, link.B.Counters.GetDropped(TransportDropReason.Replayed));
        Assert.Equal(4, link.B.Counters.GetDropped(TransportDropReason.AuthenticationFailed));
        Assert.Equal(6, link.B.Counters.DroppedTotal);
        Assert.Equal(TransportState.Connected, link.B.State);
        Assert.Equal(0, CountEvents(link.B));

        // Nothing was spent: the genuine packets the forgeries were made from still pass.
        Assert.Equal(TransportReceive.Rtp(52), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, next, plain, link.Now));
        Assert.Equal(TransportLink.Rtp(1001), plain.AsSpan(0, 52).ToArray());
        Assert.Equal(TransportReceive.Rtcp(8), link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, nextRtcp, plain, link.Now));
        Assert.Equal(2, link.B.Counters.SrtpPacketsReceived);
        Assert.Equal(2, link.B.Counters.SrtcpPacketsReceived);
    }

    [Fact]
    public void EarlyDtlsClientHelloBeforeStartIsHeldAndReplayed()
    {
        // A retransmits its ClientHello only after 20 s: if B connects sooner, the hello it used is the one it held.
        using var link = new TransportLink(DtlsRole.Client, a => a.DtlsInitialRetransmitTimeout = TimeSpan.FromSeconds(20));
        link.StartA();
        link.B.StartGathering(controlling: false, link.Now);
        Assert.True(link.RunUntil(() => link.B.Counters.DtlsDatagramsReceived > 0, TimeSpan.FromSeconds(5)));
        Assert.Equal(DtlsState.New, link.B.DtlsState);
        Assert.Equal(DtlsState.Handshaking, link.A.DtlsState);
        Assert.Equal(0, link.B.Counters.DroppedTotal);
        Assert.All(link.ReceivedByB.Where(r => r.Result.Kind != TransportReceiveKind.Consumed), r => Assert.Fail("dropped " + r.Result));
        TimeSpan helloAt = link.Now;

        link.StartB();
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Connected && link.B.State == TransportState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(link.Now - helloAt < TimeSpan.FromSeconds(20), $"connected at {link.Now - helloAt} after the hello");
        Assert.Equal(DtlsRole.Server, Assert.Single(link.EventsB.OfType<TransportDtlsConnectedEvent>()).Role);
    }

    [Fact]
    public void IceRestartKeepsTheDtlsAndSrtpAssociation()
    {
        using var link = new TransportLink();
        link.Connect();
        string oldUfragB = link.B.LocalCredentials.Ufrag;
        int statesA = link.EventsA.OfType<TransportStateChangedEvent>().Count();
        int statesB = link.EventsB.OfType<TransportStateChangedEvent>().Count();
        int pairsA = link.EventsA.OfType<TransportSelectedPairEvent>().Count();
        int pairsB = link.EventsB.OfType<TransportSelectedPairEvent>().Count();

        IceCredentials newA = link.A.RestartIce(link.Now);
        IceCredentials newB = link.B.RestartIce(link.Now, newA);
        link.A.SetRemoteIceCredentials(newB, link.Now);
        Assert.NotEqual(oldUfragB, newB.Ufrag);
        Assert.Equal(newB, link.B.LocalCredentials);

        // While the restart runs, requests for the previous ufrag are still routed here.
        TransportAddress stranger = TransportAddress.Parse("192.0.2.9:4000");
        Assert.True(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(oldUfragB + ":x")));
        Assert.True(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(newB.Ufrag + ":x")));

        // Media keeps flowing over the old pair during the restart and over the new one after it.
        ushort seq = 1;
        bool restarted() => link.EventsA.OfType<TransportSelectedPairEvent>().Count() > pairsA && link.EventsB.OfType<TransportSelectedPairEvent>().Count() > pairsB;
        for (int i = 0; i < 200 && !restarted(); i++)
        {
            Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(seq++), link.Now));
            Assert.Equal(TransportSendStatus.Sent, link.B.SendRtcp(TransportLink.ReceiverReport(), link.Now));
            link.RunUntil(() => false, TimeSpan.FromMilliseconds(20));
        }

        Assert.True(restarted(), "ICE selected no pair after the restart");
        Assert.True(link.RunUntil(() => link.A.IceState is IceConnectionState.Connected or IceConnectionState.Completed
            && link.B.IceState is IceConnectionState.Connected or IceConnectionState.Completed, TimeSpan.FromSeconds(5)));
        Assert.False(link.B.Accepts(TransportLink.AddressB, stranger, BindingRequest(oldUfragB + ":x")), "the restart is over");

        link.ReceivedByB.Clear();
        Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(seq), link.Now));
        link.Pump();
        Assert.Equal(TransportLink.Rtp(seq), Assert.Single(link.ReceivedByB, r => r.Result.Kind == TransportReceiveKind.Rtp).Plain);

        // One DTLS association: no second handshake, no state change, nothing dropped.
        Assert.Single(link.EventsA.OfType<TransportDtlsConnectedEvent>());
        Assert.Single(link.EventsB.OfType<TransportDtlsConnectedEvent>());
        Assert.Equal(statesA, link.EventsA.OfType<TransportStateChangedEvent>().Count());
        Assert.Equal(statesB, link.EventsB.OfType<TransportStateChangedEvent>().Count());
        Assert.Equal(TransportState.Connected, link.A.State);
        Assert.Equal(TransportState.Connected, link.B.State);
        Assert.Equal(0, link.B.Counters.GetDropped(TransportDropReason.Replayed) + link.B.Counters.GetDropped(TransportDropReason.AuthenticationFailed));
        Assert.True(link.B.Counters.SrtpPacketsReceived >= seq);
    }

    [Fact]
    public void PollTimeoutSaysWhichOwnerIsDue()
    {
        using var link = new TransportLink(DtlsRole.Client);
        Assert.Null(link.A.PollTimeout());

        // Checks run against B's candidate while B is silent: ICE's check timer.
        link.B.StartGathering(controlling: false, link.Now);
        link.Drop = (_, _) => true;
        link.StartA();
        link.Pump();
        Assert.Equal(TransportTimerReason.IceCheck, link.A.PollTimeout()!.Value.Reason);

        // ICE connects but B's DTLS answers never reach A: A's DTLS retransmission timer comes before ICE's consent.
        link.Drop = (fromA, bytes) => !fromA && bytes[0] is >= 20 and <= 63;
        link.StartB();
        Assert.True(link.RunUntil(() => link.A.IceState is IceConnectionState.Connected or IceConnectionState.Completed && link.A.DtlsState == DtlsState.Handshaking, TimeSpan.FromSeconds(5)));
        Assert.True(link.RunUntil(() => link.A.PollTimeout()?.Reason == TransportTimerReason.DtlsRetransmit, TimeSpan.FromSeconds(5)));
        TransportTimeout dtls = link.A.PollTimeout()!.Value;
        int sent = link.SentByA.Count(d => d[0] == 22);
        link.Now = dtls.At;
        link.A.HandleTimeout(link.Now);
        link.Pump();
        Assert.True(link.SentByA.Count(d => d[0] == 22) > sent, "the DTLS timer retransmitted the flight");

        // Connected: only ICE's consent or keepalive timers remain.
        link.Drop = null;
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Connected && link.B.State == TransportState.Connected, TimeSpan.FromSeconds(10)));
        link.RunUntil(() => false, TimeSpan.FromSeconds(1));
        Assert.Equal(DtlsState.Connected, link.A.DtlsState);
        TransportTimeout connected = link.A.PollTimeout()!.Value;
        Assert.Contains(connected.Reason, new[] { TransportTimerReason.IceConsent, TransportTimerReason.IceKeepalive });
        Assert.True(connected.At > link.Now);

        // Closed: no timer at all.
        link.A.Close(link.Now);
        Assert.Null(link.A.PollTimeout());
    }

    [Fact]
    public void CloseNotifyMakesThePeerReportClosedByPeer()
    {
        using var link = new TransportLink();
        link.Connect();
        link.A.Close(link.Now);
        Assert.Equal(TransportState.Closed, link.A.State);
        link.Pump();

        Assert.Single(link.EventsB.OfType<TransportClosedByPeerEvent>());
        Assert.DoesNotContain(link.EventsA, e => e is TransportClosedByPeerEvent);
        Assert.True(link.B.ClosedByPeer);
        Assert.Equal(TransportState.Closed, link.B.State);
        Assert.Contains(link.EventsB, e => e is TransportStateChangedEvent { State: TransportState.Closed });
        Assert.Null(link.B.PollTimeout());
        Assert.Equal(TransportSendStatus.Closed, link.B.SendRtp(TransportLink.Rtp(1), link.Now));
        Assert.Equal(TransportSendStatus.Closed, link.A.SendRtp(TransportLink.Rtp(1), link.Now));
        Assert.Equal(TransportReceive.Dropped(TransportDropReason.Closed),
            link.B.HandleDatagram(TransportLink.AddressB, TransportLink.AddressA, TransportLink.Rtp(1), new byte[2048], link.Now));
    }

    [Fact]
    public void SendSaysWhyNothingWasSent()
    {
        using var link = new TransportLink();
        Assert.Equal(TransportSendStatus.NotConnected, link.A.SendRtp(TransportLink.Rtp(1), link.Now));
        Assert.Equal(TransportSendStatus.NotConnected, link.A.SendRtcp(TransportLink.ReceiverReport(), link.Now));
        link.Connect();
        Assert.Equal(TransportSendStatus.TooLarge, link.A.SendRtp(TransportLink.Rtp(1, payloadLength: WebRtcTransport.MaxDatagramSize - 12), link.Now));
        Assert.Equal(TransportSendStatus.Malformed, link.A.SendRtp([0x80, 0x00, 0x00], link.Now));
        Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(1, payloadLength: WebRtcTransport.MaxDatagramSize - 12 - 16), link.Now));
        for (int i = 1; i < WebRtcTransport.MaxQueuedTransmits; i++)
        {
            Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp((ushort)(i + 1)), link.Now));
        }

        Assert.Equal(TransportSendStatus.QueueFull, link.A.SendRtp(TransportLink.Rtp(5000), link.Now));
        Assert.Throws<ArgumentException>(() => link.A.TryPollTransmit(new byte[100], out _));
        link.Pump();
        Assert.Equal(TransportSendStatus.Sent, link.A.SendRtp(TransportLink.Rtp(5000), link.Now));
    }

    [Fact]
    public void NoCommonSrtpProfileFailsTheTransport()
    {
        using var link = new TransportLink(DtlsRole.Client,
            a => { a.SrtpProfiles.Clear(); a.SrtpProfiles.Add(SrtpProfile.Aes128CmHmacSha1_80); },
            b => { b.SrtpProfiles.Clear(); b.SrtpProfiles.Add(SrtpProfile.AeadAes128Gcm); });
        link.StartA();
        link.StartB();
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Failed && link.B.State == TransportState.Failed, TimeSpan.FromSeconds(10)));

        // The DTLS server finds no profile in common and says so with a fatal alert (RFC 5764 §4.1.2); the client fails on it.
        TransportFailedEvent server = Assert.Single(link.EventsB.OfType<TransportFailedEvent>());
        Assert.Equal(TransportFailure.NoCommonSrtpProfile, server.Failure);
        Assert.Equal(DtlsError.NoCommonSrtpProfile, server.DtlsError);
        TransportFailedEvent client = Assert.Single(link.EventsA.OfType<TransportFailedEvent>());
        Assert.Equal(TransportFailure.DtlsFailed, client.Failure);
        Assert.Equal(DtlsError.PeerAlert, client.DtlsError);
        Assert.Equal(TransportSendStatus.Closed, link.A.SendRtp(TransportLink.Rtp(1), link.Now));
    }

    [Fact]
    public void AFingerprintMismatchFailsDtls()
    {
        using var link = new TransportLink();
        link.A.Start(link.ParametersFor(forA: true) with { RemoteFingerprints = [TransportLink.CertificateA.Fingerprint] }, link.Now);
        link.StartB();
        Assert.True(link.RunUntil(() => link.A.State == TransportState.Failed, TimeSpan.FromSeconds(10)));
        TransportFailedEvent failed = Assert.Single(link.EventsA.OfType<TransportFailedEvent>());
        Assert.Equal(TransportFailure.DtlsFailed, failed.Failure);
        Assert.Equal(DtlsError.FingerprintMismatch, failed.DtlsError);
        Assert.False(link.A.CanSendMedia);
    }

    [Fact]
    public void TheSteadyPathAllocatesNothing()
    {
        using var link = new TransportLink();
        link.Connect();
        byte[] rtp = TransportLink.Rtp(1, payloadLength: 160);
        byte[] rtcp = TransportLink.ReceiverReport();
        byte[] wire = new byte[2048];
        byte[] plain = new byte[2048];
        TimeSpan now = link.Now;

        int Round(int i)
        {
            rtp[2] = (byte)(i >> 8);
            rtp[3] = (byte)i;
            int media = 0;
            if (link.A.SendRtp(rtp, now) == TransportSendStatus.Sent && link.A.TryPollTransmit(wire, out DatagramTransmit t)
                && link.B.HandleDatagram(t.Destination, t.Source, wire.AsSpan(0, t.Length), plain, now).Kind == TransportReceiveKind.Rtp)
            {
                media++;
            }

            if (link.B.SendRtcp(rtcp, now) == TransportSendStatus.Sent && link.B.TryPollTransmit(wire, out t)
                && link.A.HandleDatagram(t.Destination, t.Source, wire.AsSpan(0, t.Length), plain, now).Kind == TransportReceiveKind.Rtcp)
            {
                media++;
            }

            return media;
        }

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(2, Round(i));
        }

        int delivered = 0;
        long allocated = RtcStack.TestSupport.AllocationProbe.LeastPerChunk(200, 5200, 3, i => delivered += Round(i));
        Assert.Equal(10_000, delivered);
        Assert.Equal(0, allocated);
    }

    private static byte[] Filled(byte first, int length, byte? second = null)
    {
        byte[] d = new byte[length];
        for (int i = 0; i < length; i++)
        {
            d[i] = (byte)((i * 37) + 11);
        }

        if (length > 0)
        {
            d[0] = first;
        }

        if (length > 1 && second is byte s)
        {
            d[1] = s;
        }

        return d;
    }

    /// <summary>A datagram A protects for B, taken off A's transmit queue without delivering it.</summary>
    private static byte[] ProtectedByA(TransportLink link, byte[] packet, bool rtcp = false)
    {
        Assert.Equal(TransportSendStatus.Sent, rtcp ? link.A.SendRtcp(packet, link.Now) : link.A.SendRtp(packet, link.Now));
        byte[] wire = new byte[2048];
        while (link.A.TryPollTransmit(wire, out DatagramTransmit t))
        {
            if (wire[0] is >= 128 and <= 191)
            {
                return wire.AsSpan(0, t.Length).ToArray();
            }

            // ICE's own message queued before the media: deliver it as the network would.
            link.B.HandleDatagram(t.Destination, t.Source, wire.AsSpan(0, t.Length), new byte[2048], link.Now);
        }

        throw new InvalidOperationException("A queued no media");
    }

    private static int CountEvents(WebRtcTransport t)
    {
        int n = 0;
        while (t.TryPollEvent(out _))
        {
            n++;
        }

        return n;
    }

    private static byte[] BindingRequest(string username)
    {
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, username);
        w.AddFingerprint();
        return w.Written.ToArray();
    }

    private static byte[] BindingSuccess(string username)
    {
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingSuccess, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, username);
        w.AddFingerprint();
        return w.Written.ToArray();
    }
}
