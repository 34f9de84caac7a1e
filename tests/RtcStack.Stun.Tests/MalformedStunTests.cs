using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Stun.Tests;

public class MalformedStunTests
{
    private static readonly byte[] s_key = Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    private static byte[] Build(bool integrity = true, bool fingerprint = true)
    {
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, "abcd:efgh");
        w.AddUInt32(StunAttributeType.Priority, 12345);
        w.AddUInt64(StunAttributeType.IceControlling, 42);
        w.AddFlag(StunAttributeType.UseCandidate);
        if (integrity)
        {
            w.AddMessageIntegrity(s_key);
        }

        if (fingerprint)
        {
            w.AddFingerprint();
        }

        return w.Written.ToArray();
    }

    // Exercises every accessor; none may throw whatever the input.
    private static void Probe(ReadOnlySpan<byte> data)
    {
        PacketDemultiplexer.Classify(data);
        ChannelData.TryParse(data, out _, out _);
        if (StunMessageReader.TryParse(data, out StunMessageReader r) != StunParseStatus.Ok)
        {
            return;
        }

        foreach (StunAttribute a in r.GetAttributes())
        {
            Assert.True(a.Offset + 4 + a.Value.Length <= data.Length);
        }

        r.VerifyMessageIntegrity(s_key);
        r.VerifyMessageIntegritySha256(s_key);
        r.VerifyFingerprint();
        r.TryGetXorAddress(StunAttributeType.XorMappedAddress, out _);
        r.TryGetAddress(StunAttributeType.MappedAddress, out _);
        r.TryGetErrorCode(out _, out _);
        r.TryGetUInt32(StunAttributeType.Priority, out _);
        r.TryGetUInt64(StunAttributeType.IceControlling, out _);
        r.GetUnknownComprehensionRequired(stackalloc ushort[4]);
    }

    [Fact]
    public void EveryTruncation_IsRejectedWithoutException()
    {
        byte[] msg = Build();
        for (int len = 0; len < msg.Length; len++)
        {
            StunParseStatus s = StunMessageReader.TryParse(msg.AsSpan(0, len), out _);
            Assert.NotEqual(StunParseStatus.Ok, s);
            Probe(msg.AsSpan(0, len));
        }

        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out _));
    }

    [Fact]
    public void EveryLengthFieldValue_AtEveryAttribute_IsHandled()
    {
        byte[] msg = Build();
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader ok));
        var offsets = new List<int>();
        foreach (StunAttribute a in ok.GetAttributes())
        {
            offsets.Add(a.Offset);
        }

        foreach (int off in offsets)
        {
            for (int v = 0; v <= msg.Length + 8; v++)
            {
                byte[] m = (byte[])msg.Clone();
                BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(off + 2), (ushort)v);
                Probe(m);
            }

            byte[] big = (byte[])msg.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(off + 2), 0xFFFF);
            Assert.Equal(StunParseStatus.TruncatedAttribute, StunMessageReader.TryParse(big, out _));
        }

        // Header length field: every value.
        for (int v = 0; v < 0x10000; v += 1)
        {
            byte[] m = (byte[])msg.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)v);
            StunParseStatus s = StunMessageReader.TryParse(m, out _);
            Assert.Equal(v == msg.Length - 20 ? StunParseStatus.Ok : StunParseStatus.BadLength, s);
        }
    }

    [Fact]
    public void HeaderChecks()
    {
        byte[] msg = Build();
        byte[] m = (byte[])msg.Clone();
        m[0] |= 0x80;
        Assert.Equal(StunParseStatus.NotStun, StunMessageReader.TryParse(m, out _));
        m = (byte[])msg.Clone();
        m[5] ^= 1;
        Assert.Equal(StunParseStatus.BadMagicCookie, StunMessageReader.TryParse(m, out _));
        Assert.Equal(StunParseStatus.TooShort, StunMessageReader.TryParse(msg.AsSpan(0, 19), out _));
        byte[] trailing = [.. msg, 0, 0, 0, 0];
        Assert.Equal(StunParseStatus.BadLength, StunMessageReader.TryParse(trailing, out _));
    }

    [Fact]
    public void EveryBitFlip_FailsIntegrityOrFingerprintOrParse()
    {
        byte[] msg = Build();
        for (int i = 0; i < msg.Length * 8; i++)
        {
            byte[] m = (byte[])msg.Clone();
            m[i / 8] ^= (byte)(1 << (i % 8));
            Probe(m);
            if (StunMessageReader.TryParse(m, out StunMessageReader r) == StunParseStatus.Ok)
            {
                Assert.False(r.VerifyMessageIntegrity(s_key) && r.VerifyFingerprint(), $"bit {i} flipped but message still verifies");
            }
        }
    }

    [Fact]
    public void WrongKey_AndMissingIntegrity_AreRejected()
    {
        byte[] msg = Build();
        StunMessageReader.TryParse(msg, out StunMessageReader r);
        Assert.True(r.VerifyMessageIntegrity(s_key));
        Assert.False(r.VerifyMessageIntegrity("wrong"u8));
        Assert.False(r.VerifyMessageIntegrity(ReadOnlySpan<byte>.Empty));
        byte[] none = Build(integrity: false, fingerprint: false);
        StunMessageReader.TryParse(none, out StunMessageReader n);
        Assert.False(n.VerifyMessageIntegrity(s_key));
        Assert.False(n.VerifyFingerprint());
    }

    [Fact]
    public void BadFingerprint_IsRejected()
    {
        byte[] msg = Build();
        msg[^1] ^= 0x01;
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(msg, out StunMessageReader r));
        Assert.False(r.VerifyFingerprint());
        Assert.True(r.VerifyMessageIntegrity(s_key));
    }

    [Fact]
    public void AttributeAfterFingerprint_IsRejected_AndAfterIntegrity_IsIgnored()
    {
        byte[] buf = new byte[128];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddFingerprint();
        w.AddUInt32(StunAttributeType.Priority, 1);
        Assert.Equal(StunParseStatus.FingerprintNotLast, StunMessageReader.TryParse(w.Written, out _));

        var w2 = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w2.AddMessageIntegrity(s_key);
        w2.AddUInt32(StunAttributeType.Priority, 1);
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(w2.Written, out StunMessageReader r));
        Assert.False(r.HasAttribute(StunAttributeType.Priority));
        Assert.True(r.VerifyMessageIntegrity(s_key));
    }

    [Fact]
    public void BadIntegrityLengths_AreRejected()
    {
        byte[] msg = Build(integrity: true, fingerprint: false);
        int mi = msg.Length - 24;
        byte[] m = (byte[])msg.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(mi + 2), 16);
        Assert.Equal(StunParseStatus.BadAttributeLength, StunMessageReader.TryParse(m, out _));
    }

    [Fact]
    public void Sha256Integrity_RoundTrips_IncludingAfterSha1()
    {
        byte[] buf = new byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddString(StunAttributeType.Username, "u:v");
        w.AddMessageIntegrity(s_key);
        w.AddMessageIntegritySha256(s_key);
        w.AddFingerprint();
        Assert.Equal(StunParseStatus.Ok, StunMessageReader.TryParse(w.Written, out StunMessageReader r));
        Assert.True(r.VerifyMessageIntegrity(s_key));
        Assert.True(r.VerifyMessageIntegritySha256(s_key));
        Assert.True(r.VerifyIntegrity(s_key));
        Assert.False(r.VerifyMessageIntegritySha256("x"u8));
        Assert.True(r.VerifyFingerprint());
    }

    [Fact]
    public void RandomInput_NeverThrows()
    {
        var rng = new Random(1234);
        byte[] seed = Build();
        for (int i = 0; i < 20000; i++)
        {
            byte[] data;
            switch (i % 3)
            {
                case 0:
                    data = new byte[rng.Next(0, 120)];
                    rng.NextBytes(data);
                    break;
                case 1:
                    data = (byte[])seed.Clone();
                    for (int k = 0; k < 1 + (i % 6); k++)
                    {
                        data[rng.Next(data.Length)] = (byte)rng.Next(256);
                    }

                    break;
                default:
                    int n = 4 * rng.Next(0, 30);
                    data = new byte[20 + n];
                    rng.NextBytes(data);
                    data[0] = 0;
                    data[1] = 1;
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)n);
                    BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), StunMessageReader.MagicCookie);
                    break;
            }

            Probe(data);
        }
    }

    [Fact]
    public void UnknownComprehensionRequired_AreListed()
    {
        byte[] buf = new byte[128];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        w.AddAttribute((StunAttributeType)0x7777, [1, 2, 3]);
        w.AddAttribute((StunAttributeType)0xC057, [1, 2, 3, 4]); // comprehension-optional: ignored
        w.AddUInt32(StunAttributeType.Priority, 1);
        StunMessageReader.TryParse(w.Written, out StunMessageReader r);
        Span<ushort> unknown = stackalloc ushort[4];
        Assert.Equal(1, r.GetUnknownComprehensionRequired(unknown));
        Assert.Equal(0x7777, unknown[0]);
    }
}
