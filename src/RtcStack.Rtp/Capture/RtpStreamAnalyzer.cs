namespace RtcStack.Rtp.Capture;

/// <summary>
/// Finds the RTP streams and RTCP flows in a capture and computes per-stream statistics
/// (<see cref="RtpStreamStatistics"/>). Records are classified by <see cref="DatagramClassifier"/>
/// (RFC 7983 first-byte rules, RFC 5761 RTP/RTCP split) and grouped by 5-tuple and SSRC.
/// </summary>
public sealed class RtpStreamAnalyzer
{
    private readonly Func<byte, int> _clockRate;
    private readonly Dictionary<RtpStreamKey, RtpStreamStatistics> _streams = [];
    private readonly List<RtpStreamStatistics> _streamOrder = [];
    private readonly Dictionary<RtpStreamKey, RtcpFlowStatistics> _rtcp = [];
    private readonly List<RtcpFlowStatistics> _rtcpOrder = [];

    /// <summary>Initializes an analyzer.</summary>
    /// <param name="clockRate">
    /// Returns the RTP clock rate (Hz) for a payload type. Default: RFC 3551's static table, and
    /// <see cref="RtpClockRates.DefaultDynamic"/> for every other payload type.
    /// </param>
    public RtpStreamAnalyzer(Func<byte, int>? clockRate = null)
    {
        _clockRate = clockRate ?? DefaultClockRate;
    }

    /// <summary>Gets the RTP streams in order of their first packet.</summary>
    public IReadOnlyList<RtpStreamStatistics> Streams => _streamOrder;

    /// <summary>Gets the RTCP flows (5-tuple and sender SSRC) in order of their first packet.</summary>
    public IReadOnlyList<RtcpFlowStatistics> RtcpFlows => _rtcpOrder;

    /// <summary>Gets what the records were.</summary>
    public CaptureCounters Counters { get; } = new();

    /// <summary>The default clock-rate choice: RFC 3551's static table, 48 kHz otherwise.</summary>
    public static int DefaultClockRate(byte payloadType)
    {
        int rate = RtpClockRates.GetStatic(payloadType);
        return rate != 0 ? rate : RtpClockRates.DefaultDynamic;
    }

    /// <summary>Dissects and classifies one captured record.</summary>
    public void Add(in CaptureRecord record)
    {
        Counters.Records++;
        switch (UdpDatagram.TryDissect(record.LinkType, record.Data.Span, out UdpDatagram udp))
        {
            case UdpDissectStatus.Ok:
                AddDatagram(record.TimestampNanoseconds, udp.Flow, udp.Payload);
                break;
            case UdpDissectStatus.Fragment:
                Counters.Fragments++;
                break;
            case UdpDissectStatus.NotIp:
            case UdpDissectStatus.NotUdp:
                Counters.NotUdp++;
                break;
            case UdpDissectStatus.UnsupportedLinkType:
                Counters.UnsupportedLinkType++;
                break;
            default:
                Counters.Undecodable++;
                break;
        }
    }

    /// <summary>Classifies one UDP payload that arrived at <paramref name="arrivalNanoseconds"/> on <paramref name="flow"/>.</summary>
    public void AddDatagram(long arrivalNanoseconds, UdpFlow flow, ReadOnlySpan<byte> payload)
    {
        Counters.Udp++;
        switch (DatagramClassifier.Classify(payload))
        {
            case DatagramKind.Rtp:
            {
                Counters.Rtp++;
                RtpPacket.TryParse(payload, out RtpPacket rtp);
                var key = new RtpStreamKey(flow, rtp.Ssrc);
                if (!_streams.TryGetValue(key, out RtpStreamStatistics? stream))
                {
                    int rate = _clockRate(rtp.PayloadType);
                    stream = new RtpStreamStatistics(key, rate > 0 ? rate : RtpClockRates.DefaultDynamic);
                    _streams.Add(key, stream);
                    _streamOrder.Add(stream);
                }

                stream.Add(arrivalNanoseconds, rtp.SequenceNumber, rtp.Timestamp, rtp.PayloadType, payload.Length);
                break;
            }

            case DatagramKind.Rtcp:
            {
                Counters.Rtcp++;
                uint sender = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
                var key = new RtpStreamKey(flow, sender);
                if (!_rtcp.TryGetValue(key, out RtcpFlowStatistics? rtcp))
                {
                    rtcp = new RtcpFlowStatistics(flow, sender);
                    _rtcp.Add(key, rtcp);
                    _rtcpOrder.Add(rtcp);
                }

                rtcp.Add(arrivalNanoseconds, payload);
                break;
            }

            case DatagramKind.Stun:
            case DatagramKind.TurnChannel:
                Counters.Stun++;
                break;
            case DatagramKind.Dtls:
                Counters.Dtls++;
                break;
            default:
                Counters.OtherUdp++;
                break;
        }
    }
}
