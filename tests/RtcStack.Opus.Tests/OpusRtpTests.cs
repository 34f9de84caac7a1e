using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OpusRtpTests
{
    private static byte[] Silk20(params byte[] frame) => [0x48, .. frame]; // SILK WB 20 ms mono, code 0

    [Fact]
    public void TimestampsAdvanceAt48kHzWhateverTheBandwidth()
    {
        var packetizer = new OpusRtpPacketizer(initialTimestamp: 1000, ptime: 10);
        var buffer = new byte[1500];
        uint expected = 1000;

        // NB SILK 20 ms, CELT FB 2.5 ms x 4 (code 3), SILK 60 ms: 960, 480, 2880 samples.
        byte[][] packets = [[0x08, 0x80, 1], [0xE3, 0x04, 1, 2, 3, 4], [0x18, 0x80, 5]];
        int[] durations = [960, 480, 2880];
        for (int i = 0; i < packets.Length; i++)
        {
            Assert.Equal(OpusPacketStatus.Valid, packetizer.Push(packets[i]));
            Assert.True(packetizer.TryPoll(buffer, out OpusRtpPayload payload));
            Assert.Equal(expected, payload.Timestamp);
            Assert.Equal(durations[i], payload.SampleCount);
            Assert.Equal(i == 0, payload.Marker);
            Assert.Equal(packets[i], buffer[..payload.Length]);
            Assert.False(packetizer.TryPoll(buffer, out _));
            expected += (uint)durations[i];
        }

        Assert.Equal(expected, packetizer.NextTimestamp);
    }

    [Fact]
    public void FramesAreMergedUpToPtime()
    {
        var packetizer = new OpusRtpPacketizer(uint.MaxValue - 100, ptime: 60);
        var buffer = new byte[1500];
        for (int i = 0; i < 2; i++)
        {
            packetizer.Push(Silk20(0x80, (byte)i));
            Assert.False(packetizer.TryPoll(buffer, out _));
        }

        packetizer.Push(Silk20(0x80, 2));
        Assert.True(packetizer.TryPoll(buffer, out OpusRtpPayload payload));
        Assert.Equal(uint.MaxValue - 100, payload.Timestamp);
        Assert.Equal(2880, payload.SampleCount);
        Assert.True(OpusPacket.TryParse(buffer.AsSpan(0, payload.Length), out OpusPacket merged));
        Assert.Equal(3, merged.FrameCount);
        Assert.Equal(2, merged.GetFrame(2)[1]);

        // A configuration change flushes what is held; the wrapped timestamp keeps counting.
        packetizer.Push(Silk20(0x80, 3));
        packetizer.Push([0xF8, 0x11]); // CELT FB 20 ms
        Assert.True(packetizer.TryPoll(buffer, out payload));
        Assert.Equal(unchecked(uint.MaxValue - 100 + 2880), payload.Timestamp);
        Assert.Equal(960, payload.SampleCount);
        Assert.False(packetizer.TryPoll(buffer, out _));
        packetizer.Flush();
        Assert.True(packetizer.TryPoll(buffer, out payload));
        Assert.Equal(unchecked(uint.MaxValue - 100 + 3840), payload.Timestamp);
        Assert.Equal([0xF8, 0x11], buffer[..payload.Length]);
    }

    [Fact]
    public void DtxPacketsAfterTheFirstAreHeldBackAndSpeechIsMarked()
    {
        var packetizer = new OpusRtpPacketizer(0);
        var buffer = new byte[1500];
        var sent = new List<OpusRtpPayload>();
        byte[][] input = [Silk20(0x80, 1), Silk20(0x80, 2), [0x48], [0x48], [0x48], [0x48], Silk20(0x80, 3)];
        foreach (byte[] packet in input)
        {
            packetizer.Push(packet);
            while (packetizer.TryPoll(buffer, out OpusRtpPayload payload))
            {
                sent.Add(payload);
            }
        }

        Assert.Equal([0u, 960u, 1920u, 5760u], sent.Select(p => p.Timestamp));
        Assert.Equal([true, false, false, true], sent.Select(p => p.Marker));
        Assert.Equal(3, packetizer.SuppressedDtxPackets);
        Assert.Equal(OpusPacketStatus.Empty, packetizer.Push([]));
        Assert.Equal(OpusPacketStatus.Code1OddLength, packetizer.Push([0x49, 1]));
    }

    [Fact]
    public void DepacketizerSeesLossDtxDuplicatesAndReordering()
    {
        var d = new OpusRtpDepacketizer();
        OpusRtpReceivedPacket r = d.Receive(Silk20(0x80), 65534, 1000);
        Assert.Equal(OpusRtpReceiveStatus.Accepted, r.Status);
        Assert.Equal(960, r.Info.SampleCount);

        r = d.Receive(Silk20(0x80), 65535, 1960);
        Assert.Equal((0L, 0L, false), (r.LostPackets, r.MissingSamples, r.IsDtxGap));

        // Sequence wraps; one packet (0) lost.
        r = d.Receive(Silk20(0xC0), 1, 3880);
        Assert.Equal(OpusRtpReceiveStatus.Accepted, r.Status);
        Assert.Equal(65537, r.ExtendedSequenceNumber);
        Assert.Equal((1L, 960L, false), (r.LostPackets, r.MissingSamples, r.IsDtxGap));
        Assert.True(r.CanRecoverWithFec); // mono SILK with VAD and LBRR flags set (0xC0)

        // DTX: next sequence number, timestamps jump 1 s.
        r = d.Receive(Silk20(0x80), 2, 3880 + 960 + 48000);
        Assert.Equal((0L, 48000L, true), (r.LostPackets, r.MissingSamples, r.IsDtxGap));
        Assert.False(r.CanRecoverWithFec);

        Assert.Equal(OpusRtpReceiveStatus.Duplicate, d.Receive(Silk20(0x80), 2, 52840).Status);
        Assert.Equal(OpusRtpReceiveStatus.Late, d.Receive(Silk20(0x80), 0, 2920).Status);
        Assert.Equal(OpusRtpReceiveStatus.Duplicate, d.Receive(Silk20(0x80), 0, 2920).Status);
        Assert.Equal(OpusRtpReceiveStatus.Malformed, d.Receive([0x49, 1], 3, 53800).Status);
        Assert.Equal(OpusRtpReceiveStatus.Malformed, d.Receive([], 3, 53800).Status);
        Assert.Equal((4L, 1L, 2L, 1L), (d.Accepted, d.Late, d.Duplicates, d.Malformed / 2));
    }

    [Fact]
    public void EncoderThroughRtpToDecoderWithLossAndFec()
    {
        const int frame = 960;
        using var encoder = new OpusEncoder(48000, 1, OpusApplication.Voip);
        OpusFmtp.Parse("minptime=10;useinbandfec=1").ConfigureEncoder(encoder, bitrate: 32000);
        encoder.PacketLossPercentage = 10;
        using var decoder = new OpusDecoder(48000, 1);
        var packetizer = new OpusRtpPacketizer(123456, ptime: 20);
        var depacketizer = new OpusRtpDepacketizer();
        var pcm = new short[frame];
        var encoded = new byte[1500];
        var payload = new byte[1500];
        var output = new short[5760];
        ushort seq = 40000;
        long decodedSamples = 0, recovered = 0;
        for (int k = 0; k < 100; k++)
        {
            Signals.FillSpeechLike(pcm, 1, 48000, (long)k * frame, silent: false);
            int n = encoder.Encode(pcm, encoded);
            packetizer.Push(encoded.AsSpan(0, n));
            while (packetizer.TryPoll(payload, out OpusRtpPayload rtp))
            {
                ushort thisSeq = seq++;
                if (k % 7 == 3)
                {
                    continue; // lost in the network
                }

                OpusRtpReceivedPacket received = depacketizer.Receive(payload.AsSpan(0, rtp.Length), thisSeq, rtp.Timestamp);
                Assert.Equal(OpusRtpReceiveStatus.Accepted, received.Status);
                if (received.MissingSamples > 0)
                {
                    Span<short> gap = output.AsSpan(0, (int)received.MissingSamples);
                    int got = received.CanRecoverWithFec ? decoder.DecodeFec(payload.AsSpan(0, rtp.Length), gap) : decoder.DecodeLost(gap);
                    Assert.Equal(gap.Length, got);
                    decodedSamples += got;
                    recovered += received.CanRecoverWithFec ? 1 : 0;
                }

                decodedSamples += decoder.Decode(payload.AsSpan(0, rtp.Length), output);
            }
        }

        // Every 20 ms slot was produced once. The encoder codes LBRR only for frames its VAD found
        // active, so losses in syllable valleys (and the first one) fall back to concealment.
        Assert.Equal(100 * frame, decodedSamples);
        Assert.True(recovered >= 10, $"{recovered} of 14 losses recovered with FEC");
    }
}
