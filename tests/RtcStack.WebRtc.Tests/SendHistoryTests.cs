using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.WebRtc.Tests;

/// <summary>The NACK send history (RFC 4585 §6.2.1): what it keeps, what it forgets, and resend pacing.</summary>
public sealed class SendHistoryTests
{
    private static byte[] Packet(ushort seq, int length)
    {
        var p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(seq + i);
        }

        return p;
    }

    [Fact]
    public void KeepsTheLastSlotsOfAudioSizedPacketsByteForByte()
    {
        var h = new SendHistory(16);
        for (ushort seq = 100; seq < 140; seq++)
        {
            h.Store(seq, Packet(seq, 124));
        }

        for (ushort seq = 124; seq < 140; seq++)
        {
            Assert.True(h.TryTakeForResend(seq, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), out ReadOnlySpan<byte> p));
            Assert.Equal(Packet(seq, 124), p.ToArray());
        }

        // Slots reused by later sequence numbers.
        Assert.False(h.TryTakeForResend(123, TimeSpan.FromSeconds(1), TimeSpan.Zero, out _));
        Assert.False(h.TryTakeForResend(100, TimeSpan.FromSeconds(1), TimeSpan.Zero, out _));
    }

    [Fact]
    public void LargePacketsOverwriteOlderBytesWhichAreThenNotResent()
    {
        var h = new SendHistory(4); // 4 × 256 = 1024 bytes of ring, raised to one 1500-byte datagram.
        h.Store(1, Packet(1, 1000));
        h.Store(2, Packet(2, 1000)); // Does not fit after the first: wraps to the start, over packet 1.
        Assert.False(h.TryTakeForResend(1, TimeSpan.Zero, TimeSpan.Zero, out _));
        Assert.True(h.TryTakeForResend(2, TimeSpan.Zero, TimeSpan.Zero, out ReadOnlySpan<byte> p));
        Assert.Equal(Packet(2, 1000), p.ToArray());
        h.Store(3, Packet(3, 400));
        Assert.True(h.TryTakeForResend(3, TimeSpan.Zero, TimeSpan.Zero, out p));
        Assert.Equal(Packet(3, 400), p.ToArray());
        Assert.True(h.TryTakeForResend(2, TimeSpan.FromSeconds(1), TimeSpan.Zero, out p));
        Assert.Equal(Packet(2, 1000), p.ToArray());
    }

    [Fact]
    public void ResendIsPacedByTheMinimumInterval()
    {
        var h = new SendHistory(8);
        h.Store(7, Packet(7, 124));
        Assert.True(h.TryTakeForResend(7, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(100), out _));
        Assert.False(h.TryTakeForResend(7, TimeSpan.FromMilliseconds(1050), TimeSpan.FromMilliseconds(100), out _));
        Assert.True(h.TryTakeForResend(7, TimeSpan.FromMilliseconds(1100), TimeSpan.FromMilliseconds(100), out _));
        Assert.False(h.TryTakeForResend(8, TimeSpan.FromMilliseconds(1100), TimeSpan.Zero, out _));
    }

    [Fact]
    public void AllocatesNothingPerStoredPacket()
    {
        var h = new SendHistory(256);
        byte[] p = Packet(0, 124);
        for (ushort seq = 0; seq < 1000; seq++)
        {
            h.Store(seq, p);
        }

        Assert.Equal(0, AllocationProbe.LeastPerChunk(1000, 3000, 4, seq => h.Store((ushort)seq, p)));
    }
}
