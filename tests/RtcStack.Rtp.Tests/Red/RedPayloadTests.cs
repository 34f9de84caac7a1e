using RtcStack.Rtp.Red;
using Xunit;

namespace RtcStack.Rtp.Tests.Red;

/// <summary>RFC 2198 §3 payload layout: headers, data blocks, limits, hostile input.</summary>
public sealed class RedPayloadTests
{
    [Fact]
    public void ParsesTheRfcExampleLayout()
    {
        // RFC 2198 §3's figure: one redundant block (block PT=7, LPC, 14 bytes) and a DVI4 primary
        // (block PT=5, 84 bytes). The figure gives no offset value; 160 (one 20 ms packet at 8 kHz) is used.
        var payload = new byte[4 + 1 + 14 + 84];
        payload[0] = 0x80 | 7;
        payload[1] = 160 >> 6;                  // offset's top 8 bits
        payload[2] = (byte)((160 & 0x3F) << 2); // offset's low 6 bits, length's top 2 bits (0)
        payload[3] = 14;
        payload[4] = 5;
        payload.AsSpan(5, 14).Fill(0x11);
        payload.AsSpan(19, 84).Fill(0x22);

        Assert.Equal(RedPayloadStatus.Valid, RedPayload.TryParse(payload, out RedPayload red));
        Assert.Equal(1, red.RedundantBlockCount);
        Assert.Equal(5, red.HeaderLength);
        RedBlock lpc = red.GetBlock(0);
        Assert.False(lpc.IsPrimary);
        Assert.Equal(7, lpc.PayloadType);
        Assert.Equal(160, lpc.TimestampOffset);
        Assert.Equal(14, lpc.Data.Length);
        Assert.All(lpc.Data.ToArray(), b => Assert.Equal(0x11, b));
        Assert.Equal(1000u - 160u, lpc.GetTimestamp(1000));
        RedBlock dvi = red.Primary;
        Assert.True(dvi.IsPrimary);
        Assert.Equal(5, dvi.PayloadType);
        Assert.Equal(0, dvi.TimestampOffset);
        Assert.Equal(84, dvi.Data.Length);
        Assert.All(dvi.Data.ToArray(), b => Assert.Equal(0x22, b));
    }

    [Fact]
    public void EncoderWritesTheRfcExampleLayoutBitForBit()
    {
        var encoder = new RedEncoder(distance: 1);
        var lpc = new byte[14];
        lpc.AsSpan().Fill(0x11);
        var dvi = new byte[84];
        dvi.AsSpan().Fill(0x22);
        var output = new byte[200];

        // The first packet has nothing to repeat: the final header alone, then the primary.
        Assert.Equal(1 + 14, encoder.Encode(7, 840, lpc, output));
        Assert.Equal(7, output[0]);

        // Same encoder, the example's PT 7 block repeated under a PT 5 primary 160 units later.
        int n = encoder.Encode(5, 1000, dvi, output);
        Assert.Equal(4 + 1 + 14 + 84, n);
        Assert.Equal(new byte[] { 0x80 | 7, 160 >> 6, (160 & 0x3F) << 2, 14, 5 }, output[..5]);
        Assert.Equal(lpc, output[5..19]);
        Assert.Equal(dvi, output[19..103]);
    }

    [Fact]
    public void FieldLimitsAre14BitOffsetsAnd10BitLengths()
    {
        var encoder = new RedEncoder(distance: 1);
        var output = new byte[3000];

        // Offset 16383 (the largest) is carried; the length field's 1023 too.
        encoder.Encode(111, 0, new byte[1023], output);
        int n = encoder.Encode(111, 16383, new byte[10], output);
        Assert.Equal(RedPayloadStatus.Valid, RedPayload.TryParse(output.AsSpan(0, n), out RedPayload red));
        Assert.Equal(16383, red.GetBlock(0).TimestampOffset);
        Assert.Equal(1023, red.GetBlock(0).Data.Length);

        // Offset 16384 cannot be written: the block is left out, not wrapped.
        encoder.Reset();
        encoder.Encode(111, 0, new byte[10], output);
        n = encoder.Encode(111, 16384, new byte[10], output);
        Assert.Equal(11, n);
        Assert.Equal(1, encoder.OmittedBlocks);

        // A 1024-byte primary can be a primary but never a redundant block.
        encoder.Reset();
        encoder.Encode(111, 0, new byte[1024], output);
        n = encoder.Encode(111, 960, new byte[10], output);
        Assert.Equal(11, n);
        Assert.Equal(2, encoder.OmittedBlocks);
    }

