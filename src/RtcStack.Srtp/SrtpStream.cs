namespace RtcStack.Srtp;

/// <summary>
/// Per-SSRC state of one direction (RFC 3711 §3.2.1/§3.3.1): the highest SRTP index (ROC and
/// s_l) with its replay window, and the SRTCP index (next to send, or the receive window).
/// </summary>
internal sealed class SrtpStream
{
    public SrtpStream(uint ssrc, int windowSize, bool inbound)
    {
        Ssrc = ssrc;
        if (inbound)
        {
            RtpWindow = new ReplayWindow(windowSize);
            RtcpWindow = new ReplayWindow(windowSize);
        }
    }

    public uint Ssrc { get; }

    /// <summary>Gets or sets a value indicating whether an SRTP packet was processed (s_l is valid).</summary>
    public bool RtpStarted { get; set; }

    /// <summary>Gets or sets the highest 48-bit SRTP index: ROC · 2^16 + s_l. Before the first packet only its ROC part is meaningful.</summary>
    public ulong HighestIndex { get; set; }

    /// <summary>Gets the SRTP replay window (inbound only).</summary>
    public ReplayWindow? RtpWindow { get; }

    /// <summary>Gets the SRTCP replay window (inbound only).</summary>
    public ReplayWindow? RtcpWindow { get; }

    /// <summary>Gets or sets the next SRTCP index to send (outbound only; RFC 3711 §3.4 starts at 0).</summary>
    public ulong NextRtcpIndex { get; set; }

    public long RtpPackets { get; set; }

    public long RtpBytes { get; set; }

    public long RtcpPackets { get; set; }

    public long AuthenticationFailures { get; set; }

    public long ReplaysRejected { get; set; }

    public uint Roc => (uint)(HighestIndex >> 16);

    /// <summary>
    /// RFC 3711 §3.3.1 and Appendix A: the index of a packet with sequence number
    /// <paramref name="seq"/>, guessing the ROC as ROC-1, ROC or ROC+1 relative to s_l. Before the
    /// first packet the index is ROC · 2^16 + SEQ. Never goes below ROC 0.
    /// </summary>
    public ulong EstimateIndex(ushort seq)
    {
        if (!RtpStarted)
        {
            return (HighestIndex & ~0xFFFFUL) | seq;
        }

        return Estimate(HighestIndex, seq);
    }

    internal static ulong Estimate(ulong highest, ushort seq)
    {
        long roc = (long)(highest >> 16);
        int sl = (int)(highest & 0xFFFF);
        long v = roc;
        if (sl < 32768)
        {
            if (seq - sl > 32768)
            {
                v = roc - 1;
            }
        }
        else if (sl - 32768 > seq)
        {
            v = roc + 1;
        }

        if (v < 0)
        {
            // Before the first wrap there is no earlier ROC: the packet belongs to ROC 0 (as libsrtp).
            v = 0;
        }

        return ((ulong)v << 16) | seq;
    }
}
