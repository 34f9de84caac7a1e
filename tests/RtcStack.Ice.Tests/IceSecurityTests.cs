using RtcStack.Stun;

namespace RtcStack.Ice.Tests;

/// <summary>Requests that are not properly authenticated get an error and change nothing (RFC 8445 §7.3, RFC 8489 §9.1.3).</summary>
public class IceSecurityTests
{
    private static readonly TransportAddress s_local = TransportAddress.Parse("10.0.0.1:1000");
    private static readonly TransportAddress s_attacker = TransportAddress.Parse("10.6.6.6:6666");

    private static IceAgent NewAgent(IceMode mode = IceMode.Full)
    {
        var agent = new IceAgent(new IceAgentOptions { Role = IceRole.Controlled, Mode = mode, Random = new Random(1) });
        agent.AddHostAddress(s_local);
        agent.SetRemoteCredentials("rem1", "remotepasswordremotepassword");
        agent.StartGathering(TimeSpan.Zero);
        return agent;
    }

    private static byte[] Request(string username, byte[]? key, bool fingerprint = true, bool priority = true, ushort? extra = null, bool useCandidate = false)
    {
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, username);
        if (priority)
        {
            w.AddUInt32(StunAttributeType.Priority, 1845501695);
        }

        w.AddUInt64(StunAttributeType.IceControlling, 1);
        if (useCandidate)
        {
            w.AddFlag(StunAttributeType.UseCandidate);
        }

        if (extra is ushort t)
        {
            w.AddAttribute((StunAttributeType)t, [1, 2, 3, 4]);
        }

        if (key is not null)
        {
            w.AddMessageIntegrity(key);
        }

        if (fingerprint)
        {
            w.AddFingerprint();
        }

