using System.Buffers.Binary;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    /// <summary>
    /// Feeds one received SCTP packet (RFC 9260 §8.5 verification tag rules, §6.8 checksum, §3.2
    /// unrecognised chunks). Malformed or misaddressed packets are dropped; nothing here throws on bad input.
    /// </summary>
    /// <param name="datagram">The packet (one DTLS application-data record).</param>
    /// <param name="now">The current monotonic time.</param>
    public void HandleDatagram(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        if (_terminated)
        {
            return;
        }

        // RFC 9653 §5.3: having announced that we accept zero checksums (EnableZeroChecksum: INIT and INIT ACK carry the
        // parameter), a checksum field of zero is accepted in place of the CRC32c, DTLS having checked the bytes (§6); a
        // correct CRC32c is accepted as always. Without the announcement a zero field is a bad checksum like any other.
        bool zeroChecksum = _options.EnableZeroChecksum && datagram.Length >= SctpPacket.CommonHeaderLength
            && BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]) == 0;
        if (SctpPacket.TryParse(datagram, out SctpPacket packet, verifyChecksum: !zeroChecksum) != SctpParseStatus.Ok
            || packet.SourcePort != _options.RemotePort
            || packet.DestinationPort != _options.LocalPort
            || (zeroChecksum && !ZeroChecksumAllowed(packet)))
        {
            Statistics.PacketsDropped++;
            return;
        }

        uint tag = packet.VerificationTag;
        _gapsBeforePacket = _receivedAbove.Count > 0;
        bool first = true;
        bool accepted = false;
        bool sawData = false;
        foreach (SctpChunk chunk in packet.Chunks)
        {
            if (_terminated)
            {
                break;
            }

            // RFC 9260 §8.5 and §8.5.1: which tag each chunk must carry.
            bool tagOk = chunk.Type switch
            {
                SctpChunkType.Init => tag == 0 && first,
                SctpChunkType.Abort or SctpChunkType.ShutdownComplete =>
                    (chunk.Flags & 0x01) != 0 ? _peerTag != 0 && tag == _peerTag : tag == _localTag,
                _ => tag == _localTag,
            };
            if (!tagOk || (!first && chunk.Type == SctpChunkType.Init))
            {
                break;
            }

            first = false;
            accepted = true;
            if (!HandleChunk(chunk, now, ref sawData))
            {
                break;
            }
        }

        if (!accepted)
        {
            Statistics.PacketsDropped++;
            return;
        }

        Statistics.PacketsReceived++;
        if (zeroChecksum)
        {
            Statistics.ZeroChecksumPacketsReceived++;
        }

        if (_terminated)
        {
            return;
        }

        if (sawData)
        {
            AfterDataReceived(now);
        }

        CheckDeferredReset(now);
        CheckShutdownProgress(now);
        DeferFlush(now);
    }

    /// <summary>
    /// RFC 9653 §5.2: a packet with an INIT or a COOKIE ECHO MUST carry a correct CRC32c, so one whose checksum field is
    /// zero is accepted only when zero happens to be its CRC32c.
    /// </summary>
    private static bool ZeroChecksumAllowed(SctpPacket packet)
    {
        foreach (SctpChunk chunk in packet.Chunks)
        {
            if (chunk.Type is SctpChunkType.Init or SctpChunkType.CookieEcho)
            {
                return SctpPacket.ComputeChecksum(packet.Bytes) == 0;
            }
        }

        return true;
    }

    /// <summary>Handles one chunk; false to stop processing the rest of the packet.</summary>
    private bool HandleChunk(SctpChunk chunk, TimeSpan now, ref bool sawData)
    {
        switch (chunk.Type)
        {
            case SctpChunkType.Init:
                if (InitChunk.TryParse(chunk, out InitChunk init))
                {
                    HandleInit(init, now);
                }

                return false;
            case SctpChunkType.InitAck:
                if (InitChunk.TryParse(chunk, out InitChunk initAck))
                {
                    HandleInitAck(initAck, now);
                }

                return true;
            case SctpChunkType.CookieEcho:
                HandleCookieEcho(chunk.Value, now);
                return true;
            case SctpChunkType.CookieAck:
                if (State == SctpAssociationState.CookieEchoed)
                {
                    Establish(now);
                }

                return true;
            case SctpChunkType.Data:
                if (!IsDataState())
                {
                    return true;
                }

                if (_interleaving)
                {
                    // RFC 8260 §2.2.1, §2.2.3: with interleaving negotiated DATA MUST NOT be used; receiving it is a protocol violation.
                    AbortForViolation(SctpErrorCause.ProtocolViolation, "DATA chunk on an association that negotiated I-DATA (RFC 8260)");
                    return false;
                }

                if (DataChunk.TryParse(chunk, out DataChunk data))
                {
                    sawData = true;
                    return HandleData(data, now);
                }

                AbortForViolation(SctpErrorCause.ProtocolViolation, "DATA chunk shorter than its header");
                return false;
            case SctpChunkType.IData:
                if (!IsDataState())
                {
                    return true;
                }

                if (!_interleaving)
                {
                    // RFC 8260 §2.2.1: without interleaving negotiated I-DATA MUST NOT be used.
                    AbortForViolation(SctpErrorCause.ProtocolViolation, "I-DATA chunk on an association that did not negotiate it (RFC 8260)");
                    return false;
                }

                if (IDataChunk.TryParse(chunk, out IDataChunk idata))
                {
                    sawData = true;
                    return HandleIData(idata, now);
                }

                AbortForViolation(SctpErrorCause.ProtocolViolation, "I-DATA chunk shorter than its header");
                return false;
            case SctpChunkType.IForwardTsn:
                if (!IsDataState())
                {
                    return true;
                }

                if (!_interleaving)
                {
                    // RFC 8260 §2.3.1: I-FORWARD-TSN goes only with I-DATA.
                    AbortForViolation(SctpErrorCause.ProtocolViolation, "I-FORWARD-TSN chunk on an association that did not negotiate I-DATA (RFC 8260)");
                    return false;
                }

                if (IForwardTsnChunk.TryParse(chunk, out IForwardTsnChunk iforward))
                {
                    sawData = true;
                    HandleIForwardTsn(iforward);
                }

                return true;
            case SctpChunkType.Sack:
                if (SackChunk.TryParse(chunk, out SackChunk sack))
                {
                    HandleSack(sack, now);
                }

                return true;
            case SctpChunkType.ForwardTsn:
                if (IsDataState() && _interleaving)
                {
                    // RFC 8260 §2.3.1: with I-DATA, abandoned messages are skipped with I-FORWARD-TSN, never FORWARD TSN.
                    AbortForViolation(SctpErrorCause.ProtocolViolation, "FORWARD TSN chunk on an association that negotiated I-DATA (RFC 8260)");
                    return false;
                }

                if (IsDataState() && ForwardTsnChunk.TryParse(chunk, out ForwardTsnChunk forward))
                {
                    sawData = true;
                    HandleForwardTsn(forward);
                }

                return true;
            case SctpChunkType.Heartbeat:
                if (IsEstablishedOrLater())
                {
                    // RFC 9260 §8.3: echo the Heartbeat Info unchanged.
                    QueueControl(SctpChunkType.HeartbeatAck, 0, chunk.Value);
                }

                return true;
            case SctpChunkType.HeartbeatAck:
                HandleHeartbeatAck(chunk.Value, now);
                return true;
            case SctpChunkType.Abort:
                Terminate(SctpCloseReason.AbortedByPeer, DescribeCauses(chunk.Value));
                return false;
            case SctpChunkType.Shutdown:
                if (chunk.Value.Length >= 4)
                {
                    HandleShutdown(BinaryPrimitives.ReadUInt32BigEndian(chunk.Value), now);
                }

                return true;
            case SctpChunkType.ShutdownAck:
                if (State is SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownAckSent)
                {
                    SendShutdownComplete();
                    Terminate(SctpCloseReason.Shutdown, null);
                    return false;
                }

                return true;
            case SctpChunkType.ShutdownComplete:
                if (State == SctpAssociationState.ShutdownAckSent)
                {
                    Terminate(SctpCloseReason.Shutdown, null);
                    return false;
                }

                return true;
            case SctpChunkType.Error:
                return true;
            case SctpChunkType.Pad:
                // RFC 4820 §3: the padding is ignored and the rest of the packet processed.
                return true;
            case SctpChunkType.ReConfig:
                if (IsEstablishedOrLater())
                {
                    HandleReconfig(chunk.Value, now);
                }

                return true;
            default:
                // RFC 9260 §3.2: the two high bits of an unrecognised type say what to do.
                int action = chunk.UnrecognizedAction;
                if (action is 1 or 3 && _peerTag != 0)
                {
                    int n = Math.Min(chunk.Raw.Length, _mtu - 64);
                    byte[] cause = new byte[(SctpParameter.HeaderLength + n + 3) & ~3];
                    SctpParameter.Write(cause, (ushort)SctpErrorCause.UnrecognizedChunkType, chunk.Raw[..n]);
                    QueueControl(SctpChunkType.Error, 0, cause);
                }

                return action >= 2;
        }
    }

    private bool IsDataState() => State is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
        or SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownReceived;

    private bool IsEstablishedOrLater() => State >= SctpAssociationState.Established;

    private static string DescribeCauses(ReadOnlySpan<byte> causes)
    {
        var text = new System.Text.StringBuilder();
        foreach (SctpParameter cause in new SctpParameterEnumerator(causes))
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append((SctpErrorCause)cause.Type);
            if (cause.Type == (ushort)SctpErrorCause.UserInitiatedAbort && cause.Value.Length > 0)
            {
                text.Append(": ").Append(System.Text.Encoding.UTF8.GetString(cause.Value[..Math.Min(cause.Value.Length, 256)]));
            }
        }

        return text.ToString();
    }

    private void HandleInit(InitChunk init, TimeSpan now)
    {
        // RFC 9260 §3.3.2: a zero tag or zero stream counts are invalid; drop rather than answer a forgery.
        if (init.InitiateTag == 0 || init.OutboundStreams == 0 || init.InboundStreams == 0)
        {
            return;
        }

        if (State is SctpAssociationState.ShutdownAckSent or SctpAssociationState.ShutdownSent
            or SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownReceived)
        {
            return;
        }

        // RFC 9260 §5.1.3 / §5.2.1: answer with INIT ACK and a signed cookie, keeping no state;
        // in COOKIE-WAIT the INIT ACK carries the same Initiate Tag and TSN as our own INIT.
        var cookie = new StateCookie(
            _localTag,
            init.InitiateTag,
            init.InitialTsn,
            init.ReceiverWindow,
            init.OutboundStreams,
            init.InboundStreams,
            init.SupportsForwardTsn,
            init.SupportsChunk(SctpChunkType.ReConfig),
            init.SupportsChunk(SctpChunkType.IData),
            init.SupportsChunk(SctpChunkType.IForwardTsn),
            init.ZeroChecksumMethod == SctpErrorDetectionMethod.SctpOverDtls,
            now);
        Span<byte> parameters = stackalloc byte[4 + StateCookie.Length + 3 + MaxFeatureParametersLength];
        BinaryPrimitives.WriteUInt16BigEndian(parameters, (ushort)SctpParameterType.StateCookie);
        BinaryPrimitives.WriteUInt16BigEndian(parameters[2..], 4 + StateCookie.Length);
        cookie.Write(parameters[4..], _cookieKey);
        int p = (4 + StateCookie.Length + 3) & ~3;
        parameters[(4 + StateCookie.Length)..p].Clear();
        p += WriteFeatureParameters(parameters[p..]);
        byte[] buffer = new byte[SctpPacket.CommonHeaderLength + InitChunk.FixedLength + p];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, init.InitiateTag);
        w.TryWriteInit(SctpChunkType.InitAck, _localTag, (uint)_options.ReceiveBufferSize, _options.OutboundStreams, _options.InboundStreams, _initialTsn, parameters[..p]);
        EnqueuePacket(buffer, w.Finish());
    }

    private void HandleInitAck(InitChunk initAck, TimeSpan now)
    {
        if (State != SctpAssociationState.CookieWait)
        {
            return;
        }

        if (initAck.InitiateTag == 0 || initAck.OutboundStreams == 0 || initAck.InboundStreams == 0)
        {
            return;
        }

        if (!initAck.TryGetStateCookie(out ReadOnlySpan<byte> cookie) || cookie.Length > _mtu - 32)
        {
            // RFC 9260 §5.1 C: a missing State Cookie is a Missing Mandatory Parameter; the INIT timer keeps running.
            return;
        }

        SetPeer(initAck.InitiateTag, initAck.InitialTsn, initAck.ReceiverWindow, initAck.OutboundStreams, initAck.InboundStreams,
            initAck.SupportsForwardTsn, initAck.SupportsChunk(SctpChunkType.ReConfig),
            initAck.SupportsChunk(SctpChunkType.IData), initAck.SupportsChunk(SctpChunkType.IForwardTsn),
            initAck.ZeroChecksumMethod == SctpErrorDetectionMethod.SctpOverDtls);
        byte[] echo = new byte[SctpChunk.HeaderLength + cookie.Length];
        echo[0] = (byte)SctpChunkType.CookieEcho;
        BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(2), (ushort)echo.Length);
        cookie.CopyTo(echo.AsSpan(SctpChunk.HeaderLength));
        _cookieEcho = echo;
        _control.Enqueue(echo);
        State = SctpAssociationState.CookieEchoed;
        _t1Retries = 0;
        _t1Rto = _rto.Rto;
        _t1 = now + _t1Rto;
    }

    private void HandleCookieEcho(ReadOnlySpan<byte> value, TimeSpan now)
    {
        if (!StateCookie.TryRead(value, _cookieKey, out StateCookie cookie) || cookie.LocalTag != _localTag)
        {
            return;
        }

        // RFC 9260 §5.1.5: a cookie older than Valid.Cookie.Life is stale (and one from the future is forged).
        if (cookie.Created > now || now - cookie.Created > _options.CookieLifetime)
        {
            return;
        }

        if (IsEstablishedOrLater())
        {
            // RFC 9260 §5.2.4 case D: our COOKIE ACK was lost; anything else (a restart) is not supported.
            if (cookie.PeerTag == _peerTag && State == SctpAssociationState.Established)
            {
                QueueControl(SctpChunkType.CookieAck, 0, default);
            }

            return;
        }

        SetPeer(cookie.PeerTag, cookie.PeerInitialTsn, cookie.PeerReceiverWindow, cookie.PeerOutboundStreams, cookie.PeerInboundStreams,
            cookie.PeerSupportsForwardTsn, cookie.PeerSupportsReconfig, cookie.PeerSupportsIData, cookie.PeerSupportsIForwardTsn,
            cookie.PeerAcceptsZeroChecksum);
        QueueControl(SctpChunkType.CookieAck, 0, default);
        Establish(now);
    }

    private void SetPeer(uint tag, uint initialTsn, uint receiverWindow, ushort outbound, ushort inbound, bool forwardTsn, bool reconfig,
        bool iData, bool iForwardTsn, bool peerAcceptsZeroChecksum)
    {
        bool same = _peerTag == tag && _peerTag != 0;
        _peerTag = tag;
        PeerFeatures = (forwardTsn ? SctpPeerFeatures.ForwardTsn : 0) | (reconfig ? SctpPeerFeatures.ReConfig : 0)
            | (iData ? SctpPeerFeatures.IData : 0) | (iForwardTsn ? SctpPeerFeatures.IForwardTsn : 0)
            | (peerAcceptsZeroChecksum ? SctpPeerFeatures.ZeroChecksumOverDtls : 0);

        // RFC 8260 §2.2.1: interleaving when both sides list I-DATA; §2.3.1: partial reliability together with it
        // only when both list I-FORWARD-TSN as well.
        _interleaving = _options.EnableMessageInterleaving && iData;
        _peerSupportsForwardTsn = _interleaving ? forwardTsn && iForwardTsn : forwardTsn;
        _peerSupportsReconfig = reconfig;

        // RFC 9653 §5.2: zero checksums go out only when the peer announced a method we use (SCTP over DTLS, §6), which
        // we do only when told the packets travel in DTLS.
        _sendZeroChecksum = _options.EnableZeroChecksum && peerAcceptsZeroChecksum;
        _outboundStreams = Math.Min(_options.OutboundStreams, inbound);
        _inboundStreams = Math.Min(_options.InboundStreams, outbound);
        if (same)
        {
            return;
        }

        _peerCumTsn = (long)initialTsn - 1;
        _highestReceived = _peerCumTsn;
        _peerRwnd = receiverWindow;
        _ssthresh = (int)Math.Min(receiverWindow, int.MaxValue);
        _peerNextRequestSequence = initialTsn;
        _peerLastRequestSequence = initialTsn - 1;
    }

    private void Establish(TimeSpan now)
    {
        State = SctpAssociationState.Established;
        _t1 = null;
        _cookieEcho = null;
        _errorCount = 0;
        ArmHeartbeat(now);
        RaiseEvent(new SctpConnectedEvent());
        StartPathMtuDiscovery(now);
    }

    private void HandleHeartbeatAck(ReadOnlySpan<byte> value, TimeSpan now)
    {
        if (!SctpParameterEnumerator.TryFind(value, (ushort)SctpParameterType.HeartbeatInfo, out ReadOnlySpan<byte> info))
        {
            return;
        }

        if (info.Length == ProbeInfoLength)
        {
            HandleProbeAck(info, now);
            return;
        }

        if (info.Length != 16)
        {
            return;
        }

        if (!_heartbeatOutstanding || BinaryPrimitives.ReadUInt64BigEndian(info[8..]) != _heartbeatNonce)
        {
            return;
        }

        // RFC 9260 §8.3: a HEARTBEAT ACK clears the error counter and gives an RTT measurement.
        _heartbeatOutstanding = false;
        _errorCount = 0;
        _rto.AddMeasurement(now - TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(info)));
    }

    private void HandleShutdown(uint cumulativeTsnAck, TimeSpan now)
    {
        if (!IsDataState())
        {
            return;
        }

        // RFC 9260 §9.2: the SHUTDOWN's Cumulative TSN Ack acknowledges like a SACK without gaps.
        ProcessCumulativeAck(cumulativeTsnAck, now);
        if (State is SctpAssociationState.Established or SctpAssociationState.ShutdownPending)
        {
            State = SctpAssociationState.ShutdownReceived;
        }
        else if (State == SctpAssociationState.ShutdownSent)
        {
            // RFC 9260 §9.2: SHUTDOWN crossing SHUTDOWN: answer with SHUTDOWN ACK.
            State = SctpAssociationState.ShutdownAckSent;
            QueueControl(SctpChunkType.ShutdownAck, 0, default);
            _t2Retries = 0;
            _t2 = now + _rto.Rto;
        }

        CheckShutdownProgress(now);
    }

    private void SendShutdownComplete()
    {
        byte[] buffer = new byte[SctpPacket.CommonHeaderLength + 4];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryWriteChunk(SctpChunkType.ShutdownComplete, 0, default);
        EnqueuePacket(buffer, w.Finish()); // with the CRC32c, as SendAbort says
    }
}