    [Fact]
    public void DistanceTwoCarriesTheTwoPreviousPrimariesOldestFirstAndDropsOldestToFit()
    {
        var encoder = new RedEncoder(distance: 2);
        var output = new byte[1500];
        encoder.Encode(111, 0, [1, 1, 1], output);
        encoder.Encode(111, 960, [2, 2], output);
        int n = encoder.Encode(111, 1920, [3], output);
        Assert.Equal(RedPayloadStatus.Valid, RedPayload.TryParse(output.AsSpan(0, n), out RedPayload red));
        Assert.Equal(2, red.RedundantBlockCount);
        Assert.Equal(1920, red.GetBlock(0).TimestampOffset);
        Assert.Equal(new byte[] { 1, 1, 1 }, red.GetBlock(0).Data.ToArray());
        Assert.Equal(960, red.GetBlock(1).TimestampOffset);
        Assert.Equal(new byte[] { 2, 2 }, red.GetBlock(1).Data.ToArray());
        Assert.Equal(new byte[] { 3 }, red.Primary.Data.ToArray());

        // Room for the primary and one block only: the newer previous primary stays.
        n = encoder.Encode(111, 2880, [4], output.AsSpan(0, 1 + 1 + 4 + 1));
        Assert.Equal(RedPayloadStatus.Valid, RedPayload.TryParse(output.AsSpan(0, n), out red));
        Assert.Equal(1, red.RedundantBlockCount);
        Assert.Equal(960, red.GetBlock(0).TimestampOffset);
        Assert.Equal(new byte[] { 3 }, red.GetBlock(0).Data.ToArray());
        Assert.Equal(-1, encoder.Encode(111, 3840, [5, 5], output.AsSpan(0, 2)));
    }

    [Theory]
    [InlineData(new byte[0], RedPayloadStatus.Empty)]
    [InlineData(new byte[] { 0x80 }, RedPayloadStatus.TruncatedHeader)]
    [InlineData(new byte[] { 0x80, 0, 0, 0 }, RedPayloadStatus.TruncatedHeader)] // no final header
    [InlineData(new byte[] { 0x80 | 111, 0, 0x0C, 5, 111, 1, 2, 3, 4 }, RedPayloadStatus.BlockLengthExceedsPayload)]
    [InlineData(new byte[] { 111 }, RedPayloadStatus.Valid)] // an empty primary
    public void HostilePayloadsGetAStatus(byte[] payload, RedPayloadStatus expected)
        => Assert.Equal(expected, RedPayload.TryParse(payload, out _));

    [Fact]
    public void TooManyBlocksIsRefused()
    {
        var payload = new byte[(4 * 33) + 1];
        for (int i = 0; i < 33; i++)
        {
            payload[4 * i] = 0x80;
        }

        Assert.Equal(RedPayloadStatus.TooManyBlocks, RedPayload.TryParse(payload, out _));
        Assert.Equal(RedPayloadStatus.Valid, RedPayload.TryParse(payload.AsSpan(4), out RedPayload red));
        Assert.Equal(32, red.RedundantBlockCount);
    }

    [Fact]
    public void FmtpParsesChromiumsOpusRedundancy()
    {
        Assert.True(RedFmtp.TryParse("111/111", out byte[] pts));
        Assert.Equal(new byte[] { 111, 111 }, pts);
        Assert.True(RedFmtp.TryParse("0/5", out pts)); // RFC 2198 §5's example
        Assert.Equal(new byte[] { 0, 5 }, pts);
        Assert.Equal("111/111", RedFmtp.Format(111));
        Assert.False(RedFmtp.TryParse("111/128", out _));
        Assert.False(RedFmtp.TryParse("111//111", out _));
        Assert.False(RedFmtp.TryParse("", out _));
        Assert.False(RedFmtp.TryParse("-1/111", out _));
    }
}
