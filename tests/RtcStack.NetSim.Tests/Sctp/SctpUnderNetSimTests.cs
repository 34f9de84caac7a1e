using RtcStack.NetSim.Links;
using RtcStack.NetSim.Tcp;
using RtcStack.Sctp;
using RtcStack.Sctp.DataChannels;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.Sctp;

/// <summary>
/// RtcStack.Sctp associations (RFC 9260) as NetSim endpoints, in virtual time: a bulk transfer over a lossy path, and a
/// bulk transfer sharing a drop-tail bottleneck with NetSim's TCP CUBIC sender. Results: specs/rfc9260.md "Under NetSim".
/// </summary>
public class SctpUnderNetSimTests
{
    private const int MessageSize = 256 * 1024;

    private readonly ITestOutputHelper _output;

    public SctpUnderNetSimTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>
    /// 10 MiB (40 ordered reliable messages of 256 KiB) over 10 Mbit/s each way, 25 ms propagation each way (50 ms RTT),
    /// 1 % independent loss each way (data and SACKs): the transfer completes, every byte in order, and the goodput is
    /// at least what the PFTK model (Padhye et al. 1998, TCP Reno throughput with timeouts) predicts for a Reno-like
    /// congestion control at that loss rate and RTT with SCTP's minimum RTO of 1 s. Raw SCTP messages (stream 1, PPID
    /// 53), or a data channel (RFC 8831) opened in band with DCEP and written as the W3C API does.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TenMegabytes_OnePercentLossEachWay_50msRtt_CompletesInOrder_AboveModelThroughput(bool dataChannel) => LossyTransfer(dataChannel);

    /// <summary>Same seed, same run: the lossy transfer twice gives the same completion time, event count and retransmissions.</summary>
    [Fact]
    public void TenMegabytes_OnePercentLoss_IsDeterministic()
    {
        (TimeSpan, long, long, long) first = LossyTransfer(dataChannel: false);
        (TimeSpan, long, long, long) second = LossyTransfer(dataChannel: false);
        Assert.Equal(first, second);
    }

    private (TimeSpan LastMessageAt, long Events, long Retransmissions, long T3Expirations) LossyTransfer(bool dataChannel)
    {
        const double rateBps = 10_000_000;
        const double loss = 0.01;
        TimeSpan oneWay = TimeSpan.FromMilliseconds(25);
        const int messages = 40;

        var sim = new Simulator(1);
        var fwd = new Link(sim, new LinkOptions { Name = "fwd", Capacity = CapacitySchedule.Constant(rateBps), PropagationDelay = oneWay, Loss = LossModel.Random(loss) }, 1);
        var bwd = new Link(sim, new LinkOptions { Name = "bwd", Capacity = CapacitySchedule.Constant(rateBps), PropagationDelay = oneWay, Loss = LossModel.Random(loss) }, 2);
        int dataDrops = 0, sackDrops = 0;
        fwd.OnDropped = (_, _) => dataDrops++;
        bwd.OnDropped = (_, _) => sackDrops++;
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);

        (IBulkSender sender, BulkReceiver receiver, SctpEndpoint a, SctpEndpoint b) = AttachBulkPair(sim, dataChannel, messages, seed: 11, flowId: 0);

        TimeSpan limit = TimeSpan.FromSeconds(300);
        while (receiver.MessagesReceived < messages && sim.Now < limit)
        {
            sim.RunUntil(sim.Now + TimeSpan.FromSeconds(1));
        }

        SctpAssociationStatistics s = a.Association.Statistics;
        double seconds = (receiver.LastMessageAt - sender.FirstWriteAt)?.TotalSeconds ?? double.NaN;
        double goodputBps = receiver.BytesReceived * 8 / seconds;

