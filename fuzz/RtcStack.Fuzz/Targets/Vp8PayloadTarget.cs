using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// VP8 payloads (RFC 7741): <see cref="Vp8Depacketizer"/> and <see cref="VideoFrameAssembler"/> on hostile packet
/// sequences, and packetize → assemble round trips; see <see cref="VideoPayloadFuzzInput"/> for the input layout and
/// the invariants checked.
/// </summary>
[FuzzTarget("vp8-payload")]
public sealed class Vp8PayloadTarget : IFuzzTarget
{
    private readonly VideoPayloadFuzzInput _input = new(() => new Vp8Depacketizer(), () => new Vp8Packetizer());

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => _input.Run(data);
}
