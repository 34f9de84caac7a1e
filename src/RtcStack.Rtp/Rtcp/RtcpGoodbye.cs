using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Goodbye, BYE (RFC 3550 §6.6): the sources leaving and an optional reason.</summary>
public readonly ref struct RtcpGoodbye
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpGoodbye(ReadOnlySpan<byte> body, int sourceCount, ReadOnlySpan<byte> reason)
    {
        _body = body;
        SourceCount = sourceCount;
        Reason = reason;
    }

    /// <summary>Gets the number of SSRC/CSRC identifiers (SC).</summary>
    public int SourceCount { get; }

    /// <summary>Gets the reason for leaving (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>Returns identifier <paramref name="index"/>.</summary>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_body[(index * 4)..]);
    }

    /// <summary>Reads a BYE; fails when the SSRC list or the reason runs past the packet.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpGoodbye bye)
    {
        bye = default;
        ReadOnlySpan<byte> body = packet.Body;
        int ssrcBytes = packet.Count * 4;
        if (packet.PacketType != RtcpPacketType.Goodbye || body.Length < ssrcBytes)
        {
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        if (body.Length > ssrcBytes)
        {
            int length = body[ssrcBytes];
            if (ssrcBytes + 1 + length > body.Length)
            {
                return false;
            }

            reason = body.Slice(ssrcBytes + 1, length);
        }

        bye = new RtcpGoodbye(body, packet.Count, reason);
        return true;
    }

    /// <summary>Writes a BYE for up to 31 sources with an optional reason (at most 255 bytes).</summary>
    public static bool TryWrite(Span<byte> destination, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> reason, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 31);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reason.Length, 255);
        bytesWritten = 0;
        int length = 4 + (ssrcs.Length * 4) + (reason.IsEmpty ? 0 : (1 + reason.Length + 3) & ~3);
        if (destination.Length < length)
        {
            return false;
        }

        RtcpPacket.WriteHeader(destination, ssrcs.Length, RtcpPacketType.Goodbye, length);
        int offset = 4;
        foreach (uint ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], ssrc);
            offset += 4;
        }

        if (!reason.IsEmpty)
        {
            destination[offset] = (byte)reason.Length;
            reason.CopyTo(destination[(offset + 1)..]);
            destination[(offset + 1 + reason.Length)..length].Clear();
        }

        bytesWritten = length;
        return true;
    }
}
