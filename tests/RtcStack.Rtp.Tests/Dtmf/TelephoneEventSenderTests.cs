using RtcStack.Rtp.Dtmf;
using Xunit;

namespace RtcStack.Rtp.Tests.Dtmf;

/// <summary>RFC 4733 §2.5.1 sending rules.</summary>
public sealed class TelephoneEventSenderTests
{
    [Fact]
    public void DigitHeld200MsWithUpdatesEvery50Ms()
    {
        // §2.5.1's pattern: a digit of 200 ms at 8 kHz (1600 units), updates every 50 ms (400):
        // marker on the first packet only, one timestamp throughout, durations 400, 800, 1200,
        // then 1600 with the E bit three times.
        var sender = new TelephoneEventSender(updateInterval: 400);
        sender.Start(5, timestamp: 12345, duration: 1600, volume: 10);
        List<TelephoneEventPacket> packets = Drain(sender);
        Assert.Equal(
            [
                new(12345, true, new TelephoneEvent(5, false, 10, 400), 400),
                new(12345, false, new TelephoneEvent(5, false, 10, 800), 800),
                new(12345, false, new TelephoneEvent(5, false, 10, 1200), 1200),
                new(12345, false, new TelephoneEvent(5, true, 10, 1600), 1600),
                new(12345, false, new TelephoneEvent(5, true, 10, 1600), 2000),
                new(12345, false, new TelephoneEvent(5, true, 10, 1600), 2400),
            ],
            packets);
        Assert.False(sender.IsBusy);
    }

    [Fact]
    public void ShortEventIsOneMarkedEndPacketSentThreeTimes()
    {
        var sender = new TelephoneEventSender(updateInterval: 960);
        sender.Start(11, timestamp: 0, duration: 500);
        List<TelephoneEventPacket> packets = Drain(sender);
        Assert.Equal(3, packets.Count);
        Assert.True(packets[0].Marker);
        Assert.All(packets, p => Assert.Equal(new TelephoneEvent(11, true, 10, 500), p.Event));
        Assert.False(packets[1].Marker);
        Assert.False(packets[2].Marker);
    }

    [Fact]
    public void DurationNotAMultipleOfTheIntervalEndsExactly()
    {
        var sender = new TelephoneEventSender(updateInterval: 960);
        sender.Start(1, timestamp: 100, duration: 4800 + 100);
        List<TelephoneEventPacket> packets = Drain(sender);
        Assert.Equal(new ushort[] { 960, 1920, 2880, 3840, 4800, 4900, 4900, 4900 }, packets.Select(p => p.Event.Duration).ToArray());
        Assert.Equal(3, packets.Count(p => p.Event.End));
    }

    [Fact]
    public void LongEventIsCutIntoSegmentsOf0xFFFF()
    {
        // §2.5.1.3: 100 000 units at 8 kHz (12.5 s). The first segment ends at 65535 without the
        // E bit (sent three times); the second starts at timestamp + 65535 without the marker and
        // ends with the E bit at 34465.
        var sender = new TelephoneEventSender(updateInterval: 8000);
        sender.Start(0, timestamp: 0xFFFF_F000, duration: 100_000);
        List<TelephoneEventPacket> packets = Drain(sender);
        List<TelephoneEventPacket> first = packets.Where(p => p.Timestamp == 0xFFFF_F000).ToList();
        List<TelephoneEventPacket> second = packets.Where(p => p.Timestamp == unchecked(0xFFFF_F000 + 65535)).ToList();
        Assert.Equal(packets.Count, first.Count + second.Count);
        Assert.True(first[0].Marker);
        Assert.All(first.Skip(1).Concat(second), p => Assert.False(p.Marker));
        Assert.All(first, p => Assert.False(p.Event.End));
        Assert.Equal(3, first.Count(p => p.Event.Duration == 65535));
        Assert.Equal(3, second.Count(p => p.Event.End));
        Assert.All(second.Where(p => p.Event.End), p => Assert.Equal(100_000 - 65535, p.Event.Duration));
        for (int i = 1; i < packets.Count; i++)
        {
            Assert.True(packets[i].SendAt >= packets[i - 1].SendAt, "send times go back");
        }
    }

    [Fact]
    public void MisuseThrows()
    {
        var sender = new TelephoneEventSender(400);
        sender.Start(1, 0, 800);
        Assert.Throws<InvalidOperationException>(() => sender.Start(2, 800, 800));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TelephoneEventSender(400).Start(1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TelephoneEventSender(400).Start(1, 0, 10, volume: 64));
    }

    internal static List<TelephoneEventPacket> Drain(TelephoneEventSender sender)
    {
        var packets = new List<TelephoneEventPacket>();
        while (sender.TryPoll(out TelephoneEventPacket packet))
        {
            packets.Add(packet);
        }

        return packets;
    }
}
