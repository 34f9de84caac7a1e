using RtcStack.Dtls.Handshake;
using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>RFC 6347 §4.2.3: fragments in any order, overlapping and duplicated, rebuild the message exactly once.</summary>
public class ReassemblerTests
{
    [Fact]
    public void RandomOverlappingFragments_InRandomOrder_RebuildTheMessages()
    {
        var random = new Random(42);
        for (int round = 0; round < 500; round++)
        {
            var r = new HandshakeReassembler(32 * 1024);
            int count = 1 + random.Next(3);
            var messages = new List<byte[]>();
            var fragments = new List<(int Seq, int Offset, int Length)>();
            for (int m = 0; m < count; m++)
            {
                byte[] body = new byte[random.Next(0, 3000)];
                random.NextBytes(body);
                messages.Add(body);
                int offset = 0;
                do
                {
                    int len = Math.Min(body.Length - offset, 1 + random.Next(700));
                    fragments.Add((m, offset, len));

                    // Overlap: sometimes step back a little before the next fragment.
                    offset += Math.Max(1, len - (random.Next(3) == 0 ? random.Next(len) : 0));
                }
                while (offset < body.Length);
                if (random.Next(2) == 0)
                {
                    fragments.Add(fragments[random.Next(fragments.Count)]);
                }
            }

            fragments = [.. fragments.OrderBy(_ => random.Next())];
            var taken = new List<byte[]>();
            foreach ((int seq, int offset, int length) in fragments)
            {
                byte[] body = messages[seq];
                var f = new HandshakeFragment(HandshakeType.Certificate, body.Length, seq, offset, body.AsSpan(offset, Math.Max(0, length)));
                Assert.NotEqual(FragmentStatus.Dropped, r.Add(f, 0));
                while (r.TryTakeNext(out HandshakeType type, out byte[] whole, out int messageSeq, out _))
                {
                    Assert.Equal(HandshakeType.Certificate, type);
                    Assert.Equal(taken.Count, messageSeq);
                    taken.Add(whole);
                }
            }

            Assert.Equal(messages.Count, taken.Count);
            for (int i = 0; i < messages.Count; i++)
            {
                Assert.Equal(messages[i], taken[i]);
            }
        }
    }

    [Fact]
    public void InconsistentFragments_AreDropped()
    {
        var r = new HandshakeReassembler(1024);
        byte[] data = new byte[100];
        Assert.Equal(FragmentStatus.Accepted, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 100, 0, 0, data.AsSpan(0, 50)), 0));
        Assert.Equal(FragmentStatus.Dropped, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 101, 0, 50, data.AsSpan(0, 50)), 0));
        Assert.Equal(FragmentStatus.Dropped, r.Add(new HandshakeFragment(HandshakeType.ServerHello, 100, 0, 50, data.AsSpan(0, 50)), 0));
        Assert.Equal(FragmentStatus.Dropped, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 100, 0, 50, data.AsSpan(0, 50)), 1));
        Assert.Equal(FragmentStatus.Dropped, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 2000, 1, 0, data.AsSpan(0, 10)), 0));
        Assert.Equal(FragmentStatus.Dropped, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 10, HandshakeReassembler.Window, 0, data.AsSpan(0, 10)), 0));
        Assert.False(r.TryTakeNext(out _, out _, out _, out _));
        Assert.Equal(FragmentStatus.Accepted, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 100, 0, 50, data.AsSpan(0, 50)), 0));
        Assert.True(r.TryTakeNext(out _, out _, out _, out _));
        Assert.Equal(FragmentStatus.Old, r.Add(new HandshakeFragment(HandshakeType.ClientHello, 100, 0, 0, data.AsSpan(0, 50)), 0));
    }
}
