using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OpusPacketInspectorTests
{
    [Fact]
    public void UniformHeaderBitsAreTheMostSignificantBitsOfTheFirstByte()
    {
        // RFC 6716 §4.2.3: the header bits "can be extracted directly from the most significant bits
        // of the first byte", which the range decoder of §4.1 must reproduce.
        var random = new Random(42);
        var frame = new byte[8];
        for (int n = 0; n < 2000; n++)
        {
            random.NextBytes(frame);
            var decoder = new OpusRangeDecoder(frame);
            for (int bit = 7; bit >= 0; bit--)
            {
                Assert.Equal(((frame[0] >> bit) & 1) == 1, decoder.DecodeBit(1));
            }
        }
    }

    [Fact]
    public void SilkHeaderFlagsAreRead()
    {
        // Mono 20 ms SILK WB: VAD=1, LBRR=1 -> first byte 11xxxxxx.
        OpusToc mono20 = OpusToc.Create(9, false, 0);
        OpusFrameInfo info = OpusPacketInspector.InspectFrame(mono20, [0xC0, 0x55, 0x12]);
        Assert.Equal(1, info.SilkFrameCount);
        Assert.Equal(1, info.MidVadFlags);
        Assert.Equal(1, info.MidLbrrFlags);
        Assert.True(info.HasLbrr);
        Assert.Equal(OpusActivity.Active, info.Activity);

        // Stereo 20 ms: mid VAD 0, mid LBRR 0, side VAD 1, side LBRR 1 -> 0011xxxx.
        OpusToc stereo20 = OpusToc.Create(9, true, 0);
        info = OpusPacketInspector.InspectFrame(stereo20, [0x30, 0x00]);
        Assert.Equal(2, info.SilkChannels);
        Assert.Equal(0, info.MidVadFlags);
        Assert.Equal(1, info.SideVadFlags);
        Assert.Equal(0, info.MidLbrrFlags);
        Assert.Equal(1, info.SideLbrrFlags);

        // Mono 60 ms: three VAD flags 101, LBRR flag 0 -> 1010xxxx.
        OpusToc mono60 = OpusToc.Create(11, false, 0);
        info = OpusPacketInspector.InspectFrame(mono60, [0xA0, 0x00]);
        Assert.Equal(3, info.SilkFrameCount);
        Assert.Equal(0b101, info.MidVadFlags);
        Assert.False(info.HasLbrr);

        // All VAD flags clear: inactive.
        info = OpusPacketInspector.InspectFrame(mono60, [0x00, 0x00]);
        Assert.Equal(OpusActivity.Inactive, info.Activity);
    }

    [Fact]
    public void PerFrameLbrrFlagsUseTheTable4Pdfs()
    {
        // 40 ms mono: VAD bits, LBRR flag set, then a symbol from {0, 53, 53, 150}/256. Whatever the
        // following bytes, the mask is 1..3 (value 0 has probability 0) and covers only 2 frames.
        var random = new Random(1);
        var seen = new HashSet<int>();
        OpusToc mono40 = OpusToc.Create(10, false, 0);
        var frame = new byte[6];
        for (int n = 0; n < 3000; n++)
        {
            random.NextBytes(frame);
            frame[0] |= 0x20; // third header bit = LBRR flag
            OpusFrameInfo info = OpusPacketInspector.InspectFrame(mono40, frame);
            Assert.InRange(info.MidLbrrFlags, 1, 3);
            seen.Add(info.MidLbrrFlags);
        }

        Assert.Equal(3, seen.Count);

        OpusToc mono60 = OpusToc.Create(11, false, 0);
        seen.Clear();
        for (int n = 0; n < 3000; n++)
        {
            random.NextBytes(frame);
            frame[0] |= 0x10;
            OpusFrameInfo info = OpusPacketInspector.InspectFrame(mono60, frame);
            Assert.InRange(info.MidLbrrFlags, 1, 7);
            seen.Add(info.MidLbrrFlags);
        }

        Assert.Equal(7, seen.Count);
    }

    [Fact]
    public void EmptyFramesAreDtx()
    {
        Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect([0x78], out OpusPacketInfo info));
        Assert.True(info.IsDtx);
        Assert.Equal(OpusActivity.Inactive, info.Activity);
        Assert.False(info.HasLbrr);

        // Code 3 CBR with three empty frames (what a recorder writes for a DTX gap, RFC 7845 §4).
        Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect([0x7B, 0x03], out info));
        Assert.True(info.IsDtx);
        Assert.Equal(2880, info.SampleCount);

        Assert.Equal(OpusPacketStatus.Code1OddLength, OpusPacketInspector.Inspect([0x79, 1], out _));
    }

    [Fact]
    public void EncoderWithFecSendsLbrrAndWithoutDoesNot()
    {
        foreach (int frameMs in new[] { 10, 20, 40, 60 })
        {
            (int withFec, int total) = CountLbrr(fec: true, frameMs);
            (int withoutFec, _) = CountLbrr(fec: false, frameMs);
            Assert.Equal(0, withoutFec);

            // Speech at 20 % expected loss: LBRR in nearly every packet after the first.
            Assert.True(withFec >= total * 8 / 10, $"{frameMs} ms: LBRR in {withFec} of {total} packets");
        }
    }

    [Fact]
    public void VoiceActivityFollowsTheSignal()
    {
        using var encoder = new OpusEncoder(16000, 1, OpusApplication.Voip);
        encoder.Bitrate = 16000;
        var pcm = new short[320];
        var packet = new byte[1500];
        int activeSpeech = 0, inactiveSilence = 0;
        for (int k = 0; k < 100; k++)
        {
            bool silent = k >= 50;
            Signals.FillSpeechLike(pcm, 1, 16000, k * 320, silent);
            int n = encoder.Encode(pcm, packet);
            Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect(packet.AsSpan(0, n), out OpusPacketInfo info));
            Assert.Equal(OpusMode.Silk, info.Toc.Mode);
            if (!silent && info.Activity == OpusActivity.Active)
            {
                activeSpeech++;
            }

            if (silent && k > 60 && info.Activity == OpusActivity.Inactive)
            {
                inactiveSilence++;
            }
        }

        // SILK's VAD is the encoder's own SNR judgment: syllable valleys (every 250 ms) read as
        // inactive, so not every speech frame is flagged; digital silence never is.
        Assert.True(activeSpeech >= 35, $"speech frames flagged active: {activeSpeech}/50");
        Assert.Equal(39, inactiveSilence);
    }

    [Fact]
    public void DtxPacketsAreDetected()
    {
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
        encoder.Dtx = true;
        var pcm = new short[960];
        var packet = new byte[1500];
        int dtx = 0, dtxReported = 0;
        for (int k = 0; k < 100; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, k * 960, silent: k >= 20);
            int n = encoder.Encode(pcm, packet);
            Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect(packet.AsSpan(0, n), out OpusPacketInfo info));
            Assert.Equal(n == 1, info.IsDtx);
            dtx += info.IsDtx ? 1 : 0;
            bool inDtx = encoder.InDtx;
            dtxReported += inDtx ? 1 : 0;
            Assert.True(!info.IsDtx || inDtx);
            if (k < 20)
            {
                Assert.False(info.IsDtx);
            }
        }

        // libopus enters DTX after ~200 ms of silence and sends a refresh packet every 400 ms.
        // OPUS_GET_IN_DTX also counts the comfort-noise refresh packets, which are not empty.
        Assert.InRange(dtx, 50, 78);
        Assert.InRange(dtxReported - dtx, 0, 8);
    }

    [Fact]
    public void CeltSilenceFlagIsRead()
    {
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.RestrictedLowDelay);
        var pcm = new short[960];
        var packet = new byte[1500];
        for (int k = 0; k < 10; k++)
        {
            // Silence first: after a tone, libopus's float DC-reject filter leaves a decaying tail
            // that is not digital silence, so the encoder would not set the flag for a while.
            bool silent = k < 5;
            if (silent)
            {
                Array.Clear(pcm);
            }
            else
            {
                Signals.FillTone(pcm, 1, 48000, 1000, 0.3, k * 960);
            }

            int n = encoder.Encode(pcm, packet);
            Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect(packet.AsSpan(0, n), out OpusPacketInfo info));
            Assert.Equal(OpusMode.Celt, info.Toc.Mode);
            if (k == 4)
            {
                continue; // the encoder's look-ahead already sees the tone
            }

            Assert.Equal(silent, info.FirstFrame.IsCeltSilence);
            Assert.Equal(silent ? OpusActivity.Inactive : OpusActivity.Active, info.Activity);
        }
    }

    private static (int WithLbrr, int Total) CountLbrr(bool fec, int frameMs)
    {
        using var encoder = new OpusEncoder(16000, 1, OpusApplication.Voip);
        encoder.Bitrate = 24000;
        encoder.InbandFec = fec;
        encoder.PacketLossPercentage = 20;
        int frame = 16 * frameMs;
        var pcm = new short[frame];
        var packet = new byte[1500];
        int withLbrr = 0, total = 0;
        for (long start = 0; start < 16000 * 3; start += frame)
        {
            Signals.FillSpeechLike(pcm, 1, 16000, start, silent: false);
            int n = encoder.Encode(pcm, packet);
            Assert.Equal(OpusPacketStatus.Valid, OpusPacketInspector.Inspect(packet.AsSpan(0, n), out OpusPacketInfo info));
            Assert.NotEqual(OpusMode.Celt, info.Toc.Mode);
            if (start > 0)
            {
                total++;
                withLbrr += info.HasLbrr ? 1 : 0;
                byte mask = info.FirstFrame.MidLbrrFlags;
                Assert.True(mask < (1 << info.FirstFrame.SilkFrameCount));
            }
        }

        return (withLbrr, total);
    }
}
