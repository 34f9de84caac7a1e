using System.Buffers.Binary;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc.Tests.Transport;

/// <summary>
/// Two <see cref="WebRtcTransport"/>s wired back to back in virtual time: datagrams are delivered at once (no delay),
/// local candidates trickle to the other side, time moves only to the next deadline either transport asks for.
/// A is the JSEP offerer (ICE controlling) and takes <see cref="RoleOfA"/> as its DTLS role.
/// </summary>
internal sealed class TransportLink : IDisposable
{
    public static readonly TransportAddress AddressA = TransportAddress.Parse("10.0.0.1:1000");
    public static readonly TransportAddress AddressB = TransportAddress.Parse("10.0.0.2:2000");

    private static readonly Lazy<DtlsCertificate> s_certA = new(() => DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    private static readonly Lazy<DtlsCertificate> s_certB = new(() => DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    private readonly byte[] _buffer = new byte[2048];
    private readonly byte[] _plain = new byte[2048];
    private readonly List<IceCandidate> _candidatesForA = [];
    private readonly List<IceCandidate> _candidatesForB = [];

    public TransportLink(DtlsRole roleOfA = DtlsRole.Client, Action<WebRtcTransportOptions>? configureA = null, Action<WebRtcTransportOptions>? configureB = null)
    {
        var a = new WebRtcTransportOptions { Certificate = s_certA.Value, Random = new Random(1) };
        var b = new WebRtcTransportOptions { Certificate = s_certB.Value, Random = new Random(2) };
        configureA?.Invoke(a);
        configureB?.Invoke(b);
        A = new WebRtcTransport(a);
        B = new WebRtcTransport(b);
        A.AddLocalAddress(AddressA);
        B.AddLocalAddress(AddressB);
        RoleOfA = roleOfA;
    }

    public static DtlsCertificate CertificateA => s_certA.Value;

    public static DtlsCertificate CertificateB => s_certB.Value;

    public WebRtcTransport A { get; }

    public WebRtcTransport B { get; }

    public DtlsRole RoleOfA { get; }

    public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(1);

    public List<TransportEvent> EventsA { get; } = [];

    public List<TransportEvent> EventsB { get; } = [];

    /// <summary>Gets what A received: each result with a copy of its plaintext (empty unless RTP or RTCP).</summary>
    public List<(TransportReceive Result, byte[] Plain)> ReceivedByA { get; } = [];

    /// <summary>Gets what B received.</summary>
    public List<(TransportReceive Result, byte[] Plain)> ReceivedByB { get; } = [];

    /// <summary>Gets every datagram A put on the wire (dropped ones included).</summary>
    public List<byte[]> SentByA { get; } = [];

    /// <summary>Gets every datagram B put on the wire.</summary>
    public List<byte[]> SentByB { get; } = [];

    /// <summary>Gets or sets a filter: true drops the datagram (sent by A when the flag is true).</summary>
    public Func<bool, byte[], bool>? Drop { get; set; }

    public TransportParameters ParametersFor(bool forA, IceCredentials? remoteIce = null) => new()
    {
        RemoteIce = remoteIce ?? (forA ? B : A).LocalCredentials,
        RemoteFingerprints = [(forA ? B : A).LocalFingerprint],
        LocalDtlsRole = forA ? RoleOfA : (RoleOfA == DtlsRole.Client ? DtlsRole.Server : DtlsRole.Client),
        IceControlling = forA,
    };

    public void StartA() => A.Start(ParametersFor(forA: true), Now);

    public void StartB() => B.Start(ParametersFor(forA: false), Now);

    /// <summary>Starts both and runs until both are connected.</summary>
    public void Connect()
    {
        StartA();
        StartB();
        if (!RunUntil(() => A.State == TransportState.Connected && B.State == TransportState.Connected, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"did not connect: A {A.State}, B {B.State}");
        }
    }

    /// <summary>Delivers datagrams, events and candidates until nothing moves, without letting time pass.</summary>
    public void Pump()
    {
        for (int guard = 0; guard < 100_000; guard++)
        {
            bool moved = DrainEvents(A, EventsA, _candidatesForB) | DrainEvents(B, EventsB, _candidatesForA);
            moved |= Trickle(B, _candidatesForB) | Trickle(A, _candidatesForA);
            moved |= Transfer(A, B, fromA: true) | Transfer(B, A, fromA: false);
            if (!moved)
            {
                return;
            }
        }

        throw new InvalidOperationException("the link does not settle");
    }

    /// <summary>Runs (pumping, and moving time to the next deadline) until <paramref name="done"/> or <paramref name="limit"/> has passed.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        for (int guard = 0; guard < 1_000_000; guard++)
        {
            Pump();
            if (done())
            {
                return true;
            }

            TimeSpan next = end;
            foreach (WebRtcTransport t in (ReadOnlySpan<WebRtcTransport>)[A, B])
            {
                if (t.PollTimeout() is TransportTimeout due && due.At < next)
                {
                    next = due.At;
                }
            }

            if (next >= end)
            {
                Now = end;
                Pump();
                return done();
            }

            if (next > Now)
            {
                Now = next;
            }

            A.HandleTimeout(Now);
            B.HandleTimeout(Now);
        }

        throw new InvalidOperationException("the link makes no progress");
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }

    /// <summary>A plaintext RTP packet (RFC 3550 §5.1) with a recognisable payload.</summary>
    public static byte[] Rtp(ushort sequence, byte payloadType = 111, bool marker = false, uint ssrc = 0x11223344, int payloadLength = 40)
    {
        byte[] p = new byte[12 + payloadLength];
        p[0] = 0x80;
        p[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        for (int i = 12; i < p.Length; i++)
        {
            p[i] = (byte)(sequence + i);
        }

        return p;
    }

    /// <summary>A plaintext RTCP receiver report without report blocks (RFC 3550 §6.4.2).</summary>
    public static byte[] ReceiverReport(uint ssrc = 0x55667788)
    {
        byte[] p = [0x80, 201, 0, 1, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        return p;
    }

    private static bool DrainEvents(WebRtcTransport t, List<TransportEvent> events, List<IceCandidate> candidatesForPeer)
    {
        bool moved = false;
        while (t.TryPollEvent(out TransportEvent? e))
        {
            moved = true;
            events.Add(e!);
            if (e is TransportCandidateEvent c)
            {
                candidatesForPeer.Add(c.Candidate);
            }
        }

        return moved;
    }

    private bool Trickle(WebRtcTransport to, List<IceCandidate> pending)
    {
        if (pending.Count == 0 || to.IceAgent is null || to.State == TransportState.Closed)
        {
            return false;
        }

        foreach (IceCandidate c in pending)
        {
            to.AddRemoteCandidate(c, Now);
        }

        pending.Clear();
        return true;
    }

    private bool Transfer(WebRtcTransport from, WebRtcTransport to, bool fromA)
    {
        bool moved = false;
        while (from.TryPollTransmit(_buffer, out DatagramTransmit t))
        {
            moved = true;
            byte[] bytes = _buffer.AsSpan(0, t.Length).ToArray();
            (fromA ? SentByA : SentByB).Add(bytes);
            if (Drop?.Invoke(fromA, bytes) == true)
            {
                continue;
            }

            TransportReceive r = to.HandleDatagram(t.Destination, t.Source, bytes, _plain, Now);
            (fromA ? ReceivedByB : ReceivedByA).Add((r, r.IsMedia ? _plain.AsSpan(0, r.Length).ToArray() : []));
        }

        return moved;
    }
}
