namespace RtcStack.Fuzz.Targets;

/// <summary>
/// <see cref="SctpAssociationTarget"/> with I-DATA and RFC 9653 zero checksums agreed by both sides: hostile packets
/// reach the chunk handlers with a zero checksum field (header bit 1 now writes zero rather than the CRC32c), including
/// INIT and COOKIE ECHO, which must still be dropped unless their CRC32c is right. Same input format and checks.
/// </summary>
[FuzzTarget("sctp-association-zero-checksum")]
public sealed class SctpAssociationZeroChecksumTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => SctpAssociationTarget.Run(data, interleaving: true, zeroChecksum: true);
}
