namespace RtcStack.Rtp;

/// <summary>
/// Remembers the last report received with an NTP timestamp and when it arrived, to fill the
/// "last" and "delay since last" fields of the answer: LSR/DLSR of a report block
/// (RFC 3550 §6.4.1) from a received SR, or LRR/DLRR of an XR DLRR sub-block (RFC 3611 §4.5)
/// from a received RRTR.
/// </summary>
public struct LastReportTracker
{
    private uint _last;
    private TimeSpan _arrival;
    private bool _has;

    /// <summary>Gets a value indicating whether a report was received.</summary>
    public readonly bool HasReport => _has;

    /// <summary>Records a report whose NTP timestamp is <paramref name="ntp"/>, received at <paramref name="now"/>.</summary>
    public void OnReportReceived(NtpTimestamp ntp, TimeSpan now)
    {
        _last = ntp.ToCompact();
        _arrival = now;
        _has = true;
    }

    /// <summary>Returns the compact NTP timestamp of the last report, 0 when none was received (RFC 3550 §6.4.1, LSR).</summary>
    public readonly uint Last => _has ? _last : 0;

    /// <summary>Returns the delay between receiving the last report and <paramref name="now"/> in 1/65536 s, 0 when none (RFC 3550 §6.4.1, DLSR).</summary>
    public readonly uint DelaySinceLast(TimeSpan now) => _has ? NtpTimestamp.TimeSpanToCompact(now - _arrival) : 0;
}
