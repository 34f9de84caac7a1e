using RtcStack.Rtp.Rtcp;

namespace RtcStack.WebRtc;

/// <summary>RTCP a <see cref="WebRtcSession"/> sent and received, by packet type (RFC 3550 §6, RFC 4585 §6).</summary>
public sealed class SessionRtcpCounters
{
    /// <summary>Gets SR packets sent (one per sending stream in each periodic compound).</summary>
    public long SenderReportsSent { get; internal set; }

    /// <summary>Gets RR packets sent (periodic, and the one that leads each feedback compound).</summary>
    public long ReceiverReportsSent { get; internal set; }

    /// <summary>Gets SR packets received.</summary>
    public long SenderReportsReceived { get; private set; }

    /// <summary>Gets RR packets received.</summary>
    public long ReceiverReportsReceived { get; private set; }

    /// <summary>Gets BYE packets received.</summary>
    public long GoodbyesReceived { get; private set; }

    /// <summary>Gets transport-layer feedback packets received (RTPFB: NACK, TWCC, ...).</summary>
    public long TransportFeedbackReceived { get; private set; }

    /// <summary>Gets payload-specific feedback packets received (PSFB: PLI, FIR, REMB, ...).</summary>
    public long PayloadFeedbackReceived { get; private set; }

    /// <summary>Gets XR packets received (RFC 3611).</summary>
    public long ExtendedReportsReceived { get; private set; }

    /// <summary>Gets packets of any other type received (SDES, APP, ...).</summary>
    public long OtherReceived { get; private set; }

    /// <summary>
    /// Gets compound packets received without an SDES packet, which RFC 3550 §6.1 requires in every compound (with
    /// reduced-size RTCP, RFC 5506 §3, a peer may leave it out: those count here too).
    /// </summary>
    public long CompoundsWithoutSdes { get; private set; }

    internal void ReceivedCompound(bool hadSdes)
    {
        if (!hadSdes)
        {
            CompoundsWithoutSdes++;
        }
    }

    internal void Received(RtcpPacketType type)
    {
        switch (type)
        {
            case RtcpPacketType.SenderReport:
                SenderReportsReceived++;
                break;
            case RtcpPacketType.ReceiverReport:
                ReceiverReportsReceived++;
                break;
            case RtcpPacketType.Goodbye:
                GoodbyesReceived++;
                break;
            case RtcpPacketType.TransportFeedback:
                TransportFeedbackReceived++;
                break;
            case RtcpPacketType.PayloadFeedback:
                PayloadFeedbackReceived++;
                break;
            case RtcpPacketType.ExtendedReport:
                ExtendedReportsReceived++;
                break;
            default:
                OtherReceived++;
                break;
        }
    }
}
