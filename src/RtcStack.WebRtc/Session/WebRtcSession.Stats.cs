using System.Globalization;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <content>A statistics snapshot shaped like the W3C RTCStatsReport (webrtc-stats), for every section and stream.</content>
public sealed partial class WebRtcSession
{
    private const string StatsTransportId = "T01";
    private const string StatsPairId = "CP01";

    /// <summary>
    /// Takes a statistics snapshot (webrtc-pc <c>getStats()</c>, webrtc-stats §8): the transport and its selected
    /// candidate pair, a codec entry per payload type in use, and per section an outbound-rtp (with remote-inbound-rtp
    /// once the peer reported on it) and an inbound-rtp per remote stream (with remote-outbound-rtp once it sent an SR).
    /// Ids follow the browsers' pattern: "OT01A1234" / "IT01V5678" (direction, transport, A/V, SSRC), "COT01_96".
    /// </summary>
    /// <param name="now">The session time of the snapshot.</param>
    /// <returns>The report.</returns>
    public RtcStatsReport GetStats(TimeSpan now)
    {
        var list = new List<RtcStats>();
        TransportCounters t = _transport.Counters;
        IceAgent? ice = _transport.IceAgent;
        IceCandidatePair? pair = _transport.SelectedPair;
        long nacksSent = 0;
        foreach (Section s in _sections)
        {
            foreach (Receiver r in s.Receivers.Values)
            {
                nacksSent += r.Stream.GetStats().NackCount;
            }
        }

        list.Add(new RtcTransportStats
        {
            Id = StatsTransportId,
            Timestamp = now,
            PacketsSent = t.PacketsSent,
            PacketsReceived = t.PacketsReceived,
            BytesSent = t.BytesSent,
            BytesReceived = t.BytesReceived,
            IceRole = ice is null ? "unknown" : ice.Role == IceRole.Controlling ? "controlling" : "controlled",
            IceLocalUsernameFragment = LocalIceUfrag,
            IceState = _transport.IceState.ToString().ToLowerInvariant(),
            DtlsState = _transport.DtlsState switch
            {
                DtlsState.New => "new",
                DtlsState.Handshaking => "connecting",
                DtlsState.Connected => "connected",
                DtlsState.Closed => "closed",
                _ => "failed",
            },
            DtlsRole = _transport.LocalDtlsRole switch { DtlsRole.Client => "client", DtlsRole.Server => "server", _ => null },
            SelectedCandidatePairId = pair is null ? null : StatsPairId,
            TlsVersion = _transport.NegotiatedDtlsVersion is DtlsVersion version ? RtcStatsNames.TlsVersionName(version) : null,
            TlsGroup = _transport.NegotiatedDtlsGroup is DtlsNamedGroup group ? RtcStatsNames.TlsGroupName(group) : null,
            DtlsCipher = _transport.CipherSuite is DtlsCipherSuite suite ? RtcStatsNames.CipherName(suite) : null,
            SrtpCipher = _transport.SrtpProfile is { } profile ? RtcStatsNames.SrtpName(profile) : null,
            SrtpAuthenticationFailures = t.GetDropped(TransportDropReason.AuthenticationFailed) - t.SrtcpAuthenticationFailures,
            SrtpReplays = t.GetDropped(TransportDropReason.Replayed) - t.SrtcpReplays,
            SrtcpFailures = t.SrtcpAuthenticationFailures,
            SrtcpReplays = t.SrtcpReplays,
            IceRemoteCandidates = ice?.RemoteCandidates.Count ?? 0,
            IceCandidatePairs = ice?.CheckList.Count ?? 0,
            RtcpPacketsSent = t.SrtcpPacketsSent,
            RtcpPacketsReceived = t.SrtcpPacketsReceived,
            SenderReportsSent = RtcpCounters.SenderReportsSent,
            ReceiverReportsSent = RtcpCounters.ReceiverReportsSent,
            SenderReportsReceived = RtcpCounters.SenderReportsReceived,
            ReceiverReportsReceived = RtcpCounters.ReceiverReportsReceived,
            TransportFeedbackSent = FeedbackCounters.TransportFeedbackSent,
            TransportFeedbackReceived = FeedbackCounters.TransportFeedbackReceived,
            NacksSent = nacksSent,
            XrReceived = RtcpCounters.ExtendedReportsReceived,
            GoodbyesReceived = RtcpCounters.GoodbyesReceived,
            MediaQueueOverflows = MediaCounters.MediaQueueOverflows,
        });

        if (pair is not null)
        {
            list.Add(new RtcIceCandidatePairStats
            {
                Id = StatsPairId,
                Timestamp = now,
                TransportId = StatsTransportId,
                LocalCandidateId = pair.Local.ToString(),
                RemoteCandidateId = pair.Remote.ToString(),
                State = pair.State.ToString().ToLowerInvariant(),
                Nominated = pair.Nominated,
                PacketsSent = t.PacketsSent,
                PacketsReceived = t.PacketsReceived,
                BytesSent = t.BytesSent,
                BytesReceived = t.BytesReceived,
                CurrentRoundTripTime = pair.RoundTripTime?.TotalSeconds,
                AvailableOutgoingBitrate = TargetBitrateBps,
                RequestsSent = pair.RequestsSent,
                ResponsesReceived = pair.ResponsesReceived,
                RequestsReceived = pair.RequestsReceived,
            });
        }

        var codecs = new HashSet<int>();
        foreach (Section s in _sections)
        {
            string kind = s.Kind == MediaKind.Audio ? "audio" : "video";
            char k = s.Kind == MediaKind.Audio ? 'A' : 'V';

            // One outbound-rtp per stream we send: each simulcast layer has its own, with its RID.
            for (int layer = 0; layer < s.SendStreamCount; layer++)
            {
                if (s.SendStream(layer) is RtpSendStream send && send.HasSentMedia && s.SendCodec is NegotiatedCodec sendCodec)
                {
                    string codecId = AddCodec(list, codecs, sendCodec, s.Kind, now);
                    SendStreamStats o = send.GetStats();
                    RemoteInboundStats ri = send.GetRemoteInboundStats();
                    string outboundId = "OT01" + k + o.Ssrc.ToString(CultureInfo.InvariantCulture);
                    string remoteId = "RI" + k + o.Ssrc.ToString(CultureInfo.InvariantCulture);
                    list.Add(new RtcOutboundRtpStreamStats
                    {
                        Id = outboundId,
                        Timestamp = now,
                        Ssrc = o.Ssrc,
                        Kind = kind,
                        TransportId = StatsTransportId,
                        CodecId = codecId,
                        Mid = s.Mid,
                        Rid = s.Layers.Length > 0 ? s.Layers[layer].Rid : null,
                        PacketsSent = o.PacketsSent,
                        BytesSent = o.BytesSent,
                        HeaderBytesSent = o.HeaderBytesSent,
                        RetransmittedPacketsSent = o.RetransmittedPacketsSent,
                        RetransmittedBytesSent = o.RetransmittedBytesSent,
                        NackCount = o.NackCount,
                        RetransmissionsDropped = o.RetransmissionsDropped,
                        RtxSsrc = o.RtxSsrc,
                        PliCount = s.Kind == MediaKind.Video ? o.PliCount : null,
                        FirCount = s.Kind == MediaKind.Video ? o.FirCount : null,
                        RemoteId = ri.ReportsReceived > 0 ? remoteId : null,
                    });
                    if (ri.ReportsReceived > 0)
                    {
                        list.Add(new RtcRemoteInboundRtpStreamStats
                        {
                            Id = remoteId,
                            Timestamp = now,
                            Ssrc = o.Ssrc,
                            Kind = kind,
                            TransportId = StatsTransportId,
                            CodecId = codecId,
                            LocalId = outboundId,
                            PacketsLost = ri.PacketsLost,
                            FractionLost = ri.FractionLost,
                            Jitter = ri.Jitter,
                            RoundTripTime = ri.RoundTripTime?.TotalSeconds,
                            TotalRoundTripTime = ri.TotalRoundTripTime.TotalSeconds,
                            RoundTripTimeMeasurements = ri.RoundTripTimeMeasurements,
                            ReportsReceived = ri.ReportsReceived,
                        });
                    }
                }
            }

            foreach (Receiver r in s.Receivers.Values)
            {
                ReceiveStreamStats i = r.Stream.GetStats(r.Frames);
                if (i.PacketsReceived == 0)
                {
                    continue;
                }

                string codecId = AddCodec(list, codecs, r.Codec, s.Kind, now);
                string inboundId = "IT01" + k + i.Ssrc.ToString(CultureInfo.InvariantCulture);
                string remoteId = "RO" + k + i.Ssrc.ToString(CultureInfo.InvariantCulture);
                bool hasSr = r.Stream.SenderReportsReceived > 0;
                bool video = s.Kind == MediaKind.Video;
                AudioPlayout? playout = r.Audio?.Playout;
                Opus.Jitter.JitterBufferStatistics? jb = playout?.Buffer.Statistics;
                list.Add(new RtcInboundRtpStreamStats
                {
                    JitterBufferDelay = jb?.JitterBufferDelay,
                    JitterBufferTargetDelay = jb?.JitterBufferTargetDelay,
                    JitterBufferMinimumDelay = jb?.JitterBufferMinimumDelay,
                    JitterBufferEmittedCount = jb?.JitterBufferEmittedCount,
                    TotalSamplesReceived = jb?.TotalSamplesReceived,
                    ConcealedSamples = jb?.ConcealedSamples,
                    SilentConcealedSamples = jb?.SilentConcealedSamples,
                    ConcealmentEvents = jb?.ConcealmentEvents,
                    InsertedSamplesForDeceleration = jb?.InsertedSamplesForDeceleration,
                    RemovedSamplesForAcceleration = jb?.RemovedSamplesForAcceleration,
                    DecoderImplementation = playout?.DecoderImplementation,
                    RedRecoveredPackets = r.Audio?.Red?.RecoveredFrames,
                    Id = inboundId,
                    Timestamp = now,
                    Ssrc = i.Ssrc,
                    Kind = kind,
                    TransportId = StatsTransportId,
                    CodecId = codecId,
                    Mid = s.Mid,
                    PacketsReceived = i.PacketsReceived,
                    PacketsLost = i.PacketsLost,
                    Jitter = i.Jitter,
                    BytesReceived = i.BytesReceived,
                    HeaderBytesReceived = i.HeaderBytesReceived,
                    PacketsDiscarded = i.PacketsDuplicated + (jb?.PacketsDiscardedLate ?? 0),
                    PacketsDuplicated = i.PacketsDuplicated,
                    NackCount = i.NackCount,
                    RetransmittedPacketsReceived = i.RetransmittedPacketsReceived,
                    RetransmittedBytesReceived = i.RetransmittedBytesReceived,
                    LastPacketReceivedTimestamp = i.LastPacketReceived?.TotalMilliseconds,
                    PliCount = video ? i.PliCount : null,
                    FirCount = video ? i.FirCount : null,
                    FramesReceived = video && r.Frames is not null ? i.FramesReceived : null,
                    FramesDropped = video && r.Frames is not null ? i.FramesDropped : null,
                    KeyFramesReceived = video && r.Frames is not null ? i.KeyFramesReceived : null,
                    RemoteId = hasSr ? remoteId : null,
                });
                if (hasSr)
                {
                    Rtp.Rtcp.RtcpSenderInfo info = r.Stream.LastSenderInfo;
                    list.Add(new RtcRemoteOutboundRtpStreamStats
                    {
                        Id = remoteId,
                        Timestamp = now,
                        Ssrc = i.Ssrc,
                        Kind = kind,
                        TransportId = StatsTransportId,
                        LocalId = inboundId,
                        PacketsSent = info.PacketCount,
                        BytesSent = info.OctetCount,
                        RemoteTimestamp = (info.NtpTimestamp.ToDateTime() - DateTime.UnixEpoch).TotalMilliseconds,
                        ReportsSent = r.Stream.SenderReportsReceived,
                        RoundTripTime = FeedbackCounters.XrRoundTripTime?.TotalSeconds,
                        TotalRoundTripTime = FeedbackCounters.TotalXrRoundTripTime.TotalSeconds,
                        RoundTripTimeMeasurements = FeedbackCounters.XrRoundTripTimeMeasurements,
                    });
                }
            }
        }

        return new RtcStatsReport(list);
    }

    // One codec entry per payload type (BUNDLE reserves each payload type for one codec across sections).
    private static string AddCodec(List<RtcStats> list, HashSet<int> added, NegotiatedCodec codec, MediaKind kind, TimeSpan now)
    {
        string id = "COT01_" + codec.PayloadType.ToString(CultureInfo.InvariantCulture);
        if (added.Add(codec.PayloadType))
        {
            list.Add(new RtcCodecStats
            {
                Id = id,
                Timestamp = now,
                PayloadType = codec.PayloadType,
                TransportId = StatsTransportId,
                MimeType = (kind == MediaKind.Audio ? "audio/" : "video/") + codec.Name,
                ClockRate = codec.ClockRate,
                Channels = codec.Channels ?? (kind == MediaKind.Audio ? 1 : null),
                SdpFmtpLine = codec.Parameters.Count == 0 ? null : string.Join(';', codec.Parameters.Select(p => p.ToString())),
            });
        }

        return id;
    }
}
