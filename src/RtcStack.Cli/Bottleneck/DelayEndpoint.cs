using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Bottleneck;

/// <summary>
/// Wraps a session's endpoint to add a constant one-way delay, in user space, to every datagram it receives and every
/// datagram it sends (the namespaces' kernel has no netem): for one flow through a FIFO bottleneck, a constant delay
/// before or after the bottleneck gives the same arrival times, so delaying at our end stands for the path's
/// propagation delay both ways. Also counts the bytes it passes, per direction, for the comparison's time series.
/// Runs under the host's per-session lock like the session itself.
/// </summary>
internal sealed class DelayEndpoint(WebRtcSession session, TimeSpan oneWay, Func<TimeSpan> clock) : IIceDatagramEndpoint
{
    private readonly Queue<(TimeSpan Due, TransportAddress Local, TransportAddress Remote, byte[] Data)> _in = new();
    private readonly Queue<(TimeSpan Due, DatagramTransmit Transmit, byte[] Data)> _out = new();
    private TimeSpan _last;
    private readonly byte[] _scratch = new byte[65536]; // the transport asks for more room than one datagram (TURN framing)

    public WebRtcSession Session => session;

    /// <summary>Gets the bytes (UDP payloads) handed to the session so far.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Gets the bytes (UDP payloads) released to the socket so far.</summary>
    public long BytesOut { get; private set; }

    /// <summary>Gets the bytes waiting in the outgoing delay line.</summary>
    public long QueuedOutBytes { get; private set; }

    public string LocalIceUfrag => session.LocalIceUfrag;

    public void AddLocalAddress(TransportAddress address) => session.AddLocalAddress(address);

    public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        if (oneWay <= TimeSpan.Zero)
        {
            BytesIn += datagram.Length;
            session.HandleDatagram(local, remote, datagram, now);
            return;
        }

        _in.Enqueue((now + oneWay, local, remote, datagram.ToArray()));
        Deliver(now);
    }

    /// <summary>
    /// Call at the start of every other input to the session (the application's <c>Invoke</c>): delivers what is due
    /// first, so the session's clock never goes back.
    /// </summary>
    public void Observe(TimeSpan now) => Deliver(now);

    public void HandleTimeout(TimeSpan now)
    {
        Deliver(now);
        if (session.PollTimeout() is TimeSpan due && due <= now)
        {
            session.HandleTimeout(now);
        }
    }

    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
    {
        TimeSpan now = clock();
        if (oneWay <= TimeSpan.Zero)
        {
            if (session.TryPollTransmit(buffer, out transmit))
            {
                BytesOut += transmit.Length;
                return true;
            }

            return false;
        }

        while (session.TryPollTransmit(_scratch, out DatagramTransmit t))
        {
            _out.Enqueue((now + oneWay, t, _scratch.AsSpan(0, t.Length).ToArray()));
            QueuedOutBytes += t.Length;
        }

        if (_out.TryPeek(out var head) && head.Due <= now && head.Data.Length <= buffer.Length)
        {
            _out.Dequeue();
            QueuedOutBytes -= head.Data.Length;
            head.Data.CopyTo(buffer);
            BytesOut += head.Data.Length;
            transmit = head.Transmit;
            return true;
        }

        transmit = default;
        return false;
    }

    public TimeSpan? PollTimeout()
    {
        TimeSpan? next = session.PollTimeout();
        if (_in.TryPeek(out var i) && (next is null || i.Due < next))
        {
            next = i.Due;
        }

        if (_out.TryPeek(out var o) && (next is null || o.Due < next))
        {
            next = o.Due;
        }

        return next;
    }

    /// <summary>
    /// Hands the session every datagram due by <paramref name="now"/>, each at its own due time (its arrival plus the
    /// delay), not at <paramref name="now"/>: a timer that fires late would otherwise stamp a whole group with one
    /// arrival time, which the peer's transport-cc estimator reads as a burst (and a probe cluster received in zero
    /// time is discarded as invalid by libwebrtc's ProbeBitrateEstimator). Never earlier than what the session saw last.
    /// </summary>
    private void Deliver(TimeSpan now)
    {
        while (_in.TryPeek(out var head) && head.Due <= now)
        {
            _in.Dequeue();
            BytesIn += head.Data.Length;
            _last = head.Due > _last ? head.Due : _last;
            session.HandleDatagram(head.Local, head.Remote, head.Data, _last);
        }

        _last = now > _last ? now : _last;
    }
}
