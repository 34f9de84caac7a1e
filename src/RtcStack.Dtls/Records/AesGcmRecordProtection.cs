using System.Buffers.Binary;
using RtcStack.Crypto;

namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 5288 §3 AES-GCM records: nonce = 4-byte implicit salt ‖ 8-byte explicit nonce carried in
/// the record (we use epoch ‖ sequence number, which never repeats under one key). AES-GCM is
/// <see cref="AesGcmCore"/> (AES-NI and PCLMULQDQ, or .NET's AesGcm without them), as in SRTP.
/// </summary>
internal sealed class AesGcmRecordProtection : RecordProtection
{
    private const int ExplicitNonceLength = 8;
    private const int TagLength = 16;
    private readonly AesGcmCore _aes;
    private readonly byte[] _salt;

    public AesGcmRecordProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _aes = new AesGcmCore(key);
        _salt = salt.ToArray();
    }

    public override int Overhead => ExplicitNonceLength + TagLength;

    public override int Protect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[12];
        _salt.CopyTo(nonce);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[4..], epoch);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[6..], (ushort)(seq >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], (uint)seq);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, type, version, epoch, seq, plaintext.Length);
        Span<byte> body = destination.Slice(ExplicitNonceLength, plaintext.Length);
        plaintext.CopyTo(body);
        nonce[4..].CopyTo(destination);
        _aes.Seal(nonce, aad, default, body, destination.Slice(ExplicitNonceLength + plaintext.Length, TagLength));
        return plaintext.Length + Overhead;
    }

    public override bool TryUnprotect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> fragment, Span<byte> plaintext, out int written)
    {
        written = 0;
        int len = fragment.Length - Overhead;
        if (len < 0)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[12];
        _salt.CopyTo(nonce);
        fragment[..ExplicitNonceLength].CopyTo(nonce[4..]);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, type, version, epoch, seq, len);
        if (plaintext.Length < len)
        {
            return false;
        }

        // Decrypted in place in the caller's buffer; the tag is checked before anything is decrypted.
        fragment.Slice(ExplicitNonceLength, len).CopyTo(plaintext);
        if (!_aes.Open(nonce, aad, default, plaintext[..len], fragment.Slice(ExplicitNonceLength + len, TagLength)))
        {
            return false;
        }

        written = len;
        return true;
    }

    public override void Dispose() => _aes.Dispose();
}
