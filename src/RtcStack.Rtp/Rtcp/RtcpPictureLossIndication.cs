namespace RtcStack.Rtp.Rtcp;

/// <summary>Picture loss indication, PLI (RFC 4585 §6.3.1): PSFB FMT 1 with no FCI.</summary>
public readonly ref struct RtcpPictureLossIndication
{
    /// <summary>Length of a PLI packet.</summary>
    public const int Length = RtcpFeedback.FixedLength;

    private RtcpPictureLossIndication(uint senderSsrc, uint mediaSsrc)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>Gets the SSRC of the media source that should send a key frame.</summary>
    public uint MediaSsrc { get; }

    /// <summary>Reads a PLI; RFC 4585 §6.3.1 defines no FCI, so any FCI bytes are ignored.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpPictureLossIndication pli)
    {
        pli = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.PictureLossIndication, out RtcpFeedback feedback))
        {
            return false;
        }

        pli = new RtcpPictureLossIndication(feedback.SenderSsrc, feedback.MediaSsrc);
        return true;
    }

    /// <summary>Writes a PLI (12 bytes).</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < Length)
        {
            return false;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.PictureLossIndication, Length, senderSsrc, mediaSsrc);
        bytesWritten = Length;
        return true;
    }
}
