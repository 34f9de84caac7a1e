using System.Buffers;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    // Spare message and chunk records kept for reuse, so a steady flow of messages allocates nothing.
    private const int MaxSpareRecords = 1024;

    private readonly Dictionary<ushort, OutboundStream> _outbound = new();
    private readonly StreamScheduler _scheduler;
    private readonly List<OutboundChunk> _outstanding = new();
    private readonly Stack<OutboundMessage> _spareMessages = new();
    private readonly Stack<OutboundChunk> _spareChunks = new();
    private int _outstandingHead;
    private long _nextTsn;
    private long _cumAckTsn;
    private long _firstUnsentTsn;
    private long _advancedPeerAckPoint;
    private int _flightSize;

    /// <summary>Chunks above the cumulative TSN ack in <see cref="ChunkState.Acked"/> (gap-acknowledged, not yet cumulatively).</summary>
    private int _gapAcked;

    /// <summary>Gets the running count of gap-acknowledged chunks (for tests: it must equal <see cref="CountGapAckedChunks"/>).</summary>
    internal int GapAckedChunks => _gapAcked;

    /// <summary>Counts the gap-acknowledged chunks by walking what is outstanding (for tests).</summary>
    internal int CountGapAckedChunks()
    {
        int n = 0;
        for (long t = _cumAckTsn + 1; t < _firstUnsentTsn; t++)
        {
            n += ChunkAt(t).State == ChunkState.Acked ? 1 : 0;
        }

        return n;
    }
    private int _cwnd;

    /// <summary>How many more packets with new DATA the current <see cref="Flush"/> may build (Max.Burst, RFC 9260 §6.1).</summary>
    private int _burstPacketsLeft;
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
    private readonly Dictionary<ushort, long> _bufferedPerStream = new();
    private bool _forwardTsnPending;
    private bool _flushPending;
    private TimeSpan _flushAt;
    private long _lastForwardTsnSent = -1;
    private TimeSpan _lastForwardTsnAt;
    private readonly Dictionary<(ushort StreamId, bool Unordered), uint> _forwardEntries = new();

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

    private int MaxDataPerChunk => _mtu - SctpPacket.CommonHeaderLength - (_interleaving ? IDataChunk.HeaderLength : DataChunk.HeaderLength);

    /// <summary>
    /// Sets a stream's priority (RFC 8260 §3.4, §3.6), as the DCEP priority (RFC 8832 §5.1), 256 by default: with
    /// <see cref="SctpStreamSchedulerKind.Priority"/> higher values go first; with
    /// <see cref="SctpStreamSchedulerKind.WeightedFairQueueing"/> the value is the stream's weight (its share of the bytes
    /// sent while other streams have data too). Round robin ignores it.
    /// </summary>
    /// <param name="streamId">The outgoing stream.</param>
    /// <param name="priority">The priority.</param>
    public void SetStreamPriority(ushort streamId, ushort priority) => _scheduler.SetPriority(streamId, priority);

    /// <summary>Gets a stream's priority (RFC 8260 §3.4); 256 when never set.</summary>
    /// <param name="streamId">The outgoing stream.</param>
    /// <returns>The priority.</returns>
    public ushort GetStreamPriority(ushort streamId) => _scheduler.GetPriority(streamId);

    /// <summary>
    /// Queues one user message (RFC 9260 §10.1 SEND): fragmented into DATA chunks (or I-DATA chunks, RFC 8260 §2.1,
    /// when interleaving was negotiated) of at most <see cref="SctpAssociationOptions.MaxPacketSize"/> (§6.9), sent as
    /// the congestion and receiver windows allow, in the order the stream scheduler (RFC 8260 §3) picks.
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
        OutboundMessage m = _spareMessages.TryPop(out OutboundMessage? spare) ? spare : new OutboundMessage();
        m.Start(streamId, payloadProtocol, message, options.Unordered,
            partial && _peerSupportsForwardTsn ? options.MaxRetransmits ?? -1 : -1,
            partial && _peerSupportsForwardTsn && options.Lifetime is TimeSpan l ? now + l : TimeSpan.MaxValue);
        stream.Queue.Enqueue(m);
        AdjustBuffered(streamId, m.Length);
        if (!stream.Ready)
        {
            stream.Ready = true;
            _scheduler.Add(streamId);
        }

        if (State == SctpAssociationState.Established)
        {
            DeferFlush(now);
        }
    }

    /// <summary>
    /// Notes that packets are to be built, at the next <see cref="TryPollTransmit"/> or <see cref="PollTimeout"/>
    /// rather than now: messages queued by several <see cref="Send"/> calls and the SACK owed for several received
    /// packets then share packets (RFC 9260 §6.10 bundling) up to the PLPMTU. Nothing waits for more data (no Nagle,
    /// RFC 8831 §6.6): whatever is queued when the application polls goes out in that poll.
    /// </summary>
    private void DeferFlush(TimeSpan now)
    {
        _flushPending = true;
        if (now > _flushAt)
        {
            _flushAt = now;
        }
    }

    /// <summary>Runs the flush <see cref="DeferFlush"/> postponed, at the latest time an input gave.</summary>
    private void FlushIfPending()
    {
        if (_flushPending)
        {
            Flush(_flushAt);
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
        _flushPending = false;
        if (now > _flushAt)
        {
            _flushAt = now;
        }

        if (_terminated)
        {
            return;
        }

        TryStartStreamReset(now);
        bool dataAllowed = State is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
            or SctpAssociationState.ShutdownReceived;
        bool ignoreCwnd = _fastRetransmitPending;
        _fastRetransmitPending = false;

        // RFC 9260 §6.1: Max.Burst limits the packets with new DATA that one transmission emits ("strictly limiting the
        // number of packets emitted by the output routine", the second of the two ways §6.1 allows; cwnd unchanged).
        _burstPacketsLeft = _options.MaxBurst > 0 ? _options.MaxBurst : int.MaxValue;
        bool sackOnly = State < SctpAssociationState.Established;
        while (true)
        {
            // Packets are built in reused buffers (TryPollTransmit hands them out and takes them back).
            byte[] buffer = RentPacketBuffer();

            // A packet is at most the PLPMTU (RFC 8899 §3 item 1), except one that carries a single DATA chunk made
            // when the PLPMTU was larger (see _oversizedChunkPending).
            bool oversized = _oversizedChunkPending;
            _oversizedChunkPending = false;
            var w = new SctpPacketWriter(buffer.AsSpan(0, oversized ? _bufferSize : _mtu), _options.LocalPort, _options.RemotePort, _peerTag);
            bool cookieEcho = false;
            while (_control.Count > 0)
            {
                if (w.TryWriteRawChunk(_control.Peek()))
                {
                    cookieEcho |= _control.Dequeue()[0] == (byte)SctpChunkType.CookieEcho;
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
                    ReturnPacketBuffer(buffer);
                    break;
                }

                EnqueuePacket(buffer, w.Finish());
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
                if (dataAllowed && _retransmitCount == 0 && _burstPacketsLeft > 0 && WriteNewData(ref w, now))
                {
                    wroteData = true;
                    _burstPacketsLeft--;
                    if (_burstPacketsLeft == 0 && _flightSize < _cwnd && (_firstUnsentTsn < _nextTsn || !_scheduler.IsEmpty))
                    {
                        Statistics.MaxBurstLimited++;
                    }
                }
            }

            if (w.IsEmpty)
            {
                ReturnPacketBuffer(buffer);
                if (_oversizedChunkPending && !oversized)
                {
                    continue;
                }

                _oversizedChunkPending = false;
                break;
            }

            // RFC 9653 §5.2: a zero checksum once the peer announced it accepts one, never with a COOKIE ECHO (and the
            // packets of the set-up above, INIT ACK included, always carry the CRC32c).
            bool zero = _sendZeroChecksum && !cookieEcho;
            EnqueuePacket(buffer, w.Finish(zero));
            if (zero)
            {
                Statistics.ZeroChecksumPacketsSent++;
            }

            if (wroteData && _t3 is null)
            {
                _t3 = now + _rto.Rto;
            }
        }
    }

    private bool HasDataToSend(bool dataAllowed) =>
        dataAllowed && _flightSize < _cwnd && (_retransmitCount > 0 || ((_firstUnsentTsn < _nextTsn || !_scheduler.IsEmpty) && _burstPacketsLeft > 0));

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

            if (!TryWritePayload(ref w, c))
            {
                NoteOversizedChunk(ref w, c);
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

            if (!TryWritePayload(ref w, c))
            {
                NoteOversizedChunk(ref w, c);
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

    /// <summary>Writes one DATA chunk, or an I-DATA chunk (RFC 8260 §2.1: PPID in the first fragment, FSN in the others).</summary>
    private bool TryWritePayload(ref SctpPacketWriter w, OutboundChunk c)
    {
        OutboundMessage m = c.Message;
        ReadOnlySpan<byte> data = m.Data!.AsSpan(c.Offset, c.Length);
        return _interleaving
            ? w.TryWriteIData(c.Flags, (uint)c.Tsn, m.StreamId, m.Mid, (c.Flags & DataChunk.BeginningFlag) != 0 ? m.Ppid : c.Fsn, data)
            : w.TryWriteData(c.Flags, (uint)c.Tsn, m.StreamId, m.Ssn, m.Ppid, data);
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

            if (_interleaving)
            {
                // RFC 8260 §3: with I-DATA the scheduler picks a stream for every fragment.
                if (!NextFragment(now))
                {
                    return null;
                }

                continue;
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
            m.InStream = false;
            for (int offset = 0; offset < m.Length; offset += max)
            {
                int length = Math.Min(max, m.Length - offset);
                byte flags = (byte)((offset == 0 ? DataChunk.BeginningFlag : 0) | (offset + length == m.Length ? DataChunk.EndingFlag : 0)
                    | (m.Unordered ? DataChunk.UnorderedFlag : 0));
                AddChunk(m, offset, length, flags, 0);
            }

            m.LastTsn = _nextTsn - 1;
        }
    }

    /// <summary>The scheduler's next stream gives one whole message (DATA); expired messages are dropped unsent.</summary>
    private OutboundMessage? NextMessage(TimeSpan now)
    {
        while (_scheduler.TryNext(out ushort id))
        {
            OutboundStream stream = _outbound[id];
            OutboundMessage? m = DequeueLive(stream, now);
            if (m is not null)
            {
                // With DATA the stream's turn is one whole message (RFC 9260 §6.9: its fragments take consecutive TSNs).
                _scheduler.Charge(id, m.Length);
            }

            if (stream.Queue.Count > 0)
            {
                _scheduler.Add(id);
            }
            else
            {
                stream.Ready = false;
            }

            if (m is not null)
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>The next queued message of a stream that has not expired before getting TSNs (RFC 3758 §3.5: dropped unsent).</summary>
    private OutboundMessage? DequeueLive(OutboundStream stream, TimeSpan now)
    {
        while (stream.Queue.TryDequeue(out OutboundMessage? m))
        {
            if (now >= m.ExpiresAt)
            {
                AdjustBuffered(m.StreamId, -m.Length);
                Statistics.MessagesAbandoned++;
                m.InStream = false;
                ReleaseIfDone(m);
                continue;
            }

            return m;
        }

        return null;
    }

    /// <summary>
    /// I-DATA (RFC 8260 §2.2, §3): the scheduler's next stream gives one fragment of its current message, which takes
    /// the next TSN; fragments of messages on different streams thus interleave. The MID is taken with the first
    /// fragment, from the stream's ordered or unordered counter (RFC 8260 §2.1); the FSN counts from 0. A message
    /// abandoned or expired part-way sends no more fragments (the I-FORWARD-TSN names it, §2.3.1).
    /// </summary>
    /// <returns>False when no stream has anything.</returns>
    private bool NextFragment(TimeSpan now)
    {
        while (_scheduler.TryNext(out ushort id))
        {
            OutboundStream stream = _outbound[id];
            OutboundMessage? m = stream.Current;
            // A started message is not dropped for its lifetime here, only once a fragment of it was abandoned in
            // flight: that fragment's TSN then puts the message in the I-FORWARD-TSN. Dropping the unsent rest of a
            // message whose sent fragments were all acknowledged would leave nothing to name it, and the receiver
            // would wait for it forever.
            if (m is not null && m.Abandoned)
            {
                AbandonMessage(m);
                stream.Current = null;
                m.InStream = false;
                ReleaseIfDone(m);
                m = null;
            }

            if (m is null)
            {
                m = DequeueLive(stream, now);
                if (m is null)
                {
                    stream.Ready = false;
                    continue;
                }

                m.Mid = m.Unordered ? stream.NextUnorderedMid++ : stream.NextMid++;
                m.FirstTsn = _nextTsn;
                stream.Current = m;
                stream.CurrentOffset = 0;
                stream.CurrentFsn = 0;
            }

            int offset = stream.CurrentOffset;
            int length = Math.Min(MaxDataPerChunk, m.Length - offset);
            bool last = offset + length == m.Length;
            byte flags = (byte)((offset == 0 ? DataChunk.BeginningFlag : 0) | (last ? DataChunk.EndingFlag : 0)
                | (m.Unordered ? DataChunk.UnorderedFlag : 0));
            m.LastTsn = _nextTsn;
            AddChunk(m, offset, length, flags, stream.CurrentFsn);
            stream.CurrentOffset = offset + length;
            stream.CurrentFsn++;
            if (last)
            {
                stream.Current = null;
                m.InStream = false;
            }

            _scheduler.Charge(id, length);
            if (stream.Current is not null || stream.Queue.Count > 0)
            {
                _scheduler.Add(id);
            }
            else
            {
                stream.Ready = false;
            }

            return true;
        }

        return false;
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
        AdjustBuffered(m.StreamId, -m.Length);
        for (long t = Math.Max(m.FirstTsn, _cumAckTsn + 1); t <= m.LastTsn && t < _nextTsn; t++)
        {
            OutboundChunk c = ChunkAt(t);
            if (!ReferenceEquals(c.Message, m) || c.State == ChunkState.Abandoned)
            {
                // With I-DATA the message's TSNs interleave with other messages' (RFC 8260 §2.2).
                continue;
            }

            if (c.State == ChunkState.InFlight)
            {
                _flightSize -= c.Length;
            }
            else if (c.State == ChunkState.Retransmit)
            {
                _retransmitCount--;
            }
            else if (c.State == ChunkState.Acked)
            {
                _gapAcked--;
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

        // Gap ack blocks: mark newly acked chunks, un-mark reneged ones (§6.2.1 D iv). Only TSNs up to the last block's
        // end can be newly acked; past it, only chunks gap-acked by an earlier SACK can have been reneged, so with none
        // of those the walk stops at the last block (and a SACK without blocks walks nothing: no O(flight) per SACK).
        int blocks = sack.GapBlockCount;
        int bi = 0;
        long highestSent = _firstUnsentTsn - 1;
        long walkTo = _cumAckTsn;
        if (_gapAcked > 0)
        {
            walkTo = highestSent;
        }
        else
        {
            for (int i = 0; i < blocks; i++)
            {
                walkTo = Math.Max(walkTo, Math.Min(highestSent, _cumAckTsn + sack.GetGapBlock(i).End));
            }
        }

        for (long t = _cumAckTsn + 1; t <= walkTo; t++)
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
                    _gapAcked++;
                    bytesAcked += c.Length;
                    highestNewlyAcked = Math.Max(highestNewlyAcked, t);
                    TakeRttSample(c, now);
                }
            }
            else if (c.State == ChunkState.Acked)
            {
                // Reneged: back into flight; T3-rtx will resend it.
                c.State = ChunkState.InFlight;
                _gapAcked--;
                _flightSize += c.Length;
            }
        }

        if (cumAdvanced)
        {
            // The oldest outstanding data got through: the T3-rtx expirations counted for black hole detection (RFC 8899
            // §4.3) start over. Gap acks alone do not count: small packets may pass while the full-size ones are lost.
            _pmtuT3Expirations = 0;
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
                case ChunkState.Acked:
                    _gapAcked--;
                    break;
            }

            OutboundMessage m = c.Message;
            if ((c.Flags & DataChunk.EndingFlag) != 0 && !m.Abandoned)
            {
                AdjustBuffered(m.StreamId, -m.Length);
            }

            // The chunk record goes back for reuse; its message too once no chunk or stream holds it.
            m.Chunks--;
            c.Message = null!;
            if (_spareChunks.Count < MaxSpareRecords)
            {
                _spareChunks.Push(c);
            }

            ReleaseIfDone(m);
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

        if (_interleaving)
        {
            TryWriteIForwardTsn(ref w, now);
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
            OnForwardTsnWritten(now);
        }
    }

    /// <summary>
    /// RFC 8260 §2.3.1: I-FORWARD-TSN instead of FORWARD TSN on an association using I-DATA: one entry per stream and
    /// U flag with the largest MID skipped, unordered messages included (their partial reassembly must be dropped too).
    /// </summary>
    private void TryWriteIForwardTsn(ref SctpPacketWriter w, TimeSpan now)
    {
        Dictionary<(ushort StreamId, bool Unordered), uint> entries = _forwardEntries;
        entries.Clear();
        for (long t = _cumAckTsn + 1; t <= _advancedPeerAckPoint; t++)
        {
            OutboundMessage m = ChunkAt(t).Message;
            if (!m.Abandoned)
            {
                continue;
            }

            (ushort, bool) key = (m.StreamId, m.Unordered);
            if (!entries.TryGetValue(key, out uint mid) || (int)(m.Mid - mid) > 0)
            {
                entries[key] = m.Mid;
            }
        }

        int max = Math.Max(0, (w.Remaining - 8) / 8);
        if (max < entries.Count && !w.IsEmpty)
        {
            return;
        }

        int n = Math.Min(entries.Count, max);
        Span<(ushort, bool, uint)> list = n <= 128 ? stackalloc (ushort, bool, uint)[n] : new (ushort, bool, uint)[n];
        int i = 0;
        foreach (KeyValuePair<(ushort StreamId, bool Unordered), uint> kv in entries)
        {
            if (i == n)
            {
                break;
            }

            list[i++] = (kv.Key.StreamId, kv.Key.Unordered, kv.Value);
        }

        if (w.TryWriteIForwardTsn((uint)_advancedPeerAckPoint, list))
        {
            OnForwardTsnWritten(now);
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

        OnPathMtuT3Expired(now);

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

    /// <summary>Gives the next TSN to a fragment of <paramref name="m"/> (a reused chunk record when there is one).</summary>
    private void AddChunk(OutboundMessage m, int offset, int length, byte flags, uint fsn)
    {
        OutboundChunk c = _spareChunks.TryPop(out OutboundChunk? spare) ? spare : new OutboundChunk();
        c.Start(_nextTsn, m, offset, length, flags, fsn);
        m.Chunks++;
        _outstanding.Add(c);
        _nextTsn++;
    }

    /// <summary>Returns a message's buffer to the pool and keeps the record once no stream queue and no chunk holds it.</summary>
    private void ReleaseIfDone(OutboundMessage m)
    {
        if (m.Chunks > 0 || m.InStream || m.Data is null)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(m.Data);
        m.Data = null;
        if (_spareMessages.Count < MaxSpareRecords)
        {
            _spareMessages.Push(m);
        }
    }

    /// <summary>
    /// A user message from <see cref="Send"/> until its last TSN is acknowledged or skipped: the bytes live in a buffer
    /// rented from the shared pool, and the record itself is reused (<see cref="ReleaseIfDone"/>).
    /// </summary>
    private sealed class OutboundMessage
    {
        public ushort StreamId { get; private set; }

        public uint Ppid { get; private set; }

        /// <summary>Gets or sets the rented buffer (longer than <see cref="Length"/>); null once released.</summary>
        public byte[]? Data { get; set; }

        public int Length { get; private set; }

        public bool Unordered { get; private set; }

        public int MaxRetransmits { get; private set; }

        public TimeSpan ExpiresAt { get; private set; }

        public ushort Ssn { get; set; }

        /// <summary>Gets or sets the I-DATA message identifier (RFC 8260 §2.1).</summary>
        public uint Mid { get; set; }

        public long FirstTsn { get; set; }

        public long LastTsn { get; set; }

        public bool Abandoned { get; set; }

        /// <summary>Gets or sets whether the message is in its stream's queue or being fragmented there (I-DATA).</summary>
        public bool InStream { get; set; }

        /// <summary>Gets or sets how many of its chunks the cumulative TSN ack has not yet passed.</summary>
        public int Chunks { get; set; }

        public void Start(ushort streamId, uint ppid, ReadOnlySpan<byte> message, bool unordered, int maxRetransmits, TimeSpan expiresAt)
        {
            StreamId = streamId;
            Ppid = ppid;
            Data = ArrayPool<byte>.Shared.Rent(message.Length);
            message.CopyTo(Data);
            Length = message.Length;
            Unordered = unordered;
            MaxRetransmits = maxRetransmits;
            ExpiresAt = expiresAt;
            Ssn = 0;
            Mid = 0;
            FirstTsn = 0;
            LastTsn = 0;
            Abandoned = false;
            InStream = true;
            Chunks = 0;
        }
    }

    /// <summary>One DATA or I-DATA chunk from its TSN until the cumulative TSN ack passes it; the record is then reused.</summary>
    private sealed class OutboundChunk
    {
        public long Tsn { get; private set; }

        public OutboundMessage Message { get; set; } = null!;

        public int Offset { get; private set; }

        public int Length { get; private set; }

        public byte Flags { get; private set; }

        /// <summary>Gets the I-DATA fragment sequence number (RFC 8260 §2.1).</summary>
        public uint Fsn { get; private set; }

        public ChunkState State { get; set; }

        public int Transmissions { get; set; }

        public TimeSpan SentAt { get; set; }

        public int Misses { get; set; }

        public bool FastRetransmitted { get; set; }

        public void Start(long tsn, OutboundMessage message, int offset, int length, byte flags, uint fsn)
        {
            Tsn = tsn;
            Message = message;
            Offset = offset;
            Length = length;
            Flags = flags;
            Fsn = fsn;
            State = ChunkState.Unsent;
            Transmissions = 0;
            SentAt = default;
            Misses = 0;
            FastRetransmitted = false;
        }
    }

    private sealed class OutboundStream
    {
        public ushort NextSsn { get; set; }

        /// <summary>Gets or sets the next MID of an ordered message (RFC 8260 §2.1).</summary>
        public uint NextMid { get; set; }

        /// <summary>Gets or sets the next MID of an unordered message: a counter of its own (RFC 8260 §2.1).</summary>
        public uint NextUnorderedMid { get; set; }

        /// <summary>Gets or sets the message being fragmented under I-DATA, when only part of it has TSNs.</summary>
        public OutboundMessage? Current { get; set; }

        public int CurrentOffset { get; set; }

        public uint CurrentFsn { get; set; }

        public Queue<OutboundMessage> Queue { get; } = new();

        public bool Ready { get; set; }

        public bool ResetPending { get; set; }
    }

    // A FORWARD-TSN or I-FORWARD-TSN went out (RFC 3758 §3.5 C4; RFC 8260 §2.3.1): note it and make sure T3-rtx runs,
    // so a lost one is sent again.
    private void OnForwardTsnWritten(TimeSpan now)
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
