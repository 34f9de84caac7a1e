using System.Net;
using System.Net.Sockets;

namespace RtcStack.Stun.Tests;

public class StunPiecesTests
{
    [Theory]
    [InlineData(new byte[] { 0x00, 0x01 }, PacketKind.Stun)]
    [InlineData(new byte[] { 0x03 }, PacketKind.Stun)]
    [InlineData(new byte[] { 0x04 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 16 }, PacketKind.Zrtp)]
    [InlineData(new byte[] { 19 }, PacketKind.Zrtp)] // RFC 7983 §7: 16-19
    [InlineData(new byte[] { 20 }, PacketKind.Dtls)]
    [InlineData(new byte[] { 22, 0xfe, 0xfd }, PacketKind.Dtls)]
    [InlineData(new byte[] { 63 }, PacketKind.Dtls)]
    [InlineData(new byte[] { 64 }, PacketKind.TurnChannelData)]
    [InlineData(new byte[] { 79 }, PacketKind.TurnChannelData)]
    [InlineData(new byte[] { 80 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 0x80, 111 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 0xE0 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 72 }, PacketKind.Rtp)] // marker clear, payload type 72: RTP (RFC 5761 §4 only forbids sending it)
    [InlineData(new byte[] { 0x80, 95 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 0x81, 200 }, PacketKind.Rtcp)]
    [InlineData(new byte[] { 0x80, 192 }, PacketKind.Rtcp)] // RFC 5761 §4: second byte 192-223 is RTCP
    [InlineData(new byte[] { 0x80, 223 }, PacketKind.Rtcp)]
    [InlineData(new byte[] { 191, 96 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 192 }, PacketKind.Unknown)]
    [InlineData(new byte[] { }, PacketKind.Unknown)]
    public void Demultiplexer_Rfc7983(byte[] datagram, PacketKind expected)
    {
        Assert.Equal(expected, PacketDemultiplexer.Classify(datagram));
    }

    [Fact]
    public void ChannelData_RoundTripAndBounds()
    {
        byte[] buf = new byte[16];
        int n = ChannelData.Write(buf, 0x4001, "hello"u8);
        Assert.Equal(9, n);
        Assert.True(ChannelData.TryParse(buf.AsSpan(0, n), out ushort ch, out ReadOnlySpan<byte> data));
        Assert.Equal(0x4001, ch);
        Assert.True(data.SequenceEqual("hello"u8));
        Assert.True(ChannelData.TryParse(buf.AsSpan(0, 12), out _, out data)); // padded
        Assert.Equal(5, data.Length);
        Assert.False(ChannelData.TryParse(buf.AsSpan(0, 13), out _, out _)); // too much trailing
        Assert.False(ChannelData.TryParse(buf.AsSpan(0, 8), out _, out _));
        Assert.False(ChannelData.TryParse(new byte[] { 0x50, 0, 0, 0 }, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelData.Write(buf, 0x3FFF, "x"u8));
    }

    [Fact]
    public void MessageType_RoundTripsAllMethodsAndClasses()
    {
        for (int m = 0; m < 0x1000; m += 7)
        {
            for (int c = 0; c < 4; c++)
            {
                var t = new StunMessageType((StunMethod)m, (StunClass)c);
                Assert.Equal(t, StunMessageType.FromValue(t.Value));
                Assert.Equal(0, t.Value & 0xC000);
            }
        }

        Assert.Equal(0x0001, StunMessageType.BindingRequest.Value);
        Assert.Equal(0x0101, StunMessageType.BindingSuccess.Value);
        Assert.Equal(0x0111, StunMessageType.BindingError.Value);
        Assert.Equal(0x0016, new StunMessageType(StunMethod.Send, StunClass.Indication).Value);
        Assert.Equal(0x0017, new StunMessageType(StunMethod.Data, StunClass.Indication).Value);
        Assert.Equal(0x0113, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse).Value);
    }

