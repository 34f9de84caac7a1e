namespace RtcStack.Rtp.Rtcp;

/// <summary>FMT values of the feedback messages this library reads and writes.</summary>
public static class RtcpFeedbackFormat
{
    /// <summary>RTPFB FMT 1: generic NACK (RFC 4585 §6.2.1).</summary>
    public const int GenericNack = 1;

    /// <summary>RTPFB FMT 11: RFC 8888 congestion control feedback (RFC 8888 §3.1).</summary>
    public const int CongestionControlFeedback = 11;

    /// <summary>RTPFB FMT 15: transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
    public const int TransportWideCc = 15;

    /// <summary>PSFB FMT 1: picture loss indication (RFC 4585 §6.3.1).</summary>
    public const int PictureLossIndication = 1;

    /// <summary>PSFB FMT 4: full intra request (RFC 5104 §4.3.1).</summary>
    public const int FullIntraRequest = 4;

    /// <summary>PSFB FMT 15: application layer feedback (RFC 4585 §6.4), used by REMB.</summary>
    public const int ApplicationLayer = 15;
}
