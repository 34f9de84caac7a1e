using System.Buffers;
using System.Text;
using RtcStack.Congestion;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <content>
/// RTCP (RFC 3550 §6, RFC 4585, RFC 3611): periodic SR/RR with SDES CNAME, XR receiver RTT, BYE,
/// generic NACK both ways, transport-wide congestion control feedback both ways, RTT.
/// </content>
public sealed partial class PeerSession
{
    private static readonly TimeSpan s_defaultRtt = TimeSpan.FromMilliseconds(100);

    private byte[]? _cnameUtf8;
    private TimeSpan? _nextReportAt;
    private byte _feedbackPacketCount;

    // What the peer says about our stream (remote-inbound-rtp).
    private long _receiverReportsAboutUs;
    private byte _remoteFractionLost;
    private int _remotePacketsLost;
    private uint _remoteJitter;
    private TimeSpan? _roundTripTime;
    private TimeSpan _totalRoundTripTime;
    private long _roundTripTimeMeasurements;
    private TimeSpan? _xrRoundTripTime;
    private TimeSpan _totalXrRoundTripTime;
    private long _xrRoundTripTimeMeasurements;

    // RTCP counters.
    private long _rtcpPacketsSent;
    private long _rtcpPacketsReceived;
    private long _senderReportsSent;
    private long _receiverReportsSent;
    private long _senderReportsReceived;
    private long _receiverReportsReceived;
    private long _transportFeedbackSent;
    private long _transportFeedbackReceived;
    private long _nacksSent;
    private long _goodbyesReceived;
    private long _xrReceived;
    private long _malformedRtcp;

