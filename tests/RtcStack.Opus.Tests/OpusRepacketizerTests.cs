using FsCheck.Xunit;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests;

public sealed unsafe class OpusRepacketizerTests
{
    [Fact]
    public void MergesTwoPacketsIntoCode1AndSplitsThemBack()
    {
        var rp = new OpusRepacketizer();
        byte[] a = [0x78, 1, 2, 3];
        byte[] b = [0x78, 4, 5, 6];
        Assert.Equal(OpusRepacketizerStatus.Added, rp.TryAdd(a));
        Assert.Equal(OpusRepacketizerStatus.Added, rp.TryAdd(b));
        Assert.Equal(1920, rp.SampleCount);
        var output = new byte[64];
        Assert.True(rp.TryWrite(output, out int written));
        Assert.Equal(new byte[] { 0x79, 1, 2, 3, 4, 5, 6 }, output[..written]);
        Assert.True(rp.TryWriteRange(1, 2, output, out written));
        Assert.Equal(b, output[..written]);
    }

    [Fact]
    public void UnequalFramesUseCode2ThenCode3Vbr()
    {
        var rp = new OpusRepacketizer();
        rp.TryAdd([0x08, 1]);
        rp.TryAdd([0x08, 2, 3]);
        var output = new byte[64];
        Assert.True(rp.TryWrite(output, out int written));
        Assert.Equal(new byte[] { 0x0A, 1, 1, 2, 3 }, output[..written]);
        rp.TryAdd([0x08]);
        Assert.True(rp.TryWrite(output, out written));
        Assert.Equal(new byte[] { 0x0B, 0x83, 1, 2, 1, 2, 3 }, output[..written]);
    }

    [Fact]
    public void RejectsIncompatibleTooLongAndInvalidPackets()
    {
        var rp = new OpusRepacketizer();
        Assert.Equal(OpusRepacketizerStatus.InvalidPacket, rp.TryAdd([]));
        Assert.Equal(OpusRepacketizerStatus.Added, rp.TryAdd([0x18, 9])); // SILK NB 60 ms
        Assert.Equal(OpusRepacketizerStatus.IncompatibleToc, rp.TryAdd([0x1C, 9])); // stereo
        Assert.Equal(OpusRepacketizerStatus.IncompatibleToc, rp.TryAdd([0x10, 9])); // 40 ms
        Assert.Equal(OpusRepacketizerStatus.Added, rp.TryAdd([0x18, 9]));
        Assert.Equal(OpusRepacketizerStatus.TooLong, rp.TryAdd([0x18, 9]));
        Assert.Equal(2, rp.FrameCount);
        Assert.False(rp.TryWrite(new byte[2], out _));
        rp.Reset();
        Assert.Equal(0, rp.FrameCount);
        Assert.Equal(OpusRepacketizerStatus.Added, rp.TryAdd([0x1C, 9]));
    }

    [Fact]
    public void RepacketizerAgreesWithLibopusByteForByte()
    {
        LibOpusReference.Require();
        var random = new Random(3);
        var ours = new OpusRepacketizer();
        nint theirs = LibOpusReference.RepacketizerCreate();
        var outOurs = new byte[70000];
        var outTheirs = new byte[70000];
        int compared = 0;
        try
        {
            var roundPackets = new List<byte[]>();
            for (int round = 0; round < 400; round++)
            {
                roundPackets.Clear();
                ours.Reset();
                LibOpusReference.RepacketizerInit(theirs);
                int config = random.Next(32);
                bool stereo = random.Next(2) == 1;
                int attempts = random.Next(1, 30);
                for (int i = 0; i < attempts; i++)
                {
                    // opus_repacketizer_cat keeps pointers into the packets it is given until the next
                    // opus_repacketizer_init, so each packet lives in a pinned array for the whole round: with a
                    // `fixed` pin for the call only, the GC could move it before opus_repacketizer_out_range read
                    // it (a CI run on a loaded machine lost its test host here).
                    byte[] packet = Pinned(ValidPacket(random, config, stereo, random.Next(10) == 0), roundPackets);
                    OpusRepacketizerStatus status = ours.TryAdd(packet);
                    int theirStatus;
                    fixed (byte* p = packet)
                    {
                        theirStatus = LibOpusReference.RepacketizerCat(theirs, p, packet.Length);
                    }

                    Assert.Equal(status == OpusRepacketizerStatus.Added, theirStatus == 0);
                }

                Assert.Equal(LibOpusReference.RepacketizerGetNbFrames(theirs), ours.FrameCount);
                if (ours.FrameCount == 0)
                {
                    continue;
                }

                // A compacting collection between cat and out: the pinned packets must not move (without the pin this
                // makes libopus read moved memory and the comparison fail).
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                int begin = random.Next(ours.FrameCount);
                int end = random.Next(begin + 1, ours.FrameCount + 1);
                Assert.True(ours.TryWriteRange(begin, end, outOurs, out int written));
                Assert.Equal(written, ours.GetLength(begin, end));
                int theirLength;
                fixed (byte* p = outTheirs)
                {
                    theirLength = LibOpusReference.RepacketizerOutRange(theirs, begin, end, p, outTheirs.Length);
                }

                Assert.Equal(theirLength, written);
                Assert.True(outOurs.AsSpan(0, written).SequenceEqual(outTheirs.AsSpan(0, theirLength)));
                compared++;
            }
        }
        finally
        {
            LibOpusReference.RepacketizerDestroy(theirs);
        }

        Assert.True(compared > 300);
    }

