using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static RtcStack.WebRtc.Io.LinuxMessageHeaders;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// Datagrams for one socket gathered on one thread and handed to the kernel with one Linux <c>sendmmsg</c> call
/// (x64 layouts of <c>struct mmsghdr</c>, <c>msghdr</c> and <c>iovec</c>), instead of one <c>sendmsg</c> each: a data
/// channel's sender emits bursts of full packets after each SACK, and on a virtual machine the system call itself is a
/// large part of a small datagram's cost. Each datagram keeps its own destination. All memory is allocated once (pinned)
/// and reused; nothing is allocated per datagram.
/// </summary>
internal sealed unsafe partial class UdpSendBatch
{
    public const int Capacity = 32;
    public const int SlotSize = 2048;
    private const int NameSize = 28; // sockaddr_in6

    private readonly MessageSlots _m = new(Capacity, SlotSize, NameSize);

    /// <summary>Gets the number of datagrams waiting.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the socket the waiting datagrams go out on (null when none wait).</summary>
    public Socket? Socket { get; private set; }

    /// <summary>Gets the space for the next datagram.</summary>
    public Span<byte> NextSlot => _m.Data.AsSpan(Count * SlotSize, SlotSize);

    /// <summary>Queues the datagram written into <see cref="NextSlot"/> (its first <paramref name="length"/> bytes) for <paramref name="to"/>.</summary>
    public void Add(Socket socket, int length, SocketAddress to)
    {
        Socket = socket;
        int i = Count;
        _m.Iov[i].Length = (nuint)length;
        int size = Math.Min(to.Size, NameSize);
        to.Buffer.Span[..size].CopyTo(_m.Names.AsSpan(i * NameSize, NameSize));
        _m.Headers[i].Header.NameLength = (uint)size;
        Count = i + 1;
    }

    /// <summary>
    /// Sends every waiting datagram (<c>sendmmsg</c>, again for any the kernel did not take); returns how many went out.
    /// A datagram the kernel refuses (a full buffer on a non-blocking socket, an ICMP error reported for an earlier
    /// send) is skipped and counted in <paramref name="failed"/>, as a failed single send would be.
    /// </summary>
    public int Flush(out int failed)
    {
        failed = 0;
        int sent = 0;
        Socket? socket = Socket;
        int count = Count;
        Count = 0;
        Socket = null;
        if (socket is null || count == 0)
        {
            return 0;
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            MMsgHdr* headers = (MMsgHdr*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_m.Headers));
            int at = 0;
            while (at < count)
            {
                int n = SendMMsg(fd, headers + at, (uint)(count - at), 0);
                if (n <= 0)
                {
                    failed++;
                    at++;
                    continue;
                }

                sent += n;
                at += n;
            }
        }
        catch (ObjectDisposedException)
        {
            failed += count - sent;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }

        return sent;
    }

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);
}
