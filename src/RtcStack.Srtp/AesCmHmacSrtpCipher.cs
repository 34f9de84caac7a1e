using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Srtp;

/// <summary>
/// AES counter mode with HMAC-SHA1 (RFC 3711 §4.1.1 and §4.2.1, RFC 6188 for AES-256), and the
/// NULL cipher with HMAC-SHA1 (RFC 3711 §4.1.3). SRTCP always carries the 80-bit tag.
/// </summary>
internal sealed class AesCmHmacSrtpCipher : SrtpCipher
{
    private const int SessionSaltLength = 14;
    private readonly AesCtr? _rtpCipher;
    private readonly AesCtr? _rtcpCipher;
    private readonly HmacSha1 _rtpMac;
    private readonly HmacSha1 _rtcpMac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly int _rtpTagLength;

    internal AesCmHmacSrtpCipher(
        int rtpTagLength,
        ReadOnlySpan<byte> rtpKey,
        ReadOnlySpan<byte> rtpSalt,
        ReadOnlySpan<byte> rtpAuthKey,
        ReadOnlySpan<byte> rtcpKey,
        ReadOnlySpan<byte> rtcpSalt,
        ReadOnlySpan<byte> rtcpAuthKey,
        bool allowIntrinsics,
        HmacSha1Path? hmacPath = null)
    {
        // Without hardware intrinsics the "portable" build also leaves SHA-1 to our own code only.
        hmacPath ??= HmacSha1.DefaultPath(allowIntrinsics);
        _rtpTagLength = rtpTagLength;
        if (!rtpKey.IsEmpty)
        {
            _rtpCipher = new AesCtr(rtpKey, allowIntrinsics);
            _rtcpCipher = new AesCtr(rtcpKey, allowIntrinsics);
        }

        _rtpSalt = rtpSalt.ToArray();
        _rtcpSalt = rtcpSalt.ToArray();
        _rtpMac = new HmacSha1(rtpAuthKey, hmacPath.Value);
        _rtcpMac = new HmacSha1(rtcpAuthKey, hmacPath.Value);
    }

    public override int RtpTagLength => _rtpTagLength;

    public override int RtcpTagLength => 10;

    public override bool EncryptsRtcp => _rtcpCipher is not null;

    public override int RtcpIndexOffset => 0;

    public override bool UsesIntrinsics => _rtpCipher?.UsesIntrinsics ?? false;

    public override SrtpHmacImplementation HmacImplementation => _rtpMac.Path switch
    {
        HmacSha1Path.Libcrypto => SrtpHmacImplementation.Libcrypto,
        HmacSha1Path.ManagedAndIncrementalHash => SrtpHmacImplementation.ManagedAndPlatformHmac,
        _ => SrtpHmacImplementation.Managed,
    };

    public static AesCmHmacSrtpCipher FromMaster(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool allowIntrinsics, HmacSha1Path? hmacPath = null)
    {
        int keyLength = profile.Encrypts() ? masterKey.Length : 0;
        Span<byte> keys = stackalloc byte[2 * (32 + SessionSaltLength + 20)];
        Span<byte> rtpKey = keys[..keyLength];
        Span<byte> rtpSalt = keys.Slice(32, SessionSaltLength);
        Span<byte> rtpAuth = keys.Slice(32 + SessionSaltLength, 20);
        int half = 32 + SessionSaltLength + 20;
        Span<byte> rtcpKey = keys.Slice(half, keyLength);
        Span<byte> rtcpSalt = keys.Slice(half + 32, SessionSaltLength);
        Span<byte> rtcpAuth = keys.Slice(half + 32 + SessionSaltLength, 20);
        using (var prf = new AesCtr(masterKey, allowIntrinsics))
        {
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtpEncryption, rtpKey);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtpSalt, rtpSalt);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtpAuthentication, rtpAuth);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtcpEncryption, rtcpKey);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtcpSalt, rtcpSalt);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtcpAuthentication, rtcpAuth);
        }

        var cipher = new AesCmHmacSrtpCipher(profile.SrtpTagLength(), rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth, allowIntrinsics, hmacPath);
        CryptographicOperations.ZeroMemory(keys);
        return cipher;
    }

    public override void ProtectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, Span<byte> tag, int cryptexCsrcBytes = -1)
    {
        if (_rtpCipher is not null)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtpSalt, ssrc, index, iv);
            if (cryptexCsrcBytes >= 0)
            {
                // RFC 9335 §5.1: one keystream over CSRCs ‖ extension body ‖ payload.
                CryptexArrange(packet, cryptexCsrcBytes);
                _rtpCipher.Transform(iv, packet[16..]);
                CryptexRestore(packet, cryptexCsrcBytes);
            }
            else
            {
                _rtpCipher.Transform(iv, packet[headerLength..]);
            }
        }

        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        Span<byte> mac = stackalloc byte[HmacSha1.DigestSize];
        _rtpMac.Compute(packet, roc, mac);
        mac[.._rtpTagLength].CopyTo(tag);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, ReadOnlySpan<byte> tag, int cryptexCsrcBytes = -1)
    {
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        Span<byte> mac = stackalloc byte[HmacSha1.DigestSize];
        _rtpMac.Compute(packet, roc, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[.._rtpTagLength], tag[.._rtpTagLength]))
        {
            return false;
        }

        if (_rtpCipher is not null)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtpSalt, ssrc, index, iv);
            if (cryptexCsrcBytes >= 0)
            {
                CryptexArrange(packet, cryptexCsrcBytes);
                _rtpCipher.Transform(iv, packet[16..]);
                CryptexRestore(packet, cryptexCsrcBytes);
            }
            else
            {
                _rtpCipher.Transform(iv, packet[headerLength..]);
            }
        }

        return true;
    }

    public override void ProtectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypt, Span<byte> trailer)
    {
        // RFC 3711 §3.4: header ‖ encrypted part ‖ E‖SRTCP index ‖ tag; the tag covers the index word.
        if (encrypt && _rtcpCipher is not null)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtcpSalt, ssrc, index, iv);
            _rtcpCipher.Transform(iv, packet[8..]);
        }

        BinaryPrimitives.WriteUInt32BigEndian(trailer, index | (encrypt ? 0x8000_0000u : 0));
        Span<byte> mac = stackalloc byte[HmacSha1.DigestSize];
        _rtcpMac.Compute(packet, trailer[..4], mac);
        mac[..10].CopyTo(trailer[4..]);
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, ReadOnlySpan<byte> trailer)
    {
        Span<byte> mac = stackalloc byte[HmacSha1.DigestSize];
        _rtcpMac.Compute(packet, trailer[..4], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..10], trailer.Slice(4, 10)))
        {
            return false;
        }

        if (encrypted && _rtcpCipher is not null)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtcpSalt, ssrc, index, iv);
            _rtcpCipher.Transform(iv, packet[8..]);
        }

        return true;
    }

    public override void Dispose()
    {
        _rtpCipher?.Dispose();
        _rtcpCipher?.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    // RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
    internal static void BuildIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        salt[..SessionSaltLength].CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        uint s = BinaryPrimitives.ReadUInt32BigEndian(iv[4..]) ^ ssrc;
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], s);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]) ^ (index << 16);
        BinaryPrimitives.WriteUInt64BigEndian(iv[8..], low);
    }
}
