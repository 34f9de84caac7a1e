using RtcStack.Ice;
using RtcStack.Srtp;
using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.WebRtc.Transport;

/// <content>Incoming datagrams: classified once (RFC 7983 §7), then given to ICE, DTLS or SRTP; shared-socket routing.</content>
public sealed partial class WebRtcTransport
{
    /// <summary>
    /// Says whether a datagram that arrived on <paramref name="local"/> (one of our host addresses) from
    /// <paramref name="remote"/> belongs to this transport, so a socket shared by many transports can route it without
    /// parsing STUN itself: a STUN request whose USERNAME starts with our ufrag (RFC 8445 §7.2.2: "receiver:sender";
    /// during an ICE restart also our previous one), or anything from an address ICE knows as a remote candidate or
    /// the remote end of its selected pair. Never throws; changes nothing.
    /// </summary>
    public bool Accepts(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram)
    {
        if (_closed || !IsHostAddress(local))
        {
            return false;
        }

        if (PacketDemultiplexer.Classify(datagram) == PacketKind.Stun
            && StunMessageReader.TryParse(datagram, out StunMessageReader msg) == StunParseStatus.Ok
            && msg.Class == StunClass.Request
            && msg.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> username))
        {
            int colon = username.IndexOf((byte)':');
            ReadOnlySpan<byte> ours = colon < 0 ? username : username[..colon];
            if (AsciiEquals(ours, LocalCredentials.Ufrag) || (_previousUfrag is not null && AsciiEquals(ours, _previousUfrag)))
            {
                return true;
            }
        }

