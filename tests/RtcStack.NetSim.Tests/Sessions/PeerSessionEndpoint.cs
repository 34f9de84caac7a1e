using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Runs a real <see cref="PeerSession"/> (ICE + DTLS + SRTP + RTP/RTCP) as a NetSim endpoint. Both sides are sans-IO
/// with the same four calls, so the adapter only translates addresses (node n, port p ↔ 10.0.n/256.n%256:p) and copies
/// datagram bytes: every STUN check, DTLS record, SRTP packet and SRTCP report (including the TWCC feedback) crosses
/// the simulated links as the bytes the session produced. The <see cref="ISessionApplication"/>s (a media source, a
/// receiver draining media) run after every input, like the application loop of a UDP driver.
/// </summary>
/// <remarks>
/// It lives in the test project so that neither NetSim nor Congestion depends on RtcStack.WebRtc (the session
/// depends on Congestion; NetSim is a tool for Congestion).
/// </remarks>
internal sealed class PeerSessionEndpoint : ISimEndpoint
{
    /// <summary>IPv4 + UDP headers charged by the links on top of the datagram.</summary>
    public const int IpUdpOverhead = 28;

    private readonly byte[] _buffer = new byte[PeerSession.MaxDatagramSize + 512];
    private readonly TransportAddress _local;
    private readonly ISessionApplication[] _applications;

    public PeerSessionEndpoint(PeerSession session, SimAddress address, params ISessionApplication[] applications)
    {
        Session = session;
        Address = address;
        _local = ToTransport(address);
        _applications = applications;
        session.AddLocalAddress(_local);
    }

    public PeerSession Session { get; }

    public SimAddress Address { get; }

    /// <summary>Session events in order (state changes, candidates, DTLS connected...).</summary>
    public List<PeerSessionEvent> Events { get; } = [];

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
        if (!Session.TryPollTransmit(_buffer, out DatagramTransmit t))
        {
            packet = null!;
            return false;
        }

        if (t.Source != _local)
        {
            throw new InvalidOperationException($"the session sent from {t.Source}, not from its only address {_local}");
        }

        packet = new SimPacket
        {
            Destination = ToSim(t.Destination),
            Payload = _buffer.AsSpan(0, t.Length).ToArray(),
            WireSize = t.Length + IpUdpOverhead,
        };
        return true;
    }

    public TimeSpan PollTimeout()
    {
        TimeSpan next = Session.PollTimeout() ?? TimeSpan.MaxValue;
        foreach (ISessionApplication application in _applications)
        {
            TimeSpan app = application.PollTimeout();
            next = app < next ? app : next;
        }

        return next;
    }

    private void AfterInput(TimeSpan now)
    {
        while (Session.TryPollEvent(out PeerSessionEvent? e))
        {
            Events.Add(e!);
        }

        foreach (ISessionApplication application in _applications)
        {
            application.Run(Session, now);
        }
    }
}
