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
}
