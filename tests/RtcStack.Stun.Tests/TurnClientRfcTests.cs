using System.Buffers.Binary;
using RtcStack.Stun.Turn;

namespace RtcStack.Stun.Tests;

/// <summary>
/// The TURN client's requests, timers and error paths against RFC 8656 (TURN) and RFC 8489 (STUN transactions and
/// long-term credentials), with a scripted server (no sockets). Helpers are <see cref="TurnClientTests"/>'.
/// </summary>
public partial class TurnClientTests
{
    private static readonly TransportAddress s_peer2 = TransportAddress.Parse("203.0.113.5:7001"); // same IP as s_peer
    private static readonly TransportAddress s_peer6 = TransportAddress.Parse("[2001:db8::5]:7000");

    private static StunMessageReader Parse(byte[] message)
    {
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(message, out StunMessageReader r));
        return r;
    }

    private static List<TurnEvent> Events(TurnClient c)
    {
        var list = new List<TurnEvent>();
        while (c.TryPollEvent(out TurnEvent? e))
        {
            list.Add(e!);
        }

        return list;
    }

    private static byte[] ErrorTo(byte[] request, int code, byte[]? key = null) =>
        Respond(request, StunClass.ErrorResponse, (ref StunMessageWriter w) => w.AddErrorCode(code), key);

    [Fact]
    public void Constructor_AndProperties()
    {
        Assert.Throws<ArgumentNullException>(() => new TurnClient(s_server, s_local, null!, "p"));
        Assert.Throws<ArgumentNullException>(() => new TurnClient(s_server, s_local, "u", null!));
        var c = new TurnClient(s_server, s_local, "u", "p");
        Assert.Equal(s_server, c.Server);
        Assert.Equal(s_local, c.LocalBase);
        Assert.Equal(TurnTransport.Udp, c.Transport);
        Assert.Equal(TurnClientState.New, c.State);
        Assert.Null(c.PollTimeout());
        Assert.False(c.TryPollTransmit(_buf, out int n));
        Assert.Equal(0, n);
        Assert.False(c.TryPollEvent(out _));
        c.Allocate(TimeSpan.Zero);
        Assert.Throws<InvalidOperationException>(() => c.Allocate(TimeSpan.Zero));
    }

    [Fact]
    public void AllocateRequest_Rfc8656Section7_1()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { RequestedLifetime = TimeSpan.FromSeconds(1200), DontFragment = true });
        c.Allocate(TimeSpan.Zero);
        StunMessageReader r = Parse(Next(c));
        Assert.Equal(new StunMessageType(StunMethod.Allocate, StunClass.Request), r.MessageType);

        // §18.8 REQUESTED-TRANSPORT: protocol 17 (UDP) then three RFFU bytes that MUST be zero.
        Assert.True(r.TryGetAttribute(StunAttributeType.RequestedTransport, out ReadOnlySpan<byte> rt));
        Assert.Equal(new byte[] { 17, 0, 0, 0 }, rt.ToArray());
        Assert.True(r.TryGetUInt32(StunAttributeType.Lifetime, out uint lifetime));
        Assert.Equal(1200u, lifetime);
        Assert.True(r.TryGetAttribute(StunAttributeType.DontFragment, out ReadOnlySpan<byte> df));
        Assert.Equal(0, df.Length);
        Assert.True(r.TryGetString(StunAttributeType.Software, out string software));
        Assert.Equal("RtcStack", software);
        Assert.True(r.VerifyFingerprint());

        // RFC 8489 §9.2.3: the first request carries no credentials.
        Assert.False(r.HasAttribute(StunAttributeType.Username));
        Assert.False(r.HasMessageIntegrity);

        var plain = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { Software = null });
        plain.Allocate(TimeSpan.Zero);
        StunMessageReader p = Parse(Next(plain));
        Assert.False(p.HasAttribute(StunAttributeType.DontFragment));
        Assert.False(p.HasAttribute(StunAttributeType.Software));
        Assert.True(p.TryGetUInt32(StunAttributeType.Lifetime, out uint defaultLifetime));
        Assert.Equal(600u, defaultLifetime); // RFC 8656 §7.2: the default lifetime is 10 minutes
    }

    [Fact]
    public void Retransmissions_FollowRfc8489Section6_2_1()
    {
        // RTO 500 ms doubling, Rc = 7 transmissions, then Rm * RTO = 8 s: sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s,
        // failed at 39.5 s. Every retransmission is the same request (same transaction ID).
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        byte[] first = Next(c);
        double[] expected = [0.5, 1.5, 3.5, 7.5, 15.5, 31.5];
        foreach (double t in expected)
        {
            TimeSpan at = TimeSpan.FromSeconds(t);
            Assert.Equal(at, c.PollTimeout());
            c.HandleTimeout(at - TimeSpan.FromTicks(1));
            Assert.False(c.TryPollTransmit(_buf, out _), $"early retransmission before {t} s");
            c.HandleTimeout(at);
            Assert.Equal(first, Next(c));
            Assert.False(c.TryPollTransmit(_buf, out _));
        }

        Assert.Equal(TimeSpan.FromSeconds(39.5), c.PollTimeout());
        c.HandleTimeout(TimeSpan.FromSeconds(39.5) - TimeSpan.FromTicks(1));
        Assert.Equal(TurnClientState.Allocating, c.State);
        c.HandleTimeout(TimeSpan.FromSeconds(39.5));
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.False(c.TryPollTransmit(_buf, out _));
        Assert.Null(c.PollTimeout());
    }

    [Fact]
    public void CustomTransactionOptions_AreUsed()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { InitialRto = TimeSpan.FromMilliseconds(100), MaxTransmissions = 2, FinalWaitMultiplier = 4 });
        c.Allocate(TimeSpan.Zero);
        Next(c);
        Assert.Equal(TimeSpan.FromMilliseconds(100), c.PollTimeout());
        c.HandleTimeout(TimeSpan.FromMilliseconds(100));
        Next(c);
        Assert.Equal(TimeSpan.FromMilliseconds(500), c.PollTimeout()); // last transmission + 4 * 100 ms
        c.HandleTimeout(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TurnClientState.Failed, c.State);
    }

    [Fact]
    public void AuthenticatedRequests_CarryUsernameRealmNonceAndValidIntegrity()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        StunMessageReader r = Parse(Next(c));
        Assert.True(r.TryGetString(StunAttributeType.Username, out string u));
        Assert.Equal("user", u);
        Assert.True(r.TryGetString(StunAttributeType.Realm, out string realm));
        Assert.Equal("example", realm);
        Assert.True(r.TryGetString(StunAttributeType.Nonce, out string nonce));
        Assert.Equal("n1", nonce);
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.True(r.VerifyFingerprint());
        Assert.False(r.HasAttribute(StunAttributeType.PasswordAlgorithms)); // the server offered none
    }

    [Fact]
    public void Challenge_WithoutNonceOrRealm_Fails()
    {
        // RFC 8489 §9.2.4/§9.2.5: a 401 carries REALM and NONCE; without them the client cannot authenticate.
        var noNonce = new TurnClient(s_server, s_local, "user", "pass");
        noNonce.Allocate(TimeSpan.Zero);
        noNonce.HandleDatagram(Respond(Next(noNonce), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(401);
            w.AddString(StunAttributeType.Realm, "example");
        }, null), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Failed, noNonce.State);
        Assert.Equal(401, noNonce.LastErrorCode);
        Assert.False(noNonce.TryPollTransmit(_buf, out _));

        var noRealm = new TurnClient(s_server, s_local, "user", "pass");
        noRealm.Allocate(TimeSpan.Zero);
        noRealm.HandleDatagram(Respond(Next(noRealm), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(401);
            w.AddString(StunAttributeType.Nonce, "n");
        }, null), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Failed, noRealm.State);
        Assert.False(noRealm.TryPollTransmit(_buf, out _));

        // A realm that cannot be prepared (RFC 8265 OpaqueString rejects controls) fails instead of throwing.
        var badRealm = new TurnClient(s_server, s_local, "user", "pass");
        badRealm.Allocate(TimeSpan.Zero);
        badRealm.HandleDatagram(Respond(Next(badRealm), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(401);
            w.AddString(StunAttributeType.Realm, "bad\u0001realm");
            w.AddString(StunAttributeType.Nonce, "n");
        }, null), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Failed, badRealm.State);
        Assert.Equal(401, Assert.IsType<TurnFailedEvent>(Assert.Single(Events(badRealm))).ErrorCode);
    }

    [Fact]
    public void StaleNonce_ForeverIsBounded()
    {
        // RFC 8489 §9.2.5: a 438 is retried with the new nonce. A server that answers 438 every time must not keep
        // the client looping: it fails with 438 after a bounded number of retries.
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        int requests = 0;
        while (c.TryPollTransmit(_buf, out int n) && requests < 20)
        {
            requests++;
            byte[] req = _buf.AsSpan(0, n).ToArray();
            StunMessageReader r = Parse(req);
            Assert.True(r.VerifyMessageIntegrity(key));
            c.HandleDatagram(Challenge(req, 438, "fresh" + requests), TimeSpan.Zero, out _, out _);
        }

        Assert.InRange(requests, 2, 10);
        TurnEvent e = Assert.Single(Events(c));
        Assert.Equal(new TurnRequestFailedEvent(StunMethod.CreatePermission, s_peer, 438), e);
        Assert.False(c.HasPermission(s_peer));
        Assert.Equal(TurnClientState.Allocated, c.State);
    }

    [Fact]
    public void StaleNonce_KeepsTheRealmAndUsesTheNewNonce()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);

        // The 438 carries only a NONCE (RFC 8489 §9.2.5 lets the client keep the realm it has).
        c.HandleDatagram(Respond(Next(c), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(438);
            w.AddString(StunAttributeType.Nonce, "n-new");
        }, null), TimeSpan.Zero, out _, out _);
        StunMessageReader r = Parse(Next(c));
        Assert.True(r.TryGetString(StunAttributeType.Realm, out string realm));
        Assert.Equal("example", realm);
        Assert.True(r.TryGetString(StunAttributeType.Nonce, out string nonce));
        Assert.Equal("n-new", nonce);
        Assert.True(r.VerifyMessageIntegrity(key));
    }

    [Theory]
    [InlineData(StunErrorCode.AllocationQuotaReached, "Allocation Quota Reached")]
    [InlineData(StunErrorCode.UnsupportedTransportProtocol, "Unsupported Transport Protocol")]
    [InlineData(StunErrorCode.InsufficientCapacity, "Insufficient Capacity")]
    public void Allocate_ErrorResponse_Fails(int code, string reason)
    {
        // RFC 8656 §7.4: any other error response to Allocate means the allocation was not created.
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n"), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnDataResult.Consumed, c.HandleDatagram(ErrorTo(Next(c), code), TimeSpan.Zero, out _, out _));
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.Equal(code, c.LastErrorCode);
        var failed = Assert.IsType<TurnFailedEvent>(Assert.Single(Events(c)));
        Assert.Equal(code, failed.ErrorCode);
        Assert.Equal(reason, failed.Reason);
        Assert.Null(c.PollTimeout());
    }

    [Fact]
    public void Allocate_SuccessWithoutRelayedAddress_Fails()
    {
        // RFC 8656 §7.3: the success response carries XOR-RELAYED-ADDRESS; without it there is no allocation.
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n1"), TimeSpan.Zero, out _, out _);
        byte[] key = StunCredentials.LongTermKey("user", "example", "pass");
        c.HandleDatagram(Respond(Next(c), StunClass.SuccessResponse, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, 600), key), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.True(c.RelayedAddress.IsEmpty);
        Assert.Equal(0, Assert.IsType<TurnFailedEvent>(Assert.Single(Events(c))).ErrorCode);
    }

    [Fact]
    public void Allocate_Success_SetsAddressesAndLifetime()
    {
        TurnClient c = Allocated(out _, TimeSpan.FromSeconds(3));
        Assert.Equal(s_relayed, c.RelayedAddress);
        Assert.Equal(s_mapped, c.MappedAddress);
        Assert.Equal(TimeSpan.FromSeconds(600), c.Lifetime);
    }

    [Fact]
    public void ResponseMatching_Rfc8489Section6_3()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        byte[] req = Next(c);
        StunMessageReader r = Parse(req);

        // Another transaction ID.
        byte[] other = new byte[64];
        var w = new StunMessageWriter(other, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), StunTransactionId.NewRandom());
        w.AddErrorCode(401);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out _));

        // The right ID but another method.
        w = new StunMessageWriter(other, new StunMessageType(StunMethod.Refresh, StunClass.ErrorResponse), r.TransactionId);
        w.AddErrorCode(401);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out _));

        // A request (class 00) from the server is not a response.
        w = new StunMessageWriter(other, new StunMessageType(StunMethod.Allocate, StunClass.Request), r.TransactionId);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out _));

        // Not STUN at all, and a ChannelData header too short or outside 0x4000-0x4FFF.
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(new byte[] { 0x00, 0x01, 0x00 }, TimeSpan.Zero, out _, out _));
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(new byte[] { 0x40, 0x00, 0x00 }, TimeSpan.Zero, out _, out _));
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(new byte[] { 0x50, 0x00, 0x00, 0x00 }, TimeSpan.Zero, out _, out _));

        Assert.Equal(TurnClientState.Allocating, c.State);
        Assert.Empty(Events(c));

        // The real one still completes the transaction.
        Assert.Equal(TurnDataResult.Consumed, c.HandleDatagram(Challenge(req, 401, "n"), TimeSpan.Zero, out _, out _));
        Assert.True(c.TryPollTransmit(_buf, out _));
    }

    [Fact]
    public void ForgedResponse_LeavesTheTransactionPending()
    {
        // RFC 8489 §9.2.5: a response whose MESSAGE-INTEGRITY does not verify is discarded as if never received.
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        byte[] req = Next(c);
        Assert.Equal(TurnDataResult.Consumed, c.HandleDatagram(Respond(req, StunClass.SuccessResponse, null, "forged"u8.ToArray()), TimeSpan.Zero, out _, out _));
        Assert.False(c.HasPermission(s_peer));
        Assert.Empty(Events(c));
        c.HandleTimeout(TimeSpan.FromMilliseconds(500));
        Assert.Equal(req, Next(c)); // still retransmitted
        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, null, key), TimeSpan.FromMilliseconds(600), out _, out _);
        Assert.True(c.HasPermission(s_peer));
    }

    [Fact]
    public void DataIndication_NeedsPeerAndData()
    {
        // RFC 8656 §11.4: a Data indication carries XOR-PEER-ADDRESS and DATA; one without either is discarded.
        TurnClient c = Allocated(out _, TimeSpan.Zero);
        byte[] ind = new byte[100];
        var w = new StunMessageWriter(ind, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddAttribute(StunAttributeType.Data, "x"u8);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out ReadOnlySpan<byte> d1));
        Assert.True(d1.IsEmpty);

        w = new StunMessageWriter(ind, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddXorAddress(StunAttributeType.XorPeerAddress, s_peer);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out _));

        // A Send indication (client to server) arriving at the client is not data.
        w = new StunMessageWriter(ind, new StunMessageType(StunMethod.Send, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddXorAddress(StunAttributeType.XorPeerAddress, s_peer);
        w.AddAttribute(StunAttributeType.Data, "x"u8);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(w.Written, TimeSpan.Zero, out _, out _));

        // IPv6 peer in a Data indication.
        w = new StunMessageWriter(ind, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddXorAddress(StunAttributeType.XorPeerAddress, s_peer6);
        w.AddAttribute(StunAttributeType.Data, "v6"u8);
        Assert.Equal(TurnDataResult.PeerData, c.HandleDatagram(w.Written, TimeSpan.Zero, out TransportAddress from, out ReadOnlySpan<byte> data));
        Assert.Equal(s_peer6, from);
        Assert.Equal("v6"u8.ToArray(), data.ToArray());
    }

    [Fact]
    public void SendIndication_Rfc8656Section11_1_AndOverheadBound()
    {
        TurnClient c = Allocated(out _, TimeSpan.Zero);
        byte[] outBuf = new byte[200];
        int n = c.WrapSend(s_peer6, "z"u8, outBuf);
        StunMessageReader r = Parse(outBuf[..n]);
        Assert.Equal(new StunMessageType(StunMethod.Send, StunClass.Indication), r.MessageType);
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorPeerAddress, out TransportAddress peer));
        Assert.Equal(s_peer6, peer); // the full transport address, port included
        Assert.True(r.TryGetAttribute(StunAttributeType.Data, out ReadOnlySpan<byte> d));
        Assert.Equal("z"u8.ToArray(), d.ToArray());

        // An IPv6 peer and a 1-byte payload is the worst case: header 20 + XOR-PEER-ADDRESS 24 + DATA 4 + 1 + 3 padding.
        Assert.Equal(1 + TurnClient.MaxWrapOverhead, n);
    }

    [Fact]
    public void Permission_IsPerIPAddress_Rfc8656Section9()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        byte[] req = Next(c);
        StunMessageReader r = Parse(req);
        Assert.Equal(new StunMessageType(StunMethod.CreatePermission, StunClass.Request), r.MessageType);
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorPeerAddress, out TransportAddress pa));
        Assert.True(pa.SameAddress(s_peer));

        // The same IP with another port needs no new request (§9: only the IP address is compared).
        c.CreatePermission(s_peer2, TimeSpan.Zero);
        Assert.False(c.TryPollTransmit(_buf, out _));
        Assert.False(c.HasPermission(s_peer));

        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, null, key), TimeSpan.Zero, out _, out _);
        Assert.True(c.HasPermission(s_peer));
        Assert.True(c.HasPermission(s_peer2));
        Assert.False(c.HasPermission(s_relayed));
        Assert.IsType<TurnPermissionCreatedEvent>(Assert.Single(Events(c)));
    }

    [Fact]
    public void Permission_IsRefreshedBeforeItsFiveMinutesRunOut()
    {
        // RFC 8656 §9: a permission lasts 300 s unless refreshed; the client refreshes before that.
        TimeSpan t0 = TimeSpan.FromSeconds(10);
        TurnClient c = Allocated(out byte[] key, t0);
        c.CreatePermission(s_peer, t0);
        c.HandleDatagram(Respond(Next(c), StunClass.SuccessResponse, null, key), t0, out _, out _);
        TimeSpan due = c.PollTimeout()!.Value;
        Assert.InRange(due, t0 + TimeSpan.FromSeconds(1), t0 + TimeSpan.FromSeconds(300) - TimeSpan.FromTicks(1));
        c.HandleTimeout(due - TimeSpan.FromTicks(1));
        Assert.False(c.TryPollTransmit(_buf, out _));
        c.HandleTimeout(due);
        StunMessageReader r = Parse(Next(c));
        Assert.Equal(StunMethod.CreatePermission, r.Method);
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorPeerAddress, out TransportAddress pa));
        Assert.True(pa.SameAddress(s_peer));
        Assert.False(c.TryPollTransmit(_buf, out _)); // one refresh, not one per timeout call
        c.HandleTimeout(due + TimeSpan.FromMilliseconds(1));
        Assert.False(c.TryPollTransmit(_buf, out _));
    }

    [Fact]
    public void Permission_ErrorOrTimeout_RemovesIt()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        c.HandleDatagram(ErrorTo(Next(c), StunErrorCode.Forbidden, key), TimeSpan.Zero, out _, out _);
        Assert.Equal(new TurnRequestFailedEvent(StunMethod.CreatePermission, s_peer, 403), Assert.Single(Events(c)));
        Assert.False(c.HasPermission(s_peer));
        Assert.Equal(TurnClientState.Allocated, c.State);

        // Asking again after the failure sends a new request; unanswered, it times out (code 0) and is removed again.
        c.CreatePermission(s_peer, TimeSpan.Zero);
        Next(c);
        TurnEvent? failed = null;
        for (TimeSpan? t = c.PollTimeout(); failed is null && t is { } at && at < TimeSpan.FromSeconds(60); t = c.PollTimeout())
        {
            c.HandleTimeout(at);
            while (c.TryPollTransmit(_buf, out _))
            {
            }

            c.TryPollEvent(out failed);
        }

        Assert.Equal(new TurnRequestFailedEvent(StunMethod.CreatePermission, s_peer, 0), failed);
        Assert.False(c.HasPermission(s_peer));
        c.CreatePermission(s_peer, TimeSpan.FromSeconds(60));
        Assert.Equal(StunMethod.CreatePermission, Parse(Next(c)).Method);
    }

    [Fact]
    public void TwoRequestsTimingOutTogether_BothFail()
    {
        TurnClient c = Allocated(out _, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        c.CreatePermission(s_peer6, TimeSpan.Zero);
        for (TimeSpan? t = c.PollTimeout(); t is { } at && at <= TimeSpan.FromSeconds(39.5); t = c.PollTimeout())
        {
            c.HandleTimeout(at); // RFC 8489 §6.2.1: both are sent at the same instants and give up at 39.5 s
            while (c.TryPollTransmit(_buf, out _))
            {
            }
        }

        var failed = Events(c).OfType<TurnRequestFailedEvent>().Select(e => e.Peer).ToList();
        Assert.Equal(2, failed.Count);
        Assert.Contains(s_peer, failed);
        Assert.Contains(s_peer6, failed);
    }

    [Fact]
    public void ChannelBind_Rfc8656Section12()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        ushort ch = c.BindChannel(s_peer, TimeSpan.Zero);
        Assert.Equal(ChannelData.MinChannel, ch);
        Assert.Equal(ch, c.BindChannel(s_peer, TimeSpan.Zero)); // the same peer keeps its channel
        byte[] req = Next(c);
        Assert.False(c.TryPollTransmit(_buf, out _));
        StunMessageReader r = Parse(req);
        Assert.Equal(new StunMessageType(StunMethod.ChannelBind, StunClass.Request), r.MessageType);

        // §18.1 CHANNEL-NUMBER: the number, then 16 RFFU bits that MUST be zero.
        Assert.True(r.TryGetAttribute(StunAttributeType.ChannelNumber, out ReadOnlySpan<byte> cn));
        Assert.Equal(new byte[] { 0x40, 0x00, 0x00, 0x00 }, cn.ToArray());
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorPeerAddress, out TransportAddress pa));
        Assert.Equal(s_peer, pa);
        Assert.True(r.VerifyMessageIntegrity(key));

        // A second peer (even at the same IP) gets the next number.
        Assert.Equal(ChannelData.MinChannel + 1, c.BindChannel(s_peer2, TimeSpan.Zero));
        Next(c);

        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, null, key), TimeSpan.FromSeconds(1), out _, out _);
        Assert.Equal(new TurnChannelBoundEvent(s_peer, ch), Assert.Single(Events(c)));
        Assert.True(c.TryGetChannel(s_peer, out ushort bound));
        Assert.Equal(ch, bound);
        Assert.False(c.TryGetChannel(s_peer2, out ushort none));
        Assert.Equal(0, none);

        // §12.1: the binding also installs the permission for the peer's IP address.
        Assert.True(c.HasPermission(s_peer));
    }

    [Fact]
    public void ChannelBind_IsRefreshedBeforeTenMinutes_AndItsPermissionBeforeFive()
    {
        // RFC 8656 §12: a binding lasts 10 minutes, its permission (§9) 5; both are refreshed before they run out.
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.BindChannel(s_peer, TimeSpan.Zero);
        c.HandleDatagram(Respond(Next(c), StunClass.SuccessResponse, null, key), TimeSpan.Zero, out _, out _);
        Events(c);
        c.HandleTimeout(TimeSpan.FromSeconds(1));
        Assert.False(c.TryPollTransmit(_buf, out _)); // nothing is due a second after the binding

        bool permissionRefreshed = false;
        bool channelRefreshed = false;
        TimeSpan lastChannel = TimeSpan.Zero;
        TimeSpan lastPermission = TimeSpan.Zero;
        for (TimeSpan? t = c.PollTimeout(); t is { } at && at <= TimeSpan.FromMinutes(20); t = c.PollTimeout())
        {
            Assert.True(at > TimeSpan.Zero);
            c.HandleTimeout(at);
            while (c.TryPollTransmit(_buf, out int n))
            {
                byte[] req = _buf.AsSpan(0, n).ToArray();
                StunMessageReader r = Parse(req);
                if (r.Method == StunMethod.ChannelBind)
                {
                    Assert.True(at - lastChannel < TimeSpan.FromMinutes(10), $"channel refreshed only at {at}");
                    lastChannel = at;
                    channelRefreshed = true;
                    Assert.True(r.TryGetAttribute(StunAttributeType.ChannelNumber, out ReadOnlySpan<byte> cn));
                    Assert.Equal(ChannelData.MinChannel, BinaryPrimitives.ReadUInt16BigEndian(cn));
                }

                if (r.Method == StunMethod.CreatePermission)
                {
                    Assert.True(at - lastPermission < TimeSpan.FromMinutes(5), $"permission refreshed only at {at}");
                    lastPermission = at;
                    permissionRefreshed = true;
                }

                c.HandleDatagram(Respond(req, StunClass.SuccessResponse, r.Method == StunMethod.Refresh ? (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, 600) : null, key), at, out _, out _);
            }

            if (channelRefreshed && permissionRefreshed)
            {
                break;
            }
        }

        Assert.True(channelRefreshed);
        Assert.True(permissionRefreshed);
        Assert.True(c.TryGetChannel(s_peer, out _));
    }

    [Fact]
    public void ChannelBind_Error_ReleasesTheNumber()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        ushort ch = c.BindChannel(s_peer, TimeSpan.Zero);
        c.HandleDatagram(ErrorTo(Next(c), StunErrorCode.BadRequest, key), TimeSpan.Zero, out _, out _);
        Assert.Equal(new TurnRequestFailedEvent(StunMethod.ChannelBind, s_peer, 400), Assert.Single(Events(c)));
        Assert.False(c.TryGetChannel(s_peer, out _));

        // ChannelData arriving on the failed channel is not attributed to the peer.
        byte[] cd = new byte[8];
        int n = ChannelData.Write(cd, ch, "x"u8);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(cd.AsSpan(0, n), TimeSpan.Zero, out TransportAddress from, out _));
        Assert.True(from.IsEmpty);

        // Sending falls back to a Send indication.
        byte[] outBuf = new byte[100];
        n = c.WrapSend(s_peer, "x"u8, outBuf);
        Assert.Equal(StunMethod.Send, Parse(outBuf[..n]).Method);
    }

    [Fact]
    public void ChannelNumbers_Are0x4000To0x4FFF()
    {
        // RFC 8656 §12: 4096 numbers; the 4097th binding has none.
        var c = new TurnClient(s_server, s_local, "user", "pass");
        for (int i = 0; i < 4096; i++)
        {
            ushort ch = c.BindChannel(TransportAddress.FromIPv4(0xC6336400u + (uint)i, 9), TimeSpan.Zero);
            Assert.Equal(ChannelData.MinChannel + i, ch);
        }

        Assert.Throws<InvalidOperationException>(() => c.BindChannel(TransportAddress.Parse("198.51.200.1:9"), TimeSpan.Zero));
        Assert.False(c.TryPollTransmit(_buf, out _)); // nothing is sent before the allocation exists
    }

    [Fact]
    public void PermissionsAndChannels_AskedBeforeTheAllocation_AreSentOnceItExists()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.CreatePermission(s_peer, TimeSpan.Zero);
        c.BindChannel(s_peer6, TimeSpan.Zero);
        Assert.False(c.TryPollTransmit(_buf, out _));
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n1"), TimeSpan.Zero, out _, out _);
        byte[] key = StunCredentials.LongTermKey("user", "example", "pass");
        c.HandleDatagram(Respond(Next(c), StunClass.SuccessResponse, (ref StunMessageWriter w) =>
        {
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, s_relayed);
            w.AddUInt32(StunAttributeType.Lifetime, 600);
        }, key), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Allocated, c.State);
        Assert.True(c.MappedAddress.IsEmpty); // no XOR-MAPPED-ADDRESS in this response
        var methods = new List<StunMethod>();
        while (c.TryPollTransmit(_buf, out int n))
        {
            methods.Add(Parse(_buf.AsSpan(0, n).ToArray()).Method);
        }

        Assert.Equal(new[] { StunMethod.CreatePermission, StunMethod.ChannelBind }, methods);
    }

    [Fact]
    public void Refresh_RequestAndSuccess_Rfc8656Section8()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        TimeSpan due = c.PollTimeout()!.Value;
        Assert.InRange(due, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(600) - TimeSpan.FromTicks(1));
        c.HandleTimeout(due - TimeSpan.FromTicks(1));
        Assert.False(c.TryPollTransmit(_buf, out _));
        c.HandleTimeout(due);
        byte[] req = Next(c);
        StunMessageReader r = Parse(req);
        Assert.Equal(new StunMessageType(StunMethod.Refresh, StunClass.Request), r.MessageType);
        Assert.True(r.TryGetUInt32(StunAttributeType.Lifetime, out uint lt));
        Assert.Equal(600u, lt);
        Assert.True(r.VerifyMessageIntegrity(key));

        // The server grants 1200 s: the allocation now lasts until due + 1200 s and is refreshed before then.
        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, 1200), key), due, out _, out _);
        Assert.Equal(new TurnRefreshedEvent(TimeSpan.FromSeconds(1200)), Assert.Single(Events(c)));
        Assert.Equal(TimeSpan.FromSeconds(1200), c.Lifetime);
        TimeSpan next = c.PollTimeout()!.Value;
        Assert.InRange(next, due + TimeSpan.FromSeconds(600), due + TimeSpan.FromSeconds(1200) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void ShortLifetime_IsRefreshedBeforeExpiry_AndExpiresWhenUnanswered()
    {
        // RFC 8656 §8: without a successful Refresh the allocation is gone when its lifetime runs out.
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n1"), TimeSpan.Zero, out _, out _);
        byte[] key = StunCredentials.LongTermKey("user", "example", "pass");
        c.HandleDatagram(Respond(Next(c), StunClass.SuccessResponse, (ref StunMessageWriter w) =>
        {
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, s_relayed);
            w.AddUInt32(StunAttributeType.Lifetime, 20);
        }, key), TimeSpan.Zero, out _, out _);
        Assert.Equal(TimeSpan.FromSeconds(20), Assert.IsType<TurnAllocatedEvent>(Assert.Single(Events(c))).Lifetime);

        TimeSpan due = c.PollTimeout()!.Value;
        Assert.InRange(due, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20) - TimeSpan.FromTicks(1));
        bool refreshSent = false;
        for (TimeSpan? t = c.PollTimeout(); c.State == TurnClientState.Allocated && t is { } at; t = c.PollTimeout())
        {
            Assert.True(at <= TimeSpan.FromSeconds(20), $"woke at {at}, after the expiry");
            c.HandleTimeout(at);
            while (c.TryPollTransmit(_buf, out int n))
            {
                refreshSent |= Parse(_buf.AsSpan(0, n).ToArray()).Method == StunMethod.Refresh;
            }

            if (c.State == TurnClientState.Allocated)
            {
                Assert.True(at < TimeSpan.FromSeconds(20));
            }
        }

        Assert.True(refreshSent);
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.Equal(0, Assert.IsType<TurnFailedEvent>(Assert.Single(Events(c))).ErrorCode);
    }

    [Fact]
    public void Refresh_Error_FailsTheAllocation()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.HandleTimeout(c.PollTimeout()!.Value);
        c.HandleDatagram(ErrorTo(Next(c), StunErrorCode.AllocationMismatch, key), TimeSpan.FromSeconds(540), out _, out _);
        Assert.Equal(TurnClientState.Failed, c.State);
        var f = Assert.IsType<TurnFailedEvent>(Assert.Single(Events(c)));
        Assert.Equal(437, f.ErrorCode);
        Assert.Contains("Allocation Mismatch", f.Reason, StringComparison.Ordinal);

        // An authenticated request answered 401 is a credential failure, not a new challenge (RFC 8489 §9.2.5).
        TurnClient d = Allocated(out key, TimeSpan.Zero);
        d.HandleTimeout(d.PollTimeout()!.Value);
        d.HandleDatagram(Challenge(Next(d), 401, "n9"), TimeSpan.FromSeconds(540), out _, out _);
        Assert.Equal(TurnClientState.Failed, d.State);
        Assert.False(d.TryPollTransmit(_buf, out _));
    }

    [Fact]
    public void Deallocate_BeforeAllocation_ClosesWithoutSending()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        Next(c);
        c.Deallocate(TimeSpan.Zero);
        Assert.Equal(TurnClientState.Closed, c.State);
        Assert.False(c.TryPollTransmit(_buf, out _));
        Assert.Null(c.PollTimeout()); // the Allocate transaction is gone too
    }

    [Fact]
    public void Deallocate_StopsRefreshes_AndAnErrorStillCloses()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.Deallocate(TimeSpan.FromSeconds(1));
        Assert.Equal(TurnClientState.Deallocating, c.State);
        byte[] req = Next(c);
        Assert.Equal(TimeSpan.FromSeconds(1.5), c.PollTimeout()); // only the Refresh(0) retransmission, no allocation refresh

        // RFC 8656 §8: a 437 to the deallocating Refresh means the allocation is already gone.
        c.HandleDatagram(ErrorTo(req, StunErrorCode.AllocationMismatch, key), TimeSpan.FromSeconds(1), out _, out _);
        Assert.Equal(TurnClientState.Closed, c.State);
        Assert.IsType<TurnDeallocatedEvent>(Assert.Single(Events(c)));
        Assert.Null(c.PollTimeout());
        c.HandleTimeout(TimeSpan.FromMinutes(30));
        Assert.False(c.TryPollTransmit(_buf, out _));
    }

    [Fact]
    public void ConnectionClosed_AfterCloseOrFailure_ReportsNothingMore()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { Transport = TurnTransport.Tcp });
        c.Allocate(TimeSpan.Zero);
        c.HandleConnectionClosed("refused", TimeSpan.Zero);
        Assert.Equal(TurnClientState.Failed, c.State);
        var f = Assert.IsType<TurnFailedEvent>(Assert.Single(Events(c)));
        Assert.Equal(0, f.ErrorCode);
        c.HandleConnectionClosed("again", TimeSpan.Zero);
        Assert.Empty(Events(c));
        Assert.Equal(TurnClientState.Failed, c.State);

        TurnClient d = Allocated(out _, TimeSpan.Zero, TurnTransport.Tcp);
        d.Deallocate(TimeSpan.Zero);
        d.HandleConnectionClosed("closed", TimeSpan.Zero);
        Events(d);
        d.HandleConnectionClosed("closed", TimeSpan.Zero);
        Assert.Empty(Events(d));
        Assert.Equal(TurnClientState.Closed, d.State);
    }

    [Fact]
    public void PasswordAlgorithms_SkipsParametersOfUnknownAlgorithms_AndMd5Only()
    {
        // RFC 8489 §14.11: each entry is algorithm (16 bits), parameters length (16 bits), parameters padded to 4.
        // An unknown algorithm 0x0007 with 2 parameter bytes comes before SHA-256 (§18.5: 0x0002).
        byte[] algs = [0x00, 0x07, 0x00, 0x02, 0xAA, 0xBB, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00];
        StunMessageReader r = ChallengeWithAlgorithms(algs, out _);
        Assert.True(r.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out ReadOnlySpan<byte> alg));
        Assert.Equal(new byte[] { 0x00, 0x02, 0x00, 0x00 }, alg.ToArray());
        Assert.True(r.VerifyMessageIntegrity(StunCredentials.LongTermKey("user", "example", "pass", StunPasswordAlgorithm.Sha256)));

        // Only MD5 (0x0001) offered: MD5 key, PASSWORD-ALGORITHM names MD5, the list is echoed (§9.2.4).
        byte[] md5 = [0x00, 0x01, 0x00, 0x00];
        r = ChallengeWithAlgorithms(md5, out TurnClient c);
        Assert.True(r.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out alg));
        Assert.Equal(new byte[] { 0x00, 0x01, 0x00, 0x00 }, alg.ToArray());
        Assert.True(r.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out ReadOnlySpan<byte> echoed));
        Assert.Equal(md5, echoed.ToArray());
        Assert.True(r.VerifyMessageIntegrity(StunCredentials.LongTermKey("user", "example", "pass", StunPasswordAlgorithm.Md5)));
        Assert.Equal(TurnClientState.Allocating, c.State);
    }

    private StunMessageReader ChallengeWithAlgorithms(byte[] algs, out TurnClient c)
    {
        c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Respond(Next(c), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(401);
            w.AddString(StunAttributeType.Realm, "example");
            w.AddString(StunAttributeType.Nonce, "obMatJos2AAAB");
            w.AddAttribute(StunAttributeType.PasswordAlgorithms, algs);
        }, null), TimeSpan.Zero, out _, out _);
        return Parse(Next(c));
    }
}