        return w.Written.ToArray();
    }

    private static (StunClass Class, int Code, bool HasIntegrity, byte[] Bytes)? Reply(IceAgent agent)
    {
        byte[] buf = new byte[2048];
        if (!agent.TryPollTransmit(buf, out IceTransmit t))
        {
            return null;
        }

        Assert.Equal(s_attacker, t.Destination);
        byte[] bytes = buf.AsSpan(0, t.Length).ToArray();
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(bytes, out StunMessageReader r));
        Assert.True(r.VerifyFingerprint());
        r.TryGetErrorCode(out int code, out _);
        return (r.Class, code, r.HasMessageIntegrity, bytes);
    }

    [Theory]
    [InlineData(IceMode.Full)]
    [InlineData(IceMode.Lite)]
    public void UnauthenticatedRequests_NeverCreatePairs(IceMode mode)
    {
        IceAgent agent = NewAgent(mode);
        string ufrag = agent.LocalCredentials.Ufrag;
        byte[] goodKey = System.Text.Encoding.UTF8.GetBytes(agent.LocalCredentials.Password);
        TimeSpan now = TimeSpan.FromSeconds(1);

        // Wrong password.
        Assert.Equal(IceDatagramKind.Stun, agent.HandleDatagram(s_local, s_attacker, Request(ufrag + ":rem1", "wrong"u8.ToArray(), useCandidate: true), now, out _));
        Assert.Equal((StunClass.ErrorResponse, 401, false), Strip(Reply(agent)));

        // Wrong ufrag, right password.
        agent.HandleDatagram(s_local, s_attacker, Request("nope:rem1", goodKey, useCandidate: true), now, out _);
        Assert.Equal((StunClass.ErrorResponse, 401, false), Strip(Reply(agent)));

        // No MESSAGE-INTEGRITY.
        agent.HandleDatagram(s_local, s_attacker, Request(ufrag + ":rem1", null), now, out _);
        Assert.Equal((StunClass.ErrorResponse, 400, false), Strip(Reply(agent)));

        // No FINGERPRINT: silently dropped.
        agent.HandleDatagram(s_local, s_attacker, Request(ufrag + ":rem1", goodKey, fingerprint: false), now, out _);
        Assert.Null(Reply(agent));

        // Corrupted FINGERPRINT: dropped.
        byte[] bad = Request(ufrag + ":rem1", goodKey);
        bad[^1] ^= 1;
        Assert.Equal(IceDatagramKind.Ignored, agent.HandleDatagram(s_local, s_attacker, bad, now, out _));

        // Tampered body with valid fingerprint recomputed is still caught by the MAC.
        Assert.Empty(agent.CheckList);
        Assert.Empty(agent.RemoteCandidates);
        Assert.Equal(IceConnectionState.New, agent.ConnectionState);

        // Application data from the unauthenticated source is not accepted either.
        Assert.Equal(IceDatagramKind.Ignored, agent.HandleDatagram(s_local, s_attacker, [0x17, 0xfe, 0xfd], now, out _));

        // A properly authenticated request does create a (peer-reflexive) pair.
        agent.HandleDatagram(s_local, s_attacker, Request(ufrag + ":rem1", goodKey), now, out _);
        Assert.Equal((StunClass.SuccessResponse, 0, true), Strip(Reply(agent)));
        Assert.Single(agent.CheckList);
        Assert.Equal(IceCandidateType.PeerReflexive, agent.RemoteCandidates[0].Type);
    }

    [Fact]
    public void UnknownComprehensionRequiredAttribute_Gets420WithUnknownAttributes()
    {
        IceAgent agent = NewAgent();
        byte[] key = System.Text.Encoding.UTF8.GetBytes(agent.LocalCredentials.Password);
        agent.HandleDatagram(s_local, s_attacker, Request(agent.LocalCredentials.Ufrag + ":rem1", key, extra: 0x7001), TimeSpan.FromSeconds(1), out _);
        var reply = Reply(agent)!.Value;
        Assert.Equal(420, reply.Code);
        Assert.True(reply.HasIntegrity);
        StunMessageReader.TryParse(reply.Bytes, out StunMessageReader r);
        Assert.True(r.TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> ua));
        Assert.Equal(new byte[] { 0x70, 0x01 }, ua.ToArray());
        Assert.Empty(agent.CheckList);

        // Comprehension-optional unknowns (e.g. GOOG-NETWORK-INFO 0xC057) are fine.
        agent.HandleDatagram(s_local, s_attacker, Request(agent.LocalCredentials.Ufrag + ":rem1", key, extra: 0xC057), TimeSpan.FromSeconds(1), out _);
        Assert.Equal(StunClass.SuccessResponse, Reply(agent)!.Value.Class);
    }

    [Fact]
    public void MissingPriority_Gets400()
    {
        IceAgent agent = NewAgent();
        byte[] key = System.Text.Encoding.UTF8.GetBytes(agent.LocalCredentials.Password);
        agent.HandleDatagram(s_local, s_attacker, Request(agent.LocalCredentials.Ufrag + ":rem1", key, priority: false), TimeSpan.FromSeconds(1), out _);
        Assert.Equal(400, Reply(agent)!.Value.Code);
        Assert.Empty(agent.CheckList);
    }

    [Fact]
    public void ForgedResponse_IsIgnored()
    {
        var agent = new IceAgent(new IceAgentOptions { Role = IceRole.Controlling, Random = new Random(2) });
        agent.AddHostAddress(s_local);
        agent.SetRemoteCredentials("rem1", "remotepasswordremotepassword");
        agent.StartGathering(TimeSpan.Zero);
        var peer = TransportAddress.Parse("10.0.0.2:2000");
        agent.AddRemoteCandidate(new IceCandidate("1", 1, IceTransportProtocol.Udp, 2130706431, peer, IceCandidateType.Host), TimeSpan.Zero);
        agent.HandleTimeout(TimeSpan.Zero);
        byte[] buf = new byte[2048];
        Assert.True(agent.TryPollTransmit(buf, out IceTransmit t));
        StunMessageReader.TryParse(buf.AsSpan(0, t.Length), out StunMessageReader req);

        // A response with the right transaction ID but the wrong key does not validate the pair.
        byte[] resp = new byte[256];
        var w = new StunMessageWriter(resp, StunMessageType.BindingSuccess, req.TransactionId);
        w.AddXorAddress(StunAttributeType.XorMappedAddress, s_local);
        w.AddMessageIntegrity("guess"u8);
        w.AddFingerprint();
        Assert.Equal(IceDatagramKind.Ignored, agent.HandleDatagram(s_local, peer, w.Written, TimeSpan.FromMilliseconds(20), out _));
        Assert.Equal(IceCandidatePairState.InProgress, agent.CheckList[0].State);

        // The genuine one does.
        var w2 = new StunMessageWriter(resp, StunMessageType.BindingSuccess, req.TransactionId);
        w2.AddXorAddress(StunAttributeType.XorMappedAddress, s_local);
        w2.AddMessageIntegrity("remotepasswordremotepassword"u8);
        w2.AddFingerprint();
        Assert.Equal(IceDatagramKind.Stun, agent.HandleDatagram(s_local, peer, w2.Written, TimeSpan.FromMilliseconds(20), out _));
        Assert.Equal(IceCandidatePairState.Succeeded, agent.CheckList[0].State);
    }

    private static (StunClass, int, bool)? Strip((StunClass Class, int Code, bool HasIntegrity, byte[] Bytes)? r) =>
        r is null ? null : (r.Value.Class, r.Value.Code, r.Value.HasIntegrity);
}
