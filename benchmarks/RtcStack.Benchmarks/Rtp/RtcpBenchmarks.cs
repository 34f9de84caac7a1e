using BenchmarkDotNet.Attributes;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;

namespace RtcStack.Benchmarks.Rtp;

/// <summary>
/// RTCP compound parse (every packet parsed fully) and transport-wide feedback build/parse for
/// 100 packets, the size of a typical 100 ms feedback interval of a video call.
/// </summary>
[MemoryDiagnoser]
public class RtcpBenchmarks
{
    private readonly byte[] _compound = new byte[1500];
    private readonly byte[] _twcc = new byte[1500];
    private readonly byte[] _output = new byte[1500];
    private readonly TimeSpan?[] _arrivals = new TimeSpan?[100];
    private int _compoundLength;
    private int _twccLength;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        TimeSpan t = TimeSpan.FromSeconds(10);
        for (int i = 0; i < _arrivals.Length; i++)
        {
            // ~1 ms apart with jitter, 3% loss, an occasional 70 ms gap (large delta).
            t += TimeSpan.FromMicroseconds(random.Next(0, 2000) + (random.Next(50) == 0 ? 70_000 : 0));
            _arrivals[i] = random.Next(100) < 3 ? null : t;
        }

        TransportWideFeedback.TryWrite(_twcc, 1, 2, 1000, 7, _arrivals, out _twccLength, out _);

        // SR with two report blocks, SDES CNAME, REMB, NACK, TWCC: what a receiving browser sends.
        var writer = new RtcpCompoundWriter(_compound);
        var block = new RtcpReportBlock(0x11111111, 3, 12, 0x1_2345, 250, 0xABCD0000, 0x8000);
        writer.TryAddSenderReport(0x22222222, new RtcpSenderInfo(new NtpTimestamp(0xE8A5F2C1, 0x80000000), 123456, 1000, 80000), [block, block with { Ssrc = 0x33333333 }]);
        writer.TryAddCname(0x22222222, "9wR9xkI1JNX3+WYf"u8);
        writer.TryAddRemb(0x22222222, 2_500_000, [0x11111111]);
        writer.TryAddGenericNack(0x22222222, 0x11111111, [100, 101, 105]);
        _twcc.AsSpan(0, _twccLength).CopyTo(writer.Free);
        writer.Advance(_twccLength);
        _compoundLength = writer.Length;
    }

    /// <summary>Gets the compound <see cref="CompoundParse"/> reads (after <see cref="Setup"/>).</summary>
    internal ReadOnlySpan<byte> Compound => _compound.AsSpan(0, _compoundLength);

    /// <summary>Gets the transport-wide feedback <see cref="TwccParse"/> reads.</summary>
    internal ReadOnlySpan<byte> Twcc => _twcc.AsSpan(0, _twccLength);

    /// <summary>Gets the arrival times <see cref="TwccBuild"/> reports (base sequence 1000; null: lost).</summary>
    internal ReadOnlySpan<TimeSpan?> Arrivals => _arrivals;

    /// <summary>Validate the compound, then parse every packet fully (all blocks, items, and TWCC per-packet results).</summary>
    [Benchmark]
    public long CompoundParse()
    {
        RtcpCompoundReader.TryParse(_compound.AsSpan(0, _compoundLength), out RtcpCompoundReader compound);
        long sum = 0;
        foreach (RtcpPacket packet in compound)
        {
            switch (packet.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr);
                    sum += sr.SenderInfo.PacketCount;
                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        sum += sr.GetReportBlock(i).Jitter;
                    }

                    break;
                case RtcpPacketType.SourceDescription:
                    RtcpSourceDescription.TryParse(packet, out RtcpSourceDescription sdes);
                    foreach (RtcpSdesChunk chunk in sdes)
                    {
                        chunk.TryGetItem(RtcpSdesItemType.Cname, out ReadOnlySpan<byte> cname);
                        sum += cname.Length;
                    }

                    break;
                case RtcpPacketType.PayloadFeedback:
                    if (RtcpRemb.TryParse(packet, out RtcpRemb remb))
                    {
                        sum += (long)remb.Bitrate;
                    }

                    break;
                case RtcpPacketType.TransportFeedback:
                    if (RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack))
                    {
                        foreach (ushort seq in nack)
                        {
                            sum += seq;
                        }
                    }
                    else if (TransportWideFeedback.TryParse(packet, out TransportWideFeedback fb))
                    {
                        foreach (TransportWidePacketReport report in fb)
                        {
                            sum += report.ArrivalTime.Ticks;
                        }
                    }

                    break;
            }
        }

        return sum;
    }

    /// <summary>Build transport-wide feedback for 100 packets (chunk selection, deltas, padding).</summary>
    [Benchmark]
    public int TwccBuild()
    {
        TransportWideFeedback.TryWrite(_output, 1, 2, 1000, 7, _arrivals, out int length, out _);
        return length;
    }

    /// <summary>Parse transport-wide feedback for 100 packets and enumerate every per-packet result.</summary>
    [Benchmark]
    public long TwccParse()
    {
        RtcpPacket.TryParse(_twcc.AsSpan(0, _twccLength), out RtcpPacket packet);
        TransportWideFeedback.TryParse(packet, out TransportWideFeedback fb);
        long sum = 0;
        foreach (TransportWidePacketReport report in fb)
        {
            sum += report.Received ? report.ArrivalTime.Ticks : 0;
        }

        return sum;
    }
}
