using RtcStack.Dtls;

namespace RtcStack.Dtls.Tests.Support;

/// <summary>
/// Two endpoints joined by an in-memory datagram link in virtual time, with seeded loss,
/// duplication and reordering (extra random delay). Deterministic for a given seed.
/// </summary>
internal sealed class VirtualLink
{
    private readonly Random _random;
    private readonly List<(TimeSpan At, long Order, bool ToB, byte[] Data)> _inFlight = [];
    private long _order;

    public VirtualLink(DtlsEndpoint a, DtlsEndpoint b, int seed = 1)
    {
        A = a;
        B = b;
        _random = new Random(seed);
    }

    public DtlsEndpoint A { get; }

    public DtlsEndpoint B { get; }

    public TimeSpan Now { get; private set; }

    public double LossRate { get; set; }

    public double DuplicateRate { get; set; }

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Extra random delay up to this much, which reorders datagrams.</summary>
    public TimeSpan Jitter { get; set; }

    public List<DtlsEvent> EventsA { get; } = [];

    public List<DtlsEvent> EventsB { get; } = [];

    public int DatagramsAToB { get; private set; }

    public int DatagramsBToA { get; private set; }

    /// <summary>Optional tap on every datagram sent (before loss), e.g. to record or tamper.</summary>
    public Func<bool, byte[], byte[]?>? Tap { get; set; }

    /// <summary>Runs until <paramref name="done"/> or <paramref name="limit"/> of virtual time.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        Drain();
        while (!done())
        {
            TimeSpan next = end;
            foreach (var f in _inFlight)
            {
                if (f.At < next)
                {
                    next = f.At;
                }
            }

            if (A.PollTimeout() is TimeSpan ta && ta < next)
            {
                next = ta;
            }

            if (B.PollTimeout() is TimeSpan tb && tb < next)
            {
                next = tb;
            }

            if (next >= end)
            {
                Now = end;
                return done();
            }

            Now = next < Now ? Now : next;
            Deliver();
            if (A.PollTimeout() is TimeSpan pa && pa <= Now)
            {
                A.HandleTimeout(Now);
            }

            if (B.PollTimeout() is TimeSpan pb && pb <= Now)
            {
                B.HandleTimeout(Now);
            }

            Drain();
        }

        return true;
    }

    public bool RunUntilConnected(TimeSpan limit) =>
        RunUntil(() => (A.State != DtlsState.Handshaking && B.State != DtlsState.Handshaking) ||
                       A.State == DtlsState.Failed || B.State == DtlsState.Failed, limit)
        && A.State == DtlsState.Connected && B.State == DtlsState.Connected;

    public void Drain()
    {
        bool any = true;
        while (any)
        {
            any = false;
            while (A.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                Send(toB: true, d.ToArray());
                any = true;
            }

            while (B.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                Send(toB: false, d.ToArray());
                any = true;
            }

            while (A.TryPollEvent(out DtlsEvent? e))
            {
                EventsA.Add(e!);
            }

            while (B.TryPollEvent(out DtlsEvent? e))
            {
                EventsB.Add(e!);
            }
        }
    }

    private void Send(bool toB, byte[] data)
    {
        if (toB)
        {
            DatagramsAToB++;
        }
        else
        {
            DatagramsBToA++;
        }

        if (Tap is not null)
        {
            byte[]? replaced = Tap(toB, data);
            if (replaced is null)
            {
                return;
            }

            data = replaced;
        }

        if (_random.NextDouble() < LossRate)
        {
            return;
        }

        int copies = _random.NextDouble() < DuplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            TimeSpan extra = Jitter > TimeSpan.Zero ? TimeSpan.FromTicks((long)(_random.NextDouble() * Jitter.Ticks)) : TimeSpan.Zero;
            _inFlight.Add((Now + Delay + extra, _order++, toB, data));
        }
    }

    private void Deliver()
    {
        _inFlight.Sort((x, y) => x.At != y.At ? x.At.CompareTo(y.At) : x.Order.CompareTo(y.Order));
        while (_inFlight.Count > 0 && _inFlight[0].At <= Now)
        {
            var f = _inFlight[0];
            _inFlight.RemoveAt(0);
            (f.ToB ? B : A).HandleDatagram(f.Data, Now);
            Drain();
        }
    }
}
