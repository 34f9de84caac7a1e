using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// RTP Control Protocol congestion control feedback, RFC 8888 §3.1: RTPFB FMT 11. The sender SSRC,
/// then per RTP stream a report block (SSRC, begin_seq, num_reports, one 16-bit metric per packet,
/// padded to 32 bits), then the report timestamp (middle 32 bits of NTP).
/// </summary>
/// <remarks>
/// Unlike the other feedback messages, RFC 8888 has no media source SSRC field: the word after the
/// sender SSRC is already the first report block. <see cref="TryParse"/> checks that the blocks
/// tile the packet exactly.
/// </remarks>
public readonly ref struct CongestionControlFeedback
{
    /// <summary>RFC 8888 §3.1: a report block MUST NOT carry more than 16384 metric blocks.</summary>
    public const int MaxReportsPerBlock = 16384;

    private readonly ReadOnlySpan<byte> _blocks;

    private CongestionControlFeedback(uint senderSsrc, ReadOnlySpan<byte> blocks, uint reportTimestamp, int blockCount)
    {
        SenderSsrc = senderSsrc;
        _blocks = blocks;
        ReportTimestamp = reportTimestamp;
        BlockCount = blockCount;
    }

    /// <summary>Gets the SSRC of the feedback sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>Gets the report timestamp (RTS): the middle 32 bits of the NTP time the report was generated (RFC 8888 §3.1).</summary>
    public uint ReportTimestamp { get; }

    /// <summary>Gets the number of per-stream report blocks.</summary>
    public int BlockCount { get; }

    /// <summary>Reads an RFC 8888 report.</summary>
    public static bool TryParse(RtcpPacket packet, out CongestionControlFeedback feedback)
    {
        feedback = default;
        ReadOnlySpan<byte> body = packet.Body;
        if (packet.PacketType != RtcpPacketType.TransportFeedback || packet.Count != RtcpFeedbackFormat.CongestionControlFeedback ||
            body.Length < 8)
        {
            return false;
        }

        ReadOnlySpan<byte> blocks = body[4..^4];
        int offset = 0;
        int count = 0;
        while (offset < blocks.Length)
        {
            if (blocks.Length - offset < 8)
            {
                return false;
            }

            int length = CcfbReportBlock.GetLength(BinaryPrimitives.ReadUInt16BigEndian(blocks[(offset + 6)..]));
            if (length > blocks.Length - offset)
            {
                return false;
            }

            offset += length;
            count++;
        }

        feedback = new CongestionControlFeedback(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            blocks,
            BinaryPrimitives.ReadUInt32BigEndian(body[^4..]),
            count);
        return true;
    }

    /// <summary>Returns an enumerator over the per-stream report blocks.</summary>
    public BlockEnumerator GetEnumerator() => new(_blocks);

    /// <summary>Returns an enumerator over every packet of every block, flattened (no allocation).</summary>
    public PacketEnumerator EnumeratePackets() => new(_blocks);

    /// <summary>Walks the report blocks of a validated report.</summary>
    public ref struct BlockEnumerator
    {
        private readonly ReadOnlySpan<byte> _blocks;
        private int _offset;
        private CcfbReportBlock _current;

        internal BlockEnumerator(ReadOnlySpan<byte> blocks)
        {
            _blocks = blocks;
        }

        /// <summary>Gets the current block.</summary>
        public readonly CcfbReportBlock Current => _current;

        /// <summary>Advances to the next block.</summary>
        public bool MoveNext()
        {
            if (_offset + 8 > _blocks.Length)
            {
                return false;
            }

            int length = CcfbReportBlock.GetLength(BinaryPrimitives.ReadUInt16BigEndian(_blocks[(_offset + 6)..]));
            _current = new CcfbReportBlock(_blocks.Slice(_offset, length));
            _offset += length;
            return true;
        }
    }

    /// <summary>Walks every packet metric of a validated report in order.</summary>
    public ref struct PacketEnumerator
    {
        private BlockEnumerator _blocks;
        private CcfbReportBlock _block;
        private int _index;
        private int _count;
        private CcfbPacketReport _current;

        internal PacketEnumerator(ReadOnlySpan<byte> blocks)
        {
            _blocks = new BlockEnumerator(blocks);
        }

        /// <summary>Gets the current packet.</summary>
        public readonly CcfbPacketReport Current => _current;

        /// <summary>Returns this enumerator, so it can be used in foreach.</summary>
        public readonly PacketEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next packet.</summary>
        public bool MoveNext()
        {
            while (_index >= _count)
            {
                if (!_blocks.MoveNext())
                {
                    return false;
                }

                _block = _blocks.Current;
                _index = 0;
                _count = _block.ReportCount;
            }

            _current = new CcfbPacketReport(_block.Ssrc, (ushort)(_block.BeginSequence + _index), _block.GetMetric(_index));
            _index++;
            return true;
        }
    }
}
