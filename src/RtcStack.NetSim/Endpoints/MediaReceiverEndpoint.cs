using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.NetSim.Endpoints;

/// <summary>
/// A bare RTP receiver: records arrivals for congestion feedback and sends real feedback bytes back — TWCC
/// (<see cref="FeedbackGenerator"/> timing, <see cref="TransportWideFeedback.TryWrite"/> bytes) or RFC 8888
/// (<see cref="CcfbFeedbackBuilder"/> at the configured interval) — so feedback overhead is measured on real packets;
/// and measures what RFC 8868 asks for at the receiver: received bytes, queuing delay per packet and frame delay
/// (capture to last packet of the frame).
/// </summary>
public sealed class MediaReceiverEndpoint : ISimEndpoint
{
    private const uint FeedbackSsrc = 0xFEEDB4C4;
    private const int IpUdpOverhead = 28;
    private readonly FeedbackGenerator? _twcc;
    private readonly CcfbFeedbackBuilder? _ccfb;
    private readonly byte[] _buffer = new byte[1500];
    private TimeSpan?[] _arrivals = new TimeSpan?[256];
    private uint _mediaSsrc;
    private byte _twccCount;
    private readonly SimAddress _sender;
    private readonly Queue<SimPacket> _outbox = new();
    private readonly Dictionary<long, int> _framePackets = new();

    /// <summary>Creates a receiver that reports to <paramref name="sender"/>.</summary>
    public MediaReceiverEndpoint(MediaFlowOptions options, SimAddress sender)
    {
        if (options.Feedback == FeedbackFormat.Rfc8888)
        {
            _ccfb = new CcfbFeedbackBuilder(FeedbackSsrc, options.Rfc8888Interval);
        }
        else
        {
            _twcc = new FeedbackGenerator(FeedbackFormat.Twcc);
        }
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
        _twcc?.OnPacket(info.TransportSequenceNumber, packet.WireSize, now);
        _ccfb?.OnPacket(info.Ssrc, info.SequenceNumber, now, packet.EcnCe ? CcfbEcn.Ce : CcfbEcn.NotEct);
        _mediaSsrc = info.Ssrc;
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
    public TimeSpan PollTimeout() => _twcc?.PollTimeout() ?? _ccfb!.PollTimeout();

    private void SendFeedbackIfDue(TimeSpan now)
    {
        if (_ccfb is not null)
        {
            if (_ccfb.TryBuild(now, _buffer, out int len))
            {
                Send(len);
            }
            return;
        }
        if (!_twcc!.TryBuildReport(now, out IReadOnlyList<PacketFeedback> report))
        {
            return;
        }
        if (_arrivals.Length < report.Count)
        {
            _arrivals = new TimeSpan?[Math.Max(report.Count, _arrivals.Length * 2)];
        }
        for (int i = 0; i < report.Count; i++)
        {
            _arrivals[i] = report[i].Received ? report[i].ArrivalTime : null;
        }
        int offset = 0;
        while (offset < report.Count)
        {
            // A report that does not fit one packet (or has a delta beyond 16 bits) continues in the next.
            if (!TransportWideFeedback.TryWrite(_buffer, FeedbackSsrc, _mediaSsrc, (ushort)report[offset].TransportSequenceNumber, _twccCount++,
                _arrivals.AsSpan(offset, report.Count - offset), out int len, out int written))
            {
                break;
            }
            Send(len);
            offset += written;
        }
    }

    private void Send(int rtcpLength)
    {
        int wire = rtcpLength + IpUdpOverhead;
        FeedbackBytesSent += wire;
        FeedbackReportsSent++;
        _outbox.Enqueue(new SimPacket { Destination = _sender, WireSize = wire, Payload = _buffer.AsSpan(0, rtcpLength).ToArray() });
    }
}
