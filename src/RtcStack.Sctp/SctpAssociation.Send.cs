using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    private readonly Dictionary<ushort, OutboundStream> _outbound = new();
    private readonly Queue<ushort> _readyStreams = new();
    private readonly List<OutboundChunk> _outstanding = new();
    private int _outstandingHead;
    private long _nextTsn;
    private long _cumAckTsn;
    private long _firstUnsentTsn;
    private long _advancedPeerAckPoint;
    private int _flightSize;
    private int _cwnd;
    private int _ssthresh;
    private int _partialBytesAcked;
    private long _peerRwnd;
    private bool _fastRecovery;
    private long _fastRecoveryExit;
    private bool _fastRetransmitPending;
    private int _retransmitCount;
    private TimeSpan? _t3;
    private long _rttTsn = -1;
    private TimeSpan _rttSentAt;
    private long _bufferedAmount;
    private byte[]? _scratch;
    private readonly Dictionary<ushort, long> _bufferedPerStream = new();
    private bool _forwardTsnPending;
    private long _lastForwardTsnSent = -1;
    private TimeSpan _lastForwardTsnAt;

    /// <summary>Gets the bytes of user messages accepted by <see cref="Send"/> and not yet acknowledged or abandoned.</summary>
    public long BufferedAmount => _bufferedAmount;

    /// <summary>Gets the bytes of user messages on <paramref name="streamId"/> not yet acknowledged or abandoned (W3C bufferedAmount).</summary>
    /// <param name="streamId">The stream.</param>
    /// <returns>The byte count.</returns>
    public long GetBufferedAmount(ushort streamId) => _bufferedPerStream.GetValueOrDefault(streamId);

    private void AdjustBuffered(ushort streamId, long delta)
    {
        _bufferedAmount += delta;
        long left = _bufferedPerStream.GetValueOrDefault(streamId) + delta;
        if (left == 0)
        {
            _bufferedPerStream.Remove(streamId);
        }
        else
        {
            _bufferedPerStream[streamId] = left;
        }
    }

    private int MaxDataPerChunk => _mtu - SctpPacket.CommonHeaderLength - DataChunk.HeaderLength;

    /// <summary>
    /// Queues one user message (RFC 9260 §10.1 SEND): fragmented into DATA chunks of at most
    /// <see cref="SctpAssociationOptions.MaxPacketSize"/> (§6.9), sent as the congestion and receiver windows allow.
    /// </summary>
    /// <param name="streamId">The stream (below <see cref="OutboundStreams"/> once established).</param>
    /// <param name="payloadProtocol">The payload protocol identifier (RFC 8831 §8: 50-57 for WebRTC).</param>
    /// <param name="message">The message: 1 byte to <see cref="SctpAssociationOptions.MaxMessageSize"/> (SCTP has no empty DATA, RFC 9260 §6.2).</param>
    /// <param name="now">The current monotonic time (start of a lifetime).</param>
    /// <param name="options">Ordering and partial reliability.</param>
    public void Send(ushort streamId, uint payloadProtocol, ReadOnlySpan<byte> message, TimeSpan now, SctpSendOptions options = default)
    {
        if (_terminated || State >= SctpAssociationState.ShutdownPending)
        {
            throw new InvalidOperationException("the association is closed or shutting down");
        }

        if (message.IsEmpty || message.Length > _options.MaxMessageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(message), $"messages are 1 to {_options.MaxMessageSize} bytes");
        }

        if (State == SctpAssociationState.Established && streamId >= _outboundStreams)
        {
            throw new ArgumentOutOfRangeException(nameof(streamId), $"the peer allows {_outboundStreams} streams");
        }

        OutboundStream stream = GetOutbound(streamId);
        if (stream.ResetPending)
        {
            throw new InvalidOperationException($"stream {streamId} is being reset");
        }

        bool partial = options.MaxRetransmits is not null || options.Lifetime is not null;
        var m = new OutboundMessage(streamId, payloadProtocol, message.ToArray(), options.Unordered)
        {
            MaxRetransmits = partial && _peerSupportsForwardTsn ? options.MaxRetransmits ?? -1 : -1,
            ExpiresAt = partial && _peerSupportsForwardTsn && options.Lifetime is TimeSpan l ? now + l : TimeSpan.MaxValue,
        };
        stream.Queue.Enqueue(m);
        AdjustBuffered(streamId, m.Data.Length);
        if (!stream.Ready)
        {
            stream.Ready = true;
            _readyStreams.Enqueue(streamId);
        }

        if (State == SctpAssociationState.Established)
        {
            Flush(now);
        }
    }

    private OutboundStream GetOutbound(ushort streamId)
    {
        if (!_outbound.TryGetValue(streamId, out OutboundStream? stream))
        {
            stream = new OutboundStream();
            _outbound[streamId] = stream;
        }

        return stream;
    }

    private OutboundChunk ChunkAt(long tsn) => _outstanding[_outstandingHead + (int)(tsn - _cumAckTsn - 1)];

    /// <summary>Builds packets from control chunks, the SACK, retransmissions and new data (RFC 9260 §6.1).</summary>
    private void Flush(TimeSpan now)
    {
        if (_terminated)
        {
            return;
        }

        TryStartStreamReset(now);
        bool dataAllowed = State is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
            or SctpAssociationState.ShutdownReceived;
        bool ignoreCwnd = _fastRetransmitPending;
        _fastRetransmitPending = false;
        bool sackOnly = State < SctpAssociationState.Established;
        while (true)
        {
            // Packets are built in one scratch buffer and copied out at their exact size.
            byte[] buffer = _scratch ??= new byte[_mtu];
            var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
            while (_control.Count > 0)
            {
                if (w.TryWriteRawChunk(_control.Peek()))
                {
                    _control.Dequeue();
                }
                else if (w.IsEmpty)
                {
                    _control.Dequeue();
                }
                else
                {
                    break;
                }
            }

            if (sackOnly)
            {
                if (w.IsEmpty)
                {
                    break;
                }

                int n = w.Finish();
                EnqueuePacket(buffer.AsSpan(0, n).ToArray(), n);
                continue;
            }

            if (_sackImmediate || (_sackPending && (!w.IsEmpty || HasDataToSend(dataAllowed))))
            {
                TryWriteSack(ref w);
            }

            if (_forwardTsnPending)
            {
                TryWriteForwardTsn(ref w, now);
            }

            bool wroteData = false;
            if (dataAllowed || State == SctpAssociationState.ShutdownSent)
            {
                wroteData = WriteRetransmissions(ref w, now, ignoreCwnd);
                ignoreCwnd = false;
                if (dataAllowed && _retransmitCount == 0)
                {
                    wroteData |= WriteNewData(ref w, now);
                }
            }

            if (w.IsEmpty)
            {
                break;
            }

            int length = w.Finish();
            EnqueuePacket(buffer.AsSpan(0, length).ToArray(), length);
            if (wroteData && _t3 is null)
            {
                _t3 = now + _rto.Rto;
            }
        }
    }

    private bool HasDataToSend(bool dataAllowed) =>
        dataAllowed && (_retransmitCount > 0 || _firstUnsentTsn < _nextTsn || _readyStreams.Count > 0) && _flightSize < _cwnd;

    private bool WriteRetransmissions(ref SctpPacketWriter w, TimeSpan now, bool ignoreCwnd)
    {
        bool wrote = false;
        if (_retransmitCount == 0)
        {
            return false;
        }

        for (long t = _cumAckTsn + 1; t < _firstUnsentTsn && _retransmitCount > 0; t++)
        {
            OutboundChunk c = ChunkAt(t);
            if (c.State != ChunkState.Retransmit)
            {
                continue;
            }

            if (!ignoreCwnd && _flightSize >= _cwnd)
            {
                break;
            }

            if (ShouldAbandon(c, now))
            {
                AbandonMessage(c.Message);
                continue;
            }

            if (!w.TryWriteData(c.Flags, (uint)c.Tsn, c.Message.StreamId, c.Message.Ssn, c.Message.Ppid, c.Message.Data.AsSpan(c.Offset, c.Length)))
            {
                break;
            }

            c.State = ChunkState.InFlight;
            c.Transmissions++;
            c.SentAt = now;
            _retransmitCount--;
            _flightSize += c.Length;
            _peerRwnd -= c.Length;
            Statistics.Retransmissions++;
            if (_rttTsn == c.Tsn)
            {
                _rttTsn = -1;
            }

            wrote = true;
        }

        return wrote;
    }

    private bool WriteNewData(ref SctpPacketWriter w, TimeSpan now)
    {
        bool wrote = false;
        while (_flightSize < _cwnd)
        {
            OutboundChunk? c = NextUnsent(now);
            if (c is null)
            {
                break;
            }

            // RFC 9260 §6.1 A: nothing new into a closed window, except one probe when nothing is in flight.
            if (c.Length > _peerRwnd && _flightSize > 0)
            {
                break;
            }

            if (!w.TryWriteData(c.Flags, (uint)c.Tsn, c.Message.StreamId, c.Message.Ssn, c.Message.Ppid, c.Message.Data.AsSpan(c.Offset, c.Length)))
            {
                break;
            }

            c.State = ChunkState.InFlight;
            c.Transmissions = 1;
            c.SentAt = now;
            _firstUnsentTsn = c.Tsn + 1;
            _flightSize += c.Length;
            _peerRwnd -= c.Length;
            Statistics.DataChunksSent++;
            if (_rttTsn < 0)
            {
                _rttTsn = c.Tsn;
                _rttSentAt = now;
            }

            wrote = true;
        }

        return wrote;
    }

    /// <summary>The next chunk never sent, fragmenting the next scheduled message when none is waiting.</summary>
    private OutboundChunk? NextUnsent(TimeSpan now)
    {
        while (true)
        {
            if (_firstUnsentTsn < _nextTsn)
            {
                OutboundChunk c = ChunkAt(_firstUnsentTsn);
                if (c.State == ChunkState.Abandoned || ShouldAbandon(c, now))
                {
                    if (c.State != ChunkState.Abandoned)
                    {
                        AbandonMessage(c.Message);
                    }

                    _firstUnsentTsn++;
                    continue;
                }

                return c;
            }

            OutboundMessage? m = NextMessage(now);
            if (m is null)
            {
                return null;
            }

            // RFC 9260 §6.6: the SSN is taken when the message is first given TSNs, so an expired message
            // that never left does not leave a hole in the stream.
            if (!m.Unordered)
            {
                OutboundStream stream = GetOutbound(m.StreamId);
                m.Ssn = stream.NextSsn++;
            }

            int max = MaxDataPerChunk;
            m.FirstTsn = _nextTsn;
            for (int offset = 0; offset < m.Data.Length; offset += max)
            {
                int length = Math.Min(max, m.Data.Length - offset);
                byte flags = (byte)((offset == 0 ? DataChunk.BeginningFlag : 0) | (offset + length == m.Data.Length ? DataChunk.EndingFlag : 0)
                    | (m.Unordered ? DataChunk.UnorderedFlag : 0));
                _outstanding.Add(new OutboundChunk(_nextTsn, m, offset, length, flags));
                _nextTsn++;
            }

            m.LastTsn = _nextTsn - 1;
        }
    }

    /// <summary>Round robin over streams with queued messages, one message per turn; expired messages are dropped unsent.</summary>
    private OutboundMessage? NextMessage(TimeSpan now)
    {
        while (_readyStreams.Count > 0)
        {
            ushort id = _readyStreams.Dequeue();
            OutboundStream stream = _outbound[id];
            if (stream.Queue.Count == 0)
            {
                stream.Ready = false;
                continue;
            }

            OutboundMessage m = stream.Queue.Dequeue();
            if (stream.Queue.Count > 0)
            {
                _readyStreams.Enqueue(id);
            }
            else
            {
                stream.Ready = false;
            }

            if (now >= m.ExpiresAt)
            {
                AdjustBuffered(m.StreamId, -m.Data.Length);
                Statistics.MessagesAbandoned++;
                continue;
            }

            return m;
        }

        return null;
    }

    private static bool ShouldAbandon(OutboundChunk c, TimeSpan now)
    {
        OutboundMessage m = c.Message;
        return m.Abandoned
            || (m.MaxRetransmits >= 0 && c.Transmissions > m.MaxRetransmits)
            || now >= m.ExpiresAt;
    }

    /// <summary>RFC 3758 §3.5 A1-A3: abandon every fragment of the message, in flight, unsent or gap-acknowledged.</summary>
    private void AbandonMessage(OutboundMessage m)
    {
        if (m.Abandoned)
        {
            return;
        }

        m.Abandoned = true;
        Statistics.MessagesAbandoned++;
        AdjustBuffered(m.StreamId, -m.Data.Length);
        for (long t = Math.Max(m.FirstTsn, _cumAckTsn + 1); t <= m.LastTsn; t++)
        {
            OutboundChunk c = ChunkAt(t);
            if (c.State == ChunkState.InFlight)
            {
                _flightSize -= c.Length;
            }
            else if (c.State == ChunkState.Retransmit)
            {
                _retransmitCount--;
            }

            // Gap-acknowledged fragments too (RFC 3758 §3.5: all TSNs of the message are abandoned together), so the
            // Advanced.Peer.Ack.Point moves past them and the peer drops them; stopping short leaves the peer holding
            // the message's tail above its new cumulative TSN (usrsctp then delivered such a tail as a message).
            c.State = ChunkState.Abandoned;
        }

        if (_rttTsn >= m.FirstTsn && _rttTsn <= m.LastTsn)
        {
            _rttTsn = -1;
        }
    }

    /// <summary>Processes a SACK (RFC 9260 §6.2.1, §7.2, §7.2.4; RFC 3758 §3.5).</summary>
    private void HandleSack(SackChunk sack, TimeSpan now)
    {
        if (!IsDataState())
        {
            return;
        }

        long cum = Unwrap(sack.CumulativeTsnAck, _cumAckTsn);
        if (cum < _cumAckTsn || cum >= _firstUnsentTsn)
        {
            // §6.2.1 D i): older than what we know; or it acknowledges TSNs never sent.
            return;
        }

        int flightBefore = _flightSize;
        bool cumAdvanced = cum > _cumAckTsn;
        int bytesAcked = AcknowledgeUpTo(cum, now);
        long highestNewlyAcked = cumAdvanced ? cum : -1;

        // Gap ack blocks: mark newly acked chunks, un-mark reneged ones (§6.2.1 D iv).
        int blocks = sack.GapBlockCount;
        int bi = 0;
        long highestSent = _firstUnsentTsn - 1;
        for (long t = _cumAckTsn + 1; t <= highestSent; t++)
        {
            while (bi < blocks && t > _cumAckTsn + sack.GetGapBlock(bi).End)
            {
                bi++;
            }

            bool inBlock = bi < blocks && t >= _cumAckTsn + sack.GetGapBlock(bi).Start && sack.GetGapBlock(bi).Start > 0;
            OutboundChunk c = ChunkAt(t);
            if (inBlock)
            {
                if (c.State is ChunkState.InFlight or ChunkState.Retransmit)
                {
                    if (c.State == ChunkState.InFlight)
                    {
                        _flightSize -= c.Length;
                    }
                    else
                    {
                        _retransmitCount--;
                    }

                    c.State = ChunkState.Acked;
                    bytesAcked += c.Length;
                    highestNewlyAcked = Math.Max(highestNewlyAcked, t);
                    TakeRttSample(c, now);
                }
            }
            else if (c.State == ChunkState.Acked)
            {
                // Reneged: back into flight; T3-rtx will resend it.
                c.State = ChunkState.InFlight;
                _flightSize += c.Length;
            }
        }

        // §7.2.4: miss indications for TSNs below the highest newly acknowledged one (HTNA).
        bool newFastRetransmit = false;
        if (highestNewlyAcked > _cumAckTsn)
        {
            for (long t = _cumAckTsn + 1; t < highestNewlyAcked; t++)
            {
                OutboundChunk c = ChunkAt(t);
                if (c.State != ChunkState.InFlight || c.FastRetransmitted)
                {
                    continue;
                }

                c.Misses++;
                if (c.Misses >= 3)
                {
                    if (ShouldAbandon(c, now))
                    {
                        AbandonMessage(c.Message);
                        continue;
                    }

                    c.FastRetransmitted = true;
                    c.State = ChunkState.Retransmit;
                    _flightSize -= c.Length;
                    _retransmitCount++;
                    Statistics.FastRetransmits++;
                    newFastRetransmit = true;
                    if (_rttTsn == c.Tsn)
                    {
                        _rttTsn = -1;
                    }
                }
            }
        }

        if (_fastRecovery && _cumAckTsn >= _fastRecoveryExit)
        {
            _fastRecovery = false;
        }

        // §7.2.1, §7.2.2: grow cwnd only when the cumulative ack advanced and the window was in use.
        if (cumAdvanced && !_fastRecovery)
        {
            bool fullyUsed = flightBefore + MaxDataPerChunk >= _cwnd;
            if (_cwnd <= _ssthresh)
            {
                if (fullyUsed)
                {
                    _cwnd += Math.Min(bytesAcked, _mtu);
                }
            }
            else
            {
                _partialBytesAcked += bytesAcked;
                if (_partialBytesAcked >= _cwnd && fullyUsed)
                {
                    _partialBytesAcked -= _cwnd;
                    _cwnd += _mtu;
                }
            }
        }

        if (newFastRetransmit)
        {
            if (!_fastRecovery)
            {
                // §7.2.3 / §7.2.4: halve once per loss event and enter Fast Recovery.
                _ssthresh = Math.Max(_cwnd / 2, 4 * _mtu);
                _cwnd = _ssthresh;
                _partialBytesAcked = 0;
                _fastRecovery = true;
                _fastRecoveryExit = highestSent;
            }

            _fastRetransmitPending = true;
        }

        if (_flightSize == 0)
        {
            _partialBytesAcked = 0;
        }

        // §6.2.1 D ii): the peer's window less what is still in flight.
        _peerRwnd = (long)sack.ReceiverWindow - _flightSize;
        AfterAcknowledgement(cumAdvanced, now);
    }

    private void ProcessCumulativeAck(uint cumulativeTsnAck, TimeSpan now)
    {
        long cum = Unwrap(cumulativeTsnAck, _cumAckTsn);
        if (cum <= _cumAckTsn || cum >= _firstUnsentTsn)
        {
            return;
        }

        AcknowledgeUpTo(cum, now);
        AfterAcknowledgement(true, now);
    }

    /// <summary>Removes everything up to <paramref name="cum"/>; returns the bytes newly acknowledged.</summary>
    private int AcknowledgeUpTo(long cum, TimeSpan now)
    {
        int bytes = 0;
        for (long t = _cumAckTsn + 1; t <= cum; t++)
        {
            OutboundChunk c = _outstanding[_outstandingHead];
            _outstandingHead++;
            switch (c.State)
            {
                case ChunkState.InFlight:
                    _flightSize -= c.Length;
                    bytes += c.Length;
                    TakeRttSample(c, now);
                    break;
                case ChunkState.Retransmit:
                    _retransmitCount--;
                    bytes += c.Length;
                    break;
                case ChunkState.Unsent:
                    bytes += c.Length;
                    break;
            }

            if (c.Tsn == c.Message.LastTsn && !c.Message.Abandoned)
            {
                AdjustBuffered(c.Message.StreamId, -c.Message.Data.Length);
            }
        }

        _cumAckTsn = cum;
        if (_advancedPeerAckPoint < cum)
        {
            _advancedPeerAckPoint = cum;
        }

        if (_firstUnsentTsn <= cum)
        {
            _firstUnsentTsn = cum + 1;
        }

        if (_outstandingHead > 4096 && _outstandingHead * 2 > _outstanding.Count)
        {
            _outstanding.RemoveRange(0, _outstandingHead);
            _outstandingHead = 0;
        }

        return bytes;
    }

    private void TakeRttSample(OutboundChunk c, TimeSpan now)
    {
        // Karn (RFC 9260 §6.3.1 C5): only a chunk sent once gives a measurement.
        if (_rttTsn == c.Tsn)
        {
            if (c.Transmissions == 1)
            {
                _rto.AddMeasurement(now - _rttSentAt);
            }

            _rttTsn = -1;
        }
    }

    private void AfterAcknowledgement(bool cumAdvanced, TimeSpan now)
    {
        if (cumAdvanced)
        {
            _errorCount = 0;
        }

        AdvancePeerAckPoint(now);

        // §6.3.2 R2, R3: stop T3 when nothing is outstanding, restart it when the cumulative ack advanced.
        bool outstanding = _flightSize > 0 || _retransmitCount > 0 || _advancedPeerAckPoint > _cumAckTsn;
        if (!outstanding)
        {
            _t3 = null;
        }
        else if (cumAdvanced || _t3 is null)
        {
            _t3 = now + _rto.Rto;
        }

        if (_flightSize == 0)
        {
            _heartbeatOutstanding = false;
        }
    }

    /// <summary>RFC 3758 §3.5 C1-C3: move the Advanced.Peer.Ack.Point over abandoned chunks and send FORWARD TSN.</summary>
    private void AdvancePeerAckPoint(TimeSpan now)
    {
        if (!_peerSupportsForwardTsn)
        {
            return;
        }

        bool moved = false;
        while (_advancedPeerAckPoint + 1 < _nextTsn && ChunkAt(_advancedPeerAckPoint + 1).State == ChunkState.Abandoned)
        {
            _advancedPeerAckPoint++;
            moved = true;
        }

        if (_firstUnsentTsn <= _advancedPeerAckPoint)
        {
            _firstUnsentTsn = _advancedPeerAckPoint + 1;
        }

        if (_advancedPeerAckPoint > _cumAckTsn
            && (moved || _advancedPeerAckPoint != _lastForwardTsnSent || now - _lastForwardTsnAt >= _rto.Rto))
        {
            _forwardTsnPending = true;
        }
    }

    private void TryWriteForwardTsn(ref SctpPacketWriter w, TimeSpan now)
    {
        if (_advancedPeerAckPoint <= _cumAckTsn)
        {
            _forwardTsnPending = false;
            return;
        }

        // One (stream, SSN) per ordered stream: the highest SSN skipped on it.
        var streams = new Dictionary<ushort, ushort>();
        for (long t = _cumAckTsn + 1; t <= _advancedPeerAckPoint; t++)
        {
            OutboundMessage m = ChunkAt(t).Message;
            if (!m.Unordered && m.Abandoned)
            {
                streams[m.StreamId] = m.Ssn;
            }
        }

        int max = (w.Remaining - 8) / 4;
        if (max < streams.Count && !w.IsEmpty)
        {
            return;
        }

        Span<(ushort, ushort)> list = streams.Count <= 256 ? stackalloc (ushort, ushort)[streams.Count] : new (ushort, ushort)[streams.Count];
        int n = 0;
        foreach (KeyValuePair<ushort, ushort> kv in streams)
        {
            list[n++] = (kv.Key, kv.Value);
        }

        if (w.TryWriteForwardTsn((uint)_advancedPeerAckPoint, list[..Math.Min(n, Math.Max(0, max))]))
        {
            _forwardTsnPending = false;
            _lastForwardTsnSent = _advancedPeerAckPoint;
            _lastForwardTsnAt = now;
            Statistics.ForwardTsnsSent++;
            if (_t3 is null)
            {
                _t3 = now + _rto.Rto;
            }
        }
    }

    /// <summary>T3-rtx expiry (RFC 9260 §6.3.3 E1-E3, §7.2.3).</summary>
    private void OnT3Expired(TimeSpan now)
    {
        _t3 = null;
        Statistics.T3Expirations++;
        _errorCount++;
        if (_errorCount > _options.MaxRetransmissions)
        {
            Fail("retransmission limit reached");
            return;
        }

        _rto.Backoff();
        _ssthresh = Math.Max(_cwnd / 2, 4 * _mtu);
        _cwnd = _mtu;
        _partialBytesAcked = 0;
        _fastRecovery = false;
        _rttTsn = -1;
        for (long t = _cumAckTsn + 1; t < _firstUnsentTsn; t++)
        {
            OutboundChunk c = ChunkAt(t);
            if (c.State != ChunkState.InFlight)
            {
                continue;
            }

            if (ShouldAbandon(c, now))
            {
                AbandonMessage(c.Message);
                continue;
            }

            c.State = ChunkState.Retransmit;
            _flightSize -= c.Length;
            _retransmitCount++;
        }

        AdvancePeerAckPoint(now);
        if (_advancedPeerAckPoint > _cumAckTsn)
        {
            _forwardTsnPending = true;
        }

        if (_retransmitCount > 0 || _advancedPeerAckPoint > _cumAckTsn)
        {
            _t3 = now + _rto.Rto;
        }
    }

    private enum ChunkState
    {
        Unsent,
        InFlight,
        Retransmit,
        Acked,
        Abandoned,
    }

    private sealed class OutboundMessage
    {
        public OutboundMessage(ushort streamId, uint ppid, byte[] data, bool unordered)
        {
            StreamId = streamId;
            Ppid = ppid;
            Data = data;
            Unordered = unordered;
        }

        public ushort StreamId { get; }

        public uint Ppid { get; }

        public byte[] Data { get; }

        public bool Unordered { get; }

        public int MaxRetransmits { get; init; } = -1;

        public TimeSpan ExpiresAt { get; init; } = TimeSpan.MaxValue;

        public ushort Ssn { get; set; }

        public long FirstTsn { get; set; }

        public long LastTsn { get; set; }

        public bool Abandoned { get; set; }
    }

    private sealed class OutboundChunk
    {
        public OutboundChunk(long tsn, OutboundMessage message, int offset, int length, byte flags)
        {
            Tsn = tsn;
            Message = message;
            Offset = offset;
            Length = length;
            Flags = flags;
        }

        public long Tsn { get; }

        public OutboundMessage Message { get; }

        public int Offset { get; }

        public int Length { get; }

        public byte Flags { get; }

        public ChunkState State { get; set; }

        public int Transmissions { get; set; }

        public TimeSpan SentAt { get; set; }

        public int Misses { get; set; }

        public bool FastRetransmitted { get; set; }
    }

    private sealed class OutboundStream
    {
        public ushort NextSsn { get; set; }

        public Queue<OutboundMessage> Queue { get; } = new();

        public bool Ready { get; set; }

        public bool ResetPending { get; set; }
    }
}