    /// <summary>Copies <paramref name="packet"/> into an array on the pinned object heap and keeps it in <paramref name="keep"/>.</summary>
    private static byte[] Pinned(byte[] packet, List<byte[]> keep)
    {
        byte[] pinned = GC.AllocateUninitializedArray<byte>(packet.Length, pinned: true);
        packet.CopyTo(pinned, 0);
        keep.Add(pinned);
        return pinned;
    }

    [Fact]
    public void PadAndUnpadAgreeWithLibopusByteForByte()
    {
        LibOpusReference.Require();
        var random = new Random(5);
        for (int n = 0; n < 3000; n++)
        {
            byte[] packet = ValidPacket(random, random.Next(32), random.Next(2) == 1, true);
            int newLength = packet.Length + (random.Next(4) == 0 ? random.Next(0, 3) : random.Next(0, 1000));
            byte[] ours = new byte[newLength];
            byte[] theirs = new byte[newLength];
            packet.CopyTo(ours, 0);
            packet.CopyTo(theirs, 0);
            Assert.Equal(OpusPacketStatus.Valid, OpusRepacketizer.Pad(ours, packet.Length, newLength));
            fixed (byte* p = theirs)
            {
                Assert.Equal(0, LibOpusReference.PacketPad(p, packet.Length, newLength));
            }

            Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
            Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(ours, out OpusPacket padded));
            Assert.Equal(OpusPacket.GetFrameCount(packet), padded.FrameCount);

            int ourUnpadded = OpusRepacketizer.Unpad(ours);
            int theirUnpadded;
            fixed (byte* p = theirs)
            {
                theirUnpadded = LibOpusReference.PacketUnpad(p, theirs.Length);
            }

            Assert.Equal(theirUnpadded, ourUnpadded);
            Assert.Equal(Convert.ToHexString(theirs, 0, theirUnpadded), Convert.ToHexString(ours, 0, ourUnpadded));
        }
    }

    [Fact]
    public void PadRejectsInvalidPacketsAndUnpadReportsThem()
    {
        byte[] buffer = new byte[10];
        buffer[0] = 0x01;
        Assert.Equal(OpusPacketStatus.Code1OddLength, OpusRepacketizer.Pad(buffer, 2, 10));
        Assert.Equal(-1, OpusRepacketizer.Unpad(buffer.AsSpan(0, 2)));
    }

    [Property(MaxTest = 300)]
    public bool MergingFramesAndSplittingThemRoundTrips(byte configByte, bool stereo, byte[][]? frames)
    {
        int config = configByte & 31;
        int spf = OpusToc.Create(config, stereo, 0).SamplesPerFrame;
        frames ??= [];
        byte[][] used = frames.Take(OpusPacket.MaxPacketSamples / spf).Select(f => (f ?? []).Take(OpusPacket.MaxFrameLength).ToArray()).ToArray();
        if (used.Length == 0)
        {
            return true;
        }

        // One single-frame packet per frame, merged into one packet, parsed, split again.
        var rp = new OpusRepacketizer();
        foreach (byte[] frame in used)
        {
            byte[] single = [OpusToc.Create(config, stereo, 0).Value, .. frame];
            if (rp.TryAdd(single) != OpusRepacketizerStatus.Added)
            {
                return false;
            }
        }

        var merged = new byte[70000];
        if (!rp.TryWrite(merged, out int length) || !OpusPacket.TryParse(merged.AsSpan(0, length), out OpusPacket packet) || packet.FrameCount != used.Length)
        {
            return false;
        }

        for (int i = 0; i < used.Length; i++)
        {
            if (!packet.GetFrame(i).SequenceEqual(used[i]))
            {
                return false;
            }
        }

        var split = new OpusRepacketizer();
        if (split.TryAdd(merged.AsSpan(0, length)) != OpusRepacketizerStatus.Added)
        {
            return false;
        }

        var single2 = new byte[1300];
        for (int i = 0; i < used.Length; i++)
        {
            if (!split.TryWriteRange(i, i + 1, single2, out int n) || !single2.AsSpan(1, n - 1).SequenceEqual(used[i]) || single2[0] != OpusToc.Create(config, stereo, 0).Value)
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool PaddingToAnyLargerSizeKeepsTheFrames(byte configByte, byte[][]? frames, ushort extra)
    {
        int config = configByte & 31;
        int spf = OpusToc.Create(config, false, 0).SamplesPerFrame;
        frames ??= [];
        byte[][] used = frames.Take(Math.Min(OpusPacket.MaxPacketSamples / spf, 6)).Select(f => (f ?? []).Take(300).ToArray()).ToArray();
        if (used.Length == 0)
        {
            return true;
        }

        var rp = new OpusRepacketizer();
        foreach (byte[] frame in used)
        {
            rp.TryAdd([OpusToc.Create(config, false, 0).Value, .. frame]);
        }

        int natural = rp.GetLength(0, used.Length);
        int target = natural + extra;
        var buffer = new byte[target];
        if (!rp.TryWriteRange(0, used.Length, buffer, target, out int written) || written != target)
        {
            return false;
        }

        if (!OpusPacket.TryParse(buffer, out OpusPacket packet) || packet.FrameCount != used.Length)
        {
            return false;
        }

        for (int i = 0; i < used.Length; i++)
        {
            if (!packet.GetFrame(i).SequenceEqual(used[i]))
            {
                return false;
            }
        }

        return OpusRepacketizer.Unpad(buffer) == natural;
    }

    internal static byte[] ValidPacket(Random random, int config, bool stereo, bool anyCode)
    {
        while (true)
        {
            byte[] packet = PacketGenerator.Framed(random, corrupt: false);
            packet[0] = (byte)((config << 3) | (stereo ? 4 : 0) | (anyCode ? packet[0] & 3 : 0));
            if (OpusPacket.TryParse(packet, out _))
            {
                return packet;
            }
        }
    }
}
