using System.Buffers.Binary;
using RtcStack.Stun.Turn;

namespace RtcStack.Stun.Tests;

/// <summary>The TURN client against a scripted server (no sockets): challenge, stale nonce, refresh, timeouts.</summary>
public partial class TurnClientTests
{
    private static readonly TransportAddress s_server = TransportAddress.Parse("192.0.2.10:3478");
    private static readonly TransportAddress s_local = TransportAddress.Parse("10.0.0.1:5000");
    private static readonly TransportAddress s_relayed = TransportAddress.Parse("192.0.2.10:50000");
    private static readonly TransportAddress s_mapped = TransportAddress.Parse("198.51.100.1:6000");
    private static readonly TransportAddress s_peer = TransportAddress.Parse("203.0.113.5:7000");

    private readonly byte[] _buf = new byte[2048];

    private delegate void Attrs(ref StunMessageWriter w);

    private byte[] Next(TurnClient c)
    {
        Assert.True(c.TryPollTransmit(_buf, out int n), "expected a request");
        return _buf.AsSpan(0, n).ToArray();
    }

    private static byte[] Respond(byte[] request, StunClass cls, Attrs? attrs, byte[]? key)
    {
        StunMessageReader.TryParse(request, out StunMessageReader req);
        byte[] buf = new byte[512];
        var w = new StunMessageWriter(buf, new StunMessageType(req.Method, cls), req.TransactionId);
        attrs?.Invoke(ref w);
        if (key is not null)
        {
            w.AddMessageIntegrity(key);
        }

        w.AddFingerprint();
        return w.Written.ToArray();
    }

    private static byte[] Challenge(byte[] request, int code, string nonce) => Respond(request, StunClass.ErrorResponse, (ref StunMessageWriter w) =>
    {
        w.AddErrorCode(code);
        w.AddString(StunAttributeType.Realm, "example");
        w.AddString(StunAttributeType.Nonce, nonce);
    }, null);

