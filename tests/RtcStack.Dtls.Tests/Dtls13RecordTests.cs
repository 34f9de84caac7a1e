using RtcStack.Dtls.Records;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>RFC 9147 §4 unified header parsing and §4.2.2 sequence number reconstruction.</summary>
public class Dtls13RecordTests
{
    [Theory]
    [InlineData(0x2C, 5, true)] // S, L
    [InlineData(0x28, 3, false)] // S, no L: runs to the end
    [InlineData(0x24, 4, true)] // 8-bit seq, L
    [InlineData(0x20, 2, false)] // minimal
    public void Header_Variants_AreFramed(byte first, int headerLength, bool hasLength)
    {
        byte[] datagram = new byte[headerLength + 20];
        datagram[0] = (byte)(first | 2);
        if (hasLength)
        {
            datagram[headerLength - 2] = 0;
            datagram[headerLength - 1] = 20;
        }

        Assert.True(Dtls13Record.TryRead(datagram, out Dtls13Record r, out int consumed));
        Assert.Equal(datagram.Length, consumed);
        Assert.Equal(headerLength, r.Header.Length);
        Assert.Equal(20, r.Ciphertext.Length);
        Assert.Equal(2, r.EpochBits);
        Assert.Equal((first & 0x08) != 0, r.LongSequenceNumber);
    }

    [Fact]
    public void TwoRecordsWithLengths_ShareADatagram()
    {
        byte[] one = [0x2E, 0, 1, 0, 16, .. new byte[16]];
        byte[] two = [0x2F, 0, 2, 0, 17, .. new byte[17]];
        byte[] datagram = [.. one, .. two];
        Assert.True(Dtls13Record.TryRead(datagram, out Dtls13Record a, out int n));
        Assert.Equal(one.Length, n);
        Assert.Equal(2, a.EpochBits);
        Assert.True(Dtls13Record.TryRead(datagram.AsSpan(n), out Dtls13Record b, out int m));
        Assert.Equal(two.Length, m);
        Assert.Equal(3, b.EpochBits);
    }

    [Theory]
    [InlineData(new byte[] { 0x2C, 0, 1 })] // short header
    [InlineData(new byte[] { 0x2C, 0, 1, 0, 40, 1, 2, 3 })] // length past the datagram
    [InlineData(new byte[] { 0x3C, 0, 1, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // connection ID bit
    [InlineData(new byte[] { 0x2C, 0, 1, 0, 4, 1, 2, 3, 4 })] // ciphertext shorter than the 16-byte sample
    [InlineData(new byte[] { 0x16, 0xFE, 0xFD })] // not a unified header
    [InlineData(new byte[] { })]
    public void Malformed_IsRefusedWithoutThrowing(byte[] datagram)
    {
        Assert.False(Dtls13Record.TryRead(datagram, out _, out int consumed));
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData(0UL, 0, 16, 0UL)]
    [InlineData(0x1FFFEUL, 0xFFFF, 16, 0x1FFFFUL)]
    [InlineData(0x1FFFFUL, 0x0001, 16, 0x20001UL)] // wraps forward past the 16-bit boundary
    [InlineData(0x20001UL, 0xFFFE, 16, 0x1FFFEUL)] // a late record from before the boundary
    [InlineData(0x100UL, 0xFF, 8, 0xFFUL)]
    [InlineData(0x1F0UL, 0x05, 8, 0x205UL)]
    [InlineData(5UL, 0xFE, 8, 0xFEUL)] // never below zero
    public void SequenceNumber_IsTheClosestToTheExpectedOne(ulong expected, int low, int bits, ulong full)
    {
        Assert.Equal(full, Dtls13Record.ReconstructSequenceNumber(expected, low, bits));
    }
}
