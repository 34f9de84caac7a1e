using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Runs a real <see cref="WebRtcSession"/> (session core v2: ICE + DTLS + SRTP + RTP/RTCP) as a NetSim endpoint. Both
/// sides are sans-IO with the same four calls, so the adapter only translates addresses (node n, port p ↔
/// 10.0.n/256.n%256:p) and copies datagram bytes: every STUN check, DTLS record, SRTP packet and SRTCP report (including
/// the TWCC feedback) crosses the simulated links as the bytes the session produced. The
/// <see cref="ISessionApplication"/>s (a media source, a receiver draining media) run after every input, like the
/// application loop of a UDP driver; an optional <see cref="IRtpPacer"/> sits between the session's RTP and the link,
/// as a paced sender sits before the socket.
/// </summary>
/// <remarks>
/// It lives in the test project so that neither NetSim nor Congestion depends on RtcStack.WebRtc (the session
/// depends on Congestion; NetSim is a tool for Congestion).
/// </remarks>
internal sealed class WebRtcSessionEndpoint : ISimEndpoint
{
    /// <summary>IPv4 + UDP headers charged by the links on top of the datagram.</summary>
    public const int IpUdpOverhead = 28;

    private readonly byte[] _buffer = new byte[WebRtcSession.MinOutputBuffer];
    private readonly TransportAddress _local;
    private readonly ISessionApplication[] _applications;
    private readonly Queue<OutgoingDatagram> _out = new();
    private readonly Action<OutgoingDatagram> _transmit;
    private readonly Func<OutgoingDatagram?> _pollSession;

    public WebRtcSessionEndpoint(WebRtcSession session, SimAddress address, IRtpPacer? pacer, params ISessionApplication[] applications)
    {
        Session = session;
        Address = address;
        Pacer = pacer;
        _local = ToTransport(address);
        _applications = applications;
        _transmit = _out.Enqueue;
        _pollSession = PollSession;
        session.AddLocalAddress(_local);
    }

    public WebRtcSession Session { get; }

    public SimAddress Address { get; }

    public IRtpPacer? Pacer { get; }

    /// <summary>Session events in order (state changes, candidates, DTLS connected...).</summary>
    public List<SessionEvent> Events { get; } = [];

    /// <summary>Gets the wire bytes (IP/UDP included) of the RTCP datagrams the session wrote.</summary>
    public long RtcpWireBytesSent { get; private set; }

    /// <summary>Called for every RTP datagram the session writes when there is no <see cref="Pacer"/> (the session paced it).</summary>
    public Action<OutgoingDatagram>? OnRtpWritten { get; set; }

    /// <summary>Called for every datagram delivered to the session, before it sees it (metrics).</summary>
    public Action<SimPacket, TimeSpan>? OnDatagram { get; set; }

    public static TransportAddress ToTransport(SimAddress a) =>
        TransportAddress.FromIPv4(0x0A00_0000u | (uint)(a.Node & 0xFFFF), checked((ushort)a.Port));

    public static SimAddress ToSim(TransportAddress a)
    {
        Span<byte> b = stackalloc byte[16];
        int n = a.WriteAddressBytes(b);
        if (n != 4 || b[0] != 10)
        {
            throw new InvalidOperationException($"{a} is not a simulated address");
        }

        return new SimAddress((b[2] << 8) | b[3], a.Port);
    }

    /// <summary>RFC 7983 §7: RTP or RTCP when the first byte is 128-191; RTCP when the second is 192-223 (RFC 5761 §4).</summary>
    public static bool IsRtp(ReadOnlySpan<byte> datagram) => datagram.Length >= 12 && datagram[0] is >= 128 and <= 191 && datagram[1] is < 192 or > 223;

    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        OnDatagram?.Invoke(packet, now);
        Session.HandleDatagram(_local, ToTransport(packet.Source), packet.Payload.Span, now);
        AfterInput(now);
    }

    public void HandleTimeout(TimeSpan now)
    {
        if (Session.PollTimeout() is TimeSpan due && due <= now)
        {
            Session.HandleTimeout(now);
        }

        AfterInput(now);
    }

    public bool TryPollTransmit(out SimPacket packet)
    {
        if (!_out.TryDequeue(out OutgoingDatagram datagram))
        {
            packet = null!;
            return false;
        }

        packet = new SimPacket
        {
            Destination = datagram.Destination,
            Payload = datagram.Data,
            WireSize = datagram.Data.Length + IpUdpOverhead,
        };
        return true;
    }

    public TimeSpan PollTimeout()
    {
        TimeSpan next = Session.PollTimeout() ?? TimeSpan.MaxValue;
        TimeSpan pacer = Pacer?.PollTimeout() ?? TimeSpan.MaxValue;
        next = pacer < next ? pacer : next;
        foreach (ISessionApplication application in _applications)
        {
            TimeSpan app = application.PollTimeout();
            next = app < next ? app : next;
        }

        return next;
    }

    private void AfterInput(TimeSpan now)
    {
        // What the input produced (STUN, DTLS, RTCP, retransmissions), then what the applications send.
        DrainSession(now);
        while (Session.TryPollEvent(out SessionEvent? e))
        {
            Events.Add(e);
            foreach (ISessionApplication application in _applications)
            {
                application.OnEvent(e, now);
            }
        }

        foreach (ISessionApplication application in _applications)
        {
            application.Run(Session, now);
        }

        DrainSession(now);
        Pacer?.Release(Session, now, _transmit, _pollSession);
    }

    /// <summary>Moves the session's transmits out: RTP to the pacer when there is one, everything else to the link.</summary>
    private void DrainSession(TimeSpan now)
    {
        while (PollSession() is OutgoingDatagram datagram)
        {
            if (Pacer is not null && IsRtp(datagram.Data))
            {
                Pacer.Enqueue(datagram, now);
            }
            else
            {
                if (Pacer is null && IsRtp(datagram.Data))
                {
                    OnRtpWritten?.Invoke(datagram);
                }
                else if (datagram.Data.Length >= 2 && datagram.Data[0] is >= 128 and <= 191 && datagram.Data[1] is >= 192 and <= 223)
                {
                    RtcpWireBytesSent += datagram.Data.Length + IpUdpOverhead;
                }

                _out.Enqueue(datagram);
            }
        }
    }

    private OutgoingDatagram? PollSession()
    {
        if (!Session.TryPollTransmit(_buffer, out DatagramTransmit t))
        {
            return null;
        }

        if (t.Source != _local)
        {
            throw new InvalidOperationException($"the session sent from {t.Source}, not from its only address {_local}");
        }

        return new OutgoingDatagram(_buffer.AsSpan(0, t.Length).ToArray(), ToSim(t.Destination));
    }
}
