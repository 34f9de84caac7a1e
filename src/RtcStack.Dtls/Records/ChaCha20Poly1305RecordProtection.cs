using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 7905 §2 ChaCha20-Poly1305 records: no explicit nonce; nonce = 12-byte IV XOR the
/// left-padded 64-bit epoch ‖ sequence number.
/// </summary>
internal sealed class ChaCha20Poly1305RecordProtection : RecordProtection
{
    private const int TagLength = 16;
    private readonly ChaCha20Poly1305 _aead;
    private readonly byte[] _iv;

    public ChaCha20Poly1305RecordProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        _aead = new ChaCha20Poly1305(key);
        _iv = iv.ToArray();
    }

    public override int Overhead => TagLength;

    public override int Protect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(nonce, epoch, seq);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, type, version, epoch, seq, plaintext.Length);
        _aead.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagLength), aad);
        return plaintext.Length + TagLength;
    }

    public override bool TryUnprotect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> fragment, Span<byte> plaintext, out int written)
    {
        written = 0;
        int len = fragment.Length - TagLength;
        if (len < 0)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(nonce, epoch, seq);
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, type, version, epoch, seq, len);
        try
        {
            _aead.Decrypt(nonce, fragment[..len], fragment.Slice(len, TagLength), plaintext[..len], aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        written = len;
        return true;
    }

    public override void Dispose() => _aead.Dispose();

    private void MakeNonce(Span<byte> nonce, ushort epoch, ulong seq)
    {
        _iv.CopyTo(nonce);
        ulong s = ((ulong)epoch << 48) | seq;
        ulong x = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ s;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], x);
    }
}
