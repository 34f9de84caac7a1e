using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Writes an XR packet (RFC 3611 §2) block by block, then <see cref="TryFinish"/>.</summary>
public ref struct RtcpExtendedReportWriter
{
    private readonly Span<byte> _destination;
    private int _length;
    private bool _ok;

    /// <summary>Initializes a writer; <paramref name="ssrc"/> is the packet sender.</summary>
    public RtcpExtendedReportWriter(Span<byte> destination, uint ssrc)
    {
        _destination = destination;
        _ok = destination.Length >= 8;
        if (_ok)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        }

        _length = 8;
    }

    /// <summary>Adds a receiver reference time block (RFC 3611 §4.4).</summary>
    public bool TryAddReceiverReferenceTime(NtpTimestamp ntp)
    {
        Span<byte> body = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(body, ntp.Value);
        return TryAddBlock(RtcpXrBlockType.ReceiverReferenceTime, 0, body);
    }

    /// <summary>Adds a DLRR block (RFC 3611 §4.5) with the given sub-blocks.</summary>
    public bool TryAddDlrr(scoped ReadOnlySpan<RtcpDlrrSubBlock> subBlocks)
    {
        int bodyLength = subBlocks.Length * RtcpDlrrSubBlock.Length;
        if (!TryReserve(RtcpXrBlockType.Dlrr, 0, bodyLength, out Span<byte> body))
        {
            return false;
        }

        for (int i = 0; i < subBlocks.Length; i++)
        {
            Span<byte> s = body[(i * RtcpDlrrSubBlock.Length)..];
            BinaryPrimitives.WriteUInt32BigEndian(s, subBlocks[i].Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(s[4..], subBlocks[i].LastReceiverReport);
            BinaryPrimitives.WriteUInt32BigEndian(s[8..], subBlocks[i].DelaySinceLastReceiverReport);
        }

        return true;
    }

    /// <summary>Adds a block of any type; the contents must be a multiple of 4 bytes.</summary>
    public bool TryAddBlock(RtcpXrBlockType blockType, byte typeSpecific, scoped ReadOnlySpan<byte> contents)
    {
        if (!TryReserve(blockType, typeSpecific, contents.Length, out Span<byte> body))
        {
            return false;
        }

        contents.CopyTo(body);
        return true;
    }

    /// <summary>Writes the header and returns the packet length.</summary>
    public readonly bool TryFinish(out int bytesWritten)
    {
        bytesWritten = 0;
        if (!_ok)
        {
            return false;
        }

        RtcpPacket.WriteHeader(_destination, 0, RtcpPacketType.ExtendedReport, _length);
        bytesWritten = _length;
        return true;
    }

    private bool TryReserve(RtcpXrBlockType blockType, byte typeSpecific, int contentLength, out Span<byte> contents)
    {
        contents = default;
        if ((contentLength & 3) != 0)
        {
            throw new ArgumentException("XR block contents are a multiple of 32 bits (RFC 3611 §3).", nameof(contentLength));
        }

        if (!_ok || contentLength / 4 > ushort.MaxValue || _length + 4 + contentLength > _destination.Length ||
            _length + 4 + contentLength > RtcpPacket.MaxLength)
        {
            return false;
        }

        Span<byte> block = _destination[_length..];
        block[0] = (byte)blockType;
        block[1] = typeSpecific;
        BinaryPrimitives.WriteUInt16BigEndian(block[2..], (ushort)(contentLength / 4));
        contents = block.Slice(4, contentLength);
        _length += 4 + contentLength;
        return true;
    }
}
