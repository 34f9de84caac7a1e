using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Full intra request, FIR (RFC 5104 §4.3.1): PSFB FMT 4. The media source SSRC is 0
/// (RFC 5104 §4.3.1.2); the FCI holds one 8-byte entry per media sender.
/// </summary>
public readonly ref struct RtcpFullIntraRequest
{
    private readonly RtcpFeedback _feedback;

    private RtcpFullIntraRequest(RtcpFeedback feedback)
    {
        _feedback = feedback;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint SenderSsrc => _feedback.SenderSsrc;

    /// <summary>Gets the media source SSRC field (0 for FIR).</summary>
    public uint MediaSsrc => _feedback.MediaSsrc;

    /// <summary>Gets the number of FCI entries.</summary>
    public int EntryCount => _feedback.Fci.Length / 8;

    /// <summary>Returns entry <paramref name="index"/>.</summary>
    public RtcpFirEntry GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        ReadOnlySpan<byte> fci = _feedback.Fci[(index * 8)..];
        return new RtcpFirEntry(BinaryPrimitives.ReadUInt32BigEndian(fci), fci[4]);
    }

    /// <summary>Reads a FIR; fails unless the FCI is a non-empty multiple of 8 bytes.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpFullIntraRequest fir)
    {
        fir = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.FullIntraRequest, out RtcpFeedback feedback) ||
            feedback.Fci.Length == 0 || (feedback.Fci.Length & 7) != 0)
        {
            return false;
        }

        fir = new RtcpFullIntraRequest(feedback);
        return true;
    }

    /// <summary>Writes a FIR with the given entries (media source SSRC 0, reserved bytes 0).</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, ReadOnlySpan<RtcpFirEntry> entries, out int bytesWritten)
    {
        bytesWritten = 0;
        int length = RtcpFeedback.FixedLength + (entries.Length * 8);
        if (entries.IsEmpty || destination.Length < length || length > RtcpPacket.MaxLength)
        {
            return false;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.FullIntraRequest, length, senderSsrc, 0);
        for (int i = 0; i < entries.Length; i++)
        {
            Span<byte> entry = destination[(12 + (i * 8))..];
            BinaryPrimitives.WriteUInt32BigEndian(entry, entries[i].Ssrc);
            entry[4] = entries[i].SequenceNumber;
            entry[5] = 0;
            entry[6] = 0;
            entry[7] = 0;
        }

        bytesWritten = length;
        return true;
    }
}
