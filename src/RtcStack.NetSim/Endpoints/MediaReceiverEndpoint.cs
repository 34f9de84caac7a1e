using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;

namespace RtcStack.NetSim.Endpoints;

/// <summary>
/// A bare RTP receiver: records arrivals for congestion feedback (TWCC or RFC 8888 timing via
/// <see cref="FeedbackGenerator"/>), sends the reports back, and measures what RFC 8868 asks for at the receiver:
/// received bytes, queuing delay per packet and frame delay (capture to last packet of the frame).
/// </summary>
public sealed class MediaReceiverEndpoint : ISimEndpoint
{
    private readonly FeedbackGenerator _feedback;
    private readonly SimAddress _sender;
    private readonly Queue<SimPacket> _outbox = new();
    private readonly Dictionary<long, int> _framePackets = new();

    /// <summary>Creates a receiver that reports to <paramref name="sender"/>.</summary>
    public MediaReceiverEndpoint(MediaFlowOptions options, SimAddress sender)
    {
        _feedback = new FeedbackGenerator(options.Feedback, options.Rfc8888Interval);
        _sender = sender;
    }

    /// <summary>Called for each received media packet: time, info, queuing delay.</summary>
    public Action<TimeSpan, MediaPacketInfo, SimPacket>? OnRtpReceived { get; set; }

    /// <summary>Called when a video frame completes: completion time, frame delay.</summary>
    public Action<TimeSpan, TimeSpan>? OnFrameComplete { get; set; }

    /// <summary>Feedback bytes sent (wire).</summary>
    public long FeedbackBytesSent { get; private set; }

    /// <summary>Feedback reports sent.</summary>
    public int FeedbackReportsSent { get; private set; }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        if (packet.Tag is not MediaPacketInfo info)
        {
            return;
        }
        _feedback.OnPacket(info.TransportSequenceNumber, packet.WireSize, now);
        OnRtpReceived?.Invoke(now, info, packet);
        if (!info.IsPadding && !info.IsAudio)
        {
            _framePackets.TryGetValue(info.FrameId, out int n);
            n++;
            if (n == info.PacketsInFrame)
            {
                _framePackets.Remove(info.FrameId);
                OnFrameComplete?.Invoke(now, now - info.CaptureTime);
            }
            else
            {
                _framePackets[info.FrameId] = n;
            }
            if (_framePackets.Count > 4096)
            {
                _framePackets.Clear();
            }
        }
        SendFeedbackIfDue(now);
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now) => SendFeedbackIfDue(now);

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => _feedback.PollTimeout();

    private void SendFeedbackIfDue(TimeSpan now)
    {
        if (!_feedback.TryBuildReport(now, out IReadOnlyList<PacketFeedback> report))
        {
            return;
        }
        var entries = new PacketFeedback[report.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = report[i];
        }
        int wire = _feedback.EstimateWireSize(entries.Length);
        FeedbackBytesSent += wire;
        FeedbackReportsSent++;
        _outbox.Enqueue(new SimPacket { Destination = _sender, WireSize = wire, Tag = new FeedbackInfo(entries) });
    }
}
