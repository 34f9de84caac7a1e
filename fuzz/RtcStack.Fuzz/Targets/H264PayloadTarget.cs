using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// H.264 payloads (RFC 6184: single NAL unit, STAP-A, FU-A, and the refused interleaved types): <see cref="H264Depacketizer"/>
/// and <see cref="VideoFrameAssembler"/> on hostile packet sequences, and Annex B → packetize → assemble fixed points;
/// see <see cref="VideoPayloadFuzzInput"/> for the input layout and the invariants checked.
/// </summary>
[FuzzTarget("h264-payload")]
public sealed class H264PayloadTarget : IFuzzTarget
{
    private readonly VideoPayloadFuzzInput _input = new(() => new H264Depacketizer(), () => new H264Packetizer());

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data) => _input.Run(data);
}
