using RtcStack.Rtp.Capture;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The pcap/pcapng reader end to end: every record goes through the UDP dissector, the RFC 7983
/// classifier and the RTP stream statistics, as in <c>rtcstack pcap streams</c>. The input is
/// read through a stream that hands out small pieces, so partial reads are exercised too.
/// </summary>
[FuzzTarget("capture-reader")]
public sealed class CaptureReaderTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        using var reader = new CaptureReader(new ChunkedStream(data.ToArray(), 61));
        var analyzer = new RtpStreamAnalyzer();
        CaptureReadStatus status;
        long records = 0;
        while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
        {
            records++;
            if (record.Data.Length > CaptureReader.MaxRecordLength || record.Number != records)
            {
                throw new InvalidOperationException("record out of bounds");
            }

            analyzer.Add(record);
        }

        if ((status == CaptureReadStatus.EndOfCapture) != (reader.Error is null) || reader.BytesRead > data.Length)
        {
            throw new InvalidOperationException($"inconsistent end: {status}, {reader.Error}");
        }

        foreach (RtpStreamStatistics s in analyzer.Streams)
        {
            if (s.Packets < 1 || s.Duplicates >= s.Packets || double.IsNaN(s.MeanJitterMs) || double.IsInfinity(s.MaxJitterMs))
            {
                throw new InvalidOperationException($"impossible statistics for {s.Key}");
            }
        }
    }
}
