using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Video.Tests.Assembler;

/// <summary>
/// The steady path allocates nothing per packet: packetize (push + poll) and assemble (insert + poll events), after a
/// warm-up that lets buffers reach their working size. Measured with the thread's allocation counter.
/// </summary>
public sealed class AllocationTests
{
    private const int Rounds = 200;

    [Fact]
    public void Vp8PacketizeAndAssembleAllocateNothing()
    {
        var random = new Random(11);
        byte[][] frames = [VideoTestData.Vp8Frame(random, 9000, true), VideoTestData.Vp8Frame(random, 1500, false), VideoTestData.Vp8Frame(random, 400, false)];
        Assert.Equal(0, Measure(new Vp8Packetizer(), new VideoFrameAssembler(new Vp8Depacketizer()), frames, out long packets, out long completed));
        Assert.True(packets > Rounds * 3);
        Assert.Equal(2 * Rounds * 3, completed); // the warm-up round and the measured one
    }

    [Fact]
    public void H264PacketizeAndAssembleAllocateNothing()
    {
        var random = new Random(12);
        byte[] sps = [0x67, 0x42, 0xE0, 0x1F, 0x8C, 0x8D, 0x40];
        byte[] pps = [0x68, 0xCE, 0x3C, 0x80];
        byte[][] frames =
        [
            VideoTestData.AnnexB4([sps, pps, VideoTestData.Nal(random, 5, 9000)]),
            VideoTestData.AnnexB4([VideoTestData.Nal(random, 1, 800), VideoTestData.Nal(random, 1, 100, firstSlice: false)]),
            VideoTestData.AnnexB4([VideoTestData.Nal(random, 1, 300)]),
        ];
        Assert.Equal(0, Measure(new H264Packetizer(), new VideoFrameAssembler(new H264Depacketizer()), frames, out long packets, out long completed));
        Assert.True(packets > Rounds * 3);
        Assert.Equal(2 * Rounds * 3, completed); // the very first frame is held until the second completes, then goes out
    }

    private static long Measure(IVideoPacketizer packetizer, VideoFrameAssembler assembler, byte[][] frames, out long packetCount, out long completedCount)
    {
        byte[] payload = new byte[packetizer.MaxPayloadSize];
        ushort seq = 65000;
        uint ts = 1;
        long packets = 0;
        long completed = 0;
        Run(Rounds); // warm-up: the JIT, the frame buffer's growth
        long allocated = AllocationProbe.LeastPerChunk(0, Rounds, 4, _ => Run(1));
        packetCount = packets;
        completedCount = completed;
        return allocated;

        void Run(int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                foreach (byte[] frame in frames)
                {
                    if (packetizer.Push(frame, false) != VideoPacketizeStatus.Ok)
                    {
                        throw new InvalidOperationException("push");
                    }

                    while (packetizer.TryPoll(payload, out VideoRtpPayload p))
                    {
                        packets++;
                        assembler.Insert(seq++, ts, p.Marker, payload.AsSpan(0, p.Length));
                        while (assembler.TryPollEvent(out VideoAssemblerEvent e))
                        {
                            if (e.Kind == VideoAssemblerEventKind.FrameCompleted && assembler.GetFrame(e).Length == e.Length)
                            {
                                completed++;
                            }
                        }
                    }

                    ts += 3000;
                }
            }
        }
    }
}
