using RtcStack.Rtp.Dtmf;
using Xunit;

namespace RtcStack.Rtp.Tests.Dtmf;

/// <summary>RFC 4733 §2.3 payload layout and §3.2 event codes.</summary>
public sealed class TelephoneEventTests
{
    [Fact]
    public void LayoutMatchesSection2_3()
    {
        // Digit 5, end bit, volume 10 (−10 dBm0), duration 1600 (200 ms at 8 kHz).
        var bytes = new byte[4];
        Assert.Equal(4, new TelephoneEvent(5, true, 10, 1600).Write(bytes));
        Assert.Equal(new byte[] { 0x05, 0x80 | 10, 0x06, 0x40 }, bytes);
        Assert.True(TelephoneEvent.TryParse(bytes, out TelephoneEvent parsed));
        Assert.Equal(new TelephoneEvent(5, true, 10, 1600), parsed);
    }

    [Fact]
    public void ReservedBitIsIgnoredOnReceiveAndNeverSent()
    {
        Assert.True(TelephoneEvent.TryParse([11, 0x40 | 0x3F, 0xFF, 0xFF], out TelephoneEvent parsed));
        Assert.Equal(new TelephoneEvent(11, false, 63, 65535), parsed);
        var bytes = new byte[4];
        parsed.Write(bytes);
        Assert.Equal(0x3F, bytes[1]);
        Assert.False(TelephoneEvent.TryParse([1, 2, 3], out _));
        Assert.Throws<InvalidOperationException>(() => new TelephoneEvent(1, false, 64, 0).Write(bytes));
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('d', 15)]
    public void DigitsMapToTable7Codes(char digit, byte code)
    {
        Assert.True(DtmfDigits.TryGetEvent(digit, out byte got));
        Assert.Equal(code, got);
        Assert.Equal(char.ToUpperInvariant(digit), DtmfDigits.ToDigit(code));
    }

    [Fact]
    public void OtherCharactersAndEventsAreNotDigits()
    {
        Assert.False(DtmfDigits.TryGetEvent(',', out _));
        Assert.False(DtmfDigits.TryGetEvent('E', out _));
        Assert.Null(DtmfDigits.ToDigit(DtmfDigits.Flash));
    }
}
