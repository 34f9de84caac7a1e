using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RtcStack.Stun.Tests;

/// <summary>
/// The STUN message writer and reader attribute by attribute against the RFC 8489 §14 (and RFC 8656 §18) layouts,
/// with edge values: ranges, padding, lengths, address families and the MESSAGE-INTEGRITY(-SHA256) rules.
/// </summary>
public class StunCodecTests
{
    private static readonly StunTransactionId s_tid = StunTransactionId.Read([0xB7, 0xE7, 0xA7, 0x01, 0xBC, 0x34, 0xD6, 0x86, 0xFA, 0x87, 0xDF, 0xAE]);

    private delegate void Build(ref StunMessageWriter w);

    private static byte[] Message(Build build, StunMessageType? type = null, int size = 512)
    {
        byte[] buf = new byte[size];
        buf.AsSpan().Fill(0xFF); // padding must be written as zeros, not left as whatever was there
        var w = new StunMessageWriter(buf, type ?? StunMessageType.BindingRequest, s_tid);
        build(ref w);
        Assert.Equal(w.Length, w.Written.Length);
        return w.Written.ToArray();
    }

    private static StunMessageReader Read(byte[] m)
    {
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(m, out StunMessageReader r));
        return r;
    }

    /// <summary>The raw attribute at <paramref name="offset"/>: type, length and value plus padding.</summary>
    private static (ushort Type, ushort Length, byte[] Padded) Raw(byte[] m, int offset)
    {
        ushort len = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(offset + 2));
        return (BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(offset)), len, m[(offset + 4)..(offset + 4 + ((len + 3) & ~3))]);
    }

    [Fact]
    public void Header_Rfc8489Section5()
    {
        byte[] m = Message((ref StunMessageWriter w) => { }, StunMessageType.BindingSuccess);
        Assert.Equal(20, m.Length);
        Assert.Equal(new byte[] { 0x01, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 0xB7, 0xE7, 0xA7, 0x01, 0xBC, 0x34, 0xD6, 0x86, 0xFA, 0x87, 0xDF, 0xAE }, m);
        StunMessageReader r = Read(m);
        Assert.Equal(StunMethod.Binding, r.Method);
        Assert.Equal(StunClass.SuccessResponse, r.Class);
        Assert.Equal(s_tid, r.TransactionId);
        Assert.Equal(m[8..], r.TransactionIdBytes.ToArray());
        Assert.Equal(m, r.Message.ToArray());
        Assert.False(r.HasMessageIntegrity);
        Assert.False(r.HasMessageIntegritySha256);
        Assert.False(r.HasFingerprint);
        Assert.False(r.GetAttributes().MoveNext());

        Assert.Throws<ArgumentException>(() => new StunMessageWriter(new byte[19], StunMessageType.BindingRequest, s_tid));
        _ = new StunMessageWriter(new byte[20], StunMessageType.BindingRequest, s_tid);
    }

    [Fact]
    public void MessageType_FromValueIgnoresTheTopBits_AndFormats()
    {
        Assert.Equal(StunMessageType.BindingIndication, StunMessageType.FromValue(0xC011));
        Assert.Equal(0x0011, StunMessageType.BindingIndication.Value);
        Assert.Equal("Binding Request", StunMessageType.BindingRequest.ToString());

        // RFC 8489 §5: M11..M0 interleaved with C1 (bit 8) and C0 (bit 4): method 0xFFF, class 3 is 0x3FFF.
        var all = new StunMessageType((StunMethod)0xFFF, StunClass.ErrorResponse);
        Assert.Equal(0x3FFF, all.Value);
        Assert.Equal(all, StunMessageType.FromValue(0x3FFF));
        Assert.Equal(0x3EEF, new StunMessageType((StunMethod)0xFFF, StunClass.Request).Value);
        Assert.Equal(new StunMessageType((StunMethod)0x080, StunClass.Request), StunMessageType.FromValue(0x0200));
        Assert.Equal(new StunMessageType((StunMethod)0x010, StunClass.Request), StunMessageType.FromValue(0x0020));
        Assert.Equal(new StunMessageType((StunMethod)0x008, StunClass.Request), StunMessageType.FromValue(0x0008));
    }

    [Fact]
    public void TransactionId_ValueSemantics()
    {
        StunTransactionId a = StunTransactionId.Read([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Equal("0102030405060708090a0b0c", a.ToString());
        byte[] back = new byte[12];
        a.WriteTo(back);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, back);
        StunTransactionId same = StunTransactionId.Read(back);
        Assert.True(a == same);
        Assert.False(a != same);
        Assert.True(a.Equals((object)same));
        Assert.False(a.Equals((object)"x"));
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.True(a != StunTransactionId.Read([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]));  // last 4 bytes differ
        Assert.True(a != StunTransactionId.Read([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));  // first 8 bytes differ

        // RFC 8489 §6: random; two in a row being equal has probability 2^-96.
        Assert.NotEqual(StunTransactionId.NewRandom(), StunTransactionId.NewRandom());
    }

    [Fact]
    public void FixedSizeAttributes_Layouts()
    {
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddUInt32(StunAttributeType.Priority, 0x6E7F00FF);
            w.AddUInt64(StunAttributeType.IceControlling, 0x0102030405060708);
            w.AddFlag(StunAttributeType.UseCandidate);
            w.AddChannelNumber(0x4FFF);
            w.AddRequestedTransport(17);
            w.AddEvenPort(true);
            w.AddEvenPort(false);
        });
        Assert.Equal(((ushort)StunAttributeType.Priority, (ushort)4), (Raw(m, 20).Type, Raw(m, 20).Length));
        Assert.Equal(new byte[] { 0x6E, 0x7F, 0x00, 0xFF }, Raw(m, 20).Padded);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, Raw(m, 28).Padded);
        Assert.Equal((ushort)StunAttributeType.UseCandidate, Raw(m, 40).Type);
        Assert.Equal(0, Raw(m, 40).Length);
        Assert.Equal(new byte[] { 0x4F, 0xFF, 0, 0 }, Raw(m, 44).Padded);               // RFC 8656 §18.1
        Assert.Equal(new byte[] { 17, 0, 0, 0 }, Raw(m, 52).Padded);                    // RFC 8656 §18.8
        Assert.Equal((ushort)1, Raw(m, 60).Length);                                    // RFC 8656 §18.7: one byte
        Assert.Equal(new byte[] { 0x80, 0, 0, 0 }, Raw(m, 60).Padded);                 // R bit, then zero padding
        Assert.Equal(new byte[] { 0x00, 0, 0, 0 }, Raw(m, 68).Padded);
        Assert.Equal(76, m.Length);
        Assert.Equal(56, BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(2)));

        StunMessageReader r = Read(m);
        Assert.True(r.TryGetUInt32(StunAttributeType.Priority, out uint p));
        Assert.Equal(0x6E7F00FFu, p);
        Assert.True(r.TryGetUInt64(StunAttributeType.IceControlling, out ulong tb));
        Assert.Equal(0x0102030405060708UL, tb);
        Assert.True(r.HasAttribute(StunAttributeType.UseCandidate));
        Assert.False(r.HasAttribute(StunAttributeType.IceControlled));

        // Wrong sizes are not read as numbers.
        Assert.False(r.TryGetUInt32(StunAttributeType.IceControlling, out uint bad32));
        Assert.Equal(0u, bad32);
        Assert.False(r.TryGetUInt64(StunAttributeType.Priority, out ulong bad64));
        Assert.Equal(0UL, bad64);
        Assert.False(r.TryGetUInt32(StunAttributeType.Lifetime, out _));
        Assert.False(r.TryGetUInt64(StunAttributeType.ReservationToken, out _));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 3)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    [InlineData(4, 0)]
    [InlineData(5, 3)]
    public void Padding_IsZeroAndNotCountedInTheLength(int valueLength, int padding)
    {
        // RFC 8489 §14: the value is padded to a multiple of 4; the length field holds the unpadded length.
        byte[] value = new byte[valueLength];
        value.AsSpan().Fill(0x11);
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddAttribute(StunAttributeType.Software, value);
            w.AddUInt32(StunAttributeType.Priority, 7);
        });
        (ushort type, ushort length, byte[] padded) = Raw(m, 20);
        Assert.Equal((ushort)StunAttributeType.Software, type);
        Assert.Equal(valueLength, length);
        Assert.Equal(valueLength + padding, padded.Length);
        Assert.All(padded[valueLength..], b => Assert.Equal(0, b));
        Assert.Equal(20 + 4 + valueLength + padding + 8, m.Length);
        Assert.True(Read(m).TryGetUInt32(StunAttributeType.Priority, out uint p));
        Assert.Equal(7u, p);
    }

    [Fact]
    public void Strings_AreUtf8()
    {
        byte[] m = Message((ref StunMessageWriter w) => w.AddString(StunAttributeType.Username, "ma\u00F1ana\U0001F600"));
        Assert.Equal(Encoding.UTF8.GetBytes("ma\u00F1ana\U0001F600"), Raw(m, 20).Padded[..Raw(m, 20).Length]);
        StunMessageReader r = Read(m);
        Assert.True(r.TryGetString(StunAttributeType.Username, out string s));
        Assert.Equal("ma\u00F1ana\U0001F600", s);
        Assert.False(r.TryGetString(StunAttributeType.Realm, out string none));
        Assert.Equal("", none);
    }

    [Fact]
    public void WriterLimits()
    {
        // Buffer too small for the attribute (header 20 + 4 + 4): throws, leaving the message as it was.
        byte[] small = new byte[27];
        var w = new StunMessageWriter(small, StunMessageType.BindingRequest, s_tid);
        bool threw = false;
        try
        {
            w.AddUInt32(StunAttributeType.Priority, 1);
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.True(threw);
        Assert.Equal(20, w.Length);

        byte[] exact = new byte[28];
        var ok = new StunMessageWriter(exact, StunMessageType.BindingRequest, s_tid);
        ok.AddUInt32(StunAttributeType.Priority, 1);
        Assert.Equal(28, ok.Length);

        // RFC 8489 §14: the length field is 16 bits, so a value is at most 65535 bytes, and so is the message body.
        byte[] big = new byte[70000];
        var b = new StunMessageWriter(big, StunMessageType.BindingRequest, s_tid);
        threw = false;
        try
        {
            b.AddAttribute(StunAttributeType.Data, new byte[65536]);
        }
        catch (ArgumentOutOfRangeException)
        {
            threw = true;
        }

        Assert.True(threw);
        b.AddAttribute(StunAttributeType.Data, new byte[65528]); // 4 + 65528 = 65532 bytes of attributes
        threw = false;
        try
        {
            b.AddUInt32(StunAttributeType.Priority, 1); // 65540 > 65535
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.True(threw);
        Assert.Equal(20 + 65532, b.Length);
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(b.Written, out _));
    }

    [Theory]
    [InlineData(300, "Try Alternate")]
    [InlineData(400, "Bad Request")]
    [InlineData(401, "Unauthenticated")]
    [InlineData(403, "Forbidden")]
    [InlineData(420, "Unknown Attribute")]
    [InlineData(437, "Allocation Mismatch")]
    [InlineData(438, "Stale Nonce")]
    [InlineData(440, "Address Family not Supported")]
    [InlineData(441, "Wrong Credentials")]
    [InlineData(442, "Unsupported Transport Protocol")]
    [InlineData(443, "Peer Address Family Mismatch")]
    [InlineData(486, "Allocation Quota Reached")]
    [InlineData(487, "Role Conflict")]
    [InlineData(500, "Server Error")]
    [InlineData(508, "Insufficient Capacity")]
    [InlineData(499, "")]
    public void ErrorCode_ReasonPhrases(int code, string phrase)
    {
        // RFC 8489 §14.8, RFC 8656 §19, RFC 8445 §7.3.1.1 (487).
        Assert.Equal(phrase, StunErrorCode.ReasonPhrase(code));
    }

    [Theory]
    [InlineData(300, 3, 0)]
    [InlineData(420, 4, 20)]
    [InlineData(699, 6, 99)]
    public void ErrorCode_Layout_Rfc8489Section14_8(int code, byte cls, byte number)
    {
        byte[] m = Message((ref StunMessageWriter w) => w.AddErrorCode(code, "why"), StunMessageType.BindingError);
        (ushort type, ushort length, byte[] v) = Raw(m, 20);
        Assert.Equal((ushort)StunAttributeType.ErrorCode, type);
        Assert.Equal(7, length);
        Assert.Equal(new byte[] { 0, 0, cls, number, (byte)'w', (byte)'h', (byte)'y', 0 }, v);
        Assert.True(Read(m).TryGetErrorCode(out int back, out ReadOnlySpan<byte> reason));
        Assert.Equal(code, back);
        Assert.Equal("why"u8.ToArray(), reason.ToArray());
    }

    [Theory]
    [InlineData(299)]
    [InlineData(700)]
    [InlineData(0)]
    public void ErrorCode_OutOfRange_Throws(int code)
    {
        byte[] buf = new byte[64];
        var w = new StunMessageWriter(buf, StunMessageType.BindingError, s_tid);
        bool threw = false;
        try
        {
            w.AddErrorCode(code);
        }
        catch (ArgumentOutOfRangeException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Theory]
    // Class in the low 3 bits of byte 2 (the 21 bits before it are reserved and ignored), number 0-99 in byte 3.
    [InlineData(new byte[] { 0, 0, 3, 0 }, 300)]
    [InlineData(new byte[] { 0, 0, 6, 99 }, 699)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFC, 1 }, 401)]
    [InlineData(new byte[] { 0, 0, 2, 0 }, 0)]
    [InlineData(new byte[] { 0, 0, 7, 0 }, 0)]
    [InlineData(new byte[] { 0, 0, 4, 100 }, 0)]
    [InlineData(new byte[] { 0, 0, 4 }, 0)]
    public void ErrorCode_Decoding(byte[] value, int expected)
    {
        byte[] m = Message((ref StunMessageWriter w) => w.AddAttribute(StunAttributeType.ErrorCode, value), StunMessageType.BindingError);
        bool ok = Read(m).TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason);
        Assert.Equal(expected != 0, ok);
        Assert.Equal(expected, code);
        Assert.True(reason.IsEmpty);
    }

    [Fact]
    public void ErrorCode_Absent()
    {
        Assert.False(Read(Message((ref StunMessageWriter w) => { })).TryGetErrorCode(out int code, out _));
        Assert.Equal(0, code);
    }

    [Fact]
    public void UnknownAttributes_OddCountIsPadded()
    {
        byte[] m = Message((ref StunMessageWriter w) => w.AddUnknownAttributes([0x0031, 0x7FFF, 0x0002]), StunMessageType.BindingError);
        (_, ushort length, byte[] v) = Raw(m, 20);
        Assert.Equal(6, length);
        Assert.Equal(new byte[] { 0x00, 0x31, 0x7F, 0xFF, 0x00, 0x02, 0, 0 }, v);
    }

    [Theory]
    [InlineData("192.0.2.1:32853")]
    [InlineData("255.255.255.255:65535")]
    [InlineData("0.0.0.0:0")]
    [InlineData("[2001:db8:1234:5678:11:2233:4455:6677]:32853")]
    [InlineData("[::]:1")]
    [InlineData("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")]
    public void Addresses_PlainAndXor_Rfc8489Sections14_1And14_2(string text)
    {
        TransportAddress a = TransportAddress.Parse(text);
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddAddress(StunAttributeType.MappedAddress, a);
            w.AddXorAddress(StunAttributeType.XorMappedAddress, a);
        }, StunMessageType.BindingSuccess);
        int n = a.AddressLength;
        byte[] ip = new byte[16];
        a.WriteAddressBytes(ip);

        // MAPPED-ADDRESS: 0, family (1 = IPv4, 2 = IPv6), port, address, all in the clear.
        (ushort t1, ushort l1, byte[] plain) = Raw(m, 20);
        Assert.Equal((ushort)StunAttributeType.MappedAddress, t1);
        Assert.Equal(4 + n, l1);
        Assert.Equal(0, plain[0]);
        Assert.Equal(a.IsIPv4 ? 1 : 2, plain[1]);
        Assert.Equal(a.Port, BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(2)));
        Assert.Equal(ip[..n], plain[4..(4 + n)]);

        // XOR-MAPPED-ADDRESS: port XOR the cookie's top 16 bits, address XOR cookie (IPv4) or cookie || tid (IPv6).
        (_, ushort l2, byte[] xored) = Raw(m, 24 + l1);
        Assert.Equal(4 + n, l2);
        Assert.Equal(0, xored[0]);
        Assert.Equal(a.IsIPv4 ? 1 : 2, xored[1]);
        Assert.Equal(a.Port ^ 0x2112, BinaryPrimitives.ReadUInt16BigEndian(xored.AsSpan(2)));
        byte[] mask = [0x21, 0x12, 0xA4, 0x42, .. m[8..20]];
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(ip[i] ^ mask[i], xored[4 + i]);
        }

        StunMessageReader r = Read(m);
        Assert.True(r.TryGetAddress(StunAttributeType.MappedAddress, out TransportAddress p));
        Assert.Equal(a, p);
        Assert.True(r.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress x));
        Assert.Equal(a, x);
        Assert.False(r.TryGetAddress(StunAttributeType.AlternateServer, out TransportAddress none));
        Assert.True(none.IsEmpty);
        Assert.False(r.TryGetXorAddress(StunAttributeType.XorPeerAddress, out _));
    }

    [Fact]
    public void EmptyAddress_CannotBeWritten()
    {
        byte[] buf = new byte[64];
        var w = new StunMessageWriter(buf, StunMessageType.BindingSuccess, s_tid);
        bool threw = false;
        try
        {
            w.AddXorAddress(StunAttributeType.XorMappedAddress, default);
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Theory]
    // Family and length must agree (IPv4: 8 bytes, IPv6: 20); other families and short values are not addresses.
    [InlineData(new byte[] { 0, 1, 0, 80, 1, 2, 3 })]
    [InlineData(new byte[] { 0, 1, 0, 80, 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(new byte[] { 0, 2, 0, 80, 1, 2, 3, 4 })]
    [InlineData(new byte[] { 0, 3, 0, 80, 1, 2, 3, 4 })]
    [InlineData(new byte[] { 0, 0, 0, 80, 1, 2, 3, 4 })]
    [InlineData(new byte[] { 0, 1, 0 })]
    [InlineData(new byte[] { })]
    public void MalformedAddresses_AreRejected(byte[] value)
    {
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddAttribute(StunAttributeType.MappedAddress, value);
            w.AddAttribute(StunAttributeType.XorMappedAddress, value);
        }, StunMessageType.BindingSuccess);
        StunMessageReader r = Read(m);
        Assert.False(r.TryGetAddress(StunAttributeType.MappedAddress, out TransportAddress a));
        Assert.True(a.IsEmpty);
        Assert.False(r.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress x));
        Assert.True(x.IsEmpty);
    }

    [Fact]
    public void Integrity_Sha1WithPreparedKey_MatchesRawKey()
    {
        byte[] key = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();
        using var prepared = new StunIntegrityKey(key);
        Assert.Equal(key, prepared.Key.ToArray());
        byte[] a = Message((ref StunMessageWriter w) => { w.AddString(StunAttributeType.Username, "evtj:h6vY"); w.AddMessageIntegrity(key); });
        byte[] b = Message((ref StunMessageWriter w) => { w.AddString(StunAttributeType.Username, "evtj:h6vY"); w.AddMessageIntegrity(prepared); });
        Assert.Equal(a, b);

        // RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length field covering it.
        byte[] prefix = a[..^24];
        BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(2), (ushort)(a.Length - 20));
        Assert.Equal(HMACSHA1.HashData(key, prefix), a[^20..]);

        StunMessageReader r = Read(a);
        Assert.True(r.HasMessageIntegrity);
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.True(r.VerifyMessageIntegrity(prepared));
        Assert.True(r.VerifyIntegrity(key));
        Assert.True(r.VerifyIntegrity(prepared));
        using var wrong = new StunIntegrityKey("x"u8);
        Assert.False(r.VerifyMessageIntegrity(wrong));
        Assert.False(r.VerifyIntegrity(wrong));
        Assert.Throws<ArgumentNullException>(() => Read(a).VerifyMessageIntegrity((StunIntegrityKey)null!));
        Assert.Throws<ArgumentNullException>(() => Read(a).VerifyIntegrity((StunIntegrityKey)null!));

        byte[] buf = new byte[64];
        var w2 = new StunMessageWriter(buf, StunMessageType.BindingRequest, s_tid);
        bool threw = false;
        try
        {
            w2.AddMessageIntegrity((StunIntegrityKey)null!);
        }
        catch (ArgumentNullException)
        {
            threw = true;
        }

        Assert.True(threw);

        // Without the attribute there is nothing to verify.
        StunMessageReader none = Read(Message((ref StunMessageWriter w) => { }));
        Assert.False(none.VerifyMessageIntegrity(key));
        Assert.False(none.VerifyMessageIntegrity(prepared));
        Assert.False(none.VerifyMessageIntegritySha256(key));
        Assert.False(none.VerifyFingerprint());
    }

    [Fact]
    public void Integrity_Sha256_FullAndTruncated_Rfc8489Section14_6()
    {
        byte[] key = SHA256.HashData("user:realm:pass"u8);
        byte[] full = Message((ref StunMessageWriter w) => { w.AddString(StunAttributeType.Username, "user"); w.AddMessageIntegritySha256(key); });
        Assert.Equal(20 + 8 + 36, full.Length);
        StunMessageReader r = Read(full);
        Assert.True(r.HasMessageIntegritySha256);
        Assert.False(r.HasMessageIntegrity);
        Assert.True(r.VerifyMessageIntegritySha256(key));
        Assert.True(r.VerifyIntegrity(key)); // picks SHA-256 when present
        using (var prepared = new StunIntegrityKey(key))
        {
            Assert.True(r.VerifyIntegrity(prepared));
        }

        Assert.False(r.VerifyMessageIntegritySha256(key.AsSpan(1)));
        Assert.False(r.VerifyMessageIntegrity(key));

        // A 16-byte truncation (the shortest allowed) computed by hand: HMAC-SHA256 with the length covering the
        // truncated attribute, its first 16 bytes.
        byte[] body = Message((ref StunMessageWriter w) => w.AddString(StunAttributeType.Username, "user"));
        byte[] truncated = new byte[body.Length + 20];
        body.CopyTo(truncated, 0);
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(2), (ushort)(truncated.Length - 20));
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(body.Length), (ushort)StunAttributeType.MessageIntegritySha256);
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(body.Length + 2), 16);
        byte[] hmac = HMACSHA256.HashData(key, truncated.AsSpan(0, body.Length));
        hmac.AsSpan(0, 16).CopyTo(truncated.AsSpan(body.Length + 4));
        StunMessageReader t = Read(truncated);
        Assert.True(t.VerifyMessageIntegritySha256(key));
        truncated[^1] ^= 1;
        Assert.False(Read(truncated).VerifyMessageIntegritySha256(key));
    }

    [Theory]
    [InlineData(996)]   // the attributes before MESSAGE-INTEGRITY end at byte 1020
    [InlineData(1000)]  // ... at 1024
    [InlineData(1004)]  // ... at 1028
    [InlineData(4000)]
    public void Integrity_OverLargeMessages(int dataLength)
    {
        // RFC 8489 §14.5/§14.6: the HMAC covers everything before the attribute, however long the message is.
        byte[] key = "k3y"u8.ToArray();
        byte[] data = new byte[dataLength];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddAttribute(StunAttributeType.Data, data);
            w.AddMessageIntegrity(key);
            w.AddMessageIntegritySha256(key);
        }, null, 8192);
        int miOffset = 20 + 4 + dataLength;
        byte[] prefix = m[..miOffset];
        BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(2), (ushort)(miOffset + 24 - 20));
        Assert.Equal(HMACSHA1.HashData(key, prefix), m[(miOffset + 4)..(miOffset + 24)]);
        byte[] prefix256 = m[..(miOffset + 24)];
        BinaryPrimitives.WriteUInt16BigEndian(prefix256.AsSpan(2), (ushort)(m.Length - 20));
        Assert.Equal(HMACSHA256.HashData(key, prefix256), m[^32..]);
        StunMessageReader r = Read(m);
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.True(r.VerifyMessageIntegritySha256(key));
        using var prepared = new StunIntegrityKey(key);
        Assert.True(r.VerifyMessageIntegrity(prepared));
    }

    [Theory]
    // RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 is 16 to 32 bytes, a multiple of 4; §14.5 MESSAGE-INTEGRITY is 20.
    [InlineData(StunAttributeType.MessageIntegritySha256, 12, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.MessageIntegritySha256, 16, StunParseStatus.Ok)]
    [InlineData(StunAttributeType.MessageIntegritySha256, 18, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.MessageIntegritySha256, 20, StunParseStatus.Ok)]
    [InlineData(StunAttributeType.MessageIntegritySha256, 32, StunParseStatus.Ok)]
    [InlineData(StunAttributeType.MessageIntegritySha256, 36, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.MessageIntegrity, 20, StunParseStatus.Ok)]
    [InlineData(StunAttributeType.MessageIntegrity, 16, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.MessageIntegrity, 24, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.Fingerprint, 4, StunParseStatus.Ok)]
    [InlineData(StunAttributeType.Fingerprint, 8, StunParseStatus.BadAttributeLength)]
    [InlineData(StunAttributeType.Fingerprint, 0, StunParseStatus.BadAttributeLength)]
    public void IntegrityAndFingerprintLengths(StunAttributeType type, int length, StunParseStatus expected)
    {
        byte[] m = Message((ref StunMessageWriter w) => w.AddAttribute(type, new byte[length]));
        Assert.Equal(expected, StunMessageReader.TryParse(m, out StunMessageReader r));
        if (expected == StunParseStatus.Ok)
        {
            Assert.Equal(type == StunAttributeType.MessageIntegrity, r.HasMessageIntegrity);
            Assert.Equal(type == StunAttributeType.MessageIntegritySha256, r.HasMessageIntegritySha256);
            Assert.Equal(type == StunAttributeType.Fingerprint, r.HasFingerprint);
        }
    }

    [Fact]
    public void AttributesAfterIntegrity_AreIgnored_Rfc8489Sections14_5And14_6()
    {
        byte[] key = "k"u8.ToArray();
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddUInt32(StunAttributeType.Priority, 1);
            w.AddMessageIntegrity(key);
            w.AddUInt32(StunAttributeType.Lifetime, 2);          // ignored: after MESSAGE-INTEGRITY
            w.AddMessageIntegritySha256(key);                      // counts
            w.AddMessageIntegrity(key);                            // ignored: after MESSAGE-INTEGRITY-SHA256
            w.AddUInt32(StunAttributeType.IceControlled, 3);      // ignored
            w.AddFingerprint();                                    // counts
        });
        StunMessageReader r = Read(m);
        var seen = new List<StunAttributeType>();
        foreach (StunAttribute a in r.GetAttributes())
        {
            seen.Add(a.Type);
        }

        Assert.Equal(new[] { StunAttributeType.Priority, StunAttributeType.MessageIntegrity, StunAttributeType.MessageIntegritySha256, StunAttributeType.Fingerprint }, seen);
        Assert.False(r.HasAttribute(StunAttributeType.Lifetime));
        Assert.False(r.HasAttribute(StunAttributeType.IceControlled));
        Assert.True(r.VerifyMessageIntegrity(key));
        Assert.True(r.VerifyMessageIntegritySha256(key));
        Assert.True(r.VerifyFingerprint());
    }

    [Fact]
    public void SecondIntegrityAttributes_AreIgnored()
    {
        // RFC 8489 §14.5: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count, so a second
        // MESSAGE-INTEGRITY is ignored; §14.6: after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts.
        byte[] key = "k"u8.ToArray();
        byte[] mi = Message((ref StunMessageWriter w) =>
        {
            w.AddMessageIntegrity(key);
            w.AddAttribute(StunAttributeType.MessageIntegrity, new byte[20]);
        });
        StunMessageReader r = Read(mi);
        Assert.True(r.VerifyMessageIntegrity(key));

        byte[] sha = Message((ref StunMessageWriter w) =>
        {
            w.AddMessageIntegritySha256(key);
            w.AddAttribute(StunAttributeType.MessageIntegritySha256, new byte[32]);
            w.AddAttribute(StunAttributeType.MessageIntegrity, new byte[20]);
        });
        r = Read(sha);
        Assert.True(r.VerifyMessageIntegritySha256(key));
        Assert.False(r.HasMessageIntegrity);
    }

    [Fact]
    public void ZeroLengthAttribute_CanBeLast()
    {
        // RFC 8445 §7.1.2 USE-CANDIDATE has no value; the message may end with its 4-byte header.
        byte[] m = Message((ref StunMessageWriter w) => { w.AddUInt32(StunAttributeType.Priority, 1); w.AddFlag(StunAttributeType.UseCandidate); });
        Assert.Equal(32, m.Length);
        Assert.True(Read(m).HasAttribute(StunAttributeType.UseCandidate));
    }

    [Fact]
    public void Fingerprint_Rfc8489Section14_7()
    {
        byte[] m = Message((ref StunMessageWriter w) => { w.AddString(StunAttributeType.Software, "x"); w.AddFingerprint(); });
        // CRC-32 (ISO/IEC 13239, as in zlib) of everything before it, with the length field covering it, XOR 0x5354554E.
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(m.AsSpan(0, m.Length - 8));
        Assert.Equal(crc ^ 0x5354554Eu, BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(m.Length - 4)));
        StunMessageReader r = Read(m);
        Assert.True(r.HasFingerprint);
        Assert.True(r.VerifyFingerprint());
        m[^1] ^= 0x80;
        Assert.False(Read(m).VerifyFingerprint());
    }

    [Fact]
    public void TryParse_Statuses_Rfc8489Section6_3()
    {
        byte[] ok = Message((ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Priority, 1));
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(ok, out _));
        Assert.Equal(StunParseStatus.TooShort, StunMessageReader.TryParse(ok.AsSpan(0, 19), out _));

        byte[] m = (byte[])ok.Clone();
        m[0] = 0x40;
        Assert.Equal(StunParseStatus.NotStun, StunMessageReader.TryParse(m, out _));
        m = (byte[])ok.Clone();
        m[0] = 0x80;
        Assert.Equal(StunParseStatus.NotStun, StunMessageReader.TryParse(m, out _));
        m = (byte[])ok.Clone();
        m[7] ^= 1;
        Assert.Equal(StunParseStatus.BadMagicCookie, StunMessageReader.TryParse(m, out _));

        // The length is a multiple of 4 and equals what follows the header.
        m = (byte[])ok.Clone();
        m[3] = 6;
        Assert.Equal(StunParseStatus.BadLength, StunMessageReader.TryParse(m, out _));
        Assert.Equal(StunParseStatus.BadLength, StunMessageReader.TryParse([.. ok, 0, 0, 0, 0], out _));
        m = (byte[])ok.Clone();
        m[3] = 4;
        Assert.Equal(StunParseStatus.BadLength, StunMessageReader.TryParse(m, out _));

        // An attribute whose (padded) value runs past the end.
        m = (byte[])ok.Clone();
        m[23] = 5;
        Assert.Equal(StunParseStatus.TruncatedAttribute, StunMessageReader.TryParse(m, out _));
        m[23] = 4;
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(m, out _));

        // Nothing may follow FINGERPRINT.
        byte[] fp = Message((ref StunMessageWriter w) => { w.AddFingerprint(); w.AddUInt32(StunAttributeType.Priority, 1); });
        Assert.Equal(StunParseStatus.FingerprintNotLast, StunMessageReader.TryParse(fp, out _));
    }

    [Fact]
    public void LooksLikeStun_Rfc7983()
    {
        byte[] ok = Message((ref StunMessageWriter w) => { });
        Assert.True(StunMessageReader.LooksLikeStun(ok));
        Assert.False(StunMessageReader.LooksLikeStun(ok.AsSpan(0, 19)));
        byte[] m = (byte[])ok.Clone();
        m[0] = 0x40;
        Assert.False(StunMessageReader.LooksLikeStun(m));
        m = (byte[])ok.Clone();
        m[4] = 0;
        Assert.False(StunMessageReader.LooksLikeStun(m));
        Assert.True(StunMessageReader.LooksLikeStun([.. ok, 1, 2, 3])); // a quick test: the length is not checked
    }

    [Fact]
    public void UnknownComprehensionRequired_Rfc8489Section6_3_1()
    {
        byte[] m = Message((ref StunMessageWriter w) =>
        {
            w.AddAttribute((StunAttributeType)0x0031, "a"u8);   // unknown, comprehension-required
            w.AddAttribute((StunAttributeType)0x7FFF, "b"u8);   // unknown, comprehension-required (the last such type)
            w.AddAttribute((StunAttributeType)0x8000, "c"u8);   // unknown, comprehension-optional
            w.AddUInt32(StunAttributeType.Priority, 1);          // known
            w.AddAttribute((StunAttributeType)0x0032, "d"u8);
        });
        StunMessageReader r = Read(m);
        Span<ushort> two = stackalloc ushort[2];
        Assert.Equal(3, r.GetUnknownComprehensionRequired(two)); // the count even when the destination is short
        Assert.Equal(new ushort[] { 0x0031, 0x7FFF }, two.ToArray());
        Span<ushort> four = stackalloc ushort[4];
        Assert.Equal(3, r.GetUnknownComprehensionRequired(four));
        Assert.Equal(new ushort[] { 0x0031, 0x7FFF, 0x0032, 0 }, four.ToArray());
        Assert.Equal(0, Read(Message((ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Priority, 1))).GetUnknownComprehensionRequired(four));
    }

    [Fact]
    public void AttributeTypes_ComprehensionAndKnown()
    {
        // RFC 8489 §14: 0x0000-0x7FFF comprehension-required, 0x8000-0xFFFF comprehension-optional.
        Assert.True(((StunAttributeType)0x0000).IsComprehensionRequired());
        Assert.True(((StunAttributeType)0x7FFF).IsComprehensionRequired());
        Assert.False(((StunAttributeType)0x8000).IsComprehensionRequired());
        Assert.False(((StunAttributeType)0xFFFF).IsComprehensionRequired());

        // Every named type is known (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1, RFC 8016, RFC 5780 not included).
        foreach (StunAttributeType t in Enum.GetValues<StunAttributeType>())
        {
            Assert.True(t.IsKnown(), t.ToString());
        }

        Assert.False(((StunAttributeType)0x0000).IsKnown());
        Assert.False(((StunAttributeType)0x0031).IsKnown());
        Assert.False(((StunAttributeType)0xC0FF).IsKnown());
    }

    [Fact]
    public void Credentials_Rfc8489Section9()
    {
        // §9.1.1: the short-term key is the OpaqueString-prepared password.
        Assert.Equal("VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray(), StunCredentials.ShortTermKey("VOkJxbRl1RmTxUk/WvJxBt"));
        Assert.Equal("p w"u8.ToArray(), StunCredentials.ShortTermKey("p\u00A0w"));
        Assert.Throws<ArgumentException>(() => StunCredentials.ShortTermKey(""));
        Assert.Throws<ArgumentNullException>(() => StunCredentials.ShortTermKey(null!));

        // §9.2.2: MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)); the username is not prepared.
        Assert.Equal(MD5.HashData(Encoding.UTF8.GetBytes("u\u00A0x:r e:p w")), StunCredentials.LongTermKey("u\u00A0x", "r\u00A0e", "p\u00A0w"));
        Assert.Equal(MD5.HashData(Encoding.UTF8.GetBytes("u:r\u00A0e:p\u00A0w")), StunCredentials.LongTermKey("u", "r\u00A0e", "p\u00A0w", StunPasswordAlgorithm.Md5, StunStringPrepProfile.None));
        Assert.Equal(MD5.HashData("u:r:IX"u8), StunCredentials.LongTermKey("u", "r", "\u2168", StunPasswordAlgorithm.Md5, StunStringPrepProfile.SaslPrep));
        Assert.Throws<ArgumentException>(() => StunCredentials.LongTermKey("u", "r\u0001", "p"));
        Assert.Throws<ArgumentException>(() => StunCredentials.LongTermKey("u", "r", "p\u0007", StunPasswordAlgorithm.Md5, StunStringPrepProfile.SaslPrep));
        Assert.Throws<ArgumentOutOfRangeException>(() => StunCredentials.LongTermKey("u", "r", "p", (StunPasswordAlgorithm)3));
        Assert.Throws<ArgumentNullException>(() => StunCredentials.LongTermKey(null!, "r", "p"));
        Assert.Throws<ArgumentNullException>(() => StunCredentials.LongTermKey("u", null!, "p"));
        Assert.Throws<ArgumentNullException>(() => StunCredentials.LongTermKey("u", "r", null!));

        // §14.4 USERHASH: SHA-256 of OpaqueString(username) ":" OpaqueString(realm).
        Assert.Equal(SHA256.HashData("u x:r e"u8), StunCredentials.UserHash("u\u00A0x", "r\u00A0e"));
        Assert.Throws<ArgumentException>(() => StunCredentials.UserHash("", "r"));
    }

    [Fact]
    public void ChannelData_Rfc8656Section12_4()
    {
        byte[] buf = new byte[16];
        Assert.Equal(4, ChannelData.Write(buf, 0x4000, []));
        Assert.True(ChannelData.TryParse(buf.AsSpan(0, 4), out ushort ch, out ReadOnlySpan<byte> data));
        Assert.Equal(0x4000, ch);
        Assert.True(data.IsEmpty);
        Assert.True(ChannelData.TryParse(buf.AsSpan(0, 7), out _, out _)); // three padding bytes are allowed

        Assert.Equal(6, ChannelData.Write(buf, 0x4FFF, "ab"u8));
        Assert.Equal(new byte[] { 0x4F, 0xFF, 0x00, 0x02, (byte)'a', (byte)'b' }, buf[..6]);
        Assert.True(ChannelData.TryParse(buf.AsSpan(0, 6), out ch, out data));
        Assert.Equal(0x4FFF, ch);
        Assert.Equal("ab"u8.ToArray(), data.ToArray());
        Assert.False(ChannelData.TryParse(buf.AsSpan(0, 5), out ch, out data)); // shorter than its length
        Assert.Equal(0, ch);
        Assert.True(data.IsEmpty);
        Assert.False(ChannelData.TryParse(buf.AsSpan(0, 3), out _, out _));
        Assert.False(ChannelData.TryParse(new byte[] { 0x3F, 0xFF, 0, 0 }, out _, out _));
        Assert.False(ChannelData.TryParse(new byte[] { 0x50, 0x00, 0, 0 }, out _, out _));

        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelData.Write(buf, 0x5000, "x"u8));
        Assert.Throws<ArgumentException>(() => ChannelData.Write(new byte[5], 0x4000, "ab"u8));
        Assert.Equal(6, ChannelData.Write(new byte[6], 0x4000, "ab"u8));
        Assert.Throws<ArgumentException>(() => ChannelData.Write(new byte[70000], 0x4000, new byte[65536]));
    }
}
