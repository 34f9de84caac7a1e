using System.Text;

namespace RtcStack.Stun.Tests;

public class Rfc5769VectorTests
{
    private static readonly byte[] s_shortTermKey = Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    [Fact]
    public void SampleRequest_ParsesAndVerifies()
    {
        byte[] msg = Hex.ReadVector("sample-request.hex");
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader r));
        Assert.Equal(StunMessageType.BindingRequest, r.MessageType);
        Assert.True(r.TryGetString(StunAttributeType.Software, out string software));
        Assert.Equal("STUN test client", software);
        Assert.True(r.TryGetString(StunAttributeType.Username, out string user));
        Assert.Equal("evtj:h6vY", user);
        Assert.True(r.TryGetUInt32(StunAttributeType.Priority, out uint prio));
        Assert.Equal(0x6e0001ffu, prio);
        Assert.True(r.TryGetUInt64(StunAttributeType.IceControlled, out ulong tb));
        Assert.Equal(0x932ff9b151263b36UL, tb);
        Assert.True(r.VerifyMessageIntegrity(s_shortTermKey));
        Assert.False(r.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBu"u8));
        Assert.True(r.VerifyFingerprint());
    }

    [Fact]
    public void SampleRequest_RebuiltByWriter_MatchesExceptPadding()
    {
        // The RFC pads SOFTWARE/USERNAME with 0x20; we pad with zeros, so the bytes differ there,
        // but both MACs must verify. Rebuild and compare everything except padding and MACs.
        byte[] vector = Hex.ReadVector("sample-request.hex");
        StunMessageReader.TryParse(vector, out StunMessageReader r);
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, r.TransactionId);
        w.AddString(StunAttributeType.Software, "STUN test client");
        w.AddUInt32(StunAttributeType.Priority, 0x6e0001ff);
        w.AddUInt64(StunAttributeType.IceControlled, 0x932ff9b151263b36);
        w.AddString(StunAttributeType.Username, "evtj:h6vY");
        w.AddMessageIntegrity(s_shortTermKey);
        w.AddFingerprint();
        Assert.Equal(vector.Length, w.Length);
        byte[] built = w.Written.ToArray();
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(built, out StunMessageReader b));
        Assert.True(b.VerifyMessageIntegrity(s_shortTermKey));
        Assert.True(b.VerifyFingerprint());

        // With the vector's 0x20 padding copied in, the writer's HMAC must equal the RFC's byte for byte.
        var w2 = new StunMessageWriter(buf, StunMessageType.BindingRequest, r.TransactionId);
        w2.AddString(StunAttributeType.Software, "STUN test client");
        w2.AddUInt32(StunAttributeType.Priority, 0x6e0001ff);
        w2.AddUInt64(StunAttributeType.IceControlled, 0x932ff9b151263b36);
        w2.AddString(StunAttributeType.Username, "evtj:h6vY");
        buf[w2.Length - 3] = 0x20;
        buf[w2.Length - 2] = 0x20;
        buf[w2.Length - 1] = 0x20;
        w2.AddMessageIntegrity(s_shortTermKey);
        w2.AddFingerprint();
        Assert.Equal(vector, w2.Written.ToArray());
    }

    [Fact]
    public void SampleIPv4Response_XorMappedAddress()
    {
        byte[] msg = Hex.ReadVector("sample-ipv4-response.hex");
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader r));
        Assert.Equal(StunMessageType.BindingSuccess, r.MessageType);
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress a));
        Assert.Equal(TransportAddress.Parse("192.0.2.1:32853"), a);
        Assert.True(r.VerifyMessageIntegrity(s_shortTermKey));
        Assert.True(r.VerifyFingerprint());

        // The writer's XOR encoding matches the vector's attribute bytes.
        byte[] buf = new byte[64];
        var w = new StunMessageWriter(buf, StunMessageType.BindingSuccess, r.TransactionId);
        w.AddXorAddress(StunAttributeType.XorMappedAddress, a);
        Assert.True(r.TryGetAttribute(StunAttributeType.XorMappedAddress, out ReadOnlySpan<byte> expected));
        Assert.True(w.Written[24..].SequenceEqual(expected));
    }

    [Fact]
    public void SampleIPv6Response_XorMappedAddress()
    {
        byte[] msg = Hex.ReadVector("sample-ipv6-response.hex");
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader r));
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress a));
        Assert.Equal(TransportAddress.Parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853"), a);
        Assert.True(r.VerifyMessageIntegrity(s_shortTermKey));
        Assert.True(r.VerifyFingerprint());
        byte[] buf = new byte[64];
        var w = new StunMessageWriter(buf, StunMessageType.BindingSuccess, r.TransactionId);
        w.AddXorAddress(StunAttributeType.XorMappedAddress, a);
        Assert.True(r.TryGetAttribute(StunAttributeType.XorMappedAddress, out ReadOnlySpan<byte> expected));
        Assert.True(w.Written[24..].SequenceEqual(expected));
    }

    [Fact]
    public void LongTermRequest_SaslPrepKeyVerifies()
    {
        byte[] msg = Hex.ReadVector("sample-long-term-request.hex");
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader r));
        Assert.True(r.TryGetString(StunAttributeType.Username, out string user));
        Assert.Equal("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", user);
        Assert.True(r.TryGetString(StunAttributeType.Nonce, out string nonce));
        Assert.Equal("f//499k954d6OL34oL9FSTvy64sA", nonce);
        Assert.True(r.TryGetString(StunAttributeType.Realm, out string realm));
        Assert.Equal("example.org", realm);
        Assert.False(r.HasFingerprint);

        Assert.True(StunStringPrep.TrySaslPrep("The\u00ADM\u00AAtr\u2168", out string prepared));
        Assert.Equal("TheMatrIX", prepared);
        byte[] key = StunCredentials.LongTermKey(user, realm, "The\u00ADM\u00AAtr\u2168", StunPasswordAlgorithm.Md5, StunStringPrepProfile.SaslPrep);
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.Equal(key, StunCredentials.LongTermKey(user, realm, "TheMatrIX"));
        Assert.False(r.VerifyMessageIntegrity(StunCredentials.LongTermKey(user, realm, "thematrix")));

        // OpaqueString keeps U+00AD and rejects it (default-ignorable format character).
        Assert.False(StunStringPrep.TryOpaqueString("The\u00ADM\u00AAtr\u2168", out _));
    }
    [Fact]
    public void PreparedKey_MatchesRawKey()
    {
        byte[] msg = Hex.ReadVector("sample-request.hex");
        StunMessageReader.TryParse(msg, out StunMessageReader r);
        using var key = new StunIntegrityKey(s_shortTermKey);
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.True(r.VerifyMessageIntegrity(key)); // reusable after a reset
        using var wrong = new StunIntegrityKey("x"u8);
        Assert.False(r.VerifyMessageIntegrity(wrong));
        byte[] buf = new byte[128];
        var w1 = new StunMessageWriter(buf, StunMessageType.BindingRequest, r.TransactionId);
        w1.AddString(StunAttributeType.Username, "a:b");
        w1.AddMessageIntegrity(key);
        byte[] one = w1.Written.ToArray();
        var w2 = new StunMessageWriter(buf, StunMessageType.BindingRequest, r.TransactionId);
        w2.AddString(StunAttributeType.Username, "a:b");
        w2.AddMessageIntegrity(s_shortTermKey);
        Assert.Equal(one, w2.Written.ToArray());
    }
}
