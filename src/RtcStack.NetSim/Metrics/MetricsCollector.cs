using RtcStack.NetSim.Links;

namespace RtcStack.NetSim.Metrics;

/// <summary>
/// Samples flows and links every 200 ms (RFC 8868 §2 recommends 200 ms intervals for rate/delay/loss series). It is
/// itself an <see cref="ISimEndpoint"/> that only asks for timeouts, so sampling is part of the deterministic event
/// order.
/// </summary>
public sealed class MetricsCollector : ISimEndpoint
{
    /// <summary>Sampling interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly List<FlowProbe> _flows = new();
    private readonly List<LinkProbe> _links = new();
    private TimeSpan _next = Interval;
    private TimeSpan _last;

    /// <summary>Interval end times, s.</summary>
    public List<double> Times { get; } = [];

    /// <summary>Flow series in registration order.</summary>
    public List<FlowSeries> Flows { get; } = [];

    /// <summary>Link series.</summary>
    public List<LinkSeries> Links { get; } = [];

    /// <summary>Registers a flow; <paramref name="target"/> returns the controller target (media) or NaN.</summary>
    public FlowProbe AddFlow(FlowSeries series, Func<double> target)
    {
        var p = new FlowProbe(series, target);
        _flows.Add(p);
        Flows.Add(series);
        return p;
    }

    /// <summary>Registers a link.</summary>
    public void AddLink(Link link, string id)
    {
        var probe = new LinkProbe(link, new LinkSeries(id));
        link.OnTransmitted += (p, _) => probe.Bytes += p.WireSize;
        link.OnDropped += (_, _) => probe.Drops++;
        _links.Add(probe);
        Links.Add(probe.Series);
    }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        if (now < _next)
        {
            return;
        }
        double seconds = (now - _last).TotalSeconds;
        Times.Add(now.TotalSeconds);
        foreach (FlowProbe f in _flows)
        {
            f.Sample(seconds);
        }
        foreach (LinkProbe l in _links)
        {
            double capBits = l.Link.CapacityBits(_last, now);
            double bits = l.Bytes * 8.0;
            l.Series.CapacityBps.Add(capBits / seconds);
            l.Series.ThroughputBps.Add(bits / seconds);
            l.Series.Utilisation.Add(double.IsPositiveInfinity(capBits) ? double.NaN : bits / capBits);
            l.Series.QueueBytes.Add(l.Link.QueuedBytes);
            l.Series.Drops.Add(l.Drops);
            l.Bytes = 0;
            l.Drops = 0;
        }
        _last = now;
        _next = now + Interval;
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet)
    {
        packet = null!;
        return false;
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => _next;

    /// <summary>Accumulators of one flow between samples.</summary>
    public sealed class FlowProbe(FlowSeries series, Func<double> target)
    {
        private readonly List<double> _delays = new();
        private double _frameDelaySum;
        private int _frames;
        private long _sent;
        private long _received;
        private long _sentPackets;
        private long _dropped;

        /// <summary>The series being filled.</summary>
        public FlowSeries Series { get; } = series;

        /// <summary>Records a packet sent by the flow.</summary>
        public void OnSent(int bytes)
        {
            _sent += bytes;
            _sentPackets++;
            Series.PacketsSent++;
        }

        /// <summary>Records a dropped packet of the flow.</summary>
        public void OnDropped()
        {
            _dropped++;
            Series.PacketsDropped++;
        }

        /// <summary>Records a received packet and its queuing delay.</summary>
        public void OnReceived(int bytes, TimeSpan now, TimeSpan queueDelay, bool recordDelay)
        {
            _received += bytes;
            if (recordDelay)
            {
                double ms = queueDelay.TotalMilliseconds;
                _delays.Add(ms);
                Series.PacketQueueDelays.Add((now.TotalSeconds, ms));
            }
        }

        /// <summary>Records a completed frame.</summary>
        public void OnFrame(TimeSpan now, TimeSpan delay)
        {
            _frameDelaySum += delay.TotalMilliseconds;
            _frames++;
            Series.FrameDelays.Add((now.TotalSeconds, delay.TotalMilliseconds));
        }

        internal void Sample(double seconds)
        {
            Series.SendBps.Add(_sent * 8 / seconds);
            Series.ReceiveBps.Add(_received * 8 / seconds);
            Series.TargetBps.Add(target());
            if (_delays.Count > 0)
            {
                _delays.Sort();
                Series.QueueDelayP50Ms.Add(_delays[_delays.Count / 2]);
                Series.QueueDelayMaxMs.Add(_delays[^1]);
            }
            else
            {
                Series.QueueDelayP50Ms.Add(double.NaN);
                Series.QueueDelayMaxMs.Add(double.NaN);
            }
            Series.LossRate.Add(_sentPackets > 0 ? (double)_dropped / _sentPackets : 0);
            Series.FrameDelayMs.Add(_frames > 0 ? _frameDelaySum / _frames : double.NaN);
            _delays.Clear();
            _frameDelaySum = 0;
            _frames = 0;
            _sent = 0;
            _received = 0;
            _sentPackets = 0;
            _dropped = 0;
        }
    }

    private sealed class LinkProbe(Link link, LinkSeries series)
    {
        public Link Link { get; } = link;

        public LinkSeries Series { get; } = series;

        public long Bytes { get; set; }

        public long Drops { get; set; }
    }
}
