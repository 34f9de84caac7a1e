using System.Buffers.Binary;

namespace RtcStack.Video;

/// <summary>
/// Reads H.264 RTP payloads (RFC 6184 §5) of packetization-mode 0 and 1: single NAL unit packets (§5.6), STAP-A
/// (§5.7.1) and FU-A (§5.8), and writes the NAL units they carry in Annex B form, each after a 4-byte start code
/// 00 00 00 01. FU-A fragments are joined across payloads: the start fragment rebuilds the NAL unit header from the FU
/// indicator (F, NRI) and FU header (type), and a fragment that does not continue the NAL unit in progress is refused.
/// STAP-B, MTAP16, MTAP24 and FU-B (interleaved mode only) and the undefined types 0, 30 and 31 are refused as
/// malformed, which a receiver of mode 0 or 1 may do (§5.2: such payloads are ignored).
/// </summary>
public sealed class H264Depacketizer : IVideoDepacketizer
{
    private const int StartCodeLength = 4;

    private bool _inFragment;
    private int _fragmentType;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.H264;

    /// <inheritdoc/>
    /// <remarks>
    /// FrameStart: the first NAL unit the payload carries (or starts, for an FU-A with S = 1) can begin an access unit
    /// (an access unit delimiter, SPS, PPS, SEI, or a slice with first_mb_in_slice = 0; ITU-T H.264 §7.4.1.2.3).
    /// KeyFrame: the payload carries an SPS or (part of) an IDR slice. False for a payload that is too short, a
    /// STAP-A whose sizes do not add up to its length or that holds an empty or non-H.264 NAL unit, an FU-A with both
    /// S and E set (§5.8 forbids it) or of a type outside 1-23, and the packet types this receiver does not support.
    /// </remarks>
    public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header)
    {
        header = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = H264NalUnit.Type(payload[0]);
        if (H264NalUnit.IsH264Type(type))
        {
            int next = payload.Length > 1 ? payload[1] : -1;
            header = new VideoPayloadHeader(H264NalUnit.CanStartAccessUnit(type, next), false, H264NalUnit.IsKeyFrameType(type));
            return true;
        }

        if (type == H264NalUnit.StapA)
        {
            bool start = false;
            bool key = false;
            int offset = 1;
            if (payload.Length < 1 + 2 + 1)
            {
                return false;
            }

            while (offset < payload.Length)
            {
                if (payload.Length - offset < 2)
                {
                    return false;
                }

                int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                offset += 2;
                if (size == 0 || size > payload.Length - offset)
                {
                    return false;
                }

                int inner = H264NalUnit.Type(payload[offset]);
                if (!H264NalUnit.IsH264Type(inner))
                {
                    return false;
                }

                if (offset == 3)
                {
                    start = H264NalUnit.CanStartAccessUnit(inner, size > 1 ? payload[offset + 1] : -1);
                }

                key |= H264NalUnit.IsKeyFrameType(inner);
                offset += size;
            }

            header = new VideoPayloadHeader(start, false, key);
            return true;
        }

        if (type == H264NalUnit.FuA)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte fu = payload[1];
            bool s = (fu & 0x80) != 0;
            bool e = (fu & 0x40) != 0;
            int inner = fu & 0x1F;
            if ((s && e) || !H264NalUnit.IsH264Type(inner))
            {
                return false;
            }

            bool start = s && H264NalUnit.CanStartAccessUnit(inner, payload.Length > 2 ? payload[2] : -1);
            header = new VideoPayloadHeader(start, false, H264NalUnit.IsKeyFrameType(inner));
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.IsEmpty)
        {
            return -1;
        }

        int type = H264NalUnit.Type(payload[0]);
        if (H264NalUnit.IsH264Type(type))
        {
            if (_inFragment)
            {
                return -1;
            }

            return WriteNal(payload, destination, 0);
        }

        if (type == H264NalUnit.StapA)
        {
            if (_inFragment || !TryReadHeader(payload, out _))
            {
                return -1;
            }

            int written = 0;
            int offset = 1;
            while (offset < payload.Length)
            {
                int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                offset += 2;
                int n = WriteNal(payload.Slice(offset, size), destination, written);
                if (n < 0)
                {
                    return n;
                }

                written += n;
                offset += size;
            }

            return written;
        }

        if (type == H264NalUnit.FuA)
        {
            if (!TryReadHeader(payload, out _))
            {
                return -1;
            }

            byte fu = payload[1];
            bool start = (fu & 0x80) != 0;
            bool end = (fu & 0x40) != 0;
            int inner = fu & 0x1F;
            ReadOnlySpan<byte> body = payload[2..];
            if (start)
            {
                if (_inFragment)
                {
                    return -1;
                }

                if (destination.Length < StartCodeLength + 1 + body.Length)
                {
                    return -2;
                }

                WriteStartCode(destination);
                destination[StartCodeLength] = (byte)((payload[0] & 0xE0) | inner);
                body.CopyTo(destination[(StartCodeLength + 1)..]);
                _inFragment = true;
                _fragmentType = inner;
                return StartCodeLength + 1 + body.Length;
            }

            if (!_inFragment || inner != _fragmentType)
            {
                return -1;
            }

            if (destination.Length < body.Length)
            {
                return -2;
            }

            body.CopyTo(destination);
            if (end)
            {
                _inFragment = false;
            }

            return body.Length;
        }

        return -1;
    }

    /// <inheritdoc/>
    public void Reset() => _inFragment = false;

    private static int WriteNal(ReadOnlySpan<byte> nal, Span<byte> destination, int offset)
    {
        if (destination.Length - offset < StartCodeLength + nal.Length)
        {
            return -2;
        }

        WriteStartCode(destination[offset..]);
        nal.CopyTo(destination[(offset + StartCodeLength)..]);
        return StartCodeLength + nal.Length;
    }

    private static void WriteStartCode(Span<byte> destination)
    {
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = 0;
        destination[3] = 1;
    }
}
