using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Sender report, SR (RFC 3550 §6.4.1): sender information and up to 31 report blocks.</summary>
public readonly ref struct RtcpSenderReport
{
    private const int FixedLength = 4 + 4 + 20;

    private readonly ReadOnlySpan<byte> _body;

    private RtcpSenderReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    /// <summary>Gets the SSRC of the sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Gets the sender information.</summary>
    public RtcpSenderInfo SenderInfo => new(
        new NtpTimestamp(BinaryPrimitives.ReadUInt64BigEndian(_body[4..])),
        BinaryPrimitives.ReadUInt32BigEndian(_body[12..]),
        BinaryPrimitives.ReadUInt32BigEndian(_body[16..]),
        BinaryPrimitives.ReadUInt32BigEndian(_body[20..]));

    /// <summary>Gets the number of report blocks (RC).</summary>
    public int ReportCount { get; }

    /// <summary>Gets the profile-specific extension after the report blocks (RFC 3550 §6.4.1), usually empty.</summary>
    public ReadOnlySpan<byte> ProfileExtension => _body[(24 + (ReportCount * RtcpReportBlock.Length))..];

    /// <summary>Returns report block <paramref name="index"/>.</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        return RtcpReportBlock.Read(_body[(24 + (index * RtcpReportBlock.Length))..]);
    }

    /// <summary>Reads an SR; fails when the type is not 200 or the body is shorter than RC blocks need.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpSenderReport report)
    {
        report = default;
        if (packet.PacketType != RtcpPacketType.SenderReport ||
            packet.Body.Length < FixedLength - 4 + (packet.Count * RtcpReportBlock.Length))
        {
            return false;
        }

        report = new RtcpSenderReport(packet.Body, packet.Count);
        return true;
    }

    /// <summary>Returns the length of an SR with <paramref name="blockCount"/> blocks.</summary>
    public static int GetLength(int blockCount) => FixedLength + (blockCount * RtcpReportBlock.Length);

    /// <summary>Writes an SR with up to 31 report blocks.</summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, in RtcpSenderInfo info, ReadOnlySpan<RtcpReportBlock> blocks, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, 31);
        bytesWritten = 0;
        int length = GetLength(blocks.Length);
        if (destination.Length < length)
        {
            return false;
        }

        RtcpPacket.WriteHeader(destination, blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination[(FixedLength + (i * RtcpReportBlock.Length))..]);
        }

        bytesWritten = length;
        return true;
    }
}