        return _ice is not null && _ice.IsKnownRemoteAddress(remote);
    }

    /// <summary>
    /// Handles one datagram received on the socket bound to <paramref name="local"/> from <paramref name="remote"/>
    /// (or, with <paramref name="transport"/> TCP or TLS, one whole message from the connection to TURN server
    /// <paramref name="remote"/>, RFC 8656 §3.1). It is classified once by its first byte (RFC 7983 §7): STUN and TURN
    /// go to ICE; DTLS, RTP and RTCP are taken only from a route ICE validated (RFC 8445 §12.1); DTLS goes to DTLS (or
    /// is held until the handshake starts); SRTP and SRTCP are authenticated and decrypted (RFC 3711 §3.3, §3.4) into
    /// <paramref name="plaintext"/>. Never throws on any bytes; unauthenticated input changes no state.
    /// </summary>
    /// <returns>RTP or RTCP with the plaintext length, consumed, or dropped with the reason (counted in <see cref="Counters"/>).</returns>
    public TransportReceive HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, Span<byte> plaintext, TimeSpan now,
        TurnTransport transport = TurnTransport.Udp)
    {
        _now = now;
        if (_closed)
        {
            return Drop(TransportDropReason.Closed);
        }

        // A message from a TCP/TLS TURN connection may hold a whole datagram plus its TURN framing.
        if (datagram.Length > MaxDatagramSize + (transport == TurnTransport.Udp ? 0 : TurnClient.MaxWrapOverhead))
        {
            return Drop(TransportDropReason.TooLarge);
        }

        if (transport != TurnTransport.Udp)
        {
            return HandleViaIce(local, remote, datagram, plaintext, now, transport);
        }

        PacketKind kind = PacketDemultiplexer.Classify(datagram);
        switch (kind)
        {
            case PacketKind.Stun:
                return HandleViaIce(local, remote, datagram, plaintext, now, transport);
            case PacketKind.TurnChannelData:
                return IsTurnServer(remote)
                    ? HandleViaIce(local, remote, datagram, plaintext, now, transport)
                    : Drop(TransportDropReason.Unknown);
            case PacketKind.Dtls or PacketKind.Rtp or PacketKind.Rtcp:
                if (_ice is null)
                {
                    return Drop(TransportDropReason.NotConnected);
                }

                // The media hot path: ICE only says whether the route is valid, without looking at the bytes again.
                if (!_ice.TryGetApplicationDataComponent(local, remote, out int component) || component != 1)
                {
                    return Drop(TransportDropReason.NotForUs);
                }

                return HandleApplicationData(kind, datagram, plaintext, now);
            default:
                return Drop(TransportDropReason.Unknown);
        }
    }

    /// <summary>
    /// One whole STUN or ChannelData message from the TCP or TLS connection to TURN server <paramref name="server"/>
    /// for host address <paramref name="local"/> (RFC 8656 §3.1; the driver frames it with <see cref="TurnStreamFraming"/>).
    /// </summary>
    public TransportReceive HandleTurnStreamMessage(TransportAddress local, TransportAddress server, TurnTransport transport, ReadOnlySpan<byte> message,
        Span<byte> plaintext, TimeSpan now)
        => HandleDatagram(local, server, message, plaintext, now, transport);

    /// <summary>The driver's connection to TURN server <paramref name="server"/> for <paramref name="local"/> closed or could not be opened: that relay is gone (RFC 8656 §3.1).</summary>
    public void HandleTurnStreamClosed(TransportAddress local, TransportAddress server, TurnTransport transport, string reason, TimeSpan now)
    {
        _now = now;
        if (_closed || _ice is null)
        {
            return;
        }

        _ice.HandleTurnConnectionClosed(local, server, transport, reason, now);
        PumpIce(now);
        UpdateState(now);
    }

    /// <summary>Gets the host name to verify a TLS TURN server's certificate against (and send as SNI), or null to use its address.</summary>
    public string? GetTurnServerName(TransportAddress server, TurnTransport transport)
    {
        foreach (IceServer s in _options.IceServers)
        {
            if (s.Address == server && s.Transport == transport)
            {
                return s.ServerName;
            }
        }

        return null;
    }

    private TransportReceive HandleViaIce(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, Span<byte> plaintext, TimeSpan now,
        TurnTransport transport)
    {
        if (_ice is null)
        {
            return Drop(TransportDropReason.NotConnected);
        }

        IceDatagramKind handled = _ice.HandleDatagram(local, remote, datagram, now, transport, out ReadOnlySpan<byte> data, out int component);
        TransportReceive result;
        if (handled == IceDatagramKind.ApplicationData && component == 1)
        {
            // Unwrapped from TURN (ChannelData or a Data indication): the inner datagram's one classification.
            PacketKind inner = PacketDemultiplexer.Classify(data);
            result = inner is PacketKind.Dtls or PacketKind.Rtp or PacketKind.Rtcp
                ? HandleApplicationData(inner, data, plaintext, now)
                : Drop(TransportDropReason.Unknown);
        }
        else if (handled == IceDatagramKind.Stun)
        {
            Counters.StunReceived();
            result = TransportReceive.Consumed();
        }
        else
        {
            result = Drop(TransportDropReason.NotForUs);
        }

        PumpIce(now);
        PumpDtls(now);
        UpdateState(now);
        return result;
    }

    private TransportReceive HandleApplicationData(PacketKind kind, ReadOnlySpan<byte> data, Span<byte> plaintext, TimeSpan now)
    {
        Counters.Received(data.Length);
        return kind switch
        {
            PacketKind.Dtls => HandleDtls(data, now),
            PacketKind.Rtp => Unprotect(data, plaintext, rtcp: false),
            _ => Unprotect(data, plaintext, rtcp: true),
        };
    }

    private TransportReceive Unprotect(ReadOnlySpan<byte> data, Span<byte> plaintext, bool rtcp)
    {
        if (_dtlsFailed)
        {
            return Drop(TransportDropReason.Closed);
        }

        if (_srtp is null)
        {
            return Drop(TransportDropReason.NotConnected);
        }

        if (plaintext.Length < data.Length)
        {
            return Drop(TransportDropReason.BufferTooSmall);
        }

        data.CopyTo(plaintext);
        SrtpStatus status = rtcp
            ? _srtp.UnprotectRtcp(plaintext, data.Length, out int length)
            : _srtp.UnprotectRtp(plaintext, data.Length, out length);
        if (status == SrtpStatus.Ok)
        {
            if (rtcp)
            {
                Counters.SrtcpReceived();
                return TransportReceive.Rtcp(length);
            }

            Counters.SrtpReceived();
            return TransportReceive.Rtp(length);
        }

        TransportDropReason reason = status switch
        {
            SrtpStatus.AuthenticationFailed => TransportDropReason.AuthenticationFailed,
            SrtpStatus.Replayed or SrtpStatus.TooOld => TransportDropReason.Replayed,
            SrtpStatus.KeyLimitReached => TransportDropReason.KeyLimitReached,
            SrtpStatus.BufferTooSmall => TransportDropReason.BufferTooSmall,
            _ => TransportDropReason.Malformed,
        };
        if (rtcp)
        {
            Counters.SrtcpDropped(reason);
        }

        return Drop(reason);
    }

    private TransportReceive Drop(TransportDropReason reason)
    {
        Counters.Dropped(reason);
        return TransportReceive.Dropped(reason);
    }

    private bool IsTurnServer(TransportAddress remote)
    {
        if (_turnUdpServers.Length == 0)
        {
            return false;
        }

        remote = remote.UnmapIPv4();
        foreach (TransportAddress s in _turnUdpServers)
        {
            if (s == remote)
            {
                return true;
            }
        }

        return false;
    }

    private bool IsHostAddress(TransportAddress local)
    {
        local = local.UnmapIPv4();
        foreach (TransportAddress a in _hostAddresses)
        {
            if (a.UnmapIPv4() == local)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }
}
