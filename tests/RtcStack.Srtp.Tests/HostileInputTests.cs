using RtcStack.TestSupport;
using System.Buffers.Binary;

namespace RtcStack.Srtp.Tests;

/// <summary>Malformed and hostile packets: a status every time, no exception, no allocation.</summary>
public class HostileInputTests
{
    [Theory]
    [MemberData(nameof(Packets.AllProfiles), MemberType = typeof(Packets))]
    public void Random_bytes_of_every_length_return_a_status_without_throwing_or_allocating(SrtpProfile profile)
    {
        (byte[] key, byte[] salt) = Packets.Keys(profile);
        using var rx = new SrtpContext(profile, key, salt, new SrtpOptions { StrictSsrc = false });
        var rng = new Random((int)profile);
        var buffer = new byte[1600];
        var scratch = new byte[1600];

        // Warm up the code paths (JIT, statics) before counting allocations.
        for (int warm = 0; warm < 3; warm++)
        {
            foreach (int length in new[] { 30, 100, 1000 })
            {
                rng.NextBytes(buffer.AsSpan(0, length));
                buffer[0] = 0x80;
                rx.UnprotectRtp(buffer, length, out _);
                rx.UnprotectRtcp(buffer, length, out _);
                rx.UnprotectRtp(buffer.AsSpan(0, length), scratch, out _);
                rx.UnprotectRtcp(buffer.AsSpan(0, length), scratch, out _);
            }
        }
        // xunit's assertions allocate, so count outcomes here and assert after the measurement.
        int accepted = 0;
        int nonZeroLength = 0;
        long allocated = AllocationProbe.LeastPerChunk(0, 1501, 3, length =>
        {
            rng.NextBytes(buffer.AsSpan(0, length));
            if (length > 0 && rng.Next(2) == 0)
            {
                buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
            }

            accepted += rx.UnprotectRtp(buffer, length, out int n) == SrtpStatus.Ok ? 1 : 0;
            nonZeroLength += n != 0 ? 1 : 0;
            accepted += rx.UnprotectRtcp(buffer, length, out n) == SrtpStatus.Ok ? 1 : 0;
            nonZeroLength += n != 0 ? 1 : 0;
            accepted += rx.UnprotectRtp(buffer.AsSpan(0, length), scratch, out _) == SrtpStatus.Ok ? 1 : 0;
            accepted += rx.UnprotectRtcp(buffer.AsSpan(0, length), scratch, out _) == SrtpStatus.Ok ? 1 : 0;
        });

        Assert.Equal(0, accepted);
        Assert.Equal(0, nonZeroLength);
        Assert.Equal(0, allocated);
        Assert.Equal(0, rx.GetStreamCount(SrtpDirection.Inbound));
    }

    [Fact]
    public void Headers_inconsistent_with_their_length_are_malformed()
    {
        using var ctx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14]);
        byte[] room = new byte[200];

        // Shorter than a fixed header.
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtp(room, 11, out _));

        // Version 1.
        byte[] v1 = Packets.WithRoom(Packets.Rtp(1, 1, 20));
        v1[0] = 0x40;
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtp(v1, 32, out _));

        // 15 CSRCs announced, 2 present.
        byte[] cc = Packets.WithRoom(Packets.Rtp(1, 1, 0, csrcCount: 2));
        cc[0] = 0x8F;
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtp(cc, 20, out _));

        // Extension length pointing past the end.
        byte[] ext = Packets.WithRoom(Packets.Rtp(1, 1, 4, extensionWords: 1));
        BinaryPrimitives.WriteUInt16BigEndian(ext.AsSpan(14), 100);
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtp(ext, 24, out _));

        // Unprotect: shorter than header + tag.
        byte[] p = Packets.WithRoom(Packets.Rtp(1, 1, 0));
        Assert.Equal(SrtpStatus.Malformed, ctx.UnprotectRtp(p, 12 + 9, out _));
        Assert.Equal(SrtpStatus.Malformed, ctx.UnprotectRtp(p, 3, out _));

        // SRTCP shorter than header + index word + tag, and RTCP version 0.
        byte[] r = Packets.WithRoom(Packets.Rtcp(1, 0));
        Assert.Equal(SrtpStatus.Malformed, ctx.UnprotectRtcp(r, 8 + 13, out _));
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtcp(r, 7, out _));
        r[0] = 0x01;
        Assert.Equal(SrtpStatus.Malformed, ctx.ProtectRtcp(r, 8, out _));
        Assert.Equal(SrtpStatus.Malformed, ctx.UnprotectRtcp(r, 8 + 14, out _));
    }

    [Fact]
    public void An_srtcp_packet_claiming_an_index_far_ahead_cannot_poison_the_window()
    {
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.Aes128CmHmacSha1_80);
        using var tx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        using var rx = new SrtpContext(SrtpProfile.Aes128CmHmacSha1_80, key, salt);
        var wire = new List<byte[]>();
        for (int i = 0; i < 3; i++)
        {
            byte[] b = Packets.WithRoom(Packets.Rtcp(9));
            tx.ProtectRtcp(b, 32, out int n);
            wire.Add(b[..n]);
        }

        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire[0], wire[0].Length, out _));
        byte[] forged = (byte[])wire[1].Clone();
        BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(32), 0x8000_0000u | 0x7000_0000u);
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(forged, forged.Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire[2], wire[2].Length, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire[1], wire[1].Length, out _));
    }
}
