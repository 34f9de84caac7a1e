using System.Net;
using System.Net.Sockets;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.WebRtc.Tests.Io;

/// <summary><see cref="UdpSendBatch"/>: one sendmmsg for many datagrams, each with its own length and destination (loopback only).</summary>
public sealed class UdpSendBatchTests
{
    [Fact]
    public void EveryDatagramArrivesWhole_AtItsOwnDestination_InOrder()
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using Socket a = Receiver();
        using Socket b = Receiver();
        var batch = new UdpSendBatch();
        var expectedA = new List<byte[]>();
        var expectedB = new List<byte[]>();
        int total = UdpSendBatch.Capacity;
        for (int i = 0; i < total; i++)
        {
            // Lengths 1 to the slot size, both destinations interleaved.
            int length = i == total - 1 ? UdpSendBatch.SlotSize : 1 + (i * 37);
            byte[] datagram = Enumerable.Range(0, length).Select(k => (byte)(i * 7 + k)).ToArray();
            datagram.CopyTo(batch.NextSlot);
            Socket to = i % 3 == 0 ? a : b;
            (i % 3 == 0 ? expectedA : expectedB).Add(datagram);
            batch.Add(sender, length, ((IPEndPoint)to.LocalEndPoint!).Serialize());
        }

        Assert.Equal(total, batch.Count);
        Assert.Same(sender, batch.Socket);
        Assert.Equal(total, batch.Flush(out int failed));
        Assert.Equal(0, failed);
        Assert.Equal(0, batch.Count);
        Assert.Null(batch.Socket);
        AssertReceives(a, expectedA);
        AssertReceives(b, expectedB);
    }

    [Fact]
    public void ADatagramTheKernelRefuses_IsCountedAndSkipped_TheOthersGoOut()
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using Socket a = Receiver();
        var batch = new UdpSendBatch();
        SocketAddress good = ((IPEndPoint)a.LocalEndPoint!).Serialize();

        // An IPv6 destination on an IPv4 socket: sendmmsg stops there with an error (EAFNOSUPPORT or EINVAL).
        SocketAddress bad = new IPEndPoint(IPAddress.IPv6Loopback, 9).Serialize();
        byte[][] sent = [[1, 1], [2, 2, 2], [3]];
        for (int i = 0; i < 3; i++)
        {
            sent[i].CopyTo(batch.NextSlot);
            batch.Add(sender, sent[i].Length, i == 1 ? bad : good);
        }

        Assert.Equal(2, batch.Flush(out int failed));
        Assert.Equal(1, failed);
        AssertReceives(a, [sent[0], sent[2]]);
    }

    [Fact]
    public unsafe void TheHeaderLayoutsAreThoseOfX64Linux()
    {
        // sys/socket.h on x86-64: iovec 16 bytes, msghdr 56 (padding after msg_namelen and msg_flags), mmsghdr 64.
        Assert.Equal(16, sizeof(LinuxMessageHeaders.IoVec));
        Assert.Equal(56, sizeof(LinuxMessageHeaders.MsgHdr));
        Assert.Equal(64, sizeof(LinuxMessageHeaders.MMsgHdr));
    }

    [Fact]
    public void AnEmptyBatchSendsNothing()
    {
        var batch = new UdpSendBatch();
        Assert.Equal(0, batch.Flush(out int failed));
        Assert.Equal(0, failed);
    }

    private static Socket Receiver()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.ReceiveTimeout = 5000;
        return s;
    }

    private static void AssertReceives(Socket s, List<byte[]> expected)
    {
        byte[] buffer = new byte[4096];
        foreach (byte[] e in expected)
        {
            int n = s.Receive(buffer);
            Assert.Equal(e, buffer.AsSpan(0, n).ToArray());
        }

        s.ReceiveTimeout = 100;
        Assert.Throws<SocketException>(() => s.Receive(buffer));
    }
}
