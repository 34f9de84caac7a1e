using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Extended report, XR (RFC 3611 §2): the sender's SSRC and a list of report blocks, each
/// BT, type-specific byte, 16-bit length in words, body. Typed readers exist for the
/// receiver reference time (<see cref="RtcpXrBlockType.ReceiverReferenceTime"/>) and DLRR
/// (<see cref="RtcpXrBlockType.Dlrr"/>) blocks used for receiver-side RTT (RFC 3611 §4.4, §4.5).
/// </summary>
public readonly ref struct RtcpExtendedReport
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpExtendedReport(ReadOnlySpan<byte> body)
    {
        _body = body;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Reads an XR packet; fails when any block's length runs past the packet.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpExtendedReport report)
    {
        report = default;
        ReadOnlySpan<byte> body = packet.Body;
        if (packet.PacketType != RtcpPacketType.ExtendedReport || body.Length < 4)
        {
            return false;
        }

        int offset = 4;
        while (offset < body.Length)
        {
            if (offset + 4 > body.Length)
            {
                return false;
            }

            int length = 4 + (BinaryPrimitives.ReadUInt16BigEndian(body[(offset + 2)..]) * 4);
            if (length > body.Length - offset)
            {
                return false;
            }

            offset += length;
        }

        report = new RtcpExtendedReport(body);
        return true;
    }

    /// <summary>Returns an enumerator over the report blocks.</summary>
    public Enumerator GetEnumerator() => new(_body);

    /// <summary>Walks the blocks of a validated XR packet.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _body;
        private int _offset;
        private RtcpXrBlock _current;

        internal Enumerator(ReadOnlySpan<byte> body)
        {
            _body = body;
            _offset = 4;
        }

        /// <summary>Gets the current block.</summary>
        public readonly RtcpXrBlock Current => _current;

        /// <summary>Advances to the next block.</summary>
        public bool MoveNext()
        {
            if (_offset + 4 > _body.Length)
            {
                return false;
            }

            int length = 4 + (BinaryPrimitives.ReadUInt16BigEndian(_body[(_offset + 2)..]) * 4);
            _current = new RtcpXrBlock(_body.Slice(_offset, length));
            _offset += length;
            return true;
        }
    }
}