    private static TurnClient Allocated(out byte[] key, TimeSpan now, TurnTransport transport = TurnTransport.Udp)
    {
        var c = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { Transport = transport });
        c.Allocate(now);
        byte[] buf = new byte[2048];
        c.TryPollTransmit(buf, out int n);
        c.HandleDatagram(Challenge(buf.AsSpan(0, n).ToArray(), 401, "n1"), now, out _, out _);
        c.TryPollTransmit(buf, out n);
        key = StunCredentials.LongTermKey("user", "example", "pass");
        byte[] k = key;
        c.HandleDatagram(Respond(buf.AsSpan(0, n).ToArray(), StunClass.SuccessResponse, (ref StunMessageWriter w) =>
        {
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, s_relayed);
            w.AddXorAddress(StunAttributeType.XorMappedAddress, s_mapped);
            w.AddUInt32(StunAttributeType.Lifetime, 600);
        }, k), now, out _, out _);
        Assert.Equal(TurnClientState.Allocated, c.State);
        while (c.TryPollEvent(out _))
        {
        }

        return c;
    }

    [Fact]
    public void Allocate_401Challenge_ThenAuthenticatedRetry()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        byte[] first = Next(c);
        StunMessageReader.TryParse(first, out StunMessageReader r1);
        Assert.Equal(new StunMessageType(StunMethod.Allocate, StunClass.Request), r1.MessageType);
        Assert.True(r1.TryGetAttribute(StunAttributeType.RequestedTransport, out ReadOnlySpan<byte> rt));
        Assert.Equal(17, rt[0]);
        Assert.False(r1.HasMessageIntegrity);
        Assert.True(r1.VerifyFingerprint());

        Assert.Equal(TurnDataResult.Consumed, c.HandleDatagram(Challenge(first, 401, "nonce-1"), TimeSpan.FromMilliseconds(10), out _, out _));
        Assert.True(c.State == TurnClientState.Allocating, c.TryPollEvent(out TurnEvent? dbg) ? dbg!.ToString() : "no event " + c.State);
        byte[] second = Next(c);
        StunMessageReader.TryParse(second, out StunMessageReader r2);
        Assert.True(r2.TryGetString(StunAttributeType.Username, out string u));
        Assert.Equal("user", u);
        Assert.True(r2.TryGetString(StunAttributeType.Nonce, out string nonce));
        Assert.Equal("nonce-1", nonce);
        byte[] key = StunCredentials.LongTermKey("user", "example", "pass");
        Assert.True(r2.VerifyMessageIntegrity(key));

        c.HandleDatagram(Respond(second, StunClass.SuccessResponse, (ref StunMessageWriter w) =>
        {
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, s_relayed);
            w.AddXorAddress(StunAttributeType.XorMappedAddress, s_mapped);
            w.AddUInt32(StunAttributeType.Lifetime, 600);
        }, key), TimeSpan.FromMilliseconds(20), out _, out _);
        Assert.True(c.TryPollEvent(out TurnEvent? ev));
        var a = Assert.IsType<TurnAllocatedEvent>(ev);
        Assert.Equal(s_relayed, a.Relayed);
        Assert.Equal(s_mapped, a.Mapped);
        Assert.Equal(TimeSpan.FromSeconds(600), a.Lifetime);

        // Refresh one minute before expiry.
        Assert.Equal(TimeSpan.FromMilliseconds(20) + TimeSpan.FromSeconds(540), c.PollTimeout());
    }

    [Fact]
    public void Refresh_StaleNonce438_RetriesWithNewNonce()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.HandleTimeout(TimeSpan.FromSeconds(540));
        byte[] refresh = Next(c);
        StunMessageReader.TryParse(refresh, out StunMessageReader r);
        Assert.Equal(StunMethod.Refresh, r.Method);
        c.HandleDatagram(Challenge(refresh, 438, "n2"), TimeSpan.FromSeconds(540), out _, out _);
        byte[] retry = Next(c);
        StunMessageReader.TryParse(retry, out StunMessageReader r2);
        Assert.True(r2.TryGetString(StunAttributeType.Nonce, out string nonce));
        Assert.Equal("n2", nonce);
        Assert.True(r2.VerifyMessageIntegrity(key));
        c.HandleDatagram(Respond(retry, StunClass.SuccessResponse, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, 600), key), TimeSpan.FromSeconds(541), out _, out _);
        Assert.True(c.TryPollEvent(out TurnEvent? ev));
        Assert.IsType<TurnRefreshedEvent>(ev);
        Assert.Equal(TurnClientState.Allocated, c.State);
    }

    [Fact]
    public void WrongCredentials_Fail()
    {
        var c = new TurnClient(s_server, s_local, "user", "bad");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n"), TimeSpan.Zero, out _, out _);
        c.HandleDatagram(Challenge(Next(c), 401, "n"), TimeSpan.Zero, out _, out _);
        Assert.True(c.TryPollEvent(out TurnEvent? ev));
        Assert.Equal(401, Assert.IsType<TurnFailedEvent>(ev).ErrorCode);
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.False(c.TryPollTransmit(_buf, out _));
    }

    [Fact]
    public void NoAnswer_TimesOutAfterRfcRetransmissions()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        int sent = 0;
        TimeSpan now = TimeSpan.Zero;
        while (c.State == TurnClientState.Allocating)
        {
            while (c.TryPollTransmit(_buf, out _))
            {
                sent++;
            }

            now = c.PollTimeout()!.Value;
            c.HandleTimeout(now);
        }

        Assert.Equal(7, sent);
        Assert.Equal(TimeSpan.FromSeconds(39.5), now);
        Assert.True(c.TryPollEvent(out TurnEvent? ev));
        Assert.Equal(0, Assert.IsType<TurnFailedEvent>(ev).ErrorCode);
    }

    [Fact]
    public void ForgedSuccess_IsIgnored()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        c.HandleDatagram(Challenge(Next(c), 401, "n"), TimeSpan.Zero, out _, out _);
        byte[] req = Next(c);
        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, (ref StunMessageWriter w) => w.AddXorAddress(StunAttributeType.XorRelayedAddress, s_relayed), "forged"u8.ToArray()), TimeSpan.Zero, out _, out _);
        Assert.Equal(TurnClientState.Allocating, c.State);
    }

    [Fact]
    public void PasswordAlgorithmsOffered_UsesSha256Key()
    {
        var c = new TurnClient(s_server, s_local, "user", "pass");
        c.Allocate(TimeSpan.Zero);
        byte[] algs = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(algs, 1);
        BinaryPrimitives.WriteUInt16BigEndian(algs.AsSpan(4), 2);
        c.HandleDatagram(Respond(Next(c), StunClass.ErrorResponse, (ref StunMessageWriter w) =>
        {
            w.AddErrorCode(401);
            w.AddString(StunAttributeType.Realm, "example");
            w.AddString(StunAttributeType.Nonce, "obMatJos2AAAB");
            w.AddAttribute(StunAttributeType.PasswordAlgorithms, algs);
        }, null), TimeSpan.Zero, out _, out _);
        StunMessageReader.TryParse(Next(c), out StunMessageReader r);
        Assert.True(r.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out ReadOnlySpan<byte> alg));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(alg));
        Assert.True(r.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out ReadOnlySpan<byte> echoed));
        Assert.Equal(algs, echoed.ToArray());
        Assert.True(r.VerifyMessageIntegrity(StunCredentials.LongTermKey("user", "example", "pass", StunPasswordAlgorithm.Sha256)));
    }

    [Fact]
    public void PermissionChannelAndData()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        byte[] perm = Next(c);
        StunMessageReader.TryParse(perm, out StunMessageReader pr);
        Assert.Equal(StunMethod.CreatePermission, pr.Method);
        Assert.True(pr.TryGetXorAddress(StunAttributeType.XorPeerAddress, out TransportAddress pa));
        Assert.True(pa.SameAddress(s_peer));
        c.HandleDatagram(Respond(perm, StunClass.SuccessResponse, null, key), TimeSpan.Zero, out _, out _);
        Assert.True(c.HasPermission(s_peer));

        // Without a channel: Send indication.
        byte[] wrapped = new byte[100];
        int n = c.WrapSend(s_peer, "hi"u8, wrapped);
        StunMessageReader.TryParse(wrapped.AsSpan(0, n), out StunMessageReader si);
        Assert.Equal(new StunMessageType(StunMethod.Send, StunClass.Indication), si.MessageType);
        Assert.True(si.TryGetAttribute(StunAttributeType.Data, out ReadOnlySpan<byte> d));
        Assert.Equal("hi"u8.ToArray(), d.ToArray());

        // Data indication in.
        byte[] ind = new byte[100];
        var w = new StunMessageWriter(ind, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddXorAddress(StunAttributeType.XorPeerAddress, s_peer);
        w.AddAttribute(StunAttributeType.Data, "yo"u8);
        Assert.Equal(TurnDataResult.PeerData, c.HandleDatagram(w.Written, TimeSpan.Zero, out TransportAddress from, out ReadOnlySpan<byte> data));
        Assert.Equal(s_peer, from);
        Assert.Equal("yo"u8.ToArray(), data.ToArray());

        // Channel.
        ushort ch = c.BindChannel(s_peer, TimeSpan.Zero);
        Assert.Equal(0x4000, ch);
        byte[] bind = Next(c);
        Assert.False(c.TryGetChannel(s_peer, out _));
        c.HandleDatagram(Respond(bind, StunClass.SuccessResponse, null, key), TimeSpan.Zero, out _, out _);
        Assert.True(c.TryGetChannel(s_peer, out _));
        n = c.WrapSend(s_peer, "hey"u8, wrapped);
        Assert.Equal(7, n);
        Assert.Equal(0x40, wrapped[0]);
        Assert.Equal(TurnDataResult.PeerData, c.HandleDatagram(wrapped.AsSpan(0, n), TimeSpan.Zero, out from, out data));
        Assert.Equal(s_peer, from);

        // Unknown channel: not handled.
        ChannelData.Write(wrapped, 0x4555, "x"u8);
        Assert.Equal(TurnDataResult.NotHandled, c.HandleDatagram(wrapped.AsSpan(0, 5), TimeSpan.Zero, out _, out _));

        // Permission refresh after 4 minutes, channel refresh after 9.
        c.HandleTimeout(TimeSpan.FromMinutes(4));
        StunMessageReader.TryParse(Next(c), out StunMessageReader again);
        Assert.Equal(StunMethod.CreatePermission, again.Method);
    }

    [Fact]
    public void Deallocate_SendsZeroLifetime()
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero);
        c.Deallocate(TimeSpan.FromSeconds(1));
        byte[] req = Next(c);
        StunMessageReader.TryParse(req, out StunMessageReader r);
        Assert.True(r.TryGetUInt32(StunAttributeType.Lifetime, out uint lt));
        Assert.Equal(0u, lt);
        c.HandleDatagram(Respond(req, StunClass.SuccessResponse, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, 0), key), TimeSpan.FromSeconds(1), out _, out _);
        Assert.Equal(TurnClientState.Closed, c.State);
        Assert.True(c.TryPollEvent(out TurnEvent? ev));
        Assert.IsType<TurnDeallocatedEvent>(ev);
    }

    /// <summary>RFC 8489 §6.2.2: over TCP or TLS a request is sent once and fails when no answer came within Ti = 39.5 s.</summary>
    [Theory]
    [InlineData(TurnTransport.Tcp)]
    [InlineData(TurnTransport.Tls)]
    public void OverAStream_RequestsAreNotRetransmitted_AndTimeOutAfterTi(TurnTransport transport)
    {
        var c = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { Transport = transport });
        Assert.Equal(transport, c.Transport);
        c.Allocate(TimeSpan.Zero);
        Next(c);
        Assert.Equal(TimeSpan.FromSeconds(39.5), c.PollTimeout());
        for (double t = 0.5; t < 39.5; t += 0.5)
        {
            c.HandleTimeout(TimeSpan.FromSeconds(t));
            Assert.False(c.TryPollTransmit(_buf, out _), $"retransmitted at {t} s");
        }

        Assert.Equal(TurnClientState.Allocating, c.State);
        c.HandleTimeout(TimeSpan.FromSeconds(39.5));
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.True(c.TryPollEvent(out TurnEvent? e));
        Assert.Equal(0, Assert.IsType<TurnFailedEvent>(e).ErrorCode);
    }

    /// <summary>RFC 8656 §12.5: over TCP and TLS ChannelData is padded to a multiple of four bytes (not counted in its length); over UDP it is not.</summary>
    [Theory]
    [InlineData(TurnTransport.Udp, 5, 9)]
    [InlineData(TurnTransport.Tcp, 5, 12)]
    [InlineData(TurnTransport.Tls, 5, 12)]
    [InlineData(TurnTransport.Tcp, 8, 12)]
    [InlineData(TurnTransport.Tcp, 0, 4)]
    public void ChannelData_IsPaddedOverAStream(TurnTransport transport, int payloadLength, int expectedLength)
    {
        TurnClient c = Allocated(out byte[] key, TimeSpan.Zero, transport);
        ushort channel = c.BindChannel(s_peer, TimeSpan.Zero);
        byte[] bind = Next(c);
        c.HandleDatagram(Respond(bind, StunClass.SuccessResponse, null, key), TimeSpan.Zero, out _, out _);
        Assert.True(c.TryGetChannel(s_peer, out _));

        byte[] out1 = new byte[100];
        out1.AsSpan().Fill(0xEE);
        byte[] payload = new byte[payloadLength];
        payload.AsSpan().Fill(0x5A);
        int n = c.WrapSend(s_peer, payload, out1);
        Assert.Equal(expectedLength, n);
        Assert.Equal(channel, BinaryPrimitives.ReadUInt16BigEndian(out1));
        Assert.Equal(payloadLength, BinaryPrimitives.ReadUInt16BigEndian(out1.AsSpan(2)));
        Assert.All(out1[(4 + payloadLength)..n], b => Assert.Equal(0, b));
        Assert.Equal(TurnStreamFrameStatus.Complete, TurnStreamFraming.TryGetFrameLength(out1.AsSpan(0, n), out int frame));
        Assert.Equal((4 + payloadLength + 3) & ~3, frame);

        // What the server sends back padded parses to the same data.
        Assert.Equal(TurnDataResult.PeerData, c.HandleDatagram(out1.AsSpan(0, (4 + payloadLength + 3) & ~3), TimeSpan.Zero, out TransportAddress from, out ReadOnlySpan<byte> data));
        Assert.Equal(s_peer, from);
        Assert.Equal(payload, data.ToArray());
    }

    [Fact]
    public void ConnectionClosed_FailsTheAllocation_AndStopsSending()
    {
        TurnClient c = Allocated(out _, TimeSpan.Zero, TurnTransport.Tcp);
        c.CreatePermission(s_peer, TimeSpan.Zero);
        c.HandleConnectionClosed("reset", TimeSpan.FromSeconds(1));
        Assert.Equal(TurnClientState.Failed, c.State);
        Assert.True(c.TryPollEvent(out TurnEvent? e));
        Assert.Contains("reset", Assert.IsType<TurnFailedEvent>(e).Reason, StringComparison.Ordinal);
        Assert.False(c.TryPollTransmit(_buf, out _));
        Assert.Null(c.PollTimeout());

        TurnClient d = Allocated(out _, TimeSpan.Zero, TurnTransport.Tcp);
        d.Deallocate(TimeSpan.Zero);
        d.HandleConnectionClosed("closed", TimeSpan.Zero);
        Assert.Equal(TurnClientState.Closed, d.State);
        Assert.True(d.TryPollEvent(out e));
        Assert.IsType<TurnDeallocatedEvent>(e);
    }
}
