using RtcStack.Stun.Turn;

namespace RtcStack.Stun.Tests;

/// <summary>Splitting the TCP/TLS byte stream to a TURN server into STUN and ChannelData messages (RFC 8656 §3.1, §12.5).</summary>
public class TurnStreamFramingTests
{
    private static byte[] Stun(int attributeBytes)
    {
        byte[] buf = new byte[200];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        if (attributeBytes > 0)
        {
            w.AddAttribute(StunAttributeType.Software, new byte[attributeBytes]);
        }

        return w.Written.ToArray();
    }

    private static byte[] ChannelDataPadded(int dataLength)
    {
        byte[] buf = new byte[(4 + dataLength + 3) & ~3];
        ChannelData.Write(buf, 0x4001, new byte[dataLength]);
        return buf;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    public void StunMessage_FrameIsHeaderPlusLength(int attributeBytes)
    {
        byte[] m = Stun(attributeBytes);
        Assert.Equal(TurnStreamFrameStatus.Complete, TurnStreamFraming.TryGetFrameLength(m, out int n));
        Assert.Equal(m.Length, n);
        Assert.Equal(TurnStreamFrameStatus.Complete, TurnStreamFraming.TryGetFrameLength(m.AsSpan(0, 4), out n));
        Assert.Equal(m.Length, n);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(161, 168)]
    public void ChannelData_FrameIncludesThePadding(int dataLength, int expected)
    {
        Assert.Equal(TurnStreamFrameStatus.Complete, TurnStreamFraming.TryGetFrameLength(ChannelDataPadded(dataLength), out int n));
        Assert.Equal(expected, n);
    }

    [Fact]
    public void AStreamOfMessages_SplitsBackIntoThem_WhateverTheReadSizes()
    {
        var messages = new List<byte[]> { Stun(0), ChannelDataPadded(5), Stun(12), ChannelDataPadded(0), ChannelDataPadded(160), Stun(3) };
        byte[] stream = messages.SelectMany(m => m).ToArray();
        foreach (int chunk in new[] { 1, 3, 7, 64, stream.Length })
        {
            var buffered = new List<byte>();
            var found = new List<byte[]>();
            for (int at = 0; at < stream.Length; at += chunk)
            {
                buffered.AddRange(stream.Skip(at).Take(chunk));
                while (true)
                {
                    TurnStreamFrameStatus status = TurnStreamFraming.TryGetFrameLength(buffered.ToArray(), out int n);
                    Assert.NotEqual(TurnStreamFrameStatus.Invalid, status);
                    if (status == TurnStreamFrameStatus.NeedMore || buffered.Count < n)
                    {
                        break;
                    }

                    found.Add(buffered.Take(n).ToArray());
                    buffered.RemoveRange(0, n);
                }
            }

            Assert.Empty(buffered);
            Assert.Equal(messages, found);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0x00, 0x00, 0x01 }, 8)] // RFC 8656 §12: 0x4000 and 0x4FFF are the channel range's ends
    [InlineData(new byte[] { 0x4F, 0xFF, 0x00, 0x05 }, 12)]
    [InlineData(new byte[] { 0x4F, 0xFF, 0xFF, 0xFF }, 65540)] // the largest ChannelData frame, 4 + 65535 + 1 padding
    public void ChannelRangeEnds_AreFrames(byte[] header, int expected)
    {
        Assert.Equal(TurnStreamFrameStatus.Complete, TurnStreamFraming.TryGetFrameLength(header, out int n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 0 })] // RTP-like first bits 0b10
    [InlineData(new byte[] { 0xC0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x50, 0x00, 0, 4 })] // reserved channel range 0x5000-0x7FFF
    [InlineData(new byte[] { 0x7F, 0xFF, 0, 4 })]
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x05 })] // STUN length not a multiple of 4
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x04, 1, 2, 3, 4 })] // no magic cookie
    public void WhatIsNeitherStunNorChannelData_IsInvalid(byte[] bytes)
    {
        Assert.Equal(TurnStreamFrameStatus.Invalid, TurnStreamFraming.TryGetFrameLength(bytes, out _));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x00, 0x01, 0x00 })]
    [InlineData(new byte[] { 0x40, 0x01, 0x00 })]
    public void TooFewBytes_NeedMore(byte[] bytes)
    {
        Assert.Equal(TurnStreamFrameStatus.NeedMore, TurnStreamFraming.TryGetFrameLength(bytes, out _));
    }

    [Fact]
    public void RandomBytes_NeverThrow_AndNeverGiveAFrameShorterThanItsHeader()
    {
        var random = new Random(7);
        byte[] b = new byte[16];
        for (int i = 0; i < 100_000; i++)
        {
            random.NextBytes(b);
            int length = random.Next(0, 17);
            if (TurnStreamFraming.TryGetFrameLength(b.AsSpan(0, length), out int n) == TurnStreamFrameStatus.Complete)
            {
                Assert.InRange(n, 4, TurnStreamFraming.MaxFrameLength);
            }
        }
    }
}
