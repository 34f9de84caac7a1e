using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// AV1 RTP payloads (AV1 RTP §4.4-§5) and Dependency Descriptors (Appendix A.8) from hostile bytes. The input is a
/// sequence of records <c>kind, length, bytes</c>: kind bit 0 sends the bytes to the <see cref="DependencyDescriptorReader"/>
/// (which keeps its structure from record to record), otherwise to the <see cref="Av1Depacketizer"/> (which keeps
/// fragments from record to record); bit 1 resets the depacketizer first; bit 2 also pushes the bytes to an
/// <see cref="Av1Packetizer"/> as a temporal unit and depacketizes what it polls. Beyond "no exception" it checks:
/// a payload <c>TryReadHeader</c> refuses is refused by <c>WriteFrameData</c> too, the output is a well-formed
/// low-overhead OBU stream (every OBU with obu_size, in bounds), and a descriptor read as Ok agrees with its structure.
/// </summary>
[FuzzTarget("av1-payload")]
public sealed class Av1PayloadTarget : IFuzzTarget
{
    private readonly byte[] _output = new byte[70000];
    private readonly byte[] _packet = new byte[1500];
    private Av1Depacketizer? _depacketizer;
    private Av1Depacketizer? _roundTrip;
    private Av1Packetizer? _packetizer;
    private DependencyDescriptorReader? _reader;
    private DependencyDescriptor? _descriptor;

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        _depacketizer ??= new Av1Depacketizer { MaxObuSize = 65536 };
        _roundTrip ??= new Av1Depacketizer();
        _packetizer ??= new Av1Packetizer();
        _reader ??= new DependencyDescriptorReader();
        _descriptor ??= new DependencyDescriptor();
        _depacketizer.Reset();
        _reader.Reset();
        while (data.Length >= 2)
        {
            byte kind = data[0];
            int length = Math.Min(data[1], data.Length - 2);
            ReadOnlySpan<byte> record = data.Slice(2, length);
            data = data[(2 + length)..];
            if ((kind & 1) != 0)
            {
                CheckDescriptor(record);
                continue;
            }

            if ((kind & 2) != 0)
            {
                _depacketizer.Reset();
            }

            bool header = _depacketizer.TryReadHeader(record, out _);
            int written = _depacketizer.WriteFrameData(record, _output.AsSpan(0, 1 + (kind >> 3) * 300));
            if (written == -2)
            {
                written = _depacketizer.WriteFrameData(record, _output);
            }

            if (written < -1 || written > _output.Length || (!header && written != -1))
            {
                throw new InvalidOperationException($"WriteFrameData returned {written} (TryReadHeader said {header})");
            }

            if (written > 0)
            {
                CheckObuStream(_output.AsSpan(0, written));
            }

            if ((kind & 4) != 0)
            {
                RoundTrip(record, (kind >> 3) + 20);
            }
        }
    }

    private void CheckDescriptor(ReadOnlySpan<byte> record)
    {
        DependencyDescriptorStatus status = _reader!.Read(record, _descriptor!);
        if (status == DependencyDescriptorStatus.Ok)
        {
            FrameDependencyStructure structure = _reader.Structure ?? throw new InvalidOperationException("Ok without a structure");
            if (_descriptor!.DecodeTargetIndications.Length != structure.DecodeTargetCount
                || _descriptor.ChainDiffs.Length != structure.ChainCount
                || _descriptor.SpatialId > structure.MaxSpatialId
                || _descriptor.TemporalId > structure.MaxTemporalId)
            {
                throw new InvalidOperationException("descriptor disagrees with its structure");
            }
        }
        else if (status is not (DependencyDescriptorStatus.TooShort or DependencyDescriptorStatus.Malformed
            or DependencyDescriptorStatus.NoStructure or DependencyDescriptorStatus.UnknownTemplate))
        {
            throw new InvalidOperationException($"status {status}");
        }
    }

    private void RoundTrip(ReadOnlySpan<byte> unit, int maxPayloadSize)
    {
        _packetizer!.MaxPayloadSize = maxPayloadSize;
        if (_packetizer.Push(unit.ToArray(), keyFrame: false) != VideoPacketizeStatus.Ok)
        {
            return;
        }

        _roundTrip!.Reset();
        int length = 0;
        while (_packetizer.TryPoll(_packet, out VideoRtpPayload payload))
        {
            ReadOnlySpan<byte> p = _packet.AsSpan(0, payload.Length);
            int n = _roundTrip.WriteFrameData(p, _output.AsSpan(length));
            if (payload.Length > maxPayloadSize || !_roundTrip.TryReadHeader(p, out _) || n < 0)
            {
                throw new InvalidOperationException($"a packetized payload was refused ({n})");
            }

            length += n;
        }

        CheckObuStream(_output.AsSpan(0, length));
    }

    // Every OBU: forbidden bit 0, obu_has_size_field 1, a leb128 obu_size that stays inside the output.
    private static void CheckObuStream(ReadOnlySpan<byte> stream)
    {
        int position = 0;
        while (position < stream.Length)
        {
            byte header = stream[position];
            if ((header & 0x80) != 0 || (header & 0x02) == 0)
            {
                throw new InvalidOperationException($"bad OBU header {header:X2} at {position}");
            }

            position += (header & 0x04) != 0 ? 2 : 1;
            ulong size = 0;
            int shift = 0;
            while (true)
            {
                if (position >= stream.Length || shift > 56)
                {
                    throw new InvalidOperationException("obu_size runs out");
                }

                byte b = stream[position++];
                size |= (ulong)(b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            if (size > (ulong)(stream.Length - position))
            {
                throw new InvalidOperationException("OBU runs past the output");
            }

            position += (int)size;
        }
    }
}
