using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    // Received TSNs beyond this distance from the cumulative TSN are dropped: no honest peer runs that far ahead.
    private const long MaxTsnAhead = 1 << 20;
    private const int MaxDuplicatesReported = 32;
    private const int MaxGapBlocksReported = 64;

    private readonly SortedSet<long> _receivedAbove = new();
    private readonly List<uint> _duplicates = new();
    private readonly Dictionary<long, InboundChunk> _fragments = new();
    private readonly Dictionary<ushort, InboundStream> _inbound = new();
    private readonly List<ushort> _ssnScratch = new();
    private readonly List<long> _tsnScratch = new();
    private long _peerCumTsn;
    private long _highestReceived;
    private int _bufferedBytes;
    private bool _sackPending;
    private bool _sackImmediate;
    private int _packetsSinceSack;
    private TimeSpan? _delayedAckAt;
    private bool _gapsBeforePacket;

    /// <summary>Gets the bytes held for reassembly and ordering (what the advertised window subtracts, RFC 9260 §6.2).</summary>
    public int ReceiveBufferedBytes => _bufferedBytes;

    private uint AdvertisedWindow => (uint)Math.Max(0, _options.ReceiveBufferSize - _bufferedBytes);

    private enum TsnVerdict
    {
        /// <summary>A new TSN on a valid stream: take the data.</summary>
        Accept,

        /// <summary>Duplicate, too far ahead, no room, or an invalid stream: the data is not taken.</summary>
        Discard,

        /// <summary>The association was aborted.</summary>
        Aborted,
    }

    /// <summary>
    /// What DATA (RFC 9260 §6.2) and I-DATA (RFC 8260 §2.2.3) share: the empty-chunk ABORT, duplicate reporting,
    /// the receive window, marking the TSN received, and the invalid stream check (§6.5).
    /// </summary>
    private TsnVerdict AcceptTsn(uint tsn, ushort streamId, int length, bool immediate, out long t)
    {
        t = 0;
        if (length == 0)
        {
            // RFC 9260 §6.2: a DATA chunk without user data MUST be answered with ABORT (No User Data).
            Span<byte> info = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info, tsn);
            SendAbort(SctpErrorCause.NoUserData, info);
            Terminate(SctpCloseReason.AbortedLocally, "DATA chunk without user data");
            return TsnVerdict.Aborted;
        }

        _sackPending = true;
        if (immediate)
        {
            _sackImmediate = true;
        }

        t = Unwrap(tsn, _peerCumTsn);
        if (t <= _peerCumTsn || _receivedAbove.Contains(t))
        {
            // RFC 9260 §6.2: report duplicates in the next SACK, sent at once (§6.7).
            Statistics.DuplicateTsnsReceived++;
            if (_duplicates.Count < MaxDuplicatesReported)
            {
                _duplicates.Add(tsn);
            }

            _sackImmediate = true;
            return TsnVerdict.Discard;
        }

        if (t - _peerCumTsn > MaxTsnAhead)
        {
            return TsnVerdict.Discard;
        }

        // RFC 9260 §6.2: with no room, drop new TSNs beyond the highest received; holes may still be filled.
        if (t > _highestReceived && _bufferedBytes + length > _options.ReceiveBufferSize)
        {
            _sackImmediate = true;
            return TsnVerdict.Discard;
        }

        MarkReceived(t);
        if (streamId >= _inboundStreams)
        {
            // RFC 9260 §6.5: acknowledge the TSN, report Invalid Stream Identifier, discard the data.
            Span<byte> info = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(info, streamId);
            byte[] cause = new byte[8];
            SctpParameter.Write(cause, (ushort)SctpErrorCause.InvalidStreamIdentifier, info);
            QueueControl(SctpChunkType.Error, 0, cause);
            return TsnVerdict.Discard;
        }

        return TsnVerdict.Accept;
    }

    /// <summary>Handles one DATA chunk (RFC 9260 §6.2); false when the association was aborted.</summary>
    private bool HandleData(DataChunk data, TimeSpan now)
    {
        _ = now;
        TsnVerdict verdict = AcceptTsn(data.Tsn, data.StreamId, data.UserData.Length, data.Immediate, out long t);
        if (verdict != TsnVerdict.Accept)
        {
            return verdict != TsnVerdict.Aborted;
        }

        var chunk = new InboundChunk(t, data.StreamId, data.StreamSequence, data.PayloadProtocol, data.Flags, data.UserData.ToArray());
        _bufferedBytes += chunk.Data.Length;
        if (chunk.Beginning && chunk.Ending)
        {
            _bufferedBytes -= chunk.Data.Length;
            OnMessageComplete(chunk.StreamId, chunk.Ssn, chunk.Ppid, chunk.Unordered, chunk.Data);
            return true;
        }

        _fragments[t] = chunk;
        return TryReassemble(chunk);
    }

    private void MarkReceived(long t)
    {
        if (t > _highestReceived)
        {
            _highestReceived = t;
        }

        if (t == _peerCumTsn + 1)
        {
            _peerCumTsn = t;
            while (_receivedAbove.Count > 0 && _receivedAbove.Min == _peerCumTsn + 1)
            {
                _peerCumTsn++;
                _receivedAbove.Remove(_peerCumTsn);
            }
        }
        else
        {
            _receivedAbove.Add(t);
        }
    }

    /// <summary>Completes the message <paramref name="chunk"/> belongs to when all its fragments are here; false when aborted.</summary>
    private bool TryReassemble(InboundChunk chunk)
    {
        // Fragments of one message have consecutive TSNs (RFC 9260 §6.9). Walk forward to the E fragment,
        // then back to the B fragment; in-order arrival stops at once on the missing next TSN.
        long end = chunk.Tsn;
        InboundChunk e = chunk;
        while (!e.Ending)
        {
            if (!_fragments.TryGetValue(end + 1, out InboundChunk? next) || !SameMessage(chunk, next) || next.Beginning)
            {
                return true;
            }

            end++;
            e = next;
        }

        long start = chunk.Tsn;
        InboundChunk s = chunk;
        int total = 0;
        for (long i = chunk.Tsn; i <= end; i++)
        {
            total += _fragments[i].Data.Length;
        }

        while (!s.Beginning)
        {
            if (!_fragments.TryGetValue(start - 1, out InboundChunk? previous) || !SameMessage(chunk, previous) || previous.Ending)
            {
                return CheckPartialSize(total);
            }

            start--;
            s = previous;
            total += s.Data.Length;
            if (total > _options.MaxMessageSize)
            {
                AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
                return false;
            }
        }

        if (total > _options.MaxMessageSize)
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        byte[] message = new byte[total];
        int offset = 0;
        for (long i = start; i <= end; i++)
        {
            _fragments.Remove(i, out InboundChunk? f);
            f!.Data.CopyTo(message, offset);
            offset += f.Data.Length;
        }

        _bufferedBytes -= total;
        OnMessageComplete(s.StreamId, s.Ssn, s.Ppid, s.Unordered, message);
        return true;
    }

    private bool CheckPartialSize(int total)
    {
        if (total > _options.MaxMessageSize)
        {
            AbortForViolation(SctpErrorCause.ProtocolViolation, "message larger than the maximum message size");
            return false;
        }

        return true;
    }

    private static bool SameMessage(InboundChunk a, InboundChunk b) =>
        a.StreamId == b.StreamId && a.Unordered == b.Unordered && (a.Unordered || a.Ssn == b.Ssn);

    private void OnMessageComplete(ushort streamId, ushort ssn, uint ppid, bool unordered, byte[] message)
    {
        if (unordered)
        {
            _events.Enqueue(new SctpMessageEvent(streamId, ppid, message, Unordered: true));
            return;
        }

        InboundStream stream = GetInbound(streamId);
        short ahead = (short)(ushort)(ssn - stream.NextSsn);
        if (ahead < 0)
        {
            // Already delivered or skipped by FORWARD TSN: a stale copy.
            return;
        }

        if (ahead > 0)
        {
            if (stream.Pending.TryAdd(ssn, new InboundMessage(ppid, message)))
            {
                _bufferedBytes += message.Length;
            }

            return;
        }

        _events.Enqueue(new SctpMessageEvent(streamId, ppid, message, Unordered: false));
        stream.NextSsn++;
        DeliverPending(streamId, stream);
    }

    private void DeliverPending(ushort streamId, InboundStream stream)
    {
        while (stream.Pending.Remove(stream.NextSsn, out InboundMessage? m))
        {
            _bufferedBytes -= m.Data.Length;
            _events.Enqueue(new SctpMessageEvent(streamId, m.Ppid, m.Data, Unordered: false));
            stream.NextSsn++;
        }
    }

    private InboundStream GetInbound(ushort streamId)
    {
        if (!_inbound.TryGetValue(streamId, out InboundStream? stream))
        {
            stream = new InboundStream();
            _inbound[streamId] = stream;
        }

        return stream;
    }

    /// <summary>RFC 3758 §3.6: move the cumulative TSN, drop what it skips, and release the ordered streams it names.</summary>
    private void HandleForwardTsn(ForwardTsnChunk forward)
    {
        long newCum = Unwrap(forward.NewCumulativeTsn, _peerCumTsn);
        if (!AdvanceCumulativeTsn(newCum))
        {
            return;
        }

        if (_fragments.Count > 0)
        {
            List<long> stale = _tsnScratch;
            stale.Clear();
            foreach (long t in _fragments.Keys)
            {
                if (t <= newCum)
                {
                    stale.Add(t);
                }
            }

            foreach (long t in stale)
            {
                _fragments.Remove(t, out InboundChunk? f);
                _bufferedBytes -= f!.Data.Length;
            }
        }

        for (int i = 0; i < forward.StreamCount; i++)
        {
            (ushort streamId, ushort ssn) = forward.GetStream(i);
            if (streamId >= _inboundStreams)
            {
                continue;
            }

            InboundStream stream = GetInbound(streamId);
            ushort skip = (ushort)(ssn - stream.NextSsn);
            if ((short)skip < 0)
            {
                // Behind the next expected SSN: already delivered or skipped.
                continue;
            }

            // Deliver the complete messages before the skipped SSN in SSN order, then step past it. The pending set,
            // not the SSN distance, bounds the work: a hostile entry may name an SSN up to 32,767 ahead, and one chunk
            // may carry thousands of entries.
            if (stream.Pending.Count > 0)
            {
                List<ushort> before = _ssnScratch;
                before.Clear();
                foreach (ushort pending in stream.Pending.Keys)
                {
                    ushort distance = (ushort)(pending - stream.NextSsn);
                    if (distance <= skip)
                    {
                        before.Add(distance);
                    }
                }

                before.Sort();
                foreach (ushort distance in before)
                {
                    stream.Pending.Remove((ushort)(stream.NextSsn + distance), out InboundMessage? m);
                    _bufferedBytes -= m!.Data.Length;
                    _events.Enqueue(new SctpMessageEvent(streamId, m.Ppid, m.Data, Unordered: false));
                }
            }

            stream.NextSsn = (ushort)(ssn + 1);
            DeliverPending(streamId, stream);
        }
    }

    /// <summary>The receiver side of FORWARD TSN and I-FORWARD-TSN: move the cumulative TSN; false when it does not move.</summary>
    private bool AdvanceCumulativeTsn(long newCum)
    {
        _sackPending = true;
        _sackImmediate = true;
        if (newCum <= _peerCumTsn || newCum - _peerCumTsn > MaxTsnAhead)
        {
            return false;
        }

        _peerCumTsn = newCum;
        if (newCum > _highestReceived)
        {
            _highestReceived = newCum;
        }

        while (_receivedAbove.Count > 0 && _receivedAbove.Min <= _peerCumTsn + 1)
        {
            long m = _receivedAbove.Min;
            _receivedAbove.Remove(m);
            if (m == _peerCumTsn + 1)
            {
                _peerCumTsn = m;
            }
        }

        return true;
    }

    private void AfterDataReceived(TimeSpan now)
    {
        _packetsSinceSack++;
        // RFC 9260 §6.2: SACK at least every second packet with DATA, at once on gaps (§6.7) and duplicates,
        // also when a packet fills the last gap, otherwise within the delayed-ack time; in SHUTDOWN-SENT every DATA gets a SACK and a SHUTDOWN (§9.2).
        if (_packetsSinceSack >= 2 || _receivedAbove.Count > 0 || _gapsBeforePacket)
        {
            _sackImmediate = true;
        }

        if (State == SctpAssociationState.ShutdownSent)
        {
            _sackImmediate = true;
            QueueShutdown();
            _t2 = now + _rto.Rto;
        }

        if (_sackPending && !_sackImmediate && _delayedAckAt is null)
        {
            _delayedAckAt = now + _options.DelayedAckTimeout;
        }
    }

    private bool TryWriteSack(ref SctpPacketWriter writer)
    {
        Span<(ushort, ushort)> gaps = stackalloc (ushort, ushort)[MaxGapBlocksReported];
        int n = 0;
        long runStart = -1;
        long runEnd = -1;
        foreach (long t in _receivedAbove)
        {
            if (t - _peerCumTsn > ushort.MaxValue)
            {
                break;
            }

            if (runStart >= 0 && t == runEnd + 1)
            {
                runEnd = t;
                continue;
            }

            if (runStart >= 0)
            {
                gaps[n++] = ((ushort)(runStart - _peerCumTsn), (ushort)(runEnd - _peerCumTsn));
                if (n == MaxGapBlocksReported)
                {
                    runStart = -1;
                    break;
                }
            }

            runStart = runEnd = t;
        }

        if (runStart >= 0 && n < MaxGapBlocksReported)
        {
            gaps[n++] = ((ushort)(runStart - _peerCumTsn), (ushort)(runEnd - _peerCumTsn));
        }

        Span<uint> dups = stackalloc uint[MaxDuplicatesReported];
        int d = Math.Min(_duplicates.Count, MaxDuplicatesReported);
        for (int i = 0; i < d; i++)
        {
            dups[i] = _duplicates[i];
        }

        if (!writer.TryWriteSack((uint)_peerCumTsn, AdvertisedWindow, gaps[..n], dups[..d]))
        {
            return false;
        }

        _duplicates.Clear();
        _sackPending = false;
        _sackImmediate = false;
        _packetsSinceSack = 0;
        _delayedAckAt = null;
        Statistics.SacksSent++;
        return true;
    }

    private sealed class InboundChunk
    {
        public InboundChunk(long tsn, ushort streamId, ushort ssn, uint ppid, byte flags, byte[] data)
        {
            Tsn = tsn;
            StreamId = streamId;
            Ssn = ssn;
            Ppid = ppid;
            Flags = flags;
            Data = data;
        }

        public long Tsn { get; }

        public ushort StreamId { get; }

        public ushort Ssn { get; }

        public uint Ppid { get; }

        public byte Flags { get; }

        public byte[] Data { get; }

        public bool Beginning => (Flags & DataChunk.BeginningFlag) != 0;

        public bool Ending => (Flags & DataChunk.EndingFlag) != 0;

        public bool Unordered => (Flags & DataChunk.UnorderedFlag) != 0;
    }

    private sealed record InboundMessage(uint Ppid, byte[] Data);

    private sealed class InboundStream
    {
        public ushort NextSsn { get; set; }

        public Dictionary<ushort, InboundMessage> Pending { get; } = new();

        /// <summary>Gets or sets the next ordered MID to deliver under I-DATA (RFC 8260 §2.1).</summary>
        public uint NextMid { get; set; }

        /// <summary>Gets complete ordered I-DATA messages waiting for earlier MIDs.</summary>
        public Dictionary<uint, InboundMessage> PendingByMid { get; } = new();
    }
}
