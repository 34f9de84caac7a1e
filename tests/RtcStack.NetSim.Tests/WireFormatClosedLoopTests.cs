using System.Buffers.Binary;
using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.Congestion.Pacing;
using RtcStack.NetSim.Links;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.NetSim.Tests;

/// <summary>
/// Closed loop with the real wire formats: RTP packets carrying the transport-wide sequence number header extension
/// (RFC 8285 one-byte form), TWCC RTCP feedback written by <see cref="TransportWideFeedback.TryWrite"/> at the
/// receiver and turned back into per-packet results by <see cref="TwccFeedbackAdapter"/> at the sender, through a
/// 1 Mbps NetSim bottleneck.
/// </summary>
public class WireFormatClosedLoopTests
{
    [Theory]
    [InlineData("gcc")]
    [InlineData("nada")]
    public void RtpWithTwccAdaptsToOneMbps(string cc)
    {
        ICongestionController controller = cc == "gcc"
            ? new GccController(new GccOptions { MaxBitrateBps = 3_000_000 })
            : new NadaController(new NadaParameters { RMax = 3_000_000 });
        var sim = new Simulator(11);
        var fwd = new Link(sim, new LinkOptions { Capacity = CapacitySchedule.Constant(1_000_000), PropagationDelay = TimeSpan.FromMilliseconds(50) }, 1);
        var bwd = new Link(sim, new LinkOptions { PropagationDelay = TimeSpan.FromMilliseconds(50), QueueLimitTime = null }, 2);
        var sender = new WireRtpSender(controller, new SimAddress(2, 1));
        var receiver = new WireRtpReceiver(new SimAddress(1, 1));
        sim.Attach(new SimAddress(1, 1), sender, 0);
        sim.Attach(new SimAddress(2, 1), receiver, 1);
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);
        sim.RunUntil(TimeSpan.FromSeconds(15));
        long bytes0 = receiver.Bytes;
        receiver.QueueDelaysMs.Clear();
        sim.RunUntil(TimeSpan.FromSeconds(40));
        double rate = (receiver.Bytes - bytes0) * 8 / 25.0;
        receiver.QueueDelaysMs.Sort();
        double p95 = receiver.QueueDelaysMs[(int)(0.95 * receiver.QueueDelaysMs.Count)];
        Assert.True(receiver.FeedbackPackets > 100);
        Assert.True(sender.FeedbackPacketsParsed == receiver.FeedbackPackets || sender.FeedbackPacketsParsed >= receiver.FeedbackPackets - 2);
        Assert.True(rate >= 850_000, $"{cc}: {rate / 1e3:F0} kbps");
        Assert.True(p95 < 100, $"{cc}: queuing delay p95 {p95:F0} ms");
    }

    [Fact]
    public void TwccRoundTripPreservesArrivalsAndLosses()
    {
        var arrivals = new TimeSpan?[] { TimeSpan.FromMilliseconds(1000.3), null, TimeSpan.FromMilliseconds(1002.1), TimeSpan.FromMilliseconds(1070) };
        var buf = new byte[256];
        Assert.True(TransportWideFeedback.TryWrite(buf, 1, 2, 65534, 0, arrivals, out int len, out int written));
        Assert.Equal(4, written);
        var adapter = new TwccFeedbackAdapter();
        // Sender has sent up to 65 536 + 1 (unwrapped): 65534, 65535, 65536, 65537.
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), 65_537, out ReadOnlySpan<PacketFeedback> fb));
        Assert.Equal(4, fb.Length);
        Assert.Equal(65_534, fb[0].TransportSequenceNumber);
        Assert.Equal(TimeSpan.FromMilliseconds(1000.25), fb[0].ArrivalTime);
        Assert.False(fb[1].Received);
        Assert.Equal(65_536, fb[2].TransportSequenceNumber);
        Assert.Equal(TimeSpan.FromMilliseconds(1002), fb[2].ArrivalTime);
        Assert.Equal(TimeSpan.FromMilliseconds(1070), fb[3].ArrivalTime);
        Assert.False(adapter.TryConvert([1, 2, 3], 0, out _));
    }

    private sealed class WireRtpSender(ICongestionController controller, SimAddress destination) : ISimEndpoint
    {
        private const byte TwccExtensionId = 5;
        private static readonly TimeSpan s_frameInterval = TimeSpan.FromSeconds(1.0 / 30);
        private readonly Pacer _pacer = new();
        private readonly Queue<SimPacket> _outbox = new();
        private readonly Dictionary<long, (int Size, bool Marker, uint Ts)> _pending = new();
        private readonly TwccFeedbackAdapter _adapter = new();
        private TimeSpan _nextFrame;
        private long _nextId;
        private long _transportSeq;
        private ushort _rtpSeq;
        private TimeSpan _now;

        public int FeedbackPacketsParsed { get; private set; }

        public void HandleDatagram(SimPacket packet, TimeSpan now)
        {
            if (_adapter.TryConvert(packet.Payload.Span, _transportSeq - 1, out ReadOnlySpan<PacketFeedback> fb))
            {
                FeedbackPacketsParsed++;
                controller.OnFeedback(fb, now);
            }
            Run(now);
        }

        public void HandleTimeout(TimeSpan now) => Run(now);

        public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

        public TimeSpan PollTimeout()
        {
            TimeSpan t = _nextFrame;
            TimeSpan p = _pacer.PollTimeout(_now);
            TimeSpan c = controller.PollTimeout();
            return p < t ? (c < p ? c : p) : (c < t ? c : t);
        }

        private void Run(TimeSpan now)
        {
            _now = now;
            controller.HandleTimeout(now);
            while (_nextFrame <= now)
            {
                int bytes = (int)(controller.TargetBitrateBps / 30 / 8);
                int count = Math.Max(1, (bytes + 1199) / 1200);
                uint ts = (uint)(_nextFrame.TotalSeconds * 90_000);
                for (int i = 0; i < count; i++)
                {
                    int size = bytes / count;
                    _pending[_nextId] = (size, i == count - 1, ts);
                    _pacer.Enqueue(_nextId++, size + 12 + 8 + 28, false, now);
                }
                _nextFrame += s_frameInterval;
            }
            while (controller.TryPollProbe(out ProbeClusterConfig probe))
            {
                _pacer.CreateProbeCluster(probe, now);
            }
            controller.OnSendQueue(_pacer.QueuedBytes, now);
            _pacer.SetRates(controller.PacingRateBps, controller.PaddingRateBps);
            while (_pacer.TryPollSend(now, out PacedSend s))
            {
                (int payload, bool marker, uint ts) = s.IsPadding ? (s.Size - 48, false, 0u) : _pending[s.PacketId];
                _pending.Remove(s.PacketId);
                byte[] buf = new byte[12 + 8 + Math.Max(payload, 0)];
                var w = new RtpPacketWriter(buf);
                Assert.True(w.TryWriteHeader(new RtpHeader((byte)(s.IsPadding ? 127 : 96), _rtpSeq++, ts, 0x1234, marker)));
                byte[] ext = new byte[4];
                ext[0] = (TwccExtensionId << 4) | 1;
                TransportSequenceNumberExtension.Write(ext.AsSpan(1), (ushort)_transportSeq);
                ext[3] = 0;
                Assert.True(w.TryWriteRawHeaderExtension(0xBEDE, ext));
                Assert.True(w.TryWritePayload(new byte[Math.Max(payload, 0)]));
                int wire = buf.Length + 28;
                controller.OnPacketSent(new SentPacket(_transportSeq++, wire, now, s.ProbeClusterId, s.IsPadding));
                _outbox.Enqueue(new SimPacket { Destination = destination, Payload = buf, WireSize = wire });
            }
        }
    }

    private sealed class WireRtpReceiver(SimAddress sender) : ISimEndpoint
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(50);
        private readonly SortedDictionary<long, TimeSpan> _arrivals = new();
        private readonly Queue<SimPacket> _outbox = new();
        private SequenceNumberUnwrapper _unwrapper;
        private long _nextToReport = -1;
        private long _highest = -1;
        private TimeSpan _nextReport = TimeSpan.MaxValue;
        private byte _fbCount;

        public long Bytes { get; private set; }

        public int FeedbackPackets { get; private set; }

        public List<double> QueueDelaysMs { get; } = [];

        public void HandleDatagram(SimPacket packet, TimeSpan now)
        {
            Assert.True(RtpPacket.TryParse(packet.Payload.Span, out RtpPacket rtp));
            Assert.True(rtp.TryGetHeaderExtension(5, out ReadOnlySpan<byte> value));
            Assert.True(TransportSequenceNumberExtension.TryRead(value, out ushort seq16));
            long seq = _unwrapper.Unwrap(seq16);
            Bytes += packet.WireSize;
            QueueDelaysMs.Add(packet.QueueDelay.TotalMilliseconds);
            if (_nextToReport < 0)
            {
                _nextToReport = seq;
                _nextReport = now + s_interval;
            }
            if (seq >= _nextToReport)
            {
                _arrivals[seq] = now;
                _highest = Math.Max(_highest, seq);
            }
            HandleTimeout(now);
        }

        public void HandleTimeout(TimeSpan now)
        {
            if (now < _nextReport || _highest < _nextToReport)
            {
                return;
            }
            _nextReport = now + s_interval;
            var times = new TimeSpan?[_highest - _nextToReport + 1];
            for (long s = _nextToReport; s <= _highest; s++)
            {
                times[s - _nextToReport] = _arrivals.Remove(s, out TimeSpan at) ? at : null;
            }
            int offset = 0;
            while (offset < times.Length)
            {
                var buf = new byte[1500];
                Assert.True(TransportWideFeedback.TryWrite(buf, 0x5678, 0x1234, (ushort)(_nextToReport + offset), _fbCount++, times.AsSpan(offset), out int len, out int written));
                offset += written;
                FeedbackPackets++;
                _outbox.Enqueue(new SimPacket { Destination = sender, Payload = buf.AsMemory(0, len), WireSize = len + 28 });
            }
            _nextToReport = _highest + 1;
        }

        public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

        public TimeSpan PollTimeout() => _nextReport;
    }
}
