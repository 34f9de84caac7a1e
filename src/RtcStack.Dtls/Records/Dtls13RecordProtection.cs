using System.Buffers.Binary;
using RtcStack.Crypto;

namespace RtcStack.Dtls.Records;

/// <summary>
/// The protection of one DTLS 1.3 epoch in one direction: AES-GCM (TLS_AES_128_GCM_SHA256,
/// TLS_AES_256_GCM_SHA384) with the RFC 8446 §5.3 per-record nonce (static IV XOR the 64-bit
/// sequence number, without the epoch: RFC 9147 §4), the RFC 8446 §5.2 inner plaintext (content ‖
/// type ‖ zero padding), the unified header as additional data before record-number encryption
/// (RFC 9147 §4), and the RFC 9147 §4.2.3 record-number mask AES-ECB(sn_key, ciphertext[0..15]).
/// AES-GCM and the mask's AES block run on <see cref="AesGcmCore"/> and <see cref="AesCtr"/> (AES-NI and
/// PCLMULQDQ, as in SRTP; .NET's AES without them).
/// </summary>
internal sealed class Dtls13RecordProtection : IDisposable
{
    public const int TagLength = 16;

    private readonly AesGcmCore _aead;
    private readonly AesCtr _sn;
    private readonly byte[] _iv;

    public Dtls13RecordProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> snKey)
    {
        _aead = new AesGcmCore(key);
        _iv = iv.ToArray();
        _sn = new AesCtr(snKey);
    }

    /// <summary>Gets the bytes a record adds to its content: header, type byte, tag.</summary>
    public static int Overhead => Dtls13Record.WrittenHeaderLength + 1 + TagLength;

    /// <summary>
    /// Writes one record (unified header with S and L set, 16-bit sequence number) carrying
    /// <paramref name="content"/> of <paramref name="type"/> into <paramref name="destination"/>;
    /// returns its length.
    /// </summary>
    public int Write(Span<byte> destination, ulong epoch, ulong seq, ContentType type, ReadOnlySpan<byte> content)
    {
        int inner = content.Length + 1;
        int length = inner + TagLength;
        destination[0] = (byte)(0x2C | (int)(epoch & 3));
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)seq);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)length);
        Span<byte> body = destination.Slice(Dtls13Record.WrittenHeaderLength, inner);
        content.CopyTo(body);
        body[^1] = (byte)type;
        Span<byte> nonce = stackalloc byte[12];
        Nonce(seq, nonce);
        _aead.Seal(nonce, destination[..Dtls13Record.WrittenHeaderLength], default, body, destination.Slice(Dtls13Record.WrittenHeaderLength + inner, TagLength));
        Span<byte> mask = stackalloc byte[16];
        _sn.EncryptBlock(destination.Slice(Dtls13Record.WrittenHeaderLength, 16), mask);
        destination[1] ^= mask[0];
        destination[2] ^= mask[1];
        return Dtls13Record.WrittenHeaderLength + length;
    }

    /// <summary>Removes the record-number mask and rebuilds the full sequence number (RFC 9147 §4.2.2) nearest <paramref name="expected"/>.</summary>
    public ulong DecryptSequenceNumber(in Dtls13Record record, ulong expected)
    {
        Span<byte> mask = stackalloc byte[16];
        _sn.EncryptBlock(record.Ciphertext[..16], mask);
        if (record.LongSequenceNumber)
        {
            int low = ((record.Header[1] ^ mask[0]) << 8) | (record.Header[2] ^ mask[1]);
            return Dtls13Record.ReconstructSequenceNumber(expected, low, 16);
        }

        return Dtls13Record.ReconstructSequenceNumber(expected, record.Header[1] ^ mask[0], 8);
    }

    /// <summary>
    /// Decrypts <paramref name="record"/> as sequence number <paramref name="seq"/> (from
    /// <see cref="DecryptSequenceNumber"/>) into <paramref name="plaintext"/>; false when it does
    /// not authenticate or the inner plaintext holds no content type (RFC 8446 §5.4).
    /// </summary>
    public bool TryDecrypt(in Dtls13Record record, ulong seq, Span<byte> plaintext, out ContentType type, out int length)
    {
        type = default;
        length = 0;
        int inner = record.Ciphertext.Length - TagLength;
        if (inner < 1 || plaintext.Length < inner)
        {
            return false;
        }

        // The additional data is the header with the sequence number in the clear.
        Span<byte> aad = stackalloc byte[record.Header.Length];
        record.Header.CopyTo(aad);
        if (record.LongSequenceNumber)
        {
            aad[1] = (byte)(seq >> 8);
            aad[2] = (byte)seq;
        }
        else
        {
            aad[1] = (byte)seq;
        }

        Span<byte> nonce = stackalloc byte[12];
        Nonce(seq, nonce);
        // Decrypted in place in the caller's buffer; the tag is checked before anything is decrypted.
        record.Ciphertext[..inner].CopyTo(plaintext);
        if (!_aead.Open(nonce, aad, default, plaintext[..inner], record.Ciphertext[inner..]))
        {
            return false;
        }

        // RFC 8446 §5.4: the type is the last non-zero byte; all zeros is an error.
        int i = inner - 1;
        while (i >= 0 && plaintext[i] == 0)
        {
            i--;
        }

        if (i < 0)
        {
            return false;
        }

        type = (ContentType)plaintext[i];
        length = i;
        return true;
    }

    public void Dispose()
    {
        _aead.Dispose();
        _sn.Dispose();
    }

    private void Nonce(ulong seq, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        ulong x = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ seq;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], x);
    }
}
