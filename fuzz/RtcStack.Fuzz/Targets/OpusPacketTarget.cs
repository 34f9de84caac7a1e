using RtcStack.Opus;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// RFC 6716 §3 packet parser, frame-header inspection (range decoder, SILK/CELT flags),
/// repacketizer and pad/unpad on arbitrary bytes. Beyond "no exception", it checks invariants:
/// frames lie inside the packet, and a valid packet survives merge, split and padding unchanged.
/// </summary>
[FuzzTarget("opus-packet")]
public sealed class OpusPacketTarget : IFuzzTarget
{
    private readonly byte[] _output = new byte[70000];

    // Created on first use: under AFL, instrumented RtcStack.Opus code must not run before the
    // fuzzer has set up its shared memory (the host constructs the requested target inside
    // SharpFuzz's callback, but the constructor stays free of instrumented code regardless).
    private OpusRepacketizer? _repacketizer;

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        _repacketizer ??= new OpusRepacketizer();
        OpusPacket.GetFrameCount(data);
        OpusPacket.GetSampleCount(data);
        OpusPacketStatus status = OpusPacketInspector.Inspect(data, out _);
        if (OpusPacket.Parse(data, out OpusPacket packet) != status)
        {
            throw new InvalidOperationException("Inspect and Parse disagree");
        }

        if (status != OpusPacketStatus.Valid)
        {
            if (_repacketizer.TryAdd(data) == OpusRepacketizerStatus.Added)
            {
                throw new InvalidOperationException("repacketizer accepted an invalid packet");
            }

            return;
        }

        int total = packet.HeaderLength + packet.PaddingLength;
        for (int i = 0; i < packet.FrameCount; i++)
        {
            total += packet.GetFrameLength(i);
        }

        if (total > data.Length || packet.SampleCount > OpusPacket.MaxPacketSamples)
        {
            throw new InvalidOperationException("frames exceed the packet");
        }

        _repacketizer.Reset();
        if (_repacketizer.TryAdd(data) != OpusRepacketizerStatus.Added || !_repacketizer.TryWrite(_output, out int written))
        {
            throw new InvalidOperationException("a valid packet could not be repacketized");
        }

        if (!OpusPacket.TryParse(_output.AsSpan(0, written), out OpusPacket again) || again.FrameCount != packet.FrameCount)
        {
            throw new InvalidOperationException("repacketized packet differs");
        }

        for (int i = 0; i < packet.FrameCount; i++)
        {
            if (!again.GetFrame(i).SequenceEqual(packet.GetFrame(i)))
            {
                throw new InvalidOperationException("frame data changed");
            }
        }

        int padded = Math.Min(_output.Length, written + (data.Length % 300));
        if (OpusRepacketizer.Pad(_output, written, padded) != OpusPacketStatus.Valid || OpusRepacketizer.Unpad(_output.AsSpan(0, padded)) != written)
        {
            throw new InvalidOperationException("pad/unpad is not an identity");
        }
    }
}
