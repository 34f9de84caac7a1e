namespace RtcStack.NetSim.Endpoints;

/// <summary>Constant-bitrate UDP cross traffic: fixed-size datagrams at a fixed rate between start and stop.</summary>
public sealed class CbrUdpEndpoint : ISimEndpoint
{
    private readonly SimAddress _destination;
    private readonly double _bps;
    private readonly int _size;
    private readonly TimeSpan _stop;
    private readonly Queue<SimPacket> _outbox = new();
    private TimeSpan _next;

    /// <summary>Creates a source of <paramref name="bps"/> in <paramref name="packetSize"/>-byte datagrams (wire size).</summary>
    public CbrUdpEndpoint(SimAddress destination, double bps, int packetSize, TimeSpan start, TimeSpan stop)
    {
        _destination = destination;
        _bps = bps;
        _size = packetSize;
        _next = start;
        _stop = stop;
    }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        while (_next <= now && _next < _stop)
        {
            _outbox.Enqueue(new SimPacket { Destination = _destination, WireSize = _size });
            // At least one tick apart, so absurd rates cannot stall virtual time.
            _next += TimeSpan.FromTicks(Math.Max(1, (long)Math.Round(_size * 8 / _bps * TimeSpan.TicksPerSecond)));
        }
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => _next < _stop ? _next : TimeSpan.MaxValue;
}
