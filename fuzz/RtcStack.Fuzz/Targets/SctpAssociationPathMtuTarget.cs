namespace RtcStack.Fuzz.Targets;

/// <summary>
/// <see cref="SctpAssociationTarget"/> with RFC 8899 path MTU discovery on both sides: hostile packets meet an association
/// that has probes (HEARTBEAT and PAD chunks, RFC 4820) outstanding, so forged HEARTBEAT ACKs with probe-shaped
/// Heartbeat Info and PAD chunks of any length reach their handlers. Same input format and checks, plus the PLPMTU stays
/// between 64 and MAX_PLPMTU.
/// </summary>
[FuzzTarget("sctp-association-pmtud")]
public sealed class SctpAssociationPathMtuTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => SctpAssociationTarget.Run(data, interleaving: false, pathMtuDiscovery: true);
}
