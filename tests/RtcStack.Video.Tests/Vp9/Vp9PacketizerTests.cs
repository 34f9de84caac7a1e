using RtcStack.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static RtcStack.Video.Tests.PacketizerHarness;

namespace RtcStack.Video.Tests.Vp9;

public class Vp9PacketizerTests
{
    [Fact]
    public void WritesNonFlexibleDescriptorsWithTheScalabilityStructureOnKeyFrames()
    {
        var packetizer = new Vp9Packetizer { PictureId = 0x1234, Width = 640, Height = 360 };
        var key = Packetize(packetizer, [1, 2, 3], keyFrame: true);
        // I L B E V; PID 0x1234 (M=1); TID 0; TL0PICIDX 0; SS: N_S=0 Y G, 640x360, N_G=1 (TID 0 R=1 P_DIFF 1); data.
        Assert.Equal(Hex("AE 9234 00 00 18 0280 0168 01 04 01 010203"), Assert.Single(key).Payload);

        var inter = Packetize(packetizer, [4], keyFrame: false);
        // I P L B E; next PID; TL0PICIDX advanced with the second base-layer frame.
        Assert.Equal(Hex("EC 9235 00 01 04"), Assert.Single(inter).Payload);
    }

    [Fact]
    public void WritesFlexibleDescriptorsWithReferenceIndices()
    {
        var packetizer = new Vp9Packetizer { FlexibleMode = true, PictureId = 0x7FFF };
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(new byte[] { 9 }, false, 1, true, [1, 3]));
        var buffer = new byte[1200];
        Assert.True(packetizer.TryPoll(buffer, out VideoRtpPayload payload));
        // I P L F B E; PID 0x7FFF; TID 1 U; P_DIFF 1 N=1, P_DIFF 3 N=0; data.
        Assert.Equal(Hex("FC FFFF 30 03 06 09"), buffer[..payload.Length]);
        Assert.Equal(0, packetizer.PictureId); // wrapped
    }

    [Fact]
    public void SplitsAFrameWithBOnTheFirstAndEOnTheLastPayload()
    {
        var packetizer = new Vp9Packetizer { MaxPayloadSize = 100 };
        byte[] frame = Enumerable.Range(0, 500).Select(i => (byte)i).ToArray();
        var payloads = Packetize(packetizer, frame, keyFrame: false);
        Assert.Equal(6, payloads.Count); // 95 data bytes per payload after the 5-byte descriptor
        Assert.All(payloads, p => Assert.True(Vp9PayloadDescriptor.TryParse(p.Payload, out _)));
        Assert.Equal(0x08, payloads[0].Payload[0] & 0x0C);
        Assert.Equal(0x00, payloads[2].Payload[0] & 0x0C);
        Assert.Equal(0x04, payloads[^1].Payload[0] & 0x0C);
        Assert.Equal(frame, Depacketize(new Vp9Depacketizer(), payloads.Select(p => p.Payload), 1000));
    }

    [Fact]
    public void RefusesPayloadsThatDoNotContinueTheFrame()
    {
        var depacketizer = new Vp9Depacketizer();
        var output = new byte[100];
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("80 05 AA"), output)); // B=0 with no frame started
        Assert.Equal(1, depacketizer.WriteFrameData(Hex("88 05 AA"), output));
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("80 06 AA"), output)); // another picture ID
        Assert.Equal(1, depacketizer.WriteFrameData(Hex("88 06 AA"), output));
        Assert.Equal(-2, depacketizer.WriteFrameData(Hex("84 06 AABB"), output.AsSpan(0, 1)));
        Assert.Equal(2, depacketizer.WriteFrameData(Hex("84 06 AABB"), output));
        Assert.Equal(-1, depacketizer.WriteFrameData(Hex("80 06 AA"), output)); // E=1 ended the frame
    }

    [Fact]
    public void RefusesBadPushes()
    {
        var packetizer = new Vp9Packetizer { MaxPayloadSize = 5 };
        Assert.Equal(VideoPacketizeStatus.Empty, packetizer.Push(Array.Empty<byte>(), false));
        Assert.Equal(VideoPacketizeStatus.TooLarge, packetizer.Push(new byte[] { 1 }, false)); // a 5-byte descriptor leaves nothing
        Assert.Throws<ArgumentOutOfRangeException>(() => packetizer.Push(new byte[] { 1 }, true, 1, false, default)); // TID must be 0 when P=0
        Assert.Throws<ArgumentOutOfRangeException>(() => packetizer.Push(new byte[] { 1 }, false, 0, false, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => packetizer.Push(new byte[] { 1 }, false, 0, false, [1, 2, 3, 4]));
        packetizer.MaxPayloadSize = 100;
        Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(new byte[300], false));
        Assert.Equal(VideoPacketizeStatus.Busy, packetizer.Push(new byte[1], false));
    }

    public sealed record Case(int Seed, int Size, int MaxPayloadSize, bool Flexible, bool KeyFrame, int TemporalId, int References, int Width);

    private static Arbitrary<Case> Cases() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from size in Gen.Frequency((3, Gen.Choose(1, 3000)), (2, Gen.Choose(1, 300_000)))
         from max in Gen.Choose(20, 1500)
         from flexible in Gen.Elements(false, true)
         from key in Gen.Elements(false, true)
         from tid in Gen.Choose(0, 7)
         from refs in Gen.Choose(0, 3)
         from width in Gen.Elements(0, 1280)
         select new Case(seed, size, max, flexible, key, key ? 0 : tid, refs, width)).ToArbitrary();

    [Property(MaxTest = 200)]
    public Property EveryFrameSurvivesPacketization() =>
        Prop.ForAll(Cases(), c =>
        {
            var rng = new Random(c.Seed);
            var frame = new byte[c.Size];
            rng.NextBytes(frame);
            byte[] references = Enumerable.Range(0, c.References).Select(_ => (byte)rng.Next(1, 128)).ToArray();
            int pictureId = rng.Next(0x8000);
            var packetizer = new Vp9Packetizer { MaxPayloadSize = c.MaxPayloadSize, FlexibleMode = c.Flexible, PictureId = pictureId, Width = c.Width, Height = c.Width / 2 };
            Assert.Equal(VideoPacketizeStatus.Ok, packetizer.Push(frame, c.KeyFrame, c.TemporalId, false, references));
            var payloads = new List<byte[]>();
            var buffer = new byte[c.MaxPayloadSize];
            while (packetizer.TryPoll(buffer, out VideoRtpPayload info))
            {
                Assert.InRange(info.Length, 1, c.MaxPayloadSize);
                payloads.Add(buffer[..info.Length]);
                Assert.Equal(!packetizer.HasPending, info.Marker);
            }

            var depacketizer = new Vp9Depacketizer();
            for (int i = 0; i < payloads.Count; i++)
            {
                Assert.True(depacketizer.TryReadHeader(payloads[i], out VideoPayloadHeader h));
                Assert.Equal(i == 0, h.FrameStart);
                Assert.Equal(i == payloads.Count - 1, h.FrameEnd);
                Assert.Equal(c.KeyFrame && i == 0, h.KeyFrame);
                Assert.Equal(pictureId, h.PictureId);
                Assert.Equal(c.TemporalId, h.TemporalLayer);
                Assert.Equal(0, h.SpatialLayer);
                Assert.Equal(c.Flexible ? -1 : 0, h.Tl0PicIndex);
                Assert.True(Vp9PayloadDescriptor.TryParse(payloads[i], out Vp9PayloadDescriptor d));
                Assert.Equal(c.KeyFrame && i == 0, d.HasScalabilityStructure);
                Assert.Equal(c.Flexible && !c.KeyFrame ? Math.Max(1, c.References) : 0, d.ReferenceCount);
            }

            Assert.Equal(frame, Depacketize(depacketizer, payloads, c.Size));
        });

    [Fact]
    public void TheSteadyPathAllocatesNothing()
    {
        var packetizer = new Vp9Packetizer { MaxPayloadSize = 1100, FlexibleMode = true };
        var depacketizer = new Vp9Depacketizer();
        byte[] frame = new byte[9000];
        var packet = new byte[1100];
        var output = new byte[9000];
        RunOnce(packetizer, depacketizer, frame, packet, output);
        int total = 0;
        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 50, 5, _ => total += RunOnce(packetizer, depacketizer, frame, packet, output)));
        Assert.Equal(50 * frame.Length, total);
    }

    private static int RunOnce(Vp9Packetizer packetizer, Vp9Depacketizer depacketizer, byte[] frame, byte[] packet, byte[] output)
    {
        packetizer.Push(frame, false, 0, false, [1, 2]);
        int length = 0;
        while (packetizer.TryPoll(packet, out VideoRtpPayload payload))
        {
            depacketizer.TryReadHeader(packet.AsSpan(0, payload.Length), out _);
            length += depacketizer.WriteFrameData(packet.AsSpan(0, payload.Length), output.AsSpan(length));
        }

        return length;
    }
}
