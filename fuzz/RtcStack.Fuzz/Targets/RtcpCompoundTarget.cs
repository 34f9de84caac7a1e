using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// RTCP compound reader (RFC 3550 §6.1, RFC 5506): walks every packet and parses it fully with the
/// typed reader for its type (SR, RR, SDES, BYE, APP, XR with RRTR/DLRR, NACK, TWCC, RFC 8888,
/// PLI, FIR, REMB), enumerating every field, report block, chunk, item and per-packet result.
/// </summary>
[FuzzTarget("rtcp-compound")]
public sealed class RtcpCompoundTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (!RtcpCompoundReader.TryParse(data, out RtcpCompoundReader compound))
        {
            return;
        }

        long sum = compound.IsFullCompound ? 1 : 0;
        int count = 0;
        foreach (RtcpPacket packet in compound)
        {
            sum += ParseFully(packet);
            count++;
        }

        if (count != compound.PacketCount)
        {
            throw new InvalidOperationException("packet count differs from the enumeration");
        }

        GC.KeepAlive(sum);
    }

    /// <summary>Parses one RTCP packet with every typed reader that accepts it.</summary>
    public static long ParseFully(RtcpPacket packet)
    {
        long sum = packet.Count + packet.LengthField + packet.Body.Length;
        if (RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr))
        {
            sum += sr.Ssrc + sr.SenderInfo.PacketCount + (long)(sr.SenderInfo.NtpTimestamp.Value & 0xFFFF) + sr.ProfileExtension.Length;
            for (int i = 0; i < sr.ReportCount; i++)
            {
                sum += sr.GetReportBlock(i).CumulativeLost;
            }
        }

        if (RtcpReceiverReport.TryParse(packet, out RtcpReceiverReport rr))
        {
            for (int i = 0; i < rr.ReportCount; i++)
            {
                RtcpReportBlock block = rr.GetReportBlock(i);
                sum += block.Jitter + block.FractionLost;
                if (RoundTripTime.TryCompute(block.LastSenderReport + 1000, block.LastSenderReport, block.DelaySinceLastSenderReport, out TimeSpan rtt))
                {
                    sum += rtt.Ticks;
                }
            }
        }

        if (RtcpSourceDescription.TryParse(packet, out RtcpSourceDescription sdes))
        {
            foreach (RtcpSdesChunk chunk in sdes)
            {
                sum += chunk.Ssrc;
                foreach (RtcpSdesItem item in chunk)
                {
                    sum += (int)item.Type + item.Text.Length;
                }
            }
        }

        if (RtcpGoodbye.TryParse(packet, out RtcpGoodbye bye))
        {
            for (int i = 0; i < bye.SourceCount; i++)
            {
                sum += bye.GetSsrc(i);
            }

            sum += bye.Reason.Length;
        }

        if (RtcpApplicationDefined.TryParse(packet, out RtcpApplicationDefined app))
        {
            sum += app.Subtype + app.Ssrc + app.Name[0] + app.ApplicationData.Length;
        }

        if (RtcpExtendedReport.TryParse(packet, out RtcpExtendedReport xr))
        {
            foreach (RtcpXrBlock block in xr)
            {
                sum += (int)block.BlockType + block.Contents.Length;
                if (block.TryGetReceiverReferenceTime(out NtpTimestamp ntp))
                {
                    sum += ntp.Seconds;
                }

                for (int i = 0; i < block.DlrrCount; i++)
                {
                    sum += block.GetDlrr(i).DelaySinceLastReceiverReport;
                }
            }
        }

        if (RtcpFeedback.TryParse(packet, out RtcpFeedback feedback))
        {
            sum += feedback.SenderSsrc + feedback.MediaSsrc + feedback.Fci.Length;
        }

        if (RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack))
        {
            foreach (ushort seq in nack)
            {
                sum += seq;
            }
        }

        if (RtcpPictureLossIndication.TryParse(packet, out RtcpPictureLossIndication pli))
        {
            sum += pli.MediaSsrc;
        }

        if (RtcpFullIntraRequest.TryParse(packet, out RtcpFullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
            {
                sum += fir.GetEntry(i).SequenceNumber;
            }
        }

        if (RtcpRemb.TryParse(packet, out RtcpRemb remb))
        {
            sum += (long)(remb.Bitrate & 0xFFFF);
            for (int i = 0; i < remb.SsrcCount; i++)
            {
                sum += remb.GetSsrc(i);
            }
        }

        if (TransportWideFeedback.TryParse(packet, out TransportWideFeedback twcc))
        {
            int reported = 0;
            int received = 0;
            foreach (TransportWidePacketReport report in twcc)
            {
                sum += report.SequenceNumber + report.Delta + report.ArrivalTime.Ticks;
                reported++;
                received += report.Received ? 1 : 0;
            }

            for (int i = 0; i < twcc.ChunkCount; i++)
            {
                sum += twcc.GetChunk(i);
            }

            if (reported != twcc.PacketStatusCount || received != twcc.ReceivedCount)
            {
                throw new InvalidOperationException("TWCC enumeration disagrees with the parsed counts");
            }
        }

        if (CongestionControlFeedback.TryParse(packet, out CongestionControlFeedback ccfb))
        {
            int blocks = 0;
            foreach (CcfbReportBlock block in ccfb)
            {
                blocks++;
                sum += block.Ssrc + block.BeginSequence + block.ReportCount;
            }

            foreach (CcfbPacketReport report in ccfb.EnumeratePackets())
            {
                sum += report.SequenceNumber + report.Metric.ArrivalTimeOffset;
                if (report.Metric.TryGetArrivalOffset(out TimeSpan offset))
                {
                    sum += offset.Ticks;
                }
            }

            if (blocks != ccfb.BlockCount)
            {
                throw new InvalidOperationException("RFC 8888 block count disagrees with the enumeration");
            }
        }

        return sum;
    }
}
