namespace RtcStack.Rtp.Rtcp;

/// <summary>XR block types (RFC 3611 §4) this library reads; other values pass through as raw blocks.</summary>
public enum RtcpXrBlockType : byte
{
    /// <summary>Loss RLE report block (RFC 3611 §4.1).</summary>
    LossRle = 1,

    /// <summary>Duplicate RLE report block (RFC 3611 §4.2).</summary>
    DuplicateRle = 2,

    /// <summary>Packet receipt times (RFC 3611 §4.3).</summary>
    PacketReceiptTimes = 3,

    /// <summary>Receiver reference time, RRTR (RFC 3611 §4.4).</summary>
    ReceiverReferenceTime = 4,

    /// <summary>DLRR, delay since last receiver report (RFC 3611 §4.5).</summary>
    Dlrr = 5,

    /// <summary>Statistics summary (RFC 3611 §4.6).</summary>
    StatisticsSummary = 6,

    /// <summary>VoIP metrics (RFC 3611 §4.7).</summary>
    VoipMetrics = 7,
}
