using System.Runtime.InteropServices;

namespace RtcStack.TestSupport.LibSrtp;

/// <summary>
/// One libsrtp session (srtp_t) with a single policy for any inbound or any outbound SSRC, on
/// Debian's build or another (<see cref="LibSrtpLibrary"/>).
/// Statuses are libsrtp's srtp_err_status_t values (0 = ok, 7 = auth_fail, 9 = replay_fail,
/// 10 = replay_old).
/// </summary>
public sealed unsafe class LibSrtpSession : IDisposable
{
    public const int StatusOk = 0;
    public const int StatusAuthFail = 7;
    public const int StatusReplayFail = 9;
    public const int StatusReplayOld = 10;

    private const int SsrcAnyInbound = 2;
    private const int SsrcAnyOutbound = 3;
    private readonly LibSrtpLibrary _library;
    private IntPtr _session;

    /// <summary>Creates a session for <paramref name="profile"/> keyed with master key ‖ master salt.</summary>
    /// <param name="profile">The protection profile.</param>
    /// <param name="masterKey">The master key.</param>
    /// <param name="masterSalt">The master salt.</param>
    /// <param name="outbound">True for a protecting session (ssrc_any_outbound), false for unprotecting (ssrc_any_inbound).</param>
    /// <param name="windowSize">Replay window (libsrtp's default is 128).</param>
    /// <param name="library">The libsrtp build; null is Debian's (<see cref="LibSrtpLibrary.Debian"/>).</param>
    public LibSrtpSession(LibSrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool outbound, int windowSize = 1024, LibSrtpLibrary? library = null)
    {
        _library = library ?? LibSrtpLibrary.Debian;

        int keyLength = masterKey.Length + masterSalt.Length;
        byte* key = (byte*)NativeMemory.Alloc((nuint)Math.Max(keyLength, 64));
        try
        {
            new Span<byte>(key, 64).Clear();
            masterKey.CopyTo(new Span<byte>(key, keyLength));
            masterSalt.CopyTo(new Span<byte>(key + masterKey.Length, masterSalt.Length));
            var policy = default(LibSrtpNative.SrtpPolicy);
            policy.SsrcType = outbound ? SsrcAnyOutbound : SsrcAnyInbound;
            (policy.Rtp, policy.Rtcp) = Policies(profile);
            policy.Key = key;
            policy.WindowSize = (nuint)windowSize;
            policy.AllowRepeatTx = 1;
            IntPtr session;
            int status = _library.CreateFn(&session, &policy);
            _session = session;
            if (status != 0)
            {
                throw new InvalidOperationException($"srtp_create failed with status {status} for {profile}");
            }
        }
        finally
        {
            new Span<byte>(key, 64).Clear();
            NativeMemory.Free(key);
        }
    }

    /// <summary>srtp_protect on buffer[..length] in place; the buffer needs room for the tag.</summary>
    public int Protect(Span<byte> buffer, ref int length) => Call(_library.ProtectFn, buffer, ref length);

    /// <summary>srtp_unprotect in place.</summary>
    public int Unprotect(Span<byte> buffer, ref int length) => Call(_library.UnprotectFn, buffer, ref length);

    /// <summary>srtp_protect_rtcp in place; the buffer needs room for the index word and tag.</summary>
    public int ProtectRtcp(Span<byte> buffer, ref int length) => Call(_library.ProtectRtcpFn, buffer, ref length);

    /// <summary>srtp_unprotect_rtcp in place.</summary>
    public int UnprotectRtcp(Span<byte> buffer, ref int length) => Call(_library.UnprotectRtcpFn, buffer, ref length);

    /// <summary>srtp_set_stream_roc (the stream must exist).</summary>
    public int SetRoc(uint ssrc, uint roc) => _library.SetStreamRocFn(_session, ssrc, roc);

    /// <summary>srtp_get_stream_roc.</summary>
    public int GetRoc(uint ssrc, out uint roc)
    {
        uint value;
        int status = _library.GetStreamRocFn(_session, ssrc, &value);
        roc = value;
        return status;
    }

    public void Dispose()
    {
        if (_session != IntPtr.Zero)
        {
            _ = _library.DeallocFn(_session);
            _session = IntPtr.Zero;
        }
    }

    private int Call(delegate* unmanaged<IntPtr, byte*, int*, int> fn, Span<byte> buffer, ref int length)
    {
        ObjectDisposedException.ThrowIf(_session == IntPtr.Zero, this);
        fixed (byte* p = buffer)
        fixed (int* len = &length)
        {
            return fn(_session, p, len);
        }
    }

    private static (LibSrtpNative.CryptoPolicy Rtp, LibSrtpNative.CryptoPolicy Rtcp) Policies(LibSrtpProfile profile)
    {
        const int NullCipher = 0, AesIcm128 = 1, AesIcm256 = 5, AesGcm128 = 6, AesGcm256 = 7;
        const int NullAuth = 0, HmacSha1 = 3;
        const int Auth = 2, ConfAndAuth = 3;
        LibSrtpNative.CryptoPolicy Hmac(int cipher, int keyLen, int tag, int services) =>
            new() { CipherType = cipher, CipherKeyLength = keyLen, AuthType = HmacSha1, AuthKeyLength = 20, AuthTagLength = tag, SecurityServices = services };
        LibSrtpNative.CryptoPolicy Gcm(int cipher, int keyLen) =>
            new() { CipherType = cipher, CipherKeyLength = keyLen, AuthType = NullAuth, AuthKeyLength = 0, AuthTagLength = 16, SecurityServices = ConfAndAuth };
        return profile switch
        {
            LibSrtpProfile.AesCm128HmacSha1_80 => (Hmac(AesIcm128, 30, 10, ConfAndAuth), Hmac(AesIcm128, 30, 10, ConfAndAuth)),
            LibSrtpProfile.AesCm128HmacSha1_32 => (Hmac(AesIcm128, 30, 4, ConfAndAuth), Hmac(AesIcm128, 30, 10, ConfAndAuth)),
            LibSrtpProfile.AesCm256HmacSha1_80 => (Hmac(AesIcm256, 46, 10, ConfAndAuth), Hmac(AesIcm256, 46, 10, ConfAndAuth)),
            LibSrtpProfile.AesCm256HmacSha1_32 => (Hmac(AesIcm256, 46, 4, ConfAndAuth), Hmac(AesIcm256, 46, 10, ConfAndAuth)),
            LibSrtpProfile.AeadAes128Gcm => (Gcm(AesGcm128, 28), Gcm(AesGcm128, 28)),
            LibSrtpProfile.AeadAes256Gcm => (Gcm(AesGcm256, 44), Gcm(AesGcm256, 44)),
            LibSrtpProfile.NullHmacSha1_80 => (Hmac(NullCipher, 30, 10, Auth), Hmac(NullCipher, 30, 10, Auth)),
            LibSrtpProfile.NullHmacSha1_32 => (Hmac(NullCipher, 30, 4, Auth), Hmac(NullCipher, 30, 10, Auth)),
            _ => throw new ArgumentOutOfRangeException(nameof(profile)),
        };
    }
}
