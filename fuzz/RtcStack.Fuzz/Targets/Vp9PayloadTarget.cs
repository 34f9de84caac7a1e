using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// VP9 payload descriptors (RFC 9628 §4.2, §4.2.1) from hostile bytes: records <c>kind, length, bytes</c> go to one
/// <see cref="Vp9Depacketizer"/> (kind bit 1 resets it first), and with kind bit 2 the bytes are also packetized as a
/// frame (flexible mode when bit 3 is set) and depacketized again. It checks that the descriptor reader, the header
/// reader and the depacketizer agree, that the frame data written is exactly what follows the descriptor, that the
/// scalability structure's entries lie inside it, and that a packetized frame comes back unchanged.
/// </summary>
[FuzzTarget("vp9-payload")]
public sealed class Vp9PayloadTarget : IFuzzTarget
{
    private readonly byte[] _output = new byte[70000];
    private readonly byte[] _packet = new byte[1500];
    private Vp9Depacketizer? _depacketizer;
    private Vp9Packetizer? _packetizer;

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        _depacketizer ??= new Vp9Depacketizer();
        _packetizer ??= new Vp9Packetizer();
        _depacketizer.Reset();
        while (data.Length >= 2)
        {
            byte kind = data[0];
            int length = Math.Min(data[1], data.Length - 2);
            ReadOnlySpan<byte> record = data.Slice(2, length);
            data = data[(2 + length)..];
            if ((kind & 2) != 0)
            {
                _depacketizer.Reset();
            }

            bool parsed = Vp9PayloadDescriptor.TryParse(record, out Vp9PayloadDescriptor d);
            bool header = _depacketizer.TryReadHeader(record, out VideoPayloadHeader h);
            int written = _depacketizer.WriteFrameData(record, _output);
            if (parsed != header || (!parsed && written != -1) || written < -1)
            {
                throw new InvalidOperationException("descriptor, header and depacketizer disagree");
            }

            if (parsed)
            {
                if (h.FrameStart != d.StartOfFrame || h.PictureId != d.PictureId || d.Length >= record.Length)
                {
                    throw new InvalidOperationException("header fields differ from the descriptor");
                }

                if (written >= 0 && (written != record.Length - d.Length || !_output.AsSpan(0, written).SequenceEqual(record[d.Length..])))
                {
                    throw new InvalidOperationException("frame data is not what follows the descriptor");
                }

                if (d.HasScalabilityStructure)
                {
                    CheckStructure(record.Slice(d.ScalabilityStructureOffset, d.ScalabilityStructureLength));
                }
            }

            if ((kind & 4) != 0 && !record.IsEmpty)
            {
                RoundTrip(record, (kind & 8) != 0, (kind >> 4) + 20);
            }
        }
    }

    private static void CheckStructure(ReadOnlySpan<byte> bytes)
    {
        if (!Vp9ScalabilityStructure.TryParse(bytes, out Vp9ScalabilityStructure ss) || ss.Length != bytes.Length)
        {
            throw new InvalidOperationException("the structure the descriptor found does not parse alone");
        }

        for (int layer = 0; layer < ss.SpatialLayerCount; layer++)
        {
            ss.GetWidth(layer);
            ss.GetHeight(layer);
        }

        for (int i = 0; i < ss.PictureGroupSize; i++)
        {
            if (!ss.TryGetPictureGroupEntry(i, out Vp9PictureGroupEntry entry) || entry.ReferenceCount > 3)
            {
                throw new InvalidOperationException("picture group entry missing");
            }
        }
    }

    private void RoundTrip(ReadOnlySpan<byte> frame, bool flexible, int maxPayloadSize)
    {
        _packetizer!.FlexibleMode = flexible;
        _packetizer.MaxPayloadSize = maxPayloadSize;
        if (_packetizer.Push(frame.ToArray(), keyFrame: (frame[0] & 1) != 0) != VideoPacketizeStatus.Ok)
        {
            return;
        }

        var depacketizer = new Vp9Depacketizer();
        int length = 0;
        while (_packetizer.TryPoll(_packet, out VideoRtpPayload payload))
        {
            int n = depacketizer.WriteFrameData(_packet.AsSpan(0, payload.Length), _output.AsSpan(length));
            if (n < 0)
            {
                throw new InvalidOperationException("a packetized payload was refused");
            }

            length += n;
        }

        if (!_output.AsSpan(0, length).SequenceEqual(frame))
        {
            throw new InvalidOperationException("the frame changed");
        }
    }
}
