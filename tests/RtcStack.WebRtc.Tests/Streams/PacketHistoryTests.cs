using RtcStack.TestSupport;
using RtcStack.WebRtc.Streams;
using Xunit;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>
/// The send stream's packet history (RFC 4585 §6.2.1, RFC 4588 §4): a ring that starts at audio size and grows only
/// when its packets are larger, keeping every packet of the last <see cref="PacketHistory.Size"/> available with its
/// bytes intact across growth.
/// </summary>
public class PacketHistoryTests
{
    private const int Slots = 512;
    private const int MaxBytes = Slots * 1200;

    [Fact]
    public void AudioSizedPacketsKeepTheRingAtItsFirstSize()
    {
        var h = new PacketHistory(Slots, MaxBytes);
        Assert.Equal(Slots * PacketHistory.InitialBytesPerSlot, h.RingBytes);
        byte[] packet = new byte[108]; // 12-byte header, 16 of extensions, 80 of Opus: the plain packet before SRTP
        for (int n = 0; n < 5000; n++)
        {
            Store(h, n, packet);
        }

        Assert.Equal(Slots * PacketHistory.InitialBytesPerSlot, h.RingBytes);
        AssertLastAvailable(h, 5000, Slots, packet.Length);
        Assert.Equal(PacketHistory.Lookup.Missing, h.TryTakeForResend(unchecked((ushort)(5000 - Slots - 1)), TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromHours(1), out _));
    }

    [Fact]
    public void LargerPacketsGrowTheRingToItsLimitWithoutLosingAnyOfTheLastSlots()
    {
        var h = new PacketHistory(Slots, MaxBytes);
        byte[] packet = new byte[1200];
        int[] checkpoints = [50, 69, 70, 140, 300, 511, 512, 700, 2000];
        int stored = 0;
        foreach (int checkpoint in checkpoints)
        {
            for (; stored < checkpoint; stored++)
            {
                Store(h, stored, packet);
            }

            // Whatever the growth so far: the last min(stored, Slots) packets are all there, byte for byte.
            AssertLastAvailable(h, stored, Math.Min(stored, Slots), packet.Length);
        }

        Assert.Equal(MaxBytes, h.RingBytes);
    }

    [Fact]
    public void MixedSizesGrowOnlyAsFarAsTheyNeed()
    {
        var h = new PacketHistory(Slots, MaxBytes);
        byte[] small = new byte[100];
        byte[] large = new byte[300];
        for (int n = 0; n < 3000; n++)
        {
            Store(h, n, n % 2 == 0 ? small : large);
        }

        // 512 packets of 200 bytes on average: 100 KB; the ring doubled once from 80 KB, not up to its 600 KB limit.
        Assert.Equal(2 * Slots * PacketHistory.InitialBytesPerSlot, h.RingBytes);
        for (int n = 3000 - Slots; n < 3000; n++)
        {
            Assert.Equal(PacketHistory.Lookup.Found, h.TryTakeForResend((ushort)n, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromHours(1), out ReadOnlySpan<byte> p));
            Assert.Equal(n % 2 == 0 ? small.Length : large.Length, p.Length);
            Assert.Equal((byte)n, p[0]);
        }
    }

    [Fact]
    public void StoringAllocatesNothingOnceTheRingHasItsSize()
    {
        var h = new PacketHistory(Slots, MaxBytes);
        byte[] packet = new byte[1200];
        for (int n = 0; n < 2000; n++)
        {
            Store(h, n, packet);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(2000, 6000, 4, n => Store(h, n, packet)));
    }

    private static void Store(PacketHistory h, int n, byte[] packet)
    {
        packet[0] = (byte)n;
        packet[^1] = (byte)(n >> 8);
        h.Store(unchecked((ushort)n), packet, TimeSpan.FromMilliseconds(20 * n));
    }

    private static void AssertLastAvailable(PacketHistory h, int stored, int count, int length)
    {
        for (int n = stored - count; n < stored; n++)
        {
            PacketHistory.Lookup found = h.TryTakeForResend(unchecked((ushort)n), TimeSpan.FromMilliseconds(20 * stored), TimeSpan.Zero, TimeSpan.FromHours(1), out ReadOnlySpan<byte> p);
            Assert.True(found == PacketHistory.Lookup.Found, $"packet {n} of {stored}: {found}");
            Assert.Equal(length, p.Length);
            Assert.Equal((byte)n, p[0]);
            Assert.Equal((byte)(n >> 8), p[^1]);
            h.ClearResent(unchecked((ushort)n));
        }
    }
}
