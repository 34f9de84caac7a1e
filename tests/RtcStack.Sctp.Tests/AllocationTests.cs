using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Sctp.Tests;

/// <summary>
/// "Hot paths allocate nothing" for the association: two associations wired back to back in virtual time, no loss,
/// each sending messages to the other continuously (DATA or I-DATA both ways, SACKs bundled or alone, delayed-ack
/// timers), packets handed straight from <see cref="SctpAssociation.TryPollTransmit"/> to the peer's
/// <see cref="SctpAssociation.HandleDatagram"/>, messages read with <see cref="SctpAssociation.TryReadMessage"/> into one
/// buffer. <see cref="AllocationProbe.LeastPerChunk"/> measures chunks of steps; every message is checked on arrival, so
/// a lost, reordered or corrupted message fails the test as well.
/// </summary>
public class AllocationTests
{
    private readonly ITestOutputHelper _output;

    public AllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>
    /// Small messages (one DATA or I-DATA chunk each, two streams each way): 0 bytes per chunk of 200 steps of one
    /// message each way; each step sends, receives and acknowledges.
    /// </summary>
    [Theory]
    [InlineData(false, false, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(true, false, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(false, true, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(true, true, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(false, false, SctpStreamSchedulerKind.WeightedFairQueueing)]
    [InlineData(true, false, SctpStreamSchedulerKind.WeightedFairQueueing)]
    [InlineData(true, false, SctpStreamSchedulerKind.Priority)]
    public void SteadyPath_SmallMessages_BothWays_AllocatesNothing(bool interleaving, bool zeroChecksum, SctpStreamSchedulerKind scheduler)
    {
        var wire = new Wire(interleaving, messageSize: 100, zeroChecksum, scheduler);
        Assert.Equal(interleaving, wire.A.MessageInterleaving);
        Assert.Equal(interleaving, wire.B.MessageInterleaving);

        // Warm-up: pools, the outstanding-chunk list and the stream tables reach their steady size.
        for (int i = 0; i < 6000; i++)
        {
            wire.Step();
        }

        long packets = wire.Packets;
        long least = AllocationProbe.LeastPerChunk(0, 2000, 10, _ => wire.Step());
        packets = wire.Packets - packets;
        _output.WriteLine($"{(interleaving ? "I-DATA" : "DATA")}{(zeroChecksum ? ", zero checksum" : "")}, {scheduler}: least {least} B per chunk of 200 steps; {packets} packets, {wire.Received} messages in all; {wire.A.Statistics.ZeroChecksumPacketsSent + wire.B.Statistics.ZeroChecksumPacketsSent} sent with a zero checksum");
        Assert.Equal(zeroChecksum, wire.A.Statistics.ZeroChecksumPacketsReceived > 1000);
        Assert.Equal(2 * 8000, wire.Received);
        Assert.True(packets >= 2000, $"{packets} packets");
        Assert.Equal(0, least);
    }

    /// <summary>
    /// Fragmented messages (64 KiB: 56 DATA or 57 I-DATA chunks each), one each way per step: sending fragments,
    /// reassembly, SACKs. The delivered message is copied into the caller's buffer, so this is 0 as well.
    /// </summary>
    [Theory]
    [InlineData(false, false, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(true, false, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(false, true, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(true, true, SctpStreamSchedulerKind.RoundRobin)]
    [InlineData(false, false, SctpStreamSchedulerKind.WeightedFairQueueing)]
    [InlineData(true, false, SctpStreamSchedulerKind.WeightedFairQueueing)]
    [InlineData(true, false, SctpStreamSchedulerKind.Priority)]
    public void SteadyPath_FragmentedMessages_BothWays_AllocatesNothing(bool interleaving, bool zeroChecksum, SctpStreamSchedulerKind scheduler)
    {
        var wire = new Wire(interleaving, messageSize: 64 * 1024, zeroChecksum, scheduler);
        for (int i = 0; i < 200; i++)
        {
            wire.Step();
        }

        long packets = wire.Packets;
        long least = AllocationProbe.LeastPerChunk(0, 200, 5, _ => wire.Step());
        packets = wire.Packets - packets;
        _output.WriteLine($"{(interleaving ? "I-DATA" : "DATA")}{(zeroChecksum ? ", zero checksum" : "")}, {scheduler}: least {least} B per chunk of 40 steps; {packets} packets, {wire.Received} messages in all; {wire.A.Statistics.ZeroChecksumPacketsSent + wire.B.Statistics.ZeroChecksumPacketsSent} sent with a zero checksum");
        Assert.Equal(zeroChecksum, wire.A.Statistics.ZeroChecksumPacketsReceived > 1000);
        Assert.Equal(2 * 400, wire.Received);
        Assert.True(packets >= 200 * 2 * 55, $"{packets} packets");
        Assert.Equal(0, least);
    }

    /// <summary>
    /// With RFC 8899 path MTU discovery on and 1,412 confirmed, the steady path (64 KiB messages in 1,412-byte packets) still
    /// allocates nothing per packet.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SteadyPath_PathMtuDiscovery_FragmentedMessages_AllocatesNothing(bool interleaving)
    {
        var wire = new Wire(interleaving, messageSize: 64 * 1024, zeroChecksum: false, SctpStreamSchedulerKind.RoundRobin, pathMtuDiscovery: true);
        for (int i = 0; i < 200; i++)
        {
            wire.Step();
        }

        long packets = wire.Packets;
        long least = AllocationProbe.LeastPerChunk(0, 200, 5, _ => wire.Step());
        packets = wire.Packets - packets;
        _output.WriteLine($"{(interleaving ? "I-DATA" : "DATA")}, PLPMTU {wire.A.PathMtu}: least {least} B per chunk of 40 steps; {packets} packets");
        Assert.Equal(2 * 400, wire.Received);

        // 64 KiB in 1,384-byte (DATA) or 1,380-byte (I-DATA) fragments: 48 DATA packets per message rather than 56 at
        // 1,200, so fewer packets (SACKs included) than the same traffic without path MTU discovery.
        var control = new Wire(interleaving, messageSize: 64 * 1024, zeroChecksum: false, SctpStreamSchedulerKind.RoundRobin);
        for (int i = 0; i < 400; i++)
        {
            control.Step();
        }

        _output.WriteLine($"control (1,200): {control.Packets} packets in 400 steps; PLPMTU {wire.A.PathMtu}: {wire.Packets}");
        Assert.True(wire.Packets < control.Packets * 0.9, $"{wire.Packets} packets against {control.Packets} at 1,200");
        Assert.Equal(0, least);
    }

    /// <summary>The two associations, a 1 ms step of virtual time per message pair, and the checks on arrival.</summary>
    private sealed class Wire
    {
        private readonly byte[] _message;
        private readonly byte[] _inbox = new byte[256 * 1024];
        private readonly uint[] _sent = new uint[2];
        private readonly uint[] _received = new uint[2];
        private TimeSpan _now = TimeSpan.FromSeconds(10);

        public Wire(bool interleaving, int messageSize, bool zeroChecksum, SctpStreamSchedulerKind scheduler, bool pathMtuDiscovery = false)
        {
            A = new SctpAssociation(new SctpAssociationOptions
            {
                Random = new Random(1), EnableMessageInterleaving = interleaving, EnableZeroChecksum = zeroChecksum, StreamScheduler = scheduler,
                EnablePathMtuDiscovery = pathMtuDiscovery,
            });
            B = new SctpAssociation(new SctpAssociationOptions
            {
                Random = new Random(2), EnableMessageInterleaving = interleaving, EnableZeroChecksum = zeroChecksum, StreamScheduler = scheduler,
                EnablePathMtuDiscovery = pathMtuDiscovery,
            });

            // Unequal priorities (RFC 8831 §6.4 "very-low" and "high", "low" and "medium") so the weights are in play.
            A.SetStreamPriority(1, 128);
            A.SetStreamPriority(2, 1024);
            B.SetStreamPriority(3, 256);
            B.SetStreamPriority(4, 512);
            _message = SctpAssociationTests.Bytes(messageSize, 3);
            A.Connect(_now);
            B.Connect(_now);
            for (int i = 0; i < 100 && (A.State != SctpAssociationState.Established || B.State != SctpAssociationState.Established); i++)
            {
                _now += TimeSpan.FromMilliseconds(1);
                PumpPackets();
            }

            Assert.Equal(SctpAssociationState.Established, A.State);
            Assert.Equal(SctpAssociationState.Established, B.State);
            Assert.Equal(zeroChecksum, A.ZeroChecksum);
            Assert.Equal(zeroChecksum, B.ZeroChecksum);
            Assert.True(A.TryPollEvent(out SctpEvent? a) && a is SctpConnectedEvent);
            Assert.True(B.TryPollEvent(out SctpEvent? b) && b is SctpConnectedEvent);
            if (pathMtuDiscovery)
            {
                // A clean link: BASE, then MAX_PLPMTU confirmed at once; drop the PLPMTU events.
                for (int i = 0; i < 100 && (A.PathMtuState != SctpPathMtuState.SearchComplete || B.PathMtuState != SctpPathMtuState.SearchComplete); i++)
                {
                    _now += TimeSpan.FromMilliseconds(1);
                    PumpPackets();
                }

                Assert.Equal(1412, A.PathMtu);
                Assert.Equal(1412, B.PathMtu);
                Assert.True(A.TryPollEvent(out SctpEvent? pa) && pa is SctpPathMtuChangedEvent);
                Assert.True(B.TryPollEvent(out SctpEvent? pb) && pb is SctpPathMtuChangedEvent);
            }
        }

        public SctpAssociation A { get; }

        public SctpAssociation B { get; }

        public long Packets { get; private set; }

        public long Received { get; private set; }

        /// <summary>One message each way (streams 1 and 2 alternately from A, 3 and 4 from B), then everything that follows.</summary>
        public void Step()
        {
            _now += TimeSpan.FromMilliseconds(1);
            Send(A, 0, (ushort)(1 + (_sent[0] % 2)));
            Send(B, 1, (ushort)(3 + (_sent[1] % 2)));
            Pump();
        }

        private void Send(SctpAssociation from, int side, ushort stream)
        {
            // The first byte numbers the message so the receiver can check order per direction.
            _message[0] = (byte)_sent[side]++;
            from.Send(stream, 53, _message, _now);
        }

        private void Pump()
        {
            for (int round = 0; round < 100; round++)
            {
                bool any = PumpPackets();
                Read(B, 0);
                Read(A, 1);
                if (!any)
                {
                    return;
                }
            }
        }

        private bool PumpPackets()
        {
            bool any = false;
            while (A.TryPollTransmit(out ReadOnlyMemory<byte> p))
            {
                any = true;
                Packets++;
                B.HandleDatagram(p.Span, _now);
            }

            while (B.TryPollTransmit(out ReadOnlyMemory<byte> p))
            {
                any = true;
                Packets++;
                A.HandleDatagram(p.Span, _now);
            }

            return any | RunTimers(A) | RunTimers(B);
        }

        private bool RunTimers(SctpAssociation s)
        {
            if (s.PollTimeout() is TimeSpan t && t <= _now)
            {
                s.HandleTimeout(_now);
                return true;
            }

            return false;
        }

        private void Read(SctpAssociation to, int side)
        {
            while (to.TryReadMessage(_inbox, out SctpMessageInfo info))
            {
                // Messages of one direction alternate between two ordered streams and arrive in sending order. The
                // checks throw only on failure (Assert.Equal allocates a comparer per call, which would be measured).
                byte expected = (byte)_received[side]++;
                if (info.Length != _message.Length || info.PayloadProtocol != 53 || info.Unordered || _inbox[0] != expected
                    || !_inbox.AsSpan(1, info.Length - 1).SequenceEqual(_message.AsSpan(1)))
                {
                    throw new Xunit.Sdk.XunitException($"side {side}: message {expected} arrived wrong: {info}, first byte {_inbox[0]}");
                }

                Received++;
            }

            if (to.TryPollEvent(out SctpEvent? other))
            {
                throw new Xunit.Sdk.XunitException($"unexpected event {other}");
            }
        }
    }
}
