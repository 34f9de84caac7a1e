using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// The fuzz targets' invariants (vp8-payload, h264-payload) on a fixed-seed stream of random and mutated payloads with
/// random sequence steps, timestamps and marker bits, through the depacketizer alone and the assembler (window 64):
/// nothing throws, a refused header is a refused write, every event is consistent with the window. The same holds in
/// hold mode (later frames wait for earlier ones), with random give-ups and padding packets, where frames also come out
/// in sequence order.
/// </summary>
public sealed class HostileAssemblerInputTests
{
    [Theory]
    [InlineData("vp8", false)]
    [InlineData("h264", false)]
    [InlineData("vp8", true)]
    [InlineData("h264", true)]
    public void RandomAndMutatedPacketStreamsKeepEveryPromise(string codec, bool hold)
    {
        var random = new Random(codec.Length * 7919);
        byte[][] valid;
        IVideoDepacketizer depacketizer;
        VideoFrameAssembler assembler;
        if (codec == "vp8")
        {
            var packetizer = new Vp8Packetizer { MaxPayloadSize = 120 };
            valid = RtpFeed.Packetize(packetizer, [VideoTestData.Vp8Frame(random, 900, true), VideoTestData.Vp8Frame(random, 300, false)], 0, 0).Select(p => p.Payload).ToArray();
            depacketizer = new Vp8Depacketizer();
            assembler = new VideoFrameAssembler(new Vp8Depacketizer(), 64, 300, holdLaterFrames: hold);
        }
        else
        {
            var packetizer = new H264Packetizer { MaxPayloadSize = 120 };
            byte[] au = VideoTestData.AnnexB4([[0x67, 0x42, 0xE0, 0x1F], [0x68, 0xCE], VideoTestData.Nal(random, 5, 700), VideoTestData.Nal(random, 1, 60, firstSlice: false)]);
            valid = RtpFeed.Packetize(packetizer, [au], 0, 0).Select(p => p.Payload).ToArray();
            depacketizer = new H264Depacketizer();
            assembler = new VideoFrameAssembler(new H264Depacketizer(), 64, 300, holdLaterFrames: hold);
        }

        byte[] output = new byte[4096];
        ushort seq = 1;
        uint ts = 0;
        int completed = 0;
        int? previousLast = null;
        for (int i = 0; i < 30000; i++)
        {
            byte[] payload;
            if (random.Next(3) == 0)
            {
                payload = new byte[random.Next(0, 40)];
                random.NextBytes(payload);
            }
            else
            {
                payload = (byte[])valid[random.Next(valid.Length)].Clone();
                if (random.Next(2) == 0)
                {
                    for (int m = random.Next(1, 4); m > 0 && payload.Length > 0; m--)
                    {
                        payload[random.Next(Math.Min(payload.Length, 8))] ^= (byte)(1 << random.Next(8));
                    }

                    payload = payload[..random.Next(payload.Length + 1)];
                }
            }

            seq = (ushort)(seq + random.Next(-3, 5));
            ts += random.Next(8) == 0 ? 3000u : 0u;
            bool marker = random.Next(4) == 0;
            if (random.Next(16) == 0)
            {
                depacketizer.Reset();
            }

            bool header = depacketizer.TryReadHeader(payload, out _);
            int room = random.Next(output.Length);
            int written = depacketizer.WriteFrameData(payload, output.AsSpan(0, room));
            Assert.InRange(written, -2, room);
            Assert.True(header || written == -1, $"{Convert.ToHexString(payload)}: header refused but {written}");

            if (hold && random.Next(20) == 0)
            {
                assembler.InsertPadding(seq);
            }
            else
            {
                assembler.Insert(seq, ts, marker, payload);
            }

            if (random.Next(64) == 0)
            {
                assembler.FlushHeldFrame();
            }

            if (hold && random.Next(32) == 0)
            {
                assembler.GiveUpWaiting();
            }

            while (assembler.TryPollEvent(out VideoAssemblerEvent e))
            {
                int span = (ushort)(e.LastSequenceNumber - e.FirstSequenceNumber) + 1;
                switch (e.Kind)
                {
                    case VideoAssemblerEventKind.FrameCompleted:
                        Assert.Equal(e.Length, assembler.GetFrame(e).Length);
                        Assert.InRange(e.PacketCount, 1, 64);
                        Assert.Equal(span, e.PacketCount);
                        if (hold && previousLast is int last)
                        {
                            Assert.True((short)(e.FirstSequenceNumber - last) > 0, $"frame {e.FirstSequenceNumber} after {last}");
                        }

                        previousLast = e.LastSequenceNumber;
                        completed++;
                        break;
                    case VideoAssemblerEventKind.FrameDropped:
                        Assert.InRange(e.PacketCount, 1, 64);
                        Assert.NotEqual(VideoFrameDropReason.None, e.DropReason);
                        break;
                    case VideoAssemblerEventKind.PacketsMissing:
                        Assert.InRange(e.PacketCount, 1, 63);
                        Assert.Equal(span, e.PacketCount);
                        break;
                    default:
                        Assert.Equal(VideoAssemblerEventKind.PayloadMalformed, e.Kind);
                        break;
                }
            }
        }

        Assert.True(completed > 50, $"only {completed} frames completed: the stream never exercises frame output");
    }
}
