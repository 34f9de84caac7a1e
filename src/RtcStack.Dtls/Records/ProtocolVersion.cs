namespace RtcStack.Dtls.Records;

/// <summary>RFC 6347 §4.1 / RFC 9147 §5.3: on-the-wire DTLS versions (one's complement of the TLS numbers).</summary>
internal static class ProtocolVersion
{
    public const ushort Dtls10 = 0xFEFF;
    public const ushort Dtls12 = 0xFEFD;
    public const ushort Dtls13 = 0xFEFC;
}
