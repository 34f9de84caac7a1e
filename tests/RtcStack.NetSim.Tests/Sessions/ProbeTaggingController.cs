using RtcStack.Congestion;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Passes everything to the real controller, adding what only the driver knows to each packet the session reports
/// as sent: the probe cluster and padding flag of the pacer decision it is sending (libwebrtc hands the same
/// information, PacedPacketInfo, down with the packet). <see cref="PeerSession.SendRtp"/> calls
/// <see cref="OnPacketSent"/> synchronously, so the driver sets <see cref="Current"/> around that call.
/// </summary>
internal sealed class ProbeTaggingController(ICongestionController inner) : ICongestionController
{
    public ICongestionController Inner { get; } = inner;

    /// <summary>Probe cluster and padding flag of the packet being sent now.</summary>
    public (int ProbeClusterId, bool IsPadding) Current { get; set; } = (SentPacket.NotAProbe, false);

    /// <summary>Size the session reported for the last packet (SRTP packet, without IP/UDP).</summary>
    public int LastSize { get; private set; }

    public long PacketsSent { get; private set; }

    public long FeedbackReports { get; private set; }

    public long FeedbackPackets { get; private set; }

    public long RttSamples { get; private set; }

    public string Name => Inner.Name;

    public long TargetBitrateBps => Inner.TargetBitrateBps;

    public long PacingRateBps => Inner.PacingRateBps;

    public long PaddingRateBps => Inner.PaddingRateBps;

    public void OnPacketSent(in SentPacket packet)
    {
        LastSize = packet.Size;
        PacketsSent++;
        Inner.OnPacketSent(packet with { ProbeClusterId = Current.ProbeClusterId, IsPadding = Current.IsPadding });
    }

    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
    {
        FeedbackReports++;
        FeedbackPackets += feedback.Length;
        Inner.OnFeedback(feedback, now);
    }

    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
    {
        RttSamples++;
        Inner.OnRoundTripTime(rtt, now);
    }

    public void OnSendQueue(long queuedBytes, TimeSpan now) => Inner.OnSendQueue(queuedBytes, now);

    public void HandleTimeout(TimeSpan now) => Inner.HandleTimeout(now);

    public TimeSpan PollTimeout() => Inner.PollTimeout();

    public bool TryPollProbe(out ProbeClusterConfig probe) => Inner.TryPollProbe(out probe);
}
