using Xunit;

namespace RtcStack.Video.Tests.Vp8;

public sealed class Vp8PacketizerTests
{
    [Fact]
    public void SmallFrameIsOnePayloadWithStartMarkerAndFifteenBitPictureId()
    {
        var packetizer = new Vp8Packetizer(initialPictureId: 0x1234);
        byte[] frame = VideoTestData.Vp8Frame(new Random(1), 100, keyFrame: true);
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, keyFrame: true));
        var payloads = VideoTestData.Drain(packetizer);
        (byte[] payload, bool marker, bool start) = Assert.Single(payloads);
        Assert.True(marker);
        Assert.True(start);

        // RFC 7741 §4.2: X=1, S=1, PID=0; I=1; M=1 PictureID 0x1234; then the frame.
        Assert.Equal(new byte[] { 0x90, 0x80, 0x92, 0x34 }, payload[..4]);
        Assert.Equal(frame, payload[4..]);
        Assert.Equal(0x1235, packetizer.NextPictureId);
    }

    [Fact]
    public void LargeFrameIsCutIntoNearEqualPayloadsWithinMaxPayloadSize()
    {
        var packetizer = new Vp8Packetizer { MaxPayloadSize = 1200 };
        byte[] frame = VideoTestData.Vp8Frame(new Random(2), 5000, keyFrame: false);
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, false));
        var payloads = VideoTestData.Drain(packetizer);
        Assert.Equal(5, payloads.Count); // 5000 / 1196 rounds up to 5
        Assert.All(payloads, p => Assert.InRange(p.Payload.Length, 1000 + 4, 1200));
        Assert.Equal([true, false, false, false, false], payloads.Select(p => p.Start));
        Assert.Equal([false, false, false, false, true], payloads.Select(p => p.Marker));

        // S only on the first payload (RFC 7741 §4.2); PID stays 0; every payload carries the same PictureID.
        Assert.Equal(0x90, payloads[0].Payload[0]);
        Assert.All(payloads.Skip(1), p => Assert.Equal(0x80, p.Payload[0]));
        Assert.All(payloads, p => Assert.Equal(new byte[] { 0x80, 0x80, 0x00 }, p.Payload[1..4]));
        Assert.Equal(frame, payloads.SelectMany(p => p.Payload[4..]).ToArray());
    }

    [Fact]
    public void PictureIdWrapsAtFifteenBits()
    {
        var packetizer = new Vp8Packetizer(initialPictureId: 0x7FFF);
        byte[] frame = [1, 2, 3];
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, false));
        Assert.Equal(new byte[] { 0x90, 0x80, 0xFF, 0xFF, 1, 2, 3 }, VideoTestData.Drain(packetizer)[0].Payload);
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, false));
        Assert.Equal(new byte[] { 0x90, 0x80, 0x80, 0x00, 1, 2, 3 }, VideoTestData.Drain(packetizer)[0].Payload);
    }

    [Fact]
    public void LayerFieldsAreWrittenWhenGiven()
    {
        var packetizer = new Vp8Packetizer(5);
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(new byte[] { 9 }, new Vp8LayerInfo(TemporalLayer: 2, LayerSync: true, Tl0PicIndex: 200, KeyIndex: 3, NonReference: true)));
        byte[] payload = VideoTestData.Drain(packetizer)[0].Payload;
        Assert.Equal(new byte[] { 0xB0, 0xF0, 0x80, 0x05, 200, 0b1010_0011, 9 }, payload);
    }

    [Fact]
    public void WithoutPictureIdTheDescriptorIsOneOctet()
    {
        var packetizer = new Vp8Packetizer { IncludePictureId = false, MaxPayloadSize = 20 };
        byte[] frame = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, false));
        var payloads = VideoTestData.Drain(packetizer);
        Assert.Equal(3, payloads.Count);
        Assert.Equal([0x10, 0x00, 0x00], payloads.Select(p => (int)p.Payload[0]));
        Assert.Equal(frame, payloads.SelectMany(p => p.Payload[1..]).ToArray());
    }

    [Fact]
    public void RefusalsReturnAStatusAndQueueNothing()
    {
        var packetizer = new Vp8Packetizer { MaxPayloadSize = 4 };
        Assert.Equal(VideoPacketizeStatus.Empty, packetizer.Push(ReadOnlyMemory<byte>.Empty, false));
        Assert.Equal(VideoPacketizeStatus.TooLarge, packetizer.Push(new byte[] { 1 }, false)); // 4-byte descriptor leaves no room
        Assert.Equal(VideoPacketizeStatus.Malformed, packetizer.Push(new byte[] { 1 }, new Vp8LayerInfo(TemporalLayer: 4)));
        Assert.False(packetizer.HasPending);
        packetizer.MaxPayloadSize = 100;
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(new byte[] { 1 }, false));
        Assert.Equal(VideoPacketizeStatus.Busy, packetizer.Push(new byte[] { 2 }, false));
        Assert.False(packetizer.TryPoll(new byte[99], out _)); // shorter than MaxPayloadSize
        Assert.True(packetizer.TryPoll(new byte[100], out _));
        Assert.False(packetizer.TryPoll(new byte[100], out _));
    }
}
