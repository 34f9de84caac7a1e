using RtcStack.Congestion;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Passes everything to the real controller, with what only the driver knows added to each packet the session
/// reports as sent: the instant its pacer released the packet to the link, and the probe cluster and padding flag of
/// that pacer decision (libwebrtc hands the same information, PacedPacketInfo, down with the packet, and reports a
/// packet as sent when it leaves for the socket). The session calls <see cref="OnPacketSent"/> as it writes the packet
/// (WebRtcSessionOptions.CongestionController); the report waits here until the driver calls
/// <see cref="OnPacketReleased"/> for the datagram with that transport-wide sequence number.
/// </summary>
internal sealed class ProbeTaggingController(ICongestionController inner) : ICongestionController
{
    private readonly Queue<SentPacket> _written = new();

    public ICongestionController Inner { get; } = inner;

    /// <summary>Packets the session reported (written, not necessarily released yet).</summary>
    public long PacketsWritten { get; private set; }

    /// <summary>Packets released to the link and reported to the controller.</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Packets written and still in the pacer.</summary>
    public int PacketsQueued => _written.Count;

    public long FeedbackReports { get; private set; }

    public long FeedbackPackets { get; private set; }

    public long RttSamples { get; private set; }

    public string Name => Inner.Name;

    public long TargetBitrateBps => Inner.TargetBitrateBps;

    public long PacingRateBps => Inner.PacingRateBps;

    public long PaddingRateBps => Inner.PaddingRateBps;

    public void OnPacketSent(in SentPacket packet)
    {
        PacketsWritten++;
        _written.Enqueue(packet);
    }

    /// <summary>
    /// The pacer released the datagram carrying <paramref name="transportSequence"/> (its 16 bits on the wire) at
    /// <paramref name="now"/>. The pacer is first in, first out, so it is the oldest report; anything else means the session
    /// sent a packet it did not report, or reported one it did not send.
    /// </summary>
    public void OnPacketReleased(ushort transportSequence, int probeClusterId, bool isPadding, TimeSpan now)
    {
        bool reported = _written.TryDequeue(out SentPacket packet);
        if (!reported || unchecked((ushort)packet.TransportSequenceNumber) != transportSequence)
        {
            throw new InvalidOperationException($"released transport-wide sequence number {transportSequence}; next reported by the session: {(reported ? packet.TransportSequenceNumber : "none")}");
        }

        PacketsSent++;
        Inner.OnPacketSent(packet with { SendTime = now, ProbeClusterId = probeClusterId, IsPadding = isPadding });
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
