using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <content>
/// Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01) and RTCP XR receiver RTT
/// (RFC 3611 §4.4-4.5), both per session (one BUNDLE transport):
/// <list type="bullet">
/// <item>Send: every RTP packet of a section that negotiated transport-cc (audio, video, RTX retransmissions) carries
/// the next number of one counter (§2), stamped as it goes to the transport; a sent-packet history keeps its send
/// time and size. The peer's feedback (RTPFB FMT 15, §3.1) is matched against that history: per-packet results go
/// to <see cref="WebRtcSessionOptions.CongestionController"/> and, when asked, out as
/// <see cref="SessionTransportFeedbackEvent"/>s.</item>
/// <item>Receive: the arrival time of each received transport-wide sequence number is recorded (the congestion module's
/// <see cref="FeedbackGenerator"/>), and feedback goes out every 50-100 ms while packets arrive
/// (<see cref="SessionTimerReason.TransportFeedback"/>).</item>
/// <item>XR: when <c>a=rtcp-xr:rcvr-rtt=all</c> is negotiated, every periodic report carries a receiver reference time
/// block, and a DLRR block answering each RRTR the peer sent; a DLRR about ours gives the RTT even when we only
/// receive, and that RTT paces NACK and the frame buffers of sections that have no send-side RTT.</item>
/// </list>
/// </content>
public sealed partial class WebRtcSession
{
    private const string RtcpXrAttribute = "rtcp-xr";
    private const string ReceiverRttValue = "rcvr-rtt=all";
    private const int SentHistorySize = 4096;
    private const int MaxXrSources = 8;
    private const int MaxFeedbackPerPacket = 256;

    private readonly List<XrSource> _xrSources = [];
    private SentPacketHistory? _sentPackets;
    private long _nextTransportSequence = 1;
    private FeedbackGenerator? _feedbackGenerator;
    private SequenceNumberUnwrapper _incomingTransportSequence;
    private bool _feedbackPending;
    private uint _feedbackMediaSsrc;
    private byte _feedbackPacketCount;
    private byte _transportCcExtensionId;
    private bool _xrNegotiated;
    private DateTimeOffset? _ntpWallClockAtZero;
    private PacketFeedback[] _feedbackScratch = [];
    private PacketResult[] _resultScratch = [];
    private bool _ccfbNegotiated;
    private bool _ccfbPending;
    private CcfbFeedbackBuilder? _ccfbBuilder;
    private CcfbFeedbackAdapter? _ccfbAdapter;

    /// <summary>Gets the counters of transport-wide congestion control feedback and XR round-trip times.</summary>
    public SessionFeedbackCounters FeedbackCounters { get; } = new();

    /// <summary>
    /// Gets a value indicating whether transport-wide congestion control is negotiated: some bundled section has the
    /// transport-cc feedback (RFC 4585 §4.2 <c>a=rtcp-fb</c>) and the transport-wide sequence number extension.
    /// </summary>
    public bool TransportWideCcNegotiated => _transportCcExtensionId != 0;

    /// <summary>
    /// Gets a value indicating whether RFC 8888 congestion control feedback is negotiated (<c>a=rtcp-fb:* ack ccfb</c> in
    /// both descriptions, <see cref="WebRtcSessionOptions.Rfc8888Feedback"/>): it is then the feedback we send and take.
    /// </summary>
    public bool Rfc8888FeedbackNegotiated => _ccfbNegotiated;

    /// <summary>Gets a value indicating whether XR receiver RTT (<c>a=rtcp-xr:rcvr-rtt</c>, RFC 3611 §5.1) is negotiated.</summary>
    public bool RtcpXrNegotiated => _xrNegotiated;