    [Fact]
    public void ErrorCode_AndUnknownAttributes_RoundTrip()
    {
        byte[] buf = new byte[128];
        var w = new StunMessageWriter(buf, StunMessageType.BindingError, StunTransactionId.NewRandom());
        w.AddErrorCode(StunErrorCode.UnknownAttribute);
        w.AddUnknownAttributes([0x7777, 0x1234]);
        StunMessageReader.TryParse(w.Written, out StunMessageReader r);
        Assert.True(r.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(420, code);
        Assert.Equal("Unknown Attribute", System.Text.Encoding.UTF8.GetString(reason));
        Assert.True(r.TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> ua));
        Assert.Equal(new byte[] { 0x77, 0x77, 0x12, 0x34 }, ua.ToArray());
    }

    [Fact]
    public void TransportAddress_SocketAddressRoundTrip()
    {
        var v4 = TransportAddress.Parse("192.0.2.7:3478");
        var sa = new SocketAddress(AddressFamily.InterNetwork);
        v4.WriteTo(sa);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 3478).Serialize(), sa);
        Assert.True(TransportAddress.TryReadFrom(sa, out TransportAddress back));
        Assert.Equal(v4, back);

        var v6 = TransportAddress.Parse("[2001:db8::5]:9");
        var sa6 = new SocketAddress(AddressFamily.InterNetworkV6);
        v6.WriteTo(sa6);
        Assert.True(TransportAddress.TryReadFrom(sa6, out TransportAddress back6));
        Assert.Equal(v6, back6);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::5]:9"), back6.ToIPEndPoint());

        v4.WriteTo(sa6);
        Assert.True(TransportAddress.TryReadFrom(sa6, out TransportAddress mapped));
        Assert.True(mapped.IsIPv4MappedToIPv6);
        Assert.Equal(v4, mapped.UnmapIPv4());
        Assert.True(TransportAddress.Parse("127.0.0.1:1").IsLoopback);
        Assert.True(TransportAddress.Parse("[::1]:1").IsLoopback);
        Assert.True(TransportAddress.Parse("[fe80::1]:1").IsLinkLocal);
        Assert.True(TransportAddress.Parse("192.168.1.1:1").IsPrivate);
        Assert.True(TransportAddress.Parse("172.16.1.1:1").IsPrivate);
        Assert.False(TransportAddress.Parse("172.32.1.1:1").IsPrivate);
    }

    [Fact]
    public void LongTermKey_Sha256_AndUserHash()
    {
        byte[] md5 = StunCredentials.LongTermKey("user", "realm", "pass");
        Assert.Equal(16, md5.Length);
        Assert.Equal(System.Security.Cryptography.MD5.HashData("user:realm:pass"u8), md5);
        byte[] sha = StunCredentials.LongTermKey("user", "realm", "pass", StunPasswordAlgorithm.Sha256);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("user:realm:pass"u8), sha);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("user:realm"u8), StunCredentials.UserHash("user", "realm"));
    }

    [Fact]
    public void StringPrep_Rules()
    {
        Assert.True(StunStringPrep.TrySaslPrep("I\u00ADX", out string s));
        Assert.Equal("IX", s);
        Assert.True(StunStringPrep.TrySaslPrep("user", out s));
        Assert.Equal("user", s);
        Assert.True(StunStringPrep.TrySaslPrep("\u00AA", out s));
        Assert.Equal("a", s);
        Assert.True(StunStringPrep.TrySaslPrep("\u2168", out s));
        Assert.Equal("IX", s);
        Assert.False(StunStringPrep.TrySaslPrep("\u0007", out _));
        Assert.False(StunStringPrep.TrySaslPrep("\u0627\u0031", out _)); // RandAL first, not last
        Assert.True(StunStringPrep.TrySaslPrep("\u0627\u0031\u0628", out _));
        Assert.True(StunStringPrep.TryOpaqueString("p\u00A0w", out s));
        Assert.Equal("p w", s);
        Assert.True(StunStringPrep.TryOpaqueString("e\u0301", out s));
        Assert.Equal("\u00E9", s);
        Assert.False(StunStringPrep.TryOpaqueString("", out _));
        Assert.False(StunStringPrep.TryOpaqueString("a\u0000", out _));
    }
}
