using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static RtcStack.WebRtc.Io.LinuxMessageHeaders;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Up to <see cref="Capacity"/> datagrams read from one socket with one Linux <c>recvmmsg</c> call (x64 layouts of
/// <c>struct mmsghdr</c>, <c>msghdr</c> and <c>iovec</c>), without blocking, instead of one <c>recvfrom</c> each. Each
/// datagram keeps its own source address. All memory is allocated once (pinned) and reused.
/// </summary>
internal sealed unsafe partial class UdpReceiveBatch
{
    public const int Capacity = 32;
    public const int SlotSize = 2048;
    private const int NameSize = 28; // sockaddr_in6
    private const int MsgDontwait = 0x40;

    private readonly MessageSlots _m = new(Capacity, SlotSize, NameSize);

    /// <summary>
    /// Reads what is queued on <paramref name="socket"/>, at most <paramref name="max"/> datagrams (and
    /// <see cref="Capacity"/>); returns how many were read, 0 when none was queued (or the socket is closed, or the
    /// kernel reported an error for an earlier send, which the call consumes).
    /// </summary>
    public int Receive(Socket socket, int max)
    {
        int count = Math.Min(max, Capacity);
        if (count <= 0)
        {
            return 0;
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            for (int i = 0; i < count; i++)
            {
                _m.Headers[i].Header.NameLength = NameSize;
                _m.Headers[i].Header.Flags = 0;
            }

            MMsgHdr* headers = (MMsgHdr*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_m.Headers));
            int n = RecvMMsg(fd, headers, (uint)count, MsgDontwait, null);
            return n < 0 ? 0 : n;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Gets datagram <paramref name="i"/> of the last <see cref="Receive"/> (cut to the slot size if it was longer).</summary>
    public ReadOnlySpan<byte> Datagram(int i) => _m.Data.AsSpan(i * SlotSize, (int)Math.Min(_m.Headers[i].Length, SlotSize));

    /// <summary>Copies the source address of datagram <paramref name="i"/> into <paramref name="from"/>.</summary>
    public void SourceOf(int i, SocketAddress from)
    {
        Span<byte> address = from.Buffer.Span;
        int size = Math.Min((int)_m.Headers[i].Header.NameLength, Math.Min(NameSize, address.Length));
        _m.Names.AsSpan(i * NameSize, size).CopyTo(address);
        from.Size = size;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);
}
