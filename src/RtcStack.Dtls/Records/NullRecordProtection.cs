namespace RtcStack.Dtls.Records;

/// <summary>Epoch 0: TLS_NULL_WITH_NULL_NULL (RFC 5246 §6.1), records in the clear.</summary>
internal sealed class NullRecordProtection : RecordProtection
{
    public static readonly NullRecordProtection Instance = new();

    public override int Overhead => 0;

    public override int Protect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        plaintext.CopyTo(destination);
        return plaintext.Length;
    }

    public override bool TryUnprotect(ContentType type, ushort version, ushort epoch, ulong seq, ReadOnlySpan<byte> fragment, Span<byte> plaintext, out int written)
    {
        fragment.CopyTo(plaintext);
        written = fragment.Length;
        return true;
    }
}
