using System.Runtime.InteropServices;

namespace RtcStack.TestSupport.LibSrtp;

/// <summary>
/// Structures of libsrtp 2 (Debian package libsrtp2-1, libsrtp2.so.1), the SRTP oracle of the
/// differential tests and the baseline of the benchmarks; the entry points are in
/// <see cref="LibSrtpLibrary"/>. Reference only: never used by src/.
/// </summary>
internal static class LibSrtpNative
{
    public const string Library = "libsrtp2.so.1";

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
