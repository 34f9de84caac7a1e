namespace RtcStack.Rtp;

/// <summary>Round-trip time from report blocks (RFC 3550 §6.4.1) and XR DLRR blocks (RFC 3611 §4.5).</summary>
public static class RoundTripTime
{
    /// <summary>
    /// RFC 3550 §6.4.1: RTT = A − LSR − DLSR, where A is the compact NTP time the report block
    /// arrived and LSR/DLSR are the block's fields, all in 1/65536 s modulo 2^32. Returns false
    /// when LSR is 0 (the receiver had no SR yet) or the result is negative (clock trouble or
    /// a stale block).
    /// </summary>
    public static bool TryCompute(uint arrivalCompactNtp, uint lastReport, uint delaySinceLastReport, out TimeSpan rtt)
    {
        rtt = default;
        if (lastReport == 0)
        {
            return false;
        }

        int units = (int)(arrivalCompactNtp - lastReport - delaySinceLastReport);
        if (units < 0)
        {
            return false;
        }

        rtt = NtpTimestamp.CompactToTimeSpan((uint)units);
        return true;
    }
}
