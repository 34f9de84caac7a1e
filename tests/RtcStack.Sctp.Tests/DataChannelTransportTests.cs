using System.Security.Cryptography;
using RtcStack.Sctp.DataChannels;
using Xunit;

namespace RtcStack.Sctp.Tests;

public class DataChannelTransportTests
{
    private static List<DataChannelMessageEvent> Messages(List<DataChannelEvent> events, DataChannel? channel = null) =>
        events.OfType<DataChannelMessageEvent>().Where(m => channel is null || m.Channel.Id == channel.Id).ToList();

    [Fact]
    public void InBandOpen_UsesParityOfTheDtlsRole_AndTheAckArrives()
    {
        var pair = new DataChannelPair();
        DataChannel early = pair.A.CreateChannel(new DataChannelOptions { Label = "early", Protocol = "chat" }, pair.Now);
        pair.Connect();
        DataChannel a2 = pair.A.CreateChannel(new DataChannelOptions { Label = "second" }, pair.Now);
        DataChannel b1 = pair.B.CreateChannel(new DataChannelOptions { Label = "from-b", Ordered = false, MaxRetransmits = 0 }, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsB.OfType<DataChannelOpenEvent>().Count(e => e.Channel.Remote) == 2
            && pair.EventsA.OfType<DataChannelOpenEvent>().Any(e => e.Channel.Remote) && early.AckReceived && a2.AckReceived && b1.AckReceived,
            TimeSpan.FromSeconds(10)));
        // RFC 8832 §6: the DTLS client takes even identifiers, the server odd ones.
        Assert.Equal(0, early.Id);
        Assert.Equal(2, a2.Id);
        Assert.Equal(1, b1.Id);
        DataChannel atB = pair.EventsB.OfType<DataChannelOpenEvent>().Select(e => e.Channel).Single(c => c.Id == 0);
        Assert.Equal("early", atB.Label);
        Assert.Equal("chat", atB.Protocol);
        Assert.True(atB.Ordered);
        DataChannel atA = pair.EventsA.OfType<DataChannelOpenEvent>().Select(e => e.Channel).Single(c => c.Remote);
        Assert.Equal("from-b", atA.Label);
        Assert.False(atA.Ordered);
        Assert.Equal(0, atA.MaxRetransmits);
        Assert.True(early.AckReceived);
        Assert.True(b1.AckReceived);
    }

    [Fact]
    public void StringBinaryAndEmptyMessages_KeepTheirKind()
    {
        var pair = new DataChannelPair();
        pair.Connect();
        DataChannel c = pair.A.CreateChannel(new DataChannelOptions { Label = "m" }, pair.Now);
        pair.A.SendText(c, "héllo", pair.Now);
        pair.A.SendText(c, string.Empty, pair.Now);
        pair.A.Send(c, new byte[] { 1, 2, 3 }, pair.Now);
        pair.A.Send(c, ReadOnlySpan<byte>.Empty, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 4, TimeSpan.FromSeconds(10)));
        List<DataChannelMessageEvent> m = Messages(pair.EventsB);
        Assert.True(m[0].IsString);
        Assert.Equal("héllo", System.Text.Encoding.UTF8.GetString(m[0].Data));
        Assert.True(m[1].IsString);
        Assert.Empty(m[1].Data);
        Assert.False(m[2].IsString);
        Assert.Equal(new byte[] { 1, 2, 3 }, m[2].Data);
        Assert.False(m[3].IsString);
        Assert.Empty(m[3].Data);
    }

    [Fact]
    public void NegotiatedChannel_NeedsNoDcep()
    {
        var pair = new DataChannelPair();
        DataChannel a = pair.A.CreateChannel(new DataChannelOptions { Label = "n", Negotiated = true, Id = 7 }, pair.Now);
        DataChannel b = pair.B.CreateChannel(new DataChannelOptions { Label = "n", Negotiated = true, Id = 7 }, pair.Now);
        pair.Connect();
        Assert.Equal(DataChannelState.Open, a.State);
        Assert.Equal(DataChannelState.Open, b.State);
        pair.A.Send(a, new byte[] { 42 }, pair.Now);
        pair.B.SendText(b, "back", pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 1 && Messages(pair.EventsA).Count == 1, TimeSpan.FromSeconds(10)));
        Assert.Same(b, Messages(pair.EventsB)[0].Channel);
        Assert.DoesNotContain(pair.EventsB.OfType<DataChannelOpenEvent>(), e => e.Channel.Remote);
    }

    [Fact]
    public void OpenWithTheWrongParity_IsRefusedWithoutAck()
    {
        var pair = new DataChannelPair();
        pair.Connect();
        // A (DTLS client) forcing an odd id: B must refuse it (RFC 8832 §6) and send no ACK.
        DataChannel wrong = pair.A.CreateChannel(new DataChannelOptions { Label = "odd", Id = 5 }, pair.Now);
        pair.Drain();
        pair.RunUntil(() => pair.EventsB.OfType<DataChannelErrorEvent>().Any(), TimeSpan.FromSeconds(10));
        Assert.Contains(pair.EventsB.OfType<DataChannelErrorEvent>(), e => e.Message.Contains("parity", StringComparison.Ordinal));
        Assert.DoesNotContain(pair.EventsB.OfType<DataChannelOpenEvent>(), e => e.Channel.Id == 5);
        pair.RunUntil(() => false, TimeSpan.FromSeconds(2));
        Assert.False(wrong.AckReceived);
    }

    [Fact]
    public void Close_FromEitherSide_ClosesBothEnds()
    {
        var pair = new DataChannelPair();
        pair.Connect();
        DataChannel c1 = pair.A.CreateChannel(new DataChannelOptions { Label = "one" }, pair.Now);
        DataChannel c2 = pair.A.CreateChannel(new DataChannelOptions { Label = "two" }, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsB.OfType<DataChannelOpenEvent>().Count() == 2, TimeSpan.FromSeconds(10)));
        DataChannel c2AtB = pair.EventsB.OfType<DataChannelOpenEvent>().Single(e => e.Channel.Id == c2.Id).Channel;
        pair.A.SendText(c1, "last words", pair.Now);
        pair.A.Close(c1, pair.Now);
        pair.B.Close(c2AtB, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsA.OfType<DataChannelClosedEvent>().Count() == 2 && pair.EventsB.OfType<DataChannelClosedEvent>().Count() == 2, TimeSpan.FromSeconds(30)));
        Assert.Equal(DataChannelState.Closed, c1.State);
        Assert.Equal(DataChannelState.Closed, c2.State);
        Assert.Equal("last words", System.Text.Encoding.UTF8.GetString(Messages(pair.EventsB).Single().Data));
        Assert.Empty(pair.A.Channels);
        Assert.Empty(pair.B.Channels);
        // The stream can be used again.
        DataChannel again = pair.A.CreateChannel(new DataChannelOptions { Label = "again" }, pair.Now);
        Assert.Equal(c1.Id, again.Id);
        pair.A.SendText(again, "x", pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB).Count == 2, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void ManyMessagesOfRandomSizes_OnEveryReliabilityMode_UnderLoss()
    {
        var pair = new DataChannelPair(seed: 3) { Loss = 0.01 };
        pair.Connect();
        DataChannel ordered = pair.A.CreateChannel(new DataChannelOptions { Label = "ordered" }, pair.Now);
        DataChannel unordered = pair.A.CreateChannel(new DataChannelOptions { Label = "unordered", Ordered = false }, pair.Now);
        DataChannel rexmit = pair.A.CreateChannel(new DataChannelOptions { Label = "rexmit0", MaxRetransmits = 0 }, pair.Now);
        DataChannel timed = pair.A.CreateChannel(new DataChannelOptions { Label = "timed", MaxLifetime = TimeSpan.FromMilliseconds(300) }, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.EventsB.OfType<DataChannelOpenEvent>().Count() == 4 && ordered.AckReceived && unordered.AckReceived, TimeSpan.FromSeconds(30)));
        var random = new Random(3);
        var sentOrdered = new List<string>();
        var sentUnordered = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            int size = i == 0 ? 0 : i == 1 ? 256 * 1024 : random.Next(10) < 8 ? random.Next(0, 2000) : random.Next(0, 64 * 1024);
            byte[] m = new byte[size];
            random.NextBytes(m);
            string h = Convert.ToHexString(SHA256.HashData(m));
            if (i % 2 == 0)
            {
                pair.A.Send(ordered, m, pair.Now);
                sentOrdered.Add(h);
            }
            else
            {
                pair.A.Send(unordered, m, pair.Now);
                sentUnordered.Add(h);
            }

            pair.A.Send(rexmit, m.AsSpan(0, Math.Min(size, 500)), pair.Now);
            pair.A.Send(timed, m.AsSpan(0, Math.Min(size, 500)), pair.Now);
        }

        pair.Drain();
        Assert.True(pair.RunUntil(() => Messages(pair.EventsB, ordered).Count == 100 && Messages(pair.EventsB, unordered).Count == 100, TimeSpan.FromMinutes(10)));
        Assert.Equal(sentOrdered, Messages(pair.EventsB, ordered).Select(m => Convert.ToHexString(SHA256.HashData(m.Data))).ToList());
        Assert.Equal(sentUnordered.Order(), Messages(pair.EventsB, unordered).Select(m => Convert.ToHexString(SHA256.HashData(m.Data))).Order());
        // Partially reliable channels deliver at most what was sent, never more.
        Assert.True(Messages(pair.EventsB, rexmit).Count <= 200);
        Assert.True(Messages(pair.EventsB, timed).Count <= 200);
    }

    [Fact]
    public void DcepOpen_RoundTrips_AndRejectsBadLengths()
    {
        byte[] open = DcepMessage.EncodeOpen(DataChannelType.PartialReliableTimedUnordered, 256, 1500, "lbl", "proto");
        Assert.True(DcepMessage.TryParse(open, out DcepMessage m));
        Assert.Equal(DcepMessage.OpenType, m.Type);
        Assert.Equal(DataChannelType.PartialReliableTimedUnordered, m.ChannelType);
        Assert.Equal(256, m.Priority);
        Assert.Equal(1500u, m.ReliabilityParameter);
        Assert.Equal("lbl"u8.ToArray(), m.Label.ToArray());
        Assert.Equal("proto"u8.ToArray(), m.Protocol.ToArray());
        // RFC 8832 §5.1 layout: type, channel type, priority, reliability, label length, protocol length.
        Assert.Equal(new byte[] { 0x03, 0x82, 0x01, 0x00, 0, 0, 0x05, 0xDC, 0, 3, 0, 5 }, open[..12]);
        Assert.False(DcepMessage.TryParse(open[..^1], out _));
        Assert.True(DcepMessage.TryParse([0x02], out DcepMessage ack));
        Assert.Equal(DcepMessage.AckType, ack.Type);
        Assert.False(DcepMessage.TryParse([0x03, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], out _));
        Assert.False(DcepMessage.TryParse([], out _));
        Assert.False(DcepMessage.TryParse([0x09], out _));
    }

    [Fact]
    public void BufferedAmount_FallsToZero_AndTheLowEventFiresOnceBelowTheThreshold()
    {
        var pair = new DataChannelPair();
        pair.Connect();
        DataChannel c = pair.A.CreateChannel(new DataChannelOptions { Label = "bulk" }, pair.Now);
        DataChannel other = pair.A.CreateChannel(new DataChannelOptions { Label = "idle" }, pair.Now);
        pair.Drain();
        Assert.True(pair.RunUntil(() => c.AckReceived && other.AckReceived && pair.A.GetBufferedAmount(c) == 0, TimeSpan.FromSeconds(10)));
        c.BufferedAmountLowThreshold = 10_000;
        for (int i = 0; i < 10; i++)
        {
            pair.A.Send(c, new byte[10_000], pair.Now);
        }

        Assert.Equal(100_000, pair.A.GetBufferedAmount(c));
        Assert.Equal(0, pair.A.GetBufferedAmount(other));
        pair.Drain();
        Assert.True(pair.RunUntil(() => pair.A.GetBufferedAmount(c) == 0, TimeSpan.FromSeconds(30)));
        DataChannelBufferedAmountLowEvent low = Assert.Single(pair.EventsA.OfType<DataChannelBufferedAmountLowEvent>());
        Assert.Same(c, low.Channel);
        Assert.True(low.BufferedAmount <= 10_000);
    }
}
