namespace RtcStack.Rtp.Rtcp;

/// <summary>Packet status symbols of transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).</summary>
public enum TransportWidePacketStatus : byte
{
    /// <summary>00: packet not received.</summary>
    NotReceived = 0,

    /// <summary>01: received, with a 1-byte unsigned receive delta (0-63.75 ms).</summary>
    SmallDelta = 1,

    /// <summary>10: received, with a 2-byte signed receive delta (large or negative).</summary>
    LargeOrNegativeDelta = 2,
}
