using System.Runtime.InteropServices;

namespace RtcStack.TestSupport.LibSrtp;

/// <summary>
/// P/Invoke declarations for libsrtp 2 (Debian package libsrtp2-1, libsrtp2.so.1), the SRTP
/// oracle of the differential tests and the baseline of the benchmarks. Reference only: never
/// used by src/.
/// </summary>
internal static partial class LibSrtpNative
{
    public const string Library = "libsrtp2.so.1";

    [LibraryImport(Library, EntryPoint = "srtp_init")]
    public static partial int Init();

    [LibraryImport(Library, EntryPoint = "srtp_create")]
    public static unsafe partial int Create(out IntPtr session, SrtpPolicy* policy);

    [LibraryImport(Library, EntryPoint = "srtp_dealloc")]
    public static partial int Dealloc(IntPtr session);

    [LibraryImport(Library, EntryPoint = "srtp_protect")]
    public static unsafe partial int Protect(IntPtr session, byte* packet, int* length);

    [LibraryImport(Library, EntryPoint = "srtp_unprotect")]
    public static unsafe partial int Unprotect(IntPtr session, byte* packet, int* length);

    [LibraryImport(Library, EntryPoint = "srtp_protect_rtcp")]
    public static unsafe partial int ProtectRtcp(IntPtr session, byte* packet, int* length);

    [LibraryImport(Library, EntryPoint = "srtp_unprotect_rtcp")]
    public static unsafe partial int UnprotectRtcp(IntPtr session, byte* packet, int* length);

    [LibraryImport(Library, EntryPoint = "srtp_set_stream_roc")]
    public static partial int SetStreamRoc(IntPtr session, uint ssrc, uint roc);

    [LibraryImport(Library, EntryPoint = "srtp_get_stream_roc")]
    public static partial int GetStreamRoc(IntPtr session, uint ssrc, out uint roc);

    /// <summary>srtp_crypto_policy_t (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CryptoPolicy
    {
        public int CipherType;
        public int CipherKeyLength;
        public int AuthType;
        public int AuthKeyLength;
        public int AuthTagLength;
        public int SecurityServices;
    }

    /// <summary>srtp_policy_t of libsrtp 2.5 on x86-64 (128 bytes, the layout of srtp.h in Debian's libsrtp2-dev 2.5).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SrtpPolicy
    {
        public int SsrcType;
        public uint SsrcValue;
        public CryptoPolicy Rtp;
        public CryptoPolicy Rtcp;
        public byte* Key;
        public IntPtr Keys;
        public nuint NumMasterKeys;
        public IntPtr DeprecatedEkt;
        public nuint WindowSize;
        public int AllowRepeatTx;
        public IntPtr EncXtnHdr;
        public int EncXtnHdrCount;
        public IntPtr Next;
    }
}
