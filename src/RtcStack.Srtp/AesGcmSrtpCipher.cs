using System.Buffers.Binary;
using System.Security.Cryptography;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Srtp;

/// <summary>
/// AEAD_AES_128_GCM and AEAD_AES_256_GCM for SRTP and SRTCP (RFC 7714 §8 and §9), 16-byte tag.
/// </summary>
internal sealed class AesGcmSrtpCipher : SrtpCipher
{
    private const int SessionSaltLength = 12;
    private readonly AesGcmCore _rtp;
    private readonly AesGcmCore _rtcp;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    internal AesGcmSrtpCipher(ReadOnlySpan<byte> rtpKey, ReadOnlySpan<byte> rtpSalt, ReadOnlySpan<byte> rtcpKey, ReadOnlySpan<byte> rtcpSalt, bool allowIntrinsics)
    {
        _rtp = new AesGcmCore(rtpKey, allowIntrinsics);
        _rtcp = new AesGcmCore(rtcpKey, allowIntrinsics);
        _rtpSalt = rtpSalt[..SessionSaltLength].ToArray();
        _rtcpSalt = rtcpSalt[..SessionSaltLength].ToArray();
    }

    public override int RtpTagLength => AesGcmCore.TagLength;

    public override int RtcpTagLength => AesGcmCore.TagLength;

    public override bool EncryptsRtcp => true;

    public override int RtcpIndexOffset => AesGcmCore.TagLength;

    public override bool UsesIntrinsics => _rtp.UsesIntrinsics;

    public static AesGcmSrtpCipher FromMaster(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool allowIntrinsics)
    {
        _ = profile;
        Span<byte> keys = stackalloc byte[2 * (32 + SessionSaltLength)];
        Span<byte> rtpKey = keys[..masterKey.Length];
        Span<byte> rtpSalt = keys.Slice(32, SessionSaltLength);
        Span<byte> rtcpKey = keys.Slice(32 + SessionSaltLength, masterKey.Length);
        Span<byte> rtcpSalt = keys.Slice(64 + SessionSaltLength, SessionSaltLength);
        using (var prf = new AesCtr(masterKey, allowIntrinsics))
        {
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtpEncryption, rtpKey);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtpSalt, rtpSalt);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtcpEncryption, rtcpKey);
            SrtpKdf.Derive(prf, masterSalt, SrtpKdf.RtcpSalt, rtcpSalt);
        }

        var cipher = new AesGcmSrtpCipher(rtpKey, rtpSalt, rtcpKey, rtcpSalt, allowIntrinsics);
        CryptographicOperations.ZeroMemory(keys);
        return cipher;
    }

    public override void ProtectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, Span<byte> tag, int cryptexCsrcBytes = -1)
    {
        Span<byte> iv = stackalloc byte[12];
        BuildRtpIv(_rtpSalt, ssrc, index, iv);
        if (cryptexCsrcBytes >= 0)
        {
            // RFC 9335 §5.2: AAD is the fixed header and the extension header; the rest is encrypted.
            CryptexArrange(packet, cryptexCsrcBytes);
            _rtp.Seal(iv, packet[..16], default, packet[16..], tag);
            CryptexRestore(packet, cryptexCsrcBytes);
            return;
        }

        _rtp.Seal(iv, packet[..headerLength], default, packet[headerLength..], tag);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, ReadOnlySpan<byte> tag, int cryptexCsrcBytes = -1)
    {
        Span<byte> iv = stackalloc byte[12];
        BuildRtpIv(_rtpSalt, ssrc, index, iv);
        if (cryptexCsrcBytes >= 0)
        {
            // Open leaves the data alone on failure, so restoring the layout restores the packet.
            CryptexArrange(packet, cryptexCsrcBytes);
            bool ok = _rtp.Open(iv, packet[..16], default, packet[16..], tag);
            CryptexRestore(packet, cryptexCsrcBytes);
            return ok;
        }

        return _rtp.Open(iv, packet[..headerLength], default, packet[headerLength..], tag);
    }

    public override void ProtectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypt, Span<byte> trailer)
    {
        // RFC 7714 §9.1: header ‖ ciphertext ‖ tag ‖ E‖SRTCP index. The index word is AAD (§9.2).
        Span<byte> iv = stackalloc byte[12];
        BuildRtcpIv(_rtcpSalt, ssrc, index, iv);
        Span<byte> word = trailer.Slice(AesGcmCore.TagLength, 4);
        BinaryPrimitives.WriteUInt32BigEndian(word, index | (encrypt ? 0x8000_0000u : 0));
        if (encrypt)
        {
            _rtcp.Seal(iv, packet[..8], word, packet[8..], trailer[..AesGcmCore.TagLength]);
        }
        else
        {
            _rtcp.Seal(iv, packet, word, default, trailer[..AesGcmCore.TagLength]);
        }
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, ReadOnlySpan<byte> trailer)
    {
        Span<byte> iv = stackalloc byte[12];
        BuildRtcpIv(_rtcpSalt, ssrc, index, iv);
        ReadOnlySpan<byte> word = trailer.Slice(AesGcmCore.TagLength, 4);
        ReadOnlySpan<byte> tag = trailer[..AesGcmCore.TagLength];
        return encrypted
            ? _rtcp.Open(iv, packet[..8], word, packet[8..], tag)
            : _rtcp.Open(iv, packet, word, default, tag);
    }

    public override void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    // RFC 7714 §8.1: IV = (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt.
    internal static void BuildRtpIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        iv[0] = 0;
        iv[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(iv[6..], (uint)(index >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(iv[10..], (ushort)index);
        for (int i = 0; i < 12; i++)
        {
            iv[i] ^= salt[i];
        }
    }

    // RFC 7714 §9.1: IV = (0x0000 ‖ SSRC ‖ 0x0000 ‖ 0 ‖ SRTCP index) XOR salt.
    internal static void BuildRtcpIv(ReadOnlySpan<byte> salt, uint ssrc, uint index, Span<byte> iv)
    {
        iv[0] = 0;
        iv[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[2..], ssrc);
        iv[6] = 0;
        iv[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[8..], index & 0x7FFF_FFFF);
        for (int i = 0; i < 12; i++)
        {
            iv[i] ^= salt[i];
        }
    }
}