        // PFTK (Padhye, Firoiu, Towsley, Kurose, SIGCOMM 1998, eq. 30), packets per second:
        //   B = 1 / (RTT·sqrt(2bp/3) + T0·min(1, 3·sqrt(3bp/8))·p·(1 + 32p²))
        // b = 1: SCTP grows cwnd by bytes acknowledged (RFC 9260 §7.2.2), so delayed SACKs do not slow the growth;
        // p = the data loss rate; RTT = the base RTT; T0 = RTO.Min = 1 s (RFC 9260 §16, this association's default).
        // Each packet carries one full chunk: MaxPacketSize − 12 (common header) − 20 (I-DATA header, RFC 8260 §2.1, both
        // sides offer interleaving by default) or − 16 (DATA header) bytes of user data.
        double rtt = 2 * oneWay.TotalSeconds;
        double t0 = a.Association.Options.RtoMin.TotalSeconds;
        double packetsPerSecond = 1 / (rtt * Math.Sqrt(2 * loss / 3) + t0 * Math.Min(1, 3 * Math.Sqrt(3 * loss / 8)) * loss * (1 + 32 * loss * loss));
        int userBytesPerPacket = a.Association.Options.MaxPacketSize - 12 - (a.Association.MessageInterleaving ? 20 : 16);
        double modelBps = packetsPerSecond * userBytesPerPacket * 8;
        double mathisBps = userBytesPerPacket * 8 / rtt * Math.Sqrt(1.5 / loss);

        _output.WriteLine($"{(dataChannel ? "data channel" : "raw SCTP")}: received {receiver.MessagesReceived}/{messages} messages, {receiver.BytesReceived} B, {receiver.Mismatches} mismatches; established at {a.EstablishedAt?.TotalMilliseconds} ms");
        _output.WriteLine($"transfer {seconds:F2} s virtual (first write {sender.FirstWriteAt?.TotalSeconds:F3} s, last message {receiver.LastMessageAt?.TotalSeconds:F3} s), goodput {goodputBps / 1e6:F3} Mbit/s");
        _output.WriteLine($"{(a.Association.MessageInterleaving ? "I-DATA" : "DATA")}, {userBytesPerPacket} B of user data per full packet; PFTK model {modelBps / 1e6:F3} Mbit/s; Mathis (no timeouts) {mathisBps / 1e6:F3} Mbit/s");
        _output.WriteLine($"sender: {s.PacketsSent} packets, {s.DataChunksSent} DATA chunks, {s.Retransmissions} retransmissions, {s.FastRetransmits} fast-retransmit marks, {s.T3Expirations} T3-rtx expiries; cwnd {a.Association.CongestionWindow}, ssthresh {a.Association.SlowStartThreshold}, SRTT {a.Association.Rto.SmoothedRtt?.TotalMilliseconds:F1} ms, RTO {a.Association.Rto.Rto.TotalMilliseconds} ms");
        _output.WriteLine($"receiver: {b.Association.Statistics.SacksSent} SACKs, {b.Association.Statistics.DuplicateTsnsReceived} duplicate TSNs; drops: {dataDrops} on the data path, {sackDrops} on the SACK path; {sim.EventCount} events");

