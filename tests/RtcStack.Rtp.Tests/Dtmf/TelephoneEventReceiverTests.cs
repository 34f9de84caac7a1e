using RtcStack.Rtp.Dtmf;
using Xunit;

namespace RtcStack.Rtp.Tests.Dtmf;

/// <summary>RFC 4733 §2.5.2 receiving rules, fed by the sender so both ends agree.</summary>
public sealed class TelephoneEventReceiverTests
{
    [Fact]
    public void ReportsTheDigitWithItsDurationOnceDespiteThreeEndPackets()
    {
        var receiver = new TelephoneEventReceiver();
        List<DtmfReport> reports = Feed(receiver, Send(5, 12345, 1600, 400));
        Assert.Equal(
            [
                new DtmfReport(DtmfReportKind.Started, 5, 12345, 400, 10, false),
                new DtmfReport(DtmfReportKind.Ended, 5, 12345, 1600, 10, true),
            ],
            reports);
        Assert.Equal('5', reports[1].Digit);
        Assert.Equal(2, receiver.DuplicateEndReports);
    }

    [Fact]
    public void LosingTheFirstPacketsAndAnEndCopyStillGivesOneDigitWithTheRightDuration()
    {
        var receiver = new TelephoneEventReceiver();
        List<TelephoneEventPacket> packets = Send(9, 0, 1600, 400);
        packets.RemoveAt(0); // the marked first packet
        packets.RemoveAt(2); // the first end report
        List<DtmfReport> reports = Feed(receiver, packets);
        Assert.Equal(2, reports.Count);
        Assert.Equal(new DtmfReport(DtmfReportKind.Started, 9, 0, 800, 10, false), reports[0]);
        Assert.Equal(new DtmfReport(DtmfReportKind.Ended, 9, 0, 1600, 10, true), reports[1]);
        Assert.Equal(1, receiver.DuplicateEndReports);
    }

    [Fact]
    public void ADigitSequenceComesOutInOrder()
    {
        var receiver = new TelephoneEventReceiver();
        var digits = new List<(char, long)>();
        uint ts = 1000;
        foreach (char c in "1*9#A")
        {
            Assert.True(DtmfDigits.TryGetEvent(c, out byte code));
            foreach (DtmfReport r in Feed(receiver, Send(code, ts, 960 * 5, 960)))
            {
                if (r.Kind == DtmfReportKind.Ended)
                {
                    digits.Add((r.Digit!.Value, r.Duration));
                }
            }

            ts += (960 * 5) + 2880; // 100 ms tone, 60 ms gap, as RTCDTMFSender's defaults are close to
        }

        Assert.Equal([('1', 4800L), ('*', 4800L), ('9', 4800L), ('#', 4800L), ('A', 4800L)], digits);
    }

    [Fact]
    public void AnEventWithoutItsEndIsEndedByTheNextOrByFlush()
    {
        var receiver = new TelephoneEventReceiver();
        List<TelephoneEventPacket> first = Send(1, 0, 1600, 400).Where(p => !p.Event.End).ToList();
        List<DtmfReport> reports = Feed(receiver, first);
        Assert.Single(reports);
        reports = Feed(receiver, Send(2, 4000, 800, 400).Take(1).ToList());
        Assert.Equal(new DtmfReport(DtmfReportKind.Ended, 1, 0, 1200, 10, false), reports[0]);
        Assert.Equal(DtmfReportKind.Started, reports[1].Kind);
        receiver.Flush();
        Assert.True(receiver.TryPoll(out DtmfReport flushed));
        Assert.Equal(new DtmfReport(DtmfReportKind.Ended, 2, 4000, 400, 10, false), flushed);
        receiver.Flush();
        Assert.False(receiver.TryPoll(out _));
    }

    [Fact]
    public void LateReportsForAnOlderEventAreDropped()
    {
        var receiver = new TelephoneEventReceiver();
        List<TelephoneEventPacket> a = Send(1, 0, 800, 400);
        List<TelephoneEventPacket> b = Send(2, 2000, 800, 400);
        Feed(receiver, a.Take(1).ToList());
        Feed(receiver, b.Take(1).ToList());
        List<DtmfReport> reports = Feed(receiver, a.Skip(1).ToList());
        Assert.Empty(reports);
        Assert.Equal(a.Count - 1, receiver.LateReports);
    }

    [Fact]
    public void LongEventSegmentsAddUpToOneDigit()
    {
        var receiver = new TelephoneEventReceiver();
        List<DtmfReport> reports = Feed(receiver, Send(0, 0xFFFF_F000, 100_000, 8000));
        Assert.Equal(2, reports.Count);
        Assert.Equal(new DtmfReport(DtmfReportKind.Ended, 0, 0xFFFF_F000, 100_000, 10, true), reports[1]);
    }

    [Fact]
    public void ShortPayloadsAreRefused()
    {
        var receiver = new TelephoneEventReceiver();
        Assert.False(receiver.Push(0, true, [1, 2, 3]));
        Assert.False(receiver.TryPoll(out _));
    }

    private static List<TelephoneEventPacket> Send(byte code, uint ts, long duration, int interval)
    {
        var sender = new TelephoneEventSender(interval);
        sender.Start(code, ts, duration);
        return TelephoneEventSenderTests.Drain(sender);
    }

    private static List<DtmfReport> Feed(TelephoneEventReceiver receiver, List<TelephoneEventPacket> packets)
    {
        var reports = new List<DtmfReport>();
        var bytes = new byte[4];
        foreach (TelephoneEventPacket p in packets)
        {
            p.Event.Write(bytes);
            Assert.True(receiver.Push(p.Timestamp, p.Marker, bytes));
            while (receiver.TryPoll(out DtmfReport r))
            {
                reports.Add(r);
            }
        }

        return reports;
    }
}
