using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// The x64 Linux layouts of <c>struct iovec</c>, <c>struct msghdr</c> and <c>struct mmsghdr</c> (sys/socket.h), for
/// <c>sendmmsg</c> and <c>recvmmsg</c> (<see cref="UdpSendBatch"/>, <see cref="UdpReceiveBatch"/>): 16, 56 and 64 bytes.
/// </summary>
internal static unsafe class LinuxMessageHeaders
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    /// <summary>
    /// The pinned memory of a batch: <c>count</c> datagram slots of <c>slotSize</c> bytes, an address slot of
    /// <c>nameSize</c> bytes each, and one <c>iovec</c> and <c>mmsghdr</c> per slot already pointing at them (the iovec
    /// length set to the whole slot; a sender sets each datagram's own). Allocated once and reused.
    /// </summary>
    internal sealed class MessageSlots
    {
        public MessageSlots(int count, int slotSize, int nameSize)
        {
            Data = GC.AllocateArray<byte>(count * slotSize, pinned: true);
            Names = GC.AllocateArray<byte>(count * nameSize, pinned: true);
            Iov = GC.AllocateArray<IoVec>(count, pinned: true);
            Headers = GC.AllocateArray<MMsgHdr>(count, pinned: true);
            byte* data = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Data));
            byte* names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Names));
            IoVec* iov = (IoVec*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Iov));
            for (int i = 0; i < count; i++)
            {
                Iov[i].Base = data + (i * slotSize);
                Iov[i].Length = (nuint)slotSize;
                Headers[i].Header.Name = names + (i * nameSize);
                Headers[i].Header.Iov = iov + i;
                Headers[i].Header.IovLength = 1;
            }
        }

        public byte[] Data { get; }

        public byte[] Names { get; }

        public IoVec[] Iov { get; }

        public MMsgHdr[] Headers { get; }
    }
}
