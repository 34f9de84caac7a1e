using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <content>Statistics shaped like the W3C RTCStatsReport (webrtc-stats).</content>
public sealed partial class PeerSession
{
    private const string TransportId = "T01";
    private const string PairId = "CP01";

    /// <summary>Gets the number of SRTP packets that failed authentication (a replay or a key mismatch would show here).</summary>
    public long SrtpAuthenticationFailures => _srtpFailures;

    /// <summary>
    /// Takes a statistics snapshot (webrtc-pc <c>getStats()</c>): transport, candidate-pair, codec,
    /// outbound-rtp and remote-inbound-rtp for our stream, inbound-rtp and remote-outbound-rtp per remote source.
    /// </summary>
    public RtcStatsReport GetStats(TimeSpan now)
    {
        var list = new List<RtcStats>();
        string? codecId = _negotiated is null ? null : "COT01_" + _payloadType;
        IceCandidatePair? pair = _ice?.GetSelectedPair();
        list.Add(new RtcTransportStats
        {
            Id = TransportId,
            Timestamp = now,
            PacketsSent = _transportPacketsSent,
            PacketsReceived = _transportPacketsReceived,
            BytesSent = _transportBytesSent,
            BytesReceived = _transportBytesReceived,
            IceRole = _ice?.Role == IceRole.Controlling ? "controlling" : _ice is null ? "unknown" : "controlled",
            IceLocalUsernameFragment = LocalIceUfrag,
            IceState = IceStateName(_ice?.ConnectionState ?? IceConnectionState.New),
            DtlsState = DtlsStateName(),
            DtlsRole = _dtlsRole switch { Dtls.DtlsRole.Client => "client", Dtls.DtlsRole.Server => "server", _ => null },
            SelectedCandidatePairId = pair is null ? null : PairId,
            TlsVersion = _dtlsCipher is null ? null : "FEFD",
            DtlsCipher = _dtlsCipher is DtlsCipherSuite suite ? CipherName(suite) : null,
            SrtpCipher = _srtpProfile is SrtpProfile p ? SrtpName(p) : null,
            SrtpAuthenticationFailures = _srtpFailures,
            SrtpReplays = _srtpReplays,
            SrtcpFailures = _srtcpFailures,
            SrtcpReplays = _srtcpReplays,
            IceRemoteCandidates = _ice?.RemoteCandidates.Count ?? 0,
            IceCandidatePairs = _ice?.CheckList.Count ?? 0,
            RtcpPacketsSent = _rtcpPacketsSent,
            RtcpPacketsReceived = _rtcpPacketsReceived,
            SenderReportsSent = _senderReportsSent,
            ReceiverReportsSent = _receiverReportsSent,
            SenderReportsReceived = _senderReportsReceived,
            ReceiverReportsReceived = _receiverReportsReceived,
            TransportFeedbackSent = _transportFeedbackSent,
            TransportFeedbackReceived = _transportFeedbackReceived,
            NacksSent = _nacksSent,
            XrReceived = _xrReceived,
            GoodbyesReceived = _goodbyesReceived,
            MediaQueueOverflows = _mediaQueueOverflows,
        });

        if (pair is not null)
        {
            list.Add(new RtcIceCandidatePairStats
            {
                Id = PairId,
                Timestamp = now,
                TransportId = TransportId,
                LocalCandidateId = pair.Local.ToString(),
                RemoteCandidateId = pair.Remote.ToString(),
                State = pair.State.ToString().ToLowerInvariant(),
                Nominated = pair.Nominated,
                PacketsSent = _transportPacketsSent,
                PacketsReceived = _transportPacketsReceived,
                BytesSent = _transportBytesSent,
                BytesReceived = _transportBytesReceived,
                CurrentRoundTripTime = pair.RoundTripTime?.TotalSeconds,
                AvailableOutgoingBitrate = _options.CongestionController is { } cc ? cc.TargetBitrateBps : null,
                RequestsSent = pair.RequestsSent,
                ResponsesReceived = pair.ResponsesReceived,
                RequestsReceived = pair.RequestsReceived,
            });
        }

        if (_negotiated is not null)
        {
            list.Add(new RtcCodecStats
            {
                Id = codecId!,
                Timestamp = now,
                PayloadType = _payloadType,
                TransportId = TransportId,
                MimeType = "audio/opus",
                ClockRate = 48000,
                Channels = 2,
                SdpFmtpLine = FormatFmtp(_negotiated.RemoteOpusParameters),
            });
        }

        if (_sentRtp)
        {
            bool reported = _receiverReportsAboutUs > 0;
            list.Add(new RtcOutboundRtpStreamStats
            {
                Id = "OT01A" + Ssrc,
                Timestamp = now,
                Ssrc = Ssrc,
                Kind = "audio",
                TransportId = TransportId,
                CodecId = codecId,
                Mid = _negotiated?.Mid,
                PacketsSent = _packetsSent,
                BytesSent = _payloadBytesSent,
                HeaderBytesSent = _headerBytesSent,
                RetransmittedPacketsSent = _retransmittedPacketsSent,
                RetransmittedBytesSent = _retransmittedBytesSent,
                NackCount = _nackCountReceived,
                RetransmissionsDropped = _retransmissionsDropped,
                TargetBitrate = _options.CongestionController is { } cc ? cc.TargetBitrateBps : null,
                RemoteId = reported ? "RIA" + Ssrc : null,
            });
            if (reported)
            {
                list.Add(new RtcRemoteInboundRtpStreamStats
                {
                    Id = "RIA" + Ssrc,
                    Timestamp = now,
                    Ssrc = Ssrc,
                    Kind = "audio",
                    TransportId = TransportId,
                    CodecId = codecId,
                    LocalId = "OT01A" + Ssrc,
                    PacketsLost = _remotePacketsLost,
                    FractionLost = _remoteFractionLost / 256.0,
                    Jitter = _remoteJitter / 48000.0,
                    RoundTripTime = _roundTripTime?.TotalSeconds,
                    TotalRoundTripTime = _totalRoundTripTime.TotalSeconds,
                    RoundTripTimeMeasurements = _roundTripTimeMeasurements,
                    ReportsReceived = _receiverReportsAboutUs,
                });
            }
        }

        foreach (RemoteStream s in _remoteStreams)
        {
            if (s.Statistics.PacketsSeen == 0)
            {
                continue;
            }

            InboundRtpStreamStats r = s.Statistics.GetStats();
            string inboundId = "IT01A" + s.Ssrc;
            bool hasSr = s.SenderReportsReceived > 0;
            list.Add(new RtcInboundRtpStreamStats
            {
                Id = inboundId,
                Timestamp = now,
                Ssrc = s.Ssrc,
                Kind = "audio",
                TransportId = TransportId,
                CodecId = codecId!,
                Mid = _negotiated?.Mid,
                PacketsReceived = r.PacketsReceived,
                PacketsLost = r.PacketsLost,
                Jitter = r.Jitter,
                BytesReceived = s.BytesReceived,
                HeaderBytesReceived = s.HeaderBytesReceived,
                PacketsDiscarded = s.PacketsDiscarded,
                PacketsDuplicated = r.PacketsDuplicated,
                NackCount = s.NackCount,
                RetransmittedPacketsReceived = s.RetransmittedPacketsReceived,
                LastPacketReceivedTimestamp = s.LastPacketReceived.TotalMilliseconds,
                AudioLevel = s.LastAudioLevel < 0 ? null : Math.Pow(10, -s.LastAudioLevel / 20.0),
                TotalAudioEnergy = s.TotalAudioEnergy,
                TotalSamplesDuration = s.TotalSamplesDuration,
                RemoteId = hasSr ? "ROA" + s.Ssrc : null,
            });
            if (hasSr)
            {
                list.Add(new RtcRemoteOutboundRtpStreamStats
                {
                    Id = "ROA" + s.Ssrc,
                    Timestamp = now,
                    Ssrc = s.Ssrc,
                    Kind = "audio",
                    TransportId = TransportId,
                    LocalId = inboundId,
                    PacketsSent = s.RemotePacketsSent,
                    BytesSent = s.RemoteOctetsSent,
                    RemoteTimestamp = (s.LastSenderReportNtp.ToDateTime() - DateTime.UnixEpoch).TotalMilliseconds,
                    ReportsSent = s.SenderReportsReceived,
                    RoundTripTime = _xrRoundTripTime?.TotalSeconds,
                    TotalRoundTripTime = _totalXrRoundTripTime.TotalSeconds,
                    RoundTripTimeMeasurements = _xrRoundTripTimeMeasurements,
                });
            }
        }

        return new RtcStatsReport(list);
    }

    /// <summary>The IANA name of a DTLS cipher suite (<see cref="RtcStatsNames.CipherName"/>).</summary>
    public static string CipherName(DtlsCipherSuite suite) => RtcStatsNames.CipherName(suite);

    /// <summary>The webrtc-stats name of an SRTP profile (<see cref="RtcStatsNames.SrtpName"/>).</summary>
    public static string SrtpName(SrtpProfile profile) => RtcStatsNames.SrtpName(profile);

    private static string IceStateName(IceConnectionState s) => s.ToString().ToLowerInvariant();

    private static string? FormatFmtp(IReadOnlyList<FormatParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var parts = new string[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            parts[i] = parameters[i].ToString();
        }

        return string.Join(';', parts);
    }

    private string DtlsStateName() => _dtls?.State switch
    {
        null or DtlsState.New => "new",
        DtlsState.Handshaking => "connecting",
        DtlsState.Connected => "connected",
        DtlsState.Closed => "closed",
        _ => "failed",
    };
}
