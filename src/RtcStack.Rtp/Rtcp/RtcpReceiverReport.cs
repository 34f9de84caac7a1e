using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Receiver report, RR (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report blocks.</summary>
public readonly ref struct RtcpReceiverReport
{
    private const int FixedLength = 8;

    private readonly ReadOnlySpan<byte> _body;

    private RtcpReceiverReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Gets the number of report blocks (RC).</summary>
    public int ReportCount { get; }

    /// <summary>Gets the profile-specific extension after the report blocks, usually empty.</summary>
    public ReadOnlySpan<byte> ProfileExtension => _body[(4 + (ReportCount * RtcpReportBlock.Length))..];

    /// <summary>Returns report block <paramref name="index"/>.</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        return RtcpReportBlock.Read(_body[(4 + (index * RtcpReportBlock.Length))..]);
    }

    /// <summary>Reads an RR; fails when the type is not 201 or the body is shorter than RC blocks need.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpReceiverReport report)
    {
        report = default;
        if (packet.PacketType != RtcpPacketType.ReceiverReport ||
            packet.Body.Length < 4 + (packet.Count * RtcpReportBlock.Length))
        {
            return false;
        }

        report = new RtcpReceiverReport(packet.Body, packet.Count);
        return true;
    }

    /// <summary>Returns the length of an RR with <paramref name="blockCount"/> blocks.</summary>
    public static int GetLength(int blockCount) => FixedLength + (blockCount * RtcpReportBlock.Length);

    /// <summary>Writes an RR with up to 31 report blocks (an empty RR is legal and common).</summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, 31);
        bytesWritten = 0;
        int length = GetLength(blocks.Length);
        if (destination.Length < length)
        {
            return false;
        }

        RtcpPacket.WriteHeader(destination, blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination[(FixedLength + (i * RtcpReportBlock.Length))..]);
        }

        bytesWritten = length;
        return true;
    }
}
