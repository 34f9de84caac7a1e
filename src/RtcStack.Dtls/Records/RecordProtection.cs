using System.Buffers.Binary;

namespace RtcStack.Dtls.Records;

/// <summary>
/// The cipher state of one epoch in one direction (RFC 6347 §4.1.2). Epoch 0 is
/// <see cref="NullRecordProtection"/>; later epochs are AEAD (RFC 5246 §6.2.3.3).
/// </summary>
internal abstract class RecordProtection : IDisposable
{
    /// <summary>Gets the bytes a protected record adds to its plaintext (explicit nonce + tag).</summary>
    public abstract int Overhead { get; }

    /// <summary>Protects <paramref name="plaintext"/> into <paramref name="destination"/> (fragment only); returns its length.</summary>
    public abstract int Protect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> plaintext, Span<byte> destination);

    /// <summary>Unprotects a record fragment; false when it does not authenticate.</summary>
    public abstract bool TryUnprotect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> fragment, Span<byte> plaintext, out int written);

    public virtual void Dispose()
    {
    }

    /// <summary>RFC 5246 §6.2.3.3 additional_data: seq_num (epoch ‖ sequence, RFC 6347 §4.1.2.1) ‖ type ‖ version ‖ length.</summary>
    protected static void WriteAdditionalData(Span<byte> aad, ContentType type, ushort version, ushort epoch, ulong seq, int plaintextLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(aad, epoch);
        BinaryPrimitives.WriteUInt16BigEndian(aad[2..], (ushort)(seq >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(aad[4..], (uint)seq);
        aad[8] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(aad[9..], version);
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)plaintextLength);
    }
}
