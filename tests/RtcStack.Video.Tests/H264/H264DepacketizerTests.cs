using Xunit;

namespace RtcStack.Video.Tests.H264;

public sealed class H264DepacketizerTests
{
    private readonly H264Depacketizer _depacketizer = new();
    private readonly byte[] _buffer = new byte[4096];

    // RFC 6184 §5.6: a single NAL unit packet is the NAL unit itself.
    [Fact]
    public void SingleNalUnitGetsAFourByteStartCode()
    {
        byte[] sps = [0x67, 0x42, 0xE0, 0x1F];
        Assert.True(_depacketizer.TryReadHeader(sps, out VideoPayloadHeader h));
        Assert.Equal(new VideoPayloadHeader(true, false, true), h);
        Assert.Equal(8, _depacketizer.WriteFrameData(sps, _buffer));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0x67, 0x42, 0xE0, 0x1F }, _buffer[..8]);
    }

    // RFC 6184 §5.7.1, Figure 7 layout: two NAL units, sizes 2 and 3.
    [Fact]
    public void StapAIsSplitIntoItsUnits()
    {
        byte[] stap = [0x78, 0x00, 0x02, 0x09, 0xF0, 0x00, 0x03, 0x65, 0x88, 0x80];
        Assert.True(_depacketizer.TryReadHeader(stap, out VideoPayloadHeader h));
        Assert.Equal((true, true), (h.FrameStart, h.KeyFrame)); // AUD first; an IDR slice inside
        Assert.Equal(4 + 2 + 4 + 3, _depacketizer.WriteFrameData(stap, _buffer));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, 0x65, 0x88, 0x80 }, _buffer[..13]);
    }

    // RFC 6184 §5.8: the start fragment rebuilds the NAL header from F and NRI of the FU indicator and the FU header's type.
    [Fact]
    public void FuAFragmentsAreJoined()
    {
        Assert.True(_depacketizer.TryReadHeader([0x7C, 0x85, 0x88, 0x01], out VideoPayloadHeader h));
        Assert.Equal((true, true), (h.FrameStart, h.KeyFrame));
        Assert.True(_depacketizer.TryReadHeader([0x7C, 0x05, 0x02], out h));
        Assert.Equal((false, true), (h.FrameStart, h.KeyFrame));

        int n = _depacketizer.WriteFrameData([0x7C, 0x85, 0x88, 0x01], _buffer);
        n += _depacketizer.WriteFrameData([0x7C, 0x05, 0x02], _buffer.AsSpan(n));
        n += _depacketizer.WriteFrameData([0x7C, 0x45, 0x03, 0x04], _buffer.AsSpan(n));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0x65, 0x88, 0x01, 0x02, 0x03, 0x04 }, _buffer[..n]);

        // The NAL unit is finished: a single NAL unit may follow.
        Assert.Equal(6, _depacketizer.WriteFrameData([0x41, 0x9A], _buffer));
    }

    [Fact]
    public void FragmentsThatDoNotContinueAreRefused()
    {
        // A middle or end fragment with no start before it.
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x7C, 0x05, 0x02], _buffer));
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x7C, 0x45, 0x02], _buffer));

        // A fragment of another type than the one in progress.
        Assert.True(_depacketizer.WriteFrameData([0x7C, 0x85, 0x88], _buffer) > 0);
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x7C, 0x41, 0x02], _buffer));

        // A new start, a single NAL unit or a STAP-A while a NAL unit is unfinished.
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x7C, 0x85, 0x88], _buffer));
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x41, 0x9A], _buffer));
        Assert.Equal(-1, _depacketizer.WriteFrameData([0x78, 0x00, 0x01, 0x09], _buffer));

        // Reset forgets the unfinished unit.
        _depacketizer.Reset();
        Assert.Equal(6, _depacketizer.WriteFrameData([0x41, 0x9A], _buffer));
    }

    // ITU-T H.264 §7.4.1.2.3 and §7.3.3: a slice with first_mb_in_slice = 0 (ue(v) "1") can begin an access unit; a later slice cannot.
    [Fact]
    public void FrameStartFollowsFirstMbInSlice()
    {
        Assert.True(_depacketizer.TryReadHeader([0x41, 0x9A], out VideoPayloadHeader h));
        Assert.Equal((true, false), (h.FrameStart, h.KeyFrame));
        Assert.True(_depacketizer.TryReadHeader([0x41, 0x5A], out h));
        Assert.Equal((false, false), (h.FrameStart, h.KeyFrame));
        Assert.True(_depacketizer.TryReadHeader([0x7C, 0x81, 0x5A], out h)); // FU start of a later slice
        Assert.False(h.FrameStart);
        Assert.True(_depacketizer.TryReadHeader([0x0C, 0xFF], out h));       // filler data
        Assert.False(h.FrameStart);
        Assert.True(_depacketizer.TryReadHeader([0x68, 0xCE], out h));       // PPS
        Assert.Equal((true, false), (h.FrameStart, h.KeyFrame));
    }

    // RFC 6184 §5.2: STAP-B (25), MTAP16 (26), MTAP24 (27) and FU-B (29) are interleaved-mode types; 0, 30, 31 are undefined.
    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x00, 0x01 })]
    [InlineData(new byte[] { 0x79, 0x00, 0x00, 0x00, 0x01, 0x09 })]
    [InlineData(new byte[] { 0x7A, 0x00, 0x00, 0x00, 0x01, 0x09 })]
    [InlineData(new byte[] { 0x7B, 0x00, 0x00, 0x00, 0x01, 0x09 })]
    [InlineData(new byte[] { 0x7D, 0x85, 0x00, 0x00, 0x01 })]
    [InlineData(new byte[] { 0x7E, 0x01 })]
    [InlineData(new byte[] { 0x7F, 0x01 })]
    [InlineData(new byte[] { 0x78 })]                               // STAP-A with nothing
    [InlineData(new byte[] { 0x78, 0x00 })]                         // size cut short
    [InlineData(new byte[] { 0x78, 0x00, 0x05, 0x09, 0x10 })]       // size beyond the payload
    [InlineData(new byte[] { 0x78, 0x00, 0x00, 0x00, 0x01, 0x09 })] // empty unit
    [InlineData(new byte[] { 0x78, 0x00, 0x01, 0x09, 0x00 })]       // a stray byte after the last unit
    [InlineData(new byte[] { 0x78, 0x00, 0x01, 0x18 })]             // a STAP-A inside a STAP-A
    [InlineData(new byte[] { 0x78, 0x00, 0x01, 0x00 })]             // type 0 inside
    [InlineData(new byte[] { 0x7C })]                               // FU-A without FU header
    [InlineData(new byte[] { 0x7C, 0xC5, 0x01 })]                   // S and E both set (§5.8 MUST NOT)
    [InlineData(new byte[] { 0x7C, 0x98, 0x01 })]                   // FU-A of a STAP-A
    [InlineData(new byte[] { 0x7C, 0x80, 0x01 })]                   // FU-A of type 0
    public void MalformedAndUnsupportedPayloadsAreRefused(byte[] payload)
    {
        Assert.False(_depacketizer.TryReadHeader(payload, out _));
        Assert.Equal(-1, _depacketizer.WriteFrameData(payload, _buffer));
    }

    [Fact]
    public void ShortDestinationIsReported()
    {
        Assert.Equal(-2, _depacketizer.WriteFrameData([0x41, 0x9A, 0x01], _buffer.AsSpan(0, 6)));
        Assert.Equal(-2, _depacketizer.WriteFrameData([0x78, 0x00, 0x01, 0x09, 0x00, 0x01, 0x09], _buffer.AsSpan(0, 9)));
        Assert.Equal(-2, _depacketizer.WriteFrameData([0x7C, 0x85, 0x01, 0x02], _buffer.AsSpan(0, 6)));
        Assert.Equal(7, _depacketizer.WriteFrameData([0x7C, 0x85, 0x01, 0x02], _buffer.AsSpan(0, 7)));
        Assert.Equal(-2, _depacketizer.WriteFrameData([0x7C, 0x45, 0x03, 0x04], _buffer.AsSpan(0, 1)));
    }
}