    private static bool NegotiatesTransportCc(NegotiatedSection n)
    {
        foreach (NegotiatedCodec c in n.SendCodecs)
        {
            if (c.HasFeedback("transport-cc"))
            {
                return true;
            }
        }

        foreach (NegotiatedCodec c in n.ReceiveCodecs)
        {
            if (c.HasFeedback("transport-cc"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 8888 §6: <c>a=rtcp-fb:* ack ccfb</c> (we also take it on a single payload type, as RFC 4585 §4.2 allows).</summary>
    private static bool HasCcfb(MediaDescription media)
    {
        foreach (string v in media.GetAttributeValues("rtcp-fb"))
        {
            string[] parts = v.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[1] == "ack" && parts[2] == "ccfb")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 8888 §6, when <see cref="WebRtcSessionOptions.Rfc8888Feedback"/> is on: our offers carry <c>a=rtcp-fb:* ack
    /// ccfb</c> in every live audio and video section (the payload type MUST be the wildcard), our answers where the offer did.
    /// </summary>
    private void AddCcfbAttributes(SessionDescription description)
    {
        if (_options.Rfc8888Feedback)
        {
            OfferOrEcho(description, HasCcfb, "rtcp-fb", "* ack ccfb");
        }
    }

    /// <summary>
    /// Adds <paramref name="name"/>:<paramref name="value"/> to every live audio and video section of our description
    /// that lacks it (<paramref name="present"/>): all of them in an offer, in an answer those whose offered section had it.
    /// </summary>
    private void OfferOrEcho(SessionDescription description, Func<MediaDescription, bool> present, string name, string value)
    {
        bool offering = _jsep.SignalingState == SignalingState.HaveLocalOffer;
        SessionDescription? offer = offering ? null : _jsep.CurrentRemoteDescription;
        IList<MediaDescription> sections = description.MediaDescriptions;
        for (int i = 0; i < sections.Count; i++)
        {
            MediaDescription m = sections[i];
            if (m.IsRejected || m.Media is not ("audio" or "video") || present(m))
            {
                continue;
            }

            if (offering || (offer is not null && i < offer.MediaDescriptions.Count && present(offer.MediaDescriptions[i])))
            {
                m.AddAttribute(name, value);
            }
        }
    }

    private static bool HasReceiverRtt(MediaDescription media)
    {
        foreach (string v in media.GetAttributeValues(RtcpXrAttribute))
        {
            foreach (string part in v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("rcvr-rtt=", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 3611 §5.1: our offers ask for receiver RTT in every live section; our answers echo it where the offer asked.
    /// </summary>
    private void AddReceiverRttAttributes(SessionDescription description)
    {
        if (_options.RtcpXrReceiverRtt)
        {
            OfferOrEcho(description, HasReceiverRtt, RtcpXrAttribute, ReceiverRttValue);
        }
    }

    /// <summary>After an exchange: which sections stamp transport-wide sequence numbers, whether we give feedback, whether XR runs.</summary>
    private void ConfigureFeedback()
    {
        _transportCcExtensionId = 0;
        foreach (Section s in _sections)
        {
            if (s.TransportCcId != 0)
            {
                _transportCcExtensionId = s.TransportCcId;
                break;
            }
        }

        // RFC 8888 when the peer's description asks for it in a live audio or video section and the option is on (with it
        // on, our offers always ask and our answers echo the offer, AddCcfbAttributes; an answer to an offer that did not
        // ask cannot carry it, RFC 3264 §6).
        _ccfbNegotiated = false;
        if (_options.Rfc8888Feedback && _jsep.CurrentRemoteDescription is SessionDescription remoteDescription)
        {
            foreach (Section s in _sections)
            {
                if (s.Kind is MediaKind.Audio or MediaKind.Video && s.MLineIndex < remoteDescription.MediaDescriptions.Count
                    && HasCcfb(remoteDescription.MediaDescriptions[s.MLineIndex]))
                {
                    _ccfbNegotiated = true;
                }
            }
        }

        foreach (Section s in _sections)
        {
            s.CcfbNegotiated = _ccfbNegotiated && s.Kind is MediaKind.Audio or MediaKind.Video;
        }

        if (_transportCcExtensionId != 0 || _ccfbNegotiated)
        {
            EnsureController();
            _sentPackets ??= new SentPacketHistory(SentHistorySize);
        }

        if (_transportCcExtensionId != 0 && !_ccfbNegotiated && _options.SendTransportFeedback)
        {
            _feedbackGenerator ??= new FeedbackGenerator(FeedbackFormat.Twcc);
        }
        else
        {
            _feedbackGenerator = null;
            _feedbackPending = false;
        }

        if (_ccfbNegotiated)
        {
            _ccfbAdapter ??= new CcfbFeedbackAdapter();
            if (_options.SendTransportFeedback)
            {
                _ccfbBuilder ??= new CcfbFeedbackBuilder(ReporterSsrc(), _options.Rfc8888FeedbackInterval);
            }
        }
        else
        {
            _ccfbAdapter = null;
            _ccfbBuilder = null;
            _ccfbPending = false;
        }

        // Negotiated when the peer's description asks for it in a live audio or video section (we always ask in offers and
        // echo in answers, AddReceiverRttAttributes).
        _xrNegotiated = false;
        if (_options.RtcpXrReceiverRtt && _jsep.CurrentRemoteDescription is SessionDescription remote)
        {
            foreach (Section s in _sections)
            {
                if (s.MLineIndex < remote.MediaDescriptions.Count && HasReceiverRtt(remote.MediaDescriptions[s.MLineIndex]))
                {
                    _xrNegotiated = true;
                }
            }
        }
    }

    /// <summary>The transport-wide sequence number the next packet carries (§2: one counter for the whole transport).</summary>
    private ushort NextTransportSequenceNumber => unchecked((ushort)_nextTransportSequence);

    /// <summary>
    /// Puts the next transport-wide sequence number into the extension element an RTX retransmission already carries (it
    /// keeps the original's header extension, RFC 4588 §4; it is a new packet on the path and gets a new number, as
    /// libwebrtc does). False when the packet has no such element, or is not on the RTX SSRC: a retransmission on the
    /// original SSRC is the very same packet, protected with the same SRTP index, and must stay byte for byte the same
    /// (RFC 7714 §8.1-8.2: the GCM IV comes from SSRC, ROC and sequence number, and the header with its extensions is the
    /// AAD, so a changed header under the same IV would reuse the nonce); it keeps its old number.
    /// </summary>
    private bool TryRestampTransportSequence(Span<byte> packet, byte extensionId, uint? rtxSsrc)
    {
        if (extensionId == 0 || rtxSsrc is not uint rtx || !RtpPacket.TryParse(packet, out RtpPacket parsed) || parsed.Ssrc != rtx || !parsed.HasExtension
            || !parsed.TryGetHeaderExtension(extensionId, out ReadOnlySpan<byte> value) || value.Length < TransportSequenceNumberExtension.Length
            || !((ReadOnlySpan<byte>)packet).Overlaps(value, out int offset))
        {
            return false;
        }

        TransportSequenceNumberExtension.Write(packet[offset..], NextTransportSequenceNumber);
        return true;
    }

    /// <summary>
    /// A packet numbered <see cref="NextTransportSequenceNumber"/> (carried in its transport-cc extension, or, with RFC 8888,
    /// only remembered here by its SSRC and sequence number) went to the transport: remember it and tell the controller.
    /// </summary>
    private void OnTransportSequenceSent(ReadOnlySpan<byte> rtp, TimeSpan now)
    {
        int plaintextLength = rtp.Length;
        if (_ccfbAdapter is not null && rtp.Length >= 12)
        {
            // RFC 8888 reports by (SSRC, RTP sequence number), RFC 3550 §5.1 header fields.
            _ccfbAdapter.OnPacketSent(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]), _nextTransportSequence);
        }

        // The size on the path: the SRTP packet (RTP plus the authentication tag, RFC 3711 §3.1).
        // A packet the pacer sent for a probe cluster carries the cluster's id, so the feedback about it gives the probe result.
        var sent = new SentPacket(_nextTransportSequence, plaintextLength + SrtpTag(), now, _probeCluster, _sendingPadding);
        _sentPackets?.Add(sent);
        _controller?.OnPacketSent(sent);
        _nextTransportSequence++;
        FeedbackCounters.PacketsStamped++;
        _mediaSentOnTransport = true;
        if (_probeCluster != SentPacket.NotAProbe)
        {
            PacingCounters.ProbePackets++;
        }
    }

    /// <summary>Records a received packet's transport-wide sequence number and arrival time for our feedback (§3.1).</summary>
    private void RecordTransportSequence(ReadOnlySpan<byte> value, uint ssrc, int length, TimeSpan now)
    {
        if (_feedbackGenerator is null || !TransportSequenceNumberExtension.TryRead(value, out ushort sequence))
        {
            return;
        }

        _feedbackGenerator.OnPacket(_incomingTransportSequence.Unwrap(sequence), length, now);
        _feedbackMediaSsrc = ssrc;
        _feedbackPending = true;
        FeedbackCounters.PacketsRecorded++;
    }

    /// <summary>Records a received RTP packet for our RFC 8888 report (§3.1: every packet, by SSRC and sequence number).</summary>
    private void RecordCcfbArrival(uint ssrc, ushort sequenceNumber, TimeSpan now)
    {
        if (_ccfbBuilder is null)
        {
            return;
        }

        _ccfbBuilder.OnPacket(ssrc, sequenceNumber, now);
        _ccfbPending = true;
        FeedbackCounters.PacketsRecorded++;
    }

    private SessionTimeout? NextFeedbackTimeout()
    {
        SessionTimeout? next = null;
        if (_feedbackPending && _feedbackGenerator is not null)
        {
            next = new SessionTimeout(_feedbackGenerator.PollTimeout(), SessionTimerReason.TransportFeedback);
        }

        if (_ccfbPending && _ccfbBuilder is not null)
        {
            next = Earliest(next, new SessionTimeout(_ccfbBuilder.PollTimeout(), SessionTimerReason.TransportFeedback));
        }

        // The session's own controller starts with the first packet it hears of (a session that only receives has no
        // timer for it); the caller's runs from the start, as it always did.
        if (_controller is ICongestionController cc && (_mediaSentOnTransport || _options.CongestionController is not null)
            && cc.PollTimeout() is TimeSpan at && at != TimeSpan.MaxValue)
        {
            next = Earliest(next, new SessionTimeout(at, SessionTimerReason.CongestionControl));
        }

        return Earliest(next, NextPacerTimeout());
    }

    private void RunFeedbackTimers(TimeSpan now)
    {
        if (_feedbackPending && _feedbackGenerator is not null && now >= _feedbackGenerator.PollTimeout())
        {
            SendTransportFeedback(now);
        }

        if (_ccfbPending && _ccfbBuilder is not null && now >= _ccfbBuilder.PollTimeout())
        {
            SendCcfb(now);
        }

        if (_controller is ICongestionController cc && (_mediaSentOnTransport || _options.CongestionController is not null) && now >= cc.PollTimeout())
        {
            cc.HandleTimeout(now);
        }

        OnControllerUpdated(now);
    }

    /// <summary>
    /// Sends one feedback report covering every transport-wide sequence number since the last (gaps as not received), in
    /// as many RTPFB FMT 15 packets as it takes, each after an empty RR (the RFC 4585 §3.1 compound rule, as NACK goes).
    /// </summary>
    private void SendTransportFeedback(TimeSpan now)
    {
        _feedbackPending = false;
        if (!_feedbackGenerator!.TryBuildReport(now, out IReadOnlyList<PacketFeedback> report) || report.Count == 0)
        {
            return;
        }

        uint reporter = ReporterSsrc();
        Span<TimeSpan?> arrivals = stackalloc TimeSpan?[MaxFeedbackPerPacket];
        Span<byte> buffer = _send.AsSpan(0, MaxRtcpSize);
        int offset = 0;
        while (offset < report.Count)
        {
            int n = Math.Min(report.Count - offset, arrivals.Length);
            for (int i = 0; i < n; i++)
            {
                PacketFeedback p = report[offset + i];
                arrivals[i] = p.Received ? p.ArrivalTime : null;
            }

            // RFC 3550 §6.1: every compound starts with a report and carries SDES CNAME (RFC 4585 §3.1 for feedback).
            var compound = new RtcpCompoundWriter(buffer);
            compound.TryAddReceiverReport(reporter, []);
            compound.TryAddCname(reporter, _cname);
            if (!TransportWideFeedback.TryWrite(compound.Free, reporter, _feedbackMediaSsrc, unchecked((ushort)report[offset].TransportSequenceNumber),
                _feedbackPacketCount, arrivals[..n], out int written, out int packets) || packets == 0)
            {
                return;
            }

            compound.Advance(written);
            if (_transport.SendRtcp(buffer[..compound.Length], now) == TransportSendStatus.Sent)
            {
                FeedbackCounters.TransportFeedbackSent++;
            }

            _feedbackPacketCount++;
            offset += packets;
        }
    }

    /// <summary>
    /// Sends one RFC 8888 report (§3.1) after an empty RR and our CNAME (RFC 4585 §3.1 compound rule), covering every
    /// stream's packets since the last report; what does not fit in one packet goes in the next report.
    /// </summary>
    private void SendCcfb(TimeSpan now)
    {
        _ccfbPending = false;
        uint reporter = ReporterSsrc();
        Span<byte> buffer = _send.AsSpan(0, MaxRtcpSize);
        var compound = new RtcpCompoundWriter(buffer);
        compound.TryAddReceiverReport(reporter, []);
        compound.TryAddCname(reporter, _cname);
        if (!_ccfbBuilder!.TryBuild(now, compound.Free, out int written) || written == 0)
        {
            return;
        }

        compound.Advance(written);
        if (_transport.SendRtcp(buffer[..compound.Length], now) == TransportSendStatus.Sent)
        {
            FeedbackCounters.CcfbSent++;
        }

        // More packets than one report held: the rest goes at the next interval.
        _ccfbPending = true;
    }

    /// <summary>
    /// The peer's RFC 8888 report about our packets: each (SSRC, sequence number) it names is mapped to the transport-wide
    /// number we gave the packet when it left, then to the sent-packet history, as transport-cc feedback is.
    /// </summary>
    private void HandleCcfb(ReadOnlySpan<byte> rtcpPacket, TimeSpan now)
    {
        if (_ccfbAdapter is null || _sentPackets is not SentPacketHistory history)
        {
            FeedbackCounters.FeedbackIgnored++;
            return;
        }

        if (!_ccfbAdapter.TryConvert(rtcpPacket, out ReadOnlySpan<PacketFeedback> feedback))
        {
            return;
        }

        FeedbackCounters.CcfbReceived++;
        long highest = history.HighestSequenceNumber;
        int n = 0;
        foreach (PacketFeedback f in feedback)
        {
            if (f.TransportSequenceNumber > highest || f.TransportSequenceNumber <= highest - SentHistorySize || !history.TryGet(f.TransportSequenceNumber, out SentPacket sent))
            {
                FeedbackCounters.UnknownPacketsReported++;
                continue;
            }

            KeepFeedback(f, sent, ref n);
        }

        DeliverFeedback(n, 0, now);
    }

    /// <summary>Keeps one matched feedback entry (and its result for the event) in the scratch arrays, and counts it.</summary>
    private void KeepFeedback(in PacketFeedback feedback, in SentPacket sent, ref int n)
    {
        if (n == _resultScratch.Length)
        {
            // Grows rarely and never past the history: every kept entry is a distinct number within it.
            int size = Math.Min(SentHistorySize, Math.Max(64, n * 2));
            Array.Resize(ref _resultScratch, size);
            Array.Resize(ref _feedbackScratch, size);
        }

        _feedbackScratch[n] = feedback;
        _resultScratch[n] = new PacketResult(sent, feedback.Received ? feedback.ArrivalTime : TimeSpan.Zero, feedback.Received, false);
        n++;
        FeedbackCounters.PacketsReported++;
        if (!feedback.Received)
        {
            FeedbackCounters.PacketsReportedLost++;
        }
    }

    /// <summary>Hands the <paramref name="n"/> kept entries to the controller (and as an event when asked for).</summary>
    private void DeliverFeedback(int n, byte feedbackPacketCount, TimeSpan now)
    {
        if (n == 0)
        {
            return;
        }

        _controller?.OnFeedback(_feedbackScratch.AsSpan(0, n), now);
        if (_options.TransportFeedbackEvents)
        {
            _events.Enqueue(new SessionTransportFeedbackEvent(now, feedbackPacketCount, _resultScratch.AsSpan(0, n).ToArray()));
        }
    }

    /// <summary>
    /// The peer's feedback about our packets (§3.1): each entry is matched by its unwrapped sequence number to the
    /// sent-packet history; entries we never sent or no longer remember are counted and left out.
    /// </summary>
    private void HandleTransportFeedback(in TransportWideFeedback twcc, TimeSpan now)
    {
        FeedbackCounters.TransportFeedbackReceived++;
        if (_ccfbNegotiated)
        {
            // RFC 8888 feeds the controller: a packet must not be reported to it twice.
            FeedbackCounters.FeedbackIgnored++;
            return;
        }

        if (_sentPackets is not SentPacketHistory history || history.HighestSequenceNumber < 0)
        {
            return;
        }

        long highest = history.HighestSequenceNumber;
        long sequence = TwccFeedbackAdapter.Unwrap(twcc.BaseSequenceNumber, highest);
        int n = 0;
        foreach (TransportWidePacketReport r in twcc)
        {
            long seq = sequence++;
            if (seq > highest || seq <= highest - SentHistorySize || !history.TryGet(seq, out SentPacket sent))
            {
                FeedbackCounters.UnknownPacketsReported++;
                continue;
            }

            KeepFeedback(r.Received ? PacketFeedback.Arrived(seq, r.ArrivalTime) : PacketFeedback.Lost(seq), sent, ref n);
        }

        DeliverFeedback(n, twcc.FeedbackPacketCount, now);
    }

    /// <summary>A report block gave a send stream an RTT (RFC 3550 §6.4.1): the controller hears of it too.</summary>
    private void OnReportBlockRoundTripTime(TimeSpan? rtt, uint lastSenderReport, TimeSpan now)
    {
        if (rtt is TimeSpan value && lastSenderReport != 0)
        {
            _controller?.OnRoundTripTime(value, now);
        }
    }

    private NtpTimestamp NtpAt(TimeSpan now) => NtpTimestamp.FromDateTime((WallClockAtZero(now) + now).UtcDateTime);

    /// <summary>
    /// The wall-clock time at <c>now</c> = 0, one for the whole session (its XR and every send stream's SRs): the
    /// option's, or the transport's wall clock read once, the first time NTP time is needed, paired with that
    /// <paramref name="now"/> (RFC 3550 §6.4.1: the NTP timestamp is wall-clock time; never the Unix epoch).
    /// </summary>
    private DateTimeOffset WallClockAtZero(TimeSpan now) => _ntpWallClockAtZero ??= _options.Transport.WallClock.GetUtcNow() - now;

    /// <summary>
    /// Appends to the periodic compound an XR packet (RFC 3611 §2) with our receiver reference time (§4.4) and a DLRR
    /// sub-block (§4.5) for every source whose RRTR we received.
    /// </summary>
    private void AddExtendedReport(ref RtcpCompoundWriter compound, uint reporter, TimeSpan now)
    {
        if (!_xrNegotiated)
        {
            return;
        }

        var xr = new RtcpExtendedReportWriter(compound.Free, reporter);
        xr.TryAddReceiverReferenceTime(NtpAt(now));
        Span<RtcpDlrrSubBlock> dlrr = stackalloc RtcpDlrrSubBlock[MaxXrSources];
        int d = 0;
        foreach (XrSource source in _xrSources)
        {
            dlrr[d++] = new RtcpDlrrSubBlock(source.Ssrc, source.Reference.Last, source.Reference.DelaySinceLast(now));
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

    /// <summary>An XR packet from the peer: remember its RRTR for our DLRR; a DLRR about our RRTR gives the RTT (RFC 3611 §4.5).</summary>
    private void HandleExtendedReport(in RtcpExtendedReport xr, TimeSpan now)
    {
        FeedbackCounters.ExtendedReportsReceived++;
        if (!_xrNegotiated)
        {
            return;
        }

        foreach (RtcpXrBlock block in xr)
        {
            if (block.BlockType == RtcpXrBlockType.ReceiverReferenceTime && block.TryGetReceiverReferenceTime(out NtpTimestamp rrtr))
            {
                int index = FindXrSource(xr.Ssrc);
                if (index < 0 && _xrSources.Count < MaxXrSources)
                {
                    // A receive-only peer sends RRTR from an SSRC that sends no RTP: it need not be a stream we know.
                    _xrSources.Add(new XrSource(xr.Ssrc));
                    index = _xrSources.Count - 1;
                }

                if (index >= 0)
                {
                    _xrSources[index].Reference.OnReportReceived(rrtr, now);
                }
            }
            else if (block.BlockType == RtcpXrBlockType.Dlrr)
            {
                uint arrival = NtpAt(now).ToCompact();
                for (int i = 0; i < block.DlrrCount; i++)
                {
                    RtcpDlrrSubBlock sub = block.GetDlrr(i);
                    if (IsOurSsrc(sub.Ssrc) && RoundTripTime.TryCompute(arrival, sub.LastReceiverReport, sub.DelaySinceLastReceiverReport, out TimeSpan rtt))
                    {
                        OnXrRoundTripTime(rtt, now);
                    }
                }
            }
        }
    }

    private void OnXrRoundTripTime(TimeSpan rtt, TimeSpan now)
    {
        FeedbackCounters.XrRoundTripTime = rtt;
        FeedbackCounters.TotalXrRoundTripTime += rtt;
        FeedbackCounters.XrRoundTripTimeMeasurements++;
        _controller?.OnRoundTripTime(rtt, now);

        // Sections that send learn the RTT from report blocks; those that only receive had none until now.
        foreach (Section s in _sections)
        {
            if (s.Send?.RoundTripTime is not null)
            {
                continue;
            }

            foreach (Receiver r in s.Receivers.Values)
            {
                r.Stream.RoundTripTime = rtt;
                if (r.Frames is not null)
                {
                    r.Frames.RoundTripTime = rtt;
                }
            }
        }
    }

    private int FindXrSource(uint ssrc)
    {
        for (int i = 0; i < _xrSources.Count; i++)
        {
            if (_xrSources[i].Ssrc == ssrc)
            {
                return i;
            }
        }

        return -1;
    }

    private bool IsOurSsrc(uint ssrc)
    {
        foreach (Section s in _sections)
        {
            if (s.LocalSsrc == ssrc || s.Send?.Ssrc == ssrc)
            {
                return true;
            }

            foreach (SendLayer layer in s.Layers)
            {
                if (layer.Stream.Ssrc == ssrc)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The SSRC our RTCP comes from: the first section's send stream, or its local SSRC when it only receives.</summary>
    private uint ReporterSsrc()
    {
        foreach (Section s in _sections)
        {
            return s.Send?.Ssrc ?? s.LocalSsrc;
        }

        return 1;
    }

    /// <summary>A peer source that sent us a receiver reference time (RFC 3611 §4.4), answered with DLRR.</summary>
    private sealed class XrSource(uint ssrc)
    {
        public uint Ssrc { get; } = ssrc;

        public LastReportTracker Reference;
    }
}