        Assert.Equal(messages, receiver.MessagesReceived);
        Assert.Equal((long)messages * MessageSize, receiver.BytesReceived);
        Assert.Equal(0, receiver.Mismatches);
        Assert.True(dataDrops > 0 && sackDrops > 0, "the loss model dropped nothing");
        Assert.True(goodputBps >= modelBps, $"goodput {goodputBps / 1e6:F3} Mbit/s below the PFTK model's {modelBps / 1e6:F3} Mbit/s");
        return (receiver.LastMessageAt!.Value, sim.EventCount, s.Retransmissions, s.T3Expirations);
    }

    /// <summary>
    /// One endless SCTP bulk transfer (256 KiB ordered reliable messages, raw or on a data channel) and one long-lived TCP flow, CUBIC or NewReno (NetSim's
    /// model, RFC 9438) from node 1 to node 2 share a 10 Mbit/s drop-tail bottleneck: 25 ms propagation each way
    /// (50 ms base RTT), queue limit 50 ms at the link rate (62.5 kB, one bandwidth-delay product) or 200 ms (four), reverse path 10 Mbit/s
    /// without loss; both start at 0, 60 s run, shares measured over 20–60 s as wire bytes (headers included) leaving
    /// the bottleneck. Asserted: the link is used (≥ 90 %), neither flow starves (each ≥ 10 % of the link), the SCTP
    /// data arrived intact and in order. The shares themselves are reported (specs/rfc9260.md), not asserted.
    /// </summary>
    /// <remarks>
    /// The NewReno case is the reference: SCTP's congestion control is Reno's (RFC 9260 §7.2), so against NewReno the
    /// split should be close to even, less the MSS ratio (1,168 B of user data per SCTP packet with I-DATA against TCP's 1,460).
    /// Drop-tail sharing depends on the flows' phase: shifting the TCP start by 0-900 ms moved the SCTP share against
    /// CUBIC (50 ms queue) between 22 % and 39 % (specs/rfc9260.md), so one run's share is one sample.
    /// </remarks>
    [Theory]
    [InlineData(TcpCongestionAlgorithm.Cubic, 50, false)]
    [InlineData(TcpCongestionAlgorithm.Cubic, 200, false)]
    [InlineData(TcpCongestionAlgorithm.NewReno, 50, false)]
    [InlineData(TcpCongestionAlgorithm.Cubic, 50, true)]
    public void BulkTransfer_SharesDropTailBottleneck_WithTcp(TcpCongestionAlgorithm algorithm, int queueMs, bool dataChannel) => Share(algorithm, queueMs, dataChannel, TimeSpan.Zero);

    /// <summary>The shared-bottleneck run; <paramref name="tcpStart"/> shifts the TCP flow's start (phase).</summary>
    private void Share(TcpCongestionAlgorithm algorithm, int queueMs, bool dataChannel, TimeSpan tcpStart)
    {
        const double rateBps = 10_000_000;
        TimeSpan oneWay = TimeSpan.FromMilliseconds(25);
        TimeSpan steadyFrom = TimeSpan.FromSeconds(20), end = TimeSpan.FromSeconds(60);
        const int sctpFlow = 0, tcpFlow = 2;

        var sim = new Simulator(1);
        var fwd = new Link(sim, new LinkOptions { Name = "bottleneck", Capacity = CapacitySchedule.Constant(rateBps), PropagationDelay = oneWay, QueueLimitTime = TimeSpan.FromMilliseconds(queueMs) }, 1);
        var bwd = new Link(sim, new LinkOptions { Name = "return", Capacity = CapacitySchedule.Constant(rateBps), PropagationDelay = oneWay }, 2);
        var wireBytes = new long[4];
        var drops = new int[4];
        fwd.OnTransmitted = (p, now) =>
        {
            if (now > steadyFrom)
            {
                wireBytes[p.FlowId] += p.WireSize;
            }
        };
        fwd.OnDropped = (p, _) => drops[p.FlowId]++;
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);

        (_, BulkReceiver receiver, SctpEndpoint a, _) = AttachBulkPair(sim, dataChannel, messages: -1, seed: 21, flowId: sctpFlow);
        var tcp = new TcpSenderEndpoint(new TcpSenderOptions { Algorithm = algorithm, Start = tcpStart }, new SimAddress(2, 1), sim.CreateRandom(3));
        var tcpReceiver = new TcpReceiverEndpoint();
        sim.Attach(new SimAddress(1, 1), tcp, tcpFlow);
        sim.Attach(new SimAddress(2, 1), tcpReceiver, tcpFlow + 1);

        sim.RunUntil(steadyFrom);
        long sctpBytesAtStart = receiver.BytesReceived, tcpBytesAtStart = tcpReceiver.BytesReceived;
        sim.RunUntil(end);

        double steadySeconds = (end - steadyFrom).TotalSeconds;
        double capacityBytes = rateBps / 8 * steadySeconds;
        double sctpShare = wireBytes[sctpFlow] / capacityBytes, tcpShare = wireBytes[tcpFlow] / capacityBytes;
        double sctpGoodput = (receiver.BytesReceived - sctpBytesAtStart) * 8 / steadySeconds;
        double tcpGoodput = (tcpReceiver.BytesReceived - tcpBytesAtStart) * 8 / steadySeconds;
        SctpAssociationStatistics s = a.Association.Statistics;
        _output.WriteLine($"{(dataChannel ? "data channel" : "raw SCTP")} vs TCP {algorithm} from {tcpStart.TotalMilliseconds} ms, queue {queueMs} ms; 20–60 s: SCTP {sctpShare:P1} of the link ({sctpGoodput / 1e6:F3} Mbit/s goodput), TCP {algorithm} {tcpShare:P1} ({tcpGoodput / 1e6:F3} Mbit/s goodput); utilisation {sctpShare + tcpShare:P1}");
        _output.WriteLine($"drops at the bottleneck (whole run): SCTP {drops[sctpFlow]}, TCP {drops[tcpFlow]}");
        _output.WriteLine($"SCTP: {receiver.MessagesReceived} messages ({receiver.Mismatches} mismatches), {s.DataChunksSent} DATA chunks, {s.Retransmissions} retransmissions, {s.FastRetransmits} fast-retransmit marks, {s.T3Expirations} T3-rtx expiries; cwnd {a.Association.CongestionWindow}, SRTT {a.Association.Rto.SmoothedRtt?.TotalMilliseconds:F1} ms");
        _output.WriteLine($"TCP: {tcp.Retransmissions} retransmissions, {tcp.FastRetransmits} recoveries, {tcp.Timeouts} timeouts; cwnd {tcp.CongestionWindow:F1} segments; {sim.EventCount} events");

        Assert.Equal(0, receiver.Mismatches);
        Assert.True(receiver.MessagesReceived > 0);
        Assert.True(sctpShare + tcpShare >= 0.90, $"utilisation {sctpShare + tcpShare:P1}");
        Assert.True(sctpShare >= 0.10, $"SCTP starved: {sctpShare:P1}");
        Assert.True(tcpShare >= 0.10, $"TCP starved: {tcpShare:P1}");
    }

    /// <summary>
    /// A bulk sender on node 1 port 5000 and its receiver on node 2 port 5000, raw SCTP or data channels (node 1 is the
    /// DTLS client); flow ids <paramref name="flowId"/> (data) and <paramref name="flowId"/> + 1 (SACKs).
    /// </summary>
    private static (IBulkSender Sender, BulkReceiver Receiver, SctpEndpoint A, SctpEndpoint B) AttachBulkPair(Simulator sim, bool dataChannel, long messages, int seed, int flowId)
    {
        SimAddress addrA = new(1, 5000), addrB = new(2, 5000);
        var assocA = new SctpAssociation(new SctpAssociationOptions { Random = new Random(seed) });
        var assocB = new SctpAssociation(new SctpAssociationOptions { Random = new Random(seed + 1) });
        IBulkSender sender;
        BulkReceiver receiver;
        SctpEndpoint a, b;
        if (dataChannel)
        {
            sender = new DataChannelBulkSender(MessageSize, messages);
            receiver = new DataChannelBulkReceiver(MessageSize);
            a = new SctpEndpoint(new DataChannelTransport(assocA, dtlsClient: true), addrB, sender, sim.Now);
            b = new SctpEndpoint(new DataChannelTransport(assocB, dtlsClient: false), addrA, receiver, sim.Now);
        }
        else
        {
            sender = new SctpBulkSender(MessageSize, messages);
            receiver = new SctpBulkReceiver(MessageSize);
            a = new SctpEndpoint(assocA, addrB, sender, sim.Now);
            b = new SctpEndpoint(assocB, addrA, receiver, sim.Now);
        }

        sim.Attach(addrA, a, flowId);
        sim.Attach(addrB, b, flowId + 1);
        return (sender, receiver, a, b);
    }
}
