using RtcStack.Video;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// H.265 RTP payloads (RFC 7798 §4.4) from hostile bytes: records <c>kind, length, bytes</c> go to one
/// <see cref="H265Depacketizer"/> (kind bit 1 resets it first; fragmentation units continue from record to record);
/// with kind bit 2 the bytes are also pushed to an <see cref="H265Packetizer"/> as an access unit and the payloads
/// depacketized again. It checks that a payload the header reader refuses is refused by the depacketizer, that the
/// output is Annex B (it begins with a start code), and that a packetized access unit is accepted all the way.
/// </summary>
[FuzzTarget("h265-payload")]
public sealed class H265PayloadTarget : IFuzzTarget
{
    private readonly byte[] _output = new byte[70000];
    private readonly byte[] _packet = new byte[1500];
    private H265Depacketizer? _depacketizer;
    private H265Packetizer? _packetizer;

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        _depacketizer ??= new H265Depacketizer();
        _packetizer ??= new H265Packetizer();
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

            bool header = _depacketizer.TryReadHeader(record, out _);
            int written = _depacketizer.WriteFrameData(record, _output);
            if (written < -1 || (!header && written != -1))
            {
                throw new InvalidOperationException($"WriteFrameData returned {written} (TryReadHeader said {header})");
            }

            bool fragment = record.Length >= 3 && ((record[0] >> 1) & 0x3F) == 49;
            bool startsNal = !fragment || (record[2] & 0x80) != 0;
            if (written > 0 && startsNal && !_output.AsSpan(0, 4).SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0, 1]))
            {
                throw new InvalidOperationException("output does not start with a start code");
            }

            if (written == 0)
            {
                throw new InvalidOperationException("an accepted payload wrote nothing (every structure carries data)");
            }
            if ((kind & 4) != 0)
            {
                RoundTrip(record, (kind >> 3) + 20);
            }
        }
    }

    private void RoundTrip(ReadOnlySpan<byte> unit, int maxPayloadSize)
    {
        _packetizer!.MaxPayloadSize = maxPayloadSize;
        if (_packetizer.Push(unit.ToArray(), keyFrame: false) != VideoPacketizeStatus.Ok)
        {
            return;
        }

        var depacketizer = new H265Depacketizer();
        while (_packetizer.TryPoll(_packet, out VideoRtpPayload payload))
        {
            ReadOnlySpan<byte> p = _packet.AsSpan(0, payload.Length);
            if (payload.Length > maxPayloadSize || !depacketizer.TryReadHeader(p, out _) || depacketizer.WriteFrameData(p, _output) < 0)
            {
                throw new InvalidOperationException("a packetized payload was refused");
            }
        }
    }
}
