namespace RtcStack.Fuzz.Targets;

/// <summary>
/// <see cref="SctpAssociationTarget"/> with user message interleaving negotiated (RFC 8260): hostile I-DATA reassembly
/// by (stream, U, MID) and FSN, I-FORWARD-TSN entries, and DATA / FORWARD TSN arriving where I-DATA was agreed (which
/// must abort, not throw). Same input format and the same checks.
/// </summary>
[FuzzTarget("sctp-association-idata")]
public sealed class SctpAssociationIDataTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => SctpAssociationTarget.Run(data, interleaving: true);
}
