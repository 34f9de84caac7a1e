namespace RtcStack.Rtp.Dtmf;

/// <summary>What a <see cref="DtmfReport"/> says about an event.</summary>
public enum DtmfReportKind
{
    /// <summary>A new event began (its first packet, or the first that arrived).</summary>
    Started,

    /// <summary>The event ended: its E bit arrived, or a newer event or <see cref="TelephoneEventReceiver.Flush"/> ended it.</summary>
    Ended,
}