    private TimeSpan RetryInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, (_roundTripTime ?? s_defaultRtt).Ticks + TimeSpan.FromMilliseconds(5).Ticks));

    private void OnSrtpReady(TimeSpan now)
    {
        _cnameUtf8 = Encoding.UTF8.GetBytes(CName);
        // RFC 3550 §6.3.5 randomizes every interval; the first report goes out after half of one.
        _nextReportAt = now + (_options.RtcpInterval * (0.25 + (0.5 * _random.NextDouble())));
    }

    private TimeSpan? NextRtcpDeadline()
    {
        TimeSpan? next = _nextReportAt;
        if (_feedback is not null && _feedback.PollTimeout() != TimeSpan.MaxValue)
        {
            next = Min(next, _feedback.PollTimeout());
        }

        foreach (RemoteStream s in _remoteStreams)
        {
            if (s.Nack is { Pending: > 0 } nack)
            {
                next = Min(next, nack.NextDue(RetryInterval));
            }
        }

        return next;
    }

    private void RunRtcpTimers(TimeSpan now)
    {
        if (_nextReportAt is TimeSpan due && now >= due)
        {
            SendReport(now, goodbye: false);
            _nextReportAt = now + (_options.RtcpInterval * (0.5 + _random.NextDouble()));
        }

        if (_feedback is not null && now >= _feedback.PollTimeout())
        {
            SendTransportFeedback(now);
        }

        SendNacks(now);
    }

    private NtpTimestamp NtpAt(TimeSpan now) => NtpTimestamp.FromDateTime((_wallClockAtZero + now).UtcDateTime);

    private void SendGoodbye(TimeSpan now) => SendReport(now, goodbye: true);

    /// <summary>A full compound packet (RFC 3550 §6.1): SR or RR, SDES CNAME, XR when negotiated, and BYE when leaving.</summary>
    private void SendReport(TimeSpan now, bool goodbye)
    {
        byte[] scratch = Scratch;
        var compound = new RtcpCompoundWriter(scratch.AsSpan(0, 1200));
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[MaxRemoteStreams];
        int count = 0;
        foreach (RemoteStream s in _remoteStreams)
        {
            if (!s.Ended && s.Statistics.PacketsReceived > 0)
            {
                blocks[count++] = s.Statistics.CreateReportBlock(now);
            }
        }

        NtpTimestamp ntp = NtpAt(now);
        if (_sentRtp)
        {
            // RFC 3550 §6.4.1: the RTP timestamp of the SR is the media clock at the NTP instant.
            uint rtpNow = unchecked(_lastRtpTimestamp + (uint)((now - _lastRtpSendTime).Ticks * 48000 / TimeSpan.TicksPerSecond));
            compound.TryAddSenderReport(Ssrc, new RtcpSenderInfo(ntp, rtpNow, unchecked((uint)_packetsSent), unchecked((uint)_payloadBytesSent)), blocks[..count]);
            _senderReportsSent++;
        }
        else
        {
            compound.TryAddReceiverReport(Ssrc, blocks[..count]);
            _receiverReportsSent++;
        }

        compound.TryAddCname(Ssrc, _cnameUtf8);
        if (_remoteXrRtt)
        {
            var xr = new RtcpExtendedReportWriter(compound.Free, Ssrc);
            xr.TryAddReceiverReferenceTime(ntp);
            Span<RtcpDlrrSubBlock> dlrr = stackalloc RtcpDlrrSubBlock[MaxRemoteStreams];
            int d = 0;
            foreach (RemoteStream s in _remoteStreams)
            {
                if (s.ReceiverReferenceTime.HasReport)
                {
                    dlrr[d++] = new RtcpDlrrSubBlock(s.Ssrc, s.ReceiverReferenceTime.Last, s.ReceiverReferenceTime.DelaySinceLast(now));
                }
            }

            if (d > 0)
            {
                xr.TryAddDlrr(dlrr[..d]);
            }

            if (xr.TryFinish(out int n))
            {
                compound.Advance(n);
            }
        }

        if (goodbye)
        {
            compound.TryAddGoodbye([Ssrc]);
        }

        ProtectAndSendRtcp(compound.Length, now);
    }

    private void SendTransportFeedback(TimeSpan now)
    {
        if (!_feedback!.TryBuildReport(now, out IReadOnlyList<PacketFeedback> report) || report.Count == 0)
        {
            return;
        }

        uint mediaSsrc = _remoteStreams.Count > 0 ? _remoteStreams[0].Ssrc : 0;
        int offset = 0;
        Span<TimeSpan?> arrivals = stackalloc TimeSpan?[256];
        while (offset < report.Count)
        {
            int n = Math.Min(report.Count - offset, 256);
            for (int i = 0; i < n; i++)
            {
                PacketFeedback p = report[offset + i];
                arrivals[i] = p.Received ? p.ArrivalTime : null;
            }

            byte[] scratch = Scratch;
            var compound = new RtcpCompoundWriter(scratch.AsSpan(0, 1200));
            if (!_negotiated!.RtcpReducedSize)
            {
                // RFC 3550 §6.1: without rtcp-rsize (RFC 5506) every RTCP packet is a compound one.
                compound.TryAddReceiverReport(Ssrc, []);
                compound.TryAddCname(Ssrc, _cnameUtf8);
            }

            if (!TransportWideFeedback.TryWrite(compound.Free, Ssrc, mediaSsrc, (ushort)report[offset].TransportSequenceNumber, _feedbackPacketCount,
                arrivals[..n], out int written, out int packets) || packets == 0)
            {
                return;
            }

            compound.Advance(written);
            _feedbackPacketCount++;
            _transportFeedbackSent++;
            ProtectAndSendRtcp(compound.Length, now);
            offset += packets;
        }
    }

    private void SendNacks(TimeSpan now)
    {
        Span<ushort> lost = stackalloc ushort[RemoteStream.NackCapacity];
        foreach (RemoteStream s in _remoteStreams)
        {
            if (s.Nack is not { Pending: > 0 } nack || nack.NextDue(RetryInterval) > now)
            {
                continue;
            }

            int n = nack.CollectDue(now, RetryInterval, lost);
            if (n == 0)
            {
                continue;
            }

            byte[] scratch = Scratch;
            var compound = new RtcpCompoundWriter(scratch.AsSpan(0, 1200));
            if (!_negotiated!.RtcpReducedSize)
            {
                compound.TryAddReceiverReport(Ssrc, []);
                compound.TryAddCname(Ssrc, _cnameUtf8);
            }

            if (compound.TryAddGenericNack(Ssrc, s.Ssrc, lost[..n]))
            {
                s.NackCount++;
                _nacksSent++;
                ProtectAndSendRtcp(compound.Length, now);
            }
        }
    }

    private void ProtectAndSendRtcp(int length, TimeSpan now)
    {
        byte[] scratch = Scratch;
        if (_srtp!.ProtectRtcp(scratch, length, out int wire) == SrtpStatus.Ok && TrySendViaIce(scratch.AsSpan(0, wire), now))
        {
            _rtcpPacketsSent++;
        }
    }

    private void HandleSrtcp(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (_srtp is null)
        {
            _rtpBeforeKeys++;
            return;
        }

        byte[] scratch = Scratch;
        data.CopyTo(scratch);
        SrtpStatus status = _srtp.UnprotectRtcp(scratch, data.Length, out int plainLength);
        if (status != SrtpStatus.Ok)
        {
            if (status is SrtpStatus.Replayed or SrtpStatus.TooOld)
            {
                _srtcpReplays++;
            }
            else
            {
                _srtcpFailures++;
            }

            return;
        }

        if (!RtcpCompoundReader.TryParse(scratch.AsSpan(0, plainLength), out RtcpCompoundReader compound))
        {
            _malformedRtcp++;
            return;
        }

        _rtcpPacketsReceived++;
        uint arrival = NtpAt(now).ToCompact();
        foreach (RtcpPacket packet in compound)
        {
            switch (packet.PacketType)
            {
                case RtcpPacketType.SenderReport when RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr):
                    _senderReportsReceived++;
                    if (FindStream(sr.Ssrc) is RemoteStream source)
                    {
                        RtcpSenderInfo info = sr.SenderInfo;
                        source.Statistics.OnSenderReport(info.NtpTimestamp, now);
                        source.SenderReportsReceived++;
                        source.RemotePacketsSent = info.PacketCount;
                        source.RemoteOctetsSent = info.OctetCount;
                        source.LastSenderReportNtp = info.NtpTimestamp;
                    }

                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        HandleReportBlock(sr.GetReportBlock(i), arrival, now);
                    }

                    break;
                case RtcpPacketType.ReceiverReport when RtcpReceiverReport.TryParse(packet, out RtcpReceiverReport rr):
                    _receiverReportsReceived++;
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        HandleReportBlock(rr.GetReportBlock(i), arrival, now);
                    }

                    break;
                case RtcpPacketType.SourceDescription when RtcpSourceDescription.TryParse(packet, out RtcpSourceDescription sdes):
                    foreach (RemoteStream s in _remoteStreams)
                    {
                        if (s.CName is null && sdes.TryGetCname(s.Ssrc, out ReadOnlySpan<byte> cname))
                        {
                            s.CName = Encoding.UTF8.GetString(cname);
                        }
                    }

                    break;
                case RtcpPacketType.Goodbye when RtcpGoodbye.TryParse(packet, out RtcpGoodbye bye):
                    _goodbyesReceived++;
                    for (int i = 0; i < bye.SourceCount; i++)
                    {
                        uint ssrc = bye.GetSsrc(i);
                        if (FindStream(ssrc) is RemoteStream gone)
                        {
                            gone.Ended = true;
                        }

                        _events.Enqueue(new RemoteGoodbyeEvent(ssrc, bye.Reason.IsEmpty ? null : Encoding.UTF8.GetString(bye.Reason)));
                    }

                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.GenericNack && RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack):
                    if (nack.MediaSsrc == Ssrc)
                    {
                        HandleNack(nack, now);
                    }

                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.TransportWideCc && TransportWideFeedback.TryParse(packet, out TransportWideFeedback twcc):
                    HandleTransportFeedback(twcc, now);
                    break;
                case RtcpPacketType.ExtendedReport when RtcpExtendedReport.TryParse(packet, out RtcpExtendedReport xr):
                    _xrReceived++;
                    HandleExtendedReport(xr, arrival, now);
                    break;
                default:
                    break;
            }
        }
    }

    private RemoteStream? FindStream(uint ssrc)
    {
        foreach (RemoteStream s in _remoteStreams)
        {
            if (s.Ssrc == ssrc)
            {
                return s;
            }
        }

        return null;
    }

    private void HandleReportBlock(RtcpReportBlock block, uint arrivalCompactNtp, TimeSpan now)
    {
        if (block.Ssrc != Ssrc)
        {
            return;
        }

        _receiverReportsAboutUs++;
        _remoteFractionLost = block.FractionLost;
        _remotePacketsLost = block.CumulativeLost;
        _remoteJitter = block.Jitter;
        if (RoundTripTime.TryCompute(arrivalCompactNtp, block.LastSenderReport, block.DelaySinceLastSenderReport, out TimeSpan rtt))
        {
            _roundTripTime = rtt;
            _totalRoundTripTime += rtt;
            _roundTripTimeMeasurements++;
            _options.CongestionController?.OnRoundTripTime(rtt, now);
        }
    }

    private void HandleNack(RtcpGenericNack nack, TimeSpan now)
    {
        _nackCountReceived++;
        if (_history is null)
        {
            return;
        }

        // Do not resend one packet more often than about once per RTT (RFC 4585 §3.5.1 spirit).
        TimeSpan minInterval = TimeSpan.FromTicks((_roundTripTime ?? TimeSpan.FromMilliseconds(20)).Ticks / 2);
        foreach (ushort seq in nack)
        {
            if (!_history.TryTakeForResend(seq, now, minInterval, out ReadOnlySpan<byte> packet))
            {
                continue;
            }

            // Our own cap first, then the host's (libwebrtc: at most the media rate over a sliding second).
            if (!_retransmissionBudget.TryTake(packet.Length, now))
            {
                _retransmissionsDropped++;
                continue;
            }

            if (_options.SharedRetransmissionBudget is RetransmissionBudget shared && !shared.TryTake(packet.Length, now))
            {
                _retransmissionBudget.Return(packet.Length, now);
                _retransmissionsDropped++;
                continue;
            }

            if (TrySendViaIce(packet, now))
            {
                _retransmittedPacketsSent++;
                _retransmittedBytesSent += packet.Length;
            }
        }
    }

    private void HandleTransportFeedback(TransportWideFeedback twcc, TimeSpan now)
    {
        _transportFeedbackReceived++;
        ICongestionController? cc = _options.CongestionController;
        if (cc is null || _transportSequence == 0)
        {
            return;
        }

        int count = twcc.PacketStatusCount;
        PacketFeedback[]? rented = null;
        Span<PacketFeedback> list = count <= 256 ? stackalloc PacketFeedback[256] : (rented = ArrayPool<PacketFeedback>.Shared.Rent(count));
        int n = 0;
        long latest = _transportSequence - 1;
        foreach (TransportWidePacketReport r in twcc)
        {
            if (n >= list.Length)
            {
                break;
            }

            long seq = latest + (short)(ushort)(r.SequenceNumber - (ushort)latest);
            list[n++] = r.Received ? PacketFeedback.Arrived(seq, r.ArrivalTime) : PacketFeedback.Lost(seq);
        }

        cc.OnFeedback(list[..n], now);
        if (rented is not null)
        {
            ArrayPool<PacketFeedback>.Shared.Return(rented);
        }
    }

    private void HandleExtendedReport(RtcpExtendedReport xr, uint arrivalCompactNtp, TimeSpan now)
    {
        foreach (RtcpXrBlock block in xr)
        {
            if (block.BlockType == RtcpXrBlockType.ReceiverReferenceTime && block.TryGetReceiverReferenceTime(out NtpTimestamp rrtr))
            {
                // Remember it per source so our next report answers with DLRR (RFC 3611 §4.5).
                RemoteStream? s = FindStream(xr.Ssrc);
                if (s is null && _remoteStreams.Count < MaxRemoteStreams)
                {
                    // A receive-only peer sends RRTR without any RTP stream of its own.
                    s = new RemoteStream(xr.Ssrc, _payloadType, 48000, _nackNegotiated) { Ended = true };
                    _remoteStreams.Add(s);
                }

                s?.ReceiverReferenceTime.OnReportReceived(rrtr, now);
            }
            else if (block.BlockType == RtcpXrBlockType.Dlrr)
            {
                for (int i = 0; i < block.DlrrCount; i++)
                {
                    RtcpDlrrSubBlock sub = block.GetDlrr(i);
                    if (sub.Ssrc == Ssrc && RoundTripTime.TryCompute(arrivalCompactNtp, sub.LastReceiverReport, sub.DelaySinceLastReceiverReport, out TimeSpan rtt))
                    {
                        _xrRoundTripTime = rtt;
                        _totalXrRoundTripTime += rtt;
                        _xrRoundTripTimeMeasurements++;
                    }
                }
            }
        }
    }
}
