using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 5288 §3 AES-GCM records: nonce = 4-byte implicit salt ‖ 8-byte explicit nonce carried in
/// the record (we use epoch ‖ sequence number, which never repeats under one key).
/// </summary>
internal sealed class AesGcmRecordProtection : RecordProtection
{
    private const int ExplicitNonceLength = 8;
    private const int TagLength = 16;
    private readonly AesGcm _aes;
    private readonly byte[] _salt;

    public AesGcmRecordProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _aes = new AesGcm(key, TagLength);
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
        nonce[4..].CopyTo(destination);
        _aes.Encrypt(nonce, plaintext, destination.Slice(ExplicitNonceLength, plaintext.Length), destination.Slice(ExplicitNonceLength + plaintext.Length, TagLength), aad);
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
        try
        {
            _aes.Decrypt(nonce, fragment.Slice(ExplicitNonceLength, len), fragment.Slice(ExplicitNonceLength + len, TagLength), plaintext[..len], aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        written = len;
        return true;
    }

    public override void Dispose() => _aes.Dispose();
}
